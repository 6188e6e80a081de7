"""Use cases of exposure to non-EU law: the operator keeps the subprocessor registry
(public, in the offer document), announces legal changes a month ahead to every partner
and customer, and records each government request for a customer's data — telling the
customer, or recording the legal bar that forbids it."""

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.db import insert_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.legal import (
    GovernmentRequest,
    LegalChange,
    Subprocessor,
    government_request_errors,
    legal_change_errors,
    subprocessor_errors,
)
from andromede.sovereignty.legal_store import (
    GovernmentRequestRow,
    LegalChangeRow,
    SubprocessorRow,
)
from andromede.tenancy.scope import Caller, Permission, require
from andromede.tenancy.service import TenancyService

__all__ = ["GovernmentRequestRow", "LegalChangeRow", "LegalService", "SubprocessorRow"]


class LegalService:
    def __init__(self, clock: Clock, tenancy: TenancyService) -> None:
        self.clock = clock
        self.tenancy = tenancy

    # -- subprocessors ------------------------------------------------------------
    def add_subprocessor(
        self, session: Session, caller: Caller, sub: Subprocessor
    ) -> SubprocessorRow:
        require(caller, Permission.MANAGE_REGISTERS)
        errors = subprocessor_errors(sub)
        if errors:
            raise ValidationFailed(errors)
        values = asdict(sub)
        values |= {"country": sub.country.upper(), "jurisdiction": sub.jurisdiction.upper()}
        values["data_categories"] = sorted(set(sub.data_categories))
        row = SubprocessorRow(id=new_id(), created_at=self.clock.now(), **values)
        self.tenancy.audit(
            session, caller, AuditAction.SUBPROCESSOR_ADD, "subprocessor", row.id, TenantRef()
        )
        insert_unique(session, row, "a subprocessor with this name is registered")
        return row

    def subprocessors(self, session: Session) -> list[SubprocessorRow]:
        return list(session.scalars(select(SubprocessorRow).order_by(SubprocessorRow.name)))

    # -- legal changes ------------------------------------------------------------
    def announce_legal_change(
        self, session: Session, caller: Caller, change: LegalChange
    ) -> LegalChangeRow:
        """Every partner and every customer hears of it, each once."""
        require(caller, Permission.MANAGE_REGISTERS)
        errors = legal_change_errors(change, self.clock.now())
        if errors:
            raise ValidationFailed(errors)
        row = LegalChangeRow(
            id=new_id(),
            summary=change.summary,
            effective_at=change.effective_at,
            created_at=self.clock.now(),
            created_by=caller.actor.username,
        )
        session.add(row)
        text = f"Legal change effective {change.effective_at.isoformat()}: {change.summary}"
        refs = [TenantRef(p.id) for p in self.tenancy.all_partners(session)]
        refs += [TenantRef(c.partner_id, c.id) for c in self.tenancy.all_customers(session)]
        for ref in refs:
            self.tenancy.notify(session, ref, "legal-change", text)
        self.tenancy.audit(
            session, caller, AuditAction.LEGAL_CHANGE_ANNOUNCE, "legal_change", row.id, TenantRef()
        )
        return row

    def legal_changes(self, session: Session) -> list[LegalChangeRow]:
        query = select(LegalChangeRow).order_by(LegalChangeRow.created_at.desc())
        return list(session.scalars(query))

    # -- government requests ------------------------------------------------------
    def record_government_request(
        self, session: Session, caller: Caller, request: GovernmentRequest
    ) -> GovernmentRequestRow:
        require(caller, Permission.MANAGE_REGISTERS)
        customer = self.tenancy.get_customer(session, caller, request.customer_id)
        errors = government_request_errors(request, self.clock.now())
        if errors:
            raise ValidationFailed(errors)
        values = asdict(request)
        notified = values.pop("notify_customer")
        row = GovernmentRequestRow(
            id=new_id(),
            partner_id=customer.partner_id,
            notified=notified,
            created_at=self.clock.now(),
            created_by=caller.actor.username,
            **{**values, "country": request.country.upper()},
        )
        session.add(row)
        ref = TenantRef(customer.partner_id, customer.id)
        if notified:
            self.tenancy.notify(
                session,
                ref,
                "government-request",
                f"A request for your data from {request.authority} ({request.country.upper()}), "
                f"received {request.received_at.isoformat()}: {request.scope}",
            )
        self.tenancy.audit(
            session,
            caller,
            AuditAction.GOVERNMENT_REQUEST_RECORD,
            "government_request",
            row.id,
            ref,
        )
        return row

    def government_requests(self, session: Session, caller: Caller) -> list[GovernmentRequestRow]:
        require(caller, Permission.READ_COMPLIANCE)
        query = select(GovernmentRequestRow).order_by(GovernmentRequestRow.received_at.desc())
        return list(session.scalars(query))
