"""Database functions no login can redirect; approvals that always answer to the signatory.

What was found: the trigger helpers ran with the caller's ``search_path`` and read ``pg_roles`` and
``pg_tables`` unqualified, and every login had TEMP on the database. A clerk made temp views named
``pg_roles``/``pg_tables`` (saying the clerk was a superuser and owned the tables), put ``pg_temp``
first in the search path, and the database accepted forged workflow steps with no audit event.

What changes (PostgreSQL; SQLite has no server-side functions and behaves as before)
- Every function of the schema is made again with ``SET search_path = pg_catalog, pg_temp``:
  the catalog first, so nothing a session creates can stand in for ``pg_roles`` or a built-in
  function, and ``pg_temp`` last (PostgreSQL would otherwise search it first for tables). Every
  table and every Chambers function they use is written with its schema (``public.letters``,
  ``pg_catalog.pg_roles``, ``public.chambers_now()``). Ownership is read from ``pg_class`` by the
  table's oid, no longer from the ``pg_tables`` view by name.
- TEMP on the database is revoked from PUBLIC, from the Chambers groups and from their members
  (``db init-roles`` does the same for an office it sets up); a login can no longer create
  temporary objects at all.
- ``chambers_approve`` checks the signatory on every approval, not only on one that carries a
  signature image: a judge who does not sign the letter approves it only by naming its signatory
  in ``p_signing_for`` (never with a signature image), and ``approvals.signed_for`` records it.
  Existing approvals are filled from what their seal says (``Chambers.SignedFor``).
- ``chambers_approved_docx``: the approved bytes, for a judge, only while the approval is in force,
  and each time with an ``approved_letter_released`` audit event. The member groups can no longer
  SELECT ``approvals.docx`` directly (``db init-roles``; here for groups that exist).

The function bodies are restated here rather than rewritten from the earlier migrations' text: a
migration is frozen, and an auditor reads here, in one place, exactly what the database runs.
``tests/storage/test_postgres_search_path.py`` fails for any function of the schema without the
fixed search path or with an unqualified table, including those a later migration adds.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FIXED = "SET search_path = pg_catalog, pg_temp"
GROUPS = ("chambers_clerk", "chambers_judge", "chambers_admin")
APPROVE_0003 = "public.chambers_approve(text, integer, integer, text, text, bytea, boolean)"
APPROVE = "public.chambers_approve(text, integer, integer, text, text, bytea, boolean, text)"
RELEASE = "public.chambers_approved_docx(text, integer)"

# Everything of an approval but the approved bytes: what every group may read.
APPROVAL_COLUMNS = ("id", "letter_id", "version", "approver", "approved_at", "content_sha256", "voided_at",
                    "voided_by", "audit_id", "audit_hash", "audit_prev", "signed", "signed_for")

_HELPERS = rf"""
-- Who is acting: the login, unless the login owns the tables (or is a superuser) and so acts for
-- the application's users, as the single-login office and `db upgrade` do.
CREATE OR REPLACE FUNCTION public.chambers_privileged() RETURNS boolean LANGUAGE sql STABLE
{FIXED} AS $$
    SELECT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
        OR pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c
                                                 WHERE c.oid = 'public.letters'::pg_catalog.regclass), 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION public.chambers_in_group(grp text) RETURNS boolean LANGUAGE sql STABLE
{FIXED} AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grp)
                THEN pg_catalog.pg_has_role(session_user, grp, 'MEMBER') ELSE false END
$$;

CREATE OR REPLACE FUNCTION public.chambers_now() RETURNS text LANGUAGE sql STABLE
{FIXED} AS $$
    SELECT pg_catalog.to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- A person's name as the app compares it (app.services.drafts._person): spacing and case ignored.
CREATE OR REPLACE FUNCTION public.chambers_person(p_name text) RETURNS text LANGUAGE sql IMMUTABLE
{FIXED} AS $$
    SELECT pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(COALESCE(p_name, ''), '\s+', ' ', 'g')))
$$;

CREATE OR REPLACE FUNCTION public.chambers_event_hash(prev text, event_id integer, at text, actor text,
                                                      action text, letter_id integer, detail text) RETURNS text
