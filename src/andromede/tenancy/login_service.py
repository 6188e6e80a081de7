"""Use cases of signing in: tokens, TOTP MFA, lockout after repeated failures.

Operator staff are a realm of their own: when staff MFA is required (the default for
``serve``), a staff account without an active TOTP cannot sign in at all; it is enrolled
on the server (``andromede mfa enrol``) or, where MFA is optional, by the user itself.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    AccountLocked,
    Conflict,
    Forbidden,
    LoginFailed,
    MfaRequired,
    Throttled,
    Unauthorized,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy import store, totp
from andromede.tenancy.password_rules import acceptable_password, normal
from andromede.tenancy.passwords import Passwords, hash_token, new_token
from andromede.tenancy.scope import ROLE_ORG, Actor, Caller, OrgKind, Role
from andromede.tenancy.secret_box import SecretBox
from andromede.tenancy.service import TenancyService
from andromede.tenancy.store import Token, User
from andromede.tenancy.throttle import Window, retry_after
from andromede.tenancy.usernames import lookup_form

__all__ = ["LoginRules", "LoginService"]

ISSUER = "Andromede"


PER_SOURCE = Window(60, timedelta(minutes=1))
PER_ACCOUNT = Window(20, timedelta(minutes=1))
SIGNUPS = Window(10, timedelta(hours=1))
CODES = Window(10, timedelta(minutes=5))


@dataclass(frozen=True)
class LoginRules:
    """How sign-ins are bounded. A lockout is per account *and source address*: a stranger
    who guesses from one address locks the account for that address only, never for its
    owner elsewhere; guessing from many addresses is bounded by the per-account window,
    which refuses for a minute at most (429), never for good."""

    token_ttl: timedelta = timedelta(hours=12)
    web_ttl: timedelta = timedelta(hours=8)  # a console sign-in, however busy
    web_idle: timedelta = timedelta(minutes=30)  # a console left alone
    staff_mfa_required: bool = True
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    per_source: Window = PER_SOURCE
    per_account: Window = PER_ACCOUNT
    signups: Window = SIGNUPS
    codes: Window = CODES


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, Role(user.role), user.partner_id, user.customer_id)


def _ref(user: User) -> TenantRef:
    return TenantRef(user.partner_id, user.customer_id)


def _key(kind: str, *parts: str) -> str:
    """Counter keys hold digests, not what a client typed: bounded, and no usernames
    (which could be another customer's) sit in the table in clear."""
    return f"{kind}:{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:40]}"


def _lock_key(username: str, source: str) -> str:
    return _key("lock", username, source)


class LoginService:
    def __init__(
        self,
        clock: Clock,
        passwords: Passwords,
        tenancy: TenancyService,
        rules: LoginRules,
        secrets: SecretBox,
    ) -> None:
        self.clock = clock
        self.passwords = passwords
        self.tenancy = tenancy
        self.rules = rules
        self.secrets = secrets

    # -- bounding tries -----------------------------------------------------------------
    def _count(self, session: Session, key: str, window: Window, what: str) -> None:
        now = self.clock.now()
        count, started = store.bump(session, key, now, window.period)
        wait = retry_after(count, started, now, window)
        if wait is not None:
            raise Throttled(f"too many {what}; try again in {wait} s", wait)

    def admit(self, session: Session, username: str, source: str) -> None:
        """Before any password is checked, in a transaction of its own that commits: this
        try is counted (per source, per account, and toward the lockout of this account
        from this source), so parallel guesses check at most the allowed number."""
        name = lookup_form(username)
        self._count(session, _key("login-src", source), self.rules.per_source, "sign-ins here")
        self._count(session, _key("login-acct", name), self.rules.per_account, "sign-ins")
        now = self.clock.now()
        window = Window(self.rules.max_failures, self.rules.lock_for)
        key = _lock_key(name, source)
        count, started = store.bump(session, key, now, window.period, self.rules.max_failures)
        wait = retry_after(count, started, now, window)
        if wait is not None:
            until = (started + window.period).isoformat()
            raise AccountLocked(f"too many failed logins; try again after {until}", wait)

    def admit_code(self, session: Session, caller: Caller) -> None:
        """One more one-time code to check for the caller's account, counted in a
        transaction that commits whatever the code turns out to be."""
        self._count(session, _key("mfa", caller.actor.user_id), self.rules.codes, "codes")

    def admit_signup(self, session: Session, source: str) -> None:
        self._count(session, _key("signup", source), self.rules.signups, "signups from here")

    def issue_token(
        self,
        session: Session,
        username: str,
        password: str,
        otp: str | None = None,
        request_id: str | None = None,
        project_id: str | None = None,
        source: str = "local",
        realm_refusal: Callable[[bool], str | None] | None = None,
    ) -> tuple[str, Token, Actor]:
        """``project_id``: a project scope the caller already checked the user may see.
        The caller admitted the try first (``admit``). ``realm_refusal``: why a staff
        member (True) or a tenant (False) may not sign in where this request came, if so;
        asked only once the password and code are right, so it tells a guesser nothing."""
        user = store.find_user(session, username)
        if user is None:
            self.passwords.verify(self.passwords.decoy(), normal(password))
            raise LoginFailed(username)
        if not self.passwords.verify(user.password_hash, normal(password)):
            raise LoginFailed(username)
        self._second_factor(user, otp)
        refusal = realm_refusal(user.org_kind == "operator") if realm_refusal else None
        if refusal:
            raise Forbidden(refusal)
        store.forget(session, _lock_key(lookup_form(username), source))  # as admitted
        user.failed_logins, user.locked_until = 0, None
        return self.mint(session, user, project_id, request_id, source=source)

    def mint(
        self,
        session: Session,
        user: User,
        project_id: str | None,
        request_id: str | None,
        app_credential_id: str | None = None,
        until: datetime | None = None,
        source: str | None = None,
    ) -> tuple[str, Token, Actor]:
        """A token for a user already proven (by password, or by a credential's secret);
        never valid past ``until``."""
        now = self.clock.now()
        token = new_token()
        expires = now + self.rules.token_ttl
        row = Token(
            id=new_id(),
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=min(expires, until) if until else expires,
            revoked_at=None,
            project_id=project_id,
            app_credential_id=app_credential_id,
        )
        session.add(row)
        actor = actor_of(user)
        caller = Caller(actor, request_id, source=source)
        self.tenancy.audit(session, caller, AuditAction.TOKEN_ISSUE, "token", row.id, _ref(user))
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
        if not totp.verify(self.secrets.open(user.mfa_secret or ""), otp, self.clock.now()):
            raise LoginFailed(user.username, "invalid one-time code")

    def note_failed_login(self, session: Session, username: str, source: str = "local") -> None:
        """In its own transaction (the failed login's is rolled back). The try was counted
        by ``admit``; the failure that reaches the limit locks and is logged."""
        user = store.find_user(session, username)
        if user is None:
            return
        user.failed_logins = (user.failed_logins or 0) + 1
        if store.attempts(session, _lock_key(user.username, source)) == self.rules.max_failures:
            user.locked_until = self.clock.now() + self.rules.lock_for
            system = Caller(Actor("system", "system:login", Role.OPERATOR_ADMIN, system=True))
            self.tenancy.audit(session, system, AuditAction.USER_LOCK, "user", user.id, _ref(user))

    # -- console sign-ins -------------------------------------------------------------
    def open_web_session(self, session: Session, token: Token) -> None:
        """The token just issued becomes a console sign-in: it lives ``web_ttl`` at most
        and dies after ``web_idle`` without use (API tokens have no idle limit)."""
        token.expires_at = min(token.expires_at, token.created_at + self.rules.web_ttl)
        session.add(store.WebSession(token_id=token.id, last_seen_at=self.clock.now()))

    def authenticate_web(self, session: Session, token: str) -> tuple[Actor, bool]:
        """The actor, and whether the sign-in's last use should be moved to now (at most
        once a minute: a read-only page does it in a transaction of its own)."""
        actor = self.authenticate(session, token)
        web = store.web_session_of(session, hash_token(token))
        if web is None:
            raise Unauthorized("not a console sign-in")
        idle = self.clock.now() - web.last_seen_at
        if idle >= self.rules.web_idle:
            raise Unauthorized("signed out after a period without activity")
        return actor, idle >= timedelta(minutes=1)

    def touch_web_session(self, session: Session, token: str) -> None:
        web = store.web_session_of(session, hash_token(token))
        if web is not None:
            web.last_seen_at = self.clock.now()

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

    def username_of(self, session: Session, user_id: str) -> str | None:
        """Keystone clients may sign in by user id; the rest of sign-in goes by name."""
        user = session.get(User, user_id) if len(user_id) <= 36 else None
        return None if user is None else user.username

    def valid_token(self, session: Session, token: str) -> tuple[Token, Actor] | None:
        """The token and its owner (with its project scope) while it is valid, else None."""
        found = store.find_token(session, hash_token(token))
        if found is None:
            return None
        row, user = found
        if row.revoked_at is not None or row.expires_at <= self.clock.now():
            return None
        actor = actor_of(user)
        return row, Actor(
            actor.user_id, actor.username, actor.role, actor.partner_id, actor.customer_id,
            project_id=row.project_id,
        )  # fmt: skip

    def change_password(
        self,
        session: Session,
        username: str,
        original: str,
        new: str,
        request_id: str | None = None,
        source: str | None = None,
    ) -> None:
        """The user's own change, proven by its current password (no token needed, as in
        Keystone); every token it holds is revoked. The caller admitted the try first."""
        user = store.find_user(session, username)
        if user is None or not self.passwords.verify(user.password_hash, normal(original)):
            if user is None:
                self.passwords.verify(self.passwords.decoy(), normal(original))
            raise LoginFailed(username)
        checked = acceptable_password(
            new, username=user.username, second_factor=user.mfa_enabled_at is not None
        )
        if self.passwords.verify(user.password_hash, normal(checked)):
            raise ValidationFailed.one("password", "the new password is the current one")
        user.password_hash = self.passwords.hash(checked)
        store.revoke_tokens_of(session, user.id, self.clock.now())
        self.tenancy.audit(
            session,
            Caller(actor_of(user), request_id, source=source),
            AuditAction.PASSWORD_CHANGE,
            "user",
            user.id,
            _ref(user),
        )

    def revoke_token(self, session: Session, caller: Caller, token: str) -> None:
        found = store.find_token(session, hash_token(token))
        if found is None:
            raise Unauthorized("invalid token")
        found[0].revoked_at = self.clock.now()
        self.tenancy.audit(
            session, caller, AuditAction.TOKEN_REVOKE, "token", found[0].id, _ref(found[1])
        )

    # -- MFA -------------------------------------------------------------------------
    def mfa_begin(self, session: Session, caller: Caller) -> tuple[str, str]:
        """A new secret for the caller's own account, not yet in force: the user proves
        it holds it with a code (activate). Nobody enrols another user's phone."""
        user = self._own(session, caller)
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already active on this account")
        secret = totp.new_secret()
        user.mfa_secret = self.secrets.seal(secret)
        self.tenancy.audit(session, caller, AuditAction.USER_MFA_BEGIN, "user", user.id, _ref(user))
        return secret, totp.otpauth_uri(secret, user.username, ISSUER)

    def mfa_activate(self, session: Session, caller: Caller, code: str) -> User:
        user = self._own(session, caller)
        if user.mfa_secret is None:
            raise Conflict("start MFA enrolment first")
        if user.mfa_enabled_at is not None:
            raise Conflict("MFA is already active on this account")
        if not totp.verify(self.secrets.open(user.mfa_secret), code, self.clock.now()):
            raise ValidationFailed.one("code", "does not match the secret at this time")
        user.mfa_enabled_at = self.clock.now()
        self.tenancy.end_sessions(session, user.id)  # sign in again, with the code
        self.tenancy.audit(
            session, caller, AuditAction.USER_MFA_ENABLE, "user", user.id, _ref(user)
        )
        return user

    def mfa_enrol(self, session: Session, username: str) -> tuple[str, str]:
        """On the server, by the operator (the trust root): MFA in force at once."""
        user = store.find_user(session, username)
        if user is None:
            raise ValidationFailed.one("username", f"no user {username!r}")
        secret = totp.new_secret()
        user.mfa_secret = self.secrets.seal(secret)
        user.mfa_enabled_at = self.clock.now()
        self.tenancy.end_sessions(session, user.id)
        system = Caller(Actor("system", "system:cli", Role.OPERATOR_ADMIN, system=True))
        self.tenancy.audit(
            session, system, AuditAction.USER_MFA_ENABLE, "user", user.id, _ref(user)
        )
        return secret, totp.otpauth_uri(secret, user.username, ISSUER)

    def _own(self, session: Session, caller: Caller) -> User:
        user = session.get(User, caller.actor.user_id)
        if user is None:
            raise Unauthorized("this token has no user account")
        return user
