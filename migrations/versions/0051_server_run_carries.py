"""the runs open at a month's end, carried to the next close

Issue 15 (flat with size): a month close read every state change of every server before
the month's end — each month more history, and the changes of servers deleted long ago
too. The close now records the runs still open at the month's end (the change that
opened each); the next close reads those and the month's own changes.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db  # noqa: F401  (the UTCDateTime column type)


revision: str = '0051'
down_revision: str | None = '0050'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('server_carry_points',
    sa.Column('at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('at', name=op.f('pk_server_carry_points'))
    )
    op.create_table('server_run_carries',
    sa.Column('at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('at', 'server_id', 'dimension', name=op.f('pk_server_run_carries'))
    )


def downgrade() -> None:
    op.drop_table('server_run_carries')
    op.drop_table('server_carry_points')
