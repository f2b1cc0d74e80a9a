"""Redlines: the changes between two versions of a letter as Word's own tracked changes.

The newer version is rendered as usual; its body then carries, as ``w:ins`` and ``w:del``, what
changed since the older one, so Word and LibreOffice open it in review mode and a judge can
accept or reject each change. Accepting every change gives the newer version's text; rejecting
every change gives the older one's.

Each change carries the author and date of the version that made it: paragraphs are followed
through every version in between, and a changed, added or removed paragraph is attributed to
the version that last changed (or removed) it. Inside a changed paragraph the change is marked
word by word.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from dataclasses import dataclass

from lxml import etree

from app.core.errors import TemplateProblem
from app.rendering.package import SAFE_PARSER, read_members
from app.rendering.seal import zip_package

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Revision:
    """One version of the letter, rendered: its number, who saved it and when."""

    number: int
    author: str
    at: dt.datetime
    docx: bytes


@dataclass(frozen=True)
class _Paragraph:
    element: etree._Element
    text: str


def _body(docx: bytes) -> tuple[dict[str, bytes], etree._Element, etree._Element]:
    members = read_members(docx, "the letter")
    try:
        root = etree.fromstring(members["word/document.xml"], SAFE_PARSER)
    except (KeyError, etree.XMLSyntaxError) as exc:
        raise TemplateProblem(f"the letter cannot be read for a redline ({exc})") from None
    body = root.find(f"{W}body")
    if body is None:
        raise TemplateProblem("the letter has no body")
    return members, root, body


def _text(paragraph: etree._Element) -> str:
    parts = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br"):
        parts.append(node.text or "" if node.tag == f"{W}t" else ("\t" if node.tag == f"{W}tab" else "\n"))
    return "".join(parts)


def _paragraphs(body: etree._Element) -> list[_Paragraph]:
    return [_Paragraph(p, _text(p)) for p in body if p.tag == f"{W}p"]


def _align(old: list[str], new: list[str]) -> dict[int, int]:
    """new index -> old index for paragraphs that are the same paragraph (equal or edited)."""
    matched: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal" or tag == "replace":
            for k in range(min(i2 - i1, j2 - j1)):
                matched[j1 + k] = i1 + k
    return matched


def _attribution(revisions: list[Revision]) -> tuple[list[int], list[int]]:
    """For the newest version's paragraphs, the revision index that last changed each one, and
    for the oldest version's paragraphs, the revision index that removed (or last changed) it."""
    texts = [[p.text for p in _paragraphs(_body(r.docx)[2])] for r in revisions]
    # forward: follow each paragraph of the newest back to where it was last different
    last_changed = [len(revisions) - 1] * len(texts[-1])
    for j in range(len(texts[-1])):
        index, k = j, len(revisions) - 1
        while k > 0:
            previous = _align(texts[k - 1], texts[k]).get(index)
            if previous is None or texts[k - 1][previous] != texts[k][index]:
                break
            index, k = previous, k - 1
        last_changed[j] = k
    # backward: follow each paragraph of the oldest forward to where it stops being itself
    removed_by = [len(revisions) - 1] * len(texts[0])
    for i in range(len(texts[0])):
        index = i
        for k in range(1, len(revisions)):
            forward = {old: new for new, old in _align(texts[k - 1], texts[k]).items()}
            following = forward.get(index)
            if following is None or texts[k][following] != texts[k - 1][index]:
                removed_by[i] = k
                break
            index = following
    return last_changed, removed_by


