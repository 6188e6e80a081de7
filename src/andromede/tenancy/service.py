"""Use cases of tenancy: tokens, partners, customers, projects, users, signup.

Every function takes the session of the entry point's transaction and flushes, never
commits. Visibility comes from scope.py; a row outside the caller's scope is NotFound.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit import service as audit
from andromede.db import flush_unique, insert_unique, scoped_page, visible_one
from andromede.kernel.bounds import bounded_int
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.names import display_name
from andromede.kernel.tenants import TenantRef
from andromede.tenancy import store
from andromede.tenancy.identity import check_identity
from andromede.tenancy.password_rules import acceptable_password
from andromede.tenancy.passwords import Passwords
from andromede.tenancy.scope import (
    ROLE_ORG,
    Actor,
    Caller,
    OrgKind,
    Permission,
    Role,
    allowed,
    can_assign_role,
    customer_data_scope,
    grant_for,
    is_staff,
    note_reads,
    on_behalf_of,
    staff_may_write,
    tenant_scope,
)
from andromede.tenancy.store import Customer, Notification, Partner, Project, Token, User
from andromede.tenancy.usernames import normal_username, skeleton

__all__ = ["CustomerInput", "PartnerInput", "TenancyService"]

PARTNER_KINDS = ("reseller", "msp", "isv", "house")
PARTNER_TIERS = ("registered", "silver", "gold", "platinum", "house")
OPERATOR_ID = "operator"
QUOTA_FIELDS = ("quota_instances", "quota_cores", "quota_ram_mib", "quota_storage_gib")


@dataclass(frozen=True)
class PartnerInput:
    name: str
    kind: str
    tier: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None


@dataclass(frozen=True)
class CustomerInput:
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    public_sector: bool = False


def _require(caller: Caller, permission: Permission) -> None:
    if not allowed(caller.actor, permission):
        raise Forbidden(f"role {caller.actor.role} may not {permission.value.replace('-', ' ')}")


def _require_write(caller: Caller, ref: TenantRef) -> None:
    if not staff_may_write(caller.actor, ref):
        raise Forbidden("operator staff act inside a customer only under its operate grant")


def _grant_id(caller: Caller, ref: TenantRef) -> str | None:
    """Staff act on a customer's data only under its grant: the entry names the grant."""
    grant = grant_for(caller.actor, ref.customer_id) if is_staff(caller.actor) else None
    return grant.id if grant else None


def _name(value: str, field_name: str = "name", max_len: int = 200) -> str:
    return display_name(field_name, value or "", max_len)


