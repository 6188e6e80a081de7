"""servers the reconciler has work for, indexed

Issue 15 (flat with size): each reconcile pass looked for pending servers by reading
every server of the cloud (14 ms a pass at 100,000 servers, on SQLite in memory, and a
pass runs after each create under load). A partial index holds only the servers whose
status is not their desired one (or rebooting), in the pass's order.

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-06 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0050'
down_revision: str | None = '0049'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status != desired OR status = 'REBOOT'"


def upgrade() -> None:
    op.create_index(
        'ix_servers_pending',
        'servers',
        ['updated_at'],
        unique=False,
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index('ix_servers_pending', table_name='servers')
