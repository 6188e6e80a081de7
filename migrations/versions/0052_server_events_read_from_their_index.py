"""server events read from their index alone

Issue 15 (month close): a month close reads every server's changes in (server, time,
sequence) order along ``ix_server_events_server_at_seq``, then fetched each row from the
table. A real month's rows lie in the table in the order they happened, so those fetches
jumped from one end of it to the other: on SQLite, 100,000 servers' October took 11-15 s more
to read than when the same rows lay server by server. The index that replaces it holds
every column the close reads, so the read never visits the table (SQLite: a covering
index; PostgreSQL: an index-only scan of the pages vacuum has marked all-visible).

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-07 18:50:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0052'
down_revision: str | None = '0051'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    'server_id', 'at', 'seq',
    'to_status', 'flavor_id', 'region_code', 'project_id', 'customer_id', 'partner_id',
]


def upgrade() -> None:
    op.create_index('ix_server_events_in_order', 'server_events', COLUMNS, unique=False)
    op.drop_index('ix_server_events_server_at_seq', table_name='server_events')


def downgrade() -> None:
    op.create_index(
        'ix_server_events_server_at_seq', 'server_events', ['server_id', 'at', 'seq'], unique=False
    )
    op.drop_index('ix_server_events_in_order', table_name='server_events')
