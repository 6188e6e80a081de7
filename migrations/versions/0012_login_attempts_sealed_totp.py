"""sign-in attempts in fixed windows; room for sealed TOTP seeds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('attempts',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('started', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_attempts'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('mfa_secret', existing_type=sa.String(length=64), type_=sa.String(length=255))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('mfa_secret', existing_type=sa.String(length=255), type_=sa.String(length=64))
    op.drop_table('attempts')
