"""Tables and queries for partners, customers, projects, users and tokens."""

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as lite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, synonym

from andromede.db import Base, UTCDateTime
from andromede.kernel.clock import ensure_utc
from andromede.kernel.tenants import Scope
from andromede.tenancy.usernames import lookup_form
from andromede.tenancy.webhook_store import Delivery, Webhook

__all__ = ["Customer", "Notification", "Partner", "Project", "Token", "User", "WebSession"]


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    siren: Mapped[str | None] = mapped_column(String(9))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # e-invoicing: the prefix of the invoice numbers issued in its name (numbers stay
    # within Chorus Pro's 20 characters), the billing mandate it gave the operator, and
    # whether it opted to pay VAT on debits
    invoice_prefix: Mapped[str | None] = mapped_column(String(8), unique=True)
    mandate_accepted_on: Mapped[date | None] = mapped_column(Date)
    mandate_recorded_by: Mapped[str | None] = mapped_column(String(200))
    vat_on_debits: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


def prefix_taken(session: Session, prefix: str, partner_id: str) -> bool:
    found = session.scalar(
        select(Partner.id).where(Partner.invoice_prefix == prefix, Partner.id != partner_id)
    )
    return found is not None


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    siren: Mapped[str | None] = mapped_column(String(9))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    public_sector: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erasure_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Chorus Pro: a public buyer's establishment, the service that receives the invoice
    # (BT-10) and the legal commitment it is paid under (BT-13), and which of the last two
    # this buyer requires on every invoice
    siret: Mapped[str | None] = mapped_column(String(14))
    service_code: Mapped[str | None] = mapped_column(String(100))
    commitment_number: Mapped[str | None] = mapped_column(String(50))
    requires_service_code: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    requires_commitment_number: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )

    customer_id: Mapped[str] = synonym("id")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    quota_instances: Mapped[int | None] = mapped_column(Integer)
    quota_cores: Mapped[int | None] = mapped_column(Integer)
    quota_ram_mib: Mapped[int | None] = mapped_column(Integer)
    quota_storage_gib: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    username_skeleton: Mapped[str | None] = mapped_column(String(400), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    org_kind: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[str] = mapped_column(String(36))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mfa_secret: Mapped[str | None] = mapped_column(String(255))  # sealed (secret_box)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # staff only: the vetting that lets them use a customer's grant (SecNumCloud 7.1.b)
    vetting_level: Mapped[str | None] = mapped_column(String(20))
    vetted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    office_country: Mapped[str | None] = mapped_column(String(2))  # declared with the vetting
    # the person the account belongs to (an employee number, an e-mail), compared
    # case-folded: one person may not hold incompatible roles across accounts
    person: Mapped[str | None] = mapped_column(String(200), index=True)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    project_id: Mapped[str | None] = mapped_column(String(36))  # OpenStack project scope
    # issued for an application credential: revoked with it
    app_credential_id: Mapped[str | None] = mapped_column(String(36), index=True)


class AppCredential(Base):
    """A user's secret for scripts (Keystone application credentials): bound to one
    project and the user's roles there, optionally expiring, revoked by deleting it.
    ``unrestricted`` lets its tokens make further credentials."""

    __tablename__ = "application_credentials"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    secret_hash: Mapped[str] = mapped_column(String(255))  # Argon2: secrets may be chosen
    project_id: Mapped[str] = mapped_column(String(36))
    unrestricted: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A console sign-in: the token it holds (expiry = absolute timeout, revocation =
    logout) and when it was last used, for the idle timeout API tokens do not have."""

    __tablename__ = "web_sessions"

    token_id: Mapped[str] = mapped_column(ForeignKey("tokens.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attempt(Base):
    """A counter in a fixed window: sign-in tries per source or account, failures of one
    account from one source, signups per source, one-time codes per account."""

    __tablename__ = "attempts"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    started: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """Something a tenant must hear about (an access request, a finding, an erasure
    notice), addressed to a customer's or partner's users; the operator's when both are
    empty."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def list_partners(
    session: Session, scope: Scope, *, limit: int, marker: str | None
) -> list[Partner]:
    """Partners have no parent column: a partner sees itself only."""
    query = select(Partner).order_by(Partner.id).limit(limit)
    if marker:
        query = query.where(Partner.id > marker)
    if scope.nothing:
        return []
    if not scope.everything:
        query = query.where(Partner.id == scope.partner_id)
    return list(session.scalars(query))


def count_by(session: Session, model: Any, column: str, value: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(model).where(getattr(model, column) == value)
        )
        or 0
    )


def business_exists(session: Session, siren: str | None, vat_number: str | None) -> bool:
    """A customer with this SIREN (or, outside France, this VAT number) exists."""
    if siren:
        query = select(Customer.id).where(Customer.siren == siren)
    elif vat_number:
        query = select(Customer.id).where(Customer.vat_number == vat_number)
    else:
        return False
    return session.scalars(query.limit(1)).first() is not None


def first_operator_admin(session: Session) -> User | None:
    query = select(User).where(User.role == "operator-admin").order_by(User.created_at, User.id)
    return session.scalars(query.limit(1)).first()


def roles_of_person(session: Session, person: str) -> list[str]:
    return list(session.scalars(select(User.role).where(User.person == person)))


