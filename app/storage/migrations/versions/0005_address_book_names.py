"""The address book keeps what no forms-of-address rule can know about an official.

- ``addressees.surname``: the family name the salutation uses ("Cortez Masto", "St. John").
- ``addressees.given_name``: the given name, where the family name is written first.
- ``addressees.courtesy``: Mr., Ms., Mrs., Mx. or Dr., for the salutation of an official whose
  honorific is "The Honorable" ("Dear Madam Speaker:").

All three are optional: existing entries keep the salutation the rules give them. The table-level
grants of ``db init-roles`` (SELECT to every group, INSERT/UPDATE/DELETE to the admin group) cover
new columns, so no grant changes here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (("surname", 200), ("given_name", 200), ("courtesy", 40))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # As in 0004: a deferred audit check queued earlier in this transaction would refuse ALTER TABLE.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for column, length in _COLUMNS:
        op.add_column("addressees", sa.Column(column, sa.String(length), nullable=True))


def downgrade() -> None:
    for column, _length in reversed(_COLUMNS):
        op.drop_column("addressees", column)
