"""The audit log as staff may read it (the operator's own entries, and a customer's only
under its grant), with filters; the signed checkpoints; the access requests staff filed."""

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit import service as audit
from andromede.console.areas import staff_only
from andromede.console.web import area_router, page
from andromede.tenancy.scope import Caller, customer_data_scope, note_reads

router = area_router()

PAGE = 100


@router.get("/operator/audit")
def audit_log(
    request: Request, action: str = "", actor: str = "", before: int | None = None
) -> Response:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        staff_only(caller)
        rows = audit.list_entries(
            session,
            customer_data_scope(caller.actor),
            limit=PAGE,
            before_seq=before,
            action=action or None,
            actor=actor or None,
        )
        mine = app.access.list_requests(session, caller, limit=PAGE, marker=None)
        return {
            "entries": note_reads(caller, rows),
            "next_before": rows[-1].seq if len(rows) == PAGE else None,
            "checkpoints": audit.latest_checkpoints(session, 10),
            "requests": [(r, app.access.state(r).value) for r in mine],
            "filters": {"action": action, "actor": actor},
        }

    return page(request, "operator_audit.html", fetch)
