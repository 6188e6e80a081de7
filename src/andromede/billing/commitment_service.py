"""Use cases of prepaid commitments: purchase (invoiced once), balance and drawdowns,
and the notice 30 days before what is left would be forfeited."""

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.billing import prepaid_store
from andromede.billing.commitments import MAX_BONUS, MAX_MONTHS, credit_of, expires_at, notice_due
from andromede.billing.prepaid_store import Commitment, CommitmentDraw
from andromede.billing.rating import RatedSegment
from andromede.billing.service import BillingService
from andromede.billing.statements import plan_drafts
from andromede.db import scoped_page, visible_one
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.metering.segments import Segment
from andromede.tenancy.scope import Caller, Role, tenant_scope

__all__ = ["CommitmentService"]

SELLERS = (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN)


class CommitmentService:
    def __init__(self, clock: Clock, billing: BillingService) -> None:
        self.clock = clock
        self.billing = billing
        self.tenancy = billing.tenancy

    def buy(
        self,
        session: Session,
        caller: Caller,
        *,
        customer_id: str,
        amount: str,
        months: int,
        bonus: str = "0",
    ) -> Commitment:
        """The partner (or the operator) records the customer's prepayment and sets the
        bonus; a customer admin may prepay without a bonus."""
        customer = self.tenancy.get_customer(session, caller, customer_id)
        paid = bounded_decimal("amount", amount, places=2)
        rate = bounded_decimal("bonus", bonus, high=MAX_BONUS)
        if paid <= 0 or paid != paid.quantize(Decimal("0.01")):
            raise ValidationFailed.one("amount", "a positive amount in euros and cents")
        if not 1 <= months <= MAX_MONTHS:
            raise ValidationFailed.one("months", f"between 1 and {MAX_MONTHS}")
        if not 0 <= rate <= MAX_BONUS:
            raise ValidationFailed.one("bonus", f"a fraction between 0 and {MAX_BONUS}")
        if caller.actor.role not in (*SELLERS, Role.CUSTOMER_ADMIN):
            raise Forbidden("commitments are bought by the customer's or its partner's admins")
        if rate and caller.actor.role not in SELLERS:
            raise Forbidden("the bonus is set by the partner")
        self.tenancy.require_active(session, customer.id)
        now = self.clock.now()
        cid = new_id()
        row = Commitment(
            id=cid,
            number=f"CMT-{cid[:8].upper()}",
            partner_id=customer.partner_id,
            customer_id=customer.id,
            amount=paid,
            bonus=rate,
            credit=credit_of(paid, rate),
            months=months,
            starts_at=now,
            expires_at=expires_at(now, months),
            created_at=now,
            created_by=caller.actor.username,
        )
        session.add(row)
        session.flush()
        row.invoice_id = self._invoice(session, row)
        ref = TenantRef(customer.partner_id, customer.id)
        self.tenancy.audit(session, caller, "commitment.buy", "commitment", row.id, ref)
        return row

    def _invoice(self, session: Session, row: Commitment) -> str | None:
        """The purchase, once, on the customer's invoice stream (the partner funds the
        bonus out of its margin, so the operator's wholesale invoice does not change)."""
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
        item = RatedSegment(
            segment, Decimal(1), "unit", row.amount, row.amount, row.amount, label=label
        )
        partners, customers = self.billing.parties(session)
        day = row.starts_at.date()
        invoice_id = None
        for draft in plan_drafts(
            [item],
            f"commitment:{row.id}",
            (day, day),
            self.billing.operator,
            partners,
            customers,
            wholesale=False,
        ):
            invoice = self.billing.issue(session, draft)
            invoice_id = invoice.id if invoice is not None else invoice_id
        session.flush()  # the invoice row exists before the commitment points at it
        return invoice_id

    def list_commitments(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        customer_id: str | None = None,
    ) -> list[Commitment]:
        return scoped_page(
            session,
            Commitment,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"customer_id": customer_id},
        )

    def get(self, session: Session, caller: Caller, commitment_id: str) -> Commitment:
        scope = tenant_scope(caller.actor)
        return visible_one(session, Commitment, commitment_id, scope, "commitment")

    def view(self, session: Session, row: Commitment, *, draws: bool = False) -> dict[str, Any]:
        return self.views(session, [row], draws=draws)[0]

    def views(
        self, session: Session, rows: list[Commitment], *, draws: bool = False
    ) -> list[dict[str, Any]]:
        """Balance, expiry, and what would be forfeited if nothing more were drawn; the
        draws of every row read in one query."""
        drawn: dict[str, list[CommitmentDraw]] = {}
        for d in prepaid_store.draws_of(session, [r.id for r in rows]):
            drawn.setdefault(d.commitment_id, []).append(d)
        return [self._view(row, drawn.get(row.id, []), draws) for row in rows]

    def _view(self, row: Commitment, drawn: list[CommitmentDraw], draws: bool) -> dict[str, Any]:
        left = row.credit - sum((d.amount for d in drawn), Decimal(0))
        now = self.clock.now()
        expired = now >= row.expires_at
        doc: dict[str, Any] = {
            "id": row.id,
            "number": row.number,
            "customer_id": row.customer_id,
            "partner_id": row.partner_id,
            "amount": f"{row.amount:f}",
            "bonus": f"{row.bonus:f}",
            "credit": f"{row.credit:f}",
            "balance": f"{left:f}",
            "months": row.months,
            "starts_at": row.starts_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "status": "expired" if expired else "active",
            "forfeited": f"{left:f}" if expired else "0.00",
            "forfeit_at_expiry": f"{left:f}",
            "expiry_notice": notice_due(now, row.expires_at, left),
            "invoice_id": row.invoice_id,
        }
        if draws:
            doc["drawdowns"] = [
                {"month": d.month, "amount": f"{d.amount:f}", "invoice_id": d.invoice_id}
                for d in drawn
            ]
        return doc

    def notify_expiring(self, session: Session) -> int:
        """Tells each customer, once, 30 days before expiry, what it would forfeit."""
        told = 0
        now = self.clock.now()
        pending = [r for r in prepaid_store.all_commitments(session) if r.notified_at is None]
        balances = prepaid_store.balances(session, pending)
        for row in pending:
            left = balances[row.id]
            if notice_due(now, row.expires_at, left):
                self.tenancy.notify(
                    session,
                    TenantRef(row.partner_id, row.customer_id),
                    "commitment.expiring",
                    f"Prepaid commitment {row.number} expires on {row.expires_at.date()}: "
                    f"{left:f} EUR left will be forfeited unless used before then.",
                )
                row.notified_at = now
                told += 1
        return told
