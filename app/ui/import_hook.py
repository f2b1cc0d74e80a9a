"""PySide6's import hook, spared its read of every module's source (``spare_source_reads``).

Imported before anything else of the window (``app.launch``), so that what the window imports next
is spared too; it imports PySide6.QtCore alone, which is what installs the hook.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - installs the hook this module tempers


def spare_source_reads() -> None:
    """Spare every module imported after PySide6 a read of its source.

    PySide6 wraps ``__import__`` to learn, for its opt-in ``from __feature__ import ...`` switches,
    whether each newly imported module uses it, by reading the module's whole source and looking for
    "PySide6" (measured at about 80 ms of CPU for what the window imports after its first paint).
    Chambers selects no feature, so the answer changes nothing but the bookkeeping; it is given from
    the module's names instead: every module that imports from PySide6 is still found.
    Private to shiboken6, hence looked up with care and left alone when it is not there.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return
    feature._mod_uses_pyside = _uses_pyside  # type: ignore[attr-defined]


def _uses_pyside(module: ModuleType) -> bool:
    for value in list(vars(module).values()):
        try:
            owner = value.__name__ if isinstance(value, ModuleType) else type(value).__module__
            if isinstance(value, type):
                owner = value.__module__
        except Exception:  # an odd global (a proxy that raises) is no sign of PySide6
            continue
        if isinstance(owner, str) and owner.startswith(("PySide6", "shiboken6")):
            return True
    return False
