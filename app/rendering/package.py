"""Reading a .docx (a zip of XML parts) without trusting it.

Bounds are checked on the zip's directory *and* while reading, since a zip can lie about its
sizes. Every decision is taken on parsed structures, never on the text of the XML: each part
is parsed by lxml with entity resolution, DTD loading, network access and huge trees off, and
under a size and an element budget; the relationships are read as XML and followed from the
package root, so a part no relationship reaches (a hidden second letter) is refused, as is any
relationship to the outside; fields are read from ``w:instrText`` joined across runs and from
``w:fldSimple``, and only an allow-list of field kinds passes. Every check is one pass over its
part, so a check's cost grows with the size of the package and nothing else.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from app.core.errors import TemplateProblem

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024       # the .docx file itself
MAX_MEMBERS = 500
MAX_UNPACKED_BYTES = 60 * 1024 * 1024       # all members once unpacked
MAX_RATIO = 200                             # unpacked / packed, for members over 1 MB
MAX_XML_PART_BYTES = 8 * 1024 * 1024        # one XML part; Word's largest (styles) is well under 1 MB
MAX_XML_ELEMENTS = 400_000                  # one XML part; a 40-page letter has about 20,000
MAX_XML_TOTAL_ELEMENTS = 1_000_000          # all XML parts together
MAX_RELATIONSHIPS = 1_000                   # in one relationships part, or content types; a letter has ~20
MAX_FINDINGS_PER_PART = 25                  # then a count: a hostile part can hold 100,000 bad fields
# The parts the engine compiles (those with tags): docxtpl's patching costs about 0.5 s a MB of
# them, and the check of any pack under 1 MB must finish in 2 s. The flagship's is 5 KB.
MAX_TEMPLATE_XML_BYTES = 1024 * 1024

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_R_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
O_NS = "urn:schemas-microsoft-com:office:office"
V_NS = "urn:schemas-microsoft-com:vml"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
MAIN_PART = "word/document.xml"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MAIN_TYPES = frozenset({WORD_MAIN, TEMPLATE_MAIN})
MACRO_MARKS = ("macroenabled", "vbaproject", "vbadata")
# The parts the engine renders as templates; their names are what the preview reads, so a
# header must be called word/headerN.xml for the check, the preview and Word to agree on it.
TEMPLATE_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_TEMPLATED_TYPES = {
    "document": MAIN_TYPES,
    "header": frozenset({_WML + "header+xml"}),
    "footer": frozenset({_WML + "footer+xml"}),
    "footnotes": frozenset({_WML + "footnotes+xml"}),
    "endnotes": frozenset({_WML + "endnotes+xml"}),
}
IMAGE_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/jpg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/bmp": (b"BM",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/x-wmf": (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00"),
    "image/x-emf": (b"\x01\x00\x00\x00",),
}
XML_TYPES = frozenset({
    _WML + "styles+xml", _WML + "settings+xml", _WML + "webSettings+xml", _WML + "fontTable+xml",
    _WML + "numbering+xml", _WML + "people+xml",
    "application/vnd.ms-word.stylesWithEffects+xml",
    "application/vnd.openxmlformats-officedocument.theme+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
    "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
    "application/vnd.openxmlformats-package.relationships+xml",
    "application/vnd.ms-office.classificationlabels+xml",
    "application/xml", "text/xml",
}) | MAIN_TYPES | frozenset().union(*_TEMPLATED_TYPES.values())
FONT_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.obfuscatedFont"})
ALLOWED_TYPES = XML_TYPES | FONT_TYPES | frozenset(IMAGE_TYPES)

_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
OFFICE_DOCUMENT = _RT + "officeDocument"
HYPERLINK = _RT + "hyperlink"
ALLOWED_RELATIONSHIPS = frozenset({
    OFFICE_DOCUMENT, _PKG + "core-properties", _RT + "metadata/core-properties", _PKG + "thumbnail",
    _RT + "extended-properties", _RT + "custom-properties",
    _RT + "styles", _RT + "settings", _RT + "webSettings", _RT + "fontTable", _RT + "numbering",
    _RT + "header", _RT + "footer", _RT + "footnotes", _RT + "endnotes", _RT + "theme", _RT + "image",
    HYPERLINK, _RT + "customXml", _RT + "customXmlProps", _RT + "font",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.microsoft.com/office/2011/relationships/people",
    "http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels",
})
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# Field kinds that show something of the document itself; anything else (INCLUDETEXT,
# INCLUDEPICTURE, LINK, DDE, DDEAUTO, IMPORT, DATABASE, INCLUDE, MACROBUTTON, FILLIN, ...) can
# pull in outside content, run something or ask the reader, and is refused whatever its case.
# DATE, TIME and PRINTDATE are refused too: they print the day the letter is opened or printed,
# not the letter's own date, so what leaves the court would differ from what was approved.
ALLOWED_FIELDS = frozenset({
    "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "CREATEDATE", "SAVEDATE", "REF", "PAGEREF",
    "NOTEREF", "STYLEREF", "SEQ", "TOC", "TC", "XE", "INDEX",
    "SYMBOL", "MERGEFIELD", "FORMTEXT", "FORMCHECKBOX", "FORMDROPDOWN", "HYPERLINK", "AUTHOR",
    "TITLE", "SUBJECT", "KEYWORDS", "COMMENTS", "DOCPROPERTY", "NUMWORDS", "NUMCHARS", "LISTNUM",
    "AUTONUM", "AUTONUMLGL", "AUTONUMOUT", "ADVANCE", "EQ", "QUOTE", "IF", "COMPARE", "=",
})
TRACKED = frozenset(W + t for t in (
    "ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
    "trPrChange", "tcPrChange", "tblGridChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
    "moveFromRangeStart", "moveToRangeStart", "customXmlInsRangeStart", "customXmlDelRangeStart",
))
COMMENT_MARKS = frozenset({W + "commentReference", W + "commentRangeStart", W + "commentRangeEnd"})
OBJECTS = {
    W + "altChunk": "pulls in another document (altChunk)",
    W + "subDoc": "pulls in a subdocument",
    W + "object": "holds an embedded or linked object (OLE)",
    f"{{{O_NS}}}OLEObject": "holds an embedded or linked object (OLE)",
    W + "control": "holds an ActiveX control",
    W + "mailMerge": "is set up for a mail merge from an outside data source",
    W + "frameset": "shows other documents in frames",
    W + "attachedTemplate": "attaches another template",
}
DELIMITERS = ("{{", "{%", "{#", "}}", "%}", "#}")
_PAIRS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_DELIMITER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")  # over extracted text only, never XML

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_blank_text=False,
)
_CLEAN_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_comments=True, remove_pis=True,
)


@dataclass(frozen=True)
class DocxFinding:
    """A problem in one part of a .docx, at a paragraph when it lies in one."""

    part: str
    message: str
    paragraph: int | None = None
    text: str = ""

    def __str__(self) -> str:
        where = self.part
        if self.paragraph is not None:
            where += f", paragraph {self.paragraph}"
            if self.text:
                snippet = self.text if len(self.text) <= 60 else self.text[:57] + "..."
                where += f" (\u201c{snippet}\u201d)"
        return f"{where}: {self.message}"


@dataclass
class Inspection:
    """What checking a package found, and the members to render from.

    ``members`` are the package's parts with XML comments and processing instructions taken
    out (nothing Word prints lives there, and what is refused or dropped at load can never be
    copied into a letter); ``paragraphs`` holds, for each template part, the text of each
    paragraph (index 0: text before the first paragraph), for the compile step's messages.
    """

    members: dict[str, bytes]
    findings: list[DocxFinding] = field(default_factory=list)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    # (part that shows it, relationship id, image part) for every picture the relationships reach:
    # how the renderer finds the seal without reading the XML as text.
    images: list[tuple[str, str, str]] = field(default_factory=list)


def _show(name: str) -> str:
    return repr(name) if any(not c.isprintable() for c in name) else name


def _name_problem(raw: str) -> str | None:
    """Why a zip member name is unsafe or ambiguous, or None when it is a plain part name."""
    if "\x00" in raw:
        return "holds a NUL character (a name that reads differently to different programs)"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return "holds a control character"
    if "\\" in raw:
        return "holds a backslash (a Windows path)"
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        return "is an absolute path"
    if raw.endswith("/"):
        return "is a folder entry, which a Word document does not have"
    if any(segment in ("", ".", "..") for segment in raw.split("/")):
        return "has an empty, '.' or '..' segment (it could point outside the document)"
    return None


def read_members(data: bytes, name: str) -> dict[str, bytes]:
    """Unpack a .docx into {member: bytes}, refusing zip bombs, non-zip files and unsafe names."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(f"{name}: the file is larger than {MAX_TEMPLATE_BYTES >> 20} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise TemplateProblem(f"{name}: not a Word document (.docx is a zip file; this is not one)") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TemplateProblem(f"{name}: the document has {len(infos)} parts; at most {MAX_MEMBERS} are allowed")
    seen: dict[str, str] = {}
    for info in infos:
        raw = info.orig_filename
        problem = _name_problem(raw)
        if problem:
            raise TemplateProblem(f"{name}: the part named {_show(raw)} {problem}")
        folded = raw.casefold()
        if folded in seen:
            what = "twice" if seen[folded] == raw else f"twice, as {seen[folded]} and {raw} (Word ignores case)"
            raise TemplateProblem(f"{name}: the part {_show(raw)} is in the document {what}; "
                                  "different programs would read different ones")
        seen[folded] = raw
        if stat.S_ISLNK(info.external_attr >> 16):
            raise TemplateProblem(f"{name}: the part {_show(raw)} is stored as a symbolic link")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise TemplateProblem(f"{name}: the document unpacks to {declared >> 20} MB, "
                              f"more than the {MAX_UNPACKED_BYTES >> 20} MB allowed (a zip bomb?)")
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.file_size > 1 << 20 and info.compress_size and \
                info.file_size / info.compress_size > MAX_RATIO:
            ratio = info.file_size // info.compress_size
            raise TemplateProblem(f"{name}: part {info.filename} is compressed {ratio}:1, which only a zip bomb does")
        try:
            with archive.open(info) as stream:
                blob = stream.read(min(info.file_size, MAX_UNPACKED_BYTES - total) + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError, ValueError) as exc:
            raise TemplateProblem(f"{name}: part {info.filename} cannot be read ({exc})") from None
        if len(blob) > info.file_size:
            raise TemplateProblem(f"{name}: part {info.filename} is larger than its zip entry says (a zip bomb?)")
        total += len(blob)
        members[info.filename] = blob
    return members


