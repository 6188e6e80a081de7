"""What /v1 answers about money: prices, usage, invoices, margins, reservations and
prepaid commitments (see ``responses`` for the conventions)."""

from typing import Any

from pydantic import Field

from andromede.api.v1.responses import Amount, Instant, Out

__all__ = [
    "CommitmentOut",
    "DrawOut",
    "InvoiceLineOut",
    "InvoiceOut",
    "MarginOut",
    "MarginsOut",
    "OfferOut",
    "PriceOut",
    "ReservationOut",
    "ReservationReportOut",
    "UsageOut",
    "UsageSummaryOut",
    "UtilizationOut",
]


class PriceOut(Out):
    id: str
    layer: str
    kind: str
    scope: str
    sku: str
    value: Amount
    effective_from: Instant
    created_by: str


class UsageOut(Out):
    customer_id: str
    project_id: str
    server_id: str
    sku: str
    region: str
    start: Instant
    end: Instant
    quantity: Amount
    unit: str
    resale_unit_price: Amount
    resale_amount: Amount
    reservation_id: str | None
    wholesale_unit_price: Amount | None = None  # partners and the operator
    wholesale_amount: Amount | None = None
    list_unit_price: Amount | None = None  # the operator
    list_amount: Amount | None = None


class UsageSummaryOut(Out):
    month: str
    to_date: Amount
    forecast: Amount
    currency: str
    as_of: Instant


class InvoiceLineOut(Out):
    description: str
    sku: str
    quantity: Amount
    unit: str
    unit_price: Amount
    vat_rate: Amount
    amount: Amount
    customer_id: str | None


class InvoiceOut(Out):
    id: str
    number: str
    kind: str
    issuer: dict[str, Any]
    recipient: dict[str, Any]
    partner_id: str | None
    customer_id: str | None
    issue_date: str
    period_start: str
    period_end: str
    due_date: str
    currency: str
    total_excl_vat: Amount
    vat_total: Amount
    total_incl_vat: Amount
    vat_breakdown: dict[str, Amount]
    mentions: list[str]
    credits_invoice_id: str | None
    reason: str | None
    invoicer: dict[str, Any] | None
    buyer_reference: str | None
    order_reference: str | None
    vat_on_debits: bool
    preceding_number: str | None
    preceding_date: str | None
    lines: list[InvoiceLineOut] | None = None  # on a single invoice
    payment: "PaymentStateOut | None" = None  # on a single invoice


class PaymentStateOut(Out):
    status: str  # unpaid | partly_paid | paid | overdue | credited | n/a (a credit note)
    paid: Amount
    outstanding: Amount
    einvoice_status: str | None


class PaymentOut(Out):
    id: str
    invoice_id: str
    amount: Amount
    paid_on: str
    method: str
    reference: str | None
    credit: Amount
    recorded_at: Instant
    recorded_by: str


class RecordedPaymentOut(PaymentOut):
    invoice: PaymentStateOut


class OverdueInvoiceOut(Out):
    id: str
    number: str
    due_date: str
    days_overdue: int
    outstanding: Amount


class DebtorOut(Out):
    kind: str
    id: str
    name: str
    total: Amount
    invoices: list[OverdueInvoiceOut]


class EInvoiceOut(Out):
    invoice_id: str
    number: str
    channel: str
    status: str
    status_code: str | None
    status_at: Instant
    detail: str | None
    platform_ref: str | None
    sha256: str | None


class EInvoiceEventOut(Out):
    status: str
    status_code: str | None
    detail: str | None
    at: Instant


class EInvoiceTrailOut(EInvoiceOut):
    events: list[EInvoiceEventOut]


class HeldInvoiceOut(Out):
    close_key: str
    kind: str
    partner_id: str | None
    customer_id: str | None
    reason: str
    held_at: Instant


class MarginOut(Out):
    partner_id: str
    customer_id: str
    sku: str
    wholesale: Amount
    resale: Amount
    margin: Amount


class MarginsOut(Out):
    month: str
    items: list[MarginOut]


# -- prepaid -----------------------------------------------------------------------
class UtilizationOut(Out):
    from_: Instant = Field(alias="from")
    to: Instant
    purchased_unit_hours: str | None = None
    used_unit_hours: str | None = None
    rate: str | None


class ReservationOut(Out):
    id: str
    number: str
    customer_id: str
    partner_id: str
    flavor: str
    family: str
    region: str
    size_units: int
    count: int
    term: str
    payment: str
    starts_at: Instant
    ends_at: Instant
    upfront: Amount
    hourly: Amount
    upfront_invoiced: bool
    wholesale_upfront: Amount | None = None  # partners and the operator
    wholesale_hourly: Amount | None = None
    utilization: UtilizationOut | None = None  # on a single reservation


class OfferOut(Out):
    flavor: str
    family: str
    size_units: int
    region: str
    term: str
    payment: str
    hours: int
    price: dict[str, Amount] | None = None
    wholesale_price: dict[str, Amount] | None = None
    list_price: dict[str, Amount] | None = None


class ReservationReportOut(Out):
    customer_id: str
    month: str
    currency: str
    eligible_unit_hours: str
    covered_unit_hours: str
    coverage: str | None
    reservations: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]


class DrawOut(Out):
    month: str
    amount: Amount
    invoice_id: str


class CommitmentOut(Out):
    id: str
    number: str
    customer_id: str
    partner_id: str
    amount: Amount
    bonus: Amount
    credit: Amount
    balance: Amount
    months: int
    starts_at: Instant
    expires_at: Instant
    status: str
    forfeited: Amount
    forfeit_at_expiry: Amount
    expiry_notice: bool
    invoice_id: str | None
    drawdowns: list[DrawOut] | None = None  # on a single commitment
