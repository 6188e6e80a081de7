"""images' wrapped data keys

SecNumCloud 10.1/10.5 (issue 21): the bytes of a customer's image are encrypted in the
region's store with a data key of the image's own, stored only wrapped by the customer's
key-encryption key. Images made before have none (their bytes stay as they were).

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-05 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0046'
down_revision: str | None = '0045'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('wrapped_key', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_column('wrapped_key')
        batch_op.drop_column('key_id')
