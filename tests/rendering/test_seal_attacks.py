"""Attacks on the seal: every change to an approved .docx that could change what is printed is
caught by ``verify`` (exit 1, "modified"), and the untouched approved bytes still verify (0).

One approved letter is made per module (SQLite); each attack edits its exported bytes the way
a hostile insider would, with a zip tool and an XML editor, and asks ``Drafts.verify``.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from app.bootstrap import Services
from app.core.errors import TemplateProblem
from app.core.workflow import Refused
from app.rendering.engine import CompiledPack
from app.rendering.seal import (
    HASH_PROPERTY,
    SealProblem,
    add_custom_properties,
    content_hash,
    custom_properties,
    legacy_content_hash,
    seal,
)
from app.services.drafts import FOREIGN, MODIFIED, NOT_SIGNATORY, PROP_SIGNED_FOR, VERIFIED, WITHDRAWN
from tests.conftest import TEMPLATES, sample_data
from tests.storage.dbfixtures import as_user, office

CORE_NS = {"dc": "http://purl.org/dc/elements/1.1/",
           "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass
class Approved:
    url: str
    letter_id: int
    data: bytes          # the exported approved letter, as the judge wrote it out
    folder: Path


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Approved]:
    folder = tmp_path_factory.mktemp("seal")
    url = f"sqlite:///{folder / 'chambers.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAMBERS_HOME", str(folder / "home"))
        office(url).close()
        clerk = as_user(url, "ann")
        letter_id = clerk.drafts.create("officials-concern", sample_data()).id
        clerk.drafts.submit(letter_id, 1)
        clerk.close()
        judge = as_user(url, "tani")
        judge.drafts.approve(letter_id, 1)
        judge.drafts.export(letter_id, folder / "approved.docx")
        judge.close()
        yield Approved(url, letter_id, (folder / "approved.docx").read_bytes(), folder)


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(parts: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, blob in parts:
            archive.writestr(name, blob)
    return out.getvalue()


def edit_part(name: str, change: Callable[[etree._Element], None]) -> Callable[[bytes], bytes]:
    """An attack that parses one part, changes the tree, and writes it back in place."""
    def attack(data: bytes) -> bytes:
        parts = []
        for member, blob in members(data):
            if member == name:
                root = etree.fromstring(blob)
                change(root)
                blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            parts.append((member, blob))
        return rezip(parts)
    return attack


def replace_bytes(name: str, old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def attack(data: bytes) -> bytes:
        parts = members(data)
        assert any(member == name and old in blob for member, blob in parts), f"{old!r} not in {name}"
        return rezip([(m, b.replace(old, new, 1) if m == name else b) for m, b in parts])
    return attack


def set_title(root: etree._Element) -> None:
    title = root.find("dc:title", CORE_NS)
    assert title is not None
    title.text = "Withdrawal of all objections"


def set_creator(root: etree._Element) -> None:
    creator = root.find("dc:creator", CORE_NS)
    assert creator is not None
    creator.text = "Somebody Else"


def add_app_company(root: etree._Element) -> None:
    etree.SubElement(root, "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Company"
                     ).text = "Not the court"


def add_custom_property(root: etree._Element) -> None:
    prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}",
                            pid="99", name="Court")
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = "Another court"


def change_seal_property(name: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        (prop,) = [p for p in root if p.get("name") == name]
        prop[0].text = value
    return change


def second_hash_property(root: etree._Element) -> None:
    (prop,) = [p for p in root if p.get("name") == HASH_PROPERTY]
    twin = etree.fromstring(etree.tostring(prop))
    twin.set("pid", "50")
    twin[0].text = "0" * 64
    root.append(twin)


def add_content_type(root: etree._Element) -> None:
    etree.SubElement(root, f"{{{TYPES_NS}}}Default", Extension="bin",
                     ContentType="application/vnd.openxmlformats-officedocument.oleObject")


def add_package_relationship(root: etree._Element) -> None:
    etree.SubElement(root, f"{{{RELS_NS}}}Relationship", Id="rIdX",
                     Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                     Target="word/other.xml")


def add_part(data: bytes) -> bytes:
    return rezip([*members(data), ("word/extra.xml", b"<x/>")])


def remove_part(data: bytes) -> bytes:
    return rezip([(m, b) for m, b in members(data) if m != "docProps/app.xml"])


def reorder(data: bytes) -> bytes:
    parts = members(data)
    return rezip([parts[1], parts[0], *parts[2:]])


def rename_part(data: bytes) -> bytes:
    return rezip([("word/Styles.xml" if m == "word/styles.xml" else m, b) for m, b in members(data)])


def custom_not_canonical(data: bytes) -> bytes:
    """The same custom properties written the way another tool would: not the seal's own form."""
    def change(root: etree._Element) -> None:
        return None
    return edit_part("docProps/custom.xml", change)(data)


