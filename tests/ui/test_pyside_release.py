"""The installed PySide6 keeps its references to None, True and False (6.12.0 did not: pinned away)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class _Flag(QObject):
    changed = Signal(bool)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal from CPython 3.12")
def test_wrapped_calls_and_bool_signals_keep_their_references() -> None:
    probe = _Flag()
    probe.changed.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        probe.setObjectName("probe")  # a wrapped C++ method that returns nothing
        probe.changed.emit(True)
    # A few references may come and go with the interpreter's own work; 6.12.0 lost one per call.
    assert sys.getrefcount(None) > none_before - 100, "PySide6 loses None per call: see the gui pin"
    assert sys.getrefcount(True) > true_before - 100, "PySide6 loses a reference to True per bool emit"
