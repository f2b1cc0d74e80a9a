"""Sealing an approved letter: a content hash over the whole package, kept in the package itself.

What the hash covers (``content_hash``, scheme ``chambers-seal-2``):

* every member of the zip, in the order the archive lists them: its name and its bytes, so
  adding, removing, renaming or reordering a part changes the hash, as does any byte of any
  part: the main document, headers, styles, ``[Content_Types].xml``, every ``_rels`` part,
  media, and every ``docProps/*`` part (a DOCPROPERTY or TITLE field prints them);
* ``docProps/custom.xml`` in one canonical form: the seal writes it as an XML declaration and
  the part's canonical XML (C14N 1.0). When the part is in exactly that form, the hash takes
  it without the one property the seal cannot hash, ``Chambers.ContentSHA256`` (the hash
  itself); every other custom property, Chambers' own included, is covered. A custom part in
  any other form is hashed as raw bytes, so no byte of it goes unnoticed either way.

Not covered: the zip container's own bookkeeping (timestamps, compression, comments), which
no word processor prints. A package with two members of one name, or names equal but for
case (Word would pick one of them), has no hash: ``SealProblem``.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from lxml import etree

from app.core.errors import ChambersError, TemplateProblem
from app.rendering.package import SAFE_PARSER, read_members

SCHEME = b"chambers-seal-2\x00"
SEAL_PREFIX = "Chambers."
HASH_PROPERTY = "Chambers.ContentSHA256"
CUSTOM = "docProps/custom.xml"
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
PROPS_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The default namespace is keyed by None, which lxml accepts and its stubs do not.
_CUSTOM_NSMAP: Any = {None: CUSTOM_NS, "vt": VT_NS}
_RELS_NSMAP: Any = {None: RELS_NS}


class SealProblem(ChambersError):
    """A package that cannot be sealed or whose seal cannot be checked; says which part and why."""


def _members(docx: bytes) -> dict[str, bytes]:
    """The parts, read with the package checks; a package they refuse (a part twice, a bad
    name, a bomb) cannot be proved to be anything, which is a ``SealProblem``."""
    try:
        return read_members(docx, "the document")
    except TemplateProblem as exc:
        raise SealProblem(str(exc)) from None


def _claimed_custom_xml(docx: bytes) -> bytes | None:
    """The first docProps/custom.xml of a zip the package checks refuse, to learn only which
    letter the file claims to be (never to prove it): small reads, zip errors mean no claim."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            info = next((i for i in archive.infolist() if i.filename == CUSTOM), None)
            if info is None or info.file_size > 1 << 20:
                return None
            with archive.open(info) as stream:
                return stream.read(1 << 20)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        return None


def _ordered_members(docx: bytes) -> list[tuple[str, bytes]]:
    """The members in archive order; ``SealProblem`` when two of them share a name."""
    members = _members(docx)
    names = zipfile.ZipFile(io.BytesIO(docx)).namelist()
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key in seen:
            same = "twice" if seen[key] == name else f"twice ({seen[key]} and {name})"
            raise SealProblem(f"the package holds the part {name} {same}; a word processor shows only one "
                              "of them, so the file cannot be proved to be the letter approved")
        seen[key] = name
    return [(name, members[name]) for name in names]


def _canonical(root: etree._Element) -> bytes:
    return DECLARATION + etree.tostring(root, method="c14n")


