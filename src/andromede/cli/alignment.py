"""``andromede alignment``: prices aligned on the hyperscaler, server side, for the
operator: import its price list file, read where we stand, pin a mapping, set the policy,
follow a cut (``--dry-run`` first)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from andromede.cli.language import tr
from andromede.cli.output import console, fail, show_impact, working
from andromede.cli.server_side import SYSTEM_CLI, build_container, instant
from andromede.kernel.errors import AndromedeError

__all__ = ["alignment_app"]

alignment_app = typer.Typer(
    help="Prices aligned on the hyperscaler's public price list (server side)",
    no_args_is_help=True,
)
OUTPUT = typer.Option("table", "--output", "-o", help="table or json")


@alignment_app.command("import")
def import_list(
    file: Path = typer.Argument(..., help="their price list file as downloaded (JSON or CSV)"),
    region: str = typer.Option(..., help="their region, e.g. eu-west-3 (Paris)"),
    rate: str = typer.Option(..., help="EUR per unit of the file's currency, e.g. 0.92"),
    rate_date: str = typer.Option(..., help="the day of that rate (YYYY-MM-DD)"),
    currency: str = typer.Option("USD", help="the currency the file's prices are in"),
) -> None:
    """Keep their on-demand and reserved prices for one region, converted to EUR."""
    if not file.is_file():
        fail(tr("no file {path}", path=file))
    try:
        day = date.fromisoformat(rate_date)
    except ValueError:
        fail(tr("--rate-date: not a date (YYYY-MM-DD): {value!r}", value=rate_date))
    container = build_container()
    with working() as progress:
        task = progress.add_task(tr("reading {name}", name=file.name), total=None)
        data = file.read_bytes()
        progress.update(task, description=tr("importing {size} bytes", size=len(data)))
        try:
            with container.uow() as session:
                row = container.alignment.import_list(
                    session, SYSTEM_CLI, data, region=region, rate=rate, rate_date=day,
                    currency=currency,
                )  # fmt: skip
                summary = (row.id, row.published.date(), row.version, row.type_count)
        except AndromedeError as exc:
            fail(exc.detail)
    console.print(
        tr(
            "{id}: {region} published {published} (version {version}), {count} instance types",
            id=summary[0],
            region=region,
            published=summary[1],
            version=summary[2],
            count=summary[3],
        )
    )


@alignment_app.command("imports")
def imports(output: str = OUTPUT) -> None:
    """Their price lists as imported, newest publication first."""
    from andromede.api.v1.alignment import reference_view

    container = build_container()
    with container.uow(readonly=True) as session:
        rows = [reference_view(r) for r in container.alignment.lists(session, SYSTEM_CLI)]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        tr("id"), tr("region"), tr("published"), tr("version"), tr("rate"), tr("rate date"),
        tr("types"),
    )  # fmt: skip
    for r in rows:
        table.add_row(
            r["id"], r["region"], r["published"], r["version"], r["rate"], r["rate_date"],
            str(r["types"]),
        )  # fmt: skip
    console.print(table)


def _mix(text: str | None) -> dict[str, int] | None:
    from andromede.api.v1.alignment import parse_mix

    return parse_mix(text)


@alignment_app.command("report")
def report(
    at: str | None = typer.Option(None, help="their price list in force on that day"),
    reference: str | None = typer.Option(None, help="a price list id instead"),
    mix: str | None = typer.Option(None, help="a typical customer: FLAVOR:COUNT,..."),
    output: str = OUTPUT,
) -> None:
    """Per flavor and region: our list price, theirs, the gap in % and EUR per month."""
    from andromede.api.v1.alignment import report_view

    container = build_container()
    when = instant("--at", at) if at else None
    try:
        with container.uow(readonly=True) as session:
            result = container.alignment.report(
                session, SYSTEM_CLI, list_id=reference, at=when, mix=_mix(mix)
            )
            view = report_view(result)
    except AndromedeError as exc:
        fail(exc.detail)
    if output == "json":
        typer.echo(json.dumps(view, indent=2))
        return
    ref = view["reference"]
    table = Table(
        tr("flavor"), tr("region"), tr("their type"), tr("ours EUR/h"), tr("theirs EUR/h"),
        tr("gap %"), tr("gap EUR/month"),
        title=tr("Against {provider} {region}, {published}", provider=ref["provider"],
                 region=ref["region"], published=ref["published"]),
    )  # fmt: skip
    for line in view["lines"]:
        table.add_row(
            line["flavor"], line["region"],
            (line["their_type"] or "—") + (tr(" (pinned)") if line["pinned"] else ""),
            line["our_hourly"], line["their_hourly"] or "", line["gap_pct"] or "",
            line["gap_per_month"] or "",
        )  # fmt: skip
    console.print(table)
    mixes = Table(
        tr("region"), tr("typical mix"), tr("ours EUR/month"), tr("theirs EUR/month"), tr("gap %")
    )
    for m in view["typical_mix"]:
        flavors = ", ".join(f"{n}×{f}" for f, n in m["flavors"].items())
        mixes.add_row(
            m["region"], flavors, m["ours_per_month"], m["theirs_per_month"], m["gap_pct"] or ""
        )
    console.print(mixes)


@alignment_app.command("pin")
def pin(
    flavor: str = typer.Argument(...),
    instance_type: str = typer.Argument(..., help="their type, e.g. m6i.xlarge"),
) -> None:
    """Compare ``flavor`` with this type whatever the rule says."""
    container = build_container()
    try:
        with container.uow() as session:
            container.alignment.pin(session, SYSTEM_CLI, flavor, instance_type)
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(tr("{flavor} is compared with {type}", flavor=flavor, type=instance_type))


@alignment_app.command("unpin")
def unpin(flavor: str = typer.Argument(...)) -> None:
    """Back to the rule for ``flavor``."""
    container = build_container()
    try:
        with container.uow() as session:
            container.alignment.unpin(session, SYSTEM_CLI, flavor)
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(tr("{flavor} follows the mapping rule again", flavor=flavor))


@alignment_app.command("settings")
def settings(
    gap: str | None = typer.Option(None, help="our target gap, e.g. -0.05 (5 % under)"),
    margin_floor: str | None = typer.Option(None, help="partners' lowest margin rate, e.g. 0.12"),
    notice_days: int | None = typer.Option(None, help="days' notice partners get of a change"),
) -> None:
    """Show the alignment policy, or change what is given."""
    container = build_container()
    try:
        with container.uow() as session:
            if gap is None and margin_floor is None and notice_days is None:
                row = container.alignment.settings(session)
            else:
                row = container.alignment.set_settings(
                    session, SYSTEM_CLI, gap=gap, margin_floor=margin_floor,
                    notice_days=notice_days,
                )  # fmt: skip
            text = (
                f"gap {row.gap.normalize():f}, margin floor {row.margin_floor.normalize():f}, "
                f"notice {row.notice_days} days"
            )
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(text)


@alignment_app.command("follow")
def follow(
    before: str = typer.Option(..., help="their price list before the cut (id)"),
    after: str = typer.Option(..., help="their price list after the cut (id)"),
    wholesale: str = typer.Option("follow", help="follow (keep the discount) or hold"),
    gap: str | None = typer.Option(None, help="instead of the policy's gap"),
    protect: bool = typer.Option(True, help="protect partners under the margin floor"),
    at: str | None = typer.Option(None, help="when it takes effect (after the notice)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show last month's impact only"),
) -> None:
    """Follow their cut: new list prices that keep the gap, one audited change."""
    from andromede.alignment.service import FollowInput

    if wholesale not in ("follow", "hold"):
        fail(tr("--wholesale: follow or hold"))
    data = FollowInput(before, after, wholesale, gap, protect)
    container = build_container()
    try:
        if dry_run:
            with container.uow(readonly=True) as session:
                preview = container.alignment.preview(session, SYSTEM_CLI, data)
                names = {
                    **{p.id: p.name for p in container.tenancy.all_partners(session)},
                    **{c.id: c.name for c in container.tenancy.all_customers(session)},
                }
            _show_preview(preview, names)
            return
        if at is None:
            fail(tr("--at is required to apply (or use --dry-run)"))
        when = instant("--at", at)
        with container.uow() as session:
            change = container.alignment.apply(session, SYSTEM_CLI, data, when)
            summary = (change.id, change.moves, len(change.protected))
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(
        tr(
            "{id}: {count} list prices change from {when}, {protected} partners protected; "
            "partners are notified",
            id=summary[0],
            count=summary[1],
            when=when.isoformat(),
            protected=summary[2],
        )
    )


def _show_preview(preview: object, names: dict[str, str]) -> None:
    from andromede.alignment.service import Preview

    assert isinstance(preview, Preview)
    moves = Table(
        tr("SKU"), tr("their type"), tr("theirs before"), tr("theirs after"), tr("list now"),
        tr("list after"),
    )  # fmt: skip
    for m in preview.proposal.moves:
        moves.add_row(
            m.sku, m.type, f"{m.theirs_before:f}", f"{m.theirs_after:f}", f"{m.list_before:f}",
            f"{m.list_after:f}",
        )  # fmt: skip
    console.print(moves)
    for r in preview.proposal.at_risk:
        protected = tr(", protected: {rate}", rate=f"{r.rate_final:.2%}") if r.protected else ""
        console.print(
            tr(
                "{partner}: margin on {sku} {before} -> {after} under the floor{protected}",
                partner=names.get(r.partner_id, r.partner_id),
                sku=r.sku,
                before=f"{r.rate_before:.2%}",
                after=f"{r.rate_after:.2%}",
                protected=protected,
            )
        )
    show_impact(preview.impact, names, preview.month)
