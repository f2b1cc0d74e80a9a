"""Hostile template packages, one test per class of attack, each refused at load.

Every case builds its pack in ``tmp_path`` (by hand where python-docx would never write such a
package), renders it through the same service the command line uses, and asserts a refusal that
names the part (and the paragraph where there is one), and that nothing was written: no letter,
no temporary file, no change to the pack. The variants inside each class are the ways an earlier
regex-based check was beaten (quotes, character references, spaces around ``=``, lower case,
fields split over runs, ...).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.errors import TemplateProblem
from app.core.letter import parse_letter
from app.rendering.engine import CompiledPack, check_pack
from app.services.letters import render_file
from app.services.templates import TemplateLibrary
from tests.conftest import ROOT
from tests.rendering import helpers as h

Members = dict[str, bytes]
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PASSWD = Path("/etc/passwd")
BASE = ["{{ date_line }}", "Dear Justice,", "Sincerely,"]
LETTER = {
    "date": "2017-03-16", "subject": "Courthouse arrests",
    "sender": {"court": "Supreme Court of California", "address": ["San Francisco, CA"]},
    "signatory": {"name": "Tani G. Cantil-Sakauye", "title": "Chief Justice of California"},
    "addressees": [{"honorific": "The Honorable", "name": "Jeff Sessions",
                    "title": "Attorney General of the United States"}],
    "concerns": ["Arrests inside courthouses deter witnesses and victims from coming to court."],
}


def base() -> Members:
    return h.docx_members(BASE)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.lstat().st_mode, p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            for p in sorted(folder.iterdir())}


def refused(folder: Path, tmp_path: Path) -> str:
    """Render the pack as the command line does; the refusal, after checking nothing was written."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    before = snapshot(folder)
    with pytest.raises(TemplateProblem) as caught:
        render_file(TemplateLibrary([]), str(folder), LETTER, out / "letter.docx")
    assert list(out.iterdir()) == [], "a letter or temporary file was written"
    assert snapshot(folder) == before, "the pack was changed"
    message = str(caught.value)
    assert "Traceback" not in message
    assert "root:x:" not in message
    return message


def pack_of(tmp_path: Path, members: Members) -> Path:
    return h.make_pack_from_members(tmp_path / "pack", members)


def with_rels_xml(members: Members, xml: str, rels: str = h.DOCUMENT_RELS) -> Members:
    return {**members, rels: members[rels].replace(b"</Relationships>", xml.encode() + b"</Relationships>")}


def raw_zip(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A zip written byte by byte: names exactly as given (NUL, duplicates and all)."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        packed = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packed.compress(data) + packed.flush()
        crc, offset = zlib.crc32(data), out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), len(data),
                              len(name), 0) + name + body)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(body),
                                   len(data), len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def assert_paragraph(message: str, number: int) -> None:
    assert f"word/document.xml, paragraph {number} (\u201c" in message, message


# --- Word showing a different letter: hidden, second or unreachable main parts ---------------------
HIDDEN_LETTER = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="' + h.W_NS.encode() + b'"><w:body>'
                 b"<w:p><w:r><w:t>A different letter that Word would print.</w:t></w:r></w:p></w:body></w:document>")


def main_points_elsewhere() -> Members:
    members = h.with_override(base(), "word/hidden.xml", h.WORD_MAIN)
    members["_rels/.rels"] = members["_rels/.rels"].replace(b'Target="word/document.xml"', b'Target="word/hidden.xml"')
    return {**members, "word/hidden.xml": HIDDEN_LETTER}


def second_main_unreachable() -> Members:
    members = h.with_override(base(), "word/hidden.xml", h.WORD_MAIN)
    return {**members, "word/hidden.xml": HIDDEN_LETTER}


def second_main_reachable() -> Members:
    members = h.with_override(base(), "word/hidden.xml", h.WORD_MAIN)
    members = with_rels_xml(members, f'<Relationship Id="rIdX" Type="{RT}header" Target="hidden.xml"/>')
    return {**members, "word/hidden.xml": HIDDEN_LETTER}


def two_office_documents() -> Members:
    members = h.with_override(base(), "word/hidden.xml", h.WORD_MAIN)
    members = with_rels_xml(members, f'<Relationship Id="rIdX" Type="{RT}officeDocument" Target="word/hidden.xml"/>',
                            rels="_rels/.rels")
    return {**members, "word/hidden.xml": HIDDEN_LETTER}


