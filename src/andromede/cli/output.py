"""How the CLI talks to people: Rich tables or JSON, one-line errors, exit code 2."""

import json
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["fail", "show"]

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


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
        table = Table("field", "value", show_header=True)
        for key, value in data.items():
            table.add_row(key, _cell(value))
        console.print(table)
        return
    cols = list(columns or (rows[0].keys() if rows else ["id"]))
    table = Table(*cols)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in cols))
    console.print(table)