def find_user(session: Session, username: str) -> User | None:
    """By the stored form; an account made before usernames were normalised (say
    ``Marie.Curie``) is still found as it was typed then."""
    wanted = lookup_form(username)
    typed = (username or "").strip()
    query = select(User).where(or_(User.username == wanted, User.username == typed))
    rows = list(session.scalars(query.limit(2)))
    return next((u for u in rows if u.username == wanted), rows[0] if rows else None)


def attempts(session: Session, key: str) -> int:
    return int(session.scalar(select(Attempt.count).where(Attempt.key == key)) or 0)


def revoke_tokens(session: Session, user_id: str, at: datetime) -> None:
    session.execute(
        update(Token)
        .where(Token.user_id == user_id, Token.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def customers_per_partner(session: Session) -> dict[str, int]:
    query = select(Customer.partner_id, func.count()).group_by(Customer.partner_id)
    return {partner: count for partner, count in session.execute(query)}


def delete_tokens(session: Session, user_id: str) -> None:
    """With the console sign-ins that hold them."""
    tokens = select(Token.id).where(Token.user_id == user_id).scalar_subquery()
    session.execute(delete(WebSession).where(WebSession.token_id.in_(tokens)))
    session.execute(delete(Token).where(Token.user_id == user_id))


def skeleton_taken(session: Session, skeleton: str) -> bool:
    query = select(User.id).where(User.username_skeleton == skeleton).limit(1)
    return session.scalars(query).first() is not None


_TOKEN_OWNER = (
    select(
        Token.expires_at,
        Token.revoked_at,
        Token.project_id,
        User.id,
        User.username,
        User.role,
        User.partner_id,
        User.customer_id,
    )
    .join(User, User.id == Token.user_id)
    .where(Token.token_hash == bindparam("token_hash"))
)


def token_owner(session: Session, token_hash: str) -> Any:
    """Runs on every request: a prepared statement and plain columns, no ORM entities."""
    return session.connection().execute(_TOKEN_OWNER, {"token_hash": token_hash}).first()


def web_session_of(session: Session, token_hash: str) -> WebSession | None:
    return session.execute(
        select(WebSession)
        .join(Token, Token.id == WebSession.token_id)
        .where(Token.token_hash == token_hash)
    ).scalar_one_or_none()


def find_token(session: Session, token_hash: str) -> tuple[Token, User] | None:
    row = session.execute(
        select(Token, User)
        .join(User, User.id == Token.user_id)
        .where(Token.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def revoke_tokens_of(
    session: Session, user_id: str, now: datetime, app_credential_id: str | None = None
) -> None:
    """Every valid token of the user, or only those issued for one of its credentials."""
    query = update(Token).where(Token.user_id == user_id, Token.revoked_at.is_(None))
    if app_credential_id is not None:
        query = query.where(Token.app_credential_id == app_credential_id)
    session.execute(query.values(revoked_at=now))


def app_credentials_of(session: Session, user_id: str) -> list[AppCredential]:
    query = select(AppCredential).where(AppCredential.user_id == user_id)
    return list(session.scalars(query.order_by(AppCredential.created_at, AppCredential.id)))


def app_credential_named(session: Session, user_id: str, name: str) -> AppCredential | None:
    query = select(AppCredential).where(
        AppCredential.user_id == user_id, AppCredential.name == name
    )
    return session.scalar(query)


def bump(
    session: Session, key: str, now: datetime, period: timedelta, restart_at: int = 0
) -> tuple[int, datetime]:
    """Counts one more try under ``key`` in one atomic statement (concurrent tries each get
    their own number) and returns (count, window start). A window older than ``period``
    starts again at 1; ``restart_at``: the try with that number restarts the window's clock
    (a lockout runs from the failure that triggered it)."""
    table = cast(Table, Attempt.__table__)
    at = literal(now, type_=table.c.started.type)
    expired = table.c.started <= literal(now - period, type_=table.c.started.type)
    dialect = session.get_bind().dialect.name
    insert = pg_insert(table) if dialect == "postgresql" else lite_insert(table)
    statement = insert.values(key=key, count=1, started=now).on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "started": case(
                (expired, at), (table.c.count + 1 == restart_at, at), else_=table.c.started
            ),
        },
    )
    row = session.execute(statement.returning(table.c.count, table.c.started)).one()
    return int(row[0]), ensure_utc(row[1])


def forget(session: Session, key: str) -> None:
    session.execute(delete(Attempt).where(Attempt.key == key))


def delete_customer_notifications(session: Session, customer_id: str) -> list[str]:
    ids = list(
        session.scalars(select(Notification.id).where(Notification.customer_id == customer_id))
    )
    if ids:
        session.execute(delete(Delivery).where(Delivery.notification_id.in_(ids)))
        session.execute(delete(Notification).where(Notification.id.in_(ids)))
    return sorted(ids)


def delete_customer_webhooks(session: Session, customer_id: str) -> list[str]:
    ids = list(session.scalars(select(Webhook.id).where(Webhook.customer_id == customer_id)))
    if ids:
        session.execute(delete(Delivery).where(Delivery.webhook_id.in_(ids)))
        session.execute(delete(Webhook).where(Webhook.id.in_(ids)))
    return sorted(ids)
