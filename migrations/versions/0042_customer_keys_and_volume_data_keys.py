"""customer keys; volumes' wrapped data keys

SecNumCloud 10.1/10.5 and 19.4 (issue 21): each customer's key-encryption key (held by
the KMS, named here), and each volume's data key stored only wrapped by it. Volumes made
before have none.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0042'
down_revision: str | None = '0041'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('customer_keys',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('destroyed_at', andromede.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_keys'))
    )
    with op.batch_alter_table('customer_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_keys_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('wrapped_key', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.drop_column('wrapped_key')
        batch_op.drop_column('key_id')
    with op.batch_alter_table('customer_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_keys_customer_id'))
    op.drop_table('customer_keys')
