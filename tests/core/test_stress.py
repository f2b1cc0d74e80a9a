"""The stress letters ``templates check`` renders: valid, and at every size limit of the contract;
and the long letter the window is timed and tested on."""

from __future__ import annotations

import copy

from app.core.letter import MAX_ADDRESS_LINES, MAX_ITEMS, MAX_LETTER_TEXT, Letter, iter_text, text_length
from app.core.packs import CORE_SECTIONS, Manifest
from app.core.stress import STRESS_DATE, STRESS_NUMBER, long_letter, max_text_length, stress_letters
from tests.conftest import sample_data


def manifest(**changes: object) -> Manifest:
    return Manifest.model_validate({"id": "stress", "name": "Stress", "version": "1.0", **changes})


def _kind(path: str) -> str:
    """``addressees[0].address[0]`` -> ``addressees.address``: the kind of value at ``path``."""
    return ".".join(part.split("[")[0] for part in path.split("."))


def test_every_list_is_full_and_every_kind_of_text_is_as_long_as_allowed_in_one_letter() -> None:
    letters = stress_letters(manifest(fields=[{"name": "note", "label": "Note", "type": "multiline"}]))
    limit = max_text_length()
    assert limit == 20_000
    longest: set[str] = set()
    kinds: set[str] = set()
    for letter in letters:
        assert len(letter.addressees) == MAX_ITEMS
        assert all(len(a.address) == MAX_ADDRESS_LINES for a in letter.addressees)
        assert len(letter.sender.address) == MAX_ADDRESS_LINES
        for section in CORE_SECTIONS:
            assert len(getattr(letter, section)) == MAX_ITEMS, section
        assert text_length(letter) == MAX_LETTER_TEXT, "every letter holds all the text a letter may"
        for path, text in iter_text(letter):
            if path not in ("template", "date"):
                kinds.add(_kind(path))
                if len(text) == limit:
                    longest.add(_kind(path))
    assert longest == kinds, f"never at its longest: {sorted(kinds - longest)}"
    assert {"fields.note", "group_salutation", "addressees.courtesy"} <= longest
    long_subject = next(letter for letter in letters if len(letter.subject) == limit)
    assert "&" in long_subject.subject
    assert "<" in long_subject.subject
    long_concern = next(letter for letter in letters if len(letter.concerns[0]) == limit)
    assert "\n" in long_concern.concerns[0]
    assert stress_letters(manifest(fields=[{"name": "note", "label": "Note", "type": "multiline"}])) is letters, \
        "made once for a manifest"


def test_the_letter_fits_the_pack() -> None:
    pack = manifest(sections=["opening", "closing"], fields=[
        {"name": "note", "label": "Note", "type": "multiline"},
        {"name": "kind", "label": "Kind", "type": "choice", "choices": ["a", "a much longer choice"]},
        {"name": "heard", "label": "Heard", "type": "date", "required": True},
        {"name": "count", "label": "Count", "type": "number"},
        {"name": "urgent", "label": "Urgent", "type": "bool"},
    ])
    letters = stress_letters(pack)
    for letter in letters:
        assert pack.check_letter(letter) == []
        assert letter.concerns == []
        assert len(letter.opening) == MAX_ITEMS
        assert letter.fields == {"note": letter.fields["note"], "kind": "a much longer choice",
                                 "heard": STRESS_DATE, "count": STRESS_NUMBER, "urgent": True}
        assert letter.template == "stress"
    assert max(len(str(letter.fields["note"])) for letter in letters) == max_text_length()


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


def test_the_long_letter_is_a_valid_letter_to_many_officials_and_leaves_its_sample_alone() -> None:
    sample = sample_data()
    before = copy.deepcopy(sample)
    letter = Letter.model_validate(long_letter(sample))
    assert sample == before
    assert len(letter.addressees) == 100
    assert len({a.name for a in letter.addressees}) == 100  # each row tells itself apart
    assert letter.addressees[41].name == "Jeff Sessions 42"
    assert len(letter.concerns) == 50
    assert letter.concerns[49].startswith("Concern number 50: ")
