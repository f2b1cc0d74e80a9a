"""The letter's vocabulary agrees with the pydantic model, the render context and every shipped pack.

A section or addressee field added to (or dropped from) any one of them and not the others fails
here, naming which one is out of step.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field

from app.core import vocabulary
from app.core.letter import Addressee, Letter, parse_letter
from app.core.packs import CORE_SECTIONS, Manifest
from app.core.vocabulary import ADDRESSEE_FIELDS, SECTION_KEYS, SECTIONS
from app.rendering.context import ADDRESSEE_FORMS, CONTEXT_KEYS, build_context

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PACKS = sorted(p.parent for p in TEMPLATES.glob("*/manifest.yaml"))
# "{%p for item in concerns %}": the sections a template prints, as its Word XML names them.
_LOOP = re.compile(r"\{%-?p?\s*for\s+\w+\s+in\s+(\w+)\s*-?%\}")


def test_the_shipped_packs_are_found() -> None:
    assert len(PACKS) >= 4, f"no template packs found under {TEMPLATES}"


def test_the_model_and_the_declaration_agree() -> None:
    assert vocabulary.model_disagreements(Letter, Addressee) == []


class _Gained(Letter):
    postscripts: list[str] = Field(default_factory=list)


class _Lost(Letter):
    # pydantic cannot delete a field in a subclass; a section that is no longer a list is as lost.
    cc: str = ""  # type: ignore[assignment]


def test_a_model_that_gains_or_loses_a_section_is_named() -> None:
    assert vocabulary.model_disagreements(_Gained, Addressee) == [
        "Letter.postscripts is a list of text the vocabulary does not declare as a section"]
    assert vocabulary.model_disagreements(_Lost, Addressee) == [
        "the vocabulary declares section 'cc', but Letter.cc is not a list of text"]


class _Postscript(Letter):
    postscript: str = ""


def test_a_model_that_gains_any_other_entry_is_named() -> None:
    assert vocabulary.model_disagreements(_Postscript, Addressee) == [
        "Letter.postscript is an entry the vocabulary does not declare as a part"]


class _Pronouns(Addressee):
    pronouns: str | None = None


def test_an_addressee_that_gains_a_field_is_named() -> None:
    assert vocabulary.model_disagreements(Letter, _Pronouns) == [
        "Addressee.pronouns is a field the vocabulary does not declare"]


def test_the_manifest_schema_knows_exactly_the_declared_sections() -> None:
    assert CORE_SECTIONS == SECTION_KEYS
    assert Manifest(id="x", name="x", version="1").sections == list(SECTION_KEYS)


def _sample(pack: Path) -> Letter:
    return parse_letter(json.loads((pack / "sample.json").read_text(encoding="utf-8"))).letter


def _manifest(pack: Path) -> Manifest:
    return Manifest.model_validate(yaml.safe_load((pack / "manifest.yaml").read_text(encoding="utf-8")))


def _loops(pack: Path) -> set[str]:
    with zipfile.ZipFile(pack / "letter.docx") as docx:
        xml = "".join(docx.read(n).decode("utf-8") for n in docx.namelist()
                      if n.startswith("word/") and n.endswith(".xml"))
    # Word may split a tag across runs; the text between the runs' XML is what docxtpl joins.
    text = re.sub(r"<[^>]+>", "", xml)
    return set(_LOOP.findall(text))


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_each_pack_prints_the_sections_its_manifest_lists(pack: Path) -> None:
    manifest = _manifest(pack)
    declared = set(SECTION_KEYS)
    listed = set(manifest.sections)
    assert listed <= declared, f"{pack.name}: the manifest lists sections the vocabulary lacks"
    printed = _loops(pack) & (declared | {"addressees", "distribution"})
    assert printed - {"addressees", "distribution"} == listed, (
        f"{pack.name}: letter.docx prints {sorted(printed)}, the manifest lists {sorted(listed)}")


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_each_pack_sample_uses_only_its_sections(pack: Path) -> None:
    manifest = _manifest(pack)
    letter = _sample(pack)
    used = {key for key in SECTION_KEYS if getattr(letter, key)}
    assert used <= set(manifest.sections), f"{pack.name}: sample.json fills sections its manifest lacks"
    assert manifest.check_letter(letter) == []


def test_every_section_is_printed_by_some_shipped_pack() -> None:
    listed: set[str] = set()
    for pack in PACKS:
        listed |= set(_manifest(pack).sections)
    assert listed == set(SECTION_KEYS)


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_the_render_context_has_every_section_and_addressee_field(pack: Path) -> None:
    manifest = _manifest(pack)
    letter = _sample(pack)
    context, _removals = build_context(letter, manifest)
    assert set(context) == set(CONTEXT_KEYS)
    for spec in SECTIONS:
        printed = spec.key in manifest.sections
        expected: list[Any] = [p for p in getattr(letter, spec.key) if p.strip()] if printed else []
        assert context[spec.key] == expected, spec.key
    typed = {f.key for f in ADDRESSEE_FIELDS if f.printed_as_typed}
    for entry, addressee in zip(context["addressees"], letter.addressees, strict=True):
        assert set(entry) == typed | ADDRESSEE_FORMS
        for key in typed:
            assert entry[key] == (getattr(addressee, key) or ""), key


def test_context_keys_name_each_section_once() -> None:
    sections_in_context = {k for k in CONTEXT_KEYS if vocabulary.is_section(k)}
    assert sections_in_context == set(SECTION_KEYS)


def test_labels_read_as_a_clerk_counts() -> None:
    assert vocabulary.entry_label("concerns", 1) == "concern 2"
    assert vocabulary.entry_label("requested_policies", 0) == "requested policy 1"
    assert vocabulary.entry_label("addressees", 2) == "addressee 3"
    with pytest.raises(KeyError, match="'postscripts' is not a section of a letter"):
        vocabulary.section("postscripts")


def test_the_address_book_and_the_csv_import_keep_every_addressee_field() -> None:
    """An address-book entry, its table and a CSV file's columns hold exactly the declared fields:
    a field added to the letter and not to the book would be lost when an addressee is saved there."""
    from dataclasses import fields

    from app.core.records import AddressBookEntry
    from app.services.letters import CSV_COLUMNS
    from app.storage.schema import addressees

    assert {f.name for f in fields(AddressBookEntry)} == {"id", *vocabulary.ADDRESSEE_KEYS}
    assert [c.name for c in addressees.columns] == ["id", *vocabulary.ADDRESSEE_KEYS]
    assert CSV_COLUMNS == vocabulary.ADDRESSEE_KEYS
    entry = AddressBookEntry(1, name="Jane Doe", title="Judge", honorific="The Honorable",
                             organization="Superior Court", address=("1 Main St",), salutation="Dear Judge Doe:",
                             surname="Doe", given_name="Jane", courtesy="Ms.")
    assert Addressee.model_validate(entry.to_addressee()).model_dump(exclude_none=True) == entry.to_addressee()


@pytest.mark.parametrize(("path", "readable"), [
    ("concerns[1]", "Concern 2"), ("requested_policies", "Requested policies"), ("cc[0]", "cc line 1"),
    ("addressees[0].honorific", "Addressee 1, honorific"), ("addressees[0].given_name", "Addressee 1, given name"),
    ("addressees[2].address[1]", "Addressee 3, address line 2"), ("fields.bill_number", "Field, bill number"),
    ("sender.court", "Court, court"), ("group_salutation", "Group salutation"), ("letter", "Letter"), ("", ""),
])
def test_a_path_reads_as_the_clerk_names_it(path: str, readable: str) -> None:
    assert vocabulary.readable_path(path) == readable