ATTACKS: dict[str, Callable[[bytes], bytes]] = {
    "core.xml title (printed by a TITLE field)": edit_part("docProps/core.xml", set_title),
    "core.xml author": edit_part("docProps/core.xml", set_creator),
    "app.xml company": edit_part("docProps/app.xml", add_app_company),
    "custom.xml: a property beside the seal": edit_part("docProps/custom.xml", add_custom_property),
    "custom.xml: the approver's name in the seal": edit_part(
        "docProps/custom.xml", change_seal_property("Chambers.ApprovedBy", "Ming W. Chin")),
    "custom.xml: the hash property itself": edit_part(
        "docProps/custom.xml", change_seal_property(HASH_PROPERTY, "f" * 64)),
    "custom.xml: a second hash property": edit_part("docProps/custom.xml", second_hash_property),
    "custom.xml: same properties, another serialisation": custom_not_canonical,
    "[Content_Types].xml": edit_part("[Content_Types].xml", add_content_type),
    "_rels/.rels": edit_part("_rels/.rels", add_package_relationship),
    "word/_rels/document.xml.rels": replace_bytes("word/_rels/document.xml.rels", b"</Relationships>",
                                                  b'<Relationship Id="rIdZ" Type="http://schemas.openxmlformats'
                                                  b'.org/officeDocument/2006/relationships/image" '
                                                  b'Target="media/z.png"/></Relationships>'),
    "one word of the body": replace_bytes("word/document.xml", b"respectfully", b"hereby"),
    "a part added": add_part,
    "a part removed": remove_part,
    "two parts swapped in the zip": reorder,
    "a part renamed by case": rename_part,
}


def verify(approved: Approved, data: bytes, name: str = "attacked.docx") -> tuple[int, str]:
    path = approved.folder / name
    path.write_bytes(data)
    s: Services = as_user(approved.url, "ann")
    try:
        result = s.drafts.verify(path)
    finally:
        s.close()
    return result.code, result.message


def test_the_untouched_approved_letter_verifies(approved: Approved) -> None:
    code, message = verify(approved, approved.data, "untouched.docx")
    assert code == VERIFIED, message
    assert f"matches approved version 1 of letter {approved.letter_id}, approved by Tani G. Cantil-Sakauye" \
        in message
    props = custom_properties(approved.data)
    assert props[HASH_PROPERTY] == content_hash(approved.data)
    # Read back as a user would: it is a Word letter, with the court's words in it.
    text = "\n".join(p.text for p in Document(io.BytesIO(approved.data)).paragraphs)
    assert "Tani G. Cantil-Sakauye" in text


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_every_change_is_caught(approved: Approved, attack: str) -> None:
    tampered = ATTACKS[attack](approved.data)
    assert tampered != approved.data
    code, message = verify(approved, tampered)
    assert code == MODIFIED, message
    assert "modified after approval" in message
    assert f"letter {approved.letter_id}" in message


