"""Sealing an approved letter: a content hash, and who approved it in the .docx's custom properties.

The hash covers every part of the package in a fixed (sorted) order except the document
properties (``docProps/*``), so the properties can carry the hash itself, and a file whose
title or author was edited still proves its text. Any change to the letter's words, layout,
images or relationships changes the hash.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from xml.sax.saxutils import escape

from lxml import etree

from app.core.errors import TemplateProblem
from app.rendering.package import SAFE_PARSER, read_members

CUSTOM = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROPS_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _members(docx: bytes) -> dict[str, bytes]:
    return read_members(docx, "the document")


def content_hash(docx: bytes) -> str:
    """SHA-256 over the package's parts (names and bytes, sorted), document properties excluded."""
    digest = hashlib.sha256()
    for name, blob in sorted(_members(docx).items()):
        if name.startswith("docProps/"):
            continue
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big") + encoded + len(blob).to_bytes(8, "big"))
        digest.update(blob)
    return digest.hexdigest()


def _custom_xml(properties: dict[str, str]) -> bytes:
    items = []
    for pid, (name, value) in enumerate(properties.items(), start=2):
        items.append(f'<property fmtid="{PROPS_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
                     f"<vt:lpwstr>{escape(str(value))}</vt:lpwstr></property>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{"".join(items)}</Properties>').encode()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
    return out.getvalue()


def add_custom_properties(docx: bytes, properties: dict[str, str]) -> bytes:
    """``docx`` with ``docProps/custom.xml`` holding ``properties`` (replacing any there).

    The content types and package relationships gain their entries only when missing, so
    sealing twice gives the same content hash as sealing once.
    """
    members = _members(docx)
    members[CUSTOM] = _custom_xml(properties)
    types = members["[Content_Types].xml"].decode("utf-8")
    if f'PartName="/{CUSTOM}"' not in types:
        types = types.replace("</Types>", f'<Override PartName="/{CUSTOM}" ContentType="{CUSTOM_TYPE}"/></Types>')
        members["[Content_Types].xml"] = types.encode("utf-8")
    rels = members.get("_rels/.rels", b"").decode("utf-8")
    if CUSTOM_REL not in rels:
        rel = f'<Relationship Id="rIdChambersCustom" Type="{CUSTOM_REL}" Target="{CUSTOM}"/>'
        members["_rels/.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
    return _zip(members)


def custom_properties(docx: bytes) -> dict[str, str]:
    """The custom properties of a .docx; empty when it has none or is not a Word file."""
    try:
        members = _members(docx)
    except TemplateProblem:
        return {}
    blob = members.get(CUSTOM)
    if not blob:
        return {}
    try:
        root = etree.fromstring(blob, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return {}
    found: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        name = prop.get("name")
        if name:
            found[name] = "".join(str(t) for t in prop.itertext())
    return found


def document_text(docx: bytes) -> list[str]:
    """The paragraphs of the main document as plain text, for diffs and checks."""
    members = _members(docx)
    root = etree.fromstring(members["word/document.xml"], SAFE_PARSER)
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br"):
            if node.tag == f"{W}t":
                parts.append(node.text or "")
            else:
                parts.append("\t" if node.tag == f"{W}tab" else "\n")
        text = "".join(parts).strip()
        if text:
            paragraphs.append(text)
    return paragraphs


def is_docx(data: bytes) -> bool:
    try:
        return "word/document.xml" in _members(data)
    except TemplateProblem:
        return False
