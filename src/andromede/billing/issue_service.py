"""Issuing: a month's drafts planned from rated usage, each numbered and stored once;
what prepaid purchases made due (reservation upfront parts, commitment payments); credit
notes. Functions take the entry point's session and never commit; the month-close job
opens one transaction per batch of invoices (see worker/jobs.py)."""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.billing import store
from andromede.billing.invoicing import (
    Line,
    Party,
    credit_lines,
    due_date,
    invoice_number,
    party_row,
    totals,
)
from andromede.billing.rating import RatedSegment
from andromede.billing.rating_service import RatingService
from andromede.billing.reserved_rating import upfront_charges
from andromede.billing.statements import (
    CustomerInfo,
    Draft,
    Operator,
    PartnerInfo,
    References,
    hold_reason,
    plan_drafts,
    plan_month,
    references_of,
)
from andromede.billing.store import Invoice, InvoiceLine
from andromede.db import insert_loaded, insert_rows, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.collector import collector_paused
from andromede.kernel.errors import Conflict, Forbidden, ValidationFailed
from andromede.kernel.ids import ordered_ids
from andromede.kernel.months import month_period
from andromede.kernel.tenants import TenantRef
from andromede.metering.segments import Carried, Segment
from andromede.prepaid.commitment_service import Commitment, CommitmentService
from andromede.prepaid.commitments import Credit, draw
from andromede.prepaid.reservation_service import ReservationService
from andromede.tenancy.invoicing_fields import default_prefix
from andromede.tenancy.scope import Caller, Role, tenant_scope
from andromede.tenancy.service import Customer, Partner, TenancyService

__all__ = ["IssueService", "party_of"]

MONTH_KEY = re.compile(r"^\d{4}-\d{2}:")


def party_of(row: Partner | Customer) -> Party:
    siret = row.siret if isinstance(row, Customer) else None
    return Party(row.name, row.country, row.address, row.siren, row.vat_number, siret=siret)


def partner_info(row: Partner) -> PartnerInfo:
    return PartnerInfo(
        row.id,
        row.kind,
        row.tier,
        party_of(row),
        prefix=row.invoice_prefix or default_prefix(row.id),
        mandate_accepted=row.mandate_accepted_on is not None,
        vat_on_debits=row.vat_on_debits,
    )


def customer_info(row: Customer) -> CustomerInfo:
    return CustomerInfo(
        row.id,
        row.partner_id,
        party_of(row),
        public_sector=row.public_sector,
        service_code=row.service_code,
        commitment_number=row.commitment_number,
        requires_service_code=row.requires_service_code,
        requires_commitment_number=row.requires_commitment_number,
    )


@dataclass(frozen=True)
class Header:
    """A document as it is numbered and stored: ``parties`` (issuer key, issuer,
    recipient), ``owners`` (partner, customer), ``extras`` (the e-invoicing columns and
    the issuer's numbering ``prefix``)."""

    kind: str
    parties: tuple[str, Party, Party]
    owners: tuple[str | None, str | None]
    period: tuple[date, date]
    lines: list[Line]
    mentions: list[str]
    extras: dict[str, Any]


@dataclass
class Balance:
    """A commitment and what is left on it, drawn down as a batch issues."""

    row: Commitment
    left: Decimal


