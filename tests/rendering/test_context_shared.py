"""A mail merge builds the letter's part of the context once; a letter changed in any way gets its own."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.core.letter import parse_letter
from app.rendering import context as contexts
from app.rendering.context import build_context
from app.services.templates import TemplateLibrary
from tests.conftest import TEMPLATES, sample_data


def _fresh(monkeypatch: pytest.MonkeyPatch, data: dict[str, Any], manifest: Any, draft: bool) -> tuple[Any, Any]:
    monkeypatch.setattr(contexts, "_last_letter_part", None)
    return build_context(parse_letter(data).letter, manifest, draft=draft)


@pytest.mark.parametrize("pack", ["officials-concern", "legislative-position", "response-to-inquiry",
                                  "officials-concern-es"])
def test_every_letter_gets_the_context_built_afresh_would_give(pack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    library = TemplateLibrary([TEMPLATES])
    if pack not in {info.id for info in library.list()}:
        pytest.skip(f"no pack {pack} here")
    manifest = library.get(pack).manifest
    base = sample_data(pack)
    first = base["addressees"][0]
    changes: list[tuple[str, Any]] = [
        ("addressees", [{**first, "name": "Ann Lee"}]),
        ("addressees", [{**first, "name": "Bo Chen", "title": "Secretary of State"}]),
        ("subject", base["subject"] + " (revised)"),
        ("opening", [*base.get("opening", []), "   ", "A new paragraph."]),  # an empty one is a note
        ("closing", ["Thank you."]),
        ("reference", "No. 17-0042"),
        ("group_salutation", "Dear Members of the Council:"),
        ("addressees", [first] * 8),  # a distribution list
        ("fields", {}),
    ]
    letters = [copy.deepcopy(base)]
    for key, value in changes:
        letters.append({**letters[-1], key: value})
        letters.append({**letters[-1], "addressees": [{**first, "name": "Cy Diaz"}]})
    for draft in (False, True, False):
        for data in letters:
            built = build_context(parse_letter(data).letter, manifest, draft=draft)
            assert built == _fresh(monkeypatch, data, manifest, draft), (pack, draft, data.get("subject"))
