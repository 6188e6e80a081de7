"""usage and revenue per finished day for the dashboard; the business plan per quarter

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('daily_usage',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('server_hours', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('vcpu_hours', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('computed_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_usage'))
    )
    op.create_table('daily_revenue',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_revenue'))
    )
    op.create_table('plan_targets',
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('servers', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('set_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('quarter', name=op.f('pk_plan_targets'))
    )


def downgrade() -> None:
    op.drop_table('plan_targets')
    op.drop_table('daily_revenue')
    op.drop_table('daily_usage')
