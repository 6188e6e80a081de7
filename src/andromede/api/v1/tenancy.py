"""/v1 partners, customers, projects."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import Field

from andromede.api.context import (
    app_of,
    run,
)
from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import CustomerOut, Page, PartnerOut, ProjectOut, QuotasOut, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Int32, Limit
from andromede.audit.actions import AuditAction
from andromede.tenancy.service import CustomerInput, PartnerInput

if TYPE_CHECKING:
    from andromede.tenancy.service import Customer, Partner, Project

router = v1_router()


class PartnerBody(Body):
    name: str
    kind: str
    tier: str = "registered"
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    invoice_prefix: str | None = Field(None, max_length=20)
    billing_mandate_accepted_on: date | None = None
    vat_on_debits: bool = False


class PartnerPatch(Body):
    kind: str | None = None
    tier: str | None = None
    address: str | None = None
    invoice_prefix: str | None = Field(None, max_length=20)
    vat_on_debits: bool | None = None


class MandateBody(Body):
    accepted_on: date | None = None  # the operator records a signed mandate's date


class CustomerBody(Body):
    partner_id: str | None = None
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    public_sector: bool = False
    siret: str | None = Field(None, max_length=40)
    service_code: str | None = Field(None, max_length=200)
    commitment_number: str | None = Field(None, max_length=200)
    requires_service_code: bool = False
    requires_commitment_number: bool = False


class CustomerPatch(Body):
    name: str | None = None
    address: str | None = None
    public_sector: bool | None = None
    siret: str | None = Field(None, max_length=40)
    service_code: str | None = Field(None, max_length=200)
    commitment_number: str | None = Field(None, max_length=200)
    requires_service_code: bool | None = None
    requires_commitment_number: bool | None = None


class ProjectBody(Body):
    customer_id: str | None = None
    name: str


class ProjectPatch(Body):
    name: str | None = None
    quota_instances: Int32 | None = None
    quota_cores: Int32 | None = None
    quota_ram_mib: Int32 | None = None
    quota_storage_gib: Int32 | None = None


def partner_view(p: Partner) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "tier": p.tier,
        "country": p.country,
        "siren": p.siren,
        "vat_number": p.vat_number,
        "address": p.address,
        "created_at": p.created_at.isoformat(),
        "invoice_prefix": p.invoice_prefix,
        "billing_mandate_accepted_on": (
            p.mandate_accepted_on.isoformat() if p.mandate_accepted_on else None
        ),
        "vat_on_debits": p.vat_on_debits,
    }


def customer_view(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "partner_id": c.partner_id,
        "name": c.name,
        "country": c.country,
        "siren": c.siren,
        "vat_number": c.vat_number,
        "address": c.address,
        "public_sector": c.public_sector,
        "created_at": c.created_at.isoformat(),
        "status": c.status,
        "erasure_due_at": c.erasure_due_at.isoformat() if c.erasure_due_at else None,
        "siret": c.siret,
        "service_code": c.service_code,
        "commitment_number": c.commitment_number,
        "requires_service_code": c.requires_service_code,
        "requires_commitment_number": c.requires_commitment_number,
    }


def project_view(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "customer_id": p.customer_id,
        "partner_id": p.partner_id,
        "name": p.name,
        "quota_instances": p.quota_instances,
        "quota_cores": p.quota_cores,
        "quota_ram_mib": p.quota_ram_mib,
        "quota_storage_gib": p.quota_storage_gib,
        "created_at": p.created_at.isoformat(),
    }


@router.post("/partners", status_code=201, tags=["partners"], **answers(PartnerOut))
def create_partner(body: PartnerBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.tenancy.create_partner(s, c, PartnerInput(**body.model_dump())),
        partner_view,
        AuditAction.PARTNER_CREATE,
    )


@router.get("/partners", tags=["partners"], **answers(Page[PartnerOut]))
def list_partners(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.tenancy.list_partners(s, c, limit=limit, marker=marker),
        partner_view,
        limit,
    )


@router.get("/partners/{partner_id}", tags=["partners"], **answers(PartnerOut))
def get_partner(partner_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.tenancy.get_partner(s, c, partner_id), partner_view)


@router.patch("/partners/{partner_id}", tags=["partners"], **answers(PartnerOut))
def update_partner(partner_id: str, body: PartnerPatch, request: Request) -> Any:
    """Tier, kind or address; a new tier prices the partner's usage from now on."""
    return update(
        request,
        lambda a, s, c: a.tenancy.update_partner(
            s, c, partner_id, body.model_dump(exclude_unset=True)
        ),
        partner_view,
        AuditAction.PARTNER_UPDATE,
        partner_id,
    )


