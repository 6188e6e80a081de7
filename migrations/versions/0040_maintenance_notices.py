"""maintenances: the windows the operator announces on a region or a zone

SecNumCloud 12.2 (issue 21): a maintenance window with its nature, impact and contact;
each customer with resources on the site and each of their partners gets one notice.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 16:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0040'
down_revision: str | None = '0039'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('maintenances',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=30), nullable=False),
    sa.Column('zone_code', sa.String(length=40), nullable=True),
    sa.Column('starts_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nature', sa.String(length=500), nullable=False),
    sa.Column('impact', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('notified_customers', sa.Integer(), nullable=False),
    sa.Column('notified_partners', sa.Integer(), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_maintenances_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenances'))
    )
    with op.batch_alter_table('maintenances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenances_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenances_starts_at'), ['starts_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('maintenances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenances_starts_at'))
        batch_op.drop_index(batch_op.f('ix_maintenances_region_code'))
    op.drop_table('maintenances')