LANGUAGE sql IMMUTABLE {FIXED} AS $$
    -- The same bytes as json.dumps([...], separators=(",", ":"), ensure_ascii=False) in app.core.audit
    SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to('[' || pg_catalog.to_json(prev)::text
        || ',' || event_id::text || ',' || pg_catalog.to_json(at)::text || ',' || pg_catalog.to_json(actor)::text
        || ',' || pg_catalog.to_json(action)::text || ',' || COALESCE(letter_id::text, 'null') || ','
        || pg_catalog.to_json(detail)::text || ']', 'UTF8')), 'hex')
$$;
"""

_AUDIT = rf"""
-- The only way into the audit log. It stamps the login (or, for the owner's login, the user the
-- application acts for), takes the time from the server, computes the hash from the head kept in
-- chambers_meta, moves the head, and links the rows this transaction wrote to the new event.
CREATE OR REPLACE FUNCTION public.chambers_audit_append(p_actor text, p_action text, p_letter_id integer,
                                                        p_detail text, p_vouch jsonb)
RETURNS TABLE (event_id integer, event_at text, event_actor text, event_prev text, event_hash text)
LANGUAGE plpgsql SECURITY DEFINER {FIXED} AS $$
DECLARE
    who text := p_actor;
    head text;
    n integer;
    new_id integer;
    stamp text := public.chambers_now();
    digest text;
    item jsonb;
BEGIN
    IF NOT public.chambers_privileged() THEN
        who := session_user;
        IF p_actor IS DISTINCT FROM who THEN
            RAISE EXCEPTION 'the login % may write audit events only in its own name, not as %', who, p_actor
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM public.users u WHERE u.name = who) THEN
            RAISE EXCEPTION 'the login % is not a Chambers user', who USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT m.value INTO head FROM public.chambers_meta m WHERE m.key = 'audit_head' FOR UPDATE;
    SELECT m.value::integer INTO n FROM public.chambers_meta m WHERE m.key = 'audit_count' FOR UPDATE;
    IF head IS NULL OR n IS NULL THEN
        RAISE EXCEPTION 'the audit chain head is missing from chambers_meta' USING ERRCODE = 'data_corrupted';
    END IF;
    SELECT COALESCE(max(a.id), 0) + 1 INTO new_id FROM public.audit_log a;
    digest := public.chambers_event_hash(head, new_id, stamp, who, p_action, p_letter_id, p_detail);
    INSERT INTO public.audit_log (id, at, actor, action, letter_id, detail, prev_hash, hash)
        VALUES (new_id, stamp, who, p_action, p_letter_id, p_detail, head, digest);
    UPDATE public.chambers_meta SET value = digest WHERE key = 'audit_head';
    UPDATE public.chambers_meta SET value = (n + 1)::text WHERE key = 'audit_count';
    IF p_letter_id IS NOT NULL THEN
        UPDATE public.letters SET audit_id = new_id, audit_hash = digest, audit_prev = head WHERE id = p_letter_id;
    END IF;
    -- Only rows still unlinked, and only the actor's own: nobody claims another's row.
    FOR item IN SELECT * FROM pg_catalog.jsonb_array_elements(COALESCE(p_vouch -> 'versions', '[]'::jsonb)) LOOP
        UPDATE public.letter_versions SET audit_id = new_id, audit_hash = digest, audit_prev = head
            WHERE letter_id = (item ->> 0)::integer AND number = (item ->> 1)::integer
            AND audit_id IS NULL AND author = who;
    END LOOP;
    UPDATE public.comments SET audit_id = new_id, audit_hash = digest, audit_prev = head
        WHERE audit_id IS NULL AND author = who
        AND id IN (SELECT e.value::integer
                   FROM pg_catalog.jsonb_array_elements_text(COALESCE(p_vouch -> 'comments', '[]')) e);
    UPDATE public.approvals SET audit_id = new_id, audit_hash = digest, audit_prev = head
        WHERE audit_id IS NULL AND approver = who
        AND id IN (SELECT e.value::integer
                   FROM pg_catalog.jsonb_array_elements_text(COALESCE(p_vouch -> 'approvals', '[]')) e);
    IF public.chambers_privileged() OR public.chambers_in_group('chambers_admin') OR p_action = 'user_added' THEN
        UPDATE public.users SET audit_id = new_id, audit_hash = digest, audit_prev = head
            WHERE name IN (SELECT e.value
                           FROM pg_catalog.jsonb_array_elements_text(COALESCE(p_vouch -> 'users', '[]')) e)
            AND (audit_id IS NULL OR public.chambers_privileged() OR public.chambers_in_group('chambers_admin'));
    END IF;
    RETURN QUERY SELECT new_id, stamp, who, head, digest;