def test_a_duplicate_part_is_refused_by_name(approved: Approved) -> None:
    parts = members(approved.data)
    document = dict(parts)["word/document.xml"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, blob in parts:
            archive.writestr(name, blob)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("word/document.xml", document.replace(b"respectfully", b"hereby", 1))
    # Refused when the package is read, before any hash is taken.
    with pytest.raises((SealProblem, TemplateProblem), match=r"word/document\.xml (is in the document )?twice"):
        content_hash(out.getvalue())
    code, message = verify(approved, out.getvalue())
    assert code == MODIFIED
    assert "word/document.xml" in message
    assert "twice" in message


def test_case_colliding_part_names_are_refused(approved: Approved) -> None:
    parts = [*members(approved.data), ("Word/Document.xml", b"<w:document/>")]
    with pytest.raises(SealProblem, match=r"word/document\.xml and Word/Document\.xml"):
        content_hash(rezip(parts))


def test_the_zip_container_itself_is_not_content(approved: Approved) -> None:
    """Stored instead of deflated, new timestamps: nothing printable changed, so still approved."""
    code, message = verify(approved, rezip(members(approved.data), zipfile.ZIP_STORED), "stored.docx")
    assert code == VERIFIED, message


def test_sealing_again_changes_nothing(approved: Approved) -> None:
    props = {k: v for k, v in custom_properties(approved.data).items() if k != HASH_PROPERTY}
    digest = content_hash(approved.data)
    resealed, again = seal(approved.data, props)
    assert again == digest
    assert content_hash(resealed) == digest
    assert content_hash(add_custom_properties(approved.data, custom_properties(approved.data))) == digest
    assert members(resealed) == members(approved.data)
    code, message = verify(approved, resealed, "resealed.docx")
    assert code == VERIFIED, message


def test_the_hash_covers_document_properties_without_a_database(approved: Approved) -> None:
    before = content_hash(approved.data)
    for attack in ("core.xml title (printed by a TITLE field)", "app.xml company",
                   "custom.xml: a property beside the seal"):
        assert content_hash(ATTACKS[attack](approved.data)) != before, attack


def test_a_template_s_own_custom_properties_are_kept_and_sealed() -> None:
    """A pack may bring custom properties its fields print; the seal keeps and covers them."""
    base = rezip([
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="' + TYPES_NS.encode() + b'">'
                                b'<Default Extension="xml" ContentType="application/xml"/></Types>'),
        ("word/document.xml", b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>"),
        ("docProps/custom.xml", b'<Properties xmlns="' + CUSTOM_NS.encode() + b'" xmlns:vt="' + VT_NS.encode() +
                                b'"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
                                b'name="Court"><vt:lpwstr>Supreme Court</vt:lpwstr></property></Properties>'),
    ])
    sealed, digest = seal(base, {"Chambers.LetterId": "7"})
    props = custom_properties(sealed)
    assert props == {"Court": "Supreme Court", "Chambers.LetterId": "7", HASH_PROPERTY: digest}
    changed = edit_part("docProps/custom.xml", change_seal_property("Court", "Another court"))(sealed)
    assert content_hash(changed) != digest
    types = dict(members(sealed))["[Content_Types].xml"]
    assert b'PartName="/docProps/custom.xml"' in types
    assert b"rIdChambersCustom" in dict(members(sealed))["_rels/.rels"]


def test_a_file_from_elsewhere_is_foreign(approved: Approved) -> None:
    stripped = rezip([(m, b) for m, b in members(approved.data) if m != "docProps/custom.xml"])
    code, message = verify(approved, ATTACKS["one word of the body"](stripped), "stripped.docx")
    assert code == FOREIGN
    assert "not a letter from this database" in message


def test_withdrawn_after_an_edit(approved: Approved, tmp_path: Path) -> None:
    clerk = as_user(approved.url, "ann")
    letter_id = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter_id, 1)
    judge = as_user(approved.url, "tani")
    judge.drafts.approve(letter_id, 1)
    judge.drafts.export(letter_id, tmp_path / "approved.docx")
    code, message = verify(approved, (tmp_path / "approved.docx").read_bytes(), "before-edit.docx")
    assert code == VERIFIED, message
    clerk.drafts.update(letter_id, {**sample_data(), "subject": "Changed after approval"}, 1)
    code, message = verify(approved, (tmp_path / "approved.docx").read_bytes(), "after-edit.docx")
    assert code == WITHDRAWN, message
    assert f"approval withdrawn: this is approved version 1 of letter {letter_id}" in message
    assert "by ann" in message
    assert "now version 2" in message
    # Approved again: the old file stays withdrawn, the new one verifies.
    clerk.drafts.submit(letter_id, 2)
    judge.drafts.approve(letter_id, 2)
    judge.drafts.export(letter_id, tmp_path / "again.docx")
    assert verify(approved, (tmp_path / "approved.docx").read_bytes(), "old.docx")[0] == WITHDRAWN
    assert verify(approved, (tmp_path / "again.docx").read_bytes(), "new.docx")[0] == VERIFIED
    clerk.close()
    judge.close()


