"""Preflight on printing: the pack's font really installed (or a metric twin), every character printable."""

from __future__ import annotations

import shutil

import pytest

from app.core.letter import Letter
from app.rendering import fonts
from app.rendering.engine import CompiledPack
from tests.conftest import TEMPLATES, sample_data

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig tools are not installed")


def rendered(data: dict[str, object]) -> tuple[Letter, bytes]:
    letter = Letter.model_validate(data)
    return letter, CompiledPack(TEMPLATES / "officials-concern").render(letter).data


def test_the_shipped_font_prints_as_itself_or_its_metric_twin() -> None:
    letter, docx = rendered(sample_data())
    report = fonts.print_check(letter, docx)
    if fonts.resolved_family("Times New Roman") not in ("Times New Roman", "Liberation Serif", "Tinos"):
        pytest.fail("make/.ci/run install fonts-liberation2, the metric-compatible Times New Roman; "
                    f"this machine prints it as {fonts.resolved_family('Times New Roman')}")
    assert report.warnings == []
    assert report.errors == []


def test_a_missing_font_is_named_with_what_the_pdf_will_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "resolved_family", lambda name: "DejaVu Serif")
    letter, docx = rendered(sample_data())
    report = fonts.print_check(letter, docx)
    assert len(report.warnings) == 1
    message = report.warnings[0].message
    assert "Times New Roman is not installed" in message
    assert "DejaVu Serif" in message
    assert "Liberation Serif" in message


def test_a_character_no_font_has_is_an_error_naming_where(monkeypatch: pytest.MonkeyPatch) -> None:
    # U+10FFFD is a private-use code point no font ships a glyph for.
    data = sample_data()
    data["concerns"][1] += " \U0010fffd"
    letter, docx = rendered(data)
    report = fonts.print_check(letter, docx)
    assert [p.path for p in report.errors] == ["concerns[1]"]
    assert "U+10FFFD" in report.errors[0].message


def test_characters_another_installed_font_has_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "any_font_has", lambda code: True)
    data = sample_data()
    data["subject"] += " \u6771\u4eac"
    letter, docx = rendered(data)
    assert fonts.print_check(letter, docx).errors == []


def test_fonts_named_reads_the_styles() -> None:
    styles = (b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b'<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Georgia" w:hAnsi="Georgia"/></w:rPr>'
              b'</w:rPrDefault></w:docDefaults><w:style w:styleId="X"><w:rPr><w:rFonts w:ascii="Arial"/></w:rPr>'
              b'</w:style></w:styles>')
    assert fonts.fonts_named(styles) == ["Georgia", "Arial"]
