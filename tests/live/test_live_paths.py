"""Default journal locations follow each platform's user data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradebridge.live.paths import default_journal_path, user_data_dir

HOME = Path("/home/u")


@pytest.mark.parametrize(("env", "platform", "expected"), [
    ({}, "linux", HOME / ".local/share/tradebridge"),
    ({"XDG_DATA_HOME": "/data"}, "linux", Path("/data/tradebridge")),
    ({"XDG_DATA_HOME": "relative"}, "linux", HOME / ".local/share/tradebridge"),
    ({}, "darwin", HOME / "Library/Application Support/tradebridge"),
    ({"LOCALAPPDATA": "C:/Users/u/AppData/Local"}, "win32", Path("C:/Users/u/AppData/Local/tradebridge")),
    ({}, "win32", HOME / "AppData/Local/tradebridge"),
    ({"TRADEBRIDGE_HOME": "/srv/tb"}, "darwin", Path("/srv/tb")),
])
def test_user_data_dir_per_platform(env: dict[str, str], platform: str, expected: Path) -> None:
    assert user_data_dir(env, platform, HOME) == expected


def test_journal_names_are_made_filesystem_safe_and_include_the_account() -> None:
    path = default_journal_path("My Strat/v2", "DU123", environ={}, platform="linux", home=HOME)
    assert path == HOME / ".local/share/tradebridge/journals/My_Strat_v2-DU123.sqlite"
    assert default_journal_path("..", environ={}, platform="linux", home=HOME).name == "strategy.sqlite"
