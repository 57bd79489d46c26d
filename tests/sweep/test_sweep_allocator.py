"""A dask worker (started with MALLOC_TRIM_THRESHOLD_=65536 by its nanny) keeps freed arrays on
its heap once a sweep job is loaded, instead of page-faulting them in again for every run."""

import os
import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")

_PROBE = textwrap.dedent("""
    import resource, sys
    from tradebridge.sweep.worker import keep_freed_memory
    if sys.argv[1] == "tuned":
        assert keep_freed_memory()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        block = bytearray(4 << 20)  # a 4 MiB array, freed at once: what a backtest's lines do
        del block
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _page_faults(mode: str) -> int:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}  # what dask's nanny sets
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], env=env, capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_freed_blocks_are_reused_instead_of_faulted_in_again_under_dasks_malloc_setting():
    assert _page_faults("plain") > 50 * 500  # each 4 MiB block comes fresh from the OS
    assert _page_faults("tuned") < 5 * 1024  # the first block's pages, then reuse
