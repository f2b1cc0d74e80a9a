"""The window's parts are built from their collaborators: none reaches into the window (``self.w``)
or into another part's private state. The older parts that still do are listed, and the list only
shrinks: a part taken off it is checked from then on."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

# The parts still built from the whole window: none since issue 15 retired the last of them and the
# ``Controller`` base class with them. Should one be added for a while, it is listed here.
STILL_REACHING_INTO_THE_WINDOW: set[str] = set()


def _window_reaches(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "w" and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            lines.append(node.lineno)
    return lines


def test_parts_taken_off_the_list_no_longer_reach_into_the_window() -> None:
    found = {}
    for path in sorted((ROOT / "app" / "ui").glob("*.py")):
        if path.name in STILL_REACHING_INTO_THE_WINDOW:
            continue
        lines = _window_reaches(path)
        if lines:
            found[path.name] = lines
    assert found == {}, f"a part reaches into the window as self.w (give it its collaborators): {found}"


def test_the_list_holds_only_parts_that_still_reach() -> None:
    stale = sorted(name for name in STILL_REACHING_INTO_THE_WINDOW
                   if not _window_reaches(ROOT / "app" / "ui" / name))
    assert stale == [], f"take these off STILL_REACHING_INTO_THE_WINDOW: {stale}"


def test_no_part_calls_another_parts_private_methods() -> None:
    """``self.x._y(...)`` or ``self._x._y(...)`` where x is another part: the private call goes through a
    signal or a public method instead. The legacy parts are not checked yet."""
    found = []
    for path in sorted((ROOT / "app" / "ui").glob("*.py")):
        if path.name in STILL_REACHING_INTO_THE_WINDOW or path.name == "main_window.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Attribute) and isinstance(node.value.value, ast.Name) \
                    and node.value.value.id == "self":
                owner = node.value.attr.lstrip("_")
                if owner in {"opening", "reviewing", "actions_table", "editing", "previewing", "saving",
                             "bank", "exporting", "letterhead", "watcher", "keeper"}:
                    found.append(f"{path.name}:{node.lineno} self.{node.value.attr}.{node.attr}")
    assert found == [], f"a part calls another part's private method: {found}"
