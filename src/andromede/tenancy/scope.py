"""Who sees what, and who may do what: the one place where tenancy walls are drawn.

Every tenant-owned row carries (partner_id, customer_id, project_id). A request's actor
is turned into a Scope once; stores apply the Scope to every query, so no handler filters
by hand. Something outside the scope does not exist for the actor (404, not 403).
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from andromede.kernel.errors import Forbidden
from andromede.kernel.tenants import Scope, TenantRef

__all__ = [
    "Actor",
    "Caller",
    "OrgKind",
    "Permission",
    "Role",
    "Scope",
    "StaffGrant",
    "TenantRef",
    "allowed",
    "can_assign_role",
    "customer_data_scope",
    "grant_for",
    "grant_id",
    "is_staff",
    "may_change_resources",
    "note_read",
    "note_reads",
    "on_behalf_of",
    "require",
    "require_write",
    "resource_scope",
    "staff_may_write",
    "tenant_scope",
    "visible",
]


class Role(StrEnum):
    OPERATOR_ADMIN = "operator-admin"
    OPERATOR_SUPPORT = "operator-support"
    PARTNER_ADMIN = "partner-admin"
    PARTNER_USER = "partner-user"
    CUSTOMER_ADMIN = "customer-admin"
    CUSTOMER_MEMBER = "customer-member"
    CUSTOMER_VIEWER = "customer-viewer"


class OrgKind(StrEnum):
    OPERATOR = "operator"
    PARTNER = "partner"
    CUSTOMER = "customer"


ROLE_ORG = {
    Role.OPERATOR_ADMIN: OrgKind.OPERATOR,
    Role.OPERATOR_SUPPORT: OrgKind.OPERATOR,
    Role.PARTNER_ADMIN: OrgKind.PARTNER,
    Role.PARTNER_USER: OrgKind.PARTNER,
    Role.CUSTOMER_ADMIN: OrgKind.CUSTOMER,
    Role.CUSTOMER_MEMBER: OrgKind.CUSTOMER,
    Role.CUSTOMER_VIEWER: OrgKind.CUSTOMER,
}


class Permission(StrEnum):
    MANAGE_PARTNERS = "manage-partners"
    MANAGE_CUSTOMERS = "manage-customers"
    MANAGE_PROJECTS = "manage-projects"
    MANAGE_USERS = "manage-users"
    MANAGE_CATALOG = "manage-catalog"
    MANAGE_RESOURCES = "manage-resources"
    READ_HOSTS = "read-hosts"
    MANAGE_PLAN = "manage-plan"  # the operator's business plan
    BILLING_REFERENCES = "billing-references"  # a buyer's Chorus Pro service and commitment
    RECORD_PAYMENTS = "record-payments"  # what an issuer was paid
    READ_COMPLIANCE = "read-compliance"  # the signed SecNumCloud report, for auditors
    MANAGE_REGISTERS = "manage-registers"  # subprocessors, legal changes, state requests


_GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_PARTNERS: frozenset({Role.OPERATOR_ADMIN}),
    Permission.MANAGE_CUSTOMERS: frozenset({Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN}),
    Permission.MANAGE_PROJECTS: frozenset(
        {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.PARTNER_USER, Role.CUSTOMER_ADMIN}
    ),
    Permission.MANAGE_USERS: frozenset(
        {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN}
    ),
    Permission.MANAGE_CATALOG: frozenset({Role.OPERATOR_ADMIN}),
    Permission.MANAGE_RESOURCES: frozenset(
        {
            Role.OPERATOR_ADMIN,
            Role.PARTNER_ADMIN,
            Role.PARTNER_USER,
            Role.CUSTOMER_ADMIN,
            Role.CUSTOMER_MEMBER,
        }
    ),
    Permission.READ_HOSTS: frozenset({Role.OPERATOR_ADMIN, Role.OPERATOR_SUPPORT}),
    Permission.MANAGE_PLAN: frozenset({Role.OPERATOR_ADMIN}),
    Permission.BILLING_REFERENCES: frozenset(
        {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN}
    ),
    Permission.RECORD_PAYMENTS: frozenset({Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN}),
    Permission.READ_COMPLIANCE: frozenset({Role.OPERATOR_ADMIN, Role.OPERATOR_SUPPORT}),
    Permission.MANAGE_REGISTERS: frozenset({Role.OPERATOR_ADMIN}),
}


@dataclass(frozen=True)
class StaffGrant:
    """A customer's approval, in force: staff see (``read``) or also act on (``operate``)
    that customer's resources until ``ends_at``."""

    id: str
    customer_id: str
    scope: str
    ends_at: datetime


@dataclass(frozen=True)
class Actor:
    """``system`` marks in-process actors (init, simulator, CLI jobs): never from a token.
    ``grants`` are the staff grants in force when the request was authenticated;
    ``project_id`` the project a token was scoped to, if any."""

    user_id: str
    username: str
    role: Role
    partner_id: str | None = None
    customer_id: str | None = None
    grants: tuple[StaffGrant, ...] = ()
    system: bool = False
    project_id: str | None = None  # the project a token is scoped to (OpenStack face)

    @property
    def org_kind(self) -> OrgKind:
        return ROLE_ORG[self.role]


def is_staff(actor: Actor) -> bool:
    """Operator staff: a separate realm that reaches customer data only under grants."""
    return actor.org_kind is OrgKind.OPERATOR and not actor.system


