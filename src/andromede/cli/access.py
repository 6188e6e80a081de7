"""Client sub-commands for customer-approved staff access and for TOTP enrolment."""

import typer

from andromede.cli.client import Client
from andromede.cli.output import Output, show

__all__ = ["access_app", "mfa_app"]

COLUMNS = ["id", "status", "customer_id", "requester", "scope", "duration_minutes", "location"]
access_app = typer.Typer(help="Staff access to customer data, approved by the customer")
mfa_app = typer.Typer(help="TOTP MFA of your own account", no_args_is_help=True)


@access_app.command("request")
def request_access(
    customer_id: str,
    reason: str = typer.Option(..., help="why: the ticket and what you need to look at"),
    scope: str = typer.Option("read", help="read, or operate (also act on resources)"),
    minutes: int = typer.Option(60, help="how long, at most 480"),
    location: str = typer.Option(..., help="ISO country code of where you are now"),
    output: str = Output,
) -> None:
    """Staff: ask a customer for access to its data."""
    body = {
        "customer_id": customer_id,
        "scope": scope,
        "reason": reason,
        "duration_minutes": minutes,
        "location": location,
    }
    show(Client().post("/v1/access-requests", body), output)


@access_app.command("list")
def list_requests(customer_id: str | None = None, output: str = Output) -> None:
    show(Client().all("/v1/access-requests", customer_id=customer_id), output, COLUMNS)


def _decide(verb: str) -> None:
    def command(request_id: str, output: str = Output) -> None:
        show(Client().post(f"/v1/access-requests/{request_id}/{verb}", {}), output, COLUMNS)

    command.__doc__ = {
        "approve": "Customer admin: open the grant for the duration asked.",
        "deny": "Customer admin: refuse the request.",
        "revoke": "End the grant (or withdraw the request) now.",
    }[verb]
    access_app.command(verb)(command)


for _verb in ("approve", "deny", "revoke"):
    _decide(_verb)


@access_app.command("log")
def access_log(customer_id: str, output: str = Output) -> None:
    """The customer's transparency feed: every staff request and access, with its grant."""
    items = Client().get(f"/v1/customers/{customer_id}/access-log")["items"]
    show(items, output, ["at", "actor", "action", "target_id", "grant_id", "outcome"])


@access_app.command("rights")
def access_rights(
    customer_id: str,
    project: str | None = typer.Option(None, help="one project's only"),
    output: str = Output,
) -> None:
    """Who can reach the customer's resources, what each may do, and why (auditors, the
    customer's and the partner's administrators)."""
    params = {"project_id": project} if project else {}
    found = Client().get(f"/v1/customers/{customer_id}/access-rights", **params)
    show(found["principals"], output, ["username", "role", "realm", "access", "why", "until"])


@access_app.command("rights-of")
def rights_of(user_id: str, output: str = Output) -> None:
    """Every right of one account: its permissions, the data it reaches, its grants."""
    show(Client().get(f"/v1/users/{user_id}/rights"), output)


@mfa_app.command("begin")
def mfa_begin(output: str = Output) -> None:
    """Start enrolment: add the URI to an authenticator app, then `mfa activate CODE`."""
    show(Client().post("/v1/users/me/mfa", {}), output)


@mfa_app.command("activate")
def mfa_activate(code: str, output: str = Output) -> None:
    show(Client().post("/v1/users/me/mfa/activate", {"code": code}), output)


SUPERVISION_COLUMNS = ["id", "staff", "supervisor", "starts_at", "ends_at", "active", "reason"]


@access_app.command("supervise")
def supervise(
    staff_id: str,
    minutes: int = typer.Option(60, help="how long, at most 480"),
    reason: str = typer.Option(..., help="why: the ticket, the shift"),
    output: str = Output,
) -> None:
    """EU staff: supervise live a staff member working from outside the EU; only while it
    runs are their requests served."""
    body = {"staff_id": staff_id, "minutes": minutes, "reason": reason}
    show(Client().post("/v1/supervisions", body), output, SUPERVISION_COLUMNS)


@access_app.command("supervisions")
def supervisions(output: str = Output) -> None:
    show(Client().get("/v1/supervisions")["items"], output, SUPERVISION_COLUMNS)


@access_app.command("end-supervision")
def end_supervision(supervision_id: str, output: str = Output) -> None:
    """Its supervisor (or an operator administrator): end it now."""
    show(Client().post(f"/v1/supervisions/{supervision_id}/end", {}), output, SUPERVISION_COLUMNS)
