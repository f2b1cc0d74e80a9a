"""The office's court profile: set by an admin, audited, used by every new letter and pack; a
letter pins its seal by hash, so an approved letter keeps the seal the judge saw."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from app.bootstrap import Services
from app.core.errors import LetterInvalid
from app.core.records import CourtProfile
from app.core.workflow import Refused, Status
from app.rendering.engine import SEAL_MEDIA
from app.services.office import MAX_SEAL_BYTES, MAX_SEAL_PIXELS, MIN_SEAL_PIXELS, canonical_seal_png, read_seal_file
from tests.conftest import TEMPLATES, sample_data
from tests.storage.dbfixtures import as_user, db_url, office, postgres_template  # noqa: F401

SHIPPED_SEAL = (Path(__file__).resolve().parents[2] / "resources" / "seal.png").read_bytes()


def png(width: int, height: int, shade: int = 0x40, pad: int = 0) -> bytes:
    """A real greyscale PNG of ``width`` x ``height`` (``pad`` bytes of text chunk to grow it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * pad) if pad else b""
    raw = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    if pad or not (MIN_SEAL_PIXELS <= width <= MAX_SEAL_PIXELS and MIN_SEAL_PIXELS <= height <= MAX_SEAL_PIXELS):
        return raw  # one the office refuses, as it is
    return canonical_seal_png(raw)[0]  # as the office keeps a seal, so that its hash is the pin


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks in order; whatever follows IEND is returned as a chunk named b"", so none is missed."""
    found, at = [], 8
    while at < len(image):
        if found and found[-1][0] == b"IEND":
            found.append((b"", image[at:]))
            break
        length = struct.unpack(">I", image[at:at + 4])[0]
        found.append((image[at + 4:at + 8], image[at + 8:at + 8 + length]))
        at += 12 + length
    return found


def hiding_png(kind: str) -> bytes:
    """A 64x64 seal that carries something beside its picture, as the attacker made them."""
    rows = b"".join(b"\x00" + bytes([0x40]) * 64 for _ in range(64))
    header = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0))
    if kind == "inflates far beyond its pixels":
        packer = zlib.compressobj(9)
        stream = packer.compress(rows) + b"".join(packer.compress(bytes(1 << 20)) for _ in range(32))
        return header + chunk(b"IDAT", stream + packer.flush()) + chunk(b"IEND", b"")
    plain = header + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    if kind == "a .docx after IEND":
        return plain + (TEMPLATES / "officials-concern" / "letter.docx").read_bytes()
    return header + chunk(b"prVt", b"PK\x03\x04" + b"x" * 50_000) + plain[len(header):]


def reference(image: bytes) -> str:
    return "sha256:" + hashlib.sha256(image).hexdigest()


def member(docx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return package.read(name)


def header_text(docx: bytes) -> str:
    document = Document(io.BytesIO(docx))
    section = document.sections[0]
    return "\n".join(p.text for p in section.first_page_header.paragraphs)


def events(s: Services, action: str) -> list[Any]:
    with s.store.read() as tx:
        return [e for e in tx.audit.events() if e.action == action]


def set_profile(admin: Services, seal: bytes | None = None) -> CourtProfile:
    return admin.court.update(0, seal_png=seal, court="Superior Court of Sierra Vista",
                              chambers="Chambers of the Presiding Judge",
                              address=["Hall of Justice", "400 Courthouse Square"], phone="(916) 555-0142",
                              email="chambers@sierravista-court.example", signatory_name="Tani G. Cantil-Sakauye",
                              signatory_title="Presiding Judge")


def test_an_admin_sets_the_profile_and_each_change_is_an_audited_version(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    try:
        assert admin.court.get() == CourtProfile()
        assert admin.court.new_letter_defaults() is None
        seal = png(120, 120)
        profile = set_profile(admin, seal)
        assert profile.version == 1
        assert profile.seal == reference(seal)
        assert profile.updated_by == "admin"
        assert admin.court.seal(reference(seal)) == seal
        changed = admin.court.update(1, chambers="Chambers of the Chief Justice")
        assert (changed.version, changed.chambers, changed.court) == (2, "Chambers of the Chief Justice",
                                                                        "Superior Court of Sierra Vista")
        recorded = events(admin, "court_profile_changed")
        assert [e.actor for e in recorded] == ["admin", "admin"]
        assert '"chambers":"Chambers of the Chief Justice"' in recorded[-1].detail
        assert len(events(admin, "court_seal_added")) == 1
        # The same image again is the same stored seal: no second row, no second event.
        admin.court.set_seal(seal)
        assert len(events(admin, "court_seal_added")) == 1
        _count, broken, why = admin.drafts.audit_check()
        assert broken is None, why
        sender, signatory = admin.court.new_letter_defaults() or ({}, {})
        assert sender == {"court": "Superior Court of Sierra Vista", "chambers": "Chambers of the Chief Justice",
                          "address": ["Hall of Justice", "400 Courthouse Square"], "phone": "(916) 555-0142",
                          "email": "chambers@sierravista-court.example", "seal": reference(seal)}
        assert signatory == {"name": "Tani G. Cantil-Sakauye", "title": "Presiding Judge"}
    finally:
        admin.close()


def test_two_admins_never_overwrite_each_other(db_url: str) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    try:
        set_profile(admin)
        admin.court.update(1, phone="(916) 555-0199")
        before = len(events(admin, "court_profile_changed"))
        with pytest.raises(Refused, match=r"changed by admin .*now version 2, yours started from version 1"):
            admin.court.update(1, phone="(916) 555-0100")
        assert admin.court.get().phone == "(916) 555-0199"
        assert len(events(admin, "court_profile_changed")) == before
    finally:
        admin.close()


@pytest.mark.parametrize("who", ["ann", "tani"])
def test_clerks_and_judges_read_the_profile_but_may_not_change_it(db_url: str, who: str) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    set_profile(admin)
    admin.close()
    other = as_user(db_url, who)
    try:
        assert other.court.get().court == "Superior Court of Sierra Vista"
        with pytest.raises(Refused, match="may not change the court profile"):
            other.court.update(None, court="Court of Mallory")
        with pytest.raises(Refused, match="may not change the court profile"):
            other.court.set_seal(png(64, 64))
        assert other.court.get().court == "Superior Court of Sierra Vista"
        assert events(other, "court_seal_added") == []
    finally:
        other.close()


@pytest.mark.parametrize(("image", "message"), [
    (b"GIF89a" + b"\x00" * 64, "is not a PNG file"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "is not a PNG file"),
    (png(8, 8), "8x8 pixels; each side must be 32 to 4000"),
    (png(5000, 40), "5000x40 pixels"),
    (png(40, 40, pad=MAX_SEAL_BYTES), "a seal may be at most 2,097,152 bytes"),
    (png(64, 64)[:-30], "is damaged and cannot be read as a PNG picture"),
    (png(64, 64).replace(b"IDAT", b"IDAT\x00\x00", 1), "is damaged"),
])
def test_a_seal_that_is_no_sane_png_is_refused_and_nothing_is_stored(db_url: str, image: bytes,  # noqa: F811
                                                                     message: str) -> None:
    office(db_url).close()
    admin = as_user(db_url, "admin")
    try:
        set_profile(admin)
        with pytest.raises(Refused, match=message):
            admin.court.set_seal(image)
        assert admin.court.get().seal is None
        assert admin.court.get().version == 1
        assert events(admin, "court_seal_added") == []
    finally:
        admin.close()


@pytest.mark.parametrize(("changes", "message"), [
    ({"court": "  "}, "the court name is required"),
    ({"chambers": "Chambers\x00 of"}, "chambers line holds"),
    ({"address": [f"line {i}" for i in range(9)]}, "the address has 9 lines; at most 8"),
    ({"seal": "sha256:" + "0" * 64}, "is not in this office's seal store"),
    ({"seal": "md5:abc"}, "seal"),
    ({"motto": "Fiat justitia"}, "the court profile has no motto"),
])
def test_a_profile_no_letter_could_hold_is_refused(db_url: str, changes: dict[str, Any],  # noqa: F811
                                                   message: str) -> None:
    office(db_url).close()
    admin = as_user(db_url, "admin")
    try:
        set_profile(admin)
        with pytest.raises(Refused, match=message):
            admin.court.update(1, **changes)
        assert admin.court.get().version == 1
    finally:
        admin.close()


def office_letter(s: Services) -> dict[str, Any]:
    """The flagship sample as a new letter of this office: sender and signatory from its profile."""
    data = sample_data()
    defaults = s.court.new_letter_defaults()
    assert defaults is not None
    data["sender"], data["signatory"] = defaults
    return data


def test_every_pack_prints_the_chambers_line_and_the_pinned_seal(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    seal = png(96, 96, shade=0x11)
    set_profile(admin, seal)
    admin.close()
    clerk = as_user(db_url, "ann")
    try:
        data = office_letter(clerk)
        for pack_id in ("officials-concern", "legislative-position", "response-to-inquiry"):
            pack = clerk.library.get(pack_id)
            assert pack.prints_seal, pack_id
            one = {**sample_data(pack_id), "sender": data["sender"], "signatory": data["signatory"]}
            letter_id = clerk.drafts.create(pack_id, one).id
            out = clerk.drafts.export(letter_id, tmp_path / f"{pack_id}.docx")
            docx = out.docx.read_bytes()
            head = header_text(docx)
            assert "Superior Court of Sierra Vista" in head, pack_id
            assert "Chambers of the Presiding Judge" in head, pack_id
            assert member(docx, SEAL_MEDIA) == seal, pack_id
            assert SHIPPED_SEAL not in docx
        # No chambers line: no empty paragraph where it would stand.
        plain = {**data, "sender": {k: v for k, v in data["sender"].items() if k != "chambers"}}
        letter_id = clerk.drafts.create("officials-concern", plain).id
        out = clerk.drafts.export(letter_id, tmp_path / "plain.docx")
        document = Document(str(out.docx))
        styles = [p.style.name for p in document.sections[0].first_page_header.paragraphs]
        assert "Letterhead Chambers" not in styles
        assert "Letterhead Court Name" in styles
    finally:
        clerk.close()


def test_a_letter_without_a_seal_prints_the_packs_placeholder(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        letter_id = clerk.drafts.create("officials-concern", sample_data()).id
        out = clerk.drafts.export(letter_id, tmp_path / "plain.docx")
        assert member(out.docx.read_bytes(), SEAL_MEDIA) == SHIPPED_SEAL
    finally:
        clerk.close()


def test_a_pinned_seal_that_is_missing_or_altered_is_refused_naming_sender_seal(db_url: str,  # noqa: F811
                                                                               tmp_path: Path) -> None:
    office(db_url).close()
    clerk = as_user(db_url, "ann")
    try:
        data = sample_data()
        data["sender"] = {**data["sender"], "seal": reference(png(64, 64))}  # never stored in this office
        letter_id = clerk.drafts.create("officials-concern", data).id
        with pytest.raises(LetterInvalid) as caught:
            clerk.drafts.export(letter_id, tmp_path / "x.docx")
        assert caught.value.problems[0].path == "sender.seal"
        assert "is not in this office's seal store" in caught.value.problems[0].message
        assert not (tmp_path / "x.docx").exists()
        clerk.drafts.submit(letter_id)
    finally:
        clerk.close()
    judge = as_user(db_url, "tani")
    try:
        with pytest.raises(LetterInvalid, match=r"sender\.seal"):
            judge.drafts.approve(letter_id, 1)
        assert judge.drafts.get(letter_id).summary.status is Status.IN_REVIEW
        pack = judge.library.get("officials-concern")
        from app.core.letter import parse_letter

        letter = parse_letter(data).letter
        with pytest.raises(LetterInvalid, match="does not match its hash"):
            pack.render(letter, images={letter.sender.seal or "": png(64, 64, shade=1)})
    finally:
        judge.close()


def test_a_wide_logo_keeps_its_proportions_in_the_seals_place(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    office(db_url).close()
    admin = as_user(db_url, "admin")
    logo = png(300, 100)
    set_profile(admin, logo)
    admin.close()
    clerk = as_user(db_url, "ann")
    try:
        letter_id = clerk.drafts.create("officials-concern", office_letter(clerk)).id
        out = clerk.drafts.export(letter_id, tmp_path / "wide.docx")
        document = Document(str(out.docx))
        shapes = [r for p in document.sections[0].first_page_header.paragraphs for r in p.runs
                  if r._element.xpath(".//wp:extent")]
        extent = shapes[0]._element.xpath(".//wp:extent")[0]
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        assert cx > cy
        assert abs(cx / cy - 3.0) < 0.01
    finally:
        clerk.close()


def test_changing_the_seal_after_approval_changes_nothing_the_judge_approved(db_url: str,  # noqa: F811
                                                                            tmp_path: Path) -> None:
    office(db_url).close()
    admin = as_user(db_url, "admin")
    first, second = png(80, 80, shade=0x22), png(80, 80, shade=0xDD)
    set_profile(admin, first)
    admin.close()
    clerk = as_user(db_url, "ann")
    data = office_letter(clerk)
    data["addressees"] = data["addressees"][:2]  # two addressees: the per-addressee copies too
    letter_id = clerk.drafts.create("officials-concern", data).id
    clerk.drafts.submit(letter_id)
    clerk.close()
    judge = as_user(db_url, "tani")
    approval = judge.drafts.approve(letter_id, 1)
    assert member(approval.docx, SEAL_MEDIA) == first
    judge.close()

    admin = as_user(db_url, "admin")
    admin.court.update(None, seal_png=second, court="Court of Appeal, Sixth District")
    admin.close()

    judge = as_user(db_url, "tani")
    try:
        report = judge.drafts.export(letter_id, tmp_path / "final.docx")
        exported = report.docx.read_bytes()
        assert exported == approval.docx
        assert member(exported, SEAL_MEDIA) == first
        assert "Court of Appeal" not in header_text(exported)
        assert judge.drafts.verify(tmp_path / "final.docx").code == 0
        # The seal is part of what was approved: another image in its place is a modified letter.
        forged = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(forged, "w") as target:
            for info in source.infolist():
                target.writestr(info, second if info.filename == SEAL_MEDIA else source.read(info.filename))
        (tmp_path / "forged.docx").write_bytes(forged.getvalue())
        assert judge.drafts.verify(tmp_path / "forged.docx").code == 1
        (tmp_path / "copies").mkdir()
        copies = judge.drafts.export_copies(letter_id, tmp_path / "copies")
        assert len(copies) == 2
        for path in copies:
            assert judge.drafts.verify(path).code == 0
            assert member(path.read_bytes(), SEAL_MEDIA) == first
    finally:
        judge.close()


@pytest.mark.parametrize("kind", ["inflates far beyond its pixels", "a .docx after IEND", "a private chunk"])
def test_a_seal_is_kept_as_its_pixels_alone_and_pinned_by_that(db_url: str, kind: str) -> None:  # noqa: F811
    from PIL import Image

    hiding = hiding_png(kind)
    office(db_url).close()
    admin = as_user(db_url, "admin")
    try:
        profile = set_profile(admin, hiding)
        assert profile.seal is not None
        kept = admin.court.seal(profile.seal)
        assert kept is not None
        assert profile.seal == reference(kept)  # the pin names the bytes kept and printed
        assert [kind for kind, _ in chunks(kept)] == [b"IHDR", b"IDAT", b"IEND"]
        inflated = zlib.decompressobj()
        assert len(inflated.decompress(chunks(kept)[1][1], 1 << 20)) == 64 * (1 + 64)
        assert inflated.eof, "the kept image stream inflates beyond its pixels"
        assert b"PK\x03\x04" not in kept
        with Image.open(io.BytesIO(hiding)) as given, Image.open(io.BytesIO(kept)) as printed:
            assert printed.tobytes() == given.tobytes()  # the very picture, nothing else
        again = admin.court.set_seal(kept)  # the kept seal given again is the same seal
        assert again.seal == profile.seal
    finally:
        admin.close()


def test_render_seal_files_are_read_as_their_pixels_and_never_as_fifos(tmp_path: Path) -> None:
    import os

    given = tmp_path / "seal.png"
    given.write_bytes(hiding_png("a .docx after IEND"))
    printed = read_seal_file(given)
    assert printed == canonical_seal_png(given.read_bytes())[0]
    assert chunks(printed)[-1][0] == b"IEND"
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_seal_file(fifo)  # a FIFO with no writer: opened without blocking, then refused
    link = tmp_path / "link.png"
    link.symlink_to(given)
    with pytest.raises(OSError, match="a link"):
        read_seal_file(link)


def test_stored_seals_are_never_changed_or_removed(db_url: str) -> None:  # noqa: F811
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    office(db_url).close()
    admin = as_user(db_url, "admin")
    seal = png(64, 64)
    set_profile(admin, seal)
    store: Any = admin.store
    try:
        for statement in ("UPDATE court_seals SET width = 1", "DELETE FROM court_seals",
                          "DELETE FROM court_profile"):
            with pytest.raises(DBAPIError, match=r"never changed|never removed"), store.engine.begin() as conn:
                conn.execute(text(statement))
        assert admin.court.seal(reference(seal)) == seal
        assert admin.court.get().version == 1
    finally:
        admin.close()


def test_a_profile_changed_behind_chambers_back_breaks_the_audit_check(db_url: str) -> None:  # noqa: F811
    from sqlalchemy import text

    office(db_url).close()
    admin = as_user(db_url, "admin")
    store: Any = admin.store
    try:
        set_profile(admin)
        assert admin.drafts.audit_check()[1] is None
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE court_profile SET court = 'Court of Mallory'"))
        _count, broken, why = admin.drafts.audit_check()
        assert broken is not None
        assert broken.action == "court_profile_changed"
        assert "changed behind Chambers' back" in why
    finally:
        admin.close()
