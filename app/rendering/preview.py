"""A fast preview of a rendered letter: its text and layout essentials as simple HTML.

The preview is built from the rendered .docx itself, not from the letter's data, so what the
clerk sees is what the template produced: the letterhead in the header, the inside address
blocks, the salutation, the numbered concerns, the signature block. Only what a text view can
show faithfully is kept (alignment, bold/italic/underline, indents, line and page breaks,
tables as tables); the page-exact view is LibreOffice's job.
"""

from __future__ import annotations

import functools
import html
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from app.core.errors import TemplateProblem
from app.rendering.package import SAFE_PARSER

# The preview reads the rendered parts with lxml rather than python-docx: opening the package
# with python-docx costs about 45 ms a call (it parses every part and builds its object model),
# which alone blew the 30 ms keystroke-to-preview budget; the parts the preview needs parse in
# about 1 ms.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ALIGN = {"center": "center", "right": "right", "end": "right", "both": "justify", "distribute": "justify"}
_TWIPS_PER_PX = 15  # 1440 twips to the inch, 96 px to the inch


@dataclass(frozen=True)
class Preview:
    """The letter as HTML for a text view, and as plain text (one paragraph a line)."""

    html: str
    text: str
    header_text: str = ""
    standing: str = ""  # the line above the letter saying what it is ("Approved version 2 by Judge …")


@dataclass(frozen=True)
class _Style:
    align: str | None
    indent: int
    bold: bool
    italic: bool
    numbered: str | None = None  # the numbering (numId) the style's paragraphs belong to


@functools.lru_cache(maxsize=16)
def _styles(blob: bytes) -> dict[str, _Style]:
    """Paragraph styles with inheritance resolved; cached, since a pack's styles never change."""
    if not blob:
        return {}
    root = etree.fromstring(blob, SAFE_PARSER)
    raw: dict[str, tuple[str | None, etree._Element]] = {}
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if style_id:
            based = style.find(f"{W}basedOn")
            raw[style_id] = (based.get(f"{W}val") if based is not None else None, style)

    resolved: dict[str, _Style] = {}

    def resolve(style_id: str, depth: int = 0) -> _Style:
        if style_id in resolved:
            return resolved[style_id]
        parent_id, element = raw[style_id]
        base = resolve(parent_id, depth + 1) if parent_id in raw and depth < 20 else _Style(None, 0, False, False)
        ppr = element.find(f"{W}pPr")
        align, indent = _paragraph_props(ppr)
        bold, italic = _run_props(element.find(f"{W}rPr"))
        numbered = _numbering(ppr)
        result = _Style(align or base.align, indent if indent is not None else base.indent,
                        base.bold if bold is None else bold, base.italic if italic is None else italic,
                        base.numbered if numbered is None else (numbered or None))
        resolved[style_id] = result
        return result

    for style_id in raw:
        resolve(style_id)
    return resolved


def _on(element: etree._Element | None) -> bool | None:
    if element is None:
        return None
    return element.get(f"{W}val", "true") not in ("0", "false", "none")


