"""Names for people: tables show a flavor's, an image's, a project's, a partner's or a
customer's name beside or instead of its id, and options take a name where exactly one
object carries it. ``-o json`` keeps the API's ids untouched."""

from typing import Any

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.output import fail

__all__ = ["id_of", "named_rows", "of_project", "project_id"]

# column shown → (the id field it names, the collection that holds the names)
NAMED = {
    "flavor": ("flavor_id", "/v1/flavors"),
    "image": ("image_id", "/v1/images"),
    "project": ("project_id", "/v1/projects"),
    "partner": ("partner_id", "/v1/partners"),
    "customer": ("customer_id", "/v1/customers"),
}


def named_rows(
    client: Client, rows: list[dict[str, Any]], columns: list[str]
) -> list[dict[str, Any]]:
    """The rows with a name column beside each id the table shows by name; an id the
    caller cannot resolve (another tenant's, or gone) stays as it is."""
    wanted = [c for c in columns if c in NAMED and c not in (rows[0] if rows else {})]
    for column in wanted:
        field, path = NAMED[column]
        readable = client.readable(path) or []
        names = {item["id"]: item.get("name", item["id"]) for item in readable}
        rows = [{**row, column: names.get(row.get(field), row.get(field))} for row in rows]
    return rows


def id_of(items: list[dict[str, Any]], ref: str, kind: str) -> str:
    """One of ``items`` by id, or by a name only one of them carries."""
    if any(item["id"] == ref for item in items):
        return ref
    named = [item for item in items if item["name"] == ref]
    if len(named) == 1:
        return str(named[0]["id"])
    if named:
        fail(
            tr(
                "{count} {kind}s are named {ref!r}: give the {kind}'s id",
                count=len(named),
                kind=kind,
                ref=ref,
            )
        )
    fail(tr("no {kind} {ref!r}", kind=kind, ref=ref))


def project_id(client: Client, ref: str) -> str:
    """A project the caller sees, by id or by a name only one of them carries."""
    return id_of(client.all("/v1/projects"), ref, tr("project"))


def of_project(client: Client, path: str, project: str | None, **params: str) -> list[Any]:
    """Every item of a list the caller sees, of one project when one is named."""
    if project:
        params["project_id"] = project_id(client, project)
    return client.all(path, **params)