class IssueService:
    def __init__(
        self,
        clock: Clock,
        operator: Operator,
        tenancy: TenancyService,
        rating: RatingService,
        reservations: ReservationService,
        commitments: CommitmentService,
    ) -> None:
        self.clock = clock
        self.operator = operator
        self.tenancy = tenancy
        self.rating = rating
        self.reservations = reservations
        self.commitments = commitments
        # told of every document issued, in the issuing transaction (wired in bootstrap)
        self.on_issue: list[Callable[[Session, Sequence[Invoice]], None]] = []

    # -- the month -------------------------------------------------------------
    def plan(self, session: Session, month: str) -> list[Draft]:
        return self.plan_close(session, month)[0]

    def closing_partners(self, session: Session, month: str) -> list[str]:
        """Every partner, each a part of the month's close (its drafts are planned from
        its own usage alone); refused while the month is not over."""
        self._over(month)
        return sorted(p.id for p in self.tenancy.all_partners(session))

    def _over(self, month: str) -> tuple[datetime, datetime]:
        start, end = month_period(month)
        if end > self.clock.now():
            raise ValidationFailed.one("month", f"{month} is not over yet")
        return start, end

    def plan_close(
        self, session: Session, month: str, only: Collection[str] | None = None
    ) -> tuple[list[Draft], Carried]:
        """The month's drafts, and the servers' runs still open at its end (which the
        close records for the next month's, ``MeteringService.record_open_runs``); of the
        partners ``only`` and their servers, if given: each partner's drafts come from its
        own usage alone, so a close plans its partners in parts, as workers share them."""
        start, end = self._over(month)
        with collector_paused():  # as ``rated``: a month's lines are built in bulk
            partners, customers = self.parties(session, only)
            usage, still_open = self.rating.month_usage(session, start, end, only)
            items = [*usage, *self.rating.charges(session, start, end, None, only)]
            return plan_month(items, month, self.operator, partners, customers), still_open

    def parties(
        self, session: Session, only: Collection[str] | None = None
    ) -> tuple[dict[str, PartnerInfo], dict[str, CustomerInfo]]:
        """Every partner, and the customers (of the partners ``only``, if given: a part
        of a close reads its own, not 20,000 every time)."""
        partners = {p.id: partner_info(p) for p in self.tenancy.all_partners(session)}
        found = self.tenancy.all_customers(session, only)
        return partners, {c.id: customer_info(c) for c in found}

    def not_issued(self, session: Session, drafts: list[Draft]) -> list[Draft]:
        """The drafts a close has not issued yet (a worker taking over a partner's
        unit, or a second close, starts from there)."""
        done = store.closed_keys(session, [d.close_key for d in drafts])
        return [d for d in drafts if d.close_key not in done]

    def issue(self, session: Session, draft: Draft) -> Invoice | None:
        """Numbers and stores one draft; None if the month close already issued it, or
        if the draft must wait (then it is held, and the partner and customer told)."""
        return self.issue_many(session, [draft])[0]

    def issue_many(self, session: Session, drafts: Sequence[Draft]) -> list[Invoice | None]:
        """``issue`` for a batch, in the caller's transaction, each draft's answer in
        order: the issuers' counters are locked once (sorted, so two batches never wait on
        each other in a cycle), and what the batch needs to know (closed keys, holds,
        commitments) is read once, not once per draft."""
        today = self.clock.now().date()
        counters = {
            key: store.lock_sequence(session, key, today.year)
            for key in sorted({d.issuer_key for d in drafts})
        }
        closed = store.closed_keys(session, [d.close_key for d in drafts])
        store.release_holds(session, [d.close_key for d in drafts if d.hold is None])
        balances = self._balances(session, drafts)
        slots: list[int | None] = []  # each draft's place among the rows, or None
        rows: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        draws: list[tuple[str, str, list[tuple[Line, Commitment]]]] = []
        for draft in drafts:
            if draft.close_key in closed:
                slots.append(None)
                continue
            closed.add(draft.close_key)
            if draft.hold is not None:
                self._hold(session, draft, draft.hold)
                slots.append(None)
                continue
            drawn = self._draws(draft, balances.get(draft.customer_id or "", []))
            header = Header(
                draft.kind,
                (draft.issuer_key, draft.issuer, draft.recipient),
                (draft.partner_id, draft.customer_id),
                (draft.period_start, draft.period_end),
                list(draft.lines) + [line for line, _ in drawn],
                list(draft.mentions),
                _extras(draft),
            )
            row = self._numbered(counters[draft.issuer_key], header, lines)
            row["close_key"] = draft.close_key
            if drawn:
                draws.append((row["id"], draft.close_key[:7], drawn))
            slots.append(len(rows))
            rows.append(row)
        invoices = self._store(session, rows, lines)
        for invoice_id, month, drawn in draws:
            self.commitments.record_draws(
                session, invoice_id, month, [(c.id, -line.amount) for line, c in drawn]
            )
        return [None if slot is None else invoices[slot] for slot in slots]

    def _hold(self, session: Session, draft: Draft, reason: str) -> None:
        """Recorded once per draft: a new hold notifies the partner and the customer."""
        if store.hold(session, draft, reason, self.clock.now()):
            ref = TenantRef(draft.partner_id, draft.customer_id)
            message = (
                f"Invoice to {draft.recipient.name} for {draft.close_key.split(':')[0]} "
                f"is held until it has {reason}; it goes out as soon as that is filled in."
            )
            self.tenancy.notify(session, ref, "invoice_held", message)

    def held(self, session: Session, caller: Caller) -> list[store.HeldInvoice]:
        return store.held_visible(session, tenant_scope(caller.actor))

    def releasable_months(self, session: Session) -> list[str]:
        """Months with a held draft that would now go out (its mandate or field filled
        in since): found from the parties alone, without rating a month again."""
        partners, customers = self.parties(session)
        months = set()
        for held in store.held_rows(session):
            customer = customers.get(held.customer_id or "")
            if not MONTH_KEY.match(held.close_key) or customer is None:
                continue
            partner = partners.get(held.partner_id or "") if held.kind == "resale" else None
            if hold_reason(customer, references_of(customer, None), partner) is None:
                months.add(held.close_key[:7])
        return sorted(months)

    def _balances(self, session: Session, drafts: Sequence[Draft]) -> dict[str, list[Balance]]:
        """What is left on each commitment of the customers whose invoices may draw."""
        customers = sorted({d.customer_id for d in drafts if _may_draw(d) and d.customer_id})
        if not customers:
            return {}
        held = self.commitments.held_by_customer(session, customers)
        return {customer: [Balance(c, left) for c, left in rows] for customer, rows in held.items()}

    def _draws(self, draft: Draft, balances: list[Balance]) -> list[tuple[Line, Commitment]]:
        """A month's customer invoice draws on the customer's prepaid commitments: one
        negative line per commitment drawn, at the invoice's VAT rate. ``balances`` go
        down by what is drawn (a batch holding the customer twice draws once per credit)."""
        if not _may_draw(draft) or not balances:
            return []
        start, end = month_period(draft.close_key[:7])
        credits = [Credit(b.row.id, b.row.starts_at, b.row.expires_at, b.left) for b in balances]
        by_id = {b.row.id: b for b in balances}
        charge = totals(draft.lines).excl_vat
        rate_ = draft.lines[0].vat_rate
        drawn = []
        for cid, amount in draw(credits, charge, start, end):
            row = by_id[cid].row
            by_id[cid].left -= amount
            line = Line(
                f"Prélèvement sur l'engagement prépayé {row.number}",
                f"commitment:{cid}",
                Decimal(1),
                "unit",
                -amount,
                rate_,
                -amount,
            )
            drawn.append((line, row))
        return drawn

    def record(self, session: Session, header: Header) -> Invoice:
        """Numbers the document in its issuer's sequence (no gaps) and stores it with its
        lines."""
        counter = store.lock_sequence(session, header.parties[0], self.clock.now().year)
        lines: list[dict[str, Any]] = []
        row = self._numbered(counter, header, lines)
        return self._store(session, [row], lines)[0]

    def _store(
        self, session: Session, rows: list[dict[str, Any]], lines: list[dict[str, Any]]
    ) -> list[Invoice]:
        """The invoices, then their lines, in one statement each (as plain rows: mapped
        objects cost more to build and flush than to write), then what the hooks add."""
        invoices = insert_loaded(session, Invoice, rows)  # first: the rest point at them
        insert_rows(session, InvoiceLine, lines)
        for hook in self.on_issue:
            hook(session, invoices)
        return invoices

    def _numbered(
        self, counter: store.InvoiceSequence, header: Header, rows: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """``record`` with the issuer's counter already locked by the caller: the
        invoice's row; its lines are added to ``rows``, for the caller to store with
        ``_store``."""
        issuer_key, issuer, recipient = header.parties
        today = self.clock.now().date()
        counter.last += 1
        extras = {k: v for k, v in header.extras.items() if k != "prefix"}
        lines = header.lines
        sums = totals(lines)
        ids = ordered_ids(1 + len(lines))
        invoice: dict[str, Any] = dict(
            id=ids[0],
            number=invoice_number(header.extras["prefix"], today.year, counter.last),
            kind=header.kind,
            issuer_key=issuer_key,
            partner_id=header.owners[0],
            customer_id=header.owners[1],
            issuer=party_row(issuer),
            recipient=party_row(recipient),
            issue_date=today,
            period_start=header.period[0],
            period_end=header.period[1],
            due_date=due_date(today),
            currency="EUR",
            total_excl_vat=sums.excl_vat,
            vat_total=sums.vat,
            total_incl_vat=sums.incl_vat,
            vat_breakdown={f"{rate_:f}": f"{vat:f}" for rate_, vat in sums.vat_by_rate.items()},
            mentions=header.mentions,
            created_at=self.clock.now(),
            **extras,
        )
        rows.extend(
            {
                "id": ids[i],
                "invoice_id": ids[0],
                "position": i,
                "description": line.description,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "amount": line.amount,
                "customer_id": line.customer_id,
            }
            for i, line in enumerate(lines, start=1)
        )
        return invoice

    # -- what prepaid purchases made due ---------------------------------------------
    def prepaid_due(self, session: Session) -> list[str]:
        """Reservations whose upfront part and commitments whose payment is due."""
        return [*self.reservations.upfront_due(session), *self.commitments.payments_due(session)]

    def issue_prepaid(self, session: Session, purchase_id: str) -> int:
        """Issues what one purchase made due, once (the row is locked and marked); the
        number of documents issued. The entry point calls it with the purchase, and the
        worker for reservations whose term started later, and for purchases whose
        customer invoice was held (marked only once nothing is held)."""
        reservation = self.reservations.lock_upfront_due(session, purchase_id)
        if reservation is not None:
            day = reservation.starts_at.date()
            key = f"reservation:{reservation.id}:upfront"
            refs = References(reservation.service_code, reservation.commitment_number)
            charges = upfront_charges(reservation.terms())
            issued, held = self._issue_items(session, charges, key, day, refs=refs)
            reservation.upfront_invoiced = not held
            return len(issued)
        commitment = self.commitments.lock_payment_due(session, purchase_id)
        if commitment is not None:
            day = commitment.starts_at.date()
            key = f"commitment:{commitment.id}"
            refs = References(commitment.service_code, commitment.commitment_number)
            item = _commitment_payment(commitment)
            issued, _ = self._issue_items(session, [item], key, day, wholesale=False, refs=refs)
            session.flush()  # the invoice row exists before the commitment points at it
            found = issued[-1] if issued else store.find_closed_prefix(session, key)
            commitment.invoice_id = found.id if found else None
            return len(issued)
        return 0

    def _issue_items(
        self,
        session: Session,
        items: list[RatedSegment],
        key: str,
        day: date,
        wholesale: bool = True,
        refs: References | None = None,
    ) -> tuple[list[Invoice], int]:
        """The documents issued, and how many drafts are held."""
        if not items:
            return [], 0
        partners, customers = self.parties(session)
        drafts = plan_drafts(
            items,
            key,
            (day, day),
            self.operator,
            partners,
            customers,
            wholesale=wholesale,
            references=refs,
        )
        issued = [i for i in (self.issue(session, d) for d in drafts) if i is not None]
        return issued, sum(1 for d in drafts if d.hold is not None)

    def _prefix(self, session: Session, issuer_key: str) -> str:
        if issuer_key == "operator":
            return self.operator.prefix
        partners, _ = self.parties(session)
        return partners[issuer_key].prefix

    # -- credit notes ------------------------------------------------------------------
    def credit_note(
        self, session: Session, caller: Caller, invoice_id: str, reason: str
    ) -> Invoice:
        scope = tenant_scope(caller.actor)
        original = visible_one(session, Invoice, invoice_id, scope, "invoice")
        if original.kind == "credit_note":
            raise Conflict("a credit note is not credited; issue an invoice instead")
        if store.credit_of(session, original.id) is not None:
            raise Conflict(f"invoice {original.number} is already credited")
        _require_issuer(caller, original)
        if not (reason or "").strip():
            raise ValidationFailed.one("reason", "say why the invoice is credited")
        originals = [
            Line(
                row.description,
                row.sku,
                row.quantity,
                row.unit,
                row.unit_price,
                row.vat_rate,
                row.amount,
                row.customer_id,
            )
            for row in store.lines_of(session, original.id)
        ]
        cites = f"Avoir sur la facture n° {original.number} du {original.issue_date.isoformat()}."
        header = Header(
            "credit_note",
            (original.issuer_key, Party(**original.issuer), Party(**original.recipient)),
            (original.partner_id, original.customer_id),
            (original.period_start, original.period_end),
            credit_lines(originals),
            [cites, *original.mentions],
            {
                "prefix": self._prefix(session, original.issuer_key),
                "invoicer": original.invoicer,
                "buyer_reference": original.buyer_reference,
                "order_reference": original.order_reference,
                "vat_on_debits": original.vat_on_debits,
                "preceding_number": original.number,
                "preceding_date": original.issue_date,
            },
        )
        note = self.record(session, header)
        note.credits_invoice_id = original.id
        note.reason = reason.strip()
        ref = TenantRef(original.partner_id, original.customer_id)
        self.tenancy.audit(session, caller, AuditAction.CREDIT_NOTE_CREATE, "invoice", note.id, ref)
        return note


def _extras(draft: Draft) -> dict[str, Any]:
    return {
        "prefix": draft.prefix,
        "invoicer": party_row(draft.invoicer) if draft.invoicer else None,
        "buyer_reference": draft.references.service_code,
        "order_reference": draft.references.commitment_number,
        "vat_on_debits": draft.vat_on_debits,
    }


def _may_draw(draft: Draft) -> bool:
    return (
        draft.kind in ("resale", "direct")
        and bool(MONTH_KEY.match(draft.close_key))
        and bool(draft.customer_id and draft.lines)
    )


def _require_issuer(caller: Caller, original: Invoice) -> None:
    """Only the issuer credits its invoices: the operator its own, a partner admin the
    ones it issued (the operator may act for a partner)."""
    role = caller.actor.role
    if role is Role.OPERATOR_ADMIN:
        return
    if original.issuer_key != "operator" and role is Role.PARTNER_ADMIN:
        if caller.actor.partner_id == original.issuer_key:
            return
    raise Forbidden("only the issuer credits its invoices")


def _commitment_payment(row: Commitment) -> RatedSegment:
    """The purchase, on the customer's invoice stream only: the partner funds the bonus
    out of its margin, so the operator's wholesale invoice does not change."""
    segment = Segment(
        row.id,
        "commitment",
        f"commitment:{row.id}",
        row.starts_at,
        row.starts_at,
        Decimal(0),
        0,
        "",
        "",
        "",
        row.customer_id,
        row.partner_id,
    )
    label = (
        f"Engagement prépayé {row.number}, {row.months} mois, crédit {row.credit:f} EUR"
        f" (bonus {row.bonus * 100:.2f} %)"
    )
    return RatedSegment(
        segment, Decimal(1), "unit", row.amount, row.amount, row.amount, label=label
    )