END $$;

-- Rows that must vouch for an event: checked when the transaction commits.
CREATE OR REPLACE FUNCTION public.chambers_require_audit() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
DECLARE
    linked integer;
BEGIN
    IF public.chambers_privileged() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'letter_versions' THEN
        SELECT v.audit_id INTO linked FROM public.letter_versions v
            WHERE v.letter_id = NEW.letter_id AND v.number = NEW.number;
    ELSIF TG_TABLE_NAME = 'comments' THEN
        SELECT c.audit_id INTO linked FROM public.comments c WHERE c.id = NEW.id;
    ELSIF TG_TABLE_NAME = 'approvals' THEN
        SELECT a.audit_id INTO linked FROM public.approvals a WHERE a.id = NEW.id;
    ELSIF TG_TABLE_NAME = 'letters' THEN
        -- every change of a letter is followed by an audit event about it, which moves its link
        SELECT l.audit_id INTO linked FROM public.letters l WHERE l.id = NEW.id;
        IF TG_OP = 'UPDATE' AND linked IS NOT DISTINCT FROM OLD.audit_id THEN
            linked := NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'users' THEN
        SELECT u.audit_id INTO linked FROM public.users u WHERE u.name = NEW.name;
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
"""

_APPROVALS = rf"""
-- The approved bytes leave the database only through here: for a judge (who exports the final
-- letter), only from the approval its letter holds, and each time as an audit event in the
-- caller's transaction.
CREATE OR REPLACE FUNCTION public.chambers_approved_docx(p_actor text, p_approval_id integer) RETURNS bytea
LANGUAGE plpgsql SECURITY DEFINER {FIXED} AS $$
DECLARE
    who text := p_actor;
    approval public.approvals%ROWTYPE;
    letter public.letters%ROWTYPE;
BEGIN
    IF NOT public.chambers_privileged() THEN
        who := session_user;
        IF p_actor IS DISTINCT FROM who THEN
            RAISE EXCEPTION 'the login % may read approved letters only in its own name, not as %', who, p_actor
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT public.chambers_in_group('chambers_judge') THEN
            RAISE EXCEPTION 'the login % may not read approved letters: only a judge exports the final letter', who
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT * INTO approval FROM public.approvals a WHERE a.id = p_approval_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no approval %', p_approval_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT * INTO letter FROM public.letters l WHERE l.id = approval.letter_id;
    IF approval.voided_at IS NOT NULL OR letter.approval_id IS DISTINCT FROM approval.id
       OR letter.status NOT IN ('approved', 'exported') THEN
        RAISE EXCEPTION 'approval % of letter % is not in force (the letter is % at version %): only the approval '
            'a letter holds is exported', approval.id, approval.letter_id, letter.status, letter.version
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM public.chambers_audit_append(who, 'approved_letter_released', approval.letter_id,
        pg_catalog.format('{{"approval":%s,"content_sha256":%s,"version":%s}}', approval.id,
                          pg_catalog.to_json(approval.content_sha256)::text, approval.version), '{{}}'::jsonb);
    RETURN approval.docx;
END $$;

