"""Client sub-commands for residency: policies, decisions, findings, data location,
attestations."""

import json
from pathlib import Path

import typer

from andromede.cli.client import Client
from andromede.cli.output import Output, fail, show

__all__ = ["policy_app"]

policy_app = typer.Typer(help="Residency policies", no_args_is_help=True)


@policy_app.command("set")
def set_policy(
    scope_type: str = typer.Argument(..., help="operator, partner, customer or project"),
    scope_id: str = typer.Argument(..., help="the id (operator: 'operator')"),
    allow: list[str] = typer.Option([], help="in:eu, in:fr, in:FR-BRE, a region or a zone"),
    deny: list[str] = typer.Option([], help="same terms as --allow"),
    min_certification: str | None = None,
    mode: str = typer.Option("enforce", help="enforce or audit"),
    output: str = Output,
) -> None:
    """A new version of the scope's policy; prints what no longer complies."""
    result = Client().post(
        "/v1/policies",
        {
            "scope_type": scope_type,
            "scope_id": scope_id,
            "allow": allow,
            "deny": deny,
            "min_certification": min_certification,
            "mode": mode,
        },
    )
    show(result, output)


@policy_app.command("list")
def list_policies(output: str = Output) -> None:
    show(
        Client().all("/v1/policies"),
        output,
        ["id", "scope_type", "scope_id", "version", "allow", "deny", "mode"],
    )


@policy_app.command("decisions")
def decisions(output: str = Output) -> None:
    show(
        Client().all("/v1/policy-decisions"),
        output,
        ["at", "action", "region", "zone", "allowed", "code"],
    )


@policy_app.command("findings")
def findings(output: str = Output) -> None:
    show(
        Client().all("/v1/compliance/findings"),
        output,
        ["at", "server_id", "region", "zone", "code"],
    )


@policy_app.command("where")
def data_location(customer_id: str, output: str = Output) -> None:
    """Where every resource of a customer is, now."""
    report = Client().get(f"/v1/customers/{customer_id}/data-location")
    show(
        report["resources"],
        output,
        ["name", "region", "zone", "country", "territory", "certifications"],
    )


@policy_app.command("attest")
def attest(
    customer_id: str,
    month: str,
    out: Path = typer.Option(..., "--out", help="file for the signed document"),
) -> None:
    """Fetch the signed residency attestation of a customer for a month."""
    if len(month) != 7 or month[4] != "-":
        fail("month is YYYY-MM")
    document = Client().get(f"/v1/customers/{customer_id}/attestations/{month}")
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    verdict = "complied" if document["attestation"]["complied"] else "did NOT comply"
    typer.echo(f"{out}: {month} {verdict}; signed by {document['public_key']}")
