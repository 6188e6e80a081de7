"""Use cases of prepaid commitments: purchase, balance and drawdowns, and the notice 30
days before what is left would be forfeited. The payment is due at purchase: billing
issues it and records the invoice here; each month's customer invoice draws on what is
left, and billing records the draws here too."""

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.db import scoped_page, visible_one
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.prepaid import store as prepaid_store
from andromede.prepaid.commitments import MAX_BONUS, MAX_MONTHS, credit_of, expires_at, notice_due
from andromede.prepaid.reservation_service import purchase_references
from andromede.prepaid.store import Commitment, CommitmentDraw
from andromede.tenancy.scope import Caller, Role, tenant_scope
from andromede.tenancy.service import TenancyService

__all__ = ["Commitment", "CommitmentService"]

SELLERS = (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN)


class CommitmentService:
    def __init__(self, clock: Clock, tenancy: TenancyService) -> None:
        self.clock = clock
        self.tenancy = tenancy

    def buy(
        self,
        session: Session,
        caller: Caller,
        *,
        customer_id: str,
        amount: str,
        months: int,
        bonus: str = "0",
        service_code: str | None = None,
        commitment_number: str | None = None,
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
        references = purchase_references(service_code, commitment_number)
        now = self.clock.now()
        cid = new_id()
        row = Commitment(
            id=cid,
            **references,
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
        ref = TenantRef(customer.partner_id, customer.id)
        self.tenancy.audit(session, caller, AuditAction.COMMITMENT_BUY, "commitment", row.id, ref)
        return row

    # -- what billing reads and records ---------------------------------------------
    def payments_due(self, session: Session) -> list[str]:
        """Commitments bought and not invoiced yet."""
        return prepaid_store.payments_due(session)

    def lock_payment_due(self, session: Session, commitment_id: str) -> Commitment | None:
        row = session.get(Commitment, commitment_id, with_for_update=True)
        return row if row is not None and row.invoice_id is None else None

    def held_by_customer(
        self, session: Session, customer_ids: list[str]
    ) -> dict[str, list[tuple[Commitment, Decimal]]]:
        """Each customer's commitments with what is left on each, soonest expiry first:
        two queries for a month close's whole batch of customers."""
        rows = prepaid_store.commitments_of_customers(session, customer_ids)
        left = prepaid_store.balances(session, rows)
        found: dict[str, list[tuple[Commitment, Decimal]]] = {}
        for row in rows:
            found.setdefault(row.customer_id, []).append((row, left[row.id]))
        return found

    def record_draws(
        self, session: Session, invoice_id: str, month: str, drawn: list[tuple[str, Decimal]]
    ) -> None:
        """What a month's invoice drew on each commitment (amounts positive)."""
        session.add_all(
            CommitmentDraw(
                id=new_id(),
                commitment_id=commitment_id,
                invoice_id=invoice_id,
                month=month,
                amount=amount,
                created_at=self.clock.now(),
            )
            for commitment_id, amount in drawn
        )

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
