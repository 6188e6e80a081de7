"""server events indexed in the order metering reads them

Issue 15 (month close): metering reads every server's events ordered by server, time and
sequence; one index in that order serves the read without a sort and replaces the index on
the server alone (its prefix).

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0049'
down_revision: str | None = '0048'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_server_events_server_at_seq', 'server_events', ['server_id', 'at', 'seq'], unique=False
    )
    op.drop_index('ix_server_events_server_id', table_name='server_events')


def downgrade() -> None:
    op.create_index('ix_server_events_server_id', 'server_events', ['server_id'], unique=False)
    op.drop_index('ix_server_events_server_at_seq', table_name='server_events')
