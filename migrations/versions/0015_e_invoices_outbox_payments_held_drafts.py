"""e-invoices: outbox, payments, held drafts, mandate, Chorus Pro fields

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 23:01:08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import andromede.db


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('held_invoices',
    sa.Column('close_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=True),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('held_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('close_key', name=op.f('pk_held_invoices'))
    )
    with op.batch_alter_table('held_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_invoices_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_held_invoices_partner_id'), ['partner_id'], unique=False)

    op.create_table('einvoice_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.String(length=3), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_einvoice_events_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_einvoice_events'))
    )
    with op.batch_alter_table('einvoice_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_einvoice_events_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('einvoice_outbox',
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=True),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.String(length=3), nullable=True),
    sa.Column('status_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.Column('platform_ref', sa.String(length=100), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_einvoice_outbox_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('invoice_id', name=op.f('pk_einvoice_outbox'))
    )
    with op.batch_alter_table('einvoice_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_einvoice_outbox_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_einvoice_outbox_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_einvoice_outbox_status'), ['status'], unique=False)

    op.create_table('payment_reminders',
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('sent_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_reminders_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('invoice_id', 'stage', name=op.f('pk_payment_reminders'))
    )
    op.create_table('payments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=True),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('credit', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('recorded_at', andromede.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payments_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_partner_id'), ['partner_id'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_code', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('commitment_number', sa.String(length=50), nullable=True))

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('siret', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('service_code', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('commitment_number', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('requires_service_code', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('requires_commitment_number', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoicer', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('buyer_reference', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('order_reference', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('vat_on_debits', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('preceding_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('preceding_date', sa.Date(), nullable=True))

    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_prefix', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('mandate_accepted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('mandate_recorded_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('vat_on_debits', sa.Boolean(), server_default='0', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_partners_invoice_prefix'), ['invoice_prefix'])

    # partners before this revision number their invoices "P" + six characters of their id
    op.execute(
        "UPDATE partners SET invoice_prefix = 'P' || upper(substr(replace(id, '-', ''), 1, 6))"
        " WHERE invoice_prefix IS NULL"
    )

    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_code', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('commitment_number', sa.String(length=50), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_column('commitment_number')
        batch_op.drop_column('service_code')

    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_partners_invoice_prefix'), type_='unique')
        batch_op.drop_column('vat_on_debits')
        batch_op.drop_column('mandate_recorded_by')
        batch_op.drop_column('mandate_accepted_on')
        batch_op.drop_column('invoice_prefix')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('preceding_date')
        batch_op.drop_column('preceding_number')
        batch_op.drop_column('vat_on_debits')
        batch_op.drop_column('order_reference')
        batch_op.drop_column('buyer_reference')
        batch_op.drop_column('invoicer')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('requires_commitment_number')
        batch_op.drop_column('requires_service_code')
        batch_op.drop_column('commitment_number')
        batch_op.drop_column('service_code')
        batch_op.drop_column('siret')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('commitment_number')
        batch_op.drop_column('service_code')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_partner_id'))
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_payments_customer_id'))

    op.drop_table('payments')
    op.drop_table('payment_reminders')
    with op.batch_alter_table('einvoice_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_einvoice_outbox_status'))
        batch_op.drop_index(batch_op.f('ix_einvoice_outbox_partner_id'))
        batch_op.drop_index(batch_op.f('ix_einvoice_outbox_customer_id'))

    op.drop_table('einvoice_outbox')
    with op.batch_alter_table('einvoice_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_einvoice_events_invoice_id'))

    op.drop_table('einvoice_events')
    with op.batch_alter_table('held_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_invoices_partner_id'))
        batch_op.drop_index(batch_op.f('ix_held_invoices_customer_id'))

    op.drop_table('held_invoices')
