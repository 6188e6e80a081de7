"""Use cases of tenancy: partners, customers, projects, notifications, the audit entry
of every change (users and signup are in ``user_service``).

Every function takes the session of the entry point's transaction and flushes, never
commits. Visibility comes from scope.py; a row outside the caller's scope is NotFound.
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
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
from andromede.tenancy.inputs import PARTNER_KINDS, PARTNER_TIERS, CustomerInput, PartnerInput
from andromede.tenancy.invoicing_fields import check_prefix, chorus_fields, default_prefix
from andromede.tenancy.passwords import Passwords
from andromede.tenancy.scope import (
    Caller,
    OrgKind,
    Permission,
    Role,
    customer_data_scope,
    grant_id,
    note_reads,
    on_behalf_of,
    realm_of,
    require,
    require_write,
    tenant_scope,
)
from andromede.tenancy.store import Customer, Notification, Partner, Project, User

__all__ = [
    "OPERATOR_ID",
    "Customer",
    "CustomerInput",
    "Notification",
    "Partner",
    "PartnerInput",
    "Project",
    "TenancyService",
    "User",
    "project_ref",
    "require_write",
]

OPERATOR_ID = "operator"
PARTNER_BILLING_FIELDS = frozenset({"invoice_prefix", "vat_on_debits"})
BILLING_REFERENCES = ("service_code", "commitment_number")
CHORUS_FIELDS = frozenset({"siret", *BILLING_REFERENCES})
CHORUS_RULES = frozenset({"requires_service_code", "requires_commitment_number"})
QUOTA_FIELDS = ("quota_instances", "quota_cores", "quota_ram_mib", "quota_storage_gib")


def _name(value: str, field_name: str = "name", max_len: int = 200) -> str:
    return display_name(field_name, value or "", max_len)


class TenancyService:
    def __init__(self, clock: Clock, passwords: Passwords, staff_mfa: bool = True) -> None:
        self.clock = clock
        self.passwords = passwords
        self.staff_mfa = staff_mfa

    # -- audit -----------------------------------------------------------------
    def audit(
        self,
        session: Session,
        caller: Caller,
        action: AuditAction,
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
            grant_id=grant_id(caller, ref),
            realm=realm_of(caller.actor),
            source=caller.source,
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
        require(caller, Permission.MANAGE_PARTNERS)
        identity, errors = check_identity(data.country, data.siren, data.vat_number)
        if data.kind not in PARTNER_KINDS:
            errors.append(FieldError("kind", f"must be one of {', '.join(PARTNER_KINDS)}"))
        if data.tier not in PARTNER_TIERS:
            errors.append(FieldError("tier", f"must be one of {', '.join(PARTNER_TIERS)}"))
        if data.invoice_prefix is not None:
            errors.extend(check_prefix(data.invoice_prefix))
        if errors:
            raise ValidationFailed(errors)
        partner_id = new_id()
        partner = Partner(
            id=partner_id,
            name=_name(data.name),
            kind=data.kind,
            tier=data.tier,
            country=identity.country,
            siren=identity.siren,
            vat_number=identity.vat_number,
            address=_name(data.address, "address", 500),
            created_at=self.clock.now(),
            invoice_prefix=data.invoice_prefix or default_prefix(partner_id),
            vat_on_debits=data.vat_on_debits,
        )
        if data.billing_mandate_accepted_on is not None:
            self._record_mandate(partner, data.billing_mandate_accepted_on, caller)
        insert_unique(session, partner, "a partner with this name or invoice prefix exists")
        self.audit(
            session,
            caller,
            AuditAction.PARTNER_CREATE,
            "partner",
            partner.id,
            TenantRef(partner.id),
        )
        return partner

    def update_partner(
        self, session: Session, caller: Caller, partner_id: str, changes: dict[str, Any]
    ) -> Partner:
        """The operator moves a partner up or down the programme (its tier: the wholesale
        price list it buys at from now on), changes its kind or address; the partner's
        admin sets how its invoices are numbered and taxed. Identity stays."""
        partner = self.get_partner(session, caller, partner_id)
        if set(changes) - PARTNER_BILLING_FIELDS:
            require(caller, Permission.MANAGE_PARTNERS)
        elif caller.actor.role not in (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN):
            raise Forbidden("the partner's admin or the operator sets its invoicing")
        errors = []
        for field, allowed in (("kind", PARTNER_KINDS), ("tier", PARTNER_TIERS)):
            value = changes.get(field)
            if value is not None and value not in allowed:
                errors.append(FieldError(field, f"must be one of {', '.join(allowed)}"))
            elif value is not None:
                setattr(partner, field, value)
        prefix = changes.get("invoice_prefix")
        if prefix is not None:
            errors.extend(check_prefix(prefix))
        if errors:
            raise ValidationFailed(errors)
        if prefix is not None and prefix != partner.invoice_prefix:
            if store.prefix_taken(session, prefix, partner.id):
                raise Conflict(f"the invoice prefix {prefix} is another partner's")
            partner.invoice_prefix = prefix
        if changes.get("vat_on_debits") is not None:
            partner.vat_on_debits = bool(changes["vat_on_debits"])
        if changes.get("address") is not None:
            partner.address = _name(changes["address"], "address", 500)
        self.audit(
            session,
            caller,
            AuditAction.PARTNER_UPDATE,
            "partner",
            partner.id,
            TenantRef(partner.id),
        )
        return partner

    def accept_mandate(
        self, session: Session, caller: Caller, partner_id: str, accepted_on: date | None
    ) -> Partner:
        """The billing mandate: the partner lets the operator issue its customers'
        invoices in its name and on its behalf. Its admin accepts it (today), or the
        operator records the date the partner signed it. Resale invoices wait for it."""
        partner = self.get_partner(session, caller, partner_id)
        if caller.actor.role not in (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN):
            raise Forbidden("the partner's admin accepts the mandate")
        today = self.clock.now().date()
        if accepted_on is not None and caller.actor.role is not Role.OPERATOR_ADMIN:
            raise ValidationFailed.one("accepted_on", "only the operator records a past date")
        when = accepted_on or today
        if when > today:
            raise ValidationFailed.one("accepted_on", "cannot be in the future")
        self._record_mandate(partner, when, caller)
        self.audit(
            session,
            caller,
            AuditAction.PARTNER_MANDATE,
            "partner",
            partner.id,
            TenantRef(partner.id),
        )
        return partner

    @staticmethod
    def _record_mandate(partner: Partner, accepted_on: date, caller: Caller) -> None:
        partner.mandate_accepted_on = accepted_on
        partner.mandate_recorded_by = caller.actor.username

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

    def customers_per_partner(self, session: Session) -> dict[str, int]:
        """Counts only: what staff may know of each partner's book without a grant."""
        return store.customers_per_partner(session)

    def partner_tiers(self, session: Session) -> dict[str, str]:
        """Partner id → program tier: the wholesale price list each partner buys at."""
        return {p.id: p.tier for p in self.all_partners(session)}

    def all_partners(self, session: Session) -> list[Partner]:
        return list(session.scalars(select(Partner)))

    def all_customers(
        self, session: Session, partners: Collection[str] | None = None
    ) -> list[Customer]:
        """Every customer (of ``partners`` only, if given)."""
        query = select(Customer)
        if partners is not None:
            query = query.where(Customer.partner_id.in_(sorted(partners)))
        return list(session.scalars(query))

    def house_partner(self, session: Session) -> Partner:
        found = session.query(Partner).filter(Partner.kind == "house").first()
        if found is None:
            raise NotFound("partner", "house")
        return found

    # -- customers -------------------------------------------------------------
    def create_customer(
        self, session: Session, caller: Caller, partner_id: str | None, data: CustomerInput
    ) -> Customer:
        require(caller, Permission.MANAGE_CUSTOMERS)
        partner_id = partner_id or caller.actor.partner_id
        if partner_id is None:
            raise ValidationFailed.one("partner_id", "is required")
        partner = self.get_partner(session, caller, partner_id)
        customer = self.new_customer(session, partner, data)
        ref = TenantRef(partner.id, customer.id)
        self.audit(session, caller, AuditAction.CUSTOMER_CREATE, "customer", customer.id, ref)
        return customer

    def new_customer(self, session: Session, partner: Partner, data: CustomerInput) -> Customer:
        identity, errors = check_identity(data.country, data.siren, data.vat_number)
        chorus = {
            "siret": data.siret,
            "service_code": data.service_code,
            "commitment_number": data.commitment_number,
        }
        checked, more = chorus_fields(chorus, identity.siren)
        if errors or more:
            raise ValidationFailed([*errors, *more])
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
            requires_service_code=data.requires_service_code,
            requires_commitment_number=data.requires_commitment_number,
            **checked,
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

    def erase_customer_records(self, session: Session, customer_id: str) -> dict[str, list[str]]:
        """Erasure (SecNumCloud 19.4): the customer's notifications and webhook deleted;
        its projects keep their row, the key of the usage and invoices kept by law, with
        their name and quotas gone."""
        notes = store.delete_customer_notifications(session, customer_id)
        hooks = store.delete_customer_webhooks(session, customer_id)
        projects, _ = self.customer_members(session, customer_id)
        for project in projects:
            project.name = f"erased-{project.id}"
            project.quota_instances = project.quota_cores = None
            project.quota_ram_mib = project.quota_storage_gib = None
        return {
            "notifications": notes,
            "webhooks": hooks,
            "projects": [p.id for p in projects],
        }

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
        """The partner (or the operator) edits the customer; the customer's admin may fill
        in the Chorus Pro references its invoices need (SIRET, service, commitment)."""
        customer = self.get_customer(session, caller, customer_id)
        if set(changes) - CHORUS_FIELDS:
            require(caller, Permission.MANAGE_CUSTOMERS)
        else:
            require(caller, Permission.BILLING_REFERENCES)
        chorus = {k: v for k, v in changes.items() if k in CHORUS_FIELDS}
        checked, errors = chorus_fields(chorus, customer.siren)
        if errors:
            raise ValidationFailed(errors)
        for field, value in checked.items():
            setattr(customer, field, value)
        for field in CHORUS_RULES:
            if changes.get(field) is not None:
                setattr(customer, field, bool(changes[field]))
        if "name" in changes:
            customer.name = _name(changes["name"])
        if "address" in changes:
            customer.address = _name(changes["address"], "address", 500)
        if changes.get("public_sector") is not None:
            customer.public_sector = bool(changes["public_sector"])
        self.audit(
            session,
            caller,
            AuditAction.CUSTOMER_UPDATE,
            "customer",
            customer.id,
            TenantRef(customer.partner_id, customer.id),
        )
        return customer

    def delete_customer(self, session: Session, caller: Caller, customer_id: str) -> None:
        customer = self.get_customer(session, caller, customer_id)
        require(caller, Permission.MANAGE_CUSTOMERS)
        if store.count_by(session, Project, "customer_id", customer.id):
            raise Conflict("customer still has projects")
        if store.count_by(session, User, "customer_id", customer.id):
            raise Conflict("customer still has users")
        session.delete(customer)
        self.audit(
            session,
            caller,
            AuditAction.CUSTOMER_DELETE,
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
        require(caller, Permission.MANAGE_PROJECTS)
        require_write(caller, TenantRef(customer.partner_id, customer.id))
        project = self.new_project(session, customer, name)
        self.audit(
            session, caller, AuditAction.PROJECT_CREATE, "project", project.id, project_ref(project)
        )
        return project

    def new_project(self, session: Session, customer: Customer, name: str) -> Project:
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
        require(caller, Permission.MANAGE_PROJECTS)
        if set(changes) - set(QUOTA_FIELDS):  # quotas are capacity, set without a grant
            require_write(caller, project_ref(project))
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
        self.audit(
            session, caller, AuditAction.PROJECT_UPDATE, "project", project.id, project_ref(project)
        )
        return project

    def delete_project(
        self, session: Session, caller: Caller, project_id: str, resources: int
    ) -> None:
        """``resources`` counts what still lives in the project; the caller (compute) knows."""
        project = self.get_project(session, caller, project_id)
        require(caller, Permission.MANAGE_PROJECTS)
        require_write(caller, project_ref(project))
        if resources:
            raise Conflict(f"project still holds {resources} resources")
        session.delete(project)
        self.audit(
            session, caller, AuditAction.PROJECT_DELETE, "project", project.id, project_ref(project)
        )

    def end_sessions(self, session: Session, user_id: str) -> None:
        """After a credential change every token of the user stops working at once (the
        one making the change too, if it is the user's own: they sign in again)."""
        store.revoke_tokens(session, user_id, self.clock.now())


def project_ref(project: Project) -> TenantRef:
    return TenantRef(project.partner_id, project.customer_id, project.id)
