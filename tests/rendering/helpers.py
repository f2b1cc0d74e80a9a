"""Building template packs in a temporary folder for the rendering tests.

Two ways: ``docx_members`` makes a real document with python-docx (one paragraph per string,
so docxtpl tags land in paragraphs of their own), and ``zip_bytes``/``write_raw_docx`` write
zip members by hand, for the malformed and hostile packages python-docx would never produce.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import docx
import yaml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
DOCUMENT = "word/document.xml"
CONTENT_TYPES = "[Content_Types].xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_bytes(paragraphs: Iterable[str], header: Iterable[str] = ()) -> bytes:
    """A .docx made by python-docx with one paragraph per string (and a header, if given)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    lines = list(header)
    if lines:
        part = document.sections[0].header
        part.paragraphs[0].text = lines[0]
        for text in lines[1:]:
            part.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_members(paragraphs: Iterable[str]) -> dict[str, bytes]:
    """The zip members of a python-docx document with these paragraphs, in order."""
    return members_of(docx_bytes(paragraphs))


def zip_bytes(members: Mapping[str, bytes], *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return out.getvalue()


def write_manifest(folder: Path, pack_id: str = "hostile", fields: list[dict[str, Any]] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"id": pack_id, "name": pack_id.title(), "version": "1.0.0"}
    if fields:
        manifest["fields"] = fields
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")


def write_raw_docx(folder: Path, data: bytes, *, pack_id: str = "hostile",
                   fields: list[dict[str, Any]] | None = None) -> Path:
    """A pack whose letter.docx is exactly ``data`` (which need not be a zip at all)."""
    write_manifest(folder, pack_id, fields)
    (folder / "letter.docx").write_bytes(data)
    return folder


def make_pack(folder: Path, paragraphs: Iterable[str], *, pack_id: str = "hostile",
              fields: list[dict[str, Any]] | None = None, header: Iterable[str] = ()) -> Path:
    """A pack in ``folder`` whose letter.docx has one paragraph per string."""
    return write_raw_docx(folder, docx_bytes(paragraphs, header), pack_id=pack_id, fields=fields)


def make_pack_from_members(folder: Path, members: Mapping[str, bytes], *, pack_id: str = "hostile") -> Path:
    return write_raw_docx(folder, zip_bytes(members), pack_id=pack_id)


# --- editing the XML of a python-docx document --------------------------------------------------
def split_document(xml: bytes) -> tuple[bytes, bytes]:
    """The document.xml before and after the point where new paragraphs go (the body's end)."""
    at = xml.rindex(b"<w:sectPr")
    return xml[:at], xml[at:]


def paragraph_xml(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<w:p><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>'


def with_body_xml(members: Mapping[str, bytes], extra_xml: str) -> dict[str, bytes]:
    """``members`` with raw WordprocessingML inserted at the end of the body."""
    head, tail = split_document(members[DOCUMENT])
    return {**members, DOCUMENT: head + extra_xml.encode("utf-8") + tail}


def with_doctype(members: Mapping[str, bytes], doctype: str, entity_ref: str) -> dict[str, bytes]:
    """document.xml with ``doctype`` after the XML declaration and ``entity_ref`` in a paragraph."""
    xml = members[DOCUMENT]
    declaration_end = xml.index(b"?>") + 2
    head = xml[:declaration_end] + b"\n" + doctype.encode("utf-8") + xml[declaration_end:]
    body, tail = split_document(head)
    paragraph = f'<w:p><w:r><w:t xml:space="preserve">Re: {entity_ref}</w:t></w:r></w:p>'
    return {**members, DOCUMENT: body + paragraph.encode("utf-8") + tail}


def with_relationship(members: Mapping[str, bytes], rel_type: str, target: str, *,
                      external: bool = True, rels: str = DOCUMENT_RELS,
                      rel_id: str = "rIdHostile") -> dict[str, bytes]:
    mode = ' TargetMode="External"' if external else ""
    rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"{mode}/>'
    xml = members[rels].replace(b"</Relationships>", rel.encode("utf-8") + b"</Relationships>")
    return {**members, rels: xml}


def with_content_type(members: Mapping[str, bytes], old: str, new: str) -> dict[str, bytes]:
    return {**members, CONTENT_TYPES: members[CONTENT_TYPES].replace(old.encode(), new.encode())}


def with_override(members: Mapping[str, bytes], part: str, content_type: str) -> dict[str, bytes]:
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    xml = members[CONTENT_TYPES].replace(b"</Types>", override.encode("utf-8") + b"</Types>")
    return {**members, CONTENT_TYPES: xml}


# --- zip bombs and lying zips -----------------------------------------------------------------
def _zeros(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    block = bytes(chunk)
    while total > 0:
        yield block[:min(chunk, total)]
        total -= chunk


def bomb_docx(base: Mapping[str, bytes], member: str, unpacked: int) -> bytes:
    """``base`` plus ``member``: ``unpacked`` zero bytes, streamed through deflate level 9.

    200 MB of zeros packs to about 200 KB (a ratio near 1000:1) and takes about a second.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, blob in base.items():
            archive.writestr(name, blob)
        info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=unpacked > 0x7FFFFFFF) as stream:
            for block in _zeros(unpacked):
                stream.write(block)
    return out.getvalue()


def lying_zip(members: Mapping[str, bytes], liar: str, actual: bytes, declared_size: int) -> bytes:
    """A zip whose member ``liar`` holds ``actual`` but whose headers claim ``declared_size``.

    Written by hand (local header, data, central directory) so both headers tell the same lie,
    with the CRC of the real data; only reading past the declared size reveals the truth.
    """
    out = io.BytesIO()
    central: list[bytes] = []
    for name, blob in {**members, liar: actual}.items():
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = compressor.compress(blob) + compressor.flush()
        size = declared_size if name == liar else len(blob)
        encoded = name.encode("utf-8")
        offset = out.tell()
        crc = zlib.crc32(blob)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                              len(encoded), 0))
        out.write(encoded)
        out.write(packed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                                   len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


# --- reading a rendered document back -----------------------------------------------------------
_PARAGRAPH = re.compile(r"<w:p[ >]")


def body_paragraph_texts(data: bytes) -> list[str]:
    """The text of each body paragraph as python-docx reads it: w:t text, w:br as "\\n", w:tab as "\\t".

    A fast reader (lxml over word/document.xml) for tests that render thousands of letters.
    """
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read(DOCUMENT))
    texts: list[str] = []
    for paragraph in root.iter(f"{W}p"):
        parts: list[str] = []
        for element in paragraph.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab"):
            if element.tag == f"{W}t":
                parts.append(element.text or "")
            elif element.tag == f"{W}tab":
                parts.append("\t")
            elif element.get(f"{W}type") in (None, "textWrapping"):
                parts.append("\n")
        texts.append("".join(parts))
    return texts
