"""The check after a key in two steps: a quick one that shows the preview at once, and the advice and
font check added to it on the worker; together they say exactly what the whole check says."""

from __future__ import annotations

import json
from pathlib import Path

from app.bootstrap import template_library
from app.services.checking import check_letter, complete_check

SAMPLE = Path(__file__).resolve().parents[2] / "templates" / "officials-concern" / "sample.json"


def test_the_quick_check_completed_says_what_the_whole_check_says() -> None:
    pack = template_library().get("officials-concern")
    letter = json.loads(SAMPLE.read_text(encoding="utf-8"))
    letter["addressees"][0]["salutation"] = "Dear Honorable Sessions,"  # advice: 'The Honorable', the comma
    letter["subject"] += " \U00013000"  # a hieroglyph: a font-check error where no font has it
    letter["concerns"].append("")  # a problem the quick check finds itself
    whole = check_letter(pack, letter)
    quick = check_letter(pack, letter, quick=True)
    assert not quick.complete
    assert quick.advice == []
    assert quick.print_warnings == []
    assert quick.preview == whole.preview
    assert quick.docx is not None
    completed = complete_check(quick)
    assert completed.complete
    assert whole.complete
    assert whole.advice
    assert any(p.path == "concerns[4]" for p in whole.problems)
    for name in ("letter", "problems", "removals", "preview", "advice", "print_warnings"):
        assert getattr(completed, name) == getattr(whole, name), name


def test_a_letter_that_does_not_parse_is_complete_at_once() -> None:
    pack = template_library().get("officials-concern")
    quick = check_letter(pack, {"addressees": "nobody"}, quick=True)
    assert quick.letter is None
    assert quick.problems
    assert complete_check(quick).problems == quick.problems
