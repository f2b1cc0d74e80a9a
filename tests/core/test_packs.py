"""Template-pack manifests: their own validation, and what they ask of a letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from app.core.errors import LetterInvalid, Problem, TemplateProblem
from app.core.letter import Letter, parse_letter
from app.core.packs import (
    CORE_SECTIONS,
    MAX_MANIFEST_BYTES,
    Manifest,
    PackField,
    check_letter_for_pack,
    load_manifest,
)


def manifest_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "legislative-position",
        "name": "Legislative position",
        "description": "The court's position on a bill.",
        "version": "1.2.0",
        "sections": ["opening", "concerns", "closing", "cc"],
        "fields": [
            {"name": "bill", "type": "text", "label": "Bill number", "required": True},
            {"name": "position", "type": "choice", "label": "Position", "choices": ["support", "oppose", "neutral"],
             "required": True},
            {"name": "urgent", "type": "bool", "label": "Urgent", "default": False},
            {"name": "copies", "type": "number", "label": "Copies"},
            {"name": "hearing", "type": "date", "label": "Hearing date"},
            {"name": "summary", "type": "multiline", "label": "Summary", "default": "See attached."},
        ],
    }
    data.update(changes)
    return data


PACK = Manifest.model_validate(manifest_data())


def letter(**changes: Any) -> Letter:
    data: dict[str, Any] = {
        "date": "2017-03-16",
        "subject": "AB 123",
        "sender": {"court": "Judicial Council of California"},
        "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
        "addressees": [{"honorific": "The Honorable", "name": "Anthony Rendon", "title": "Speaker of the Assembly"}],
        "opening": ["The Judicial Council writes regarding AB 123."],
        "fields": {"bill": "AB 123", "position": "oppose"},
    }
    data.update(changes)
    return parse_letter(data).letter


def found(pack: Manifest, letter_: Letter) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in pack.check_letter(letter_)]


# --- the manifest itself -------------------------------------------------------------------------

def test_a_complete_manifest() -> None:
    assert PACK.id == "legislative-position"
    assert PACK.sections == ["opening", "concerns", "closing", "cc"]
    assert [f.name for f in PACK.fields] == ["bill", "position", "urgent", "copies", "hearing", "summary"]
    position = PACK.field("position")
    assert position is not None
    assert position.choices == ["support", "oppose", "neutral"]
    assert PACK.field("nothing") is None


def test_a_minimal_manifest_uses_every_core_section() -> None:
    pack = Manifest.model_validate({"id": "plain", "name": "Plain", "version": "1"})
    assert pack.sections == list(CORE_SECTIONS)
    assert pack.fields == []
    assert pack.description == ""
    assert found(pack, letter(fields={}, concerns=["c"], requested_policies=["p"], cc=["x"], enclosures=["e"])) == []


@pytest.mark.parametrize("pack_id", ["a", "0", "officials-concern", "pack-2", "x" * 61])
def test_good_ids(pack_id: str) -> None:
    assert Manifest.model_validate(manifest_data(id=pack_id)).id == pack_id


@pytest.mark.parametrize(
    "pack_id",
    ["", "Officials", "-lead", "has space", "under_score", "dot.ted", "../escape", "a/b", "ü", "x" * 62, "pack\n"],
)
def test_bad_ids(pack_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Manifest.model_validate(manifest_data(id=pack_id))
    assert [e["loc"] for e in caught.value.errors()] == [("id",)]


@pytest.mark.parametrize("version", ["1", "1.0", "1.2.3", "10.20.30"])
def test_good_versions(version: str) -> None:
    assert Manifest.model_validate(manifest_data(version=version)).version == version


@pytest.mark.parametrize("version", ["", "v1", "1.2.3.4", "1.", "one", "1.0-beta"])
def test_bad_versions(version: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Manifest.model_validate(manifest_data(version=version))
    assert [e["loc"] for e in caught.value.errors()] == [("version",)]


def test_a_choice_needs_choices() -> None:
    with pytest.raises(ValidationError, match="field 'tone' is a choice but lists no choices"):
        PackField(name="tone", type="choice", label="Tone")
    assert PackField(name="tone", type="choice", label="Tone", choices=["firm"]).choices == ["firm"]


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (["opening", "preamble"],
         "unknown section(s) preamble; known: opening, concerns, requested_policies, closing, cc, enclosures"),
        (["postscript", "opening", "preamble"],
         "unknown section(s) postscript, preamble; known: opening, concerns, requested_policies, closing, cc, "
         "enclosures"),
        (["Opening"],
         "unknown section(s) Opening; known: opening, concerns, requested_policies, closing, cc, enclosures"),
    ],
)
def test_unknown_sections(sections: list[str], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Manifest.model_validate(manifest_data(sections=sections))
    [error] = caught.value.errors()
    assert error["loc"] == ("sections",)
    assert error["msg"] == f"Value error, {message}"


@pytest.mark.parametrize("name", ["", "Bill", "1bill", "bill-number", "bill number", "b" * 42])
def test_bad_field_names(name: str) -> None:
    with pytest.raises(ValidationError):
        PackField(name=name, label="Bill")


@pytest.mark.parametrize("name", ["b", "bill", "bill_number_2", "b" * 41])
def test_good_field_names(name: str) -> None:
    assert PackField(name=name, label="Bill").name == name


@pytest.mark.parametrize("field_type", ["colour", "Text", "", "list"])
def test_unknown_field_types(field_type: str) -> None:
    with pytest.raises(ValidationError):
        PackField(name="bill", type=field_type, label="Bill")  # type: ignore[arg-type]


def test_a_field_needs_a_label() -> None:
    with pytest.raises(ValidationError):
        PackField.model_validate({"name": "bill"})


def test_unknown_manifest_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        Manifest.model_validate(manifest_data(author="Clerk's office"))
    with pytest.raises(ValidationError):
        Manifest.model_validate(manifest_data(fields=[{"name": "bill", "label": "Bill", "hint": "AB 123"}]))


# --- loading manifest.yaml -------------------------------------------------------------------------

def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "manifest.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_load_manifest(tmp_path: Path) -> None:
    path = write(tmp_path, yaml.safe_dump(manifest_data()))
    assert load_manifest(path) == PACK


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "Legislative Position"}, "id: "),
        ({"sections": ["opening", "preamble"]},
         "sections: unknown section(s) preamble; known: opening, concerns, requested_policies, closing, cc, "
         "enclosures"),
        ({"fields": [{"name": "tone", "type": "choice", "label": "Tone"}]},
         "fields[0]: field 'tone' is a choice but lists no choices"),
        ({"fields": [{"name": "bill", "label": "Bill"}, {"name": "Tone", "label": "Tone"}]}, "fields[1].name: "),
        ({"author": "Clerk's office"}, "author: "),
    ],
)
def test_load_manifest_names_the_file_and_the_problem(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    path = write(tmp_path, yaml.safe_dump(manifest_data(**changes)))
    with pytest.raises(TemplateProblem) as caught:
        load_manifest(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_load_manifest_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    with pytest.raises(TemplateProblem) as caught:
        load_manifest(path)
    assert str(caught.value) == f"{path}: cannot be read (No such file or directory)"


def test_load_manifest_broken_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "id: [unclosed\n")
    with pytest.raises(TemplateProblem) as caught:
        load_manifest(path)
    assert str(caught.value).startswith(f"{path}: not valid YAML (")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n", "42\n"])
def test_load_manifest_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TemplateProblem) as caught:
        load_manifest(path)
    assert str(caught.value) == f"{path}: a manifest must be a mapping of names to values"


def test_load_manifest_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, b"#" * (MAX_MANIFEST_BYTES + 1))
    with pytest.raises(TemplateProblem) as caught:
        load_manifest(path)
    assert str(caught.value) == f"{path}: manifest is larger than 256 KB"


def test_load_manifest_refuses_python_tags(tmp_path: Path) -> None:
    path = write(tmp_path, "id: !!python/object/apply:os.system ['echo pwned']\nname: X\nversion: '1'\n")
    with pytest.raises(TemplateProblem, match="not valid YAML"):
        load_manifest(path)


# --- what a pack asks of a letter -----------------------------------------------------------------

def test_a_letter_that_fits_the_pack() -> None:
    assert found(PACK, letter()) == []
    assert found(PACK, letter(fields={
        "bill": "AB 123", "position": "support", "urgent": True, "copies": 3, "hearing": "2017-04-04",
        "summary": "Short.",
    })) == []


def test_undeclared_field() -> None:
    assert found(PACK, letter(fields={"bill": "AB 123", "position": "oppose", "tone": "firm"})) == [
        ("fields.tone", "is not a field of template 'legislative-position'"),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"position": "oppose"},
        {"position": "oppose", "bill": None},
        {"position": "oppose", "bill": ""},
        {"position": "oppose", "bill": "   "},
    ],
    ids=["absent", "null", "empty", "blank"],
)
def test_required_field_missing(fields: dict[str, Any]) -> None:
    assert found(PACK, letter(fields=fields)) == [("fields.bill", "required (Bill number)")]


def test_a_default_satisfies_a_required_field() -> None:
    pack = Manifest.model_validate(manifest_data(fields=[
        {"name": "court_level", "type": "text", "label": "Court level", "required": True, "default": "Supreme"},
    ]))
    assert found(pack, letter(fields={})) == []
    assert pack.field_values(letter(fields={})) == {"court_level": "Supreme"}


def test_every_missing_required_field_is_named() -> None:
    assert found(PACK, letter(fields={})) == [
        ("fields.bill", "required (Bill number)"),
        ("fields.position", "required (Position)"),
    ]


@pytest.mark.parametrize("value", ["Oppose", "against", "support ", 1, True])
def test_bad_choice(value: Any) -> None:
    assert found(PACK, letter(fields={"bill": "AB 123", "position": value})) == [
        ("fields.position", f"must be one of support, oppose, neutral, not {value!r}"),
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("urgent", "yes", "must be true or false"),
        ("urgent", "true", "must be true or false"),
        ("urgent", 1, "must be true or false"),
        ("urgent", 0.0, "must be true or false"),
        ("copies", "3", "must be a number"),
        ("copies", True, "must be a number"),
        ("copies", False, "must be a number"),
        ("hearing", "04/04/2017", "must be a date written YYYY-MM-DD"),
        ("hearing", "April 4, 2017", "must be a date written YYYY-MM-DD"),
        ("hearing", 20170404, "must be a date written YYYY-MM-DD"),
        ("hearing", True, "must be a date written YYYY-MM-DD"),
    ],
)
def test_wrong_type(name: str, value: Any, message: str) -> None:
    fields = {"bill": "AB 123", "position": "oppose", name: value}
    assert found(PACK, letter(fields=fields)) == [(f"fields.{name}", message)]


@pytest.mark.parametrize(
    ("name", "value"),
    [("urgent", False), ("urgent", True), ("copies", 0), ("copies", -2), ("copies", 2.5), ("hearing", "2017-04-04"),
     ("summary", "Line one\nline two"), ("copies", None), ("hearing", "")],
)
def test_right_type(name: str, value: Any) -> None:
    assert found(PACK, letter(fields={"bill": "AB 123", "position": "oppose", name: value})) == []


@pytest.mark.parametrize(
    ("section", "words"),
    [("requested_policies", "requested policies"), ("enclosures", "enclosures")],
)
def test_text_in_a_section_the_pack_does_not_use(section: str, words: str) -> None:
    assert found(PACK, letter(**{section: ["Something that would not be printed."]})) == [
        (section, f"template 'legislative-position' has no {words} section; this text would not be printed"),
    ]


@pytest.mark.parametrize("section", ["opening", "concerns", "requested_policies", "closing", "cc", "enclosures"])
def test_every_unused_section_is_checked(section: str) -> None:
    others = [s for s in CORE_SECTIONS if s != section]
    pack = Manifest.model_validate(manifest_data(sections=others, fields=[]))
    body = {"concerns": ["A concern."]} if section == "opening" else {}
    checked = letter(fields={}, **body, **{section: ["Text."]})
    assert [p for p, _ in found(pack, checked)] == [section]


@pytest.mark.parametrize("section", ["concerns", "closing", "cc"])
def test_sections_the_pack_uses_are_fine(section: str) -> None:
    assert found(PACK, letter(**{section: ["Text."]})) == []


def test_an_empty_unused_section_is_fine() -> None:
    assert found(PACK, letter(requested_policies=[], enclosures=[])) == []


def test_problems_are_reported_together_in_a_stable_order() -> None:
    checked = letter(
        fields={"extra": "x", "position": "maybe", "urgent": "no"},
        requested_policies=["Policy."],
    )
    assert found(PACK, checked) == [
        ("fields.extra", "is not a field of template 'legislative-position'"),
        ("fields.bill", "required (Bill number)"),
        ("fields.position", "must be one of support, oppose, neutral, not 'maybe'"),
        ("fields.urgent", "must be true or false"),
        ("requested_policies",
         "template 'legislative-position' has no requested policies section; this text would not be printed"),
    ]


def test_check_letter_for_pack_raises_with_the_problems() -> None:
    check_letter_for_pack(PACK, letter())
    with pytest.raises(LetterInvalid) as caught:
        check_letter_for_pack(PACK, letter(fields={"position": "oppose"}))
    assert caught.value.problems == [Problem("fields.bill", "required (Bill number)")]
    assert str(caught.value) == "fields.bill: required (Bill number)"


def test_field_values_fill_in_defaults_and_drop_undeclared_fields() -> None:
    values = PACK.field_values(letter(fields={"bill": "AB 123", "position": "oppose", "copies": 2, "tone": "firm"}))
    assert values == {
        "bill": "AB 123", "position": "oppose", "urgent": False, "copies": 2, "hearing": None,
        "summary": "See attached.",
    }
