"""Use cases of customer-approved staff access: file, approve, deny, revoke, lapse, the
grants in force for a staff member, and the customer's transparency feed."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
from andromede.audit.service import AuditEntry
from andromede.db import scoped_page, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty import store
from andromede.sovereignty.access import (
    PENDING_FOR,
    AccessState,
    RequestTimes,
    approval,
    check_request,
    state_at,
)
from andromede.sovereignty.staff_origin import (
    MAX_SUPERVISION_MINUTES,
    Networks,
    data_access_refusal,
    supervision_needed,
)
from andromede.sovereignty.store import AccessRequest, Supervision
from andromede.tenancy.login_service import actor_of
from andromede.tenancy.rights import rights_of, who_can_access
from andromede.tenancy.scope import (
    Actor,
    Caller,
    Permission,
    Role,
    StaffGrant,
    allowed,
    customer_data_scope,
    is_staff,
    note_read,
    tenant_scope,
    visible,
)
from andromede.tenancy.service import TenancyService
from andromede.tenancy.user_service import UserService
from andromede.tenancy.vetting import PRIVILEGED, needed_for, vetted

__all__ = ["AccessInput", "AccessService", "Supervision", "times_of"]


@dataclass(frozen=True)
class AccessInput:
    customer_id: str
    scope: str
    reason: str
    duration_minutes: int
    location: str


def times_of(row: AccessRequest) -> RequestTimes:
    return RequestTimes(
        row.created_at, row.duration_minutes, row.approved_at, row.denied_at, row.revoked_at
    )


def _ref(row: AccessRequest) -> TenantRef:
    return TenantRef(row.partner_id, row.customer_id)


class AccessService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        users: UserService,
        staff_networks: Networks | None = None,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.users = users
        self.staff_networks = staff_networks or {}

    def _refusal(
        self,
        profile: tuple[str | None, datetime | None, str | None],
        scope: str,
        source: str | None,
    ) -> str | None:
        """Why a staff member with this (vetting level, end, office) may not use a grant of
        ``scope`` from ``source`` now."""
        level, until, office = profile
        if not vetted(level, until, needed_for(scope), self.clock.now()):
            return (
                f"a {scope} grant needs a valid {needed_for(scope)} vetting "
                "(recorded by an operator administrator)"
            )
        return data_access_refusal(office, source, self.staff_networks)

    def state(self, row: AccessRequest) -> AccessState:
        return state_at(times_of(row), self.clock.now())

    def file(self, session: Session, caller: Caller, data: AccessInput) -> AccessRequest:
        if not is_staff(caller.actor):
            raise Forbidden("access requests are filed by operator staff")
        location = check_request(data.scope, data.reason, data.duration_minutes, data.location)
        customer = self.tenancy.get_customer(session, caller, data.customer_id)
        profile = self.users.vetting_of(session, caller.actor.user_id)
        refusal = self._refusal(profile, data.scope, caller.source)
        if refusal:
            raise Forbidden(f"no access to customer data: {refusal}")
        row = AccessRequest(
            id=new_id(),
            partner_id=customer.partner_id,
            customer_id=customer.id,
            requester_id=caller.actor.user_id,
            requester=caller.actor.username,
            scope=data.scope,
            reason=data.reason.strip(),
            duration_minutes=data.duration_minutes,
            location=location,
            created_at=self.clock.now(),
        )
        session.add(row)
        session.flush()
        ref = _ref(row)
        self.tenancy.audit(
            session, caller, AuditAction.ACCESS_REQUEST_CREATE, "access_request", row.id, ref
        )
        self.tenancy.notify(
            session,
            ref,
            "access-request",
            f"{row.requester} asks for {row.scope} access for {row.duration_minutes} min "
            f"from {row.location}: {row.reason}",
        )
        return row

    def get(self, session: Session, caller: Caller, request_id: str) -> AccessRequest:
        scope = tenant_scope(caller.actor)
        return visible_one(session, AccessRequest, request_id, scope, "access request")

    def list_requests(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        customer_id: str | None = None,
    ) -> list[AccessRequest]:
        return scoped_page(
            session,
            AccessRequest,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"customer_id": customer_id},
        )

    def decide(self, session: Session, caller: Caller, request_id: str, verb: str) -> AccessRequest:
        """approve / deny: the customer's admins; revoke: them, or the requester."""
        row = self.get(session, caller, request_id)
        actor = caller.actor
        customer_admin = actor.role is Role.CUSTOMER_ADMIN and actor.customer_id == row.customer_id
        requester = actor.user_id == row.requester_id and verb == "revoke"
        if not (customer_admin or requester):
            raise Forbidden(f"only the customer's admins may {verb} an access request")
        now = self.clock.now()
        approval(times_of(row), now, verb)
        if verb == "approve":
            row.approved_at = now
            row.grant_ends_at = times_of(row).grant_ends_at
        elif verb == "deny":
            row.denied_at = now
            row.closed_at = now
        else:
            row.revoked_at = now
            row.closed_at = now
        row.decided_by = actor.username
        self.tenancy.audit(
            session,
            caller,
            AuditAction(f"access_request.{verb}"),
            "access_request",
            row.id,
            _ref(row),
        )
        return row

    def with_grants(self, session: Session, actor: Actor, source: str | None = None) -> Actor:
        """The actor of a staff request, carrying the grants in force at this instant: none
        from outside the EU, and none once the vetting has expired. An operator
        administrator whose enhanced vetting has lapsed acts as support until it is
        recorded again (SecNumCloud 7.1.b: the privilege goes with the vetting). From
        outside the EU, a request is served only under a live supervision."""
        if not is_staff(actor) or actor.system:
            return actor
        now = self.clock.now()
        profile = self.users.vetting_of(session, actor.user_id)  # once per request
        self._require_supervision(session, actor, profile[2], source, now)
        rows = store.open_grants(session, actor.user_id, now)
        rows = [r for r in rows if not self._refusal(profile, r.scope, source)]
        if actor.role is Role.OPERATOR_ADMIN and not vetted(
            profile[0], profile[1], PRIVILEGED, now
        ):
            actor = replace(actor, role=Role.OPERATOR_SUPPORT)
        grants = tuple(
            StaffGrant(r.id, r.customer_id, r.scope, r.grant_ends_at)
            for r in rows
            if r.grant_ends_at is not None
        )
        return replace(actor, grants=grants)

    # -- live supervision of staff outside the EU (SecNumCloud 19.2.e) -------------------
    def _require_supervision(
        self, session: Session, actor: Actor, office: str | None, source: str | None, now: datetime
    ) -> None:
        why = supervision_needed(office, source, self.staff_networks)
        if why and store.open_supervision(session, actor.user_id, now) is None:
            raise Forbidden(
                f"{why}: staff working from outside the EU act only under the live "
                "supervision of an EU staff member (POST /v1/supervisions)"
            )

    def supervise(
        self, session: Session, caller: Caller, staff_id: str, minutes: int, reason: str
    ) -> Supervision:
        """An EU staff member, vetted, opens a window in which another one, working from
        outside the EU, is served; never themselves."""
        actor, now = caller.actor, self.clock.now()
        if not is_staff(actor) or actor.system:
            raise Forbidden("operator staff supervise operator staff")
        level, until, office = self.users.vetting_of(session, actor.user_id)
        outside = data_access_refusal(office, caller.source, self.staff_networks)
        if not vetted(level, until, needed_for("read"), now) or outside:
            raise Forbidden("a supervisor is vetted staff working from the EU")
        if staff_id == actor.user_id:
            raise Forbidden("nobody supervises themselves")
        staff = self.users.get_user(session, caller, staff_id)
        if staff.org_kind != "operator":
            raise ValidationFailed.one("staff_id", "supervision is for operator staff")
        if not 1 <= minutes <= MAX_SUPERVISION_MINUTES:
            raise ValidationFailed.one("minutes", f"from 1 to {MAX_SUPERVISION_MINUTES}")
        if not reason.strip() or len(reason) > 1000:
            raise ValidationFailed.one("reason", "say why, in at most 1,000 characters")
        row = Supervision(
            id=new_id(), staff_id=staff.id, staff=staff.username, supervisor_id=actor.user_id,
            supervisor=actor.username, reason=reason.strip(), starts_at=now,
            ends_at=now + timedelta(minutes=minutes),
        )  # fmt: skip
        session.add(row)
        self.tenancy.audit(
            session, caller, AuditAction.SUPERVISION_START, "supervision", row.id, TenantRef()
        )
        return row

    def end_supervision(self, session: Session, caller: Caller, supervision_id: str) -> Supervision:
        """Its supervisor ends it, or an operator administrator; at once."""
        row = session.get(Supervision, supervision_id)
        if row is None or not is_staff(caller.actor):
            raise NotFound("supervision", supervision_id)
        mine = row.supervisor_id == caller.actor.user_id
        if not (mine or allowed(caller.actor, Permission.MANAGE_USERS)):
            raise Forbidden("its supervisor or an operator administrator ends a supervision")
        row.ends_at = min(row.ends_at, self.clock.now())
        self.tenancy.audit(
            session, caller, AuditAction.SUPERVISION_END, "supervision", row.id, TenantRef()
        )
        return row

    def supervisions(self, session: Session, caller: Caller) -> list[Supervision]:
        if not is_staff(caller.actor):
            raise Forbidden("supervisions are the operator staff's")
        return store.recent_supervisions(session, 100)

    # -- the access-rights inventory (SecNumCloud 9.3) ---------------------------------
    def who_can_access(
        self, session: Session, caller: Caller, ref: TenantRef
    ) -> tuple[list[dict[str, Any]], int]:
        """Every account that can reach the customer's (or project's) resources, how
        and why; for auditors and for the customer's and partner's administrators. The
        customer's own accounts are its data: staff without its grant get their count."""
        _may_inventory(caller, ref)
        scope = customer_data_scope(caller.actor)
        users = self.users.users_over(session, ref)
        shown = [u for u in users if visible(scope, TenantRef(u.partner_id, u.customer_id))]
        note_read(caller, ref)
        found = who_can_access([self.with_grants(session, actor_of(u)) for u in shown], ref)
        hidden = [u for u in users if u not in shown]
        actors = [actor_of(u) for u in hidden]
        return found, len(who_can_access(actors, ref))

    def rights_of_user(self, session: Session, caller: Caller, user_id: str) -> dict[str, Any]:
        """Every right of one account: its role's permissions, the data it reaches, its
        grants in force."""
        user = self.users.get_user(session, caller, user_id)
        _may_inventory(caller, TenantRef(user.partner_id, user.customer_id))
        return rights_of(self.with_grants(session, actor_of(user)))

    def close_lapsed(self, session: Session) -> int:
        """Worker job: records each unanswered request that expired and each grant that
        ran out, once (access already stopped at that instant; this writes the log)."""
        now = self.clock.now()
        system = Caller(Actor("system", "system:access", Role.OPERATOR_ADMIN, system=True))
        rows = store.lapsed(session, now - PENDING_FOR, now)
        for row in rows:
            state = self.state(row)
            row.closed_at = now
            verb = "expire" if state is AccessState.EXPIRED else "end"
            self.tenancy.audit(
                session,
                system,
                AuditAction(f"access_request.{verb}"),
                "access_request",
                row.id,
                _ref(row),
            )
        return len(rows)

    def access_log(
        self,
        session: Session,
        caller: Caller,
        customer_id: str,
        *,
        limit: int,
        before_seq: int | None,
    ) -> list[AuditEntry]:
        """The customer's transparency feed: requests, decisions and every staff action
        or read under a grant, newest first."""
        customer = self.tenancy.get_customer(session, caller, customer_id)
        ref = TenantRef(customer.partner_id, customer.id)
        if not visible(customer_data_scope(caller.actor), ref):
            raise Forbidden(
                "the transparency feed names the customer's resources: staff read it under a grant"
            )
        note_read(caller, ref)
        return audit.staff_access_entries(session, customer.id, limit=limit, before_seq=before_seq)


