"""/v1/audit: the audit log, scoped like everything else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Query, Request

from andromede.api.context import run
from andromede.api.v1.responses import CheckpointOut, EntriesOut, Items, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Seq
from andromede.audit import service as audit
from andromede.tenancy.scope import customer_data_scope, note_reads

if TYPE_CHECKING:
    from andromede.audit.service import AuditEntry

router = v1_router(tags=["audit"])


@router.get("/audit", **answers(EntriesOut))
def list_audit(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    before: Seq | None = Query(None, description="seq to page below"),
) -> Any:
    def work(session: Any, caller: Any) -> dict[str, Any]:
        scope = customer_data_scope(caller.actor)  # staff: a customer's entries under grant
        rows = audit.list_entries(session, scope, limit=limit, before_seq=before)
        return entries_page(note_reads(caller, rows), limit)

    return run(request, work)


def entry_view(r: AuditEntry) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "id": r.id,
        "at": r.at.isoformat(),
        "actor": r.actor,
        "actor_id": r.actor_id,
        "on_behalf_of": r.on_behalf_of,
        "action": r.action,
        "target_type": r.target_type,
        "target_id": r.target_id,
        "tenant_path": r.tenant_path,
        "outcome": r.outcome,
        "request_id": r.request_id,
        "grant_id": r.grant_id,
        "realm": r.realm,
        "source": r.source,
    }


def entries_page(rows: list[AuditEntry], limit: int) -> dict[str, Any]:
    """Newest first; ``next_before`` pages further back."""
    return {
        "items": [entry_view(r) for r in rows],
        "next_before": rows[-1].seq if len(rows) == limit else None,
    }


@router.get("/audit/checkpoints", **answers(Items[CheckpointOut]))
def list_checkpoints(request: Request) -> Any:
    """The signed tree heads: anyone holding the operator's public key can check them."""

    def work(session: Any, caller: Any) -> dict[str, Any]:
        return {
            "items": [
                {
                    "number": c.id,
                    "size": c.size,
                    "root": c.root,
                    "at": c.at.isoformat(),
                    "signature": c.signature,
                    "public_key": c.public_key,
                }
                for c in audit.checkpoints(session)
            ]
        }

    return run(request, work)
