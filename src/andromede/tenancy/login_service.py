"""Use cases of signing in: tokens, TOTP MFA, lockout after repeated failures.

Operator staff are a realm of their own: when staff MFA is required (the default for
``serve``), a staff account without an active TOTP cannot sign in at all; it is enrolled
on the server (``andromede mfa enrol``) or, where MFA is optional, by the user itself.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    AccountLocked,
    Conflict,
    Forbidden,
    LoginFailed,
    MfaRequired,
    Unauthorized,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy import store, totp
from andromede.tenancy.passwords import Passwords, hash_token, new_token
from andromede.tenancy.scope import ROLE_ORG, Actor, Caller, OrgKind, Role
from andromede.tenancy.service import TenancyService
from andromede.tenancy.store import Token, User

__all__ = ["LoginRules", "LoginService"]

ISSUER = "Andromede"


@dataclass(frozen=True)
class LoginRules:
    token_ttl: timedelta = timedelta(hours=12)
    staff_mfa_required: bool = True
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.partner_id, user.customer_id)


def _ref(user: User) -> TenantRef:
    return TenantRef(user.partner_id, user.customer_id)


class LoginService:
    def __init__(
        self, clock: Clock, passwords: Passwords, tenancy: TenancyService, rules: LoginRules
    ) -> None:
        self.clock = clock
        self.passwords = passwords
        self.tenancy = tenancy
        self.rules = rules

    def issue_token(
        self,
        session: Session,
        username: str,
        password: str,
        otp: str | None = None,
        request_id: str | None = None,
        project_id: str | None = None,
    ) -> tuple[str, Token, Actor]:
        """``project_id``: a project scope the caller already checked the user may see."""
        user = store.find_user(session, username)
        now = self.clock.now()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(
                f"too many failed logins; try again after {user.locked_until.isoformat()}"
            )
        if user is None or not self.passwords.verify(user.password_hash, password):
            raise LoginFailed(username)
        self._second_factor(user, otp)
        user.failed_logins = 0
        token = new_token()
        row = Token(
            id=new_id(),
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + self.rules.token_ttl,
            revoked_at=None,
            project_id=project_id,
        )
        session.add(row)
        actor = actor_of(user)
        self.tenancy.audit(
            session, Caller(actor, request_id), "token.issue", "token", row.id, _ref(user)
        )
        return token, row, actor

    def _second_factor(self, user: User, otp: str | None) -> None:
        if user.mfa_enabled_at is None:
            staff = ROLE_ORG[Role(user.role)] is OrgKind.OPERATOR
            if staff and self.rules.staff_mfa_required:
                raise Forbidden(
                    "operator accounts need TOTP MFA: enrol it on the server with "
                    f"`andromede mfa enrol {user.username}`"
                )
            return
        if not otp:
            raise MfaRequired("this account has MFA: give the one-time code (otp)")
        if not totp.verify(user.mfa_secret or "", otp, self.clock.now()):
            raise LoginFailed(user.username, "invalid one-time code")

    def note_failed_login(self, session: Session, username: str) -> None:
        """In its own transaction (the failed login's is rolled back): the count survives."""
        user = store.find_user(session, username)
        if user is None:
            return
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= self.rules.max_failures:
            user.failed_logins = 0
            user.locked_until = self.clock.now() + self.rules.lock_for
            system = Caller(Actor("system", "system:login", Role.OPERATOR_ADMIN, system=True))
            self.tenancy.audit(session, system, "user.lock", "user", user.id, _ref(user))

    def authenticate(self, session: Session, token: str) -> Actor:
        row = store.token_owner(session, hash_token(token))
        if row is None:
            raise Unauthorized("invalid token")
        if row.revoked_at is not None:
            raise Unauthorized("token revoked")
        if row.expires_at <= self.clock.now():
            raise Unauthorized("token expired")
        return Actor(
            row.id,
            row.username,
            Role(row.role),
            row.partner_id,
            row.customer_id,
            project_id=row.project_id,
        )

    def revoke_token(self, session: Session, caller: Caller, token: str) -> None:
        found = store.find_token(session, hash_token(token))
        if found is None:
            raise Unauthorized("invalid token")
        found[0].revoked_at = self.clock.now()
        self.tenancy.audit(session, caller, "token.revoke", "token", found[0].id, _ref(found[1]))

    # -- MFA -------------------------------------------------------------------------
    def mfa_begin(self, session: Session, caller: Caller) -> tuple[User, str]:
        """A new secret for the caller's own account, not yet in force: the user proves
        it holds it with a code (activate). Nobody enrols another user's phone."""
        user = self._own(session, caller)
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already active on this account")
        user.mfa_secret = totp.new_secret()
        self.tenancy.audit(session, caller, "user.mfa_begin", "user", user.id, _ref(user))
        return user, totp.otpauth_uri(user.mfa_secret, user.username, ISSUER)

    def mfa_activate(self, session: Session, caller: Caller, code: str) -> User:
        user = self._own(session, caller)
        if user.mfa_secret is None:
            raise Conflict("start MFA enrolment first")
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already active on this account")
        if not totp.verify(user.mfa_secret, code, self.clock.now()):
            raise ValidationFailed.one("code", "does not match the secret at this time")
        user.mfa_enabled_at = self.clock.now()
        self.tenancy.audit(session, caller, "user.mfa_enable", "user", user.id, _ref(user))
        return user

    def mfa_enrol(self, session: Session, username: str) -> tuple[User, str]:
        """On the server, by the operator (the trust root): MFA in force at once."""
        user = store.find_user(session, username)
        if user is None:
            raise ValidationFailed.one("username", f"no user {username!r}")
        user.mfa_secret = totp.new_secret()
        user.mfa_enabled_at = self.clock.now()
        system = Caller(Actor("system", "system:cli", Role.OPERATOR_ADMIN, system=True))
        self.tenancy.audit(session, system, "user.mfa_enable", "user", user.id, _ref(user))
        return user, totp.otpauth_uri(user.mfa_secret, user.username, ISSUER)

    def _own(self, session: Session, caller: Caller) -> User:
        user = session.get(User, caller.actor.user_id)
        if user is None:
            raise Unauthorized("this token has no user account")
        return user