def main_in_strange_spelling() -> Members:
    members = base()
    members["_rels/.rels"] = members["_rels/.rels"].replace(b'Target="word/document.xml"',
                                                            b'Target="word/./media/../document.xml"')
    return members


def header_not_named_as_one() -> Members:
    members = h.with_override(base(), "word/letterhead.xml",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")
    members = with_rels_xml(members, f'<Relationship Id="rIdX" Type="{RT}header" Target="letterhead.xml"/>')
    header = HIDDEN_LETTER.replace(b"w:document", b"w:hdr").replace(b"<w:body>", b"").replace(b"</w:body>", b"")
    return {**members, "word/letterhead.xml": header}


@pytest.mark.parametrize(("make", "part", "words"), [
    (main_points_elsewhere, "_rels/.rels", "the main document must be word/document.xml"),
    (main_points_elsewhere, "word/document.xml", "is not reached from the package's relationships"),
    (second_main_unreachable, "word/hidden.xml", "is not reached from the package's relationships"),
    (second_main_reachable, "word/hidden.xml", "second main document"),
    (two_office_documents, "_rels/.rels", "named once; this package names word/document.xml, word/hidden.xml"),
    (main_in_strange_spelling, "_rels/.rels", "names its part in an unusual way"),
    (header_not_named_as_one, "word/letterhead.xml", "does not fit its name"),
], ids=["main-elsewhere", "main-elsewhere-orphan", "second-main-hidden", "second-main-reached", "two-mains",
        "main-dot-segments", "header-renamed"])
def test_word_and_the_preview_always_read_the_same_letter(make: Callable[[], Members], part: str, words: str,
                                                         tmp_path: Path) -> None:
    message = refused(pack_of(tmp_path, make()), tmp_path)
    assert f"template hostile, {part}: " in message, message
    assert words in message, message


def test_a_part_no_relationship_reaches_is_refused_not_copied(tmp_path: Path) -> None:
    members = {**base(), "word/media/tracker.png": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    message = refused(pack_of(tmp_path, members), tmp_path)
    assert "word/media/tracker.png: is not reached from the package's relationships" in message


# --- relationships to the outside, every way the old text search missed -------------------------------
OUTSIDE = "http://evil.example/pixel.png"


@pytest.mark.parametrize("relationship", [
    f"<Relationship Id='rIdX' Type='{RT}image' Target='{OUTSIDE}' TargetMode='External'/>",
    f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}" TargetMode="&#69;xternal"/>',
    f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}" TargetMode = "External" />',
    f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}?{RT}hyperlink" TargetMode="External"/>',
    f'<Relationship Id="rIdX" Type="{RT}hyperlink" Target="file:///etc/passwd" TargetMode="External"/>',
    f'<Relationship Id="rIdX" Type="{RT}hyperlink" Target="\\\\evil.example\\share" TargetMode="External"/>',
], ids=["single-quotes", "character-reference", "spaces-around-equals", "type-in-url", "file-hyperlink",
        "unc-hyperlink"])
def test_a_relationship_to_the_outside_is_refused(relationship: str, tmp_path: Path) -> None:
    message = refused(pack_of(tmp_path, with_rels_xml(base(), relationship)), tmp_path)
    assert "template hostile, word/_rels/document.xml.rels: links to an outside resource (" in message, message


@pytest.mark.parametrize(("relationship", "words"), [
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}"/>', "points outside the package"),
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="../../../etc/passwd"/>', "points outside the package"),
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="/etc/passwd"/>', "points outside the package"),
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="media/%2e%2e/%2e%2e/%2e%2e/x"/>', "points outside"),
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}" TargetMode="external"/>',
     "unknown target mode"),
    (f'<Relationship Id="rIdX" Type="{RT}image" Target="{OUTSIDE}" targetmode="External"/>',
     "attributes Word does not know"),
    (f'<Relationship Id="rId1" Type="{RT}image" Target="media/x.png"/>', "used twice"),
], ids=["url-without-mode", "dot-dot", "absolute", "percent-encoded-dot-dot", "lower-case-mode",
        "lower-case-attribute", "duplicate-id"])
