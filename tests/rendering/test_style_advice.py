"""templates check advises a pack author where direct formatting stands in for a style."""

from __future__ import annotations

import zipfile

from app.rendering.style_advice import style_advice
from tests.conftest import TEMPLATES

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def document(body: str) -> dict[str, bytes]:
    return {"word/document.xml": f"<w:document {W}><w:body>{body}</w:body></w:document>".encode()}


def test_the_shipped_packs_are_formatted_by_their_styles() -> None:
    for pack in ("officials-concern", "legislative-position", "response-to-inquiry"):
        with zipfile.ZipFile(TEMPLATES / pack / "letter.docx") as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        assert style_advice(members) == [], pack


def test_hand_formatting_and_spacer_paragraphs_are_named() -> None:
    advice = style_advice(document(
        '<w:p><w:pPr><w:spacing w:after="240"/><w:jc w:val="both"/></w:pPr><w:r><w:t>{{ subject }}</w:t></w:r></w:p>'
        "<w:p/>"
        '<w:p><w:r><w:rPr><w:b/><w:sz w:val="28"/></w:rPr><w:t>Re: the bill</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:keepNext/><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t>kept</w:t></w:r></w:p>'))
    assert len(advice) == 3
    assert advice[0].startswith("1 paragraph(s) set their alignment, spacing by hand")
    assert "paragraph 1 ('{{ subject }}')" in advice[0]
    assert "bold, font size" in advice[1]
    assert advice[2].startswith("1 empty paragraph(s) used as spacing")


def test_keep_with_next_and_tag_paragraphs_are_not_advice() -> None:
    assert style_advice(document(
        "<w:p><w:r><w:t>{%p for item in concerns %}</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="BodyText"/><w:keepNext/><w:keepLines/></w:pPr>'
        "<w:r><w:t>{{ item }}</w:t></w:r></w:p>")) == []
