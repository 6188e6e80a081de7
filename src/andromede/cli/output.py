"""How the CLI talks to people: Rich tables or JSON, one-line errors, exit code 2."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from andromede.cli.language import tr

__all__ = [
    "Output",
    "check_output",
    "fail",
    "public_key_of",
    "show",
    "show_impact",
    "working",
]

console = Console()
err_console = Console(stderr=True)
Output = typer.Option("table", "--output", "-o", help="table or json")


def working(*columns: ProgressColumn) -> Progress:
    """A spinner, what is being done (then ``columns``, such as bars) and for how long,
    gone once it is done: for long work. Drawn in a terminal only: piped, a transient
    display left empty lines before the output."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        *columns,
        TimeElapsedColumn(),
        transient=True,
        console=console,
        disable=not console.is_terminal,
    )


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(
        tr("error: {message}", message=message), markup=False, highlight=False, soft_wrap=True
    )
    raise typer.Exit(code)


def public_key_of(value: str) -> bytes:
    """An Ed25519 public key given as hex, or as a file holding the hex."""
    path = Path(value)
    text = path.read_text(encoding="utf-8").strip() if path.is_file() else value
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        fail(tr("the public key is 64 hexadecimal characters"))
    return key


def check_output(output: str) -> None:
    if output not in ("table", "json"):
        fail(tr("--output must be table or json"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def show(data: Any, output: str, columns: Sequence[str] | None = None) -> None:
    if output == "json":
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows = data if isinstance(data, list) else None
    if rows is None:
        table = Table(tr("field"), tr("value"), show_header=True)
        for key, value in data.items():
            table.add_row(key, _cell(value))
        console.print(table)
        return
    cols = list(columns or (rows[0].keys() if rows else ["id"]))
    table = Table(*cols)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in cols))
    console.print(table)


def show_impact(result: Any, names: dict[str, str], month: str) -> None:
    """Before / after / change, for the operator, each partner and each customer."""
    table = Table(
        tr("who"),
        tr("{month} as billed", month=month),
        tr("with the change"),
        tr("change"),
        title=tr("Impact of the price change on last month"),
    )

    def row(label: str, pair: tuple[Any, Any]) -> None:
        table.add_row(label, f"{pair[0]:f}", f"{pair[1]:f}", f"{pair[1] - pair[0]:+f}")

    row(tr("operator revenue"), result.operator_revenue)
    for partner, pair in result.partner_margin.items():
        row(tr("margin of {partner}", partner=names.get(partner, partner)), pair)
    for customer, pair in result.customer_bill.items():
        row(tr("bill of {customer}", customer=names.get(customer, customer)), pair)
    console.print(table)
