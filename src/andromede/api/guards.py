"""What no request may do to the process: send a body larger than the configured maximum
(answered 413 before it is read whole, whatever its Content-Length claims), nest JSON
deeper than a parser should recurse (400), or carry a NUL character in its path, query
or JSON or form body (400: no name, id or filter holds one, and PostgreSQL refuses to
store or compare text that does, which failed the request with a 500). The answers are
in the error shape of the face the path belongs to, with the request id."""

import json
import re
from typing import Any

from andromede.api.openstack.errors import OPENSTACK_PREFIXES, error_body
from andromede.api.problems import MEDIA_TYPE, preferred_language, problem_body

__all__ = [
    "MAX_JSON_DEPTH",
    "RequestGuard",
    "body_has_nul",
    "error_message",
    "has_nul",
    "json_depth",
]

MAX_JSON_DEPTH = 32
_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.S)
# a NUL as the byte itself or percent-encoded (a query string, a form), or escaped in
# JSON: ``\u0000`` after an even number of backslashes (``\\u0000`` is a backslash and
# text; ``%00`` in a JSON string is text too)
_ENCODED_NUL = re.compile(rb"\x00|%00")
_JSON_NUL = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")
NUL_DETAIL = "NUL characters (U+0000) are not accepted in a request"


def has_nul(scope: dict[str, Any]) -> bool:
    """Whether the request's path or query string holds a NUL character."""
    query = scope.get("query_string", b"")
    return "\x00" in scope["path"] or _ENCODED_NUL.search(query) is not None


def body_has_nul(body: bytes, is_json: bool) -> bool:
    """Whether a JSON or form body holds a NUL character."""
    return (_JSON_NUL if is_json else _ENCODED_NUL).search(body) is not None


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep arrays and objects nest (stops counting past ``limit``); brackets inside
    strings do not count. Linear in the body, no recursion."""
    depth = deepest = 0
    in_string = False
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if len(token) == 2:  # an escape sequence: \" does not end a string
            continue
        if token == b'"':
            in_string = not in_string
        elif not in_string:
            depth += 1 if token in (b"[", b"{") else -1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
    return deepest


def error_message(
    path: str, status: int, code: str, detail: str, request_id: str, language: str = "en"
) -> bytes:
    if path.startswith(OPENSTACK_PREFIXES):
        return json.dumps(error_body(path, status, detail)).encode()
    return json.dumps(problem_body(code, status, detail, request_id, language)).encode()


class RequestGuard:
    """Pure ASGI middleware: buffers at most ``max_body`` bytes of a request body, then
    hands the app the same bytes."""

    def __init__(
        self,
        app: Any,
        max_body: int,
        uploads: dict[str, int] | None = None,
        streams: tuple[re.Pattern[str], ...] = (),
    ) -> None:
        """``uploads``: paths that take a file larger than a request body (their limit).
        ``streams``: paths whose route reads the body as a stream and bounds it itself
        (an image's bytes, never held in memory)."""
        self.app = app
        self.max_body = max_body
        self.uploads = uploads or {}
        self.streams = streams

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and has_nul(scope):
            await self._refuse(scope, send, 400, "validation-failed", NUL_DETAIL)
            return
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or any(p.fullmatch(scope["path"]) for p in self.streams)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self.uploads.get(scope["path"], self.max_body)
        declared = headers.get(b"content-length", b"0").decode() or "0"
        if not declared.isdigit() or int(declared) > limit:
            await self._refuse(scope, send, 413, "too-large", self._too_large(limit))
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._refuse(scope, send, 413, "too-large", self._too_large(limit))
                return
        typed = headers.get(b"content-type", b"")
        if (
            b"json" in typed
            and scope["path"] not in self.uploads
            and json_depth(body) > MAX_JSON_DEPTH
        ):
            detail = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
            await self._refuse(scope, send, 400, "validation-failed", detail)
            return
        is_json = b"json" in typed
        if (is_json or b"form-urlencoded" in typed) and body_has_nul(body, is_json):
            await self._refuse(scope, send, 400, "validation-failed", NUL_DETAIL)
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()  # only a disconnect follows
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self, limit: int) -> str:
        return f"request body larger than {limit} bytes"

    async def _refuse(
        self, scope: dict[str, Any], send: Any, status: int, code: str, detail: str
    ) -> None:
        path = scope["path"]
        request_id = scope.get("state", {}).get("request_id", "")
        accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        payload = error_message(path, status, code, detail, request_id, preferred_language(accept))
        media = "application/json" if path.startswith(OPENSTACK_PREFIXES) else MEDIA_TYPE
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", media.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
