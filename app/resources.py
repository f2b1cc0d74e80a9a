"""Where the files Chambers ships beside its code are: the template packs and ``resources/``.

The product card keeps ``templates/`` and ``resources/`` at the top of the checkout, outside the
``app`` package. A wheel or a bundle carries them inside it, as ``app/_data/templates`` and
``app/_data/resources`` (copied there by the build step in ``setup.py``), so an installed
Chambers finds them with ``importlib.resources`` wherever it was installed. A source checkout
(or an editable install of one) has no ``app/_data``: there the top-level folders are used.
Every reader of a shipped file asks this module; none works its way up from ``__file__``.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import Literal

PACKAGED = "_data"
Shipped = Literal["templates", "resources", "docs"]


@cache
def shipped(name: Shipped) -> Path:
    """The folder of shipped ``templates`` or ``resources``, installed or in the checkout.

    When neither exists the installed location is returned, so a message naming it says where
    the files were expected.
    """
    package = importlib.resources.files("app")
    # The files must be real files on disk (LibreOffice and the pack checks open them by path):
    # pip and PyInstaller both install a package as a folder, never as a zip.
    root = Path(str(package))
    installed = root / PACKAGED / name
    if installed.is_dir():
        return installed
    checkout = root.parent / name
    if checkout.is_dir() and (root.parent / "pyproject.toml").is_file():
        return checkout
    return installed


def guides() -> list[tuple[str, Path]]:
    """The user guides the window's Help menu shows: (title, Markdown file), in reading order.

    The title is the guide's own first heading, so a guide renamed in docs/ needs no code change.
    """
    order = ("clerk", "judge", "it", "packs")
    found = []
    for path in sorted(shipped("docs").glob("guide-*.md"),
                       key=lambda p: (order.index(p.stem[6:]) if p.stem[6:] in order else len(order), p.name)):
        first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")), "")
        found.append((first[2:].strip() or path.stem, path))
    return found


def shipped_file(*parts: str) -> Path:
    """A file below ``resources/``, e.g. ``shipped_file("words", "legal.txt")``."""
    return shipped("resources").joinpath(*parts)