def _parse(blob: bytes, part: str) -> etree._Element:
    try:
        return etree.fromstring(blob, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SealProblem(f"{part}: not well-formed XML ({exc.msg})") from None


def _custom_for_hash(blob: bytes) -> bytes:
    """``docProps/custom.xml`` as hashed: canonical and without the hash property, else raw."""
    try:
        root = etree.fromstring(blob, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return blob
    if _canonical(root) != blob:
        return blob
    props = list(root)
    # Only the seal's own form is left out: one hash property, the last one, with no text
    # around it. Two of them, or one elsewhere, are hashed like any other property.
    hashes = [p for p in props if p.tag == f"{{{CUSTOM_NS}}}property" and p.get("name") == HASH_PROPERTY]
    if len(hashes) == 1 and props[-1] is hashes[0] and not hashes[0].tail:
        root.remove(hashes[0])
    return b"custom-canonical\x00" + _canonical(root)


def content_hash(docx: bytes) -> str:
    """SHA-256 over every part of the package, the seal's own hash property left out (see above)."""
    digest = hashlib.sha256(SCHEME)
    members = _ordered_members(docx)
    digest.update(len(members).to_bytes(4, "big"))
    for name, blob in members:
        if name == CUSTOM:
            blob = _custom_for_hash(blob)
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big") + encoded + len(blob).to_bytes(8, "big"))
        digest.update(blob)
    return digest.hexdigest()


def legacy_content_hash(docx: bytes) -> str:
    """The first scheme's hash (sorted parts, ``docProps/*`` left out), kept for approvals made
    with it. It proves nothing about the document properties: a file matching it is checked
    part by part against the approved bytes instead (``same_package``)."""
    digest = hashlib.sha256()
    for name, blob in sorted(_members(docx).items()):
        if name.startswith("docProps/"):
            continue
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big") + encoded + len(blob).to_bytes(8, "big"))
        digest.update(blob)
    return digest.hexdigest()


def same_package(first: bytes, second: bytes) -> bool:
    """Whether two packages hold the same parts, in the same order, byte for byte."""
    try:
        return _ordered_members(first) == _ordered_members(second)
    except (SealProblem, TemplateProblem):
        return False


def _property(pid: int, name: str, value: str) -> etree._Element:
    prop = etree.Element(f"{{{CUSTOM_NS}}}property", nsmap=_CUSTOM_NSMAP)
    prop.set("fmtid", PROPS_FMTID)
    prop.set("pid", str(pid))
    prop.set("name", name)
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return prop


def _custom_xml(existing: bytes | None, properties: dict[str, str]) -> bytes:
    """The custom part: the package's own properties kept, every ``Chambers.*`` one replaced."""
    if existing:
        root = _parse(existing, CUSTOM)
        if root.tag != f"{{{CUSTOM_NS}}}Properties":
            raise SealProblem(f"{CUSTOM}: the root element is {root.tag}, not the custom properties")
        for prop in root.findall(f"{{{CUSTOM_NS}}}property"):
            if (prop.get("name") or "").startswith(SEAL_PREFIX):
                root.remove(prop)
    else:
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap=_CUSTOM_NSMAP)
    kept = root.findall(f"{{{CUSTOM_NS}}}property")
    for pid, prop in enumerate(kept, start=2):
        prop.set("pid", str(pid))
    # The hash property goes last, so adding it leaves every other property's pid as it was.
    ordered = sorted(properties.items(), key=lambda item: item[0] == HASH_PROPERTY)
    for pid, (name, value) in enumerate(ordered, start=2 + len(kept)):
        if not name.startswith(SEAL_PREFIX):
            raise SealProblem(f"the seal writes only {SEAL_PREFIX}* properties, not {name!r}")
        root.append(_property(pid, name, str(value)))
    return _canonical(root)


def _with_custom_type(blob: bytes) -> bytes | None:
    """``[Content_Types].xml`` declaring the custom part, or None when it already does."""
    root = _parse(blob, CONTENT_TYPES)
    for override in root.iter(f"{{{TYPES_NS}}}Override"):
        if (override.get("PartName") or "").casefold() == f"/{CUSTOM}".casefold():
            if override.get("ContentType") != CUSTOM_TYPE:
                raise SealProblem(f"{CONTENT_TYPES}: /{CUSTOM} is declared as {override.get('ContentType')!r}, "
                                  "not as custom properties")
            return None
    override = etree.SubElement(root, f"{{{TYPES_NS}}}Override")
    override.set("PartName", f"/{CUSTOM}")
    override.set("ContentType", CUSTOM_TYPE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_custom_relationship(blob: bytes | None) -> bytes | None:
    """``_rels/.rels`` pointing at the custom part, or None when it already does."""
    root = _parse(blob, PACKAGE_RELS) if blob else etree.Element(f"{{{RELS_NS}}}Relationships",
                                                                 nsmap=_RELS_NSMAP)
    ids = set()
    for rel in root.iter(f"{{{RELS_NS}}}Relationship"):
        ids.add(rel.get("Id"))
        if rel.get("Type") == CUSTOM_REL:
            target = (rel.get("Target") or "").lstrip("/")
            if target != CUSTOM or rel.get("TargetMode", "Internal") != "Internal":
                raise SealProblem(f"{PACKAGE_RELS}: the custom properties are in {rel.get('Target')!r}; "
                                  f"the seal is kept in {CUSTOM}")
            return None
    rel_id = "rIdChambersCustom"
    while rel_id in ids:
        rel_id += "X"
    rel = etree.SubElement(root, f"{{{RELS_NS}}}Relationship")
    rel.set("Id", rel_id)
    rel.set("Type", CUSTOM_REL)
    rel.set("Target", CUSTOM)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def zip_package(members: list[tuple[str, bytes]]) -> bytes:
    """A .docx of ``members`` in the given order, deflated, with fixed timestamps (same parts, same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
    return out.getvalue()


def add_custom_properties(docx: bytes, properties: dict[str, str]) -> bytes:
    """``docx`` whose ``docProps/custom.xml`` holds ``properties`` in place of any ``Chambers.*`` ones.

    The part order is kept (a new custom part goes last); the content types and package
    relationships are parsed and gain their entries only when missing, so sealing a sealed
    file again with the same properties gives the same bytes.
    """
    members = _ordered_members(docx)
    found = dict(members)
    if CONTENT_TYPES not in found:
        raise SealProblem(f"the package has no {CONTENT_TYPES}")
    changed = {CUSTOM: _custom_xml(found.get(CUSTOM), properties)}
    types = _with_custom_type(found[CONTENT_TYPES])
    if types is not None:
        changed[CONTENT_TYPES] = types
    rels = _with_custom_relationship(found.get(PACKAGE_RELS))
    if rels is not None:
        changed[PACKAGE_RELS] = rels
    out = [(name, changed.pop(name, blob)) for name, blob in members]
    out.extend(changed.items())
    return zip_package(out)


def seal(docx: bytes, properties: dict[str, str]) -> tuple[bytes, str]:
    """``docx`` with the seal ``properties`` and its own hash; returns (sealed bytes, hash).

    The hash is taken with every other property already in place, then written as the last
    property: by construction ``content_hash(sealed) == hash``.
    """
    unsealed = add_custom_properties(docx, {k: v for k, v in properties.items() if k != HASH_PROPERTY})
    digest = content_hash(unsealed)
    sealed = add_custom_properties(unsealed, {**properties, HASH_PROPERTY: digest})
    if content_hash(sealed) != digest:  # the scheme's promise, checked on every seal
        raise SealProblem("the seal changed the content it seals; the letter was not sealed")
    return sealed, digest


def custom_properties(docx: bytes) -> dict[str, str]:
    """The custom properties of a .docx; empty when it has none or is not a Word file."""
    try:
        blob = _members(docx).get(CUSTOM)
    except SealProblem:
        blob = _claimed_custom_xml(docx)
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


def member(docx: bytes, name: str) -> bytes | None:
    """One part of a .docx we wrote ourselves (an approved letter), or None."""
    return _members(docx).get(name)


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
    """Whether ``data`` is a zip with a Word main part (checked or not: a damaged or doctored
    letter is still a Word document, to be reported as modified rather than foreign)."""
    try:
        return "word/document.xml" in _members(data)
    except SealProblem:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return any(name.casefold() == "word/document.xml" for name in archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
