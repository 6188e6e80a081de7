"""A thin HTTP client over /v1 for the CLI; the token is kept in a per-user file."""

import json
import os
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import httpx

from andromede.cli.language import cli_language, tr
from andromede.cli.output import fail

__all__ = ["Client", "credentials_path", "save_credentials"]


def credentials_path() -> Path:
    override = os.environ.get("ANDROMEDE_CLI_CONFIG")
    if override:
        return Path(override)
    return Path.home() / ".config" / "andromede" / "cli.json"


def save_credentials(url: str, token: str) -> None:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "token": token}), encoding="utf-8")
    path.chmod(0o600)


def _problem_message(response: httpx.Response) -> str:
    """The problem's detail; in French, after its title, which the API sent in French
    (a detail written by a business rule may still be English)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    title = body.get("title") if isinstance(body, dict) else None
    if cli_language() == "fr" and title and detail:
        detail = f"{title} : {detail}"
    return f"{detail or body} (HTTP {response.status_code})"


def tls_for(url: str) -> ssl.SSLContext | bool:
    """What the command's HTTP client trusts. Loading the certificate authorities took
    25 ms of CPU for every request (each made its own client) and a plain-HTTP address
    never uses them: it gets a context that trusts nothing, so any TLS through it fails
    closed; an https address gets the default trust, loaded once per command."""
    if url.startswith("https://"):
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class Client:
    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        saved: dict[str, str] = {}
        path = credentials_path()
        if path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
        self.url = (
            url or os.environ.get("ANDROMEDE_URL") or saved.get("url") or "http://127.0.0.1:8080"
        ).rstrip("/")
        self.token = token or os.environ.get("ANDROMEDE_TOKEN") or saved.get("token")
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        """One connection pool for every request of the command (made on first use)."""
        if self._http is None:
            self._http = httpx.Client(verify=tls_for(self.url))
        return self._http

    def headers(self) -> dict[str, str]:
        """The token, and the user's language so the API titles its problems in it."""
        headers = {"Accept-Language": cli_language()}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def unreachable(self, exc: httpx.HTTPError) -> NoReturn:
        fail(tr("cannot reach {url}: {error}", url=self.url, error=exc), code=1)

    def request(self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any) -> Any:
        headers = self.headers()
        try:
            response = self.http.request(
                method, self.url + path, headers=headers, timeout=30, **kwargs
            )
        except httpx.HTTPError as exc:
            self.unreachable(exc)
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code >= 500:
            fail(_problem_message(response), code=1)
        if response.status_code >= 400:
            fail(_problem_message(response), code=2)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def transfer(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A long transfer (an image's bytes): no time limit, the body or the answer
        streamed by the caller; a refusal ends the command as any other."""
        headers = self.headers() | kwargs.pop("headers", {})
        try:
            response = self.http.request(
                method, self.url + path, headers=headers, timeout=None, **kwargs
            )
        except httpx.HTTPError as exc:
            self.unreachable(exc)
        if response.status_code >= 400:
            fail(_problem_message(response), code=1 if response.status_code >= 500 else 2)
        return response

    def content(self, path: str, **params: Any) -> bytes:
        """A document's bytes (a PDF, an XML, a CSV) rather than JSON."""
        headers = self.headers()
        try:
            response = self.http.get(self.url + path, headers=headers, params=params, timeout=120)
        except httpx.HTTPError as exc:
            self.unreachable(exc)
        if response.status_code >= 400:
            fail(_problem_message(response), code=1 if response.status_code >= 500 else 2)
        return response.content

    def find(self, path: str) -> Any:
        """The object, or None once it is gone (a deleted server ends as a 404)."""
        return self.request("GET", path, missing_ok=True)

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params={k: v for k, v in params.items() if v})

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, json=body)

    def readable(self, path: str) -> list[Any] | None:
        """The whole list if the caller may read it, None if not (no error printed): for
        names shown beside ids, where an unreadable list just leaves the ids."""
        headers = self.headers()

        def page(marker: str | None) -> Any:
            params: dict[str, Any] = {"limit": 1000, **({"marker": marker} if marker else {})}
            try:
                response = self.http.get(
                    self.url + path, headers=headers, params=params, timeout=30
                )
            except httpx.HTTPError:
                return None
            return response.json() if response.status_code == 200 else None

        return _collect(page)

    def all(self, path: str, **params: Any) -> list[Any]:
        """Follows the markers so a list shows everything, not the first page."""
        items = _collect(lambda marker: self.get(path, limit=1000, marker=marker, **params))
        return items or []  # get() ends the command on an error: never None here


def _collect(page: Callable[[str | None], Any]) -> list[Any] | None:
    """Every item of a list, page after page by marker; None if a page is refused."""
    items: list[Any] = []
    marker = None
    while True:
        found = page(marker)
        if found is None:
            return None
        items.extend(found["items"])
        marker = found.get("next_marker")
        if not marker:
            return items
