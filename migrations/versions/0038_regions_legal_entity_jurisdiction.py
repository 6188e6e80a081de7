"""regions: legal entity, jurisdiction, sovereign flag

SecNumCloud R1/R2 (issue 21): every region states the legal entity that runs it and the
jurisdiction whose law applies to it; a region outside the EU exists only flagged
non-sovereign. Regions made before this revision are the operator's own (the configured
ANDROMEDE_OPERATOR_NAME) under their country's law.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from andromede.config import load_settings


revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_entity', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('jurisdiction', sa.String(length=2), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sovereign', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE regions SET jurisdiction = country WHERE jurisdiction = ''")
    op.execute(
        sa.text("UPDATE regions SET legal_entity = :name WHERE legal_entity = ''").bindparams(
            name=load_settings().operator_name
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_column('sovereign')
        batch_op.drop_column('jurisdiction')
        batch_op.drop_column('legal_entity')
