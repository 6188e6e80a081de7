"""/v1 registers of exposure to non-EU law: subprocessors, legal change notices and
government requests for a customer's data (operator administrators write them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import Field

from andromede.api.context import app_of, run
from andromede.api.resource_routes import create
from andromede.api.v1.responses import (
    GovernmentRequestOut,
    Items,
    LegalChangeOut,
    SubprocessorOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant
from andromede.audit.actions import AuditAction
from andromede.sovereignty.legal import GovernmentRequest, LegalChange, Subprocessor

if TYPE_CHECKING:
    from andromede.sovereignty.legal_service import (
        GovernmentRequestRow,
        LegalChangeRow,
        SubprocessorRow,
    )

router = v1_router(tags=["sovereignty"])
Text = Field(max_length=2000)


class SubprocessorBody(Body):
    name: str = Field(max_length=2000)
    country: str = Field(max_length=100)
    jurisdiction: str = Field(max_length=100)
    purpose: str = Text
    data_categories: list[str] = Field(default_factory=list, max_length=10)
    technical_access: bool = False


class LegalChangeBody(Body):
    summary: str = Text
    effective_at: Instant


class GovernmentRequestBody(Body):
    customer_id: str = Field(max_length=100)
    authority: str = Text
    country: str = Field(max_length=100)
    received_at: Instant
    scope: str = Text
    legal_assessment: str = Text
    notify_customer: bool = True
    bar_reason: str = Field("", max_length=2000)


def subprocessor_view(s: SubprocessorRow) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "country": s.country,
        "jurisdiction": s.jurisdiction,
        "purpose": s.purpose,
        "data_categories": list(s.data_categories),
        "technical_access": s.technical_access,
    }


def legal_change_view(c: LegalChangeRow) -> dict[str, Any]:
    return {
        "id": c.id,
        "summary": c.summary,
        "effective_at": c.effective_at.isoformat(),
        "created_at": c.created_at.isoformat(),
    }


def government_request_view(g: GovernmentRequestRow) -> dict[str, Any]:
    return {
        "id": g.id,
        "customer_id": g.customer_id,
        "authority": g.authority,
        "country": g.country,
        "received_at": g.received_at.isoformat(),
        "scope": g.scope,
        "legal_assessment": g.legal_assessment,
        "notified": g.notified,
        "bar_reason": g.bar_reason,
        "created_at": g.created_at.isoformat(),
    }


@router.post("/subprocessors", status_code=201, **answers(SubprocessorOut))
def add_subprocessor(body: SubprocessorBody, request: Request) -> Any:
    """Register a subprocessor; one under non-EU law with technical access to customer or
    technical data is refused."""
    sub = Subprocessor(**{**body.model_dump(), "data_categories": tuple(body.data_categories)})
    return create(
        request,
        lambda a, s, c: a.legal.add_subprocessor(s, c, sub),
        subprocessor_view,
        AuditAction.SUBPROCESSOR_ADD,
    )


@router.get("/subprocessors", **answers(Items[SubprocessorOut]))
def list_subprocessors(request: Request) -> Any:
    app = app_of(request)
    return run(
        request, lambda s, c: {"items": [subprocessor_view(r) for r in app.legal.subprocessors(s)]}
    )


@router.post("/legal-changes", status_code=201, **answers(LegalChangeOut))
def announce_legal_change(body: LegalChangeBody, request: Request) -> Any:
    """A change in the law or control the operator answers to, a month ahead at least:
    every partner and customer is notified."""
    change = LegalChange(**body.model_dump())
    return create(
        request,
        lambda a, s, c: a.legal.announce_legal_change(s, c, change),
        legal_change_view,
        AuditAction.LEGAL_CHANGE_ANNOUNCE,
    )


@router.get("/legal-changes", **answers(Items[LegalChangeOut]))
def list_legal_changes(request: Request) -> Any:
    app = app_of(request)
    return run(
        request, lambda s, c: {"items": [legal_change_view(r) for r in app.legal.legal_changes(s)]}
    )


@router.post("/government-requests", status_code=201, **answers(GovernmentRequestOut))
def record_government_request(body: GovernmentRequestBody, request: Request) -> Any:
    """Record a government request for a customer's data: the customer is told, unless a
    legal bar on telling it is recorded."""
    data = GovernmentRequest(**body.model_dump())
    return create(
        request,
        lambda a, s, c: a.legal.record_government_request(s, c, data),
        government_request_view,
        AuditAction.GOVERNMENT_REQUEST_RECORD,
    )


@router.get("/government-requests", **answers(Items[GovernmentRequestOut]))
def list_government_requests(request: Request) -> Any:
    """The register (operator staff)."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: {
            "items": [government_request_view(r) for r in app.legal.government_requests(s, c)]
        },
    )
