"""No login may create temporary objects in an office's database.

A temporary table or view in ``pg_temp`` could stand in for a table a function reads, so migration
0007 and ``db init-roles`` take TEMP on the database from PUBLIC, the Chambers groups and their
members. That is a property of the database, not of anything in it: a dump does not carry it, and
a database made anew (dropped and created again, then restored into) gives TEMP to PUBLIC once more.
``db restore`` therefore takes it again here, before it replaces anything and after.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core.workflow import Refused, StorageUnavailable
from app.storage.database import _PUBLIC_HAS_TEMP, ROLE_GROUPS
from app.storage.sql import SqlStore

# The Chambers groups and every role that is a member of one: the logins of the office's people.
_CHAMBERS_ROLES = ("SELECT DISTINCT r.rolname, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = ANY(:groups) "
                   "OR r.oid IN (SELECT m.member FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g "
                   "ON g.oid = m.roleid WHERE g.rolname = ANY(:groups)) ORDER BY r.rolname")


def take_temporary(url: str) -> list[str]:
    """Take TEMP on the database at ``url`` from PUBLIC, the Chambers groups and their
    ``Refused`` when afterwards PUBLIC or any of those logins (a superuser
    aside, whom no grant binds) could still create temporary objects: only the database's owner or a
    superuser can take it, and anyone else's REVOKE is only a warning."""
    store = SqlStore(url)
    try:
        with store.engine.begin() as conn:
            database = str(conn.execute(text("SELECT pg_catalog.current_database()")).scalar_one())
            quote = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql(f"REVOKE TEMPORARY ON DATABASE {quote(database)} FROM PUBLIC")
            roles = conn.execute(text(_CHAMBERS_ROLES), {"groups": list(ROLE_GROUPS.values())}).all()
            for name, _superuser in roles:
                conn.exec_driver_sql(f"REVOKE TEMPORARY ON DATABASE {quote(database)} FROM {quote(name)}")
            public = bool(conn.execute(text(_PUBLIC_HAS_TEMP)).scalar_one())
            still = [name for name, superuser in roles if not superuser and conn.execute(
                text("SELECT pg_catalog.has_database_privilege(:role, pg_catalog.current_database(), 'TEMPORARY')"),
                {"role": name}).scalar_one()]
            if public or still:
                raise Refused(f"TEMP on the database {database} could not be taken from {_who(public, still)}, so "
                              "they could create temporary objects: connect as the database's owner or a superuser")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StorageUnavailable(f"TEMP on the database {store.location} could not be taken: {reason}") from None
    finally:
        store.close()
    return [name for name, _ in roles]


def _who(public: bool, roles: list[str]) -> str:
    """PUBLIC and the roles, the first few by name: an office may have many logins."""
    named = ", ".join(roles[:3]) + (f" and {len(roles) - 3} more" if len(roles) > 3 else "")
    if public:
        return "PUBLIC" + (f" (and so every login) and the roles {named}" if roles else " (and so every login)")
    return f"the role(s) {named}"
