"""The letter's pinned seal replaces the pack's seal picture, found through the relationships; a
pack without one ignores it, and `templates check` says so."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.core.errors import LetterInvalid, TemplateProblem
from app.core.letter import parse_letter
from app.rendering.engine import SEAL_MEDIA, CompiledPack
from app.services.templates import SHIPPED, TemplateLibrary
from tests.conftest import sample_data
from tests.rendering import helpers as h
from tests.services.test_court_profile import png, reference


def test_every_shipped_pack_shows_its_seal_through_a_header_relationship() -> None:
    for folder in sorted(p for p in SHIPPED.iterdir() if (p / "manifest.yaml").exists()):
        pack = CompiledPack(folder)
        assert pack.seal_uses == [("word/header1.xml", "rIdSeal")], folder.name
        assert TemplateLibrary([]).advice(folder) == [], folder.name


def test_a_pack_without_a_seal_ignores_the_letters_seal_and_check_says_so(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ court.name }}", "{{ court.chambers }}", "{{ subject }}"])
    pack = CompiledPack(folder)
    assert not pack.prints_seal
    data = sample_data()
    data["sender"] = {**data["sender"], "chambers": "Chambers of the Chief Justice", "seal": reference(png(40, 40))}
    rendered = pack.render(parse_letter(data).letter)  # no images needed: the pack prints no seal
    with zipfile.ZipFile(io.BytesIO(rendered.data)) as package:
        assert SEAL_MEDIA not in package.namelist()
        assert b"Chambers of the Chief Justice" in package.read("word/document.xml")
    advice = TemplateLibrary([]).advice(folder)
    assert any(line.startswith("the pack shows no seal") for line in advice)


def test_a_picture_named_seal_png_that_nothing_shows_is_refused_not_taken_for_the_seal(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(h.docx_bytes(["{{ subject }}"], ()))) as package:
        members = {name: package.read(name) for name in package.namelist()}
    members[SEAL_MEDIA] = png(40, 40)
    folder = h.make_pack_from_members(tmp_path / "pack", members)
    with pytest.raises(TemplateProblem, match=r"word/media/seal\.png: is not reached from the package's relationships"):
        CompiledPack(folder)


def test_the_seal_must_be_the_image_its_hash_names() -> None:
    pack = CompiledPack(SHIPPED / "officials-concern")
    seal = png(64, 64)
    data = sample_data()
    data["sender"] = {**data["sender"], "seal": reference(seal)}
    letter = parse_letter(data).letter
    with pytest.raises(LetterInvalid) as caught:
        pack.render(letter)
    assert [p.path for p in caught.value.problems] == ["sender.seal"]
    for wrong, why in ((png(64, 64, shade=3), "does not match its hash"), (b"GIF89a" + seal, "is not a PNG")):
        with pytest.raises(LetterInvalid, match=why):
            pack.render(letter, images={reference(seal): wrong})
    with zipfile.ZipFile(io.BytesIO(pack.render(letter, images={reference(seal): seal}).data)) as package:
        assert package.read(SEAL_MEDIA) == seal
