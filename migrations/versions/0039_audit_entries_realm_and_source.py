"""audit entries: realm and source address

SecNumCloud 12.6 (issue 21): every entry says which identity realm acted (staff,
partner, customer, system) and from which address. Both are optional in the canonical
bytes, so entries written before keep their leaf hashes.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('realm', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('realm')
