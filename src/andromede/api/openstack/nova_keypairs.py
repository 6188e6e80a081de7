"""Nova's os-keypairs at /compute/v2.1: a project's SSH keys and x509 certificates, as
each microversion shows them (2.2 types and status codes, 2.10 the caller's own only, 2.35
paging by ``limit`` and ``marker``, the marker a keypair's name). Keypairs belong to the
token's project (Nova keeps them per user; a project is what our tenants share)."""

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.openstack.compute import PAGE_MAX, integer, project_of
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import compute_version
from andromede.api.openstack.nova_views import iso
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.tenancy.scope import Caller

router = APIRouter(prefix="/compute", tags=["openstack compute"])
V21 = "/v2.1"


def _keypair_int_id(keypair_id: str) -> int:
    return int(keypair_id.replace("-", "")[:7], 16)


def _nova_fingerprint(public_key: str) -> str:
    """Nova shows the MD5 of the key blob, colon-separated."""
    blob = base64.b64decode(public_key.split()[1])
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def keypair_view(
    k: Any, user_id: str, full: bool = False, version: tuple[int, int] = (2, 1)
) -> dict[str, Any]:
    x509 = k.key_type == "x509"
    view: dict[str, Any] = {
        "name": k.name,
        "public_key": k.public_key,
        "fingerprint": k.fingerprint if x509 else _nova_fingerprint(k.public_key),
    }
    if version >= (2, 2):
        view["type"] = "x509" if x509 else "ssh"
    if full:
        view |= {
            "user_id": user_id,
            "id": _keypair_int_id(k.id),
            "created_at": iso(k.created_at),
            "updated_at": None,
            "deleted": False,
            "deleted_at": None,
        }
    return view


def _own_user(request: Request, caller: Caller, given: object) -> None:
    """2.10: ``user_id`` names whose keypairs; only an administrator names another's."""
    if given is not None and compute_version(request) >= (2, 10) and given != caller.actor.user_id:
        raise Forbidden("only an administrator manages another user's keypairs")


def _generated_certificate(now: datetime) -> tuple[str, str]:
    """An x509 keypair made here: (private key, self-signed certificate), both PEM."""
    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "andromede keypair")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, None)
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _generated_key() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return private, public.decode() + " generated-by-andromede"


@router.post(V21 + "/os-keypairs", **declares("Keypair"))
def create_keypair(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    """2.2: a ``type`` (ssh or x509) and 201; before, ssh only and 200."""
    app = app_of(request)
    version = compute_version(request)
    data = body.get("keypair")
    if not isinstance(data, dict) or not data.get("name"):
        raise ValidationFailed.one("keypair", "keypair.name is required")
    if "type" in data and version < (2, 2):
        raise ValidationFailed.one("keypair.type", "a keypair's type needs microversion 2.2")
    kind = str(data.get("type") or "ssh")

    def work(session: Any, caller: Any) -> JSONResponse:
        _own_user(request, caller, data.get("user_id"))
        private = None
        public = data.get("public_key")
        if not public:
            made = app.clock.now()
            private, public = _generated_certificate(made) if kind == "x509" else _generated_key()
        row = app.keypairs.create_keypair(
            session,
            caller,
            project_id=project_of(caller),
            name=str(data["name"]),
            public_key=public,
            kind=kind,
        )
        view = keypair_view(row, caller.actor.user_id, version=version)
        view["user_id"] = caller.actor.user_id
        if private:
            view["private_key"] = private
        status = 201 if version >= (2, 2) else 200
        return JSONResponse({"keypair": view}, status_code=status)

    return run(request, work, write=True, action=AuditAction.KEYPAIR_CREATE, target_type="keypair")


def _keypair_by_name(app: Any, session: Any, caller: Caller, name: str) -> Any:
    for row in app.keypairs.list_keypairs(
        session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
    ):
        if row.name == name:
            return row
    raise NotFound("keypair", name)


@router.get(V21 + "/os-keypairs", **declares("Keypairs"))
def list_keypairs(request: Request) -> Any:
    app = app_of(request)

    version = compute_version(request)
    params = request.query_params
    paged = version >= (2, 35)
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX) if paged else PAGE_MAX
    marker = params.get("marker") if paged else None

    def work(session: Any, caller: Any) -> dict[str, Any]:
        _own_user(request, caller, params.get("user_id"))
        rows = app.keypairs.list_keypairs(
            session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
        )
        rows = sorted(rows, key=lambda k: k.name)
        if marker is not None:
            names = [k.name for k in rows]
            if marker not in names:
                raise ValidationFailed.one("marker", f"marker [{marker}] not found")
            rows = rows[names.index(marker) + 1 :]
        user = caller.actor.user_id
        page = rows[:limit]
        found: dict[str, Any] = {
            "keypairs": [{"keypair": keypair_view(k, user, version=version)} for k in page]
        }
        if paged and len(rows) > limit:
            after = f"{base_url(request)}/compute/v2.1/os-keypairs?limit={limit}"
            found["keypairs_links"] = [{"rel": "next", "href": f"{after}&marker={page[-1].name}"}]
        return found

    return run(request, work)


@router.get(V21 + "/os-keypairs/{name}", **declares("Keypair"))
def show_keypair(name: str, request: Request) -> Any:
    app = app_of(request)
    version = compute_version(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        _own_user(request, caller, request.query_params.get("user_id"))
        found = _keypair_by_name(app, session, caller, name)
        return {"keypair": keypair_view(found, caller.actor.user_id, True, version)}

    return run(request, work)


@router.delete(V21 + "/os-keypairs/{name}", status_code=202, response_class=Response)
def delete_keypair(name: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        _own_user(request, caller, request.query_params.get("user_id"))
        app.keypairs.delete_keypair(
            session, caller, _keypair_by_name(app, session, caller, name).id
        )

    run(request, work, write=True, action=AuditAction.KEYPAIR_DELETE, target_type="keypair")
    return Response(status_code=204 if compute_version(request) >= (2, 2) else 202)
