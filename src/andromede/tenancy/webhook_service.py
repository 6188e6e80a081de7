"""Notifications posted to the webhook a partner or a customer registered (SecNumCloud
12.2: notices reach tenants where they work, not only in the console), or mailed to the
``mailto:`` address it gave instead, through the operator's relay (ANDROMEDE_SMTP_URL). A
webhook is an outbound sink like any other: its host must be on this machine or declared
in the EU; the relay is judged as a sink when serve and worker start.
Deliveries are at least once: a notification is marked delivered after a 2xx answer, and
retried by the next run otherwise. Each body is signed with the operator's key when one
is configured (``X-Andromede-Signature``, Ed25519 over the body, hex)."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller, Role
from andromede.tenancy.service import Notification, TenancyService
from andromede.tenancy.webhook_store import Delivery, Webhook

__all__ = ["Webhook", "WebhookService"]

BATCH = 100
Post = Callable[[str, bytes], int]  # (url, body) -> HTTP status


class WebhookService:
    def __init__(
        self, clock: Clock, tenancy: TenancyService, sink_refusal: Callable[[str], str | None]
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.sink_refusal = sink_refusal  # why a URL may not receive data, or None

    @staticmethod
    def _owner(caller: Caller) -> TenantRef:
        actor = caller.actor
        if actor.role is Role.CUSTOMER_ADMIN:
            return TenantRef(actor.partner_id, actor.customer_id)
        if actor.role is Role.PARTNER_ADMIN:
            return TenantRef(actor.partner_id)
        raise Forbidden("a partner's or a customer's administrators set its webhook")

    def _find(self, session: Session, ref: TenantRef) -> Webhook | None:
        query = select(Webhook).where(
            Webhook.partner_id == ref.partner_id,
            Webhook.customer_id.is_(None)
            if ref.customer_id is None
            else Webhook.customer_id == ref.customer_id,
        )
        return session.scalars(query).first()

    def set_webhook(self, session: Session, caller: Caller, url: str) -> Webhook:
        ref = self._owner(caller)
        parts = urlsplit(url)
        web = parts.scheme in ("https", "http") and bool(parts.hostname)
        if not (web or _mail_address(url)) or len(url) > 2000:
            raise ValidationFailed.one("url", "an http(s) URL or a mailto: address is expected")
        refusal = self.sink_refusal(url)
        if refusal:
            raise ValidationFailed.one("url", refusal)
        hook = self._find(session, ref)
        if hook is None:
            hook = Webhook(id=new_id(), partner_id=ref.partner_id, customer_id=ref.customer_id,
                           url=url, created_at=self.clock.now())  # fmt: skip
            session.add(hook)
            session.flush()
        hook.url = url
        self.tenancy.audit(session, caller, AuditAction.WEBHOOK_SET, "webhook", hook.id, ref)
        return hook

    def get_webhook(self, session: Session, caller: Caller) -> Webhook:
        hook = self._find(session, self._owner(caller))
        if hook is None:
            raise NotFound("webhook", "of your organisation")
        return hook

    def pending(self, session: Session) -> list[tuple[Webhook, list[Notification]]]:
        """Each webhook with the notifications addressed to its organisation that it has
        not received yet, oldest first, a batch at most."""
        found = []
        for hook in session.scalars(select(Webhook).order_by(Webhook.id)):
            done = select(Delivery.notification_id).where(Delivery.webhook_id == hook.id)
            query = select(Notification).where(
                Notification.partner_id == hook.partner_id,
                Notification.customer_id.is_(None)
                if hook.customer_id is None
                else Notification.customer_id == hook.customer_id,
                Notification.id.not_in(done),
            )
            rows = list(session.scalars(query.order_by(Notification.created_at,
                                                       Notification.id).limit(BATCH)))  # fmt: skip
            if rows:
                found.append((hook, rows))
        return found

    def delivered(self, session: Session, webhook_id: str, notification_ids: list[str]) -> None:
        now = self.clock.now()
        session.add_all(
            Delivery(webhook_id=webhook_id, notification_id=n, delivered_at=now)
            for n in notification_ids
        )


def _mail_address(url: str) -> bool:
    """``mailto:`` one address, nothing that could add a header or a second recipient."""
    address = url.removeprefix("mailto:") if url.startswith("mailto:") else ""
    local, _, domain = address.partition("@")
    bad = any(c.isspace() or c in ',;<>"?&' for c in address)
    return bool(local) and "." in domain and not bad and "@" not in domain


def notification_body(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "message": n.message,
        "partner_id": n.partner_id,
        "customer_id": n.customer_id,
        "created_at": n.created_at.isoformat(),
    }
