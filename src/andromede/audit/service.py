"""Recording audit entries, inside the caller's transaction so they commit or vanish with it."""

from datetime import datetime

from sqlalchemy.orm import Session

from andromede.audit import store
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import Scope, TenantRef

__all__ = ["list_entries", "record"]


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    actor_id: str | None,
    action: str,
    target_type: str,
    target_id: str | None,
    ref: TenantRef,
    outcome: str = "success",
    on_behalf_of: str | None = None,
    request_id: str | None = None,
) -> None:
    store.append(
        session,
        {
            "id": new_id(),
            "at": at,
            "actor": actor,
            "actor_id": actor_id,
            "on_behalf_of": on_behalf_of,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "tenant_path": ref.path,
            "partner_id": ref.partner_id,
            "customer_id": ref.customer_id,
            "outcome": outcome,
            "request_id": request_id,
        },
    )


def list_entries(
    session: Session, scope: Scope, *, limit: int, before_seq: int | None = None
) -> list[store.AuditEntry]:
    return store.list_entries(session, scope, limit=limit, before_seq=before_seq)
