"""compliance findings: the kind of resource (server, volume, snapshot, backup)

SecNumCloud 12.5.d (issue 21): a policy change also reports the volumes, snapshots and
backups it leaves outside the policy. Findings made before are all of servers.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0044'
down_revision: str | None = '0043'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('compliance_findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resource_type', sa.String(length=20), nullable=False, server_default='server'))


def downgrade() -> None:
    with op.batch_alter_table('compliance_findings', schema=None) as batch_op:
        batch_op.drop_column('resource_type')