class _Marks:
    def __init__(self) -> None:
        self.next_id = 1

    def mark(self, tag: str, revision: Revision) -> etree._Element:
        element = etree.Element(f"{W}{tag}")
        element.set(f"{W}id", str(self.next_id))
        element.set(f"{W}author", revision.author)
        element.set(f"{W}date", revision.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.next_id += 1
        return element


def _run_props(paragraph: etree._Element) -> etree._Element | None:
    """The formatting of the paragraph's main text run (the longest one)."""
    runs = [r for r in paragraph.iter(f"{W}r") if r.find(f"{W}t") is not None]
    if not runs:
        return None
    longest = max(runs, key=lambda r: len("".join(t.text or "" for t in r.iter(f"{W}t"))))
    props = longest.find(f"{W}rPr")
    return copy.deepcopy(props) if props is not None else None


def _text_runs(text: str, props: etree._Element | None, deleted: bool) -> list[etree._Element]:
    """Runs holding ``text``, tabs and line breaks as Word elements; deleted text as delText."""
    runs = []
    for piece in re.split(r"(\t|\n)", text):
        if not piece:
            continue
        run = etree.Element(f"{W}r")
        if props is not None:
            run.append(copy.deepcopy(props))
        if piece == "\t":
            etree.SubElement(run, f"{W}tab")
        elif piece == "\n":
            etree.SubElement(run, f"{W}br")
        else:
            node = etree.SubElement(run, f"{W}delText" if deleted else f"{W}t")
            node.text = piece
            node.set(XML_SPACE, "preserve")
        runs.append(run)
    return runs


def _mark_paragraph(paragraph: etree._Element, tag: str, revision: Revision, marks: _Marks) -> etree._Element:
    """A whole paragraph inserted or deleted: its runs and its paragraph mark."""
    result = copy.deepcopy(paragraph)
    ppr = result.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        result.insert(0, ppr)
    rpr = ppr.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.SubElement(ppr, f"{W}rPr")
    rpr.append(marks.mark(tag, revision))
    for run in [r for r in result if r.tag == f"{W}r"]:
        wrapper = marks.mark(tag, revision)
        run.addprevious(wrapper)
        wrapper.append(run)
        if tag == "del":
            for t in run.iter(f"{W}t"):
                t.tag = f"{W}delText"
    return result


def _edited_paragraph(old: _Paragraph, new: _Paragraph, revision: Revision, marks: _Marks) -> etree._Element:
    """The newer paragraph with its words marked against the older one."""
    result = etree.Element(f"{W}p")
    ppr = new.element.find(f"{W}pPr")
    if ppr is not None:
        result.append(copy.deepcopy(ppr))
    new_props, old_props = _run_props(new.element), _run_props(old.element)
    before, after = _TOKEN.findall(old.text), _TOKEN.findall(new.text)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            wrapper = marks.mark("del", revision)
            wrapper.extend(_text_runs("".join(before[i1:i2]), old_props, deleted=True))
            result.append(wrapper)
        if tag in ("insert", "replace"):
            wrapper = marks.mark("ins", revision)
            wrapper.extend(_text_runs("".join(after[j1:j2]), new_props, deleted=False))
            result.append(wrapper)
        if tag == "equal":
            result.extend(_text_runs("".join(after[j1:j2]), new_props, deleted=False))
    return result


def redline(revisions: list[Revision]) -> bytes:
    """The newest of ``revisions`` as a .docx whose tracked changes lead from the oldest to it."""
    if len(revisions) < 2:
        raise ValueError("a redline needs two versions")
    last_changed, removed_by = _attribution(revisions)
    members, root, body = _body(revisions[-1].docx)
    old = _paragraphs(_body(revisions[0].docx)[2])
    new = _paragraphs(body)
    marks = _Marks()
    out: list[etree._Element] = []
    matcher = difflib.SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(new[j].element for j in range(j1, j2))
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            out.append(_edited_paragraph(old[i1 + k], new[j1 + k], revisions[last_changed[j1 + k]], marks))
        for i in range(i1 + paired, i2):
            out.append(_mark_paragraph(old[i].element, "del", revisions[removed_by[i]], marks))
        for j in range(j1 + paired, j2):
            out.append(_mark_paragraph(new[j].element, "ins", revisions[last_changed[j]], marks))
    section = body.find(f"{W}sectPr")
    for child in list(body):
        body.remove(child)
    body.extend(out)
    if section is not None:
        body.append(section)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if "word/settings.xml" in members:
        members["word/settings.xml"] = _tracking_on(members["word/settings.xml"])
    return zip_package(list(members.items()))


def _tracking_on(settings_xml: bytes) -> bytes:
    """Settings with Track Changes on, so the judge's own edits to the redline are tracked too."""
    root = etree.fromstring(settings_xml, SAFE_PARSER)
    if root.find(f"{W}trackRevisions") is None:
        track = etree.Element(f"{W}trackRevisions")
        # The schema orders settings; trackRevisions comes early, after zoom and a few view flags.
        zoom = root.find(f"{W}zoom")
        if zoom is not None:
            zoom.addnext(track)
        else:
            root.insert(0, track)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
