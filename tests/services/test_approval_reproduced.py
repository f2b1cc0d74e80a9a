"""What is approved must be what the letter renders to: export and ``verify`` render the approved
version again with its pinned pack and seal and compare it with the stored approved bytes.

The attack, as it was run: the letter's signatory (or anyone holding the database) stores bytes
whose text the clerk never wrote, sealed correctly (the seal is a hash anyone can compute); export
wrote them and ``verify`` said 0. Now export refuses (nothing written) and ``verify`` says 1; a
pinned pack that is not installed any more is "could not check" (9), never a pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.core.workflow import Refused
from app.rendering.engine import CompiledPack
from app.rendering.seal import HASH_PROPERTY, custom_properties, seal
from app.services.drafts import COULD_NOT_CHECK, MODIFIED, VERIFIED
from app.services.templates import TemplateLibrary
from tests.conftest import TEMPLATES
from tests.rendering.test_seal_attacks import ATTACKS, approved_letter, members, rezip, set_approval
from tests.storage.dbfixtures import as_user, office


def _forge(url: str, letter_id: int) -> bytes:
    """Store, around the app, approved bytes with a word the clerk never wrote, correctly sealed."""
    judge = as_user(url, "tani")
    approval = judge.drafts.get(letter_id).approval
    judge.close()
    assert approval is not None
    props = {k: v for k, v in custom_properties(approval.docx).items() if k != HASH_PROPERTY}
    forged, digest = seal(ATTACKS["one word of the body"](approval.docx), props)
    set_approval(url, letter_id, docx=forged, content_sha256=digest)
    return forged


def test_forged_approved_bytes_are_never_exported_and_verify_says_modified(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    letter_id = approved_letter(url)
    judge = as_user(url, "tani")
    genuine = tmp_path / "genuine.docx"
    judge.drafts.export(letter_id, genuine)
    assert judge.drafts.verify(genuine).code == VERIFIED
    judge.close()

    forged = _forge(url, letter_id)
    judge = as_user(url, "tani")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Refused, match=r"not what version 1 of letter .* renders to with its pinned template pack"):
        judge.drafts.export(letter_id, out / "letter.docx")
    with pytest.raises(Refused, match="not what version 1 of letter"):
        judge.drafts.export_copies(letter_id, out)
    assert not list(out.iterdir())
    judge.close()

    # The forged bytes, however they reached a file, are reported as modified.
    copied = tmp_path / "forged.docx"
    copied.write_bytes(forged)
    code = main(["verify", str(copied), "--db", url, "--as", "ann"])
    err = capsys.readouterr().err
    assert code == MODIFIED
    assert "not what version 1 of letter" in err
    assert "were not made by Chambers from the letter's text" in err


def test_a_pinned_pack_that_is_gone_is_could_not_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    office(url).close()
    letter_id = approved_letter(url)
    judge = as_user(url, "tani")
    exported = tmp_path / "letter.docx"
    judge.drafts.export(letter_id, exported)
    judge.close()
    # The pack is replaced by another template under the same id (its styles changed).
    changed = tmp_path / "pack"
    shutil.copytree(TEMPLATES / "officials-concern", changed)
    parts = members((changed / "letter.docx").read_bytes())
    (changed / "letter.docx").write_bytes(rezip([(m, b.replace(b"</w:styles>", b"<!-- changed --></w:styles>")
                                                  if m == "word/styles.xml" else b) for m, b in parts]))
    other = CompiledPack(changed)
    monkeypatch.setattr(TemplateLibrary, "get", lambda _self, _id: other)
    code = main(["verify", str(exported), "--db", url, "--as", "ann"])
    err = capsys.readouterr().err
    assert code == COULD_NOT_CHECK
    assert "could not check" in err
    assert "is another template" in err
    judge = as_user(url, "tani")
    with pytest.raises(Refused, match="could not check the approved letter"):
        judge.drafts.export(letter_id, tmp_path / "again.docx")
    assert not (tmp_path / "again.docx").exists()
    judge.close()


def test_verify_says_could_not_check_when_the_database_is_unavailable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = tmp_path / "letter.docx"
    letter.write_bytes((TEMPLATES / "officials-concern" / "letter.docx").read_bytes())
    code = main(["verify", str(letter), "--db", "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2"])
    assert code == COULD_NOT_CHECK
    assert capsys.readouterr().err.strip()
    missing = main(["verify", str(tmp_path / "none.docx"), "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    assert missing == 7
    assert "no such file" in capsys.readouterr().err


def test_verify_help_lists_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    shown = capsys.readouterr().out
    for line in ("0  valid", "1  modified", "2  not a letter from this database",
                 "3  it was approved, but the approval was withdrawn", "7  no such file",
                 "8  approved by a judge who is not", "9  could not check"):
        assert line in shown
