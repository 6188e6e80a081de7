"""Client sub-commands: ``invoice`` (list, show, download, e-invoice status) and
``payment`` (record, list, overdue, e-reporting). Invoices are named by their number."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.output import Output, console, fail, show

__all__ = ["invoice_app", "payment_app"]

INVOICE = ["number", "kind", "issue_date", "due_date", "total_incl_vat", "currency"]
PAYMENT = ["invoice_id", "amount", "paid_on", "method", "reference", "credit"]
FORMATS = {"facturx": "facturx.pdf", "cii": "cii.xml", "ubl": "ubl.xml", "pdf": "pdf"}
SUFFIXES = {"facturx": ".pdf", "cii": ".cii.xml", "ubl": ".ubl.xml", "pdf": ".readable.pdf"}
NUMBER = re.compile(r"^[A-Za-z0-9+_/-]{1,40}$")

invoice_app = typer.Typer(
    help="Invoices and credit notes, and their e-invoices", no_args_is_help=True
)
payment_app = typer.Typer(help="Payments received on invoices", no_args_is_help=True)


def invoice_by_number(client: Client, number: str) -> dict[str, Any]:
    if not NUMBER.match(number):
        fail(tr("{number!r} is not an invoice number", number=number))
    found = client.get("/v1/invoices", number=number)["items"]
    if not found:
        fail(tr("no invoice {number} that you can see", number=number))
    return dict(found[0])


@invoice_app.command("list")
def list_(kind: str | None = None, output: str = Output) -> None:
    show(Client().all("/v1/invoices", kind=kind), output, INVOICE)


@invoice_app.command("show")
def show_one(number: str, output: str = Output) -> None:
    """The invoice with its lines, what was paid and where its e-invoice stands."""
    client = Client()
    invoice = client.get(f"/v1/invoices/{invoice_by_number(client, number)['id']}")
    if output == "json":
        show(invoice, output)
        return
    row = {
        **invoice,
        "paid": invoice["payment"]["status"],
        "due": invoice["payment"]["outstanding"],
    }
    show([row], output, [*INVOICE, "paid", "due"])
    show(invoice["lines"], output, ["description", "quantity", "unit_price", "amount"])


@invoice_app.command("download")
def download(
    number: str,
    format: str = typer.Option("facturx", "--format", help="facturx, cii, ubl or pdf"),
    lang: str = typer.Option("fr", "--lang", help="fr or en (the readable pdf)"),
    out: Path | None = typer.Option(None, "--out", help="file to write; NUMBER.<format> here"),
) -> None:
    """The legal Factur-X (PDF/A-3 with its CII), the CII or UBL XML, or the readable PDF."""
    if format not in FORMATS:
        fail(tr("--format must be one of {formats}", formats=", ".join(FORMATS)))
    if lang not in ("fr", "en"):
        fail(tr("--lang must be fr or en"))
    client = Client()
    invoice = invoice_by_number(client, number)
    target = out or Path(f"{invoice['number']}{SUFFIXES[format]}")
    params = {"lang": lang} if format == "pdf" else {}
    content = client.content(f"/v1/invoices/{invoice['id']}/{FORMATS[format]}", **params)
    target.write_bytes(content)
    console.print(tr("{path} ({size} bytes)", path=target, size=len(content)))


@invoice_app.command("einvoice")
def einvoice(number: str, output: str = Output) -> None:
    """The e-invoice's lifecycle with the platform: ready, submitted, received, paid…"""
    client = Client()
    trail = client.get(f"/v1/invoices/{invoice_by_number(client, number)['id']}/einvoice")
    if output == "json":
        show(trail, output)
        return
    show([trail], output, ["number", "channel", "status", "status_code", "status_at"])
    show(trail["events"], output, ["at", "status", "status_code", "detail"])


@payment_app.command("record")
def record(
    number: str,
    amount: str = typer.Option(..., help="received, e.g. 1200.00"),
    paid_on: str | None = typer.Option(None, "--date", help="YYYY-MM-DD; today by default"),
    method: str = typer.Option("transfer", help="transfer, direct_debit, card, cheque, other"),
    reference: str | None = typer.Option(None, help="the bank's or the payer's reference"),
    keep_credit: bool = typer.Option(False, help="keep an excess as a credit on account"),
    output: str = Output,
) -> None:
    """Record a payment received on an invoice (partial payments add up)."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        fail(tr("--amount: {value!r} is not an amount", value=amount))
    if paid_on is not None:
        try:
            date.fromisoformat(paid_on)
        except ValueError:
            fail(tr("--date: {value!r} is not YYYY-MM-DD", value=paid_on))
    client = Client()
    invoice = invoice_by_number(client, number)
    body = {
        "amount": f"{value:f}",
        "paid_on": paid_on,
        "method": method,
        "reference": reference,
        "keep_credit": keep_credit,
    }
    recorded = client.post(f"/v1/invoices/{invoice['id']}/payments", body)
    if output == "json":
        show(recorded, output)
        return
    state = recorded["invoice"]
    console.print(
        tr(
            "{number}: {amount} received; {status}, {outstanding} outstanding",
            number=invoice["number"],
            amount=recorded["amount"],
            status=state["status"],
            outstanding=state["outstanding"],
        )
    )


@payment_app.command("list")
def list_payments(number: str | None = None, output: str = Output) -> None:
    client = Client()
    invoice_id = invoice_by_number(client, number)["id"] if number else None
    show(client.all("/v1/payments", invoice_id=invoice_id), output, PAYMENT)


@payment_app.command("overdue")
def overdue(output: str = Output) -> None:
    """Overdue invoices per debtor, largest amount first."""
    debtors = Client().get("/v1/payments/overdue")["items"]
    if output == "json":
        show(debtors, output)
        return
    rows = [{"debtor": d["name"], "kind": d["kind"], **i} for d in debtors for i in d["invoices"]]
    show(rows, output, ["debtor", "kind", "number", "due_date", "days_overdue", "outstanding"])


@payment_app.command("e-reporting")
def e_reporting(
    month: str = typer.Option(..., help="YYYY-MM"),
    out: Path | None = typer.Option(None, "--out", help="CSV file to write"),
) -> None:
    """Payment data of the month to e-report (services taxed on receipts)."""
    if not re.match(r"^\d{4}-\d{2}$", month):
        fail(tr("--month must be YYYY-MM"))
    text = Client().content("/v1/payments/e-reporting", month=month, format="csv").decode()
    if out is None:
        console.print(text, end="", markup=False, highlight=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{out}")