def tenant_scope(actor: Actor) -> Scope:
    """Tenant records (partners, customers, projects, users, counts)."""
    if actor.org_kind is OrgKind.OPERATOR:
        return Scope(everything=True)
    if actor.org_kind is OrgKind.PARTNER:
        return Scope(partner_id=actor.partner_id)
    return Scope(partner_id=actor.partner_id, customer_id=actor.customer_id)


def resource_scope(actor: Actor) -> Scope:
    """Resources inside projects (servers, keypairs, console output, usage detail): staff
    see names and counts of tenants, and a customer's resources only under its grant."""
    if is_staff(actor):
        if not actor.grants:
            return Scope(nothing=True)
        return Scope(customer_ids=frozenset(g.customer_id for g in actor.grants))
    return tenant_scope(actor)


def customer_data_scope(actor: Actor) -> Scope:
    """Records that belong to a customer when they name one (users, audit entries, policy
    decisions, findings, policies, notifications): staff see the operator's and partners'
    rows, and a customer's only under its grant; everyone else sees their tenant's."""
    if is_staff(actor):
        return Scope(customer_ids=frozenset(g.customer_id for g in actor.grants), unowned=True)
    return tenant_scope(actor)


def staff_may_write(actor: Actor, ref: TenantRef) -> bool:
    """Any write inside a customer (its users, passwords, MFA, projects) needs, for staff,
    an ``operate`` grant from that customer; writes outside customers are not fenced here."""
    if not is_staff(actor) or ref.customer_id is None:
        return True
    grant = grant_for(actor, ref.customer_id)
    return grant is not None and grant.scope == "operate"


def grant_for(actor: Actor, customer_id: str | None) -> StaffGrant | None:
    for grant in actor.grants:
        if grant.customer_id == customer_id:
            return grant
    return None


def may_change_resources(actor: Actor, ref: TenantRef) -> bool:
    """Staff change a customer's resources only under an ``operate`` grant from it."""
    if is_staff(actor):
        grant = grant_for(actor, ref.customer_id)
        return grant is not None and grant.scope == "operate"
    return allowed(actor, Permission.MANAGE_RESOURCES)


def visible(scope: Scope, ref: TenantRef) -> bool:
    if scope.nothing:
        return False
    if scope.everything:
        return True
    if scope.customer_id is not None:
        return ref.customer_id == scope.customer_id
    if scope.customer_ids is not None:
        return ref.customer_id in scope.customer_ids or (scope.unowned and not ref.customer_id)
    return scope.partner_id is not None and ref.partner_id == scope.partner_id


def allowed(actor: Actor, permission: Permission) -> bool:
    return actor.role in _GRANTS[permission]


def can_assign_role(actor: Actor, role: Role, target: TenantRef) -> bool:
    """A user may only create users at or below its own level, never a higher role."""
    if not allowed(actor, Permission.MANAGE_USERS):
        return False
    target_kind = ROLE_ORG[role]
    if actor.org_kind is OrgKind.OPERATOR:
        return True
    if actor.org_kind is OrgKind.PARTNER:
        if target_kind is OrgKind.OPERATOR:
            return False
        return target.partner_id == actor.partner_id
    return target_kind is OrgKind.CUSTOMER and target.customer_id == actor.customer_id


def on_behalf_of(actor: Actor, ref: TenantRef) -> str | None:
    """A partner (or the operator) acting inside a customer's tree does so on its behalf."""
    if actor.org_kind is OrgKind.CUSTOMER or ref.customer_id is None:
        return None
    return ref.customer_id


@dataclass(frozen=True)
class Caller:
    """The actor of one request and the request id every audit entry carries. ``reads``
    collects the customers whose data staff read under a grant during the request: the
    entry point logs one access per customer (the customer's transparency feed)."""

    actor: Actor
    request_id: str | None = None
    reads: set[TenantRef] = field(default_factory=set, compare=False)
    source: str | None = None  # the client's address, when a request made the call


REALMS = {OrgKind.OPERATOR: "staff", OrgKind.PARTNER: "partner", OrgKind.CUSTOMER: "customer"}


def realm_of(actor: Actor) -> str:
    """Which identity realm acted (SecNumCloud 9.6): the operator's staff, a partner's or
    a customer's people, or the system itself (jobs, the reconciler, the CLI on the
    server)."""
    return "system" if actor.system else REALMS[actor.org_kind]


R = TypeVar("R")


def note_reads(caller: Caller, rows: list[R]) -> list[R]:
    """Rows that name a customer (``partner_id``, ``customer_id``), read by staff under
    that customer's grant: each customer once in its feed. Returns the rows."""
    for row in rows:
        customer_id = getattr(row, "customer_id", None)
        if customer_id:
            note_read(caller, TenantRef(getattr(row, "partner_id", None), customer_id))
    return rows


def note_read(caller: Caller, ref: TenantRef) -> None:
    if is_staff(caller.actor) and grant_for(caller.actor, ref.customer_id) is not None:
        caller.reads.add(TenantRef(ref.partner_id, ref.customer_id))


def require(caller: Caller, permission: Permission) -> None:
    if not allowed(caller.actor, permission):
        raise Forbidden(f"role {caller.actor.role} may not {permission.value.replace('-', ' ')}")


def require_write(caller: Caller, ref: TenantRef) -> None:
    if not staff_may_write(caller.actor, ref):
        raise Forbidden("operator staff act inside a customer only under its operate grant")


def grant_id(caller: Caller, ref: TenantRef) -> str | None:
    """Staff act on a customer's data only under its grant: the entry names the grant."""
    grant = grant_for(caller.actor, ref.customer_id) if is_staff(caller.actor) else None
    return grant.id if grant else None
