"""The compiled renderer: a pack is loaded, checked, patched and compiled once; each letter
then only renders the Jinja templates of the parts that have tags and writes the zip.

The plain docxtpl loop (``DocxTemplate(path)``, ``render``, ``save``) re-parses the .docx,
re-patches and re-compiles every part and re-serialises every part through python-docx for
each letter; that is what costs it 14-23 ms. Here the per-letter work is the Jinja render of
three small parts, one lxml parse of each to prove it is well formed, and a zip of members
whose compressed bytes are computed once (see ``ZipWriter``). ``make bench`` measures both.

A mail merge renders one letter to many addressees, so each part also keeps what it can from
the letter before: the text of what reads nothing of the addressees (``_MergePlan``), a part
whose text came out the same (its bytes), and the proof that a part is well formed when only
its character data changed (``_Printed.same_structure``). None of it changes a byte, a count
of the sandbox's budget or a refusal (``tests/rendering/test_merge_plan.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.opc.parts.coreprops import CorePropertiesPart
from docxtpl import DocxTemplate
from jinja2 import Template, TemplateError, TemplateSyntaxError, nodes
from lxml import etree
from markupsafe import Markup, escape

from app.core.errors import LetterInvalid, Problem, TemplateProblem
from app.core.letter import Letter
from app.core.packs import Manifest, check_letter_for_pack, load_manifest, read_pack_file
from app.core.text import Removal
from app.rendering.blocks import block_problems
from app.rendering.context import LETTER_PART_KEYS, build_context
from app.rendering.package import (
    MAX_TEMPLATE_BYTES,
    SAFE_PARSER,
    TEMPLATE_PART,
    DocxFinding,
    inspect_package,
    read_members,
    unbalanced_tags,
)
from app.rendering.sandbox import (
    MAX_BUILT,
    MAX_RANGE_STEPS,
    MAX_STEPS,
    Finding,
    LetterEnvironment,
    MachineTooBusy,
    check_template,
)

CORE_PROPS = "docProps/core.xml"
SIGNATURE_MEDIA = "word/media/chambers-signature.png"
SIGNATURE_RID = "rIdChambersSignature"
# What one part of a rendered letter may hold, counted as it is produced: the shipped packs print
# at most 250 KB for a letter at every limit of the data contract. Every byte printed is
# parsed, resolved and zipped afterwards, so this also bounds that work (about 1.5 s at worst).
MAX_OUTPUT_PART = 4 * 1024 * 1024
# The packs' convention: the letterhead's seal is this picture; a letter that pins a seal of its
# own (``sender.seal``) prints that image in its place, wherever the pack shows it.
SEAL_MEDIA = "word/media/seal.png"
MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_SEAL_PIXELS = 4000
_NS_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
# docxtpl's XML patching and listing resolution are pure functions on strings that happen
# to be methods; a bare instance lets us call them without loading a document per letter.
_DOCXTPL = DocxTemplate.__new__(DocxTemplate)
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?(?<!/)>.*?</w:p>", re.DOTALL)  # an empty <w:p/> opens nothing
# docxtpl's output tags that put their value in place of the whole paragraph, run, table row or
# cell (``{{p x}}``, ``{{r x}}``, ``{{tr x}}``, ``{{tc x}}``): they are for Word XML a program
# builds (RichText, Subdoc), which a letter never holds. Given the letter's text they print
# it where Word allows no text, which Word cannot open, so they are refused. The block forms
# (``{%p if %}``, ``{%tr for %}``) are structure, not output, and stay allowed.
_XML_OUTPUT_TAG = re.compile(r"\{\{(p|r|tr|tc)\s")
_XML_OUTPUT_WHERE = {"p": "paragraph", "r": "run", "tr": "table row", "tc": "table cell"}


# What a part's steady runs may read: the letter's part of the context (the very same objects from
# one letter of a merge to the next) and the signature (the same picture for every letter).
_STEADY_KEYS = LETTER_PART_KEYS | {"signature_image"}
_STEADY_NAME = "_chambers_steady_{}"
_ABSENT = object()  # a key the context lacks: the template says so when it reads it


class _SteadyRun:
    """A steady run's place in a residual template, printed through ``__html__``.

    Autoescape asks a value for ``__html__`` where it prints it, so the run is reached exactly
    where its text stands in the part, in order with the rest. Replaying, it counts the work it
    did when its text was made (the budget holds a letter to the same limits, in the same order,
    whichever way its text is made) and gives that text; when the values changed, or the counts
    would pass a limit, it renders the run there and then, from the very same counts, so every
    refusal is the one the whole template gives, in its words and at its paragraph.
    """

    def __init__(self, plan: _MergePlan, template: Template) -> None:
        self.plan = plan
        self.template = template
        self.text: Markup | None = None
        self.cost = (0, 0, 0)  # loop passes, steps and characters built: the sandbox's counts

    def __html__(self) -> Markup:
        plan = self.plan
        budget = plan.env.budget
        passes, steps, built = self.cost
        if plan.replaying and self.text is not None and budget.passes + passes <= MAX_RANGE_STEPS \
                and budget.steps + steps <= MAX_STEPS and budget.built + built <= MAX_BUILT:
            budget.charge(passes, steps, built)
            return self.text
        assert plan.render is not None
        assert plan.context is not None
        before = budget.mark()
        self.text = None
        text = Markup(plan.render(self.template, plan.context))
        after = budget.mark()
        self.text, self.cost = text, (after[0] - before[0], after[1] - before[1], after[2] - before[2])
        return text


@dataclass
class _MergePlan:
    """A part split where its text stops depending on the addressees, for a mail merge.

    A merge renders one letter to many addressees; most of a part (the paragraphs, the court,
    the signature block) reads only the letter's part of the context, which is the very same
    objects from letter to letter. Its top-level statements are grouped into *steady* runs, which
    read nothing else, and the rest. Each steady run is compiled alone, and the *residual*
    template is the part with each steady run in its place as a ``_SteadyRun`` (see there): one
    Jinja call a letter still yields the whole part, and only what reads an addressee is worked
    out again.
    """

    env: LetterEnvironment
    reads: tuple[str, ...]               # the context keys the steady runs read
    residual: Template | None = None     # None: the whole part is the one steady run in ``places``
    residual_reads: tuple[str, ...] = ()
    places: dict[str, _SteadyRun] = field(default_factory=dict)
    values: tuple[Any, ...] | None = None  # what the runs' texts were made from; held so none is recycled
    replaying: bool = False
    # set for the length of one render: how a run is rendered, and the context it is given
    render: Callable[[Template, dict[str, Any]], str] | None = None
    context: dict[str, Any] | None = None


# What may differ between two renders of a part without a parse: character data as autoescape
# prints it. Not: markup ("<", and ">" which escaping never leaves), a reference other than the ones
# escaping writes, a character XML 1.0 does not allow (a filter's constant may hold one).
_NOT_PRINTED_TEXT = re.compile(r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                               r"|&(?!(?:amp|lt|gt|quot|apos|#34|#39);)")


# The longest text proved well formed without a parse: libxml2 refuses a text node over 10 MB
# (no huge_tree), which a text of 2.5 million characters cannot reach; a letter's part is at
# most a few hundred KB.
_PROVED_AT_MOST = 1_000_000


@dataclass
class _Printed:
    """A part as rendered and proved well formed: its text, the pieces Jinja printed it in, its bytes."""

    xml: str
    chunks: list[str]
    data: bytes

    def same_structure(self, chunks: list[str]) -> bool:
        """Whether ``chunks`` print this part with only its character data changed, so that the
        text they make is well formed as this one is (parsed, or proved so in turn).

        Piece by piece, every piece that differs must be plain character data (``_NOT_PRINTED_TEXT``)
        standing where this text held plain character data that was not all white space, outside
        any tag. Such a piece is in an element's content: white space is all the text XML allows
        outside the root element, and the text before it closes every tag it opens. Replacing
        character data in an element's content with other character data changes no element,
        attribute or name, so the document stays well formed. A text holding ``<!`` (a comment,
        CDATA or a DOCTYPE, which the packs' check refuses anyway) is never compared: there "--"
        or "]]" could matter. Anything else, or pieces in another number, is parsed.
        """
        old = self.chunks
        if len(old) != len(chunks) or "<!" in self.xml:
            return False
        xml = self.xml
        offset = 0
        for before, now in zip(old, chunks, strict=True):
            if before != now and not (
                before and not before.isspace()
                and _NOT_PRINTED_TEXT.search(now) is None and _NOT_PRINTED_TEXT.search(before) is None
                and xml.rfind("<", 0, offset) < xml.rfind(">", 0, offset)
                # and not after a reference left open ("&" then the piece): the piece would end it
                and xml.rfind("&", 0, offset) <= xml.rfind(";", 0, offset)
            ):
                return False
            offset += len(before)
        return True


@dataclass
class CompiledPart:
    name: str
    template: Template
    paragraphs: list[str]  # text of each line of the patched source (one paragraph a line)
    numbers: list[int]     # the paragraph (1-based; 0 before the first) each line belongs to
    source: str            # the patched source, checked: the merge plan is cut from it
    plan: _MergePlan | None = None
    # The plan is made at the part's second render (a merge, or a letter rendered again), not when
    # the pack is compiled: it costs about half a compile, which a pack only checked never repays.
    renders: int = 0
    last: _Printed | None = None  # the part as last rendered (parsed, or proved as well formed)


def _names_read(node: nodes.Node) -> set[str]:
    """The names ``node`` reads from the context: every name it loads but its loops' own."""
    found = [node] if isinstance(node, nodes.Name) else []
    found.extend(node.find_all(nodes.Name))
    loaded = {n.name for n in found if n.ctx == "load"}
    bound = {n.name for n in found if n.ctx != "load"}
    return loaded - bound - {"loop", "range"}


def _merge_plan(env: LetterEnvironment, ast: nodes.Template) -> _MergePlan | None:
    """Split ``ast`` (parsed again: compiling changes the tree it is given) into steady runs and the rest.

    Only a body of outputs, ``if`` and ``for`` at its top level is split: those print in order
    and bind nothing that outlives them (a loop's variables are its own), so the part's text is
    the runs' texts in order. Anything else (none passes ``check_template`` today) keeps the
    part whole. None when nothing in it is steady, or nothing in it reads at all.
    """
    items: list[tuple[bool, nodes.Stmt]] = []
    reads: set[str] = set()
    for statement in ast.body:
        if isinstance(statement, nodes.Output):
            pieces: list[nodes.Stmt] = [nodes.Output([child], lineno=child.lineno) for child in statement.nodes]
        elif isinstance(statement, nodes.If | nodes.For):
            pieces = [statement]
        else:
            return None
        for piece in pieces:
            names = _names_read(piece)
            steady = names <= _STEADY_KEYS
            if steady:
                reads |= names
            items.append((steady, piece))
    if not reads:
        return None
    groups: list[tuple[bool, list[nodes.Stmt]]] = []
    for steady, piece in items:
        if groups and groups[-1][0] == steady:
            groups[-1][1].append(piece)
        else:
            groups.append((steady, [piece]))

    def compiled(body: list[nodes.Stmt]) -> Template:
        tree = nodes.Template(body, lineno=1)
        tree.set_environment(env)
        return env.from_string(tree)

    plan = _MergePlan(env, tuple(sorted(reads)))
    residual: list[nodes.Stmt] = []
    for steady, body in groups:
        if steady:
            name = _STEADY_NAME.format(len(plan.places))
            plan.places[name] = _SteadyRun(plan, compiled(body))
            residual.append(nodes.Output([nodes.Name(name, "load", lineno=body[0].lineno)], lineno=body[0].lineno))
        else:
            residual.extend(body)
    if len(groups) > 1:
        # What the residual template reads of the context, all of it (a loop's own names too: an
        # extra key is harmless, a missing one would not be): it is given those keys alone.
        loads = {n.name for statement in residual for n in statement.find_all(nodes.Name) if n.ctx == "load"}
        plan.residual_reads = tuple(sorted(loads - plan.places.keys()))
        plan.residual = compiled(residual)
    return plan


def _same(kept: Any, now: Any) -> bool:
    """Whether a context value is the one the kept text was made from.

    Containers must be the very object (a context is read, never changed: see
    ``build_context``), held by ``_MergePlan`` so its identity cannot pass to another. Text and whole
    numbers may be equal copies, of the very same type (``Markup("<b>")`` equals ``"<b>"`` and
    prints otherwise, ``True`` equals ``1``); a float must be the very object (``-0.0 == 0.0``).
    """
    if kept is now:
        return True
    kind = type(kept)
    return kind is type(now) and kind in (str, Markup, int, bool) and kept == now


@dataclass
class Rendered:
    """A rendered letter: the .docx bytes, and what cleaning removed from the letter's text."""

    data: bytes
    removals: list[Removal] = field(default_factory=list)


class ZipWriter:
    """Writes a .docx from members whose deflated bytes are computed once.

    Python's zipfile has no way to copy an already-deflated member: it deflates all twelve
    members of the flagship pack for every letter (the seal PNG included). Measured on the
    flagship pack, 500 writes: zipfile.writestr 1.37 ms a letter, this writer 0.23 ms. Members
    that do not change between letters are deflated once and copied as bytes; the entry
    layout is the plain PKZIP one (no zip64: a letter is far below 4 GB).
    """

    def __init__(self) -> None:
        # name -> (the very bytes object deflated, its local record: header, name and deflated
        # bytes, and its central directory record up to the offset of the local one); a member's
        # records are the same wherever it stands but for that offset, so a letter costs one
        # struct.pack a member and a join.
        self._cache: dict[str, tuple[bytes, bytes, bytes, bytes]] = {}

    def _entry(self, name: str, data: bytes, cache: bool) -> tuple[bytes, bytes, bytes]:
        hit = self._cache.get(name)
        # An unchanging member is recognised as the very object deflated; a rendered one by its
        # bytes (a part that reads nothing of the addressee, the document properties of a merge
        # render the same for every letter): deflate gives the same bytes for the same input.
        if hit is not None and (hit[0] is data or (not cache and hit[0] == data)):
            return hit[1], hit[2], hit[3]
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        encoded = name.encode("utf-8")
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, 0, 0x21,
                            crc, len(packed), len(data), len(encoded), 0) + encoded + packed
        central = struct.pack("<IHHHHHHIIIHHHHHI", 0x02014B50, 20, 20, 0x0800, 8, 0,
                              0x21, crc, len(packed), len(data), len(encoded), 0, 0, 0, 0, 0)
        self._cache[name] = (data, local, central, encoded)
        return local, central, encoded

    def write(self, members: Iterable[tuple[str, bytes, bool]]) -> bytes:
        """Zip ``(name, data, unchanging)`` members, in order, with a fixed 1980 timestamp."""
        records: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        pack_offset = struct.Struct("<I").pack
        for name, data, unchanging in members:
            local, directory, encoded = self._entry(name, data, unchanging)
            records.append(local)
            central += (directory, pack_offset(offset), encoded)
            offset += len(local)
        directory_bytes = b"".join(central)
        records.append(directory_bytes)
        records.append(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records) - 1, len(records) - 1,
                                   len(directory_bytes), offset, 0))
        return b"".join(records)


