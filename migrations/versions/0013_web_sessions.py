"""console sign-ins: the token each holds and when it was last used (idle timeout)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('token_id', sa.String(length=36), nullable=False),
    sa.Column('last_seen_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['tokens.id'], name=op.f('fk_web_sessions_token_id_tokens')),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_web_sessions'))
    )


def downgrade() -> None:
    op.drop_table('web_sessions')