def test_a_relationship_that_escapes_or_reads_two_ways_is_refused(relationship: str, words: str,
                                                                  tmp_path: Path) -> None:
    message = refused(pack_of(tmp_path, with_rels_xml(base(), relationship)), tmp_path)
    assert "template hostile, word/_rels/document.xml.rels: " in message
    assert words in message, message


def test_a_web_link_used_as_a_picture_is_refused(tmp_path: Path) -> None:
    """A hyperlink relationship is harmless only while a hyperlink uses it; a picture would fetch it."""
    members = with_rels_xml(base(), f'<Relationship Id="rIdLink" Type="{RT}hyperlink" Target="{OUTSIDE}" '
                                    'TargetMode="External"/>')
    picture = (f'<w:p><w:r><w:t>Seal</w:t></w:r><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/'
               f'drawingml/2006/main" xmlns:r="{R_NS}" r:link="rIdLink"/></w:drawing></w:r></w:p>')
    message = refused(pack_of(tmp_path, h.with_body_xml(members, picture)), tmp_path)
    assert "uses the outside link rIdLink for something other than a hyperlink" in message
    assert_paragraph(message, 4)


def test_a_web_link_used_as_a_hyperlink_is_accepted(tmp_path: Path) -> None:
    members = with_rels_xml(base(), f'<Relationship Id="rIdLink" Type="{RT}hyperlink" '
                                    'Target="https://www.courts.ca.gov/" TargetMode="External"/>')
    link = (f'<w:p><w:hyperlink xmlns:r="{R_NS}" r:id="rIdLink"><w:r><w:t>courts.ca.gov</w:t></w:r>'
            "</w:hyperlink></w:p>")
    assert check_pack(pack_of(tmp_path, h.with_body_xml(members, link))) == []