# --- parsing one part -----------------------------------------------------------------------------
class _PartRefused(Exception):
    pass


def _parse(name: str, blob: bytes, budget: list[int]) -> tuple[etree._Element, bool]:
    """The parsed root of an XML part and whether it held comments or processing instructions.

    Raises ``_PartRefused`` with the reason. The element count is kept while parsing, so a part
    over budget is dropped before its whole tree is built.
    """
    if len(blob) > MAX_XML_PART_BYTES:
        raise _PartRefused(f"is {len(blob) >> 20} MB of XML; at most {MAX_XML_PART_BYTES >> 20} MB "
                           "are allowed in one part")
    try:
        blob.decode("utf-8")
    except UnicodeDecodeError:
        # Word writes UTF-8; another encoding is how a DOCTYPE or a field hides from a reader.
        raise _PartRefused("is not UTF-8 text as Word writes it; open the template in Word and save it again") \
            from None
    # A refusal only, never an acceptance: lxml would report the DOCTYPE below as well, but an
    # entity bomb stops the parser before the tree exists to be asked.
    if b"<!DOCTYPE" in blob or b"<!ENTITY" in blob:
        raise _PartRefused("contains a DOCTYPE or entity declaration, which Word never writes (XXE?)")
    count = 0
    marked = False
    events = etree.iterparse(io.BytesIO(blob), events=("start", "comment", "pi"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
    try:
        for event, _ in events:  # comments and instructions are nodes too, and count
            count += 1
            if count > MAX_XML_ELEMENTS or budget[0] + count > MAX_XML_TOTAL_ELEMENTS:
                raise _PartRefused(f"has more than {min(MAX_XML_ELEMENTS, MAX_XML_TOTAL_ELEMENTS - budget[0]):,} "
                                   "XML elements, far more than any letter")
            if event != "start":
                marked = True
    except etree.XMLSyntaxError as exc:
        raise _PartRefused(f"is not well-formed XML ({exc.msg})") from None
    budget[0] += count
    root = events.root
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _PartRefused("contains a DOCTYPE or entity declaration, which Word never writes (XXE?)")
    return root, marked


def _clean(blob: bytes, *, explicit_ends: bool = False) -> bytes:
    """The part as lxml writes it, without XML comments and processing instructions.

    Relationships and content types are decided on their parsed form here; the renderer and
    the preview then read and extend them as text, which must therefore be written the one way
    lxml writes it (double quotes, no character references), so it means what was decided.
    """
    root = etree.fromstring(blob, _CLEAN_PARSER)
    if explicit_ends:
        # docxtpl and the renderer find a paragraph, run or text by its start tag and the next end
        # tag of its kind; an empty one written <w:p .../> has none of its own, and a search from
        # each of 50,000 of them runs to the end of the part (quadratic: 52 s for a 360 KB part).
        for el in root.iter(W + "p", W + "r", W + "t"):
            if el.text is None and len(el) == 0:
                el.text = ""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- content types and relationships ---------------------------------------------------------------
@dataclass
class _Types:
    defaults: dict[str, str]
    overrides: dict[str, str]

    def of(self, part: str) -> str | None:
        found = self.overrides.get(part.casefold())
        if found is None:
            ext = part.rsplit(".", 1)[-1] if "." in part.rsplit("/", 1)[-1] else ""
            found = self.defaults.get(ext.casefold())
        return found


def _content_types(root: etree._Element, findings: list[DocxFinding]) -> _Types:
    types = _Types({}, {})
    where = CONTENT_TYPES
    if root.tag != CT_NS + "Types":
        findings.append(DocxFinding(where, "is not a list of content types"))
        return types
    if len(root) > MAX_RELATIONSHIPS:
        findings.append(DocxFinding(where, f"has {len(root):,} entries; a letter needs far fewer "
                                           f"(at most {MAX_RELATIONSHIPS:,} are allowed)"))
        return types
    for child in root:
        if not isinstance(child.tag, str):
            continue
        content_type = (child.get("ContentType") or "").strip()
        if child.tag == CT_NS + "Default":
            key = (child.get("Extension") or "").casefold()
            table = types.defaults
        elif child.tag == CT_NS + "Override":
            part = child.get("PartName") or ""
            if not part.startswith("/"):
                findings.append(DocxFinding(where, f"names a part without a leading slash ({part!r})"))
                continue
            key = unquote(part[1:]).casefold()
            table = types.overrides
        else:
            findings.append(DocxFinding(where, f"has an element Word does not know ({child.tag})"))
            continue
        if not key or not content_type:
            findings.append(DocxFinding(where, "has an entry without a part, extension or content type"))
        elif key in table and table[key] != content_type:
            findings.append(DocxFinding(where, f"gives {key} two content types ({table[key]} and {content_type})"))
        else:
            table[key] = content_type
    return types


def rels_part_of(source: str) -> str:
    """The relationships part of ``source`` ("" is the package itself)."""
    folder, _, base = source.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str | None:
    """The part a relative ``target`` of ``source`` names, or None when it escapes the package.

    The target must also be written the one plain way (no "./", no "a/../", no leading "/"),
    since the preview and Word must not read it differently.
    """
    decoded = unquote(target)
    if not decoded or decoded.startswith("/") or "\\" in decoded or "\x00" in decoded \
            or "?" in decoded or "#" in decoded or ":" in decoded.split("/", 1)[0]:
        return None
    base = posixpath.dirname(source)
    segments = base.split("/") if base else []
    for segment in decoded.split("/"):
        if segment == "..":
            if not segments:
                return None
            segments.pop()
        elif segment in ("", "."):
            return None
        else:
            segments.append(segment)
    resolved = "/".join(segments)
    if posixpath.relpath(resolved, base or ".") != decoded:
        return None
    return resolved


@dataclass(frozen=True)
class _Relationship:
    id: str
    type: str
    target: str
    external: bool


def _relationships(name: str, root: etree._Element, findings: list[DocxFinding]) -> list[_Relationship]:
    if root.tag != RELS_NS + "Relationships":
        findings.append(DocxFinding(name, "is not a list of relationships"))
        return []
    if len(root) > MAX_RELATIONSHIPS:
        findings.append(DocxFinding(name, f"has {len(root):,} relationships; a letter needs far fewer "
                                          f"(at most {MAX_RELATIONSHIPS:,} are allowed)"))
        return []
    found: list[_Relationship] = []
    ids: set[str] = set()
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag != RELS_NS + "Relationship":
            findings.append(DocxFinding(name, f"has an element Word does not know ({child.tag})"))
            continue
        unknown = sorted(str(a) for a in set(child.attrib) - {"Id", "Type", "Target", "TargetMode"})
        rel_id, rel_type = child.get("Id", ""), child.get("Type", "").strip()
        target, mode = child.get("Target", ""), child.get("TargetMode", "Internal")
        if unknown:
            findings.append(DocxFinding(name, f"relationship {rel_id} has attributes Word does not know "
                                              f"({', '.join(unknown)})"))
            continue
        if mode not in ("Internal", "External"):
            findings.append(DocxFinding(name, f"relationship {rel_id} has an unknown target mode ({mode!r})"))
            continue
        if not rel_id or rel_id in ids:
            findings.append(DocxFinding(name, f"relationship id {rel_id!r} is missing or used twice"))
            continue
        ids.add(rel_id)
        found.append(_Relationship(rel_id, rel_type, target, mode == "External"))
    return found


def _safe_link(target: str) -> bool:
    if any(c.isspace() or ord(c) < 0x20 for c in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    if parts.scheme.lower() not in SAFE_LINK_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


# --- fields ----------------------------------------------------------------------------------------
def _field_tokens(instruction: str) -> Iterator[str]:
    """The words of a field instruction; a quoted argument is one word, quotes removed."""
    i, n = 0, len(instruction)
    while i < n:
        if instruction[i].isspace():
            i += 1
            continue
        if instruction[i] == '"':
            end = instruction.find('"', i + 1)
            end = n if end == -1 else end
            yield instruction[i + 1:end]
            i = end + 1
            continue
        start = i
        while i < n and not instruction[i].isspace() and instruction[i] != '"':
            i += 1
        yield instruction[start:i]


_FIRST_WORD = re.compile(r'\s*(?:"([^"]*)"?|([^\s"]+))')  # over a field's instruction text, not XML


def field_problem(instruction: str, built_by_field: bool = False) -> str | None:
    """Why a field must not be in a letter template, or None when it may."""
    def shown() -> str:
        words = " ".join(instruction[:200].split())
        return words if len(words) <= 80 else words[:77] + "..."

    if built_by_field:
        return f"has a field whose kind is made by another field ({shown()}), which hides what it does"
    match = _FIRST_WORD.match(instruction)
    word = (match.group(1) if match.group(1) is not None else match.group(2)) if match else ""
    if not word:
        if not instruction.strip():
            return None
        return f"has a field with no kind ({shown()}), which hides what it does"
    if word.startswith("="):
        return None
    kind = word.upper()
    if kind not in ALLOWED_FIELDS:
        return f"has a field that pulls in outside content or is not allowed in a letter ({shown()})"
    if kind == "HYPERLINK":
        rest = iter(list(_field_tokens(instruction))[1:])
        for token in rest:
            if token.startswith("\\"):
                if token.lower() in ("\\l", "\\o", "\\t"):
                    next(rest, None)
                continue
            if not _safe_link(token):
                return f"has a hyperlink field to {token!r}, which is not a web or mail address ({shown()})"
            break
    return None


# --- the checks of one part --------------------------------------------------------------------------
_P, _T, _HYPERLINK = W + "p", W + "t", W + "hyperlink"
_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_FIELD_TAGS = (W + "fldSimple", W + "fldChar", W + "instrText", W + "delInstrText")
_MARK_TAGS = (*OBJECTS, *TRACKED, *COMMENT_MARKS)
_R_ATTRIBUTES = etree.XPath("//@r:*|//@sr:*", namespaces={"r": R_NS, "sr": STRICT_R_NS})
_PREFIX_MISMATCH = etree.XPath(
    "boolean(//*[(starts-with(name(), 'w:') and namespace-uri() != $w) or "
    "(namespace-uri() = $w and not(starts-with(name(), 'w:')))] | "
    "//@*[(starts-with(name(), 'w:') and namespace-uri() != $w) or "
    "(namespace-uri() = $w and not(starts-with(name(), 'w:')))])")


@dataclass
class _Field:
    element: etree._Element
    words: list[str] = field(default_factory=list)
    nested_first: bool = False
    checked: bool = False


class _PartCheck:
    """The checks of one parsed part under word/.

    The searches for fields, objects, tracked changes, comments and outside links are lxml's
    own tag-filtered iterations (C loops over the tree); Python looks only at the elements they
    return. Only a template part that holds braces is walked node by node, once, for the text of
    each paragraph and for tags placed outside the text.
    """

    def __init__(self, name: str, root: etree._Element, external_ids: set[str], braces: bool) -> None:
        self.name = name
        self.root = root
        self.paragraphs: list[str] | None = None
        self.misplaced_tags = False
        self._problems: list[tuple[str, etree._Element | int | None]] = []
        self._numbers: dict[etree._Element, int] | None = None
        if next(root.iter(f"{{{STRICT_W_NS}}}*"), None) is not None:
            self._problems.append(("is written in Strict Open XML; save it as a regular Word document", None))
        self._marks()
        self._fields()
        self._alternate_content()
        if external_ids:
            self._outside_links(external_ids)
        self._linked_pictures()
        if braces:
            self._walk_text()

    def _marks(self) -> None:
        once: set[str] = set()
        for el in self.root.iter(*_MARK_TAGS):
            tag = el.tag
            if tag in TRACKED:
                if "tracked" not in once:
                    once.add("tracked")
                    self._problems.append(("has a tracked change; accept or reject all changes first", el))
            elif tag in COMMENT_MARKS:
                if "comment" not in once:
                    once.add("comment")
                    self._problems.append(("has a review comment; delete it", el))
            else:
                self._problems.append((OBJECTS[str(tag)], el))

    def _alternate_content(self) -> None:
        """Markup compatibility lets a part carry one text for Word and another for other readers
        (and the preview shows both): the branches must hold the same words."""
        for block in self.root.iter(_ALTERNATE):
            if next(block.iterancestors(_ALTERNATE), None) is not None:
                self._problems.append(("has alternate content nested in alternate content, which readers "
                                       "resolve differently", block))
                continue
            texts = {"".join(str(t.text or "") for t in branch.iter(_T))
                     for branch in block if isinstance(branch.tag, str)}
            if len(texts) > 1:
                self._problems.append(("holds alternate content whose versions say different things: Word "
                                       "would print one and other readers another", block))

    def _fields(self) -> None:
        stack: list[_Field] = []
        for el in self.root.iter(*_FIELD_TAGS):
            tag = el.tag
            if tag == W + "fldSimple":
                self._field(el, str(el.get(W + "instr", "")), False)
            elif tag == W + "fldChar":
                kind = el.get(W + "fldCharType")
                if kind == "begin":
                    if stack and not "".join(stack[-1].words).strip():
                        stack[-1].nested_first = True
                    stack.append(_Field(el))
                elif kind == "separate" and stack:
                    self._finish(stack[-1])
                elif kind == "end" and stack:
                    self._finish(stack.pop())
            elif stack:
                stack[-1].words.append(str(el.text or ""))
            else:
                self._field(el, str(el.text or ""), False)
        while stack:
            self._finish(stack.pop())

    def _finish(self, found: _Field) -> None:
        if not found.checked:
            found.checked = True
            self._field(found.element, "".join(found.words), found.nested_first)

    def _field(self, el: etree._Element, instruction: str, nested_first: bool) -> None:
        problem = field_problem(instruction, nested_first)
        if problem:
            self._problems.append((problem, el))

    def _outside_links(self, external_ids: set[str]) -> None:
        values: list[Any] = list(_R_ATTRIBUTES(self.root))  # type: ignore[arg-type]
        for value in values:
            owner = value.getparent()  # lxml's attribute results know their element
            if str(value) in external_ids and owner is not None and owner.tag != _HYPERLINK:
                self._problems.append((f"uses the outside link {value!s} for something other than a "
                                       "hyperlink, which Word or LibreOffice would fetch", owner))

    def _linked_pictures(self) -> None:
        for el in self.root.iter(f"{{{V_NS}}}*"):
            for key in ("src", f"{{{O_NS}}}href"):
                value = str(el.get(key) or "")
                if ":" in value or value.startswith(("/", "\\")):
                    self._problems.append((f"has a picture linked to an outside file ({value})", el))

    def _walk_text(self) -> None:
        """Paragraph texts, and tags that docxtpl would join across paragraphs or markup.

        docxtpl joins ``{`` and ``{`` with only markup between them into one ``{{``, wherever they
        are; a tag is therefore judged on the text Word shows (``w:t``), paragraph by paragraph,
        and a delimiter anywhere else, or made of two paragraphs' text, is refused.
        """
        texts: list[list[str]] = [[]]
        open_paragraphs = [0]
        last, last_paragraph = "", -1
        outside = split = False
        for event, el in etree.iterwalk(self.root, events=("start", "end", "comment", "pi")):
            tag = el.tag
            if not isinstance(tag, str):
                # A comment or processing instruction: dropped from the clean copy, so its own text
                # is nothing, and its tail is text of whatever element holds it.
                parent = el.getparent()
                text, in_t = el.tail, parent is not None and parent.tag == _T
            elif event == "start":
                if tag == _P:
                    texts.append([])
                    open_paragraphs.append(len(texts) - 1)
                if not outside:
                    for value in el.attrib.values():
                        if ("{" in value or "}" in value) and any(d in value for d in DELIMITERS):
                            self._problems.append(("a template tag stands outside the letter's text (in an "
                                                   "attribute), where it would not render as written",
                                                   open_paragraphs[-1]))
                            outside = True
                            break
                text, in_t = el.text, tag == _T
            else:
                if tag == _P and len(open_paragraphs) > 1:
                    open_paragraphs.pop()
                text, in_t = el.tail, False
            if not text:
                continue
            paragraph = open_paragraphs[-1] if in_t else -1
            if last and last + text[0] in DELIMITERS and not (paragraph >= 0 and paragraph == last_paragraph):
                if not split:
                    self._problems.append(("a template tag is split across paragraphs or out of the letter's "
                                           "text", open_paragraphs[-1]))
                split = True
            if not in_t and ("{" in text or "}" in text) and any(d in text for d in DELIMITERS) and not outside:
                self._problems.append(("a template tag stands outside the letter's text (in a field code or "
                                       "other markup), where it would not render as written", open_paragraphs[-1]))
                outside = True
            last, last_paragraph = text[-1], paragraph
            if in_t:
                texts[open_paragraphs[-1]].append(text)
        self.misplaced_tags = outside or split
        self.paragraphs = ["".join(parts) for parts in texts]

    def _number(self, el: etree._Element) -> int:
        if self._numbers is None:
            self._numbers = {p: i for i, p in enumerate(self.root.iter(_P), start=1)}
        paragraph = el if el.tag == _P else next(el.iterancestors(_P), None)
        return self._numbers.get(paragraph, 0) if paragraph is not None else 0

    def _text_of(self, number: int) -> str:
        if self.paragraphs is not None:
            return self.paragraphs[number]
        paragraph = next(p for p, n in (self._numbers or {}).items() if n == number)
        return "".join(str(t.text or "") for t in paragraph.iter(_T))

    def findings(self) -> list[DocxFinding]:
        out = []
        for message, where in self._problems[:MAX_FINDINGS_PER_PART]:
            number = where if isinstance(where, int) else self._number(where) if where is not None else 0
            if number:
                out.append(DocxFinding(self.name, message, number, self._text_of(number)))
            else:
                out.append(DocxFinding(self.name, message))
        if len(self._problems) > MAX_FINDINGS_PER_PART:
            more = len(self._problems) - MAX_FINDINGS_PER_PART
            out.append(DocxFinding(self.name, f"{more:,} more problems like these are not listed"))
        return out


# --- the whole package -----------------------------------------------------------------------------
def _xml_like(name: str, content_type: str | None) -> bool:
    if name.endswith((".xml", ".rels")):
        return True
    return content_type is not None and (content_type.endswith("+xml") or content_type in ("application/xml",
                                                                                           "text/xml"))


def _special(name: str, content_type: str | None) -> str | None:
    """The plain-words reason for parts that are refused by what they are, whatever else."""
    lower, ct = name.casefold(), (content_type or "").casefold()
    base = lower.rsplit("/", 1)[-1]
    if base in ("vbaproject.bin", "vbadata.xml") or any(m in ct for m in MACRO_MARKS):
        return "the document contains macros (a .docm renamed .docx?); save it as a plain Word document"
    if "/activex/" in "/" + lower or "activex" in ct:
        return "the document contains ActiveX controls"
    if lower.startswith("word/embeddings/") or "oleobject" in ct or ct.endswith(".package"):
        return "the document embeds other files or objects"
    if ct.endswith("wordprocessingml.comments+xml") or re.fullmatch(r"word/comments\w*\.xml", lower):
        return "the template has review comments; resolve and delete them"
    return None


def inspect_package(members: dict[str, bytes]) -> Inspection:
    """Everything unsafe or unfit in an unpacked .docx, in words with the part and paragraph."""
    inspection = Inspection(dict(members))
    findings = inspection.findings
    if CONTENT_TYPES not in members or MAIN_PART not in members:
        findings.append(DocxFinding("package", "not a Word document: [Content_Types].xml or "
                                               "word/document.xml is missing"))
        return inspection
    budget = [0]
    roots: dict[str, etree._Element] = {}
    refused: set[str] = set()

    def parse(name: str) -> etree._Element | None:
        if name in roots:
            return roots[name]
        if name in refused:
            return None
        try:
            root, marked = _parse(name, members[name], budget)
        except _PartRefused as exc:
            findings.append(DocxFinding(name, str(exc)))
            refused.add(name)
            return None
        if marked:
            inspection.members[name] = _clean(members[name])
        roots[name] = root
        return root

    types_root = parse(CONTENT_TYPES)
    if types_root is None:
        return inspection
    inspection.members[CONTENT_TYPES] = _clean(members[CONTENT_TYPES])
    types = _content_types(types_root, findings)
    if any(any(m in ct.casefold() for m in MACRO_MARKS) for ct in (*types.defaults.values(),
                                                                   *types.overrides.values())):
        findings.append(DocxFinding("package", "the document contains macros (a .docm renamed .docx?); "
                                               "save it as a plain Word document"))

    # Follow the relationships from the package root; what they never reach is refused below.
    reached: dict[str, str] = {}  # part -> the relationships part that names it
    rels_parts: set[str] = set()
    template_bytes = 0
    external_ids: dict[str, set[str]] = {}
    queue = [""]
    main_targets: list[str] = []
    while queue:
        source = queue.pop(0)
        rels_name = rels_part_of(source) if source else PACKAGE_RELS
        if rels_name not in members:
            continue
        reached.setdefault(rels_name, source or "package")
        rels_parts.add(rels_name)
        rels_root = parse(rels_name)
        if rels_root is None:
            continue
        inspection.members[rels_name] = _clean(members[rels_name])
        for rel in _relationships(rels_name, rels_root, findings):
            rel_type = rel.type.replace("http://purl.oclc.org/ooxml/officeDocument/relationships/", _RT)
            if rel.external:
                if rel_type == HYPERLINK and _safe_link(rel.target):
                    external_ids.setdefault(source, set()).add(rel.id)
                    continue
                findings.append(DocxFinding(rels_name, f"links to an outside resource ({rel.target}), "
                                                       "which Word would fetch on opening"))
                continue
            if rel_type not in ALLOWED_RELATIONSHIPS:
                kind = rel_type.rsplit("/", 1)[-1] or rel_type
                findings.append(DocxFinding(rels_name, f"relationship {rel.id} is of a kind a letter template "
                                                       f"has no use for ({kind}, to {rel.target})"))
                continue
            target = _resolve(source, rel.target)
            if target is None:
                findings.append(DocxFinding(rels_name, f"relationship {rel.id} points outside the package or "
                                                       f"names its part in an unusual way ({rel.target!r})"))
                continue
            if rel_type == OFFICE_DOCUMENT:
                if source:
                    findings.append(DocxFinding(rels_name, f"names a second main document ({target})"))
                    continue
                main_targets.append(target)
            if target not in members:
                findings.append(DocxFinding(rels_name, f"relationship {rel.id} points at {target}, "
                                                       "which is not in the package"))
                continue
            if rel_type == _RT + "image":
                inspection.images.append((source, rel.id, target))
            if target not in reached:
                reached[target] = rels_name
                queue.append(target)

    if main_targets != [MAIN_PART]:
        named = ", ".join(main_targets) or "none"
        findings.append(DocxFinding(PACKAGE_RELS, f"the main document must be {MAIN_PART}, named once; "
                                                  f"this package names {named}"))

    for name, blob in members.items():
        if name == CONTENT_TYPES:
            continue
        content_type = types.of(name)
        special = _special(name, content_type)
        if special:
            findings.append(DocxFinding(name if "comments" in special else "package", special))
            continue
        if name not in reached:
            findings.append(DocxFinding(name, "is not reached from the package's relationships: Word never "
                                              "shows it, yet it would be copied into every letter; delete it"))
            continue
        if name in rels_parts:
            continue
        if content_type is None:
            findings.append(DocxFinding(name, "has no content type in [Content_Types].xml"))
            continue
        if content_type in MAIN_TYPES and name != MAIN_PART:
            findings.append(DocxFinding(name, "is a second main document; only word/document.xml may be one"))
            continue
        if content_type not in ALLOWED_TYPES:
            findings.append(DocxFinding(name, f"is of a kind a letter template has no use for ({content_type})"))
            continue
        match = TEMPLATE_PART.match(name)
        kinds = [k for k, cts in _TEMPLATED_TYPES.items() if content_type in cts]
        if match or kinds:
            kind = re.sub(r"\d+$", "", match.group(1)) if match else ""
            if not kinds or kind != kinds[0]:
                findings.append(DocxFinding(name, f"has the content type {content_type}, which does not fit "
                                                  "its name; Word and the preview would read it differently"))
                continue
        if content_type in IMAGE_TYPES:
            if not blob.startswith(IMAGE_TYPES[content_type]) and not (
                    content_type == "image/x-emf" and blob[40:44] == b" EMF"):
                findings.append(DocxFinding(name, f"is not the picture its content type says ({content_type})"))
            continue
        if blob.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            findings.append(DocxFinding("package", "the document embeds other files or objects"))
            continue
        if _xml_like(name, content_type):
            root = parse(name)
            if root is None or not name.startswith("word/"):
                continue
            template = bool(TEMPLATE_PART.match(name))
            if template and b"{" in blob:
                template_bytes += len(blob)
                if template_bytes > MAX_TEMPLATE_XML_BYTES:
                    findings.append(DocxFinding(name, "the parts with template tags hold more than "
                                                      f"{MAX_TEMPLATE_XML_BYTES >> 20} MB of XML; "
                                                      "a letter template needs far less"))
                    continue
            # Braces in the bytes (text, attribute or comment alike) only decide whether to walk.
            braces = template and (b"{" in blob or b"}" in blob)
            check = _PartCheck(name, root, external_ids.get(name, set()), braces)
            findings.extend(check.findings())
            if name == MAIN_PART and root.tag != W + "document":
                findings.append(DocxFinding(name, "is not a Word document body"))
            if braces and _PREFIX_MISMATCH(root, w=W_NS):
                findings.append(DocxFinding(name, "writes Word's markup under another XML prefix than w:, "
                                                  "which the template engine would misread; save it from Word again"))
            elif check.paragraphs is not None and not check.misplaced_tags:
                inspection.paragraphs[name] = check.paragraphs
                # docxtpl patches the text of the XML with regexes: it must get the tree that was
                # checked, written plainly (no CDATA, no character references, no comments).
                inspection.members[name] = _clean(blob, explicit_ends=True)
    inspection.findings = list(dict.fromkeys(findings))  # one cause can be seen from two sides
    return inspection


def check_members(members: dict[str, bytes]) -> list[DocxFinding]:
    """Everything unsafe or unfit in an unpacked .docx, in words with the paragraph."""
    return inspect_package(members).findings


def unbalanced_tags(part: str, paragraphs: list[str]) -> list[DocxFinding]:
    """Paragraphs whose tags do not open and close in order within the paragraph.

    docxtpl joins a tag's pieces across runs up to the next closing delimiter, wherever it is:
    a tag left open swallows the XML up to the next tag's end and the paragraphs between them
    vanish from the letter without any error. Every tag of a letter template opens and closes
    within one paragraph, so a paragraph that does not balance is refused before patching. The
    scan is over each paragraph's text, once.
    """
    findings = []
    for number, text in enumerate(paragraphs):
        if "{" not in text and "}" not in text:
            continue
        inside: str | None = None
        bad: str | None = None
        for match in _DELIMITER.finditer(text):
            token = match.group(0)
            if inside is None:
                if token in _PAIRS:
                    inside = token
                else:
                    bad = next(o for o, c in _PAIRS.items() if c == token)
                    break
            elif token == _PAIRS[inside]:
                inside = None
        if bad is None and inside is not None:
            bad = inside
        if bad is not None:
            findings.append(DocxFinding(
                part, f"a tag opened with {bad} is not closed with {_PAIRS[bad]} in the same paragraph "
                      f"(or closed without being opened)", number or None, text))
    return findings
