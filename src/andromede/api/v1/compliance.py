"""/v1 offer document (public) and the signed SecNumCloud compliance report (operator
staff, for auditors)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from andromede import __version__
from andromede.api.context import app_of, run
from andromede.api.v1.legal import subprocessor_view
from andromede.api.v1.responses import answers
from andromede.api.v1.router import v1_router
from andromede.audit import service as audit
from andromede.db import may_rewrite_audit_log
from andromede.kernel.errors import Conflict
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.usernames import looks_shared

if TYPE_CHECKING:
    from andromede.bootstrap import App
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["sovereignty"])


def provider_of(app: App) -> dict[str, str]:
    settings = app.settings
    return {
        "name": settings.operator_name,
        "country": settings.operator_country,
        "siren": settings.operator_siren,
        "vat_number": settings.operator_vat_number,
        "address": settings.operator_address,
    }


@router.get("/offer", **answers(dict[str, Any]))
def offer(request: Request) -> Any:
    """Where data can live, who runs each site under which law, how staff may reach a
    customer's data, what is certified: read live, for anyone before signing."""
    app = app_of(request)
    with app.uow(readonly=True) as session:
        registry = [subprocessor_view(r) for r in app.legal.subprocessors(session)]
        return app.sovereignty.offer(session, provider_of(app), registry)


def live_findings(
    app: App, session: Any, sinks: list[Any], certificates: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """What the running deployment shows, by requirement (the report adds them)."""
    settings = app.settings
    staff = app.users.users_over(session, TenantRef())
    return {
        "R4": [
            f"sink {v.sink.kind} {v.sink.target} ({v.country or 'no declared country'}) "
            "is outside the EU, waived by the operator"
            for v in sinks
            if v.verdict == "waived"
        ],
        "R5": []
        if settings.staff_networks
        else ["staff origins are not checked: ANDROMEDE_STAFF_NETWORKS is not set"],
        "R6": []
        if settings.staff_listen
        else ["staff and tenants share one listener: ANDROMEDE_STAFF_LISTEN is not set"],
        "R7": [
            f"staff account {u.username!r} names a role, not a person: give it a person's name"
            for u in staff
            if looks_shared(u.username)
        ],
        "R8": [
            f"staff account {u.username!r} names no person: separation of duties cannot "
            "check it (PATCH it with its person)"
            for u in staff
            if u.org_kind == "operator" and u.person is None
        ],
        "R15": [
            "the application's database role may rewrite the audit log (a trigger refuses "
            "it on PostgreSQL, not a grant): connect serve and worker as the role of "
            "`andromede db app-role`"
        ]
        if may_rewrite_audit_log(session)
        else [],
        "R16": [
            f"audit entry {seq} at {at.isoformat()} is earlier than the one before it "
            f"({before.isoformat()}): a clock stepped back"
            for seq, at, before in audit.backward_steps(session)
        ],
        "R13": [
            f"certificate {c['subject']} in {c['source']}: {c['verdict']} (issuer "
            f"{c['issuer']}{', root ' + str(c['root']) if c['root'] else ''})"
            for c in certificates
            if c["verdict"] != "eu-issuer"
        ],
    }


def report_of(app: App, session: Any, caller: Caller) -> dict[str, Any]:
    settings = app.settings
    if not settings.audit_key_file:
        raise Conflict("no signing key is configured (ANDROMEDE_AUDIT_KEY_FILE)")
    sinks = app.sink_verdicts()
    certificates = app.certificates()
    deployment = {
        "operator": settings.operator_name,
        "version": __version__,
        "database": app.engine.dialect.name,
        "sinks": [v.as_dict() for v in sinks],
        "certificates": certificates,
    }
    return app.sovereignty.compliance_report(
        caller,
        Path(settings.test_results_file),
        Path(settings.audit_key_file),
        deployment,
        live_findings(app, session, sinks, certificates),
    )


@router.get("/compliance/report", **answers(dict[str, Any]))
def compliance_report(request: Request) -> Any:
    """SecNumCloud R1-R22: each requirement's controls, the tests that prove them with
    their result in this build's last test run, and its findings; signed."""
    app = app_of(request)
    return run(request, lambda s, c: report_of(app, s, c))
