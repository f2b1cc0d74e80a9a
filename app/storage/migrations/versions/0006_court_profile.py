"""The office's court profile: the letterhead every letter of the office prints.

- ``court_profile``: one row (``id = 1``): court name, chambers line, address lines (JSON list),
  phone, email, the seal image (by hash), the default signatory's name and title, and a
  ``version`` counted up by every change so that two admins never overwrite each other.
- ``court_seals``: seal images by content (SHA-256 hex -> PNG bytes). A letter pins its seal by
  hash, so a row is never changed or removed; a new seal is a new row.

Custody, as migration 0003 asks of every row a member login writes: each change of the profile
and each new seal is an audit event (``court_profile_changed``, ``court_seal_added``), and the row
records that event's id, hash and preceding hash. On PostgreSQL the database checks it at commit
for member logins: the linked event must exist, be the login's own, carry that action, and (for
the profile) hold the row's very content in its detail, so a row cannot be written and then
vouched for by some other event. The hash of a seal row is computed by the server from its bytes.
Only the admin group may write either table (``db init-roles``, and here for groups that exist).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_AUDIT = (("audit_id", sa.Integer), ("audit_hash", sa.String(64)), ("audit_prev", sa.String(64)))

_PG = r"""
-- Seals: written once, hash checked by the server; neither table loses a row.
CREATE OR REPLACE FUNCTION chambers_seal_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never removed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'court_seals rows are never changed: a letter may pin any of them'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.sha256 IS DISTINCT FROM encode(sha256(NEW.png), 'hex') THEN
        RAISE EXCEPTION 'court seal %: the hash does not match the image bytes', NEW.sha256
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER court_seals_checked BEFORE INSERT OR UPDATE OR DELETE ON court_seals
    FOR EACH ROW EXECUTE FUNCTION chambers_seal_checked();

-- At commit: a member login's profile or seal row vouches for its own audit event, whose detail
-- is what the row holds (so the row cannot say one thing and the log another).
CREATE OR REPLACE FUNCTION chambers_profile_audited() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_now record;
    event audit_log%ROWTYPE;
    wanted jsonb;
BEGIN
    IF chambers_privileged() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'court_profile' THEN
        SELECT * INTO row_now FROM court_profile WHERE id = NEW.id;
        wanted := jsonb_build_object(
            'court', row_now.court, 'chambers', row_now.chambers, 'address', row_now.address::jsonb,
            'phone', row_now.phone, 'email', row_now.email,
            'seal', CASE WHEN row_now.seal_sha256 IS NULL THEN NULL ELSE 'sha256:' || row_now.seal_sha256 END,
            'signatory_name', row_now.signatory_name, 'signatory_title', row_now.signatory_title,
            'version', row_now.version);
        SELECT * INTO event FROM audit_log WHERE id = row_now.audit_id;
        IF NOT FOUND OR event.action <> 'court_profile_changed' OR event.actor <> session_user
           OR row_now.updated_by <> session_user
           OR event.hash IS DISTINCT FROM row_now.audit_hash OR event.prev_hash IS DISTINCT FROM row_now.audit_prev
           OR event.detail::jsonb IS DISTINCT FROM wanted
           OR (TG_OP = 'UPDATE' AND (row_now.audit_id <= OLD.audit_id OR row_now.version <> OLD.version + 1)) THEN
            RAISE EXCEPTION 'court_profile written without its audit event: write through Chambers'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSE
        SELECT * INTO row_now FROM court_seals WHERE sha256 = NEW.sha256;
        SELECT * INTO event FROM audit_log WHERE id = row_now.audit_id;
        IF NOT FOUND OR event.action <> 'court_seal_added' OR event.actor <> session_user
           OR row_now.added_by <> session_user
           OR event.hash IS DISTINCT FROM row_now.audit_hash OR event.prev_hash IS DISTINCT FROM row_now.audit_prev
           OR (event.detail::jsonb ->> 'seal') IS DISTINCT FROM 'sha256:' || row_now.sha256 THEN
            RAISE EXCEPTION 'court_seals row written without its audit event: write through Chambers'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER court_profile_audited AFTER INSERT OR UPDATE ON court_profile
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_profile_audited();
CREATE CONSTRAINT TRIGGER court_seals_audited AFTER INSERT ON court_seals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_profile_audited();
CREATE TRIGGER court_profile_not_removed BEFORE DELETE ON court_profile
    FOR EACH ROW EXECUTE FUNCTION chambers_seal_checked();

DO $$
DECLARE grp text;
BEGIN
    -- Groups made before this revision: open the new tables as `db init-roles` would.
    FOREACH grp IN ARRAY ARRAY['chambers_clerk', 'chambers_judge', 'chambers_admin'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
            EXECUTE format('GRANT SELECT ON court_profile, court_seals TO %I', grp);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chambers_admin') THEN
        GRANT INSERT, UPDATE ON court_profile TO chambers_admin;
        GRANT INSERT ON court_seals TO chambers_admin;
    END IF;
END $$;
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # As in 0004: a deferred audit check queued earlier in this transaction would refuse DDL.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.create_table(
        "court_seals",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("png", sa.LargeBinary, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("added_by", sa.String(63), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in _AUDIT),
        sa.CheckConstraint("length(sha256) = 64", name="ck_court_seals_sha256"),
    )
    op.create_table(
        "court_profile",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("court", sa.Text, nullable=False, server_default=""),
        sa.Column("chambers", sa.Text, nullable=False, server_default=""),
        sa.Column("address", sa.Text, nullable=False, server_default="[]"),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        sa.Column("email", sa.Text, nullable=False, server_default=""),
        sa.Column("seal_sha256", sa.String(64), sa.ForeignKey("court_seals.sha256"), nullable=True),
        sa.Column("signatory_name", sa.Text, nullable=False, server_default=""),
        sa.Column("signatory_title", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(63), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in _AUDIT),
        sa.CheckConstraint("id = 1", name="ck_court_profile_one_row"),
    )
    if dialect == "sqlite":
        op.execute("CREATE TRIGGER court_seals_no_update BEFORE UPDATE ON court_seals BEGIN "
                   "SELECT RAISE(ABORT, 'court_seals rows are never changed or removed'); END")
        op.execute("CREATE TRIGGER court_seals_no_delete BEFORE DELETE ON court_seals BEGIN "
                   "SELECT RAISE(ABORT, 'court_seals rows are never changed or removed'); END")
        op.execute("CREATE TRIGGER court_profile_no_delete BEFORE DELETE ON court_profile BEGIN "
                   "SELECT RAISE(ABORT, 'the court profile is changed, never removed'); END")
    elif dialect == "postgresql":
        op.execute(_PG)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.drop_table("court_profile")
    op.drop_table("court_seals")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS chambers_profile_audited() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS chambers_seal_checked() CASCADE")
