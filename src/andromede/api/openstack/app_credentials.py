"""Keystone v3 application credentials at /identity: a user makes a secret for its
scripts (bound to the project of the token that makes it), lists, shows and deletes its
own; signing in with one is in ``identity`` with the other auth methods."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from andromede.api.context import app_of, bearer_token, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url, iso_z, roles_of
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.app_credentials import AppCredentialInput
from andromede.tenancy.scope import Actor, Caller

router = APIRouter(prefix="/identity", tags=["openstack identity"])


def _credential_view(request: Request, cred: Any, actor: Actor) -> dict[str, Any]:
    base = base_url(request)
    return {
        "id": cred.id,
        "name": cred.name,
        "description": cred.description or None,
        "project_id": cred.project_id,
        "roles": roles_of(actor),
        "expires_at": iso_z(cred.expires_at) if cred.expires_at else None,
        "unrestricted": cred.unrestricted,
        "access_rules": [],
        "links": {
            "self": f"{base}/identity/v3/users/{cred.user_id}/application_credentials/{cred.id}"
        },
    }


def _credential_input(body: dict[str, Any], actor: Actor) -> AppCredentialInput:
    given = body.get("application_credential")
    if not isinstance(given, dict):
        raise ValidationFailed.one("application_credential", "an object with a name")
    expires = given.get("expires_at")
    try:
        when = datetime.fromisoformat(expires.replace("Z", "+00:00")) if expires else None
    except (AttributeError, ValueError):
        raise ValidationFailed.one(
            "application_credential.expires_at", "an ISO 8601 time"
        ) from None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    held = {r["name"] for r in roles_of(actor)}
    asked = given.get("roles") or []
    if not isinstance(asked, list) or any(
        not isinstance(r, dict) or (r.get("name") or r.get("id")) not in held for r in asked
    ):
        raise ValidationFailed.one(
            "application_credential.roles", f"roles you hold: {sorted(held)}"
        )
    for field in ("name", "description", "secret"):
        if given.get(field) is not None and not isinstance(given[field], str):
            raise ValidationFailed.one(f"application_credential.{field}", "must be text")
    return AppCredentialInput(
        name=given.get("name") or "",
        description=given.get("description") or "",
        secret=given.get("secret"),
        expires_at=when,
        unrestricted=given.get("unrestricted") is True,
    )


CREDENTIALS = "/v3/users/{user_id}/application_credentials"


@router.post(CREDENTIALS, status_code=201, **declares("AppCredential", 201))
def create_app_credential(
    user_id: str, request: Request, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """A secret for scripts, bound to the project of the token that makes it; the
    secret is shown this once."""
    app = app_of(request)

    def work(session: Any, caller: Caller) -> dict[str, Any]:
        via = app.login.valid_token(session, bearer_token(request))
        data = _credential_input(body, caller.actor)
        cred, secret = app.app_credentials.create(
            session, caller, user_id, data, via[0] if via else None
        )
        return _credential_view(request, cred, caller.actor) | {"secret": secret}

    made = run(
        request,
        work,
        write=True,
        action=AuditAction.APP_CREDENTIAL_CREATE,
        target_type="application_credential",
    )
    return {"application_credential": made}


@router.get(CREDENTIALS, **declares("AppCredentials"))
def list_app_credentials(user_id: str, request: Request, name: str | None = None) -> dict[str, Any]:
    app = app_of(request)

    def work(session: Any, caller: Caller) -> list[dict[str, Any]]:
        rows = app.app_credentials.list(session, caller, user_id)
        return [
            _credential_view(request, r, caller.actor)
            for r in rows
            if name is None or r.name == name
        ]

    listed = run(request, work)
    return {
        "application_credentials": listed,
        "links": {"self": None, "next": None, "previous": None},
    }


@router.get(CREDENTIALS + "/{cred_id}", **declares("AppCredential"))
def show_app_credential(user_id: str, cred_id: str, request: Request) -> dict[str, Any]:
    app = app_of(request)
    shown = run(
        request,
        lambda s, c: _credential_view(
            request, app.app_credentials.get(s, c, user_id, cred_id), c.actor
        ),
    )
    return {"application_credential": shown}


@router.delete(CREDENTIALS + "/{cred_id}", status_code=204)
def delete_app_credential(user_id: str, cred_id: str, request: Request) -> Response:
    """Revokes every token issued with it."""
    app = app_of(request)
    run(
        request,
        lambda s, c: app.app_credentials.delete(s, c, user_id, cred_id),
        write=True,
        action=AuditAction.APP_CREDENTIAL_DELETE,
        target_type="application_credential",
        target_id=cred_id,
    )
    return Response(status_code=204)
