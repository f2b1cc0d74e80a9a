"""Database fixtures for storage, service and CLI tests: SQLite always, PostgreSQL when reachable.

PostgreSQL comes from $CHAMBERS_TEST_POSTGRES_URL (a superuser URL, as .ci/run exports); each
session migrates one template database and each test gets a fresh copy of it. With
$CHAMBERS_REQUIRE_POSTGRES=1 a missing server fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from app.bootstrap import Services, services
from app.core.workflow import Role
from app.storage.database import upgrade
from app.storage.sql import SqlStore, normalize_url

REQUIRE = os.environ.get("CHAMBERS_REQUIRE_POSTGRES") == "1"
ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _admin_url() -> str:
    url = os.environ.get("CHAMBERS_TEST_POSTGRES_URL")
    if not url:
        if REQUIRE:
            pytest.fail("CHAMBERS_REQUIRE_POSTGRES=1 but CHAMBERS_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL: set CHAMBERS_TEST_POSTGRES_URL to run these tests on it too")
    return normalize_url(url)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def execute_autocommit(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    """(server admin URL, name of a migrated template database)."""
    admin = _admin_url()
    try:
        execute_autocommit(admin, "SELECT 1")
    except Exception as exc:  # any failure to connect means "no server here"
        if REQUIRE:
            pytest.fail(f"CHAMBERS_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    name = f"chambers_tpl_{uuid.uuid4().hex[:10]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}"')
    store = SqlStore(with_database(admin, name))
    upgrade(store.engine)
    store.close()
    yield admin, name
    execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    admin, template = request.getfixturevalue("postgres_template")
    name = f"chambers_t_{uuid.uuid4().hex[:12]}"
    execute_autocommit(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = with_database(admin, name)
    # Each copy is a database of its own, so it gets an identity of its own.
    execute_autocommit(url, f"UPDATE chambers_meta SET value = '{uuid.uuid4()}' WHERE key = 'database_id'")
    try:
        yield url
    finally:
        execute_autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated-on-open database URL on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chambers.sqlite3'}"
    else:
        yield from fresh_postgres(request)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from fresh_postgres(request)


# --- an office with one user of each role ------------------------------------------------------
SIGNATURE_PNG = (Path(__file__).resolve().parents[2] / "resources" / "seal.png").read_bytes()
JUDGE_FULL_NAME = "Tani G. Cantil-Sakauye"  # the flagship sample's signatory


def office(url: str, as_user: str = "admin") -> Services:
    """Services over ``url`` with users admin (admin), ann (clerk) and tani (judge, who signs)."""
    chambers = services(url, as_user="admin")
    if not chambers.users.list():
        chambers.users.add("admin", Role.ADMIN)
        chambers.users.add("ann", Role.CLERK, "Ann Clerk")
        chambers.users.add("tani", Role.JUDGE, JUDGE_FULL_NAME, SIGNATURE_PNG)
        chambers.users.add("ming", Role.JUDGE, "Ming W. Chin")
    chambers.close()
    return services(url, as_user=as_user)


def as_user(url: str, name: str) -> Services:
    return services(url, as_user=name)
