"""server tags: the index by tag also holds the server id, so the servers carrying a tag
are read from the index alone (a scheduler pass reads 100,000 of them)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 08:40:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('server_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_tags_tag'))
        batch_op.create_index('ix_server_tags_tag_server', ['tag', 'server_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('server_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_server_tags_tag_server')
        batch_op.create_index(batch_op.f('ix_server_tags_tag'), ['tag'], unique=False)
