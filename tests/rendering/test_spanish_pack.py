"""The Spanish flagship pack: its date, salutation, template words and document language in Spanish."""

from __future__ import annotations

import io
import re
import zipfile

import docx

from app.core.letter import parse_letter
from app.core.packs import load_manifest
from app.rendering.engine import CompiledPack
from tests.conftest import TEMPLATES, sample_data

PACK = TEMPLATES / "officials-concern-es"


def test_the_pack_declares_spanish_and_its_sample_renders_in_spanish() -> None:
    assert load_manifest(PACK / "manifest.yaml").language == "es"
    letter = parse_letter(sample_data("officials-concern-es")).letter
    data = CompiledPack(PACK).render(letter).data
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "16 de marzo de 2017" in texts
    assert "Estimados Fiscal General Sessions y Secretario Kelly:" in texts
    assert any(t.startswith("Asunto:\t") for t in texts)
    assert "Atentamente," in texts
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        header = archive.read("word/header2.xml").decode("utf-8")
    assert re.findall(r'<w:lang w:val="([^"]+)"', styles) == ["es-US"]
    assert ">Página <" in header


def test_the_english_pack_is_unchanged_by_the_language() -> None:
    assert load_manifest(TEMPLATES / "officials-concern" / "manifest.yaml").language == "en"
    letter = parse_letter(sample_data()).letter
    data = CompiledPack(TEMPLATES / "officials-concern").render(letter).data
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "March 16, 2017" in texts
    assert "Dear Attorney General Sessions and Secretary Kelly:" in texts
