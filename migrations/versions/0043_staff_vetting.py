"""users: staff vetting level, its end, and the staff member's office country

SecNumCloud 7.1.b (issue 21): operator staff use a customer's grant only while their
vetting holds (basic to read, enhanced to operate). Staff made before have none: an
operator administrator records it (andromede staff vet, PUT /v1/users/{id}/vetting).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0043'
down_revision: str | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vetting_level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('vetted_until', andromede.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('office_country', sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('office_country')
        batch_op.drop_column('vetted_until')
        batch_op.drop_column('vetting_level')
