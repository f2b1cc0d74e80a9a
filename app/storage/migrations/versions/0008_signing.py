"""Signing: each judge's public signing certificate and the office's trust anchors.

- ``signing_certificates``: a judge's certificate (DER), bound by an admin. A judge's newest row
  is the one in force; older rows stay, so a letter signed before a renewal is still explained.
  Only public certificates are kept here: a private key never enters the database.
- ``trust_anchors``: the certificates (CAs) the office trusts signing certificates to chain to.
  Removing an anchor marks its row removed (who, when); the row stays for the record.

Custody as in 0006: each binding, addition and removal is an audit event
(``signing_certificate_bound``, ``trust_anchor_added``, ``trust_anchor_removed``) and the row
records that event's id, hash and preceding hash, which ``audit verify`` checks. On PostgreSQL only
the admin group may write either table (``db init-roles``, and here for groups that exist); no
group may delete a row. No SQL function is created.

Revision ID: 0008
Revises: 0006 (the lead rechains it after 0007)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

_AUDIT = (("audit_id", sa.Integer), ("audit_hash", sa.String(64)), ("audit_prev", sa.String(64)))

_PG_GRANTS = r"""
DO $$
DECLARE grp text;
BEGIN
    FOREACH grp IN ARRAY ARRAY['chambers_clerk', 'chambers_judge', 'chambers_admin'] LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = grp) THEN
            EXECUTE pg_catalog.format('GRANT SELECT ON public.signing_certificates, public.trust_anchors TO %I', grp);
            EXECUTE pg_catalog.format('GRANT USAGE, SELECT ON SEQUENCE public.signing_certificates_id_seq TO %I',
                                      grp);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'chambers_admin') THEN
        GRANT INSERT ON public.signing_certificates TO chambers_admin;
        GRANT INSERT, UPDATE ON public.trust_anchors TO chambers_admin;
    END IF;
END $$;
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # As in 0004: a deferred audit check queued earlier in this transaction would refuse DDL.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.create_table(
        "signing_certificates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(63), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("der", sa.LargeBinary, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("not_after", sa.String(40), nullable=False),
        sa.Column("bound_by", sa.String(63), nullable=False),
        sa.Column("bound_at", sa.String(40), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in _AUDIT),
        sa.CheckConstraint("length(sha256) = 64", name="ck_signing_certificates_sha256"),
    )
    op.create_index("ix_signing_certificates_user", "signing_certificates", ["user_name", "id"])
    op.create_table(
        "trust_anchors",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("der", sa.LargeBinary, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(63), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("removed_by", sa.String(63), nullable=True),
        sa.Column("removed_at", sa.String(40), nullable=True),
        *(sa.Column(name, kind, nullable=True) for name, kind in _AUDIT),
        sa.CheckConstraint("length(sha256) = 64", name="ck_trust_anchors_sha256"),
    )
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER signing_certificates_no_change BEFORE UPDATE ON signing_certificates BEGIN "
                   "SELECT RAISE(ABORT, 'a bound certificate is never changed: bind a new one'); END")
        op.execute("CREATE TRIGGER signing_certificates_no_delete BEFORE DELETE ON signing_certificates BEGIN "
                   "SELECT RAISE(ABORT, 'a bound certificate is never removed: bind a new one'); END")
        op.execute("CREATE TRIGGER trust_anchors_no_delete BEFORE DELETE ON trust_anchors BEGIN "
                   "SELECT RAISE(ABORT, 'a trust anchor is marked removed, never deleted'); END")
    elif dialect == "postgresql":
        op.execute(_PG_GRANTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.drop_table("trust_anchors")
    op.drop_index("ix_signing_certificates_user", "signing_certificates")
    op.drop_table("signing_certificates")
