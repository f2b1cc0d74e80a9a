"""The recoloured icons kept in the data folder's cache: only regular files are ever read there."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from app.ui import icons


def test_a_cached_icon_that_is_a_link_is_never_followed_and_is_made_again(private_home: Path, qtbot: Any) -> None:
    """Even a link to the very bytes is replaced: Qt would read whatever the link names later."""
    name = next(icons.ICONS.glob("*.svg")).stem
    colour = "#123456"
    svg = (icons.ICONS / f"{name}.svg").read_text(encoding="utf-8").replace("#000000", colour)
    kept = icons._cache_folder(colour) / f"{name}.svg"
    kept.parent.mkdir(parents=True)
    elsewhere = private_home / "elsewhere.svg"
    elsewhere.write_text(svg, encoding="utf-8")
    kept.symlink_to(elsewhere)
    icons._icon.cache_clear()
    assert not icons._icon(name, colour).isNull()
    assert stat.S_ISREG(kept.lstat().st_mode), "the link was followed and kept"
    assert kept.read_text(encoding="utf-8") == svg