def _compile_error(pack: str, part: CompiledPart, lineno: int | None, message: str) -> str:
    return f"template {pack}, {CompiledPack._finding(part.name, part.paragraphs, part.numbers, lineno, message)}"


def _paragraph_numbers(source: str) -> list[int]:
    """For each line of the patched source, the paragraph it is in (1-based; 0 before the first).

    Every ``<w:p`` starts a line, but the part may hold newlines of its own (the one after the
    XML declaration, at least), so a line's number is not its paragraph's number.
    """
    numbers, number = [], 0
    for line in source.split("\n"):
        if line.startswith("<w:p ") or line.startswith("<w:p>"):
            number += 1
        numbers.append(number)
    return numbers


def _paragraph_texts(source: str) -> list[str]:
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", line))
            for line in source.split("\n")]


def _xml_output_tags(part: str, paragraphs: list[str]) -> list[DocxFinding]:
    """Paragraphs holding ``{{p x}}``, ``{{r x}}``, ``{{tr x}}`` or ``{{tc x}}`` (see ``_XML_OUTPUT_TAG``)."""
    findings = []
    for number, text in enumerate(paragraphs):
        match = _XML_OUTPUT_TAG.search(text) if "{{" in text else None
        if match is not None:
            kind = match.group(1)
            findings.append(DocxFinding(
                part, f"the tag {{{{{kind} ...}}}} puts its value in place of the whole {_XML_OUTPUT_WHERE[kind]}, "
                      "which only Word XML may fill, and a letter's values are text (Word could not open the "
                      f"result); write {{{{ ... }}}} inside the {_XML_OUTPUT_WHERE[kind]} instead",
                number or None, text))
    return findings


