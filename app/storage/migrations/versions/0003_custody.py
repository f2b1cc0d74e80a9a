"""Chain of custody: every version, approval, comment, user and letter row vouches for its audit
event; the chain head (count and hash) is kept in chambers_meta; on PostgreSQL the database
itself stamps who did what and enforces the workflow on every statement.

What changes
- ``audit_id``/``audit_hash``/``audit_prev`` (the event's id, its hash and the hash before it)
  on letters (the newest event about the letter), letter_versions,
  approvals, comments and users (the event that created or last changed them); ``signed`` on
  approvals (whether the approver's signature image is in the approved file).
- ``chambers_meta`` keys ``audit_count`` and ``audit_head``: how many events the chain holds and
  the hash of the newest, updated in the same transaction as every append. Cutting the newest
  events, or all of them, or appending one behind the application's back, no longer matches.
- PostgreSQL: appends only through ``chambers_audit_append`` (SECURITY DEFINER: stamps the login,
  computes the hash, links the rows of the transaction); approvals only through
  ``chambers_approve``; approvals voided only by an edit (``chambers_void_approval``); signature
  images only through ``chambers_signature``; letters stamped (``created_by``/``updated_by``) and
  checked on INSERT as well as UPDATE; the current version and approval of a letter constrained
  by foreign keys; at commit, every letter, version, approval, comment and user a member login
  wrote must be linked to its audit event (so no change goes unaudited); ``lock_timeout`` and
  ``statement_timeout`` are set per login by ``db init-roles`` and per session by the engine.

Re-anchoring an existing database
The existing events keep their hashes (the hash formula is unchanged). Rows written before this
revision are linked to the event that recorded them where one can be found (``created``/``edited``
by letter and version, ``approve`` by approval, ``commented``/``request_changes`` by comment,
``user_added`` by user, and each letter to its newest event); rows with no such event get
``audit_id = 0``, "written before custody", which verification accepts and which no later event
can claim. The head is then set from the existing rows and one ``audit_anchored`` event is
appended that records the count and head it found, so a chain that was already broken stays
visibly broken rather than being blessed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
LINKED = ("letters", "letter_versions", "approvals", "comments", "users")


def _event_hash(prev: str, event_id: int, at: str, actor: str, action: str, letter_id: int | None,
                detail: str) -> str:
    # Frozen copy of app.core.audit.event_hash: a migration must not change with the code.
    payload = json.dumps([prev, event_id, at, actor, action, letter_id, detail],
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for table in LINKED:
        op.add_column(table, sa.Column("audit_id", sa.Integer, nullable=True))
        op.add_column(table, sa.Column("audit_hash", sa.String(64), nullable=True))
        op.add_column(table, sa.Column("audit_prev", sa.String(64), nullable=True))
    op.add_column("approvals", sa.Column("signed", sa.Boolean, nullable=False, server_default=sa.false()))
    # The triggers first: they are what lets an existing row be linked, once, to its event.
    if dialect == "sqlite":
        _sqlite_triggers()
    elif dialect == "postgresql":
        _postgres_custody()
    _reanchor(bind)


def _sqlite_triggers() -> None:
    # A row may be linked to its audit event once (NULL -> id); nothing else about it changes.
    op.execute("DROP TRIGGER IF EXISTS letter_versions_no_update")
    op.execute("CREATE TRIGGER letter_versions_no_update BEFORE UPDATE ON letter_versions WHEN NOT ("
               "old.audit_id IS NULL AND new.audit_id IS NOT NULL "
               "AND new.letter_id IS old.letter_id AND new.number IS old.number AND new.data IS old.data "
               "AND new.author IS old.author AND new.created_at IS old.created_at AND new.note IS old.note "
               "AND new.template_id IS old.template_id AND new.template_version IS old.template_version "
               "AND new.template_sha256 IS old.template_sha256) BEGIN "
               "SELECT RAISE(ABORT, 'letter_versions rows are never changed or removed'); END")
    op.execute("DROP TRIGGER IF EXISTS approvals_only_void")
    op.execute("CREATE TRIGGER approvals_only_void BEFORE UPDATE ON approvals WHEN "
               "(old.voided_at IS NOT NULL AND (new.voided_at IS NOT old.voided_at OR new.voided_by IS NOT "
               "old.voided_by)) "
               "OR new.docx IS NOT old.docx OR new.content_sha256 IS NOT old.content_sha256 "
               "OR new.letter_id IS NOT old.letter_id OR new.version IS NOT old.version "
               "OR new.approver IS NOT old.approver OR new.approved_at IS NOT old.approved_at "
               "OR new.signed IS NOT old.signed "
               "OR (old.audit_id IS NOT NULL AND (new.audit_id IS NOT old.audit_id "
               "OR new.audit_hash IS NOT old.audit_hash OR new.audit_prev IS NOT old.audit_prev)) BEGIN "
               "SELECT RAISE(ABORT, 'an approval can only be voided, never changed'); END")
    op.execute("CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments BEGIN "
               "SELECT RAISE(ABORT, 'comments are never removed'); END")
    op.execute("CREATE TRIGGER comments_only_link BEFORE UPDATE ON comments WHEN NOT ("
               "old.audit_id IS NULL AND new.audit_id IS NOT NULL AND new.id IS old.id "
               "AND new.letter_id IS old.letter_id AND new.version IS old.version AND new.author IS old.author "
               "AND new.created_at IS old.created_at AND new.text IS old.text "
               "AND new.paragraph IS old.paragraph AND new.kind IS old.kind) BEGIN "
               "SELECT RAISE(ABORT, 'comments are never changed'); END")


def _reanchor(bind: sa.Connection) -> None:
    events = bind.execute(sa.text("SELECT id, at, actor, action, letter_id, detail, prev_hash, hash "
                                  "FROM audit_log ORDER BY id")).all()

    def link(table: str, where: str, params: dict[str, Any], event: Any) -> None:
        bind.execute(sa.text(f"UPDATE {table} SET audit_id = :aid, audit_hash = :ah, audit_prev = :ap "
                             f"WHERE audit_id IS NULL AND {where}"),
                     {**params, "aid": event.id, "ah": event.hash, "ap": event.prev_hash})

    newest: dict[int, Any] = {}
    for event in events:
        try:
            detail = json.loads(event.detail)
        except ValueError:
            detail = {}
        if not isinstance(detail, dict):
            detail = {}
        if event.letter_id is not None:
            newest[event.letter_id] = event
        if event.action in ("created", "edited") and isinstance(detail.get("version"), int):
            link("letter_versions", "letter_id = :l AND number = :n",
                 {"l": event.letter_id, "n": detail["version"]}, event)
        if event.action == "approve" and isinstance(detail.get("approval_id"), int):
            link("approvals", "id = :i", {"i": detail["approval_id"]}, event)
        if event.action in ("commented", "request_changes") and isinstance(detail.get("comment"), int):
            link("comments", "id = :i", {"i": detail["comment"]}, event)
        if event.action == "user_added" and isinstance(detail.get("user"), str):
            link("users", "name = :u", {"u": detail["user"]}, event)
    for letter_id, event in newest.items():
        link("letters", "id = :i", {"i": letter_id}, event)
    for table in LINKED:
        bind.execute(sa.text(f"UPDATE {table} SET audit_id = 0 WHERE audit_id IS NULL"))

    last = events[-1] if events else None
    prev = last.hash if last else GENESIS
    event_id = (last.id if last else 0) + 1
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail = json.dumps({"events": len(events), "head": prev, "revision": "0003"},
                        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = _event_hash(prev, event_id, at, "chambers", "audit_anchored", None, detail)
    bind.execute(sa.text("INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash) "
                         "VALUES (:id, :at, 'chambers', 'audit_anchored', NULL, :detail, :prev, :hash)"),
                 {"id": event_id, "at": at, "detail": detail, "prev": prev, "hash": digest})
    meta = sa.table("chambers_meta", sa.column("key"), sa.column("value"))
    bind.execute(sa.delete(meta).where(meta.c.key.in_(["audit_count", "audit_head"])))
    op.bulk_insert(meta, [{"key": "audit_count", "value": str(len(events) + 1)},
                          {"key": "audit_head", "value": digest}])


# --- PostgreSQL ---------------------------------------------------------------------------------
_PG = r"""
-- Who is acting: the login, unless the login owns the tables (or is a superuser) and so acts for
-- the application's users, as the single-login office and `db upgrade` do.
CREATE OR REPLACE FUNCTION chambers_privileged() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
        OR pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                                      WHERE tablename = 'letters' AND schemaname = 'public'), 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION chambers_in_group(grp text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) AND pg_has_role(session_user, grp, 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION chambers_now() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE OR REPLACE FUNCTION chambers_event_hash(prev text, event_id integer, at text, actor text, action text,
                                               letter_id integer, detail text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    -- The same bytes as json.dumps([...], separators=(",", ":"), ensure_ascii=False) in app.core.audit
    SELECT encode(sha256(convert_to('[' || to_json(prev)::text || ',' || event_id::text || ','
        || to_json(at)::text || ',' || to_json(actor)::text || ',' || to_json(action)::text || ','
        || COALESCE(letter_id::text, 'null') || ',' || to_json(detail)::text || ']', 'UTF8')), 'hex')
$$;

-- The only way into the audit log. It stamps the login (or, for the owner's login, the user the
-- application acts for), takes the time from the server, computes the hash from the head kept in
-- chambers_meta, moves the head, and links the rows this transaction wrote to the new event.
CREATE OR REPLACE FUNCTION chambers_audit_append(p_actor text, p_action text, p_letter_id integer,
                                                 p_detail text, p_vouch jsonb)
RETURNS TABLE (event_id integer, event_at text, event_actor text, event_prev text, event_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who text := p_actor;
    head text;
    n integer;
    new_id integer;
    stamp text := chambers_now();
    digest text;
    item jsonb;
BEGIN
    IF NOT chambers_privileged() THEN
        who := session_user;
        IF p_actor IS DISTINCT FROM who THEN
            RAISE EXCEPTION 'the login % may write audit events only in its own name, not as %', who, p_actor
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM users WHERE name = who) THEN
            RAISE EXCEPTION 'the login % is not a Chambers user', who USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT value INTO head FROM chambers_meta WHERE key = 'audit_head' FOR UPDATE;
    SELECT value::integer INTO n FROM chambers_meta WHERE key = 'audit_count' FOR UPDATE;
    IF head IS NULL OR n IS NULL THEN
        RAISE EXCEPTION 'the audit chain head is missing from chambers_meta' USING ERRCODE = 'data_corrupted';
    END IF;
    SELECT COALESCE(max(id), 0) + 1 INTO new_id FROM audit_log;
    digest := chambers_event_hash(head, new_id, stamp, who, p_action, p_letter_id, p_detail);
    INSERT INTO audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash)
        VALUES (new_id, stamp, who, p_action, p_letter_id, p_detail, head, digest);
    UPDATE chambers_meta SET value = digest WHERE key = 'audit_head';
    UPDATE chambers_meta SET value = (n + 1)::text WHERE key = 'audit_count';
    IF p_letter_id IS NOT NULL THEN
        UPDATE letters SET audit_id = new_id, audit_hash = digest, audit_prev = head WHERE id = p_letter_id;
    END IF;
    -- Only rows still unlinked, and only the actor's own: nobody claims another's row.
    FOR item IN SELECT * FROM jsonb_array_elements(COALESCE(p_vouch -> 'versions', '[]'::jsonb)) LOOP
        UPDATE letter_versions SET audit_id = new_id, audit_hash = digest, audit_prev = head
            WHERE letter_id = (item ->> 0)::integer AND number = (item ->> 1)::integer
            AND audit_id IS NULL AND author = who;
    END LOOP;
    UPDATE comments SET audit_id = new_id, audit_hash = digest, audit_prev = head
        WHERE audit_id IS NULL AND author = who
        AND id IN (SELECT value::integer FROM jsonb_array_elements_text(COALESCE(p_vouch -> 'comments', '[]')));
    UPDATE approvals SET audit_id = new_id, audit_hash = digest, audit_prev = head
        WHERE audit_id IS NULL AND approver = who
        AND id IN (SELECT value::integer FROM jsonb_array_elements_text(COALESCE(p_vouch -> 'approvals', '[]')));
    IF chambers_privileged() OR chambers_in_group('chambers_admin') OR p_action = 'user_added' THEN
        UPDATE users SET audit_id = new_id, audit_hash = digest, audit_prev = head
            WHERE name IN (SELECT value FROM jsonb_array_elements_text(COALESCE(p_vouch -> 'users', '[]')))
            AND (audit_id IS NULL OR chambers_privileged() OR chambers_in_group('chambers_admin'));
    END IF;
    RETURN QUERY SELECT new_id, stamp, who, head, digest;
END $$;

-- Rows that must vouch for an event: checked when the transaction commits.
CREATE OR REPLACE FUNCTION chambers_require_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    linked integer;
BEGIN
    IF chambers_privileged() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'letter_versions' THEN
        SELECT audit_id INTO linked FROM letter_versions WHERE letter_id = NEW.letter_id AND number = NEW.number;
    ELSIF TG_TABLE_NAME = 'comments' THEN
        SELECT audit_id INTO linked FROM comments WHERE id = NEW.id;
    ELSIF TG_TABLE_NAME = 'approvals' THEN
        SELECT audit_id INTO linked FROM approvals WHERE id = NEW.id;
    ELSIF TG_TABLE_NAME = 'letters' THEN
        -- every change of a letter is followed by an audit event about it, which moves its link
        SELECT audit_id INTO linked FROM letters WHERE id = NEW.id;
        IF TG_OP = 'UPDATE' AND linked IS NOT DISTINCT FROM OLD.audit_id THEN
            linked := NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'users' THEN
        SELECT audit_id INTO linked FROM users WHERE name = NEW.name;
        IF TG_OP = 'UPDATE' AND linked IS NOT DISTINCT FROM OLD.audit_id THEN
            linked := NULL;
        END IF;
    END IF;
    IF linked IS NULL THEN
        RAISE EXCEPTION '% row written without an audit event: write through Chambers', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;

-- Approvals: only through here. The approver is the login; the letter must be in review at that
-- version; a signature image may be in the file only when the approver is the letter's signatory.
CREATE OR REPLACE FUNCTION chambers_approve(p_approver text, p_letter_id integer, p_version integer,
                                            p_at text, p_content_sha256 text, p_docx bytea, p_signed boolean)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who text := p_approver;
    judge users%ROWTYPE;
    letter letters%ROWTYPE;
    signatory text;
    new_id integer;
BEGIN
    IF NOT chambers_privileged() THEN
        who := session_user;
        IF p_approver IS DISTINCT FROM who OR NOT chambers_in_group('chambers_judge') THEN
            RAISE EXCEPTION 'the login % may not approve letters in the name of %', who, p_approver
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT * INTO judge FROM users WHERE name = who;
    IF NOT FOUND OR judge.role <> 'judge' THEN
        RAISE EXCEPTION '% is not a judge: only a judge approves letters', who USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO letter FROM letters WHERE id = p_letter_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no letter %', p_letter_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF letter.status <> 'in_review' OR letter.version <> p_version THEN
        RAISE EXCEPTION 'letter % is % at version %, not in review at version %', p_letter_id, letter.status,
            letter.version, p_version USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_signed THEN
        SELECT data::jsonb -> 'signatory' ->> 'name' INTO signatory FROM letter_versions
            WHERE letter_id = p_letter_id AND number = p_version;
        IF signatory IS NULL OR lower(signatory) NOT IN (lower(judge.name), lower(judge.full_name))
           OR judge.signature_png IS NULL THEN
            RAISE EXCEPTION '% is not the signatory of letter % (%): the approval may not carry a signature image',
                who, p_letter_id, COALESCE(signatory, 'none') USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    INSERT INTO approvals (letter_id, version, approver, approved_at, content_sha256, docx, signed)
        VALUES (p_letter_id, p_version, who, p_at, p_content_sha256, p_docx, p_signed) RETURNING id INTO new_id;
    RETURN new_id;
END $$;

-- Voiding: an approval in force is voided only by an edit of its letter (the letters trigger does
-- it); this function records who voided it and refuses to void an approval the letter still holds.
CREATE OR REPLACE FUNCTION chambers_void_approval(p_by text, p_approval_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who text := CASE WHEN chambers_privileged() THEN p_by ELSE session_user END;
BEGIN
    IF EXISTS (SELECT 1 FROM letters WHERE approval_id = p_approval_id) THEN
        RAISE EXCEPTION 'approval % is in force: it is voided only by editing its letter', p_approval_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE approvals SET voided_at = chambers_now(), voided_by = who
        WHERE id = p_approval_id AND voided_at IS NULL;
END $$;

CREATE OR REPLACE FUNCTION chambers_signature(p_name text) RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT signature_png FROM users WHERE name = p_name AND (p_name = session_user OR chambers_privileged())
$$;

-- Called by the letters trigger as a clerk saves a new version over an approved letter; only
-- that clerk's own next version of that letter lets it void the approval.
CREATE OR REPLACE FUNCTION chambers_void_for_edit(p_letter_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE approvals SET voided_at = chambers_now(), voided_by = session_user
        WHERE voided_at IS NULL AND id = (SELECT approval_id FROM letters WHERE id = p_letter_id)
        AND EXISTS (SELECT 1 FROM letter_versions v, letters l WHERE l.id = p_letter_id
                    AND v.letter_id = l.id AND v.number = l.version + 1 AND v.author = session_user);
END $$;

-- The workflow on every statement, INSERT as well as UPDATE. Same table as app.core.workflow.
CREATE OR REPLACE FUNCTION chambers_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who text := session_user;
    pair text;
    is_clerk boolean := chambers_in_group('chambers_clerk');
    is_judge boolean := chambers_in_group('chambers_judge');
BEGIN
    IF pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE tablename = TG_TABLE_NAME
                                  AND schemaname = TG_TABLE_SCHEMA), 'MEMBER') THEN
        RETURN NEW;  -- the owner's login or a Chambers function; their rules are checked in code
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT is_clerk THEN
            RAISE EXCEPTION 'the login % may not create letters: only a clerk does', who
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.status <> 'draft' OR NEW.version <> 1 OR NEW.approval_id IS NOT NULL OR NEW.row_version <> 1
           OR NEW.audit_id IS NOT NULL THEN
            RAISE EXCEPTION 'a new letter starts as a draft at version 1 with no approval (got %, version %)',
                NEW.status, NEW.version USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.created_by := who;
        NEW.updated_by := who;
        NEW.created_at := chambers_now();
        NEW.updated_at := NEW.created_at;
        RETURN NEW;
    END IF;
    pair := OLD.status || '>' || NEW.status;
    IF NEW.id <> OLD.id OR (NEW.audit_id, NEW.audit_hash, NEW.audit_prev)
                            IS DISTINCT FROM (OLD.audit_id, OLD.audit_hash, OLD.audit_prev) THEN
        RAISE EXCEPTION 'the login % may not change a letter''s identity or audit link', who
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.created_by := OLD.created_by;
    NEW.created_at := OLD.created_at;
    NEW.updated_by := who;
    NEW.updated_at := chambers_now();
    IF NEW.version <> OLD.version THEN
        -- a new version: only a clerk edits, one version at a time, and an edit voids any approval
        IF is_clerk AND NEW.version = OLD.version + 1 AND pair IN ('draft>draft',
                'changes_requested>changes_requested', 'in_review>draft', 'approved>draft', 'exported>draft') THEN
            IF OLD.approval_id IS NOT NULL THEN
                PERFORM chambers_void_for_edit(OLD.id);
            END IF;
            NEW.approval_id := NULL;
            RETURN NEW;
        END IF;
    ELSIF NEW.approval_id IS DISTINCT FROM OLD.approval_id THEN
        IF is_judge AND pair = 'in_review>approved' AND EXISTS (
               SELECT 1 FROM approvals a WHERE a.id = NEW.approval_id AND a.letter_id = NEW.id
               AND a.version = NEW.version AND a.approver = who AND a.voided_at IS NULL) THEN
            RETURN NEW;
        END IF;
    ELSIF (NEW.subject, NEW.search_text, NEW.template_id, NEW.template_version, NEW.template_sha256)
          IS DISTINCT FROM (OLD.subject, OLD.search_text, OLD.template_id, OLD.template_version,
                            OLD.template_sha256) THEN
        NULL;  -- the letter's content changes only with a new version
    ELSIF is_clerk AND pair IN ('draft>in_review', 'changes_requested>in_review') THEN
        RETURN NEW;
    ELSIF is_judge AND pair IN ('in_review>changes_requested', 'approved>exported', 'exported>exported') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the login % may not change letter % from % (version %) to % (version %)', who, OLD.id,
        OLD.status, OLD.version, NEW.status, NEW.version USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS letters_transition ON letters;
CREATE TRIGGER letters_transition BEFORE INSERT OR UPDATE ON letters
    FOR EACH ROW EXECUTE FUNCTION chambers_check_transition();

CREATE CONSTRAINT TRIGGER letter_versions_audited AFTER INSERT ON letter_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_require_audit();
CREATE CONSTRAINT TRIGGER comments_audited AFTER INSERT ON comments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_require_audit();
CREATE CONSTRAINT TRIGGER approvals_audited AFTER INSERT ON approvals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_require_audit();
CREATE CONSTRAINT TRIGGER letters_audited AFTER INSERT OR UPDATE ON letters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_require_audit();
CREATE CONSTRAINT TRIGGER users_audited AFTER INSERT OR UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chambers_require_audit();

-- Versions and approvals: immutable except for the one link to their audit event.
CREATE OR REPLACE FUNCTION chambers_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.audit_id IS NULL AND NEW.audit_id IS NOT NULL
       AND (NEW.letter_id, NEW.number, NEW.data, NEW.author, NEW.created_at, NEW.note, NEW.template_id,
            NEW.template_version, NEW.template_sha256)
           IS NOT DISTINCT FROM (OLD.letter_id, OLD.number, OLD.data, OLD.author, OLD.created_at, OLD.note,
                                 OLD.template_id, OLD.template_version, OLD.template_sha256) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS letter_versions_immutable ON letter_versions;
CREATE TRIGGER letter_versions_immutable BEFORE UPDATE OR DELETE ON letter_versions
    FOR EACH ROW EXECUTE FUNCTION chambers_versions_immutable();

CREATE OR REPLACE FUNCTION chambers_approval_only_void() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR (OLD.voided_at IS NOT NULL AND (NEW.voided_at, NEW.voided_by) IS DISTINCT FROM (OLD.voided_at, OLD.voided_by))
       OR (NEW.letter_id, NEW.version, NEW.approver, NEW.approved_at, NEW.content_sha256, NEW.docx, NEW.signed)
          IS DISTINCT FROM (OLD.letter_id, OLD.version, OLD.approver, OLD.approved_at,
                            OLD.content_sha256, OLD.docx, OLD.signed)
       OR (OLD.audit_id IS NOT NULL AND (NEW.audit_id, NEW.audit_hash, NEW.audit_prev)
                                         IS DISTINCT FROM (OLD.audit_id, OLD.audit_hash, OLD.audit_prev))
    THEN
        RAISE EXCEPTION 'an approval can only be voided, never changed or removed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION chambers_comments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.audit_id IS NULL AND NEW.audit_id IS NOT NULL
       AND (NEW.id, NEW.letter_id, NEW.version, NEW.author, NEW.created_at, NEW.text, NEW.paragraph, NEW.kind)
           IS NOT DISTINCT FROM (OLD.id, OLD.letter_id, OLD.version, OLD.author, OLD.created_at, OLD.text,
                                 OLD.paragraph, OLD.kind) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'comments are never changed or removed' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER comments_immutable BEFORE UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION chambers_comments_immutable();

-- The version a letter points at exists, and its approval is one of its own.
ALTER TABLE approvals ADD CONSTRAINT uq_approvals_id_letter UNIQUE (id, letter_id);
ALTER TABLE letters ADD CONSTRAINT fk_letters_current_version FOREIGN KEY (id, version)
    REFERENCES letter_versions (letter_id, number) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE letters ADD CONSTRAINT fk_letters_approval FOREIGN KEY (approval_id, id)
    REFERENCES approvals (id, letter_id) DEFERRABLE INITIALLY DEFERRED;
"""

_PG_PUBLIC = ("chambers_audit_append(text, text, integer, text, jsonb)",
              "chambers_approve(text, integer, integer, text, text, bytea, boolean)",
              "chambers_void_approval(text, integer)", "chambers_signature(text)",
              "chambers_void_for_edit(integer)")


def _postgres_custody() -> None:
    op.execute(_PG)
    for function in _PG_PUBLIC:
        # Definer functions are not for everyone: `db init-roles` grants them to the groups.
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("""
        DO $$
        DECLARE grp text;
        BEGIN
            FOREACH grp IN ARRAY ARRAY['chambers_clerk', 'chambers_judge', 'chambers_admin'] LOOP
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
                    -- roles made before this revision: close what it closes until init-roles runs again
                    EXECUTE format('REVOKE INSERT ON audit_log FROM %I', grp);
                    EXECUTE format('REVOKE INSERT ON approvals FROM %I', grp);
                    EXECUTE format('REVOKE UPDATE ON approvals FROM %I', grp);
                    EXECUTE format('REVOKE SELECT ON users FROM %I', grp);
                    EXECUTE format('GRANT SELECT (name, role, full_name, created_at, audit_id, audit_hash, '
                                   'audit_prev) '
                                   'ON users TO %I', grp);
                    EXECUTE format('GRANT EXECUTE ON FUNCTION chambers_audit_append(text, text, integer, text, '
                                   'jsonb), chambers_signature(text), chambers_void_approval(text, integer), '
                                   'chambers_void_for_edit(integer) TO %I', grp);
                END IF;
            END LOOP;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chambers_judge') THEN
                GRANT EXECUTE ON FUNCTION chambers_approve(text, integer, integer, text, text, bytea, boolean)
                    TO chambers_judge;
            END IF;
        END $$""")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE letters DROP CONSTRAINT IF EXISTS fk_letters_approval")
        op.execute("ALTER TABLE letters DROP CONSTRAINT IF EXISTS fk_letters_current_version")
        op.execute("ALTER TABLE approvals DROP CONSTRAINT IF EXISTS uq_approvals_id_letter")
        for trigger, table in (("letter_versions_audited", "letter_versions"), ("comments_audited", "comments"),
                               ("approvals_audited", "approvals"), ("users_audited", "users"),
                               ("letters_audited", "letters"),
                               ("comments_immutable", "comments"), ("letters_transition", "letters")):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP TRIGGER IF EXISTS letter_versions_immutable ON letter_versions")
        op.execute("CREATE TRIGGER letter_versions_immutable BEFORE UPDATE OR DELETE ON letter_versions "
                   "FOR EACH ROW EXECUTE FUNCTION chambers_immutable()")
        for function in ("chambers_audit_append(text, text, integer, text, jsonb)",
                         "chambers_approve(text, integer, integer, text, text, bytea, boolean)",
                         "chambers_void_approval(text, integer)", "chambers_signature(text)",
                         "chambers_void_for_edit(integer)", "chambers_require_audit()",
                         "chambers_versions_immutable()", "chambers_comments_immutable()",
                         "chambers_event_hash(text, integer, text, text, text, integer, text)",
                         "chambers_now()", "chambers_in_group(text)", "chambers_privileged()"):
            op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    else:
        for trigger in ("comments_no_delete", "comments_only_link", "letter_versions_no_update",
                        "approvals_only_void"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("CREATE TRIGGER letter_versions_no_update BEFORE UPDATE ON letter_versions BEGIN "
                   "SELECT RAISE(ABORT, 'letter_versions rows are never changed or removed'); END")
        op.execute("CREATE TRIGGER approvals_only_void BEFORE UPDATE ON approvals WHEN "
                   "old.voided_at IS NOT NULL OR new.docx IS NOT old.docx "
                   "OR new.content_sha256 IS NOT old.content_sha256 "
                   "OR new.letter_id IS NOT old.letter_id OR new.version IS NOT old.version "
                   "OR new.approver IS NOT old.approver OR new.approved_at IS NOT old.approved_at BEGIN "
                   "SELECT RAISE(ABORT, 'an approval can only be voided, never changed'); END")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the FTS triggers on letters.
    op.execute("ALTER TABLE approvals DROP COLUMN signed")
    for table in LINKED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN audit_prev")
        op.execute(f"ALTER TABLE {table} DROP COLUMN audit_hash")
        op.execute(f"ALTER TABLE {table} DROP COLUMN audit_id")
    meta = sa.table("chambers_meta", sa.column("key"), sa.column("value"))
    bind.execute(sa.delete(meta).where(meta.c.key.in_(["audit_count", "audit_head"])))
