"""The start card: read back as written, and anything else is as if there were no card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.startcard import ShownLetter, StartCard
from app.services.views import Identity

URL = "sqlite:////home/carla/chambers.sqlite3"
WHO = Identity("carla", "clerk", "Carla Clerk", "this computer (SQLite)")


def test_a_card_is_read_back_as_written_and_only_for_its_own_database(tmp_path: Path) -> None:
    card = StartCard(WHO, ShownLetter(7, 3, "draft", {"subject": "Courthouse arrests"}))
    card.save(tmp_path, URL)
    again = StartCard.load(tmp_path, URL)
    assert again is not None
    assert (again.identity, again.letter) == (card.identity, card.letter)
    assert StartCard.load(tmp_path, "postgresql+psycopg://carla:secret@court/chambers") is None
    assert "secret" not in "".join(p.name for p in tmp_path.rglob("*"))


def test_a_server_url_password_never_reaches_the_card(tmp_path: Path) -> None:
    url = "postgresql+psycopg://carla:s3cret@db.court.example/chambers"
    StartCard(Identity("carla", "clerk", "", "db.court.example/chambers"), None).save(tmp_path, url)
    written = StartCard.path(tmp_path, url)
    assert "s3cret" not in written.read_text(encoding="utf-8")
    assert "s3cret" not in written.name
    assert StartCard.load(tmp_path, url) is not None


@pytest.mark.parametrize("mangle", [
    lambda body: "not json",
    lambda body: json.dumps([body]),
    lambda body: json.dumps({**body, "format": 2}),
    lambda body: json.dumps({**body, "database_key": "0" * 32}),
    lambda body: json.dumps({**body, "identity": {**body["identity"], "role": "superuser"}}),
    lambda body: json.dumps({**body, "identity": {**body["identity"], "user": ""}}),
    lambda body: json.dumps({**body, "identity": {"user": "carla"}}),
    lambda body: json.dumps({**body, "letter": {**body["letter"], "id": -1}}),
    lambda body: json.dumps({**body, "letter": {**body["letter"], "version": "3"}}),
    lambda body: json.dumps({**body, "letter": {**body["letter"], "id": True}}),
    lambda body: json.dumps({**body, "letter": {**body["letter"], "status": 5}}),
    lambda body: '{"format": 1, "format": 1}',
], ids=["not-json", "a-list", "newer-format", "another-database", "unknown-role", "no-user", "half-an-identity",
        "negative-id", "version-as-text", "id-as-bool", "status-as-number", "duplicate-keys"])
def test_a_damaged_or_foreign_card_is_as_if_there_were_none(tmp_path: Path, mangle) -> None:  # type: ignore[no-untyped-def]
    StartCard(WHO, ShownLetter(7, 3, "draft", {"subject": "x"})).save(tmp_path, URL)
    path = StartCard.path(tmp_path, URL)
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(mangle(body), encoding="utf-8")
    assert StartCard.load(tmp_path, URL) is None


def test_no_card_is_none(tmp_path: Path) -> None:
    assert StartCard.load(tmp_path, URL) is None


# --- the seals a start shows before the database is open ---------------------------------------
def _png(seed: int) -> bytes:
    import hashlib as _h

    return b"\x89PNG\r\n\x1a\n" + _h.sha256(str(seed).encode()).digest() * 4


def _ref(data: bytes) -> str:
    import hashlib as _h

    return "sha256:" + _h.sha256(data).hexdigest()


def test_a_seal_read_once_is_kept_and_then_needs_no_database(tmp_path: Path) -> None:
    from app.services.seals import SealCache

    seal = _png(1)
    asked: list[str] = []

    def database(ref: str) -> bytes:
        asked.append(ref)
        return seal

    assert SealCache(tmp_path / ".seals", database)[_ref(seal)] == seal
    assert asked == [_ref(seal)]

    def closed(ref: str) -> bytes:
        raise AssertionError("the database was asked although this computer has the seal")

    assert SealCache(tmp_path / ".seals", closed)[_ref(seal)] == seal
    kept = next((tmp_path / ".seals").iterdir())
    assert kept.stat().st_mode & 0o077 == 0


def test_a_kept_seal_whose_bytes_changed_is_read_from_the_database_again(tmp_path: Path) -> None:
    from app.services.seals import SealCache

    seal = _png(2)
    SealCache(tmp_path / ".seals", lambda ref: seal)[_ref(seal)]
    kept = next((tmp_path / ".seals").iterdir())
    kept.write_bytes(_png(3))  # someone swapped the copy
    asked: list[str] = []

    def database(ref: str) -> bytes:
        asked.append(ref)
        return seal

    assert SealCache(tmp_path / ".seals", database)[_ref(seal)] == seal
    assert asked == [_ref(seal)]
    assert kept.read_bytes() == seal  # and the copy is right again


@pytest.mark.parametrize("ref", ["sha256:../../etc/passwd", "md5:abc", "sha256:" + "A" * 64, ""])
def test_a_reference_that_is_not_a_hash_never_names_a_file(tmp_path: Path, ref: str) -> None:
    from app.services.seals import SealCache

    def database(_ref: str) -> bytes:
        raise KeyError(_ref)

    with pytest.raises(KeyError):
        SealCache(tmp_path / ".seals", database)[ref]
    assert not (tmp_path / ".seals").exists()


@pytest.mark.parametrize("planted", ["fifo", "device"])
def test_a_kept_seal_that_is_no_regular_file_is_never_opened(tmp_path: Path, planted: str) -> None:
    """A FIFO with no writer in the seal cache once blocked the window for ever, and a device (a
    copy of /dev/zero) read without end; neither is opened: the seal is read from the database
    instead. (Links were already refused.)"""
    import os
    import stat

    from app.services.seals import SealCache

    seal = _png(4)
    folder = tmp_path / ".seals"
    folder.mkdir(mode=0o700)
    path = folder / f"{_ref(seal).removeprefix('sha256:')}.png"
    if planted == "fifo":
        os.mkfifo(path)
    else:
        try:
            os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # a copy of /dev/zero
        except PermissionError:
            pytest.skip("this user may not make device nodes")
    asked: list[str] = []

    def database(ref: str) -> bytes:
        asked.append(ref)
        return seal

    assert SealCache(folder, database)[_ref(seal)] == seal
    assert asked == [_ref(seal)]
