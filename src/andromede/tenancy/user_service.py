"""Use cases of users: accounts in an organisation (roles a caller may assign), their
credentials, and the direct web channel's signup (a business, its project and its first
administrator in one request). A customer's accounts are its data: staff see them only
under its grant."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.db import insert_unique, scoped_page, visible_one
from andromede.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy import store
from andromede.tenancy.duties import incompatible_with, person_key, person_required
from andromede.tenancy.identity import check_identity
from andromede.tenancy.password_rules import acceptable_password
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
    note_reads,
)
from andromede.tenancy.service import (
    OPERATOR_ID,
    Customer,
    CustomerInput,
    Project,
    TenancyService,
    User,
    require_write,
)
from andromede.tenancy.usernames import looks_shared, normal_username, skeleton
from andromede.tenancy.vetting import PRIVILEGED, Vetting, vetting_errors

__all__ = ["User", "UserService"]


class UserService:
    def __init__(self, tenancy: TenancyService) -> None:
        self.tenancy = tenancy

    def _has_second_factor(self, role: Role, mfa_on: bool) -> bool:
        """Whether the account signs in with a second factor (then 8 characters do)."""
        return mfa_on or (ROLE_ORG[role] is OrgKind.OPERATOR and self.tenancy.staff_mfa)

    def create_user(
        self,
        session: Session,
        caller: Caller,
        *,
        username: str,
        password: str,
        role: str,
        org_id: str | None,
        vetting: Vetting | None = None,
        person: str | None = None,
    ) -> User:
        """A privileged role is granted only with a vetting on record (SecNumCloud 7.1.b):
        an operator administrator is created with its enhanced vetting, by another one.
        ``person``: who the account belongs to; one person's roles must go together."""
        try:
            role_value = Role(role)
        except ValueError:
            raise ValidationFailed.one(
                "role", f"must be one of {', '.join(r.value for r in Role)}"
            ) from None
        ref = self._org_ref(session, caller, role_value, org_id)
        if not can_assign_role(caller.actor, role_value, ref):
            raise Forbidden(f"role {caller.actor.role} may not create a {role_value} user here")
        require_write(caller, ref)
        if role_value is Role.OPERATOR_ADMIN and (vetting is None or vetting.level != PRIVILEGED):
            raise ValidationFailed.one(
                "vetting",
                f"an operator administrator is created with a {PRIVILEGED} vetting on record",
            )
        key = self._person(session, role_value, person)
        if key is None and person_required(caller.actor.role, role_value):
            raise ValidationFailed.one(
                "person",
                "every account of the operator's staff, or made by them, names its person "
                "(an employee number, an e-mail)",
            )
        user = self._new_user(session, username, password, role_value, ref)
        user.person = key
        self.tenancy.audit(session, caller, AuditAction.USER_CREATE, "user", user.id, ref)
        if vetting is not None:
            self._record_vetting(session, caller, user, vetting)
        return user

    @staticmethod
    def _person(session: Session, role: Role, person: str | None) -> str | None:
        """The person's key, once their other accounts' roles are found to go with
        ``role`` (SecNumCloud 9.3: separation of duties)."""
        key = person_key(person)
        if key is not None and len(key) > 200:
            raise ValidationFailed.one("person", "at most 200 characters")
        held = [Role(r) for r in store.roles_of_person(session, key)] if key else []
        clash = incompatible_with(role, held)
        if clash is not None:
            raise Conflict(
                f"separation of duties: this person holds a {clash} account, which does "
                f"not go with {role}"
            )
        return key

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
            partner = self.tenancy.get_partner(
                session, caller, org_id or caller.actor.partner_id or ""
            )
            return TenantRef(partner.id)
        customer = self.tenancy.get_customer(
            session, caller, org_id or caller.actor.customer_id or ""
        )
        return TenantRef(customer.partner_id, customer.id)

    def _new_user(
        self, session: Session, username: str, password: str, role: Role, ref: TenantRef
    ) -> User:
        username = normal_username(username)
        if ROLE_ORG[role] is OrgKind.OPERATOR and looks_shared(username):
            raise ValidationFailed.one(
                "username",
                "names a role or a team: operator staff have accounts named for one person",
            )
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
            password_hash=self.tenancy.passwords.hash(password),
            role=role.value,
            org_kind=role.value.split("-")[0],
            org_id=ref.customer_id or ref.partner_id or OPERATOR_ID,
            partner_id=ref.partner_id,
            customer_id=ref.customer_id,
            created_at=self.tenancy.clock.now(),
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

    def vet(
        self,
        session: Session,
        caller: Caller,
        user_id: str,
        level: str,
        until: datetime,
        office_country: str,
    ) -> User:
        """Record a staff member's vetting (an operator administrator, never their own;
        the system for the first administrator)."""
        if caller.actor.org_kind is not OrgKind.OPERATOR or not (
            caller.actor.system or allowed(caller.actor, Permission.MANAGE_USERS)
        ):
            raise Forbidden("operator administrators record staff vetting")
        user = self.get_user(session, caller, user_id)
        if user.id == caller.actor.user_id and not caller.actor.system:
            raise Forbidden("nobody records their own vetting")
        self._record_vetting(session, caller, user, Vetting(level, until, office_country))
        return user

    def _record_vetting(
        self, session: Session, caller: Caller, user: User, vetting: Vetting
    ) -> None:
        if user.org_kind != OrgKind.OPERATOR.value:
            raise ValidationFailed.one("vetting", "is for operator staff")
        now = self.tenancy.clock.now()
        errors = vetting_errors(vetting.level, vetting.until, vetting.office_country, now)
        if errors:
            raise ValidationFailed(errors)
        user.vetting_level, user.vetted_until = vetting.level, vetting.until
        user.office_country = vetting.office_country.upper()
        self.tenancy.audit(session, caller, AuditAction.USER_VET, "user", user.id, TenantRef())

    def find_by_username(self, session: Session, username: str) -> User:
        user = store.find_user(session, username)
        if user is None:
            raise NotFound("user", username)
        return user

    def vetting_of(
        self, session: Session, user_id: str
    ) -> tuple[str | None, datetime | None, str | None]:
        """(level, until, office country) of a staff member."""
        columns = (User.vetting_level, User.vetted_until, User.office_country)
        found = session.execute(select(*columns).where(User.id == user_id)).first()
        return (found[0], found[1], found[2]) if found else (None, None, None)

    def users_over(self, session: Session, ref: TenantRef) -> list[User]:
        """Every account that could reach a customer's resources: the operator's staff,
        its partner's people and its own (the rights inventory filters by rule)."""
        query = select(User).where(
            (User.org_kind == "operator")
            | ((User.partner_id == ref.partner_id) & User.customer_id.is_(None))
            | (User.customer_id == ref.customer_id)
        )
        return list(session.scalars(query.order_by(User.username)))

    def update_user(
        self, session: Session, caller: Caller, user_id: str, changes: dict[str, Any]
    ) -> User:
        user = self.get_user(session, caller, user_id)
        ref = TenantRef(user.partner_id, user.customer_id)
        own = user.id == caller.actor.user_id
        if not own and not can_assign_role(caller.actor, Role(user.role), ref):
            raise Forbidden("you may not change this user")
        if not own:
            require_write(caller, ref)
        if "password" in changes:
            mfa = self._has_second_factor(Role(user.role), user.mfa_enabled_at is not None)
            password = acceptable_password(
                changes["password"], username=user.username, second_factor=mfa
            )
            user.password_hash = self.tenancy.passwords.hash(password)
            self.tenancy.end_sessions(session, user.id)
            action = AuditAction.USER_PASSWORD_CHANGE if own else AuditAction.USER_CREDENTIALS_RESET
            self.tenancy.audit(session, caller, action, "user", user.id, ref)
        if "person" in changes:
            self._name_person(session, user, own, changes["person"])
        self.tenancy.audit(session, caller, AuditAction.USER_UPDATE, "user", user.id, ref)
        return user

    def _name_person(self, session: Session, user: User, own: bool, person: object) -> None:
        """An account's person, named once by whoever manages it (an upgraded deployment's
        staff accounts): never by the account itself, never renamed, so nobody steps out
        of the separation of duties by changing who they are."""
        if own:
            raise Forbidden("an account's person is named by whoever manages it")
        if user.person is not None:
            raise Conflict("the account names its person already")
        key = self._person(session, Role(user.role), person if isinstance(person, str) else None)
        if key is None:
            raise ValidationFailed.one("person", "name the person (an employee number, an e-mail)")
        user.person = key

    def delete_user(self, session: Session, caller: Caller, user_id: str) -> None:
        user = self.get_user(session, caller, user_id)
        ref = TenantRef(user.partner_id, user.customer_id)
        if user.id == caller.actor.user_id:
            raise Conflict("you cannot delete yourself")
        if not can_assign_role(caller.actor, Role(user.role), ref):
            raise Forbidden("you may not delete this user")
        require_write(caller, ref)
        store.delete_tokens(session, user.id)
        session.delete(user)
        self.tenancy.audit(session, caller, AuditAction.USER_DELETE, "user", user.id, ref)

    def ensure_admin(self, session: Session, username: str, password: str) -> User:
        """The operator's first administrator, created by ``init`` and ``demo``: a named
        person (SecNumCloud 9.2.b), unvetted until ``andromede staff vet`` records it; a
        deployment that has an administrator keeps it."""
        existing = store.first_operator_admin(session)
        if existing is not None:
            return existing
        if not username:
            raise ValidationFailed.one(
                "admin_username",
                "name the first operator administrator, a person (ANDROMEDE_ADMIN_USERNAME)",
            )
        admin = self._new_user(session, username, password, Role.OPERATOR_ADMIN, TenantRef())
        admin.person = person_key(username)  # a person's name (SecNumCloud 9.2.b)
        system = Caller(Actor("system", "system:init", Role.OPERATOR_ADMIN, system=True))
        self.tenancy.audit(session, system, AuditAction.USER_CREATE, "user", admin.id, TenantRef())
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
        house = self.tenancy.house_partner(session)
        identity, _ = check_identity(data.country, data.siren, data.vat_number)
        if store.business_exists(session, identity.siren, identity.vat_number):
            raise Conflict(
                "this business is already a customer: ask its administrator for an account"
            )
        customer = self.tenancy.new_customer(session, house, data)
        project = self.tenancy.new_project(session, customer, project_name)
        ref = TenantRef(house.id, customer.id)
        user = self._new_user(session, username, password, Role.CUSTOMER_ADMIN, ref)
        new_admin = Actor(user.id, user.username, Role.CUSTOMER_ADMIN, house.id, customer.id)
        self.tenancy.audit(
            session, Caller(new_admin, request_id), AuditAction.SIGNUP, "customer", customer.id, ref
        )
        return customer, project, user
