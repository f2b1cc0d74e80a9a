"""News: every audit event is announced to the open windows by the commit that makes it.

What changes (PostgreSQL; SQLite has no notifications: windows there read ``PRAGMA data_version``)
- ``chambers_announce()``, a trigger function AFTER INSERT on ``public.audit_log``, sends
  ``pg_notify('chambers_news', payload)`` with a small JSON object: the event's id, its letter,
  its action and its actor. Never the event's detail, and never a letter's text: any login may
  LISTEN on any channel, so the payload says only what every login may read in the audit log.
  PostgreSQL delivers a notification when, and only if, the transaction that sent it commits,
  so a window never hears of a change that was rolled back, and hears of each one in the order
  of the commits.

Every workflow step, save and approval already writes its audit event in the same transaction as
the change (migrations 0003 and 0007), so one trigger on the audit log covers letters, versions,
approvals, comments and users alike. The function is defined with the fixed search path and
schema-qualified names, as migration 0007 requires of every function of the schema.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FIXED = "SET search_path = pg_catalog, pg_temp"
CHANNEL = "chambers_news"  # app.storage.news.CHANNEL

_ANNOUNCE = rf"""
CREATE OR REPLACE FUNCTION public.chambers_announce() RETURNS trigger LANGUAGE plpgsql
{FIXED} AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('{CHANNEL}', pg_catalog.json_build_object(
        'event', NEW.id, 'letter', NEW.letter_id, 'action', NEW.action, 'actor', NEW.actor)::text);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS audit_log_announce ON public.audit_log;
CREATE TRIGGER audit_log_announce AFTER INSERT ON public.audit_log
    FOR EACH ROW EXECUTE FUNCTION public.chambers_announce();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # As in 0004: a deferred audit check queued earlier in this transaction would refuse DDL.
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(_ANNOUNCE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute("DROP TRIGGER IF EXISTS audit_log_announce ON public.audit_log")
    op.execute("DROP FUNCTION IF EXISTS public.chambers_announce()")
