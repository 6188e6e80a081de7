"""notification webhooks and their deliveries

SecNumCloud 12.2 (issue 21): a partner or a customer may have its notifications posted to
a webhook (an outbound sink, on this machine or in the EU), delivered at least once.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0045'
down_revision: str | None = '0044'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_webhooks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_webhooks')),
    sa.UniqueConstraint('partner_id', 'customer_id', name=op.f('uq_notification_webhooks_partner_id'))
    )
    op.create_table('notification_deliveries',
    sa.Column('webhook_id', sa.String(length=36), nullable=False),
    sa.Column('notification_id', sa.String(length=36), nullable=False),
    sa.Column('delivered_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['webhook_id'], ['notification_webhooks.id'], name=op.f('fk_notification_deliveries_webhook_id_notification_webhooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('webhook_id', 'notification_id', name=op.f('pk_notification_deliveries'))
    )


def downgrade() -> None:
    op.drop_table('notification_deliveries')
    op.drop_table('notification_webhooks')
