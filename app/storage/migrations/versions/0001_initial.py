"""Letters, immutable versions, approvals, comments, users, hash-chained audit log, clause bank,
address book; full-text search (FTS5 on SQLite, a GIN index on PostgreSQL); triggers that keep
versions, approvals and audit rows from being changed.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "chambers_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("signature_png", sa.LargeBinary, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.CheckConstraint("role in ('clerk', 'judge', 'admin')", name="ck_users_role"),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("template_version", sa.String(32), nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(63), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_by", sa.String(63), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("approval_id", sa.Integer, nullable=True),
        sa.CheckConstraint("status in ('draft', 'in_review', 'changes_requested', 'approved', 'exported')",
                           name="ck_letters_status"),
    )
    op.create_index("ix_letters_status_updated", "letters", ["status", "updated_at"])
    op.create_index("ix_letters_updated", "letters", ["updated_at"])
    op.create_table(
        "letter_versions",
        sa.Column("letter_id", sa.Integer, sa.ForeignKey("letters.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("author", sa.String(63), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("template_version", sa.String(32), nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("letter_id", sa.Integer, sa.ForeignKey("letters.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("approver", sa.String(63), nullable=False),
        sa.Column("approved_at", TIME, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("docx", sa.LargeBinary, nullable=False),
        sa.Column("voided_at", TIME, nullable=True),
        sa.Column("voided_by", sa.String(63), nullable=True),
    )
    op.create_index("ix_approvals_content_sha256", "approvals", ["content_sha256"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("letter_id", sa.Integer, sa.ForeignKey("letters.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(63), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("paragraph", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False, server_default="comment"),
    )
    op.create_index("ix_comments_letter_id", "comments", ["letter_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(63), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("letter_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "clauses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False, server_default=""),
        sa.Column("use_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_table(
        "addressees",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("honorific", sa.String(100), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("organization", sa.String(300), nullable=True),
        sa.Column("address", sa.Text, nullable=False, server_default="[]"),
        sa.Column("salutation", sa.String(300), nullable=True),
        sa.UniqueConstraint("name", "title", name="uq_addressees_name_title"),
    )
    op.bulk_insert(sa.table("chambers_meta", sa.column("key"), sa.column("value")),
                   [{"key": "database_id", "value": str(uuid.uuid4())}])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_extras()
    elif dialect == "postgresql":
        _postgres_extras()


def _sqlite_extras() -> None:
    op.execute("CREATE VIRTUAL TABLE letters_fts USING fts5(subject, search_text, content='letters', "
               "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    insert_new = ("INSERT INTO letters_fts(rowid, subject, search_text) "
                  "VALUES (new.id, new.subject, new.search_text); ")
    op.execute(f"CREATE TRIGGER letters_fts_ai AFTER INSERT ON letters BEGIN {insert_new} END")
    op.execute("CREATE TRIGGER letters_fts_ad AFTER DELETE ON letters BEGIN "
               "INSERT INTO letters_fts(letters_fts, rowid, subject, search_text) "
               "VALUES ('delete', old.id, old.subject, old.search_text); END")
    op.execute("CREATE TRIGGER letters_fts_au AFTER UPDATE OF subject, search_text ON letters BEGIN "
               "INSERT INTO letters_fts(letters_fts, rowid, subject, search_text) "
               f"VALUES ('delete', old.id, old.subject, old.search_text); {insert_new} END")
    for table in ("audit_log", "letter_versions"):
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} BEGIN "
                       f"SELECT RAISE(ABORT, '{table} rows are never changed or removed'); END")
    op.execute("CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals BEGIN "
               "SELECT RAISE(ABORT, 'approvals are never removed'); END")
    op.execute("CREATE TRIGGER approvals_only_void BEFORE UPDATE ON approvals WHEN "
               "old.voided_at IS NOT NULL OR new.docx IS NOT old.docx OR new.content_sha256 IS NOT old.content_sha256 "
               "OR new.letter_id IS NOT old.letter_id OR new.version IS NOT old.version "
               "OR new.approver IS NOT old.approver OR new.approved_at IS NOT old.approved_at BEGIN "
               "SELECT RAISE(ABORT, 'an approval can only be voided, never changed'); END")


def _postgres_extras() -> None:
    op.execute("CREATE INDEX ix_letters_fts ON letters USING gin "
               "(to_tsvector('simple', subject || ' ' || search_text))")
    op.execute("""
        CREATE FUNCTION chambers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    for table in ("audit_log", "letter_versions"):
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION chambers_immutable()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION chambers_immutable()")
    op.execute("""
        CREATE FUNCTION chambers_approval_only_void() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR OLD.voided_at IS NOT NULL
               OR (NEW.letter_id, NEW.version, NEW.approver, NEW.approved_at, NEW.content_sha256, NEW.docx)
                  IS DISTINCT FROM (OLD.letter_id, OLD.version, OLD.approver, OLD.approved_at,
                                    OLD.content_sha256, OLD.docx) THEN
                RAISE EXCEPTION 'an approval can only be voided, never changed or removed'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute("CREATE TRIGGER approvals_only_void BEFORE UPDATE OR DELETE ON approvals "
               "FOR EACH ROW EXECUTE FUNCTION chambers_approval_only_void()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("audit_log", "letter_versions", "approvals"):
            op.execute(f"DROP TABLE {table} CASCADE")
        op.execute("DROP FUNCTION IF EXISTS chambers_immutable() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS chambers_approval_only_void() CASCADE")
    else:
        op.execute("DROP TABLE IF EXISTS letters_fts")
        for table in ("audit_log", "letter_versions", "approvals"):
            op.drop_table(table)
    for table in ("addressees", "clauses", "comments", "letters", "users", "chambers_meta"):
        op.drop_table(table)
