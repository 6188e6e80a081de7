"""Application credentials (Keystone's): a customer's or partner's user makes a secret
for its scripts, bound to the project its token is scoped to, and signs in with it from
``clouds.yaml`` without its password. Deleting the credential revokes every token issued
with it. Staff get none: their sign-in needs the second factor a script cannot give.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.db import insert_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, LoginFailed, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy import store
from andromede.tenancy.login_service import LoginService
from andromede.tenancy.passwords import Passwords
from andromede.tenancy.scope import Actor, Caller, OrgKind
from andromede.tenancy.service import TenancyService
from andromede.tenancy.store import AppCredential, Token, User

__all__ = ["AppCredential", "AppCredentialInput", "AppCredentialService"]


def new_secret() -> str:
    """256 random bits, told apart from tokens by their prefix."""
    return "acs_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AppCredentialInput:
    name: str
    description: str = ""
    secret: str | None = None  # made here when not given (and shown once)
    expires_at: datetime | None = None
    unrestricted: bool = False


class AppCredentialService:
    def __init__(
        self, clock: Clock, passwords: Passwords, tenancy: TenancyService, login: LoginService
    ) -> None:
        self.clock = clock
        self.passwords = passwords
        self.tenancy = tenancy
        self.login = login

    def _own(self, caller: Caller, user_id: str) -> None:
        """A user's credentials are its own: anyone else's are not found."""
        if caller.actor.user_id != user_id:
            raise NotFound("user", user_id)

    def create(
        self,
        session: Session,
        caller: Caller,
        user_id: str,
        data: AppCredentialInput,
        via: Token | None,
    ) -> tuple[AppCredential, str]:
        """``via``: the token the request came with (a credential's own tokens may make
        further credentials only if it is unrestricted)."""
        self._own(caller, user_id)
        actor = caller.actor
        if actor.org_kind is OrgKind.OPERATOR:
            raise Forbidden("staff sign in with their second factor: no application credential")
        if not actor.project_id:
            raise Forbidden("make an application credential with a project-scoped token")
        if via is not None and via.app_credential_id:
            parent = session.get(AppCredential, via.app_credential_id)
            if parent is None or not parent.unrestricted:
                raise Forbidden("a restricted application credential cannot make another")
        if not data.name or len(data.name) > 255 or len(data.description) > 255:
            raise ValidationFailed.one("name", "1 to 255 characters (description: 255 at most)")
        if data.expires_at is not None and data.expires_at <= self.clock.now():
            raise ValidationFailed.one("expires_at", "an expiry is in the future")
        secret = data.secret if data.secret is not None else new_secret()
        if not 8 <= len(secret) <= 1024:
            raise ValidationFailed.one("secret", "8 to 1024 characters")
        row = AppCredential(
            id=new_id(),
            user_id=user_id,
            name=data.name,
            description=data.description,
            secret_hash=self.passwords.hash(secret),
            project_id=actor.project_id,
            unrestricted=data.unrestricted,
            expires_at=data.expires_at,
            created_at=self.clock.now(),
        )
        insert_unique(session, row, f"an application credential named {data.name!r} exists")
        self._audit(session, caller, AuditAction.APP_CREDENTIAL_CREATE, row.id)
        return row, secret

    def list(self, session: Session, caller: Caller, user_id: str) -> list[AppCredential]:
        self._own(caller, user_id)
        return store.app_credentials_of(session, user_id)

    def get(self, session: Session, caller: Caller, user_id: str, cred_id: str) -> AppCredential:
        self._own(caller, user_id)
        row = session.get(AppCredential, cred_id) if len(cred_id) <= 36 else None
        if row is None or row.user_id != user_id:
            raise NotFound("application credential", cred_id)
        return row

    def delete(self, session: Session, caller: Caller, user_id: str, cred_id: str) -> None:
        row = self.get(session, caller, user_id, cred_id)
        store.revoke_tokens_of(session, user_id, self.clock.now(), app_credential_id=row.id)
        session.delete(row)
        self._audit(session, caller, AuditAction.APP_CREDENTIAL_DELETE, row.id)

    def _audit(self, session: Session, caller: Caller, action: AuditAction, target: str) -> None:
        ref = TenantRef(caller.actor.partner_id, caller.actor.customer_id)
        self.tenancy.audit(session, caller, action, "application_credential", target, ref)

    def find(
        self, session: Session, cred_id: str | None, name: str | None, user: dict[str, str]
    ) -> AppCredential | None:
        """By id, or by name with its user (by id, or by name)."""
        if cred_id:
            return session.get(AppCredential, cred_id) if len(cred_id) <= 36 else None
        owner = (
            session.get(User, user["id"])
            if user.get("id") and len(user["id"]) <= 36
            else store.find_user(session, user.get("name", ""))
        )
        if name and owner is not None:
            return store.app_credential_named(session, owner.id, name)
        return None

    def sign_in(
        self,
        session: Session,
        key: str,
        row: AppCredential | None,
        secret: str,
        request_id: str | None,
    ) -> tuple[str, Token, Actor, AppCredential]:
        """A token scoped to the credential's project, valid no longer than it is.
        ``key``: what the try was admitted under (an unknown credential fails alike)."""
        if row is None:
            self.passwords.verify(self.passwords.decoy(), secret)
            raise LoginFailed(key)
        if not self.passwords.verify(row.secret_hash, secret):
            raise LoginFailed(key)
        if row.expires_at is not None and row.expires_at <= self.clock.now():
            raise LoginFailed(key, "the application credential has expired")
        user = session.get(User, row.user_id)
        if user is None:
            raise LoginFailed(key)
        token, token_row, actor = self.login.mint(
            session, user, row.project_id, request_id, row.id, until=row.expires_at
        )
        return token, token_row, actor, row
