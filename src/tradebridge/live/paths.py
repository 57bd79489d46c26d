"""Where live-trading files go by default: the user's data directory, as platformdirs would pick it."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["default_journal_path", "user_data_dir"]

APP = "tradebridge"


def user_data_dir(environ: Mapping[str, str] | None = None, platform: str | None = None,
                  home: Path | None = None) -> Path:
    """tradebridge's per-user data directory (``TRADEBRIDGE_HOME`` overrides it)."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if env.get("TRADEBRIDGE_HOME"):
        return Path(env["TRADEBRIDGE_HOME"])
    if plat.startswith("win"):
        base = env.get("LOCALAPPDATA") or env.get("APPDATA")
        return Path(base) / APP if base else home / "AppData" / "Local" / APP
    if plat == "darwin":
        return home / "Library" / "Application Support" / APP
    xdg = env.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share") / APP


def default_journal_path(strategy: str, account: str = "", environ: Mapping[str, str] | None = None,
                         platform: str | None = None, home: Path | None = None) -> Path:
    """``<data dir>/journals/<strategy>[-<account>].sqlite``, names made filesystem-safe."""
    name = strategy if not account else f"{strategy}-{account}"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "strategy"
    return user_data_dir(environ, platform, home) / "journals" / f"{safe}.sqlite"
