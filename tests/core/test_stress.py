"""The stress letter ``templates check`` renders: valid, and at every size limit of the contract."""

from __future__ import annotations

from app.core.letter import MAX_ADDRESS_LINES, MAX_ITEMS, iter_text
from app.core.packs import CORE_SECTIONS, Manifest
from app.core.stress import STRESS_DATE, STRESS_NUMBER, max_text_length, stress_letter


def manifest(**changes: object) -> Manifest:
    return Manifest.model_validate({"id": "stress", "name": "Stress", "version": "1.0", **changes})


def test_every_list_is_full_and_every_text_is_as_long_as_allowed() -> None:
    letter = stress_letter(manifest())
    limit = max_text_length()
    assert limit == 20_000
    assert len(letter.addressees) == MAX_ITEMS
    assert all(len(a.address) == MAX_ADDRESS_LINES for a in letter.addressees)
    assert len(letter.sender.address) == MAX_ADDRESS_LINES
    for section in CORE_SECTIONS:
        assert len(getattr(letter, section)) == MAX_ITEMS, section
    lengths = {len(text) for path, text in iter_text(letter) if path not in ("template", "date")}
    assert lengths == {limit}
    assert "&" in letter.subject
    assert "<" in letter.subject
    assert "\n" in letter.concerns[0]
    assert stress_letter(manifest()) is letter, "made once for a manifest"


def test_the_letter_fits_the_pack() -> None:
    pack = manifest(sections=["opening", "closing"], fields=[
        {"name": "note", "label": "Note", "type": "multiline"},
        {"name": "kind", "label": "Kind", "type": "choice", "choices": ["a", "a much longer choice"]},
        {"name": "heard", "label": "Heard", "type": "date", "required": True},
        {"name": "count", "label": "Count", "type": "number"},
        {"name": "urgent", "label": "Urgent", "type": "bool"},
    ])
    letter = stress_letter(pack)
    assert pack.check_letter(letter) == []
    assert letter.concerns == []
    assert len(letter.opening) == MAX_ITEMS
    assert letter.fields == {"note": letter.fields["note"], "kind": "a much longer choice",
                             "heard": STRESS_DATE, "count": STRESS_NUMBER, "urgent": True}
    assert len(str(letter.fields["note"])) == max_text_length()
    assert letter.template == "stress"


def test_the_small_letter_fits_the_pack() -> None:
    from app.core.stress import small_letter

    pack = manifest(sections=["concerns"], fields=[
        {"name": "heard", "label": "Heard", "type": "date", "required": True},
        {"name": "kind", "label": "Kind", "type": "choice", "choices": ["press", "agency"]},
    ])
    letter = small_letter(pack)
    assert pack.check_letter(letter) == []
    assert len(letter.addressees) == 1
    assert letter.concerns == ["The concerns & more."]
    assert letter.opening == []
    assert letter.fields == {"heard": STRESS_DATE, "kind": "agency"}
