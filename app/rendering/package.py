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
ALLOWED_FIELDS = frozenset({
    "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE", "SAVEDATE",
    "PRINTDATE", "REF", "PAGEREF", "NOTEREF", "STYLEREF", "SEQ", "TOC", "TC", "XE", "INDEX",
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
        for event, _ in events:
            if event == "start":
                count += 1
                if count > MAX_XML_ELEMENTS or budget[0] + count > MAX_XML_TOTAL_ELEMENTS:
                    raise _PartRefused(f"has more than {min(MAX_XML_ELEMENTS, MAX_XML_TOTAL_ELEMENTS - budget[0]):,} "
                                       "XML elements, far more than any letter")
            else:
                marked = True
    except etree.XMLSyntaxError as exc:
        raise _PartRefused(f"is not well-formed XML ({exc.msg})") from None
    budget[0] += count
    root = events.root
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _PartRefused("contains a DOCTYPE or entity declaration, which Word never writes (XXE?)")
    return root, marked


def _clean(blob: bytes) -> bytes:
    """The part without its XML comments and processing instructions."""
    root = etree.fromstring(blob, _CLEAN_PARSER)
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


def field_problem(instruction: str, built_by_field: bool = False) -> str | None:
    """Why a field must not be in a letter template, or None when it may."""
    shown = " ".join(instruction.split())
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if built_by_field:
        return f"has a field whose kind is made by another field ({shown}), which hides what it does"
    stripped = instruction.strip()
    if not stripped:
        return None
    if stripped.startswith("="):
        return None
    tokens = list(_field_tokens(stripped))
    kind = tokens[0].upper() if tokens else ""
    if kind not in ALLOWED_FIELDS:
        return f"has a field that pulls in outside content or is not allowed in a letter ({shown})"
    if kind == "HYPERLINK":
        rest = iter(tokens[1:])
        for token in rest:
            if token.startswith("\\"):
                if token.lower() in ("\\l", "\\o", "\\t"):
                    next(rest, None)
                continue
            if not _safe_link(token):
                return f"has a hyperlink field to {token!r}, which is not a web or mail address ({shown})"
            break
    return None


# --- the walk over one part ------------------------------------------------------------------------
@dataclass
class _Field:
    paragraph: int
    words: list[str] = field(default_factory=list)
    nested_first: bool = False
    checked: bool = False


class _PartWalk:
    """One pass over a parsed part under word/, in document order."""

    def __init__(self, name: str, root: etree._Element, external_ids: set[str], template: bool) -> None:
        self.name = name
        self.template = template
        self.external_ids = external_ids
        self.paragraphs: list[str] = [""]
        self._texts: list[list[str]] = [[]]
        self._open: list[int] = [0]
        self._fields: list[_Field] = []
        self._problems: list[tuple[str, int]] = []
        self._once: set[str] = set()
        self._last = ""            # last character of the previous text, for tags split by markup
        self._last_paragraph = -1  # the paragraph of that text when it was w:t text, else -1
        self._walk(root)

    @property
    def misplaced_tags(self) -> bool:
        return bool(self._once & {"split", "outside"})

    @property
    def paragraph(self) -> int:
        return self._open[-1]

    def _problem(self, message: str, once: str | None = None) -> None:
        if once is not None:
            if once in self._once:
                return
            self._once.add(once)
        self._problems.append((message, self.paragraph))

    def findings(self) -> list[DocxFinding]:
        out = []
        for message, number in self._problems:
            if number:
                out.append(DocxFinding(self.name, message, number, self.paragraphs[number]))
            else:
                out.append(DocxFinding(self.name, message))
        return out

    def _text(self, text: str | None, in_t: bool) -> None:
        if not text:
            return
        if self.template:
            paragraph = self.paragraph if in_t else -1
            if self._last and self._last + text[0] in DELIMITERS and \
                    not (paragraph >= 0 and paragraph == self._last_paragraph):
                self._problem("a template tag is split across paragraphs or out of the letter's text",
                              once="split")
            if not in_t and any(d in text for d in DELIMITERS):
                self._problem("a template tag stands outside the letter's text (in a field code or "
                              "other markup), where it would not render as written", once="outside")
            self._last, self._last_paragraph = text[-1], paragraph
        if in_t:
            self._texts[self.paragraph].append(text)

    def _walk(self, root: etree._Element) -> None:
        for event, el in etree.iterwalk(root, events=("start", "end")):
            tag = el.tag
            if not isinstance(tag, str):
                if event == "end":  # a comment or PI the clean copy drops; its tail still counts
                    self._text(el.tail, False)
                continue
            if event == "start":
                self._start(el, tag)
                self._text(el.text, tag == W + "t")
            else:
                self._end(el, tag)
                self._text(el.tail, False)
        while self._fields:
            self._finish(self._fields.pop())
        self.paragraphs = ["".join(parts) for parts in self._texts]

    def _start(self, el: etree._Element, tag: str) -> None:
        if tag.startswith("{" + STRICT_W_NS):
            self._problem("is written in Strict Open XML; save it as a regular Word document", once="strict")
        for raw_key, raw_value in el.items():
            key, value = str(raw_key), str(raw_value)
            if self.template and any(d in value for d in DELIMITERS):
                self._problem("a template tag stands outside the letter's text (in an attribute), "
                              "where it would not render as written", once="outside")
            if key.startswith(("{" + R_NS + "}", "{" + STRICT_R_NS + "}")) and value in self.external_ids \
                    and tag != W + "hyperlink":
                self._problem(f"uses the outside link {value} for something other than a hyperlink, "
                              "which Word or LibreOffice would fetch")
            if tag.startswith("{" + V_NS + "}") and key in ("src", f"{{{O_NS}}}href") and \
                    (":" in value or value.startswith(("/", "\\"))):
                self._problem(f"has a picture linked to an outside file ({value})")
        if tag == W + "p":
            self._texts.append([])
            self._open.append(len(self._texts) - 1)
        elif tag in TRACKED:
            self._problem("has a tracked change; accept or reject all changes first", once="tracked")
        elif tag in COMMENT_MARKS:
            self._problem("has a review comment; delete it", once="comment")
        elif tag in OBJECTS:
            self._problem(OBJECTS[tag])
        elif tag == W + "fldSimple":
            problem = field_problem(el.get(W + "instr", ""))
            if problem:
                self._problem(problem)
        elif tag == W + "fldChar":
            kind = el.get(W + "fldCharType")
            if kind == "begin":
                if self._fields and not "".join(self._fields[-1].words).strip():
                    self._fields[-1].nested_first = True
                self._fields.append(_Field(self.paragraph))
            elif kind == "separate" and self._fields:
                self._finish(self._fields[-1])
            elif kind == "end" and self._fields:
                self._finish(self._fields.pop())
        elif tag in (W + "instrText", W + "delInstrText"):
            if self._fields:
                self._fields[-1].words.append(el.text or "")
            else:
                problem = field_problem(el.text or "")
                if problem:
                    self._problem(problem)

    def _end(self, el: etree._Element, tag: str) -> None:
        if tag == W + "p" and len(self._open) > 1:
            self._open.pop()

    def _finish(self, found: _Field) -> None:
        if found.checked:
            return
        found.checked = True
        problem = field_problem("".join(found.words), found.nested_first)
        if problem:
            self._problems.append((problem, found.paragraph))


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
    types = _content_types(types_root, findings)
    if any(any(m in ct.casefold() for m in MACRO_MARKS) for ct in (*types.defaults.values(),
                                                                   *types.overrides.values())):
        findings.append(DocxFinding("package", "the document contains macros (a .docm renamed .docx?); "
                                               "save it as a plain Word document"))

    # Follow the relationships from the package root; what they never reach is refused below.
    reached: dict[str, str] = {}  # part -> the relationships part that names it
    rels_parts: set[str] = set()
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
            source_ids = external_ids.get(name, set())
            walk = _PartWalk(name, root, source_ids, bool(TEMPLATE_PART.match(name)))
            findings.extend(walk.findings())
            if name == MAIN_PART and root.tag != W + "document":
                findings.append(DocxFinding(name, "is not a Word document body"))
            if TEMPLATE_PART.match(name) and not walk.misplaced_tags:
                inspection.paragraphs[name] = walk.paragraphs
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