@router.post("/partners/{partner_id}/billing-mandate", tags=["partners"], **answers(PartnerOut))
def accept_mandate(partner_id: str, body: MandateBody, request: Request) -> Any:
    """The partner's admin accepts the billing mandate (today); the operator may record
    the date a signed mandate bears. Resale invoices go out only once it is recorded."""
    return update(
        request,
        lambda a, s, c: a.tenancy.accept_mandate(s, c, partner_id, body.accepted_on),
        partner_view,
        AuditAction.PARTNER_MANDATE,
        partner_id,
    )


# -- customers -----------------------------------------------------------------
@router.post("/customers", status_code=201, tags=["customers"], **answers(CustomerOut))
def create_customer(body: CustomerBody, request: Request) -> Any:
    app = app_of(request)
    data = CustomerInput(**body.model_dump(exclude={"partner_id"}))
    return run(
        request,
        lambda s, c: customer_view(app.tenancy.create_customer(s, c, body.partner_id, data)),
        write=True,
        action=AuditAction.CUSTOMER_CREATE,
        target_type="customer",
    )


@router.get("/customers", tags=["customers"], **answers(Page[CustomerOut]))
def list_customers(
    request: Request, limit: int = Limit, marker: str | None = None, partner_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.tenancy.list_customers(
            s, c, limit=limit, marker=marker, partner_id=partner_id
        ),
        customer_view,
        limit,
    )


@router.get("/customers/{customer_id}", tags=["customers"], **answers(CustomerOut))
def get_customer(customer_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        customer = app.tenancy.get_customer(session, caller, customer_id)
        counts = {
            **app.tenancy.customer_counts(session, customer.id),
            "servers": app.servers.count_servers(session, customer.id),
        }
        return {**customer_view(customer), "counts": counts}

    return run(request, work)


@router.patch("/customers/{customer_id}", tags=["customers"], **answers(CustomerOut))
def update_customer(customer_id: str, body: CustomerPatch, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.tenancy.update_customer(
            s, c, customer_id, body.model_dump(exclude_unset=True)
        ),
        customer_view,
        AuditAction.CUSTOMER_UPDATE,
        customer_id,
    )


@router.delete("/customers/{customer_id}", status_code=204, tags=["customers"])
def delete_customer(customer_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.tenancy.delete_customer(s, c, customer_id),
        AuditAction.CUSTOMER_DELETE,
        customer_id,
    )


# -- projects ------------------------------------------------------------------
@router.post("/projects", status_code=201, tags=["projects"], **answers(ProjectOut))
def create_project(body: ProjectBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.tenancy.create_project(s, c, body.customer_id, body.name),
        project_view,
        AuditAction.PROJECT_CREATE,
    )


@router.get("/projects", tags=["projects"], **answers(Page[ProjectOut]))
def list_projects(
    request: Request, limit: int = Limit, marker: str | None = None, customer_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.tenancy.list_projects(
            s, c, limit=limit, marker=marker, customer_id=customer_id
        ),
        project_view,
        limit,
    )


@router.get("/projects/{project_id}", tags=["projects"], **answers(ProjectOut))
def get_project(project_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.tenancy.get_project(s, c, project_id), project_view)


@router.get("/projects/{project_id}/quotas", tags=["projects"], **answers(QuotasOut))
def get_quotas(project_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: app.servers.quotas.project_quota(s, c, project_id))


@router.patch("/projects/{project_id}", tags=["projects"], **answers(ProjectOut))
def update_project(project_id: str, body: ProjectPatch, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.tenancy.update_project(
            s, c, project_id, body.model_dump(exclude_unset=True)
        ),
        project_view,
        AuditAction.PROJECT_UPDATE,
        project_id,
    )


@router.delete("/projects/{project_id}", status_code=204, tags=["projects"])
def delete_project(project_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.tenancy.delete_project(
            s, c, project_id, a.servers.count_resources(s, project_id)
        ),
        AuditAction.PROJECT_DELETE,
        project_id,
    )
