"""What every Neutron resource route does alike: read ``{"<resource>": {...}}`` bodies
(and ``{"<resources>": [...]}`` for bulk creates), filter a list by any of its fields given
once or repeated, and cut each answer to the ``fields`` asked for."""

from typing import Any

from fastapi import Request

from andromede.kernel.errors import ValidationFailed

__all__ = ["body_of", "bulk_of", "cut", "filtered", "text_of"]


def body_of(body: dict[str, Any], key: str) -> dict[str, Any]:
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise ValidationFailed.one(key, f"the body must be {{{key!r}: {{...}}}}")
    return inner


def bulk_of(body: dict[str, Any], one: str, many: str) -> tuple[list[dict[str, Any]], bool]:
    """The items of a create, and whether it was a bulk one (answered as a list)."""
    if many in body:
        items = body[many]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise ValidationFailed.one(many, f"the body must be {{{many!r}: [{{...}}, ...]}}")
        return items, True
    return [body_of(body, one)], False


def text_of(inner: dict[str, Any], key: str) -> str | None:
    value = inner.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed.one(key, "must be a string")
    return value


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def filtered(request: Request, views: list[dict[str, Any]], keys: tuple[str, ...]) -> Any:
    """Neutron's filters: a field given once or repeated (any of the values), as text
    (booleans as ``true``/``false``, in any case)."""
    for key in keys:
        wanted = [w.lower() for w in request.query_params.getlist(key)]
        if wanted:
            views = [v for v in views if _text(v.get(key)).lower() in wanted]
    return [cut(request, v) for v in views]


def cut(request: Request, view: dict[str, Any]) -> dict[str, Any]:
    """Only the ``fields`` asked for (repeated or comma-separated), when any are."""
    asked = [f for given in request.query_params.getlist("fields") for f in given.split(",") if f]
    if not asked:
        return view
    return {key: view[key] for key in asked if key in view}