# --- fields that pull in outside content ---------------------------------------------------------------
def complex_field(*pieces: str) -> str:
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{p}</w:instrText></w:r>' for p in pieces)
    return ('<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'{runs}<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>shown</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def simple_field(instruction: str) -> str:
    return f'<w:p><w:fldSimple w:instr="{instruction}"><w:r><w:t>shown</w:t></w:r></w:fldSimple></w:p>'


NESTED_KIND = ('<w:p><w:r><w:t>See </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
               '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>QUOTE "INCLUDE" "TEXT"</w:instrText>'
               '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText> "C:\\\\secret.docx"'
               '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


@pytest.mark.parametrize("xml", [
    complex_field(" includepicture &quot;http://evil.example/p.png&quot; \\d "),
    complex_field(" INCLUDE", "PICTURE &quot;http://evil.example/p.png&quot; "),
    complex_field(" Inc", "ludeText &quot;C:\\\\secret.docx&quot; "),
    complex_field(" DATABASE \\d &quot;C:\\\\court.mdb&quot; \\s &quot;SELECT * FROM judges&quot; "),
    complex_field(" LINK Excel.Sheet.8 &quot;C:\\\\x.xls&quot; "),
    complex_field(" dde ", "cmd &quot;/c calc&quot; "),
    complex_field(" DDEAUTO cmd &quot;/c calc&quot; "),
    complex_field(" IMPORT &quot;http://evil.example/x.wmf&quot; "),
    complex_field(" HYPERLINK &quot;file:///C:/Windows/System32/calc.exe&quot; "),
    complex_field(" MACROBUTTON AutoOpen click "),
    simple_field(" database \\d &quot;C:\\\\court.mdb&quot; "),
    simple_field(" INCLUDEpicture &quot;http://evil.example/p.png&quot; "),
    NESTED_KIND,
], ids=["lower-case", "split-over-runs", "split-mixed-case", "database", "link", "dde-split", "ddeauto", "import",
        "hyperlink-to-file", "macrobutton", "simple-database", "simple-mixed-case", "kind-built-by-a-field"])
def test_a_field_that_reaches_outside_is_refused_wherever_its_words_are(xml: str, tmp_path: Path) -> None:
    message = refused(pack_of(tmp_path, h.with_body_xml(base(), xml)), tmp_path)
    assert_paragraph(message, 4)
    assert "field" in message, message


def test_harmless_fields_are_accepted(tmp_path: Path) -> None:
    xml = (complex_field(" PAGE ") + simple_field(" NUMPAGES ")
           + complex_field(" HYPERLINK &quot;https://www.courts.ca.gov/&quot; "))
    assert check_pack(pack_of(tmp_path, h.with_body_xml(base(), xml))) == []


# --- other documents, objects and controls inside the letter --------------------------------------------
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def alt_chunk() -> Members:
    members = with_rels_xml(base(), f'<Relationship Id="rIdAlt" Type="{RT}aFChunk" Target="extra.html"/>')
    members = h.with_override(members, "word/extra.html", "text/html")
    xml = f'<w:altChunk xmlns:r="{R_NS}" r:id="rIdAlt"/>'
    return {**h.with_body_xml(members, xml), "word/extra.html": b"<html><body>Another letter</body></html>"}


def ole_in_media() -> Members:
    members = with_rels_xml(base(), f'<Relationship Id="rIdOle" Type="{RT}oleObject" Target="media/image9.png"/>')
    xml = ('<w:p><w:r><w:t>Chart</w:t></w:r><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:'
           f'office" xmlns:r="{R_NS}" ProgID="Package" r:id="rIdOle"/></w:object></w:r></w:p>')
    return {**h.with_body_xml(members, xml), "word/media/image9.png": OLE_MAGIC}


def ole_as_picture() -> Members:
    members = with_rels_xml(base(), f'<Relationship Id="rIdImg" Type="{RT}image" Target="media/image9.png"/>')
    members = h.with_override(members, "word/media/image9.png", "image/png")
    return {**members, "word/media/image9.png": OLE_MAGIC}


def control() -> Members:
    return h.with_body_xml(base(), '<w:p><w:r><w:t>Box</w:t></w:r><w:r><w:control w:name="x"/></w:r></w:p>')


@pytest.mark.parametrize(("make", "words"), [
    (alt_chunk, "pulls in another document (altChunk)"),
    (ole_in_media, "holds an embedded or linked object (OLE)"),
    (ole_in_media, "relationship rIdX is of a kind".replace("rIdX", "rIdOle")),
    (ole_as_picture, "word/media/image9.png: is not the picture its content type says"),
    (control, "holds an ActiveX control"),
], ids=["altchunk", "ole-outside-embeddings", "ole-relationship", "ole-dressed-as-png", "activex-control"])
def test_other_documents_and_objects_are_refused(make: Callable[[], Members], words: str, tmp_path: Path) -> None:
    message = refused(pack_of(tmp_path, make()), tmp_path)
    assert words in message, message


# --- zip member names ------------------------------------------------------------------------------------
def renamed(members: Members, extra: list[tuple[bytes, bytes]]) -> bytes:
    return raw_zip([(n.encode(), b) for n, b in members.items()] + extra)


@pytest.mark.parametrize(("extra", "words"), [
    ([(b"../evil.xml", b"<a/>")], "'..' segment"),
    ([(b"word/../../evil.xml", b"<a/>")], "'..' segment"),
    ([(b"/etc/cron.d/evil", b"x")], "absolute path"),
    ([(b"C:/evil.xml", b"<a/>")], "absolute path"),
    ([(b"word\\evil.xml", b"<a/>")], "backslash"),
    ([(b"word/document.xml", b"<a/>")], "twice"),
    ([(b"Word/Document.xml", b"<a/>")], "Word ignores case"),
    ([(b"word/document.xml\x00.png", b"<a/>")], "NUL"),
    ([(b"word/media/", b"")], "folder entry"),
], ids=["dot-dot", "dot-dot-inside", "absolute", "drive-letter", "backslash", "duplicate", "case-collision", "nul",
        "folder-entry"])
def test_unsafe_member_names_are_refused(extra: list[tuple[bytes, bytes]], words: str, tmp_path: Path) -> None:
    folder = h.write_raw_docx(tmp_path / "pack", renamed(base(), extra))
    message = refused(folder, tmp_path)
    assert message.startswith("template hostile: the part"), message
    assert words in message, message


# --- the pack's own files: links, pipes, devices, sizes --------------------------------------------------
def good_pack(tmp_path: Path) -> Path:
    folder = h.make_pack(tmp_path / "pack", BASE)
    (folder / "sample.json").write_text(json.dumps(LETTER), encoding="utf-8")
    return folder


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("name", "make", "words"), [
    ("letter.docx", lambda p: p.symlink_to("/dev/zero"), "is a link to another file"),
    ("letter.docx", lambda p: os.mkfifo(p), "is not a plain file"),
    ("letter.docx", lambda p: p.mkdir(), "is not a plain file"),
    ("letter.docx", lambda p: p.symlink_to(p.parent.parent / "elsewhere.docx"), "is a link to another file"),
    ("letter.docx", lambda p: os.truncate(p, 21 << 20) if p.touch() is None else None, "larger than 20 MB"),
    ("manifest.yaml", lambda p: p.symlink_to(PASSWD), "is a link to another file"),
    ("manifest.yaml", lambda p: os.mkfifo(p), "is not a plain file"),
], ids=["docx-to-dev-zero", "docx-fifo", "docx-folder", "docx-link-out", "docx-sparse-21mb", "manifest-link",
        "manifest-fifo"])
def test_pack_files_must_be_plain_files_inside_the_pack(name: str, make: Callable[[Path], object], words: str,
                                                       tmp_path: Path) -> None:
    folder = good_pack(tmp_path)
    (tmp_path / "elsewhere.docx").write_bytes((folder / "letter.docx").read_bytes())
    target = folder / name
    keep = target.read_bytes()
    target.unlink()
    if name == "manifest.yaml":
        (tmp_path / "manifest-copy.yaml").write_bytes(keep)
    make(target)
    message = refused(folder, tmp_path)
    assert f"{target}: " in message, message
    assert words in message, message


@pytest.mark.timeout(20)
@pytest.mark.parametrize("make", [
    lambda p: p.symlink_to(PASSWD),
    lambda p: os.mkfifo(p),
    lambda p: p.write_bytes(b" " * (3 << 20)),
], ids=["link-to-system-file", "fifo", "too-large"])
def test_the_sample_letter_must_be_a_plain_file_inside_the_pack(make: Callable[[Path], object],
                                                               tmp_path: Path) -> None:
    folder = good_pack(tmp_path)
    (folder / "sample.json").unlink()
    make(folder / "sample.json")
    with pytest.raises(TemplateProblem) as caught:
        TemplateLibrary([]).sample(str(folder))
    assert str(caught.value).startswith(f"{folder / 'sample.json'}: "), caught.value
    assert "root:x:" not in str(caught.value)


@pytest.mark.timeout(60)
def test_the_sample_command_does_not_print_a_linked_system_file(tmp_path: Path) -> None:
    if not PASSWD.exists():
        pytest.skip("no /etc/passwd here")
    folder = good_pack(tmp_path)
    (folder / "sample.json").unlink()
    (folder / "sample.json").symlink_to(PASSWD)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "sample", str(folder)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "root:" not in proc.stdout + proc.stderr
    assert "is a link to another file" in proc.stderr


def test_a_manifest_of_aliases_is_refused(tmp_path: Path) -> None:
    folder = good_pack(tmp_path)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (folder / "manifest.yaml").write_text("\n".join(lines) + "\nid: hostile\n", encoding="utf-8")
    message = refused(folder, tmp_path)
    assert "anchors and aliases" in message


# --- markup that made the old regexes quadratic, and what the letter must never carry --------------------
def with_comment(members: Members, part: str, comment: bytes) -> Members:
    """The comment just before the root's end tag: after the last ``</w:p>``, where a search for
    a paragraph's end from each ``<w:p `` runs to the end of the part every time."""
    xml = members[part]
    end = xml.rindex(b"</")
    return {**members, part: xml[:end] + b"<!--" + comment + b"-->" + xml[end:]}


# The quadratic versions of these took minutes (116 s for the comment pack); the linear ones take
# a fraction of a second. No assertion reads the clock (a verdict must not depend on the machine's
# load): the per-test timeout is the guard, with a margin of two orders of magnitude.
@pytest.mark.timeout(30)
def test_eighty_thousand_paragraph_starts_in_a_comment_check_fast_and_never_reach_the_letter(
        tmp_path: Path) -> None:
    members = with_comment(base(), h.DOCUMENT, b"<w:p " * 80_000)
    members = with_comment(members, "word/styles.xml", b"<w:p {{ " * 20_000)
    folder = pack_of(tmp_path, members)
    assert check_pack(folder) == []
    pack = CompiledPack(folder)
    rendered = pack.render(parse_letter(LETTER).letter).data
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        for name in archive.namelist():
            assert b"<!--" not in archive.read(name), name


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("xml", "paragraph", "words"), [
    ('<w:p><w:r><w:t>x</w:t></w:r><w:bookmarkStart w:id="1" w:name="' + "{{" * 40_000 + '"/></w:p>',
     4, "in an attribute"),
    ('<w:p><w:r><w:t>{</w:t></w:r></w:p><w:p><w:r><w:t>{ subject }}</w:t></w:r></w:p>',
     5, "split across paragraphs"),
    ('<w:p><w:r><w:t>Re: </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>'
     'PAGE {{ subject }}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>', 4,
     "in a field code or other markup"),
    ("<w:p>" + '<w:r><w:t>{{ subject </w:t></w:r>' * 20_000 + "</w:p>", 4, "is not closed with }}"),
], ids=["tags-in-attribute", "tag-across-paragraphs", "tag-in-field-code", "unclosed-tags-in-bulk"])
def test_tags_outside_the_text_are_refused_in_linear_time(xml: str, paragraph: int, words: str,
                                                          tmp_path: Path) -> None:
    folder = pack_of(tmp_path, h.with_body_xml(base(), xml))
    message = refused(folder, tmp_path)
    assert f"template hostile, word/document.xml, paragraph {paragraph} (" in message, message
    assert words in message, message


