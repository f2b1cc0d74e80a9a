"""The fast preview: the rendered letter's text and layout essentials, read from the .docx."""

from __future__ import annotations

import pytest

from app.core.errors import TemplateProblem
from app.core.letter import parse_letter
from app.rendering.engine import CompiledPack
from app.rendering.preview import docx_preview
from tests.conftest import PACK_IDS, TEMPLATES, sample_data


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_preview_text_is_the_rendered_letter(pack_id: str) -> None:
    letter = parse_letter(sample_data(pack_id)).letter
    preview = docx_preview(CompiledPack(TEMPLATES / pack_id).render(letter).data)
    lines = preview.text.split("\n")
    assert letter.date_line in lines
    assert letter.salutation in lines
    for paragraph in [*letter.opening, *letter.closing]:
        assert paragraph in lines
    assert letter.sender.court.lower() in preview.header_text.lower()
    assert "DRAFT" not in preview.header_text


def test_preview_html_keeps_breaks_emphasis_and_alignment() -> None:
    letter = parse_letter(sample_data()).letter
    preview = docx_preview(CompiledPack(TEMPLATES / "officials-concern").render(letter, draft=True).data)
    assert "The Honorable Jeff Sessions<br/>Attorney General of the United States" in preview.html
    assert "<b>Immigration enforcement in California courthouses</b>" in preview.html
    assert 'text-align:center' in preview.html
    assert "DRAFT" in preview.header_text


def test_preview_escapes_the_letter_text() -> None:
    data = sample_data()
    data["opening"] = ["<script>alert(1)</script> & more"]
    letter = parse_letter(data).letter
    preview = docx_preview(CompiledPack(TEMPLATES / "officials-concern").render(letter).data)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in preview.html
    assert "<script>" not in preview.html


def test_a_broken_document_is_a_clear_error() -> None:
    with pytest.raises(TemplateProblem, match="cannot be read for the preview"):
        docx_preview(b"not a zip")


def test_the_standing_line_is_shown_above_the_letter_escaped_and_is_no_part_of_its_text() -> None:
    letter = parse_letter(sample_data()).letter
    data = CompiledPack(TEMPLATES / "officials-concern").render(letter, draft=False).data
    preview = docx_preview(data, "Approved version 2 by Judge O'Neil <Ret.>")
    assert preview.html.startswith("<html><body><p><b>Approved version 2 by Judge O&#x27;Neil &lt;Ret.&gt;</b></p>"
                                   "<hr/>")
    assert preview.standing == "Approved version 2 by Judge O'Neil <Ret.>"
    assert preview.text == docx_preview(data).text
    assert "Approved" not in docx_preview(data).html
