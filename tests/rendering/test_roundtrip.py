"""Render each shipped sample and read the .docx back as Word would show it."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest

from app.core import address as forms
from app.core.letter import Letter, parse_letter
from app.rendering.engine import CompiledPack
from app.rendering.pdf import PdfConverter
from tests.conftest import PACK_IDS, TEMPLATES, sample_data

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module", params=PACK_IDS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, Letter, bytes]:
    pack = CompiledPack(TEMPLATES / request.param)
    letter = parse_letter(sample_data(request.param)).letter
    return request.param, letter, pack.render(letter).data


def body_texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def index_of(texts: list[str], wanted: str, start: int = 0) -> int:
    """Where ``wanted`` stands as a paragraph of its own (a pack may number items "1.<tab>")."""
    pattern = re.compile(r"(\d+\.\t)?" + re.escape(wanted.strip()))
    for i in range(start, len(texts)):
        if pattern.fullmatch(texts[i].strip()):
            return i
    raise AssertionError(f"paragraph not found after #{start}: {wanted!r}\nhave: {texts[start:]}")


def test_inside_addresses_are_stacked_exactly(rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    texts = body_texts(data)
    position = index_of(texts, letter.date_line)
    for addressee in letter.addressees:
        block = "\n".join(forms.inside_address(addressee))
        position = index_of(texts, block, position + 1)
        assert texts[position].split("\n") == forms.inside_address(addressee)


def test_salutation_and_every_paragraph_in_order(rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    texts = body_texts(data)
    position = index_of(texts, letter.salutation)
    assert "Honorable" not in texts[position]
    for paragraph in [*letter.opening, *letter.concerns, *letter.requested_policies, *letter.closing]:
        position = index_of(texts, paragraph, position + 1)
    position = index_of(texts, letter.complimentary_close, position + 1)
    name_at = index_of(texts, letter.signatory.name, position + 1)
    index_of(texts, letter.signatory.title, name_at + 1)


def test_subject_line(rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    assert any(letter.subject in t for t in body_texts(data))


def test_cc_and_enclosure_notations(rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    texts = body_texts(data)
    signature = index_of(texts, letter.signatory.title)
    after = "\n".join(texts[signature:])
    for line in letter.enclosures:
        assert line in after
    for line in letter.cc:
        assert line in after
    if letter.enclosures:
        assert re.search(r"Enclosures?:?", after)
    if letter.cc:
        assert re.search(r"\bcc\b", after, re.IGNORECASE)


def test_core_properties_set_after_rendering(rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == letter.subject
    assert props.author == letter.signatory.name
    assert props.created is not None
    assert props.created.date() == letter.date


def test_letterhead_on_page_one_and_continuation_header_with_page_field(
        rendered: tuple[str, Letter, bytes]) -> None:
    _, letter, data = rendered
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    first = "\n".join(p.text for p in section.first_page_header.paragraphs)
    assert letter.sender.court.lower() in first.lower()
    assert "DRAFT" not in first
    continuation = section.header
    text = "\n".join(p.text for p in continuation.paragraphs)
    assert letter.date_line in text
    for addressee in letter.addressees:
        assert addressee.name in text
    instructions = "".join(t.text or "" for t in continuation._element.iter(f"{W_NS}instrText"))
    simple = [e.get(f"{W_NS}instr") or "" for e in continuation._element.iter(f"{W_NS}fldSimple")]
    assert "PAGE" in instructions + "".join(simple)
    assert "DRAFT" not in text


def test_draft_mark_when_not_approved() -> None:
    pack = CompiledPack(TEMPLATES / "officials-concern")
    letter = parse_letter(sample_data()).letter
    document = docx.Document(io.BytesIO(pack.render(letter, draft=True).data))
    section = document.sections[0]
    headers = [p.text for h in (section.first_page_header, section.header) for p in h.paragraphs]
    assert any("DRAFT" in t for t in headers)


def test_no_template_syntax_comments_or_tracked_changes_left(rendered: tuple[str, Letter, bytes]) -> None:
    _, _, data = rendered
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                assert not re.search(r"\{\{|\{%|\{#|%\}|#\}", xml), name
                assert "<w:ins " not in xml, name
                assert "<w:del " not in xml, name
                assert "commentReference" not in xml, name
        assert "word/comments.xml" not in archive.namelist()


def test_signature_image_placed_when_given(tmp_path: Path) -> None:
    seal = (TEMPLATES.parent / "resources" / "seal.png").read_bytes()
    pack = CompiledPack(TEMPLATES / "officials-concern")
    letter = parse_letter(sample_data()).letter
    data = pack.render(letter, signature_png=seal).data
    document = docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) >= 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("word/media/chambers-signature.png") == seal


@pytest.mark.libreoffice
@pytest.mark.timeout(300)
@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_libreoffice_converts_each_sample_to_pdf(libreoffice: None, pack_id: str) -> None:
    pack = CompiledPack(TEMPLATES / pack_id)
    letter = parse_letter(sample_data(pack_id)).letter
    with PdfConverter() as converter:
        pdf = converter.convert(pack.render(letter).data)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 1