@pytest.mark.timeout(30)
def test_a_part_over_the_element_budget_is_refused_before_it_is_built(tmp_path: Path) -> None:
    names = random.Random(7)  # varied names, so the part does not compress like a zip bomb
    xml = "<w:p>" + "".join(f"<q{names.randrange(1 << 16):x}/>" for _ in range(450_000)) + "</w:p>"
    message = refused(pack_of(tmp_path, h.with_body_xml(base(), xml)), tmp_path)
    assert "word/document.xml: has more than 400,000 XML elements" in message


# --- the same refusals through the real command line ----------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # a letter.docx that streams /dev/zero would hit this and crash, not pass
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def cli_pack(case: str, folder: Path) -> str:
    """The pack for ``case`` in ``folder``, and words its refusal must hold."""
    if case == "hidden-main":
        h.make_pack_from_members(folder, main_points_elsewhere())
        return "_rels/.rels: the main document must be word/document.xml"
    if case == "external-by-character-reference":
        h.make_pack_from_members(folder, with_rels_xml(base(), f'<Relationship Id="rIdX" Type="{RT}image" '
                                                               f'Target="{OUTSIDE}" TargetMode="&#69;xternal"/>'))
        return f"links to an outside resource ({OUTSIDE})"
    if case == "split-lower-case-field":
        h.make_pack_from_members(folder, h.with_body_xml(base(), complex_field(" include", "text &quot;x&quot; ")))
        return "word/document.xml, paragraph 4"
    if case == "dot-dot-member":
        h.write_raw_docx(folder, renamed(base(), [(b"../../evil.xml", b"<a/>")]))
        return "'..' segment"
    h.make_pack(folder, BASE)
    (folder / "letter.docx").unlink()
    (folder / "letter.docx").symlink_to("/dev/zero")
    return "is a link to another file"


