"""subprocessors, legal changes, government requests

SecNumCloud 19.6 (issue 21): the registry of subprocessors (public, in the offer
document), the legal change notices sent a month ahead, and the register of government
requests for a customer's data with the customer's notice or the legal bar on it.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0041'
down_revision: str | None = '0040'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subprocessors',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('data_categories', sa.JSON(), nullable=False),
    sa.Column('technical_access', sa.Boolean(), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subprocessors')),
    sa.UniqueConstraint('name', name=op.f('uq_subprocessors_name'))
    )
    op.create_table('legal_changes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('effective_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_changes'))
    )
    op.create_table('government_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('authority', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('received_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('legal_assessment', sa.Text(), nullable=False),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.Column('bar_reason', sa.Text(), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_government_requests'))
    )
    with op.batch_alter_table('government_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_government_requests_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('government_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_government_requests_customer_id'))
    op.drop_table('government_requests')
    op.drop_table('legal_changes')
    op.drop_table('subprocessors')
