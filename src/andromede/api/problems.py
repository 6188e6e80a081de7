"""Domain errors → RFC 9457 problem documents. The HTTP status of each code lives here."""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from andromede.kernel.error_language import detail_in, validation_message
from andromede.kernel.errors import (
    AndromedeError,
    NoValidHost,
    PolicyViolation,
    QuotaExceeded,
    Throttled,
    ValidationFailed,
)

__all__ = [
    "MEDIA_TYPE",
    "STATUS",
    "http_problem",
    "preferred_language",
    "problem_body",
    "problem_response",
    "validation_response",
]

STATUS = {
    "not-found": 404,
    "validation-failed": 400,
    "conflict": 409,
    "invalid-state": 409,
    "no-valid-host": 409,
    "quota-exceeded": 403,
    "forbidden": 403,
    "unauthorized": 401,
    "mfa-required": 401,
    "account-locked": 423,
    "policy-violation": 403,
    "too-large": 413,
    "too-many-requests": 429,
    "method-not-allowed": 405,
    "not-acceptable": 406,
    "unsupported-media-type": 415,
    "internal-error": 500,
    "unavailable": 503,
}
TITLES = {
    "not-found": "Not found",
    "validation-failed": "Invalid request",
    "conflict": "Conflict",
    "invalid-state": "Action not allowed in the current state",
    "no-valid-host": "No valid host",
    "quota-exceeded": "Quota exceeded",
    "forbidden": "Forbidden",
    "unauthorized": "Authentication required",
    "mfa-required": "A one-time code is required",
    "account-locked": "Account locked after repeated failed logins",
    "policy-violation": "Refused by a residency policy",
    "too-large": "Request body too large",
    "too-many-requests": "Too many requests",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Not acceptable",
    "unsupported-media-type": "Unsupported media type",
    "internal-error": "Internal error",
    "unavailable": "Service unavailable",
}
# SecNumCloud 19.3: the customer-facing titles exist in French, chosen by Accept-Language
TITLES_FR = {
    "not-found": "Introuvable",
    "validation-failed": "Requête invalide",
    "conflict": "Conflit",
    "invalid-state": "Action impossible dans l'état actuel",
    "no-valid-host": "Aucun hôte disponible",
    "quota-exceeded": "Quota dépassé",
    "forbidden": "Interdit",
    "unauthorized": "Authentification requise",
    "mfa-required": "Un code à usage unique est requis",
    "account-locked": "Compte verrouillé après des échecs de connexion répétés",
    "policy-violation": "Refusé par une politique de résidence",
    "too-large": "Corps de requête trop volumineux",
    "too-many-requests": "Trop de requêtes",
    "method-not-allowed": "Méthode non autorisée",
    "not-acceptable": "Format non acceptable",
    "unsupported-media-type": "Type de contenu non pris en charge",
    "internal-error": "Erreur interne",
    "unavailable": "Service indisponible",
}
HTTP_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}
MEDIA_TYPE = "application/problem+json"


def preferred_language(accept_language: str) -> str:
    """``fr`` when the client ranks French first (RFC 9110 Accept-Language, q-values),
    else ``en``: the title changes with it, and the detail where it is known in French."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag:
            ranked.append((-weight, position, tag.strip().lower()))
    best = min(ranked, default=(0.0, 0, "en"))
    return "fr" if best[0] < 0 and best[2].split("-")[0] == "fr" else "en"


def problem_body(
    code: str,
    status: int,
    detail: str,
    request_id: str | None,
    language: str = "en",
    **extra: Any,
) -> dict[str, Any]:
    titles = TITLES_FR if language == "fr" else TITLES
    return {
        "type": f"urn:andromede:problem:{code}",
        "title": titles.get(code, "Erreur" if language == "fr" else "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request_id,
        **extra,
    }


def _language(request: Request) -> str:
    return preferred_language(request.headers.get("accept-language", ""))


def _body(code: str, detail: str, request: Request, **extra: Any) -> dict[str, Any]:
    request_id = getattr(request.state, "request_id", None)
    status = STATUS.get(code, 500)
    return problem_body(code, status, detail, request_id, _language(request), **extra)


def http_problem(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Errors raised by the framework itself (unknown route, wrong method) and crashes:
    the same shape as every other /v1 error, never a stack trace."""
    code = HTTP_CODES.get(status, "validation-failed" if status < 500 else "internal-error")
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse(
        problem_body(code, status, detail, request_id, _language(request)),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def problem_response(request: Request, exc: AndromedeError) -> JSONResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    if isinstance(exc, NoValidHost):
        extra["reasons"] = exc.reasons
    if isinstance(exc, PolicyViolation):
        extra["decision"] = {
            "code": exc.decision.get("code"),
            "versions": exc.decision.get("versions"),
        }
    if isinstance(exc, QuotaExceeded):
        extra.update(quota=exc.quota, limit=exc.limit, in_use=exc.used, requested=exc.requested)
    headers = {"WWW-Authenticate": "Bearer"} if exc.code == "unauthorized" else {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        _body(exc.code, detail_in(exc, _language(request)), request, **extra),
        status_code=STATUS.get(exc.code, 500),
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def validation_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    language = _language(request)
    for err in exc.errors():
        location = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        message = validation_message(
            err.get("type", ""), err.get("msg", ""), err.get("ctx"), language
        )
        errors.append({"field": ".".join(location) or "body", "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(
        _body("validation-failed", detail, request, errors=errors),
        status_code=400,
        media_type=MEDIA_TYPE,
    )
