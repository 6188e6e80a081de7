"""staff supervisions

SecNumCloud 19.2.e (issue 21): staff working from outside the EU act only under an EU
staff member's live supervision, recorded here with its window.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-05 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0047'
down_revision: str | None = '0046'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_supervisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('staff', sa.String(length=100), nullable=False),
    sa.Column('supervisor_id', sa.String(length=36), nullable=False),
    sa.Column('supervisor', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('starts_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_supervisions'))
    )
    with op.batch_alter_table('staff_supervisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_supervisions_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_supervisions_ends_at'), ['ends_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_supervisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_supervisions_ends_at'))
        batch_op.drop_index(batch_op.f('ix_staff_supervisions_staff_id'))
    op.drop_table('staff_supervisions')
