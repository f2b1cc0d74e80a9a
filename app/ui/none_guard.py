"""A guard against a PySide6 defect that aborts the interpreter after a few thousand Qt calls.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` each time a wrapped C++ method that
returns nothing is called (``setEnabled``, ``setToolTip``, ``ignore``...), and one to ``True`` or
``False`` each time a ``Signal(bool)`` is emitted (the window's own signals carry bools as objects
for that reason). None starts with a few thousand references, True and False with a few hundred;
when they run out CPython aborts ("none_dealloc", "bool_dealloc") in the middle of a clerk's
typing. From CPython 3.12 these objects are immortal and nothing can happen.

The guard measures the defect instead of trusting a version number, and where it is present keeps
None's count topped up by holding references to it in a list (8 bytes each) from a timer. The real
fix is a PySide6 without the defect; this keeps the window alive until that is the floor.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer

FLOOR = 200_000
TOP_UP = 100_000
_held: list[bool | None] = []


def _never_freed(held: list[bool | None]) -> None:
    # The held references stand in for the ones PySide6 lost: were the list freed when the interpreter
    # shuts down, the loss would come back and abort it then.
    import ctypes

    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    incref(held)


def loses_none_references() -> bool:
    """Whether calling a Qt method that returns nothing drops references to None here."""
    if sys.version_info >= (3, 12):
        return False
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def top_up() -> None:
    for constant in (None, True, False):
        while sys.getrefcount(constant) < FLOOR:
            _held.extend([constant] * TOP_UP)


def install(app: QCoreApplication) -> bool:
    """Keep None alive for the life of ``app`` where the defect is present; whether it is."""
    if getattr(app, "_none_guard", None) is not None or not loses_none_references():
        return False
    _never_freed(_held)
    top_up()
    timer = QTimer(app)
    timer.setInterval(1000)
    timer.timeout.connect(top_up)
    timer.start()
    app._none_guard = timer  # type: ignore[attr-defined]
    return True