class TenancyService:
    def __init__(self, clock: Clock, passwords: Passwords, staff_mfa: bool = True) -> None:
        self.clock = clock
        self.passwords = passwords
        self.staff_mfa = staff_mfa

    def _has_second_factor(self, role: Role, mfa_on: bool) -> bool:
        """Whether the account signs in with a second factor (then 8 characters do)."""
        return mfa_on or (ROLE_ORG[role] is OrgKind.OPERATOR and self.staff_mfa)

    # -- audit -----------------------------------------------------------------
    def audit(
        self,
        session: Session,
        caller: Caller,
        action: str,
        target_type: str,
        target_id: str | None,
        ref: TenantRef,
        outcome: str = "success",
    ) -> None:
        audit.record(
            session,
            at=self.clock.now(),
            actor=caller.actor.username,
            actor_id=caller.actor.user_id,
            on_behalf_of=on_behalf_of(caller.actor, ref),
            action=action,
            target_type=target_type,
            target_id=target_id,
            ref=ref,
            outcome=outcome,
            request_id=caller.request_id,
            grant_id=_grant_id(caller, ref),
        )

    # -- notifications ---------------------------------------------------------
    def notify(self, session: Session, ref: TenantRef, kind: str, message: str) -> None:
        session.add(
            Notification(
                id=new_id(),
                partner_id=ref.partner_id,
                customer_id=ref.customer_id,
                kind=kind,
                message=message[:2000],
                created_at=self.clock.now(),
            )
        )

    def list_notifications(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[Notification]:
        rows = scoped_page(
            session, Notification, customer_data_scope(caller.actor), limit=limit, marker=marker
        )
        note_reads(caller, rows)
        return rows

    # -- partners --------------------------------------------------------------
    def create_partner(self, session: Session, caller: Caller, data: PartnerInput) -> Partner:
        _require(caller, Permission.MANAGE_PARTNERS)
        identity, errors = check_identity(data.country, data.siren, data.vat_number)
        if data.kind not in PARTNER_KINDS:
            errors.append(FieldError("kind", f"must be one of {', '.join(PARTNER_KINDS)}"))
        if data.tier not in PARTNER_TIERS:
            errors.append(FieldError("tier", f"must be one of {', '.join(PARTNER_TIERS)}"))
        if errors:
            raise ValidationFailed(errors)
        partner = Partner(
            id=new_id(),
            name=_name(data.name),
            kind=data.kind,
            tier=data.tier,
            country=identity.country,
            siren=identity.siren,
            vat_number=identity.vat_number,
            address=_name(data.address, "address", 500),
            created_at=self.clock.now(),
        )
        insert_unique(session, partner, "a partner with this name already exists")
        self.audit(session, caller, "partner.create", "partner", partner.id, TenantRef(partner.id))
        return partner

    def get_partner(self, session: Session, caller: Caller, partner_id: str) -> Partner:
        scope = tenant_scope(caller.actor)
        partner = session.get(Partner, partner_id)
        if partner is None or not (scope.everything or scope.partner_id == partner.id):
            raise NotFound("partner", partner_id)
        return partner

    def list_partners(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[Partner]:
        return store.list_partners(session, tenant_scope(caller.actor), limit=limit, marker=marker)

    def partner_tiers(self, session: Session) -> dict[str, str]:
        """Partner id → program tier: the wholesale price list each partner buys at."""
        return {p.id: p.tier for p in self.all_partners(session)}

    def all_partners(self, session: Session) -> list[Partner]:
        return list(session.scalars(select(Partner)))

    def all_customers(self, session: Session) -> list[Customer]:
        return list(session.scalars(select(Customer)))

    def house_partner(self, session: Session) -> Partner:
        found = session.query(Partner).filter(Partner.kind == "house").first()
        if found is None:
            raise NotFound("partner", "house")
        return found

    # -- customers -------------------------------------------------------------
    def create_customer(
        self, session: Session, caller: Caller, partner_id: str | None, data: CustomerInput
    ) -> Customer:
        _require(caller, Permission.MANAGE_CUSTOMERS)
        partner_id = partner_id or caller.actor.partner_id
        if partner_id is None:
            raise ValidationFailed.one("partner_id", "is required")
        partner = self.get_partner(session, caller, partner_id)
        customer = self._new_customer(session, partner, data)
        ref = TenantRef(partner.id, customer.id)
        self.audit(session, caller, "customer.create", "customer", customer.id, ref)
        return customer

    def _new_customer(self, session: Session, partner: Partner, data: CustomerInput) -> Customer:
        identity, errors = check_identity(data.country, data.siren, data.vat_number)
        if errors:
            raise ValidationFailed(errors)
        customer = Customer(
            id=new_id(),
            partner_id=partner.id,
            name=_name(data.name),
            country=identity.country,
            siren=identity.siren,
            vat_number=identity.vat_number,
            address=_name(data.address, "address", 500),
            public_sector=bool(data.public_sector),
            created_at=self.clock.now(),
        )
        session.add(customer)
        session.flush()
        return customer

    def get_customer(self, session: Session, caller: Caller, customer_id: str) -> Customer:
        return visible_one(session, Customer, customer_id, tenant_scope(caller.actor), "customer")

    def require_active(self, session: Session, customer_id: str) -> None:
        """New resources only for a customer under contract (not during the notice)."""
        customer = session.get(Customer, customer_id)
        if customer is not None and customer.status != "active":
            raise Conflict(f"the customer is {customer.status}: no new resources")

    def customer_members(
        self, session: Session, customer_id: str
    ) -> tuple[list[Project], list[User]]:
        """Projects and user accounts of a customer, for its export and its erasure."""
        projects = session.scalars(
            select(Project).where(Project.customer_id == customer_id).order_by(Project.id)
        )
        users = session.scalars(
            select(User).where(User.customer_id == customer_id).order_by(User.id)
        )
        return list(projects), list(users)

    def list_customers(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        partner_id: str | None = None,
    ) -> list[Customer]:
        return scoped_page(
            session,
            Customer,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"partner_id": partner_id},
        )

    def update_customer(
        self, session: Session, caller: Caller, customer_id: str, changes: dict[str, Any]
    ) -> Customer:
        customer = self.get_customer(session, caller, customer_id)
        _require(caller, Permission.MANAGE_CUSTOMERS)
        if "name" in changes:
            customer.name = _name(changes["name"])
        if "address" in changes:
            customer.address = _name(changes["address"], "address", 500)
        if changes.get("public_sector") is not None:
            customer.public_sector = bool(changes["public_sector"])
        self.audit(
            session,
            caller,
            "customer.update",
            "customer",
            customer.id,
            TenantRef(customer.partner_id, customer.id),
        )
        return customer

    def delete_customer(self, session: Session, caller: Caller, customer_id: str) -> None:
        customer = self.get_customer(session, caller, customer_id)
        _require(caller, Permission.MANAGE_CUSTOMERS)
        if store.count_by(session, Project, "customer_id", customer.id):
            raise Conflict("customer still has projects")
        if store.count_by(session, User, "customer_id", customer.id):
            raise Conflict("customer still has users")
        session.delete(customer)
        self.audit(
            session,
            caller,
            "customer.delete",
            "customer",
            customer.id,
            TenantRef(customer.partner_id, customer.id),
        )

    def customer_counts(self, session: Session, customer_id: str) -> dict[str, int]:
        return {
            "projects": store.count_by(session, Project, "customer_id", customer_id),
            "users": store.count_by(session, User, "customer_id", customer_id),
        }

    # -- projects --------------------------------------------------------------
    def create_project(
        self, session: Session, caller: Caller, customer_id: str | None, name: str
    ) -> Project:
        customer_id = customer_id or caller.actor.customer_id
        if customer_id is None:
            raise ValidationFailed.one("customer_id", "is required")
        customer = self.get_customer(session, caller, customer_id)
        _require(caller, Permission.MANAGE_PROJECTS)
        _require_write(caller, TenantRef(customer.partner_id, customer.id))
        project = self._new_project(session, customer, name)
        self.audit(session, caller, "project.create", "project", project.id, project_ref(project))
        return project

    def _new_project(self, session: Session, customer: Customer, name: str) -> Project:
        project = Project(
            id=new_id(),
            partner_id=customer.partner_id,
            customer_id=customer.id,
            name=_name(name, max_len=100),
            created_at=self.clock.now(),
        )
        insert_unique(session, project, "this customer already has a project with this name")
        return project

    def get_project(
        self, session: Session, caller: Caller, project_id: str, *, lock: bool = False
    ) -> Project:
        scope = tenant_scope(caller.actor)
        return visible_one(session, Project, project_id, scope, "project", lock=lock)

    def list_projects(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        customer_id: str | None = None,
    ) -> list[Project]:
        return scoped_page(
            session,
            Project,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"customer_id": customer_id},
        )

    def update_project(
        self, session: Session, caller: Caller, project_id: str, changes: dict[str, Any]
    ) -> Project:
        project = self.get_project(session, caller, project_id)
        _require(caller, Permission.MANAGE_PROJECTS)
        if set(changes) - set(QUOTA_FIELDS):  # quotas are capacity, set without a grant
            _require_write(caller, project_ref(project))
        if "name" in changes:
            project.name = _name(changes["name"], max_len=100)
        for quota in QUOTA_FIELDS:
            if quota in changes:
                value = changes[quota]
                if value is not None:
                    value = bounded_int(quota, value)
                if caller.actor.org_kind is OrgKind.CUSTOMER:
                    raise Forbidden("quotas are set by the partner or the operator")
                setattr(project, quota, value)
        flush_unique(session, "this customer already has a project with this name")
        self.audit(session, caller, "project.update", "project", project.id, project_ref(project))
        return project

    def delete_project(
        self, session: Session, caller: Caller, project_id: str, resources: int
    ) -> None:
        """``resources`` counts what still lives in the project; the caller (compute) knows."""
        project = self.get_project(session, caller, project_id)
        _require(caller, Permission.MANAGE_PROJECTS)
        _require_write(caller, project_ref(project))
        if resources:
            raise Conflict(f"project still holds {resources} resources")
        session.delete(project)
        self.audit(session, caller, "project.delete", "project", project.id, project_ref(project))

    # -- users -----------------------------------------------------------------
    def create_user(
        self,
        session: Session,
        caller: Caller,
        *,
        username: str,
        password: str,
        role: str,
        org_id: str | None,
    ) -> User:
        try:
            role_value = Role(role)
        except ValueError:
            raise ValidationFailed.one(
                "role", f"must be one of {', '.join(r.value for r in Role)}"
            ) from None
        ref = self._org_ref(session, caller, role_value, org_id)
        if not can_assign_role(caller.actor, role_value, ref):
            raise Forbidden(f"role {caller.actor.role} may not create a {role_value} user here")
        _require_write(caller, ref)
        user = self._new_user(session, username, password, role_value, ref)
        self.audit(session, caller, "user.create", "user", user.id, ref)
        return user

    def _org_ref(
        self, session: Session, caller: Caller, role: Role, org_id: str | None
    ) -> TenantRef:
        kind = {
            "operator": OrgKind.OPERATOR,
            "partner": OrgKind.PARTNER,
            "customer": OrgKind.CUSTOMER,
        }[role.value.split("-")[0]]
        if kind is OrgKind.OPERATOR:
            return TenantRef()
        if kind is OrgKind.PARTNER:
            partner = self.get_partner(session, caller, org_id or caller.actor.partner_id or "")
            return TenantRef(partner.id)
        customer = self.get_customer(session, caller, org_id or caller.actor.customer_id or "")
        return TenantRef(customer.partner_id, customer.id)

    def _new_user(
        self, session: Session, username: str, password: str, role: Role, ref: TenantRef
    ) -> User:
        username = normal_username(username)
        password = acceptable_password(
            password, username=username, second_factor=self._has_second_factor(role, False)
        )
        look_alike = skeleton(username)
        if store.skeleton_taken(session, look_alike):
            raise Conflict("username already taken, or too like one that is")
        user = User(
            id=new_id(),
            username=username,
            username_skeleton=look_alike,
            password_hash=self.passwords.hash(password),
            role=role.value,
            org_kind=role.value.split("-")[0],
            org_id=ref.customer_id or ref.partner_id or OPERATOR_ID,
            partner_id=ref.partner_id,
            customer_id=ref.customer_id,
            created_at=self.clock.now(),
        )
        insert_unique(session, user, "username already taken")
        return user

    def get_user(self, session: Session, caller: Caller, user_id: str) -> User:
        """A customer's accounts are its data: staff see them only under its grant."""
        user = visible_one(session, User, user_id, customer_data_scope(caller.actor), "user")
        note_reads(caller, [user])
        return user

    def list_users(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[User]:
        scope = customer_data_scope(caller.actor)
        rows = scoped_page(session, User, scope, limit=limit, marker=marker)
        note_reads(caller, rows)
        return rows

    def update_user(
        self, session: Session, caller: Caller, user_id: str, changes: dict[str, Any]
    ) -> User:
        user = self.get_user(session, caller, user_id)
        ref = TenantRef(user.partner_id, user.customer_id)
        own = user.id == caller.actor.user_id
        if not own and not can_assign_role(caller.actor, Role(user.role), ref):
            raise Forbidden("you may not change this user")
        if not own:
            _require_write(caller, ref)
        if "password" in changes:
            mfa = self._has_second_factor(Role(user.role), user.mfa_enabled_at is not None)
            password = acceptable_password(
                changes["password"], username=user.username, second_factor=mfa
            )
            user.password_hash = self.passwords.hash(password)
            self.end_sessions(session, user.id)
            action = "user.password_change" if own else "user.credentials_reset"
            self.audit(session, caller, action, "user", user.id, ref)
        self.audit(session, caller, "user.update", "user", user.id, ref)
        return user

    def end_sessions(self, session: Session, user_id: str) -> None:
        """After a credential change every token of the user stops working at once (the
        one making the change too, if it is the user's own: they sign in again)."""
        store.revoke_tokens(session, user_id, self.clock.now())

    def delete_user(self, session: Session, caller: Caller, user_id: str) -> None:
        user = self.get_user(session, caller, user_id)
        ref = TenantRef(user.partner_id, user.customer_id)
        if user.id == caller.actor.user_id:
            raise Conflict("you cannot delete yourself")
        if not can_assign_role(caller.actor, Role(user.role), ref):
            raise Forbidden("you may not delete this user")
        _require_write(caller, ref)
        session.query(Token).filter(Token.user_id == user.id).delete()
        session.delete(user)
        self.audit(session, caller, "user.delete", "user", user.id, ref)

    def ensure_admin(self, session: Session, password: str) -> User:
        """The operator's first administrator, created by ``init`` and ``demo``."""
        existing = store.find_user(session, "admin")
        if existing is not None:
            return existing
        admin = self._new_user(session, "admin", password, Role.OPERATOR_ADMIN, TenantRef())
        system = Caller(Actor("system", "system:init", Role.OPERATOR_ADMIN, system=True))
        self.audit(session, system, "user.create", "user", admin.id, TenantRef())
        return admin

    # -- direct web channel ----------------------------------------------------
    def signup(
        self,
        session: Session,
        data: CustomerInput,
        *,
        username: str,
        password: str,
        project_name: str,
        request_id: str | None,
    ) -> tuple[Customer, Project, User]:
        """A developer's company joins by itself under the house partner, at list price.
        One request, one audit entry: the signup, naming the new customer."""
        if data.public_sector:
            raise ValidationFailed.one(
                "company.public_sector", "is set by the partner or the operator, not at signup"
            )
        house = self.house_partner(session)
        identity, _ = check_identity(data.country, data.siren, data.vat_number)
        if store.business_exists(session, identity.siren, identity.vat_number):
            raise Conflict(
                "this business is already a customer: ask its administrator for an account"
            )
        customer = self._new_customer(session, house, data)
        project = self._new_project(session, customer, project_name)
        ref = TenantRef(house.id, customer.id)
        user = self._new_user(session, username, password, Role.CUSTOMER_ADMIN, ref)
        new_admin = Actor(user.id, user.username, Role.CUSTOMER_ADMIN, house.id, customer.id)
        self.audit(session, Caller(new_admin, request_id), "signup", "customer", customer.id, ref)
        return customer, project, user


def project_ref(project: Project) -> TenantRef:
    return TenantRef(project.partner_id, project.customer_id, project.id)
