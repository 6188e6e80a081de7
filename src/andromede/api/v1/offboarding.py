"""/v1 leaving the cloud: terminate, reinstate, erase, the erasure certificate, and the
customer's whole inventory (reversibility)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request

from andromede.api.context import app_of, run
from andromede.api.resource_routes import one, update
from andromede.api.v1.responses import CertificateOut, CustomerOut, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.tenancy import customer_view
from andromede.audit.actions import AuditAction

if TYPE_CHECKING:
    from andromede.offboarding.service import ErasureCertificate

router = v1_router(tags=["offboarding"])


def certificate_view(c: ErasureCertificate) -> dict[str, Any]:
    return {
        "certificate": c.document,
        "sha256": c.sha256,
        "signature": c.signature,
        "public_key": c.public_key,
    }


@router.post("/customers/{customer_id}/terminate", **answers(CustomerOut))
def terminate(customer_id: str, request: Request) -> Any:
    """Ends the contract: a 21-day erasure notice starts (reversible until it ends)."""
    return update(
        request,
        lambda a, s, c: a.offboarding.terminate(s, c, customer_id),
        customer_view,
        AuditAction.CUSTOMER_TERMINATE,
        customer_id,
    )


@router.post("/customers/{customer_id}/reinstate", **answers(CustomerOut))
def reinstate(customer_id: str, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.offboarding.reinstate(s, c, customer_id),
        customer_view,
        AuditAction.CUSTOMER_REINSTATE,
        customer_id,
    )


@router.post("/customers/{customer_id}/erase", **answers(CertificateOut))
def erase(customer_id: str, request: Request) -> Any:
    """After the notice: every resource, account and key of the customer is erased and a
    signed certificate is written (its hash is in the audit log). Refused before."""
    app = app_of(request)
    key = app.settings.audit_key_file

    def work(session: Any, caller: Any) -> dict[str, Any]:
        certificate = app.offboarding.erase(
            session, caller, customer_id, Path(key) if key else None
        )
        return certificate_view(certificate)

    return run(
        request,
        work,
        write=True,
        action=AuditAction.CUSTOMER_ERASE,
        target_type="customer",
        target_id=customer_id,
    )


@router.get("/customers/{customer_id}/erasure-certificate", **answers(CertificateOut))
def erasure_certificate(customer_id: str, request: Request) -> Any:
    return one(
        request, lambda a, s, c: a.offboarding.certificate(s, c, customer_id), certificate_view
    )


@router.get("/customers/{customer_id}/export", **answers(dict[str, Any]))
def export(customer_id: str, request: Request) -> Any:
    """The customer's whole inventory as one JSON document (andromede.customer-export/1):
    projects, users, servers, keypairs, server groups, policies, invoices metadata."""
    app = app_of(request)
    return run(request, lambda s, c: app.offboarding.export(s, c, customer_id))


@router.post("/customers/{customer_id}/import", status_code=201, **answers(dict[str, int]))
def restore(customer_id: str, body: dict[str, Any], request: Request) -> Any:
    """Rebuild an export's configuration (andromede.customer-export/1) in this customer:
    projects, keypairs, server groups, security groups and rules, networks and subnets,
    residency policies. One transaction: a refusal writes nothing."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: app.offboarding.restore(s, c, customer_id, body),
        write=True,
        action=AuditAction.CUSTOMER_IMPORT,
        target_type="customer",
        target_id=customer_id,
    )