def request_view(row: AccessRequest, state: AccessState, reader: Actor) -> dict[str, Any]:
    """Staff learn that the customer decided, not which of its accounts did."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "partner_id": row.partner_id,
        "requester": row.requester,
        "scope": row.scope,
        "reason": row.reason,
        "duration_minutes": row.duration_minutes,
        "location": row.location,
        "status": state.value,
        "created_at": iso(row.created_at),
        "expires_at": iso(row.created_at + PENDING_FOR) if row.approved_at is None else None,
        "approved_at": iso(row.approved_at),
        "grant_ends_at": iso(row.grant_ends_at),
        "denied_at": iso(row.denied_at),
        "revoked_at": iso(row.revoked_at),
        "decided_by": ("customer" if row.decided_by else None)
        if is_staff(reader)
        else row.decided_by,
    }


def _may_inventory(caller: Caller, ref: TenantRef) -> None:
    actor = caller.actor
    if allowed(actor, Permission.READ_COMPLIANCE):
        return
    if actor.role is Role.PARTNER_ADMIN and actor.partner_id == ref.partner_id:
        return
    if (
        actor.role is Role.CUSTOMER_ADMIN
        and ref.customer_id
        and actor.customer_id == ref.customer_id
    ):
        return
    raise Forbidden("the rights inventory is for auditors and administrators")