def _render_lineno(exc: BaseException) -> int | None:
    lineno = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise TemplateProblem("the signature image is not a PNG picture")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= 10_000 and 0 < height <= 10_000):
        raise TemplateProblem("the signature image has an impossible size")
    return width, height


def _signature_xml(data: bytes, signatory: str = "") -> Markup:
    """A run holding the signature picture, at most 2.5 in wide and 0.75 in high.

    Its alternative text names whose signature it is: a tagged PDF gives the picture that text,
    so a screen reader says "Signature of ..." rather than nothing (Section 508).
    """
    alt = escape(f"Signature of {signatory}" if signatory.strip() else "Signature of the signing judge")
    width, height = _png_size(data)
    emu_per_inch = 914400
    scale = min(2.5 * emu_per_inch / width, 0.75 * emu_per_inch / height)
    cx, cy = int(width * scale), int(height * scale)
    drawing = (
        '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="9001" name="Signature" descr="{alt}"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:nvPicPr><pic:cNvPr id="9001" name="signature.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'r:embed="{SIGNATURE_RID}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r><w:r><w:t xml:space="preserve">'
    )
    return Markup(drawing)


@functools.lru_cache(maxsize=256)
def _core_properties(subject: str, author: str, date: dt.date, reference: str | None) -> bytes:
    """Document properties set through python-docx, never through the template.

    Created and modified are the letter's date, so the same letter always renders to the same
    bytes; cached because a mail merge renders hundreds of letters with the same properties.
    """
    part = CorePropertiesPart.default(None)  # type: ignore[arg-type]
    props = part.core_properties
    props.title = subject[:255]
    props.subject = subject[:255]
    props.author = author[:255]
    props.last_modified_by = "Chambers"
    props.created = props.modified = dt.datetime.combine(date, dt.time())
    props.revision = 1
    if reference:
        props.identifier = reference[:255]
    return bytes(part.blob)


