"""Client sub-commands: ``reservation`` (offers, buy, list, show, report) and
``commitment`` (buy, list, show)."""

from datetime import datetime
from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.output import Output, fail, show

__all__ = ["commitment_app", "reservation_app"]

Customer = typer.Option(None, "--customer", help="customer id (a customer's own by default)")
ServiceCode = typer.Option(None, help="Chorus Pro service code for this purchase's invoices")
CommitmentNumber = typer.Option(None, help="Chorus Pro commitment number (numéro d'engagement)")
RESERVATION = ["id", "number", "flavor", "region", "count", "term", "payment", "starts_at"]
COMMITMENT = ["id", "number", "amount", "credit", "balance", "expires_at", "status"]

reservation_app = typer.Typer(help="Reserved capacity for one or three years", no_args_is_help=True)
commitment_app = typer.Typer(help="Prepaid commitments", no_args_is_help=True)


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@reservation_app.command("offers")
def offers(
    customer: str | None = Customer,
    flavor: str | None = None,
    region: str | None = None,
    output: str = Output,
) -> None:
    """What can be bought, at your price (upfront per reservation, hourly per hour)."""
    items = Client().get(
        "/v1/reservation-offers", **_params(customer_id=customer, flavor=flavor, region=region)
    )["items"]
    rows = [
        {k: o[k] for k in ("flavor", "region", "term", "payment")}
        | {f"price.{k}": v for k, v in o["price"].items()}
        for o in items
    ]
    show(rows if output == "table" else items, output)


@reservation_app.command("buy")
def buy(
    flavor: str = typer.Option(...),
    region: str = typer.Option(...),
    term: str = typer.Option(..., help="1y or 3y"),
    payment: str = typer.Option(..., help="all-upfront, partial-upfront or no-upfront"),
    count: int = 1,
    customer: str | None = Customer,
    starts_at: str | None = typer.Option(None, help="ISO 8601 with a zone; now by default"),
    service_code: str | None = ServiceCode,
    commitment_number: str | None = CommitmentNumber,
    output: str = Output,
) -> None:
    """Buy reservations (they cannot be cancelled)."""
    if term not in ("1y", "3y"):
        fail(tr("--term must be 1y or 3y"))
    if starts_at is not None:
        try:
            datetime.fromisoformat(starts_at.replace("Z", "+00:00"))
        except ValueError:
            fail(tr("--starts-at: {value!r} is not an ISO 8601 time", value=starts_at))
    body = _params(
        customer_id=customer,
        flavor=flavor,
        region=region,
        term=term,
        payment=payment,
        count=count,
        starts_at=starts_at,
        service_code=service_code,
        commitment_number=commitment_number,
    )
    show(Client().post("/v1/reservations", body), output, RESERVATION)


@reservation_app.command("list")
def list_(customer: str | None = Customer, output: str = Output) -> None:
    show(Client().all("/v1/reservations", **_params(customer_id=customer)), output, RESERVATION)


@reservation_app.command("show")
def show_(reservation_id: str, output: str = Output) -> None:
    """The reservation and its utilization since it started."""
    show(Client().get(f"/v1/reservations/{reservation_id}"), output)


@reservation_app.command("report")
def report(
    month: str = typer.Argument(..., help="YYYY-MM"),
    customer: str | None = Customer,
    output: str = Output,
) -> None:
    """Utilization, coverage, savings and recommendations of a month."""
    doc = Client().get("/v1/reports/reservations", **_params(month=month, customer_id=customer))
    if output == "json":
        show(doc, output)
        return
    show(
        doc["reservations"],
        output,
        ["number", "flavor", "region", "count", "utilization", "savings", "unused_cost"],
    )
    typer.echo(tr("coverage: {coverage}", coverage=doc["coverage"] or "-"))
    if doc["recommendations"]:
        show(doc["recommendations"], output)


@commitment_app.command("buy")
def commitment_buy(
    amount: str = typer.Option(..., help="EUR excl. VAT, e.g. 50000.00"),
    months: int = typer.Option(...),
    bonus: str = typer.Option("0", help="fraction added to the credit, set by the partner"),
    customer: str | None = Customer,
    service_code: str | None = ServiceCode,
    commitment_number: str | None = CommitmentNumber,
    output: str = Output,
) -> None:
    body = _params(
        customer_id=customer,
        amount=amount,
        months=months,
        bonus=bonus,
        service_code=service_code,
        commitment_number=commitment_number,
    )
    show(Client().post("/v1/commitments", body), output, COMMITMENT)


@commitment_app.command("list")
def commitment_list(customer: str | None = Customer, output: str = Output) -> None:
    show(Client().all("/v1/commitments", **_params(customer_id=customer)), output, COMMITMENT)


@commitment_app.command("show")
def commitment_show(commitment_id: str, output: str = Output) -> None:
    """Balance, what each month drew, expiry and what would be forfeited."""
    show(Client().get(f"/v1/commitments/{commitment_id}"), output)
