"""The tables, as SQLAlchemy Core metadata the queries are written against.

The migrations in ``migrations/versions`` create them; keep the two in step.
Times are stored as ISO-8601 UTC text so that both engines return them byte for byte
(the audit chain hashes them). ``audit_id``/``audit_hash``/``audit_prev`` link a row to the audit event that
recorded it (0: written before migration 0003); on PostgreSQL the current version and the approval
of a letter are also foreign keys (migration 0003), which SQLite cannot add to an existing table.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

TIME = String(40)

meta = Table(
    "chambers_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users", metadata,
    Column("name", String(63), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("full_name", String(200), nullable=False, server_default=""),
    Column("signature_png", LargeBinary, nullable=True),
    Column("created_at", TIME, nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),  # migration 0004
)

letters = Table(
    "letters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("template_id", String(64), nullable=False),
    Column("template_version", String(32), nullable=False),
    Column("template_sha256", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("row_version", Integer, nullable=False),
    Column("subject", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("created_by", String(63), nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("updated_by", String(63), nullable=False),
    Column("updated_at", TIME, nullable=False),
    Column("approval_id", Integer, nullable=True),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
    # What a row of the drafts list shows, kept with each save (migration 0004), so the list
    # is one query that never opens a version's JSON.
    Column("signatory", String(200), nullable=False, server_default=""),
    Column("addressees", Text, nullable=False, server_default=""),
    Column("letter_date", String(10), nullable=False, server_default=""),
)

letter_versions = Table(
    "letter_versions", metadata,
    Column("letter_id", Integer, ForeignKey("letters.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("data", Text, nullable=False),
    Column("author", String(63), nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("template_id", String(64), nullable=False),
    Column("template_version", String(32), nullable=False),
    Column("template_sha256", String(64), nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
    Column("working", Boolean, nullable=False, server_default=false()),  # migration 0004
)

approvals = Table(
    "approvals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("letter_id", Integer, ForeignKey("letters.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("approver", String(63), nullable=False),
    Column("approved_at", TIME, nullable=False),
    Column("content_sha256", String(64), nullable=False, index=True),
    Column("docx", LargeBinary, nullable=False),
    Column("voided_at", TIME, nullable=True),
    Column("voided_by", String(63), nullable=True),
    Column("signed", Boolean, nullable=False, server_default="0"),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)

comments = Table(
    "comments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("letter_id", Integer, ForeignKey("letters.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("author", String(63), nullable=False),
    Column("created_at", TIME, nullable=False),
    Column("text", Text, nullable=False),
    Column("paragraph", String(200), nullable=True),
    Column("kind", String(20), nullable=False, server_default="comment"),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", TIME, nullable=False),
    Column("actor", String(63), nullable=False),
    Column("action", String(40), nullable=False),
    Column("letter_id", Integer, nullable=True),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

clauses = Table(
    "clauses", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("tags", Text, nullable=False, server_default=""),
    Column("use_count", Integer, nullable=False, server_default="0"),
    Column("created_at", TIME, nullable=False),
)

addressees = Table(
    "addressees", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("honorific", String(100), nullable=True),
    Column("name", String(200), nullable=False),
    Column("title", String(300), nullable=False),
    Column("organization", String(300), nullable=True),
    Column("address", Text, nullable=False, server_default="[]"),
    Column("salutation", String(300), nullable=True),
    # What no forms-of-address rule can know (migration 0005).
    Column("surname", String(200), nullable=True),
    Column("given_name", String(200), nullable=True),
    Column("courtesy", String(40), nullable=True),
    UniqueConstraint("name", "title", name="uq_addressees_name_title"),
)

# The office's letterhead (migration 0006): one row, changed only by an admin, each change an audit
# event whose detail is the row's content, so the row can be checked against the event that wrote it.
court_profile = Table(
    "court_profile", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: one profile an office
    Column("court", Text, nullable=False, server_default=""),
    Column("chambers", Text, nullable=False, server_default=""),
    Column("address", Text, nullable=False, server_default="[]"),
    Column("phone", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default=""),
    Column("seal_sha256", String(64), ForeignKey("court_seals.sha256"), nullable=True),
    Column("signatory_name", Text, nullable=False, server_default=""),
    Column("signatory_title", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(63), nullable=False),
    Column("updated_at", TIME, nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)

# Seal images by content (migration 0006): a letter pins its seal by hash, so a row is never
# changed or removed once written; a later profile names another row instead.
court_seals = Table(
    "court_seals", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("png", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("added_by", String(63), nullable=False),
    Column("added_at", TIME, nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)

# Signing (migration 0008): each judge's public signing certificate (the newest row per judge is in
# force; none is ever changed or removed) and the office's trust anchors (removal is a mark).
signing_certificates = Table(
    "signing_certificates", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(63), ForeignKey("users.name"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("der", LargeBinary, nullable=False),
    Column("subject", Text, nullable=False),
    Column("not_after", TIME, nullable=False),
    Column("bound_by", String(63), nullable=False),
    Column("bound_at", TIME, nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)

trust_anchors = Table(
    "trust_anchors", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("der", LargeBinary, nullable=False),
    Column("subject", Text, nullable=False),
    Column("added_by", String(63), nullable=False),
    Column("added_at", TIME, nullable=False),
    Column("removed_by", String(63), nullable=True),
    Column("removed_at", TIME, nullable=True),
    Column("audit_id", Integer, nullable=True),
    Column("audit_hash", String(64), nullable=True),
    Column("audit_prev", String(64), nullable=True),
)