def _next_break(xml: str, at: int) -> int:
    """Where the next line break or tab at or after ``at`` is; -1 when there is none."""
    line, tab = xml.find("\n", at), xml.find("\t", at)
    return line if tab < 0 or 0 <= line < tab else tab


def _resolve_listing(xml: str) -> str:
    """docxtpl's line-break and tab resolution, run only on paragraphs that need it.

    ``resolve_listing`` walks every run of every paragraph with three nested regexes; most
    paragraphs of a letter have no line break or tab. The paragraphs are the matches of
    ``_PARAGRAPH`` (an opening ``<w:p>`` or ``<w:p ...>``, not ``<w:p/>``, to the first
    ``</w:p>``), found here with ``str.find`` rather than by the regex itself: its lazy match
    tries the closing tag at every character, and this walk takes half its time
    (``tests/rendering/test_listing.py`` holds the two to the same result).
    """
    pieces: list[str] = []
    done = pos = 0
    find = xml.find
    # The next line break or tab: once none is left, no paragraph further on needs resolving, and
    # the walk stops there (a merge's letter has them in its inside address, near the top).
    brk = _next_break(xml, 0)
    while brk >= 0:
        start = find("<w:p", pos)
        if start < 0:
            break
        after = xml[start + 4:start + 5]
        if after == ">":
            opened = start + 4
        elif after == " ":
            opened = find(">", start + 5)
            if opened < 0 or xml[opened - 1] == "/":  # <w:p .../> opens nothing
                pos = start + 1
                continue
        else:  # <w:pPr>, <w:proofErr>, ...
            pos = start + 1
            continue
        end = find("</w:p>", opened + 1)
        if end < 0:
            break
        end += 6  # len("</w:p>")
        if brk < start:
            brk = _next_break(xml, start)
        if 0 <= brk < end:
            pieces += (xml[done:start], str(_DOCXTPL.resolve_listing(xml[start:end])))
            done = end
            brk = _next_break(xml, end)
        pos = end
    if not pieces:
        return xml
    pieces.append(xml[done:])
    return "".join(pieces)


