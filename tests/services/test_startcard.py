"""The start card: read back as written, and anything else is as if there were no card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.desk import Identity
from app.services.startcard import ShownLetter, StartCard

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
