"""the person an account belongs to

SecNumCloud 9.3.e-f (issue 21): accounts may name the person they belong to (an employee
number, an e-mail), so that one person cannot hold incompatible roles across accounts.
Accounts made before name nobody.

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-05 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0048'
down_revision: str | None = '0047'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_person'), ['person'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_person'))
        batch_op.drop_column('person')
