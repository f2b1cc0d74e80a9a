"""Redlines as Word tracked changes: accept all gives the newer letter, reject all the older."""

from __future__ import annotations

import copy
import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from app.core.letter import Letter
from app.rendering.engine import CompiledPack
from app.rendering.pdf import find_soffice
from app.rendering.redline import Revision, redline
from tests.conftest import TEMPLATES, need_libreoffice, sample_data

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PACK = CompiledPack(TEMPLATES / "officials-concern")


def render(data: dict[str, Any]) -> bytes:
    return PACK.render(Letter.model_validate(data), draft=False).data


def versions() -> list[dict[str, Any]]:
    v1 = sample_data()
    v2 = copy.deepcopy(v1)
    v2["subject"] = "Immigration arrests in California courthouses"
    v2["concerns"][0] = v2["concerns"][0].replace("do not come by choice", "rarely come by choice")
    del v2["concerns"][2]
    v3 = copy.deepcopy(v2)
    v3["concerns"].append("The court also asks for a meeting with the regional field office.")
    v3["closing"][0] = v3["closing"][0] + " Thank you."
    return [v1, v2, v3]


def revisions() -> list[Revision]:
    at = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    authors = ["maria", "maria", "devon"]
    return [Revision(n + 1, authors[n], at + dt.timedelta(hours=n), render(data)) for n, data in enumerate(versions())]


def _resolve(document_xml: bytes, accept: bool) -> list[str]:
    """The body's paragraph texts after accepting (or rejecting) every tracked change."""
    root = etree.fromstring(document_xml)
    drop, keep = (f"{W}del", f"{W}ins") if accept else (f"{W}ins", f"{W}del")
    for paragraph in list(root.iter(f"{W}p")):
        # A paragraph whose mark is dropped goes, unless text that stays is left in it.
        mark = paragraph.find(f"{W}pPr/{W}rPr/{drop}")
        stays = [t for t in paragraph.iter(f"{W}t") if t.getparent().getparent().tag != drop]
        if mark is not None and not any(t.text for t in stays):
            paragraph.getparent().remove(paragraph)
    for element in list(root.iter(drop)):
        if element.getparent() is not None and element.getparent().tag != f"{W}rPr":
            element.getparent().remove(element)
    for element in list(root.iter(keep)):
        parent = element.getparent()
        if parent.tag == f"{W}rPr":
            parent.remove(element)
            continue
        for child in list(element):
            element.addprevious(child)
        parent.remove(element)
    for node in root.iter(f"{W}delText"):
        node.tag = f"{W}t"
    body = root.find(f"{W}body")
    texts = []
    for p in body.iter(f"{W}p"):
        text = "".join(n.text or "" if n.tag == f"{W}t" else "\t" for n in p.iter(f"{W}t", f"{W}tab"))
        if text.strip():
            texts.append(text)
    return texts


def _plain(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _resolve(archive.read("word/document.xml"), accept=True)


def test_accept_all_gives_the_newer_and_reject_all_the_older() -> None:
    revs = revisions()
    marked = redline(revs)
    with zipfile.ZipFile(io.BytesIO(marked)) as archive:
        document_xml = archive.read("word/document.xml")
        settings = archive.read("word/settings.xml")
    assert b"<w:ins " in document_xml
    assert b"<w:del " in document_xml
    assert b"trackRevisions" in settings
    assert _resolve(document_xml, accept=True) == _plain(revs[-1].docx)
    assert _resolve(document_xml, accept=False) == _plain(revs[0].docx)


def test_each_change_carries_the_author_and_date_of_the_version_that_made_it() -> None:
    marked = redline(revisions())
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(marked)).read("word/document.xml"))
    by_author: dict[str, set[str]] = {}
    for element in root.iter(f"{W}ins", f"{W}del"):
        text = "".join(element.itertext())
        by_author.setdefault(element.get(f"{W}author"), set()).add(text)
        assert element.get(f"{W}date", "").startswith("2025-03-01T")
    maria, devon = " ".join(by_author["maria"]), " ".join(by_author["devon"])
    assert "rarely" in maria  # made in version 2
    assert "regional field office" in devon  # added in version 3
    assert "Thank you." in devon
    assert "regional" not in maria


def test_python_docx_opens_the_redline() -> None:
    document = docx.Document(io.BytesIO(redline(revisions())))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Body Text", "Requested Policy", "Letter Salutation"} <= styles


@pytest.mark.libreoffice
def test_libreoffice_reads_the_changes_as_tracked_changes(tmp_path: Path) -> None:
    need_libreoffice()
    source = tmp_path / "redline.docx"
    source.write_bytes(redline(revisions()))
    soffice = find_soffice()
    assert soffice is not None
    profile = tmp_path / "profile"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=120)
    roundtrip = (tmp_path / "out" / "redline.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(roundtrip)) as archive:
        xml = archive.read("word/document.xml")
    # LibreOffice kept them as changes to accept or reject, with their authors.
    assert b"w:ins " in xml
    assert b"w:del " in xml
    assert b'w:author="devon"' in xml
    assert _resolve(xml, accept=True) == _plain(revisions()[-1].docx)
