"""What every console form does the same way: check its CSRF token, run its change in one
transaction as the signed-in user, and on a refusal show the form again with the reason
(and the status the API would give) instead of an error page."""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.problems import STATUS
from andromede.audit.actions import AuditAction
from andromede.console.web import act, error_text, render, require_csrf
from andromede.kernel.errors import AndromedeError, Unauthorized
from andromede.tenancy.scope import Caller

__all__ = ["Company", "company_form", "submit"]

T = TypeVar("T")


@dataclass(frozen=True)
class Company:
    """The fields of a company form (partner, customer, signup), as typed."""

    name: str
    country: str
    address: str
    siren: str
    vat_number: str

    def identity(self) -> dict[str, Any]:
        """For the service's input: an empty identifier is no identifier."""
        return asdict(self) | {"siren": self.siren or None, "vat_number": self.vat_number or None}

    def values(self) -> dict[str, str]:
        return asdict(self)


def company_form(
    name: str = Form(""),
    country: str = Form("FR"),
    address: str = Form(""),
    siren: str = Form(""),
    vat_number: str = Form(""),
) -> Company:
    return Company(name, country, address, siren, vat_number)


def submit(
    request: Request,
    csrf: str,
    change: Callable[[Session, Caller], T],
    done: Callable[[T], Response],
    *,
    action: AuditAction,
    target_type: str = "",
    target_id: str | None = None,
    again: tuple[str, Callable[[Session, Caller], Mapping[str, Any]]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    """``again``: the form's template and what it shows, to render it with the error."""
    require_csrf(request, csrf)
    try:
        result = act(
            request,
            change,
            write=True,
            action=action,
            target_type=target_type or action.value.split(".")[0],
            target_id=target_id,
        )
    except AndromedeError as exc:
        if again is None or isinstance(exc, Unauthorized):
            raise
        template, fetch = again
        holder: dict[str, Any] = {}

        def reload(session: Session, caller: Caller) -> Mapping[str, Any]:
            holder["caller"] = caller
            return fetch(session, caller)

        context = {
            **act(request, reload),
            "error": error_text(request, exc),
            "values": values or {},
        }
        status = STATUS.get(exc.code, 500)
        return render(request, template, context, caller=holder["caller"], status=status)
    return done(result)
