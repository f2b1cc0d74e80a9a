"""The context a template sees: plain data, cleaned, with the pack's fields."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from app.core.letter import parse_letter
from app.core.packs import Manifest
from app.rendering.context import CONTEXT_KEYS, build_context
from tests.conftest import sample_data

MANIFEST = Manifest.model_validate({
    "id": "t", "name": "T", "version": "1.0.0", "sections": ["opening", "closing"],
    "fields": [{"name": "hearing_date", "type": "date", "label": "Hearing"},
               {"name": "position", "type": "choice", "label": "Position", "choices": ["support", "oppose"],
                "default": "support"}],
})


def plain_types(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_types(v) for v in value)
    return type(value) in (str, int, float, bool)


def test_context_is_plain_data_with_every_documented_key() -> None:
    context, removals = build_context(parse_letter(sample_data()).letter)
    assert set(context) == CONTEXT_KEYS
    assert removals == []
    assert context["signature_image"] == ""
    assert plain_types({k: v for k, v in context.items()})
    assert context["salutation"] == "Dear Attorney General Sessions and Secretary Kelly:"
    assert context["addressee_names"] == "The Honorable Jeff Sessions and The Honorable John F. Kelly"
    assert context["date_line"] == "March 16, 2017"
    assert context["court"]["email"] == ""  # None renders as empty


def test_date_fields_are_spelled_and_defaults_filled() -> None:
    data = {**sample_data(), "requested_policies": [], "concerns": [], "cc": [], "enclosures": [],
            "fields": {"hearing_date": "2025-04-08"}}
    context, _ = build_context(parse_letter(data).letter, MANIFEST)
    assert context["fields"] == {"hearing_date": "April 8, 2025", "position": "support"}


def test_sections_the_pack_does_not_use_are_left_out() -> None:
    context, _ = build_context(parse_letter(sample_data()).letter, MANIFEST)
    assert context["concerns"] == []
    assert context["requested_policies"] == []
    assert context["opening"]


def test_signature_markup_passes_through_only_as_given() -> None:
    context, _ = build_context(parse_letter(sample_data()).letter, signature_image=Markup("<w:r/>"))
    assert isinstance(context["signature_image"], Markup)


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\x0c"])
def test_context_cleans_again_what_bypassed_validation(bad: str) -> None:
    letter = parse_letter(sample_data()).letter
    dirty = letter.model_copy(update={"subject": f"Subject{bad}"})  # model_copy skips validation
    context, removals = build_context(dirty)
    assert context["subject"] == "Subject"
    assert [r.path for r in removals] == ["subject"]


def test_empty_paragraphs_are_left_out_and_reported() -> None:
    data = {**sample_data(), "concerns": ["First.", "   ", "Second."], "cc": [""]}
    context, removals = build_context(parse_letter(data).letter)
    assert context["concerns"] == ["First.", "Second."]
    assert context["cc"] == []
    assert [str(r) for r in removals] == [
        "concerns[1]: removed an empty paragraph (once)",
        "cc[0]: removed an empty paragraph (once)",
    ]
