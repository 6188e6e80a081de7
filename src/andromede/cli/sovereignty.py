"""Client sub-commands for residency: policies, decisions, findings, data location,
attestations; the signed SecNumCloud compliance report."""

import json
from pathlib import Path
from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.output import Output, fail, public_key_of, show

__all__ = ["attestation_app", "compliance_app", "policy_app"]

policy_app = typer.Typer(help="Residency policies", no_args_is_help=True)
attestation_app = typer.Typer(help="Signed residency attestations", no_args_is_help=True)
compliance_app = typer.Typer(help="SecNumCloud compliance report", no_args_is_help=True)


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
        fail(tr("month is YYYY-MM"))
    document = Client().get(f"/v1/customers/{customer_id}/attestations/{month}")
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    verdict = tr("complied") if document["attestation"]["complied"] else tr("did NOT comply")
    typer.echo(
        tr(
            "{path}: {month} {verdict}; signed by {key}",
            path=out,
            month=month,
            verdict=verdict,
            key=document["public_key"],
        )
    )


def _signed(document: Path, public_key: str, field: str) -> dict[str, Any]:
    """The signed body of a document this cloud issued, checked with the operator's
    public key alone; exit 2 when unreadable, 1 when the signature does not hold."""
    from andromede.audit.signing import verify
    from andromede.sovereignty.attestation import canonical_document

    key = public_key_of(public_key)
    try:
        signed = json.loads(document.read_text(encoding="utf-8"))
        body, signature = signed[field], bytes.fromhex(signed["signature"])
        if not isinstance(body, dict):
            raise TypeError(f"{field} is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(tr("{path} is not a signed {field}: {error}", path=document, field=field, error=exc))
    if not verify(key, canonical_document(body), signature):
        fail(
            tr(
                "{path}: {field} NOT verified: its signature does not match",
                path=document,
                field=field,
            ),
            code=1,
        )
    return body


@attestation_app.command("verify")
def verify_attestation(
    document: Path = typer.Argument(..., help="a file written by andromede policy attest"),
    public_key: str = typer.Option(..., help="the operator's hex public key, or a file with it"),
) -> None:
    """Check an attestation with the operator's public key alone: no server, no database.
    Exit 0 when the signature holds, 1 when it does not (altered, or another key's)."""
    body = _signed(document, public_key, "attestation")
    try:
        # attestations issued before they said how far they covered: the whole month
        month, covered = body["period_start"][:7], body.get("covered_until", body["period_end"])
        complied, partial = bool(body["complied"]), bool(body.get("partial", False))
    except (KeyError, TypeError) as exc:
        fail(tr("{path} is not a signed attestation: {error}", path=document, error=exc))
    scope = tr("partial, up to {until}", until=covered) if partial else tr("the whole month")
    verdict = tr("complied") if complied else tr("did NOT comply")
    typer.echo(
        tr(
            "{path}: attestation verified ({month}, {scope}): {verdict}",
            path=document,
            month=month,
            scope=scope,
            verdict=verdict,
        )
    )


def _show_report(report: dict[str, Any], output: str) -> None:
    rows = [
        {
            "id": r["id"],
            "requirement": r["title"],
            "standing": r["standing"],
            "proven": "yes" if r["proven"] else "no",
            "tests passed": _passed(r),
            "findings": len(r["findings"]),
        }
        for r in report["requirements"]
    ]
    show(rows, output, ["id", "requirement", "standing", "proven", "tests passed", "findings"])


def _passed(requirement: dict[str, Any]) -> str:
    results = [t["result"] for c in requirement["controls"] for t in c["tests"]]
    return f"{results.count('passed')}/{len(results)}"


@compliance_app.command("report")
def compliance_report(
    out: Path | None = typer.Option(None, "--out", help="file for the signed report"),
    output: str = Output,
) -> None:
    """SecNumCloud R1-R22: each requirement's controls, the tests that prove them with
    their result in this build's last test run, and what is missing (operator staff)."""
    document = Client().get("/v1/compliance/report")
    if out is not None:
        out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    report = document["report"]
    _show_report(report, output)
    if output != "json":
        summary = report["summary"]
        typer.echo(
            tr(
                "{in_place} in place, {partial} partial, {absent} absent; "
                "{proven} of {total} proven; signed by {key}",
                in_place=summary["in place"],
                partial=summary["partial"],
                absent=summary["absent"],
                proven=summary["proven"],
                total=summary["total"],
                key=document["public_key"],
            )
        )


@compliance_app.command("verify")
def verify_report(
    document: Path = typer.Argument(..., help="a file written by andromede compliance report"),
    public_key: str = typer.Option(..., help="the operator's hex public key, or a file with it"),
) -> None:
    """Check a compliance report with the operator's public key alone. Exit 0 when the
    signature holds, 1 when it does not."""
    body = _signed(document, public_key, "report")
    summary = body.get("summary") or {}
    typer.echo(
        tr(
            "{path}: compliance report verified (issued {issued}): "
            "{proven} of {total} requirements proven",
            path=document,
            issued=body.get("issued_at"),
            proven=summary.get("proven"),
            total=summary.get("total"),
        )
    )
