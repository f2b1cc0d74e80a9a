"""Advice for a pack author: where a paragraph is formatted by hand where a style belongs.

A clerk who opens an exported letter in Word edits it through its styles (the Styles pane,
Home > Numbering); a letter whose paragraphs are "Normal" with spacing, indents, alignment and
fonts set one by one, or spaced with blank paragraphs, is hard to edit and drifts from the
court's look. ``templates check`` reports this as advice: the pack is still sound.

Keep-with-next and keep-lines-together are not counted: pagination is set per paragraph by
design (the last body paragraph keeps with the signature), and Word itself does so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from app.rendering.package import SAFE_PARSER, TEMPLATE_PART

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Paragraph properties that belong in a style; keepNext/keepLines/pStyle/numPr/rPr/sectPr do not count.
_PARAGRAPH_DIRECT = {f"{W}spacing": "spacing", f"{W}ind": "indents", f"{W}jc": "alignment",
                     f"{W}pBdr": "borders", f"{W}shd": "shading", f"{W}tabs": "tab stops"}
_RUN_DIRECT = {f"{W}b": "bold", f"{W}i": "italic", f"{W}sz": "font size", f"{W}color": "colour",
               f"{W}rFonts": "fonts", f"{W}u": "underline", f"{W}smallCaps": "small capitals",
               f"{W}caps": "capitals", f"{W}spacing": "letter spacing"}


@dataclass
class _Tally:
    count: int = 0
    kinds: set[str] = field(default_factory=set)
    first: tuple[str, int, str] | None = None

    def add(self, part: str, number: int, text: str, kinds: set[str]) -> None:
        self.count += 1
        self.kinds |= kinds
        if self.first is None:
            self.first = (part, number, text)


def _text(paragraph: etree._Element) -> str:
    text = "".join(t.text or "" for t in paragraph.iter(f"{W}t")).strip()
    return text if len(text) <= 40 else text[:37] + "..."


def _is_control(text: str) -> bool:
    return text.startswith("{%") and text.endswith("%}")


def style_advice(members: dict[str, bytes]) -> list[str]:
    """Sentences for the pack's author; empty when every block is formatted by its style."""
    paragraphs_direct, runs_direct, blank = _Tally(), _Tally(), _Tally()
    for part in sorted(name for name in members if TEMPLATE_PART.fullmatch(name)):
        try:
            root = etree.fromstring(members[part], SAFE_PARSER)
        except etree.XMLSyntaxError:
            continue  # the package check reports it
        for number, paragraph in enumerate(root.iter(f"{W}p"), start=1):
            text = _text(paragraph)
            if _is_control(text):
                continue  # a {%p %} tag paragraph: docxtpl removes it
            ppr = paragraph.find(f"{W}pPr")
            kinds = {_PARAGRAPH_DIRECT[c.tag] for c in ppr if c.tag in _PARAGRAPH_DIRECT} if ppr is not None else set()
            if kinds:
                paragraphs_direct.add(part, number, text, kinds)
            run_kinds: set[str] = set()
            for rpr in paragraph.iter(f"{W}rPr"):
                if rpr.getparent() is not None and rpr.getparent().tag == f"{W}r":
                    run_kinds |= {_RUN_DIRECT[c.tag] for c in rpr if c.tag in _RUN_DIRECT}
            if run_kinds:
                runs_direct.add(part, number, text, run_kinds)
            has_content = next(paragraph.iter(f"{W}t", f"{W}drawing", f"{W}pict", f"{W}fldChar",
                                              f"{W}fldSimple", f"{W}tab"), None) is not None
            if not has_content and paragraph.getparent() is not None and paragraph.getparent().tag == f"{W}body":
                blank.add(part, number, "", set())
    advice = []
    for tally, what, fix in (
        (paragraphs_direct, "paragraph(s) set their {kinds} by hand",
         "give each block a paragraph style (Body Text, Inside Address, Signature Name, ...) instead"),
        (runs_direct, "paragraph(s) have text formatted by hand ({kinds})",
         "use a character style, or the paragraph style's own font"),
        (blank, "empty paragraph(s) used as spacing",
         "set space before/after in the styles instead"),
    ):
        if tally.count and tally.first is not None:
            part, number, text = tally.first
            where = f"first: {part}, paragraph {number}" + (f" ({text!r})" if text else "")
            advice.append(f"{tally.count} {what.format(kinds=', '.join(sorted(tally.kinds)))} ({where}); {fix}")
    return advice