@pytest.mark.timeout(180)
@pytest.mark.parametrize("case", ["hidden-main", "external-by-character-reference", "split-lower-case-field",
                                  "dot-dot-member", "letter-linked-to-dev-zero"])
def test_cli_render_and_check_refuse_with_exit_3_and_write_nothing(case: str, tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    words = cli_pack(case, folder)
    data = tmp_path / "letter.json"
    data.write_text(json.dumps(LETTER), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli("render", "--template", str(folder), "--data", str(data), "--out", str(out / "letter.docx"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stderr.startswith("The template cannot be used:\n  template hostile"), proc.stderr
    assert words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(out.iterdir()) == []
    proc = run_cli("templates", "check", str(folder))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert words in proc.stderr, proc.stderr
    assert "sound" not in proc.stdout


# --- what the check decided is what the template engine reads -------------------------------------------
@pytest.mark.parametrize("xml", [
    "<w:p><w:r><w:t><![CDATA[Re: {{ subject }}]]></w:t></w:r></w:p>",
    "<w:p><w:r><w:t>Re: &#123;&#123; subject &#125;&#125;</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>Re: {{ subject <!-- }} --> }}</w:t></w:r></w:p>",
], ids=["cdata", "character-references", "comment-inside-a-tag"])
def test_the_engine_renders_the_tags_the_check_saw(xml: str, tmp_path: Path) -> None:
    pack = CompiledPack(pack_of(tmp_path, h.with_body_xml(base(), xml)))
    paragraphs = h.body_paragraph_texts(pack.render(parse_letter(LETTER).letter).data)
    assert "Re: Courthouse arrests" in paragraphs, paragraphs


def test_word_markup_under_another_prefix_is_refused(tmp_path: Path) -> None:
    xml = f'<x:p xmlns:x="{h.W_NS}"><x:r><x:t>Re: {{{{ subject }}}}</x:t></x:r></x:p>'
    message = refused(pack_of(tmp_path, h.with_body_xml(base(), xml)), tmp_path)
    assert "word/document.xml: writes Word's markup under another XML prefix" in message


@pytest.mark.parametrize("xml", [
    complex_field(" DATE \\@ &quot;MMMM d, yyyy&quot; "),
    simple_field(" PRINTDATE "),
], ids=["date", "printdate"])
def test_a_field_that_prints_the_day_of_printing_is_refused(xml: str, tmp_path: Path) -> None:
    """The approved letter carries its own date; a DATE field would print another one later."""
    message = refused(pack_of(tmp_path, h.with_body_xml(base(), xml)), tmp_path)
    assert_paragraph(message, 4)


def test_alternate_content_must_say_the_same_in_every_version(tmp_path: Path) -> None:
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    xml = (f'<w:p><w:r><w:t>Pay </w:t></w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="w14">'
           '<w:r><w:t>$1,000,000</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>$10</w:t></w:r></mc:Fallback>'
           "</mc:AlternateContent></w:p>")
    message = refused(pack_of(tmp_path, h.with_body_xml(base(), xml)), tmp_path)
    assert "alternate content whose versions say different things" in message
    assert_paragraph(message, 4)
    same = xml.replace("$10<", "$1,000,000<")
    assert check_pack(pack_of(tmp_path / "same", h.with_body_xml(base(), same))) == []


@pytest.mark.timeout(30)
def test_relationships_by_the_thousand_are_refused_at_once(tmp_path: Path) -> None:
    relationships = "".join(f'<Relationship Id="rIdN{i}" Type="{RT}image" Target="media/i{i}.png"/>'
                            for i in range(50_000))
    message = refused(pack_of(tmp_path, with_rels_xml(base(), relationships)), tmp_path)
    assert "word/_rels/document.xml.rels: has 50,0" in message
    assert "at most 1,000 are allowed" in message


@pytest.mark.timeout(30)
def test_sixty_thousand_bad_fields_give_a_short_answer_fast(tmp_path: Path) -> None:
    paths = random.Random(3)  # varied, so the part does not compress like a zip bomb
    xml = "".join(simple_field(f" INCLUDETEXT c:\\{paths.randrange(10**9)} ") for _ in range(60_000))
    members = h.with_body_xml(h.docx_members(["Dear Justice,"]), xml)  # no tags: every field is looked at
    message = refused(pack_of(tmp_path, members), tmp_path)
    assert len(message.splitlines()) == 26, message[-300:]
    assert message.endswith("word/document.xml: 59,975 more problems like these are not listed")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("empty", ['<w:p w:rsidR="00A1"/>', '<w:p><w:r w:rsidR="00A1"/></w:p>'],
                         ids=["paragraphs", "runs"])
def test_empty_paragraphs_by_the_ten_thousand_render_in_linear_time(empty: str, tmp_path: Path) -> None:
    """Written <w:p .../>, an empty paragraph has no end tag of its own for a search to stop at."""
    members = h.with_body_xml(h.docx_members(["{% for c in concerns %}{{ c }}{% endfor %}"]), empty * 20_000)
    pack = CompiledPack(pack_of(tmp_path, members))
    data = json.loads(json.dumps(LETTER))
    data["concerns"] = ["First line\nsecond line\tand a tab"]
    rendered = pack.render(parse_letter(data).letter).data
    assert "First line\nsecond line\tand a tab" in h.body_paragraph_texts(rendered)
