"""Errors on a console path answer as pages: an expired sign-in goes back to the sign-in
form (then to where the user was), any other refusal is a page that says why, with the
status the API would give. Other paths keep the API's error shapes."""

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from andromede.api.problems import STATUS
from andromede.console.web import BASE, SESSION_COOKIE, error_text, render
from andromede.kernel.errors import AndromedeError, Unauthorized

__all__ = ["console_first"]

Handler = Any


def _console(request: Request) -> bool:
    path = request.url.path
    return path == BASE or path.startswith(BASE + "/")


def error_page(request: Request, status: int, detail: str) -> Response:
    return render(request, "error.html", {"status": status, "detail": detail}, status=status)


def console_first(api_handler: Handler, kind: type[Exception]) -> Handler:
    """Wraps the API's handler for ``kind``: console paths get a page instead."""

    async def handle(request: Request, exc: Exception) -> Response:
        if not _console(request):
            return await api_handler(request, exc)  # type: ignore[no-any-return]
        if isinstance(exc, Unauthorized) and request.method == "GET":
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            response = RedirectResponse(f"{BASE}/login?next={target}", status_code=303)
            response.delete_cookie(SESSION_COOKIE, path=BASE)
            return response
        if isinstance(exc, AndromedeError):
            return error_page(request, STATUS.get(exc.code, 500), error_text(request, exc))
        if isinstance(exc, HTTPException):
            return error_page(request, exc.status_code, str(exc.detail))
        response = await api_handler(request, exc)  # a bug: logged there, never shown
        return error_page(request, 500, "internal error; the operator has the details")

    handle.__name__ = f"console_{kind.__name__}"
    return handle