class CompiledPack:
    """A template pack, checked and compiled once, ready to render any number of letters."""

    def __init__(self, folder: Path, *, manifest: Manifest | None = None) -> None:
        self.folder = folder
        self.manifest = manifest or load_manifest(folder / "manifest.yaml")
        self.id = self.manifest.id
        try:
            self.template_bytes = read_pack_file(folder / "letter.docx", MAX_TEMPLATE_BYTES, "the template")
        except TemplateProblem as exc:
            raise TemplateProblem(f"template {self.id}, {exc}") from None
        self.sha256 = hashlib.sha256(self.template_bytes).hexdigest()
        self.env = LetterEnvironment()
        inspection = inspect_package(read_members(self.template_bytes, f"template {self.id}"))
        # The inspected members, not the zip's: what the check dropped never reaches a letter.
        self.members = inspection.members
        # Where the pack shows its seal: (part, relationship id) pairs found through the
        # relationships, never by reading the XML as text. Empty: the pack prints no seal.
        self.seal_uses = [(part, rel_id) for part, rel_id, target in inspection.images
                          if target == SEAL_MEDIA and SEAL_MEDIA in self.members]
        self._checked_seal: tuple[str, bytes, int, int] | None = None
        self.parts: dict[str, CompiledPart] = {}
        findings = inspection.findings + self._compile(inspection.paragraphs)
        if findings:
            raise TemplateProblem("\n".join(f"template {self.id}, {f}" for f in findings))
        self._zip = ZipWriter()

    @property
    def version(self) -> str:
        return self.manifest.version

    def _compile(self, texts: dict[str, list[str]]) -> list[DocxFinding]:
        findings: list[DocxFinding] = []
        fields = frozenset(f.name for f in self.manifest.fields)
        for name, blob in self.members.items():
            # Only parts the inspection parsed and passed reach docxtpl's regexes: those hold no
            # comments, no tags outside the text and no tag split across paragraphs, which is
            # what keeps the patching linear.
            if not TEMPLATE_PART.match(name) or name not in texts:
                continue
            xml = blob.decode("utf-8")
            if "{" not in xml:
                continue
            unbalanced = unbalanced_tags(name, texts[name]) + _xml_output_tags(name, texts[name])
            if unbalanced:
                findings.extend(unbalanced)
                continue
            source = _DOCXTPL.patch_xml(xml)
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
            source = re.sub(r"\{_\{|\}_\}|\{_%|%_\}",  # E5: docxtpl's escapes, as literal output
                            lambda m: "{{ '" + m.group(0).replace("_", "") + "' }}", source)
            paragraphs = _paragraph_texts(source)
            numbers = _paragraph_numbers(source)
            try:
                ast = self.env.parse(source)
            except TemplateSyntaxError as exc:
                # Jinja names where it noticed a block problem (for a block left open, the end of
                # the part); the walk over the paragraphs names the tag to fix, where it stands.
                findings.extend(block_problems(self.env, name, texts[name]) or [self._finding(
                    name, paragraphs, numbers, exc.lineno, f"the template tags are broken: {exc.message}")])
                continue
            bad: list[Finding] = check_template(self.env, ast, fields)
            for f in bad:
                findings.append(self._finding(name, paragraphs, numbers, f.lineno, f.message))
            if bad:
                continue
            try:  # E4: the compiler has checks of its own; none may escape as a crash
                # The tree just checked is the one compiled (and not parsed a second time: a third
                # of a pack's compile time).
                template = self.env.from_string(ast)
            except (TemplateSyntaxError, RecursionError) as exc:
                findings.append(self._finding(name, paragraphs, numbers, getattr(exc, "lineno", None),
                                              f"the template tags are broken: {exc}"))
                continue
            self.parts[name] = CompiledPart(name, template, paragraphs, numbers, source)
        return findings

    @staticmethod
    def _finding(part: str, paragraphs: list[str], numbers: list[int], lineno: int | None,
                 message: str) -> DocxFinding:
        if lineno is not None and 1 <= lineno <= len(numbers) and numbers[lineno - 1]:
            return DocxFinding(part, message, numbers[lineno - 1], paragraphs[lineno - 1])
        return DocxFinding(part, message)

    @property
    def prints_seal(self) -> bool:
        return bool(self.seal_uses)

    def render(self, letter: Letter, *, draft: bool = False,
               signature_png: bytes | None = None, images: Mapping[str, bytes] | None = None) -> Rendered:
        """Render ``letter`` to .docx bytes; ``TemplateProblem`` when the template fails.

        ``images``: the pictures a letter pins by hash (``"sha256:<hex>"`` -> bytes); the seal
        named by ``sender.seal`` must be among them when the pack prints a seal, or the render is
        refused (``LetterInvalid`` on ``sender.seal``): a letter never falls back silently to
        the pack's placeholder seal.
        """
        check_letter_for_pack(self.manifest, letter)
        seal = self._pinned_seal(letter, images)
        signature = _signature_xml(signature_png, letter.signatory.name) if signature_png else None
        context, removals = build_context(letter, self.manifest, draft=draft,
                                          signature_image=signature)
        rendered: dict[str, bytes] = {}
        self.env.budget.start()  # E3: one counted budget (and one last-resort clock) for the whole letter
        try:
            for name, part in self.parts.items():
                rendered[name] = self._render_part(part, context)
        except MachineTooBusy as exc:
            raise MachineTooBusy(f"template {self.id}: {exc}") from None
        rendered[CORE_PROPS] = self._core_properties(letter)
        extra: list[tuple[str, bytes, bool]] = []
        if signature_png:
            self._add_signature(rendered, extra, signature_png)
        if seal is not None:
            self._fit_seal(rendered, *seal)
            rendered[SEAL_MEDIA] = seal[0]
        # The seal stays cacheable: the writer recognises the very same image object next time.
        members = [(name, rendered.get(name, blob), name not in rendered or name == SEAL_MEDIA)
                   for name, blob in self.members.items()]
        if CORE_PROPS not in self.members:
            members.append((CORE_PROPS, rendered[CORE_PROPS], False))
        return Rendered(self._zip.write(members + extra), removals)

    def _render_part(self, part: CompiledPart, context: dict[str, Any]) -> bytes:
        part.renders += 1
        if part.renders == 2:
            try:
                part.plan = _merge_plan(self.env, self.env.parse_again(part.source))
            except (TemplateSyntaxError, RecursionError):
                part.plan = None  # the part compiled whole: it renders whole, as it always could
        plan = part.plan
        if plan is None:
            return self._finish(part, self._chunks(part, part.template, context))
        values = tuple(context.get(key, _ABSENT) for key in plan.reads)
        kept = plan.values
        plan.replaying = kept is not None and (all(map(operator.is_, kept, values))
                                               or all(map(_same, kept, values)))
        plan.values = None  # until the runs' texts are made from ``values``, whatever happens on the way
        plan.render, plan.context = functools.partial(self._generate, part), context
        try:
            if plan.residual is None:
                (run,) = plan.places.values()
                chunks = [str(run.__html__())]
            else:
                given = {key: context[key] for key in plan.residual_reads if key in context}
                chunks = self._chunks(part, plan.residual, {**given, **plan.places})
        finally:
            plan.render = plan.context = None
        plan.values = values
        return self._finish(part, chunks)

    def _generate(self, part: CompiledPart, template: Template, context: dict[str, Any]) -> str:
        return "".join(self._chunks(part, template, context))

    def _chunks(self, part: CompiledPart, template: Template, context: dict[str, Any]) -> list[str]:
        """What ``template`` prints, piece by piece as Jinja yields it, within ``MAX_OUTPUT_PART``;
        ``TemplateProblem`` naming the paragraph when it fails."""
        try:
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT_PART:
                    raise TemplateProblem(_compile_error(
                        self.id, part, None, f"the template produced more than {MAX_OUTPUT_PART >> 20} MB of text"))
                chunks.append(chunk)
        except TemplateProblem:
            raise
        except (TemplateError, ArithmeticError, TypeError, ValueError, RecursionError,
                MemoryError, OverflowError, KeyError, IndexError, AttributeError) as exc:
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            raise TemplateProblem(_compile_error(self.id, part, _render_lineno(exc), message)) from None
        return chunks

    def _finish(self, part: CompiledPart, chunks: list[str]) -> bytes:
        """The part's bytes from its text, in ``chunks``: proved well formed, listings resolved.

        Text equal to the part's last is the same document: its bytes are the last ones (a
        merge's first header, a part that reads nothing of the addressee). Text that differs
        from the last only in plain character data where the last held plain character data
        has the last one's structure (``_Printed.same_structure``), so it is as well formed.
        """
        xml = "".join(chunks)
        last = part.last
        if last is not None and last.xml == xml:
            return last.data
        if last is None or len(xml) > _PROVED_AT_MOST or not last.same_structure(chunks):
            self._prove_well_formed(part, xml)
        # The line breaks the compiled source put before each paragraph (for line numbers) go again;
        # a value's own "<" is escaped, so these are the only ones. str.replace: a quarter of re.sub's time.
        data = _resolve_listing(xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")).encode("utf-8")
        part.last = _Printed(xml, chunks, data)
        return data

    def _prove_well_formed(self, part: CompiledPart, xml: str) -> None:
        try:
            etree.fromstring(xml.encode("utf-8"), SAFE_PARSER)
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else None
            raise TemplateProblem(_compile_error(
                self.id, part, line,
                f"the template's tags produce broken Word XML ({exc.msg}); "
                "check that paragraph-level tags ({%p ... %}) stand in paragraphs of their own",
            )) from None

    def _pinned_seal(self, letter: Letter, images: Mapping[str, bytes] | None) -> tuple[bytes, int, int] | None:
        """The letter's own seal image, checked, with its size; None when the pack keeps its own."""
        reference = letter.sender.seal
        if reference is None or not self.seal_uses:
            return None
        png = images.get(reference) if images is not None else None
        if png is None:
            raise LetterInvalid([Problem("sender.seal", f"the seal image {reference} this letter pins is not "
                                                        "in this office's seal store; choose the seal again in "
                                                        "Office > Court profile, or remove sender.seal")])
        known = self._checked_seal
        if known is not None and known[0] == reference and known[1] is png:
            return known[1], known[2], known[3]  # a mail merge: the very image checked a letter ago
        checked = check_seal(reference, png)
        self._checked_seal = (reference, *checked)
        return checked

    def _fit_seal(self, rendered: dict[str, bytes], png: bytes, width: int, height: int) -> None:
        """Keep the seal's proportions inside the box the pack drew for it (a wide logo is not
        squeezed into a square seal's place); a seal of the box's own shape changes nothing."""
        for part, rel_id in self.seal_uses:
            blob = rendered.get(part, self.members.get(part))
            if blob is None:
                continue
            root = etree.fromstring(blob, SAFE_PARSER)
            changed = False
            for blip in root.iter(_NS_A + "blip"):
                if blip.get(_NS_R + "embed") != rel_id:
                    continue
                frame = next((a for a in blip.iterancestors() if a.tag in (_NS_WP + "inline", _NS_WP + "anchor")),
                             None)
                extent = frame.find(_NS_WP + "extent") if frame is not None else None
                if frame is None or extent is None:
                    continue
                try:
                    box_cx, box_cy = int(extent.get("cx", "0")), int(extent.get("cy", "0"))
                except ValueError:
                    continue
                if box_cx <= 0 or box_cy <= 0 or box_cx * height == box_cy * width:
                    continue
                scale = min(box_cx / width, box_cy / height)
                cx, cy = str(max(1, int(width * scale))), str(max(1, int(height * scale)))
                extent.set("cx", cx)
                extent.set("cy", cy)
                for ext in frame.iter(_NS_A + "ext"):
                    parent = ext.getparent()
                    if parent is not None and parent.tag == _NS_A + "xfrm":
                        ext.set("cx", cx)
                        ext.set("cy", cy)
                changed = True
            if changed:
                rendered[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _core_properties(self, letter: Letter) -> bytes:
        return _core_properties(letter.subject, letter.signatory.name, letter.date, letter.reference)

    def _add_signature(self, rendered: dict[str, bytes], extra: list[tuple[str, bytes, bool]],
                       png: bytes) -> None:
        rels_name = "word/_rels/document.xml.rels"
        rels = self.members.get(rels_name, b"").decode("utf-8")
        rel = (f'<Relationship Id="{SIGNATURE_RID}" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
               'Target="media/chambers-signature.png"/>')
        rendered[rels_name] = rels.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
        types = self.members["[Content_Types].xml"].decode("utf-8")
        if 'Extension="png"' not in types:
            types = types.replace("<Override", '<Default Extension="png" ContentType="image/png"/><Override', 1)
            rendered["[Content_Types].xml"] = types.encode("utf-8")
        extra.append((SIGNATURE_MEDIA, png, False))


def check_seal(reference: str, png: bytes) -> tuple[bytes, int, int]:
    """``png`` as the seal ``reference`` pins, with its (width, height); ``LetterInvalid`` on
    ``sender.seal`` when it is not a PNG of sane size or is not the very image the hash names."""
    def refused(why: str) -> LetterInvalid:
        return LetterInvalid([Problem("sender.seal", f"the seal image {reference} {why}")])

    if len(png) > MAX_SEAL_BYTES:
        raise refused(f"is {len(png):,} bytes; a seal may be at most {MAX_SEAL_BYTES:,}")
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 33 or png[12:16] != b"IHDR":
        raise refused("is not a PNG picture")
    if "sha256:" + hashlib.sha256(png).hexdigest() != reference:
        raise refused("does not match its hash: the stored image was changed")
    width, height = struct.unpack(">II", png[16:24])
    if not (0 < width <= MAX_SEAL_PIXELS and 0 < height <= MAX_SEAL_PIXELS):
        raise refused(f"is {width}x{height} pixels; each side must be 1 to {MAX_SEAL_PIXELS}")
    return png, width, height


def check_pack(folder: Path) -> list[str]:
    """Every finding for the pack in ``folder``, in words; empty when the pack is sound.

    Sound means what a clerk needs: the pack compiles and its sample letter and a letter at
    every size limit of the data contract render within the budgets of a real render.
    """
    from app.rendering.trial import trial_render  # it renders CompiledPacks: imported here, not above

    try:
        pack = CompiledPack(folder)
    except TemplateProblem as exc:
        return str(exc).split("\n")
    return trial_render(pack, folder)


__all__ = ["CompiledPack", "Rendered", "check_pack", "check_seal"]
