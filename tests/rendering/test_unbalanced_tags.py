"""A tag left open must be refused: docxtpl would swallow the paragraphs up to the next tag."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from app.cli import main
from app.core.errors import TemplateProblem
from app.rendering.engine import CompiledPack
from app.rendering.package import MAX_FINDINGS_PER_PART
from tests.rendering import helpers as h


@pytest.mark.parametrize(("text", "opening"), [
    ("Re: {{ subject ", "{{"),
    ("Re: subject }}", "{{"),
    ("{% if reference Ref", "{%"),
    ("Note {# a comment", "{#"),
])
def test_a_paragraph_whose_tags_do_not_close_is_refused(tmp_path: Path, text: str, opening: str) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", text, "{{ salutation }}"])
    with pytest.raises(TemplateProblem) as caught:
        CompiledPack(folder)
    message = str(caught.value)
    assert f"paragraph 2 (\u201c{text}" in message
    assert f"a tag opened with {opening} is not closed" in message


def test_balanced_tags_across_runs_are_accepted(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", "Re: {{ subject }} and {{ reference }}"])
    CompiledPack(folder)


# --- blocks that do not pair up: named at the paragraph of the tag to fix ----------------------------
def _broken(folder: Path) -> list[str]:
    with pytest.raises(TemplateProblem) as caught:
        CompiledPack(folder)
    return str(caught.value).split("\n")


def _table_pack(folder: Path, rows: list[str]) -> Path:
    """A pack with two paragraphs, then a one-column table with one row per string, then one more."""
    document = docx.Document()
    document.add_paragraph("{{ date_line }}")
    document.add_paragraph("Our concerns:")
    table = document.add_table(rows=len(rows), cols=1)
    for row, text in zip(table.rows, rows, strict=True):
        row.cells[0].paragraphs[0].text = text
    document.add_paragraph("{{ salutation }}")
    out = io.BytesIO()
    document.save(out)
    return h.write_raw_docx(folder, out.getvalue())


@pytest.mark.parametrize(("opening", "end"), [
    ("{% for c in concerns %}", "{% endfor %}"),
    ("{% if subject %}", "{% endif %}"),
    ("{% with s = subject %}", "{% endwith %}"),
    ("{% filter upper %}", "{% endfilter %}"),
    ("{% set heading %}", "{% endset %}"),
    ("{% macro line(x) %}", "{% endmacro %}"),
    ("{% call range(3) %}", "{% endcall %}"),
    ("{% block body %}", "{% endblock %}"),
    ("{% autoescape false %}", "{% endautoescape %}"),
    ("{% raw %}", "{% endraw %}"),
    ("{%- for c in concerns -%}", "{% endfor %}"),
    ("{%p if subject %}", "{%p endif %}"),
    ("{%p for c in concerns %}", "{%p endfor %}"),
    ("{%r if subject %}", "{%r endif %}"),
    ("{% if subject == \u201cRe\u201d %}", "{% endif %}"),  # Word's quotes, as docxtpl reads them
])
def test_a_block_never_closed_is_named_at_the_paragraph_that_opens_it(
        tmp_path: Path, opening: str, end: str) -> None:
    body = ["{{ date_line }}", "Dear Sir,", "Re:", opening, "{{ subject }}", "Concerned.", "{{ salutation }}"]
    lines = _broken(h.make_pack(tmp_path / "pack", body))
    assert lines == [f"template hostile, word/document.xml, paragraph 4 (\u201c{opening}\u201d): the template tags "
                     f"are broken: {opening} is never closed (no {end} after it)"]


@pytest.mark.parametrize(("rows", "paragraph", "opening", "end"), [
    (["{%tr for c in concerns %}", "{{ c }}"], 3, "{%tr for c in concerns %}", "{%tr endfor %}"),
    (["{{ subject }}", "{%tc if subject %}", "{{ subject }}"], 4, "{%tc if subject %}", "{%tc endif %}"),
])
def test_a_row_or_cell_block_never_closed_is_named_at_its_own_paragraph(
        tmp_path: Path, rows: list[str], paragraph: int, opening: str, end: str) -> None:
    lines = _broken(_table_pack(tmp_path / "pack", rows))
    assert len(lines) == 1
    assert f"word/document.xml, paragraph {paragraph} (\u201c{opening}\u201d)" in lines[0]
    assert f"{opening} is never closed (no {end} after it)" in lines[0]


def test_an_unclosed_block_in_a_sentence_is_quoted_as_written(tmp_path: Path) -> None:
    text = "We are concerned that {% for c in concerns %}{{ c }} and"
    lines = _broken(h.make_pack(tmp_path / "pack", ["{{ date_line }}", text, "{{ salutation }}"]))
    assert len(lines) == 1
    assert "paragraph 2 (\u201cWe are concerned that {% for c in concerns %}{{ c }} and\u201d)" in lines[0]
    assert "{% for c in concerns %} is never closed (no {% endfor %} after it)" in lines[0]


def test_a_block_left_open_inside_another_is_named_where_it_opens(tmp_path: Path) -> None:
    body = ["{{ date_line }}", "{% if concerns %}", "Concerns:", "{% for c in concerns %}", "{{ c }}",
            "{% endif %}", "{{ salutation }}"]
    assert _broken(h.make_pack(tmp_path / "pack", body)) == [
        "template hostile, word/document.xml, paragraph 4 (\u201c{% for c in concerns %}\u201d): the template "
        "tags are broken: {% for c in concerns %} is never closed (no {% endfor %} before {% endif %} in "
        "paragraph 6, which closes {% if concerns %} of paragraph 2)"]


def test_every_block_left_open_is_named(tmp_path: Path) -> None:
    body = ["{{ date_line }}", "{% if concerns %}", "{%p for c in concerns %}", "{{ c }}", "{{ salutation }}"]
    lines = _broken(h.make_pack(tmp_path / "pack", body))
    assert [line.split(": ")[0] for line in lines] == [
        "template hostile, word/document.xml, paragraph 2 (\u201c{% if concerns %}\u201d)",
        "template hostile, word/document.xml, paragraph 3 (\u201c{%p for c in concerns %}\u201d)"]


@pytest.mark.parametrize("closer", ["{% endif %}", "{% endfor %}", "{%p endif %}", "{% endraw %}"])
def test_an_end_tag_with_no_opening_is_named_at_its_own_paragraph(tmp_path: Path, closer: str) -> None:
    kind = closer.split(" end")[1].split(" ")[0]
    lines = _broken(h.make_pack(tmp_path / "pack", ["{{ date_line }}", "Dear Sir,", closer, "{{ salutation }}"]))
    assert lines == [f"template hostile, word/document.xml, paragraph 3 (\u201c{closer}\u201d): the template tags "
                     f"are broken: {closer} closes nothing: no {{% {kind} %}} is open before it"]


def test_a_mismatched_pair_names_both_tags_and_their_paragraphs(tmp_path: Path) -> None:
    body = ["{{ date_line }}", "{% for c in concerns %}", "{{ c }}", "{% endif %}", "{{ salutation }}"]
    assert _broken(h.make_pack(tmp_path / "pack", body)) == [
        "template hostile, word/document.xml, paragraph 2 (\u201c{% for c in concerns %}\u201d): the template "
        "tags are broken: {% for c in concerns %} is never closed (no {% endfor %} after it)",
        "template hostile, word/document.xml, paragraph 4 (\u201c{% endif %}\u201d): the template tags are "
        "broken: {% endif %} closes no {% if %}: the block open here is {% for c in concerns %} of paragraph 2, "
        "which {% endfor %} would close"]


@pytest.mark.parametrize(("body", "paragraph", "says"), [
    (["{{ date_line }}", "{% else %}", "{{ salutation }}"], 2,
     "{% else %} stands outside any {% if %} or {% for %}"),
    (["{{ date_line }}", "{% with s = subject %}", "{% elif draft %}", "{% endwith %}"], 3,
     "{% elif draft %} stands directly inside {% with s = subject %} of paragraph 2, not inside an {% if %}"),
    (["{{ date_line }}", "{% if draft %}", "a", "{% else %}", "b", "{% elif subject %}", "{% endif %}"], 6,
     "{% elif subject %} follows the {% else %} of paragraph 4 in {% if draft %} of paragraph 2; "
     "only {% endif %} may"),
])
def test_a_misplaced_else_is_named_at_its_own_paragraph(
        tmp_path: Path, body: list[str], paragraph: int, says: str) -> None:
    lines = _broken(h.make_pack(tmp_path / "pack", body))
    assert len(lines) == 1
    assert f"word/document.xml, paragraph {paragraph} (" in lines[0]
    assert says in lines[0]


def test_templates_check_names_the_unclosed_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", "{%p if subject %}", "{{ subject }}",
                                            "{{ salutation }}"])
    assert main(["templates", "check", str(folder)]) == 3
    assert ("word/document.xml, paragraph 2 (\u201c{%p if subject %}\u201d): the template tags are broken: "
            "{%p if subject %} is never closed (no {%p endif %} after it)") in capsys.readouterr().err



def test_an_unclosed_block_in_the_header_is_named_in_the_header(tmp_path: Path) -> None:
    folder = h.make_pack(tmp_path / "pack", ["{{ date_line }}", "{{ salutation }}"],
                         header=["Supreme Court", "{% if draft %}DRAFT"])
    lines = _broken(folder)
    assert len(lines) == 1
    assert "word/header1.xml, paragraph 2 (\u201c{% if draft %}DRAFT\u201d)" in lines[0]
    assert "{% if draft %} is never closed (no {% endif %} after it)" in lines[0]


def test_a_part_leaving_thousands_of_blocks_open_lists_the_first_few(tmp_path: Path) -> None:
    body = ["{{ date_line }}", *["{% if draft %}"] * 300, "{{ salutation }}"]
    lines = _broken(h.make_pack(tmp_path / "pack", body))
    assert len(lines) == MAX_FINDINGS_PER_PART + 1
    assert lines[0].startswith("template hostile, word/document.xml, paragraph 2 (")
    more = 300 - MAX_FINDINGS_PER_PART
    assert lines[-1] == f"template hostile, word/document.xml: {more} more problems like these are not listed"