def approved_letter(url: str) -> int:
    clerk = as_user(url, "ann")
    letter_id = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter_id, 1)
    clerk.close()
    judge = as_user(url, "tani")
    judge.drafts.approve(letter_id, 1)
    judge.close()
    return letter_id


def set_approval(url: str, letter_id: int, **values: object) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        # What an insider holding the SQLite file can do: drop the guards, then write.
        for (trigger,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'approvals'")).all():
            conn.execute(text(f'DROP TRIGGER "{trigger}"'))
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        conn.execute(text(f"UPDATE approvals SET {assignments} WHERE letter_id = :letter"),
                     {**values, "letter": letter_id})
    engine.dispose()


def test_stored_approved_bytes_that_no_longer_match_are_never_exported(tmp_path: Path) -> None:
    """An insider swaps the approved .docx in the database: export refuses and writes nothing."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    letter_id = approved_letter(url)
    judge = as_user(url, "tani")
    approval = judge.drafts.get(letter_id).approval
    assert approval is not None
    swapped = ATTACKS["one word of the body"](approval.docx)
    set_approval(url, letter_id, docx=swapped)
    with pytest.raises(Refused, match="no longer matches the hash recorded"):
        judge.drafts.export(letter_id, tmp_path / "out.docx")
    with pytest.raises(Refused, match="no longer matches the hash recorded"):
        judge.drafts.export_copies(letter_id, tmp_path)
    assert not list(tmp_path.glob("*.docx"))
    judge.close()


def test_copies_are_given_out_only_as_approved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies are made again from the approved version; a pack that changed since is refused."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    letter_id = approved_letter(url)
    judge = as_user(url, "tani")
    copies = judge.drafts.approved_copies(letter_id)
    assert [c.number for c in copies] == [1, 2]
    assert [c.addressee for c in copies] == ["Jeff Sessions, Attorney General of the United States",
                                             "John F. Kelly, Secretary of Homeland Security"]
    _s, _v, events = judge.drafts.history(letter_id)
    (approve,) = [e for e in events if e.action == "approve"]
    recorded = json.loads(approve.detail)["copies"]
    assert [c["sha256"] for c in recorded] == [content_hash(c.data) for c in copies]
    # The pack's styles change after approval: the copies cannot be the ones approved.
    changed = tmp_path / "pack"
    shutil.copytree(TEMPLATES / "officials-concern", changed)
    parts = members((changed / "letter.docx").read_bytes())
    (changed / "letter.docx").write_bytes(rezip([(m, b.replace(b"</w:styles>", b"<!-- changed --></w:styles>")
                                                  if m == "word/styles.xml" else b) for m, b in parts]))
    other = CompiledPack(changed)
    monkeypatch.setattr(judge.drafts.library, "get", lambda _id: other)
    out = tmp_path / "copies"
    out.mkdir()
    with pytest.raises(Refused, match=r"could not check the approved letter: .* is another template"):
        judge.drafts.export_copies(letter_id, out)
    assert not list(out.iterdir())
    judge.close()


def test_an_approval_sealed_before_the_whole_package_seal_still_proves_itself(tmp_path: Path) -> None:
    """Approvals stored with the first scheme's hash: their files verify only when every part,
    document properties included, is the stored approved bytes."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    letter_id = approved_letter(url)
    judge = as_user(url, "tani")
    approval = judge.drafts.get(letter_id).approval
    assert approval is not None
    props = custom_properties(approval.docx)
    unsealed = add_custom_properties(approval.docx, {k: v for k, v in props.items() if k != HASH_PROPERTY})
    legacy = legacy_content_hash(unsealed)
    old = add_custom_properties(unsealed, {**props, HASH_PROPERTY: legacy})
    set_approval(url, letter_id, docx=old, content_sha256=legacy)
    judge.drafts.export(letter_id, tmp_path / "old.docx")
    assert (tmp_path / "old.docx").read_bytes() == old
    result = judge.drafts.verify(tmp_path / "old.docx")
    assert result.code == VERIFIED, result.message
    (tmp_path / "title.docx").write_bytes(ATTACKS["core.xml title (printed by a TITLE field)"](old))
    result = judge.drafts.verify(tmp_path / "title.docx")
    assert result.code == MODIFIED, result.message
    judge.close()


def test_an_approval_by_another_judge_without_for_whom_is_not_accepted(tmp_path: Path) -> None:
    """An approval by a judge who does not sign, with no "signed for" in its seal (made before the
    rule, or written into the database around the app), does not verify as approved."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    clerk = as_user(url, "ann")
    letter_id = clerk.drafts.create("officials-concern", sample_data()).id
    clerk.drafts.submit(letter_id, 1)
    clerk.close()
    ming = as_user(url, "ming")
    with pytest.raises(Refused, match=r"signed by Tani G\. Cantil-Sakauye, not by Ming W\. Chin"):
        ming.drafts.approve(letter_id, 1)
    approval = ming.drafts.approve(letter_id, 1, signing_for="tani g.  cantil-sakauye")
    assert custom_properties(approval.docx)[PROP_SIGNED_FOR] == "Tani G. Cantil-Sakauye"
    (tmp_path / "for.docx").write_bytes(approval.docx)
    result = ming.drafts.verify(tmp_path / "for.docx")
    assert result.code == VERIFIED, result.message
    assert result.signed_for == "Tani G. Cantil-Sakauye"
    props = {k: v for k, v in custom_properties(approval.docx).items() if k not in (HASH_PROPERTY, PROP_SIGNED_FOR)}
    silent, digest = seal(add_custom_properties(approval.docx, {}), props)
    set_approval(url, letter_id, docx=silent, content_sha256=digest)
    (tmp_path / "silent.docx").write_bytes(silent)
    result = ming.drafts.verify(tmp_path / "silent.docx")
    assert result.code == NOT_SIGNATORY, result.message
    assert "not approved by its signatory" in result.message
    assert "signed by Tani G. Cantil-Sakauye" in result.message
    # Such an approval never leaves the court as final.
    with pytest.raises(Refused, match="without saying it was on the signatory's behalf"):
        ming.drafts.export(letter_id, tmp_path / "final.docx")
    assert not (tmp_path / "final.docx").exists()
    ming.close()


TITLE_FIELD = (b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TITLE '
               b'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>cached</w:t></w:r>'
               b'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def printed(docx: bytes) -> str:
    import pypdfium2

    from app.rendering.pdf import PdfConverter

    with PdfConverter() as converter:
        pdf = pypdfium2.PdfDocument(converter.convert(docx))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_a_document_property_edit_changes_the_print_and_the_hash(approved: Approved, libreoffice: None) -> None:
    """The finding's root: with a TITLE field in the letter, an edit to docProps/core.xml alone
    changes the printed letter (LibreOffice shows it), so the seal must and does cover it."""
    with_field = rezip([(m, b.replace(b"<w:body>", b"<w:body>" + TITLE_FIELD, 1) if m == "word/document.xml"
                         else b) for m, b in members(approved.data)])
    sealed, digest = seal(with_field, {"Chambers.LetterId": "1"})
    tampered = replace_bytes("docProps/core.xml", b"<dc:title>", b"<dc:title>WITHDRAWN ")(sealed)
    assert "WITHDRAWN" not in printed(sealed)
    assert "WITHDRAWN Immigration enforcement" in printed(tampered)
    assert content_hash(tampered) != digest
