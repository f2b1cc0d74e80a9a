"""Reading a .docx (a zip of XML parts) without trusting it.

Bounds are checked on the zip's directory *and* while reading, since a zip can lie about its
sizes. XML is parsed with entity resolution and network access off, and any DOCTYPE is
refused outright: a letter template has no use for one, and it is how XXE arrives.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from app.core.errors import TemplateProblem

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024       # the .docx file itself
MAX_MEMBERS = 500
MAX_UNPACKED_BYTES = 60 * 1024 * 1024       # all members once unpacked
MAX_RATIO = 200                             # unpacked / packed, for members over 1 MB
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData")
SAFE_EXTERNAL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",)
RISKY_FIELDS = re.compile(r"\b(INCLUDETEXT|INCLUDEPICTURE|DDE|DDEAUTO|LINK|IMPORT)\b")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
    remove_blank_text=False,
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


def read_members(data: bytes, name: str) -> dict[str, bytes]:
    """Unpack a .docx into {member: bytes}, refusing zip bombs and non-zip files."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(f"{name}: the file is larger than {MAX_TEMPLATE_BYTES >> 20} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TemplateProblem(f"{name}: not a Word document (.docx is a zip file; this is not one)") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TemplateProblem(f"{name}: the document has {len(infos)} parts; at most {MAX_MEMBERS} are allowed")
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
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
            raise TemplateProblem(f"{name}: part {info.filename} cannot be read ({exc})") from None
        if len(blob) > info.file_size:
            raise TemplateProblem(f"{name}: part {info.filename} is larger than its zip entry says (a zip bomb?)")
        total += len(blob)
        members[info.filename] = blob
    return members


def paragraph_at(xml: str, offset: int) -> tuple[int, str]:
    """The 1-based paragraph number at ``offset`` in a part, and that paragraph's text."""
    starts = [m.start() for m in re.finditer(r"<w:p[ >]", xml)]
    number = sum(1 for s in starts if s <= offset)
    if not number:
        return 0, ""
    start = starts[number - 1]
    end = xml.find("</w:p>", start)
    body = xml[start:end if end != -1 else len(xml)]
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))
    return number, text


def _finding(part: str, xml: str, offset: int, message: str) -> DocxFinding:
    number, text = paragraph_at(xml, offset)
    return DocxFinding(part, message, number or None, text)


def check_members(members: dict[str, bytes]) -> list[DocxFinding]:
    """Everything unsafe or unfit in an unpacked .docx, in words with the paragraph."""
    findings: list[DocxFinding] = []
    types = members.get("[Content_Types].xml")
    if types is None or "word/document.xml" not in members:
        return [DocxFinding("package", "not a Word document: [Content_Types].xml or word/document.xml is missing")]
    types_text = types.decode("utf-8", "replace")
    if any(t in types_text for t in MACRO_TYPES) or any(n.lower().endswith("vbaproject.bin") for n in members):
        findings.append(DocxFinding("package", "the document contains macros (a .docm renamed .docx?); "
                                               "save it as a plain Word document"))
    elif WORD_MAIN not in types_text and TEMPLATE_MAIN not in types_text:
        findings.append(DocxFinding("package", "the main part is not a Word document"))
    if any("activex" in n.lower() for n in members) or "activeX" in types_text:
        findings.append(DocxFinding("package", "the document contains ActiveX controls"))
    if any(n.startswith("word/embeddings/") for n in members):
        findings.append(DocxFinding("package", "the document embeds other files or objects"))
    if "word/comments.xml" in members:
        findings.append(DocxFinding("word/comments.xml", "the template has review comments; resolve and delete them"))

    for name, blob in members.items():
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:
            # Word writes UTF-8; another encoding would also hide a DOCTYPE from the check below.
            findings.append(DocxFinding(name, "is not UTF-8 text as Word writes it; "
                                              "open the template in Word and save it again"))
            continue
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            findings.append(DocxFinding(name, "contains a DOCTYPE or entity declaration, "
                                              "which Word never writes (XXE?)"))
            continue
        try:
            etree.fromstring(blob, SAFE_PARSER)
        except etree.XMLSyntaxError as exc:
            findings.append(DocxFinding(name, f"is not well-formed XML ({exc.msg})"))
            continue
        if name.endswith(".rels"):
            for m in re.finditer(r"<Relationship\b[^>]*>", text):
                rel = m.group(0)
                if 'TargetMode="External"' in rel and not any(t in rel for t in SAFE_EXTERNAL):
                    target = re.search(r'Target="([^"]*)"', rel)
                    where = target.group(1) if target else "?"
                    findings.append(DocxFinding(name, f"links to an outside resource ({where}), "
                                                      "which Word would fetch on opening"))
            continue
        if not name.startswith("word/"):
            continue
        for m in re.finditer(r"<w:(ins|del|moveFrom|moveTo|rPrChange|pPrChange)\b", text):
            findings.append(_finding(name, text, m.start(), "has a tracked change; accept or reject all changes first"))
            break
        for m in re.finditer(r'<w:(?:instrText[^>]*>([^<]*)|fldSimple\b[^>]*w:instr="([^"]*)")', text):
            instruction = m.group(1) or m.group(2) or ""
            if RISKY_FIELDS.search(instruction):
                findings.append(_finding(name, text, m.start(),
                                         f"has a field that pulls in outside content ({instruction.strip()})"))
        for m in re.finditer(r"<w:(?:commentReference|commentRangeStart)\b", text):
            findings.append(_finding(name, text, m.start(), "has a review comment; delete it"))
            break
    return findings