def _paragraph_props(ppr: etree._Element | None) -> tuple[str | None, int | None]:
    if ppr is None:
        return None, None
    jc = ppr.find(f"{W}jc")
    ind = ppr.find(f"{W}ind")
    indent = None
    if ind is not None:
        value = ind.get(f"{W}left") or ind.get(f"{W}start")
        if value and value.lstrip("-").isdigit():
            indent = max(0, int(value) // _TWIPS_PER_PX)
    return (_ALIGN.get(jc.get(f"{W}val", "")) if jc is not None else None), indent


def _numbering(ppr: etree._Element | None) -> str | None:
    """The numId a paragraph (or style) sets: None when it sets none, "" when it turns numbering off."""
    num = ppr.find(f"{W}numPr/{W}numId") if ppr is not None else None
    if num is None:
        return None
    value = num.get(f"{W}val", "0")
    return "" if value == "0" else value


def _run_props(rpr: etree._Element | None) -> tuple[bool | None, bool | None]:
    if rpr is None:
        return None, None
    return _on(rpr.find(f"{W}b")), _on(rpr.find(f"{W}i"))


def _runs(paragraph: etree._Element, style: _Style, styles: dict[str, _Style]) -> Iterator[tuple[str, str]]:
    """(html, text) for each run of a paragraph, hyperlinks included."""
    for run in paragraph.iter(f"{W}r"):
        rpr = run.find(f"{W}rPr")
        bold, italic = _run_props(rpr)
        character = rpr.find(f"{W}rStyle") if rpr is not None else None
        if character is not None and character.get(f"{W}val") in styles:
            by_style = styles[character.get(f"{W}val", "")]
            bold = by_style.bold if bold is None and by_style.bold else bold
            italic = by_style.italic if italic is None and by_style.italic else italic
        underline = _on(rpr.find(f"{W}u")) if rpr is not None else None
        pieces: list[str] = []
        texts: list[str] = []
        for child in run:
            if child.tag == f"{W}t":
                pieces.append(html.escape(child.text or ""))
                texts.append(child.text or "")
            elif child.tag == f"{W}tab":
                pieces.append("&emsp;")
                texts.append("\t")
            elif child.tag in (f"{W}br", f"{W}cr"):
                pieces.append("<br/>")
                texts.append("\n")
        markup = "".join(pieces)
        if not markup:
            continue
        if bold if bold is not None else style.bold:
            markup = f"<b>{markup}</b>"
        if italic if italic is not None else style.italic:
            markup = f"<i>{markup}</i>"
        if underline:
            markup = f"<u>{markup}</u>"
        yield markup, "".join(texts)


def _paragraph(paragraph: etree._Element, styles: dict[str, _Style], counters: dict[str, int]) -> tuple[str, str]:
    ppr = paragraph.find(f"{W}pPr")
    style_ref = ppr.find(f"{W}pStyle") if ppr is not None else None
    style = styles.get(style_ref.get(f"{W}val", "") if style_ref is not None else "Normal",
                       styles.get("Normal", _Style(None, 0, False, False)))
    align, indent = _paragraph_props(ppr)
    align = align or style.align
    indent = style.indent if indent is None else indent
    runs = list(_runs(paragraph, style, styles))
    direct = _numbering(ppr)
    numbering = style.numbered if direct is None else (direct or None)
    if numbering and runs:  # a Word numbered list: the number Word prints, counted in order
        counters[numbering] = counters.get(numbering, 0) + 1
        runs.insert(0, (f"{counters[numbering]}.&emsp;", f"{counters[numbering]}.\t"))
    css = []
    if align:
        css.append(f"text-align:{align}")
    if indent:
        css.append(f"margin-left:{indent}px")
    attr = f" style=\"{';'.join(css)}\"" if css else ""
    body = "".join(h for h, _ in runs) or "&nbsp;"
    return f"<p{attr}>{body}</p>", "".join(t for _, t in runs)


def _blocks(container: etree._Element, styles: dict[str, _Style],
            counters: dict[str, int] | None = None) -> Iterator[tuple[str, str]]:
    counters = {} if counters is None else counters
    for child in container:
        if child.tag == f"{W}p":
            yield _paragraph(child, styles, counters)
        elif child.tag == f"{W}tbl":
            rows_html, rows_text = [], []
            for row in child.iter(f"{W}tr"):
                cells = [list(_blocks(cell, styles, counters)) for cell in row.iter(f"{W}tc")]
                rows_html.append("<tr>" + "".join(
                    "<td valign='top'>" + "".join(h for h, _ in c) + "</td>" for c in cells) + "</tr>")
                rows_text.append("\t".join("\n".join(t for _, t in c) for c in cells))
            yield ("<table width='100%' cellspacing='0' cellpadding='2'>" + "".join(rows_html) + "</table>",
                   "\n".join(rows_text))
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content, styles, counters)


def _first_page_header(archive: zipfile.ZipFile, body: etree._Element) -> str | None:
    """The part name of the header page 1 shows (the first-page one when the section has it)."""
    sect = body.find(f"{W}sectPr")
    if sect is None:
        return None
    wanted = "first" if sect.find(f"{W}titlePg") is not None and _on(sect.find(f"{W}titlePg")) else "default"
    ref = next((h for h in sect.findall(f"{W}headerReference") if h.get(f"{W}type") == wanted), None)
    if ref is None:
        return None
    rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"), SAFE_PARSER)
    wanted_id = ref.get(R_ID, "")
    for rel in rels.iter(f"{PKG_RELS}Relationship"):
        if rel.get("Id") == wanted_id and rel.get("TargetMode", "Internal") == "Internal":
            target = rel.get("Target", "")
            return f"word/{target.lstrip('/')}" if target else None
    return None


def docx_preview(data: bytes, standing: str = "") -> Preview:
    """The rendered letter ``data`` (.docx bytes) as a :class:`Preview`; ``standing``, when given, is
    shown above it ("Approved version 2 by Judge …"): what the letter is, which the document of an
    approved letter does not say (its draft mark is left out), and no part of the document's text."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            styles = _styles(archive.read("word/styles.xml") if "word/styles.xml" in names else b"")
            document = etree.fromstring(archive.read("word/document.xml"), SAFE_PARSER)
            body = document.find(f"{W}body")
            if body is None:
                raise ValueError("the document has no body")
            header_name = _first_page_header(archive, body)
            header = (etree.fromstring(archive.read(header_name), SAFE_PARSER)
                      if header_name and header_name in names else None)
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TemplateProblem(f"the rendered letter cannot be read for the preview ({exc})") from None
    # Bold and a rule, no colour of its own: the text view follows the light or dark palette.
    parts: list[str] = [f"<p><b>{html.escape(standing)}</b></p><hr/>"] if standing else []
    header_texts: list[str] = []
    if header is not None:
        blocks = list(_blocks(header, styles))
        header_texts = [t for _, t in blocks]
        if any(t.strip() for t in header_texts):
            parts.append("<div class='letterhead'>" + "".join(h for h, _ in blocks) + "</div><hr/>")
    blocks = list(_blocks(body, styles))
    parts.extend(h for h, _ in blocks)
    page = f"<html><body>{''.join(parts)}</body></html>"
    return Preview(page, "\n".join(t for _, t in blocks), "\n".join(header_texts), standing)