-- Voiding: an approval in force is voided only by an edit of its letter (the letters trigger does
-- it); this function records who voided it and refuses to void an approval the letter still holds.
CREATE OR REPLACE FUNCTION public.chambers_void_approval(p_by text, p_approval_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {FIXED} AS $$
DECLARE
    who text := CASE WHEN public.chambers_privileged() THEN p_by ELSE session_user END;
BEGIN
    IF EXISTS (SELECT 1 FROM public.letters l WHERE l.approval_id = p_approval_id) THEN
        RAISE EXCEPTION 'approval % is in force: it is voided only by editing its letter', p_approval_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE public.approvals SET voided_at = public.chambers_now(), voided_by = who
        WHERE id = p_approval_id AND voided_at IS NULL;
END $$;

CREATE OR REPLACE FUNCTION public.chambers_signature(p_name text) RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER {FIXED} AS $$
    SELECT u.signature_png FROM public.users u
        WHERE u.name = p_name AND (p_name = session_user OR public.chambers_privileged())
$$;

-- Called by the letters trigger as a clerk saves a new version over an approved letter; only
-- that clerk's own next version of that letter lets it void the approval.
CREATE OR REPLACE FUNCTION public.chambers_void_for_edit(p_letter_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER {FIXED} AS $$
BEGIN
    UPDATE public.approvals SET voided_at = public.chambers_now(), voided_by = session_user
        WHERE voided_at IS NULL AND id = (SELECT l.approval_id FROM public.letters l WHERE l.id = p_letter_id)
        AND EXISTS (SELECT 1 FROM public.letter_versions v, public.letters l WHERE l.id = p_letter_id
                    AND v.letter_id = l.id AND v.number = l.version + 1 AND v.author = session_user);
END $$;
"""


def _approve(signing_for: bool) -> str:
    """``chambers_approve``; at 0006 (``signing_for`` false) there is no way to say one approves for
    the signatory, so only the signatory approves (the parameter is then a local that stays NULL)."""
    return r"""
-- Approvals: only through here. The approver is the login; the letter must be in review at that
-- version; the approver is the letter's signatory, or names the signatory in p_signing_for (then
-- the approval records it and may not carry a signature image: one judge's image never goes
-- above another's name).
CREATE FUNCTION public.chambers_approve(p_approver text, p_letter_id integer, p_version integer,
                                        p_at text, p_content_sha256 text, p_docx bytea, p_signed boolean{parameter})
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER {fixed} AS $$
DECLARE
    who text := p_approver;
    judge public.users%ROWTYPE;
    letter public.letters%ROWTYPE;
    signatory text;
    signed_for text;{local}
    new_id integer;
BEGIN
    IF NOT public.chambers_privileged() THEN
        who := session_user;
        IF p_approver IS DISTINCT FROM who OR NOT public.chambers_in_group('chambers_judge') THEN
            RAISE EXCEPTION 'the login % may not approve letters in the name of %', who, p_approver
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT * INTO judge FROM public.users u WHERE u.name = who;
    IF NOT FOUND OR judge.role <> 'judge' THEN
        RAISE EXCEPTION '% is not a judge: only a judge approves letters', who USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO letter FROM public.letters l WHERE l.id = p_letter_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no letter %', p_letter_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF letter.status <> 'in_review' OR letter.version <> p_version THEN
        RAISE EXCEPTION 'letter % is % at version %, not in review at version %', p_letter_id, letter.status,
            letter.version, p_version USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT v.data::jsonb -> 'signatory' ->> 'name' INTO signatory FROM public.letter_versions v
        WHERE v.letter_id = p_letter_id AND v.number = p_version;
    IF public.chambers_person(signatory) = '' THEN
        RAISE EXCEPTION 'letter % names no signatory: nobody can approve it', p_letter_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF public.chambers_person(signatory) IN (public.chambers_person(judge.name),
                                             public.chambers_person(judge.full_name)) THEN
        IF p_signing_for IS NOT NULL AND public.chambers_person(p_signing_for) <> public.chambers_person(signatory) THEN
            RAISE EXCEPTION 'letter % is signed by %, who approves it in their own name, not for %', p_letter_id,
                signatory, p_signing_for USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_signed AND judge.signature_png IS NULL THEN
            RAISE EXCEPTION '% has no signature image: the approval may not carry one', who
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF p_signing_for IS NULL THEN
        RAISE EXCEPTION '% is not the signatory of letter % (%): only the signatory approves it, or a judge who '
            'says the approval is on the signatory''s behalf (p_signing_for)', who, p_letter_id, signatory
            USING ERRCODE = 'insufficient_privilege';
    ELSIF public.chambers_person(p_signing_for) <> public.chambers_person(signatory) THEN
        RAISE EXCEPTION 'letter % is signed by %, not by % (the signatory named as signed for)', p_letter_id,
            signatory, p_signing_for USING ERRCODE = 'insufficient_privilege';
    ELSIF p_signed THEN
        RAISE EXCEPTION '% is not the signatory of letter % (%): the approval may not carry a signature image',
            who, p_letter_id, signatory USING ERRCODE = 'insufficient_privilege';
    ELSE
        signed_for := signatory;
    END IF;
    INSERT INTO public.approvals (letter_id, version, approver, approved_at, content_sha256, docx, signed{column})
        VALUES (p_letter_id, p_version, who, p_at, p_content_sha256, p_docx, p_signed{value})
        RETURNING id INTO new_id;
    RETURN new_id;
END $$;

""".format(
        fixed=FIXED,
        parameter=",\n    p_signing_for text DEFAULT NULL" if signing_for else "",
        local="" if signing_for else "\n    p_signing_for text;",
        column=", signed_for" if signing_for else "", value=", signed_for" if signing_for else "")


_WORKFLOW = rf"""
-- The workflow on every statement, INSERT as well as UPDATE. Same table as app.core.workflow.
CREATE OR REPLACE FUNCTION public.chambers_check_transition() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
DECLARE
    who text := session_user;
    pair text;
    is_clerk boolean := public.chambers_in_group('chambers_clerk');
    is_judge boolean := public.chambers_in_group('chambers_judge');
BEGIN
    IF pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                              'MEMBER') THEN
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
        NEW.created_at := public.chambers_now();
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
    NEW.updated_at := public.chambers_now();
    IF NEW.version <> OLD.version THEN
        -- a new version: only a clerk edits, one version at a time, and an edit voids any approval
        IF is_clerk AND NEW.version = OLD.version + 1 AND pair IN ('draft>draft',
                'changes_requested>changes_requested', 'in_review>draft', 'approved>draft', 'exported>draft') THEN
            IF OLD.approval_id IS NOT NULL THEN
                PERFORM public.chambers_void_for_edit(OLD.id);
            END IF;
            NEW.approval_id := NULL;
            RETURN NEW;
        END IF;
    ELSIF NEW.approval_id IS DISTINCT FROM OLD.approval_id THEN
        IF is_judge AND pair = 'in_review>approved' AND EXISTS (
               SELECT 1 FROM public.approvals a WHERE a.id = NEW.approval_id AND a.letter_id = NEW.id
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
"""

_ROWS = rf"""
CREATE OR REPLACE FUNCTION public.chambers_immutable() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Versions: immutable except for the one link to their audit event, and a working copy replaced
-- by its own author's newer save (migration 0004).
CREATE OR REPLACE FUNCTION public.chambers_versions_immutable() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (
        (OLD.audit_id IS NULL AND NEW.audit_id IS NOT NULL
         AND (NEW.working, NEW.letter_id, NEW.number, NEW.data, NEW.author, NEW.created_at, NEW.note,
              NEW.template_id, NEW.template_version, NEW.template_sha256)
             IS NOT DISTINCT FROM (OLD.working, OLD.letter_id, OLD.number, OLD.data, OLD.author, OLD.created_at,
                                   OLD.note, OLD.template_id, OLD.template_version, OLD.template_sha256))
        OR (OLD.working AND NEW.letter_id IS NOT DISTINCT FROM OLD.letter_id
            AND NEW.author IS NOT DISTINCT FROM OLD.author AND NEW.number > OLD.number
            AND NEW.audit_id IS NULL AND NEW.audit_hash IS NULL AND NEW.audit_prev IS NULL)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION public.chambers_comments_immutable() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.audit_id IS NULL AND NEW.audit_id IS NOT NULL
       AND (NEW.id, NEW.letter_id, NEW.version, NEW.author, NEW.created_at, NEW.text, NEW.paragraph, NEW.kind)
           IS NOT DISTINCT FROM (OLD.id, OLD.letter_id, OLD.version, OLD.author, OLD.created_at, OLD.text,
                                 OLD.paragraph, OLD.kind) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'comments are never changed or removed' USING ERRCODE = 'insufficient_privilege';
END $$;

-- Seals: written once, hash checked by the server; neither table loses a row.
CREATE OR REPLACE FUNCTION public.chambers_seal_checked() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never removed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    ELSIF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'court_seals rows are never changed: a letter may pin any of them'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.sha256 IS DISTINCT FROM pg_catalog.encode(pg_catalog.sha256(NEW.png), 'hex') THEN
        RAISE EXCEPTION 'court seal %: the hash does not match the image bytes', NEW.sha256
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

-- At commit: a member login's profile or seal row vouches for its own audit event, whose detail
-- is what the row holds (so the row cannot say one thing and the log another).
CREATE OR REPLACE FUNCTION public.chambers_profile_audited() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
DECLARE
    row_now record;
    event public.audit_log%ROWTYPE;
    wanted jsonb;
BEGIN
    IF public.chambers_privileged() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'court_profile' THEN
        SELECT * INTO row_now FROM public.court_profile p WHERE p.id = NEW.id;
        wanted := pg_catalog.jsonb_build_object(
            'court', row_now.court, 'chambers', row_now.chambers, 'address', row_now.address::jsonb,
            'phone', row_now.phone, 'email', row_now.email,
            'seal', CASE WHEN row_now.seal_sha256 IS NULL THEN NULL ELSE 'sha256:' || row_now.seal_sha256 END,
            'signatory_name', row_now.signatory_name, 'signatory_title', row_now.signatory_title,
            'version', row_now.version);
        SELECT * INTO event FROM public.audit_log a WHERE a.id = row_now.audit_id;
        IF NOT FOUND OR event.action <> 'court_profile_changed' OR event.actor <> session_user
           OR row_now.updated_by <> session_user
           OR event.hash IS DISTINCT FROM row_now.audit_hash OR event.prev_hash IS DISTINCT FROM row_now.audit_prev
           OR event.detail::jsonb IS DISTINCT FROM wanted
           OR (TG_OP = 'UPDATE' AND (row_now.audit_id <= OLD.audit_id OR row_now.version <> OLD.version + 1)) THEN
            RAISE EXCEPTION 'court_profile written without its audit event: write through Chambers'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSE
        SELECT * INTO row_now FROM public.court_seals s WHERE s.sha256 = NEW.sha256;
        SELECT * INTO event FROM public.audit_log a WHERE a.id = row_now.audit_id;
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
"""

def _approval_only_void(frozen: tuple[str, ...]) -> str:
    """The approvals trigger: nothing of an approval but its voiding (once) ever changes."""
    new, old = (", ".join(f"{row}.{c}" for c in frozen) for row in ("NEW", "OLD"))
    return rf"""
CREATE OR REPLACE FUNCTION public.chambers_approval_only_void() RETURNS trigger LANGUAGE plpgsql {FIXED} AS $$
BEGIN
    IF TG_OP = 'DELETE'
       OR (OLD.voided_at IS NOT NULL AND (NEW.voided_at, NEW.voided_by) IS DISTINCT FROM (OLD.voided_at, OLD.voided_by))
       OR ({new}) IS DISTINCT FROM ({old})
       OR (OLD.audit_id IS NOT NULL AND (NEW.audit_id, NEW.audit_hash, NEW.audit_prev)
                                         IS DISTINCT FROM (OLD.audit_id, OLD.audit_hash, OLD.audit_prev))
    THEN
        RAISE EXCEPTION 'an approval can only be voided, never changed or removed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""


# No login may create temporary objects: what a session creates in pg_temp could otherwise stand
# in for a table of a function that forgot its schema. PUBLIC first (every role has it by default),
# then the groups and their members, in case an administrator granted it to one of them.
_NO_TEMP = f"""
DO $$
DECLARE
    member text;
BEGIN
    EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', pg_catalog.current_database());
    FOR member IN SELECT DISTINCT r.rolname FROM pg_catalog.pg_roles r
                  WHERE r.rolname = ANY (ARRAY{list(GROUPS)})
                  OR r.oid IN (SELECT m.member FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g
                               ON g.oid = m.roleid WHERE g.rolname = ANY (ARRAY{list(GROUPS)})) LOOP
        EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM %I', pg_catalog.current_database(), member);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_database d,
                      pg_catalog.aclexplode(COALESCE(d.datacl, pg_catalog.acldefault('d', d.datdba))) a
               WHERE d.datname = pg_catalog.current_database() AND a.grantee = 0
               AND a.privilege_type = 'TEMPORARY') THEN
        RAISE EXCEPTION 'TEMP on database % could not be taken from PUBLIC: run `db upgrade` as the database''s '
            'owner or a superuser', pg_catalog.current_database() USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$
"""

# Groups made before this revision: what `db init-roles` now gives them.
_GRANTS = f"""
DO $$
DECLARE grp text;
BEGIN
    FOREACH grp IN ARRAY ARRAY{list(GROUPS)} LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grp) THEN
            EXECUTE pg_catalog.format('REVOKE SELECT ON public.approvals FROM %I', grp);
            EXECUTE pg_catalog.format('GRANT SELECT ({", ".join(APPROVAL_COLUMNS)}) ON public.approvals TO %I', grp);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = 'chambers_judge') THEN
        GRANT EXECUTE ON FUNCTION {APPROVE}, {RELEASE} TO chambers_judge;
    END IF;
END $$
"""

_SIGNED_FOR = "Chambers.SignedFor"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def seal_signed_for(docx: bytes) -> str | None:
    """The signatory the seal of ``docx`` says its approver signed for, if any.

    Frozen here rather than imported from app.rendering.seal: a migration must not change with the
    code, and storage does not import the rendering layer. The standard library's parser is enough
    for the one part read; it expands no external entities.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            blob = package.read("docProps/custom.xml")
        root = ElementTree.fromstring(blob)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return None
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        if prop.get("name") == _SIGNED_FOR:
            value = prop.find(f"{{{_VT_NS}}}lpwstr")
            return (value.text or None) if value is not None else None
    return None


# What an approval never changes (its voiding aside), before this revision and from it on.
_FROZEN = ("letter_id", "version", "approver", "approved_at", "content_sha256", "docx", "signed")
FROZEN = (*_FROZEN, "signed_for")


def _sqlite_approvals_trigger(frozen: tuple[str, ...]) -> None:
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in frozen)
    op.execute("DROP TRIGGER IF EXISTS approvals_only_void")
    op.execute("CREATE TRIGGER approvals_only_void BEFORE UPDATE ON approvals WHEN "
               "(old.voided_at IS NOT NULL AND (new.voided_at IS NOT old.voided_at OR new.voided_by IS NOT "
               f"old.voided_by)) OR {changed} "
               "OR (old.audit_id IS NOT NULL AND (new.audit_id IS NOT old.audit_id "
               "OR new.audit_hash IS NOT old.audit_hash OR new.audit_prev IS NOT old.audit_prev)) BEGIN "
               "SELECT RAISE(ABORT, 'an approval can only be voided, never changed'); END")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # As in 0004: a deferred audit check queued earlier in this transaction would refuse DDL.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.add_column("approvals", sa.Column("signed_for", sa.Text, nullable=True))
    # Approvals made before: what their seal says, so that the record does not depend on the bytes.
    # (The approvals trigger of 0006 does not know the new column yet, so it lets this through.)
    for approval_id, docx in bind.execute(sa.text("SELECT id, docx FROM approvals")).all():
        signed_for = seal_signed_for(bytes(docx))
        if signed_for:
            bind.execute(sa.text("UPDATE approvals SET signed_for = :s WHERE id = :i"),
                         {"s": signed_for, "i": approval_id})
    if bind.dialect.name == "sqlite":
        _sqlite_approvals_trigger(FROZEN)
        return
    op.execute(f"DROP FUNCTION {APPROVE_0003}")
    for block in (_HELPERS, _AUDIT, _approve(signing_for=True), _APPROVALS, _WORKFLOW, _ROWS,
                  _approval_only_void(FROZEN)):
        op.execute(block)
    for function in (APPROVE, RELEASE):
        # Definer functions are not for everyone: `db init-roles` grants them to the judges.
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute(_GRANTS)
    op.execute(_NO_TEMP)


def downgrade() -> None:
    """Back to 0006's schema. The functions keep their fixed search path and TEMP stays revoked:
    going back a revision must not reopen the hole. Approving for another signatory needs this
    revision's ``p_signing_for``, so at 0006 only a letter's signatory approves it."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_approvals_trigger(_FROZEN)
        op.execute("ALTER TABLE approvals DROP COLUMN signed_for")
        return
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(f"DROP FUNCTION {RELEASE}")
    op.execute(f"DROP FUNCTION {APPROVE}")
    op.execute(_approval_only_void(_FROZEN))
    op.execute("ALTER TABLE approvals DROP COLUMN signed_for")
    op.execute(_approve(signing_for=False))
    op.execute(f"REVOKE ALL ON FUNCTION {APPROVE_0003} FROM PUBLIC")
    op.execute(f"""
        DO $$
        DECLARE grp text;
        BEGIN
            FOREACH grp IN ARRAY ARRAY{list(GROUPS)} LOOP
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grp) THEN
                    -- 0006's code reads approvals whole
                    EXECUTE pg_catalog.format('GRANT SELECT ON public.approvals TO %I', grp);
                END IF;
            END LOOP;
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = 'chambers_judge') THEN
                GRANT EXECUTE ON FUNCTION {APPROVE_0003} TO chambers_judge;
            END IF;
        END $$""")
