"""Client sub-commands for leaving the cloud, added to ``andromede customer``."""

import json
from pathlib import Path

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.output import Output, console, fail, show

__all__ = ["add_offboarding"]

STATUS = ["id", "name", "status", "erasure_due_at"]


def add_offboarding(customer: typer.Typer) -> None:
    @customer.command("terminate")
    def terminate(customer_id: str, output: str = Output) -> None:
        """End the contract: a 21-day erasure notice starts (reversible until it ends)."""
        show(Client().post(f"/v1/customers/{customer_id}/terminate", {}), output, STATUS)

    @customer.command("reinstate")
    def reinstate(customer_id: str, output: str = Output) -> None:
        show(Client().post(f"/v1/customers/{customer_id}/reinstate", {}), output, STATUS)

    @customer.command("erase")
    def erase(customer_id: str, output: str = Output) -> None:
        """Operator: erase everything once the notice has ended; prints the certificate."""
        show(Client().post(f"/v1/customers/{customer_id}/erase", {}), output)

    @customer.command("erasure-certificate")
    def certificate(customer_id: str, output: str = Output) -> None:
        show(Client().get(f"/v1/customers/{customer_id}/erasure-certificate"), output)

    @customer.command("export")
    def export(
        customer_id: str, out: Path = typer.Option(..., "--out", help="file to write")
    ) -> None:
        """The whole inventory as JSON (format andromede.customer-export/1)."""
        doc = Client().get(f"/v1/customers/{customer_id}/export")
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(
            tr(
                "{path}: {projects} projects, {servers} servers, {keypairs} keypairs, "
                "{invoices} invoices",
                path=out,
                projects=len(doc["projects"]),
                servers=len(doc["servers"]),
                keypairs=len(doc["keypairs"]),
                invoices=len(doc["invoices"]),
            )
        )

    @customer.command("import")
    def restore(
        customer_id: str,
        file: Path = typer.Option(..., "--file", help="a file written by customer export"),
        output: str = Output,
    ) -> None:
        """Rebuild an export's configuration in this customer (projects, keypairs, server
        groups, security groups, networks, policies): all of it, or nothing."""
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(tr("{path} is not an export: {error}", path=file, error=exc))
        show(Client().post(f"/v1/customers/{customer_id}/import", doc), output)
