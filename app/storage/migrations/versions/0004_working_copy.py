"""Working copies, deactivated users, and what the drafts list shows kept on the letter.

- ``letter_versions.working``: a version saved as its author's working copy. Their next autosave
  replaces it (renumbered one up, so the letter's version still counts every save and an edit
  from the replaced copy is a conflict) until a workflow step, another person's save, a comment
  or an explicit save point makes it history. The immutability triggers let only such a row be
  changed, only by being replaced with a newer number by the same author; nothing is deleted.
- ``users.active``: a deactivated user keeps their name in the history but cannot act.
- ``letters.signatory``, ``letters.addressees``, ``letters.letter_date``: the drafts list reads
  one row per letter and never opens a version's JSON; existing letters are filled from their
  newest version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NEVER_CHANGED = "letter_versions rows are never changed or removed"
_SAME = ("letter_id", "number", "data", "author", "created_at", "note", "template_id", "template_version",
         "template_sha256")
# Migration 0003: a row may be linked to its audit event once; nothing else about it changes.
_LINK = ("old.audit_id IS NULL AND new.audit_id IS NOT NULL AND new.working IS old.working AND "
         + " AND ".join(f"new.{c} IS old.{c}" for c in _SAME))
# Here: a working copy may be replaced by its own author's newer save, unlinked until the audit
# event of that save vouches for it.
_AMEND = ("old.working AND new.letter_id IS old.letter_id AND new.author IS old.author "
          "AND new.number > old.number AND new.audit_id IS NULL AND new.audit_hash IS NULL "
          "AND new.audit_prev IS NULL")


def _sqlite_trigger(condition: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS letter_versions_no_update")
    op.execute(f"CREATE TRIGGER letter_versions_no_update BEFORE UPDATE ON letter_versions WHEN NOT ({condition}) "
               f"BEGIN SELECT RAISE(ABORT, '{_NEVER_CHANGED}'); END")


def _postgres_function(condition: str) -> None:
    pg = condition.replace("old.", "OLD.").replace("new.", "NEW.").replace(" IS old", " IS NOT DISTINCT FROM old") \
        .replace(" IS OLD.", " IS NOT DISTINCT FROM OLD.")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION chambers_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND ({pg}) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$""")


def _listed(data: dict[str, Any]) -> dict[str, str]:
    signatory = data.get("signatory")
    name = signatory.get("name") if isinstance(signatory, dict) else None
    names = [a.get("name") for a in data.get("addressees") or [] if isinstance(a, dict)]
    day = data.get("date")
    return {"signatory": " ".join(name.split()) if isinstance(name, str) else "",
            "addressees": "\n".join(" ".join(n.split()) for n in names if isinstance(n, str)),
            "letter_date": day if isinstance(day, str) and len(day) == 10 else ""}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # 0003's row updates leave deferred audit checks queued in the same transaction, and
        # PostgreSQL will not alter a table with pending trigger events: run them now.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.add_column("users", sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("letter_versions", sa.Column("working", sa.Boolean, nullable=False, server_default=sa.false()))
    for column, kind in (("signatory", sa.String(200)), ("addressees", sa.Text), ("letter_date", sa.String(10))):
        op.add_column("letters", sa.Column(column, kind, nullable=False, server_default=""))

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT l.id, v.data FROM letters l JOIN letter_versions v ON v.letter_id = l.id AND v.number = l.version"))
    for letter_id, data in rows.all():
        try:
            listed = _listed(json.loads(data))
        except ValueError:
            continue
        bind.execute(sa.text("UPDATE letters SET signatory = :signatory, addressees = :addressees, "
                             "letter_date = :letter_date WHERE id = :id"), {**listed, "id": letter_id})

    if dialect == "sqlite":
        _sqlite_trigger(f"({_LINK}) OR ({_AMEND})")
    elif dialect == "postgresql":
        _postgres_function(f"({_LINK}) OR ({_AMEND})")
        # An office whose roles exist already: the grants for the new columns and for replacing
        # one's own working copy (`db init-roles` gives the same to a new office).
        op.execute("""
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chambers_clerk') THEN
                    GRANT UPDATE (signatory, addressees, letter_date) ON letters TO chambers_clerk;
                    GRANT UPDATE ON letter_versions TO chambers_clerk;
                    GRANT SELECT (active) ON users TO chambers_clerk, chambers_judge, chambers_admin;
                END IF;
            END $$""")
        op.execute("DROP POLICY IF EXISTS versions_amend ON letter_versions")
        # Every row is a target, so the trigger answers for each (a refusal is an error, not a
        # silent "0 rows"); what a login may write is its own row, as the trigger allows it.
        op.execute("CREATE POLICY versions_amend ON letter_versions FOR UPDATE "
                   "USING (true) WITH CHECK (author = current_user)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    link_only = _LINK.replace(" AND new.working IS old.working", "")
    if dialect == "sqlite":
        _sqlite_trigger(link_only)
    elif dialect == "postgresql":
        op.execute("DROP POLICY IF EXISTS versions_amend ON letter_versions")
        _postgres_function(link_only)
    for column in ("letter_date", "addressees", "signatory"):
        op.drop_column("letters", column)
    op.drop_column("letter_versions", "working")
    op.drop_column("users", "active")
