"""``andromede``: server-side commands (init, serve, worker, db, demo) and the client.

The server side (the container, the web app, the worker, the simulator) is imported by
the commands that use it, inside them: a client command such as ``andromede server list``
starts in a fraction of the time it takes to load the whole server."""

from __future__ import annotations

import gc
import getpass
import json
import logging
import os
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from andromede.cli import resources
from andromede.cli.access import mfa_app
from andromede.cli.alignment import alignment_app
from andromede.cli.client import Client, save_credentials
from andromede.cli.language import cli_language, help_in_french, tr
from andromede.cli.output import console, fail, public_key_of, show_impact, working
from andromede.cli.server_side import SYSTEM_CLI, build_container, instant
from andromede.config import Settings, load_settings
from andromede.kernel.collector import starting_up
from andromede.kernel.errors import AndromedeError
from andromede.kernel.months import month_bounds

if TYPE_CHECKING:
    from andromede.bootstrap import App

__all__ = ["main"]

app = typer.Typer(
    help="Andromède: sovereign cloud control plane.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
app.add_typer(db_app, name="db")
audit_app = typer.Typer(help="Tamper-evident audit log (server side)", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
billing_app = typer.Typer(help="Month close and invoices (server side)", no_args_is_help=True)
staff_app = typer.Typer(help="Operator staff (server side)", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(billing_app, name="billing")
app.add_typer(mfa_app, name="mfa")
app.add_typer(alignment_app, name="alignment")
resources.register(app)


def _init(container: App, admin_username: str) -> str:
    """The database upgraded and the operator's first administrator there (its name)."""
    from andromede.schema import upgrade

    upgrade(container.settings.database_url)
    settings = container.settings
    try:
        with container.uow() as session:
            name = container.users.ensure_admin(session, admin_username, settings.admin_password)
            return name.username
    except AndromedeError as exc:
        fail(exc.detail)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    from andromede.schema import upgrade

    upgrade(load_settings().database_url)
    console.print(tr("database is up to date"))


@db_app.command("app-role")
def db_app_role(
    role: str = typer.Argument(..., help="the role serve and worker connect as"),
) -> None:
    """PostgreSQL, as the schema owner: a role that may write every table but only append
    to the audit log. Run it again after each upgrade; migrations and `audit purge` stay
    with the owner."""
    from andromede.db import grant_application_role, make_engine

    engine = make_engine(load_settings().database_url)
    try:
        grant_application_role(engine, role)
    except ValueError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    console.print(
        tr("role {role} may write every table and only append to the audit log", role=role)
    )


@audit_app.command("keygen")
def audit_keygen(out: Path = typer.Option(..., "--out", help="private key file to write")) -> None:
    """Create the checkpoint signing key (keep it outside the database); prints the public
    key, which auditors use to verify."""
    if out.exists():
        fail(tr("{path} exists; refusing to replace a signing key", path=out))
    from andromede.audit.signing import generate_key

    public = generate_key(out)
    out.with_suffix(".pub").write_text(public.hex() + "\n", encoding="utf-8")
    typer.echo(public.hex())


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current tree head now (the worker does it every minute)."""
    from andromede.worker.jobs import checkpoint_audit_log

    container = build_container()
    if not container.settings.audit_key_file:
        fail(tr("set ANDROMEDE_AUDIT_KEY_FILE to the signing key (andromede audit keygen)"))
    checkpoint_audit_log(container)
    typer.echo(tr("checkpoint signed"))


@audit_app.command("verify")
def audit_verify(
    public_key: str = typer.Option(..., help="hex public key, or a file with it"),
    witness: Path | None = typer.Option(
        None, help="the witness folder (ANDROMEDE_AUDIT_WITNESS_DIR): compare the log to it"
    ),
) -> None:
    """Check every entry and checkpoint offline; name the first problem (exit 1). With
    --witness, also against the copy kept outside the database, which catches an insider
    who rewrote entries and re-signed the checkpoints with the key."""
    from andromede.audit import service as audit_service

    key = public_key_of(public_key)
    if witness is not None and not (witness / "checkpoints.jsonl").is_file():
        fail(tr("{path} holds no witness copy (checkpoints.jsonl)", path=witness))
    container = build_container()
    with container.uow(readonly=True) as session:
        report = audit_service.verify(session, key)
        differs = audit_service.verify_against_witness(session, witness) if witness else None
    if not report.ok:
        fail(tr("audit log NOT intact: {problem}", problem=report.problem), code=1)
    if differs:
        fail(tr("audit log NOT intact against its witness: {problem}", problem=differs), code=1)
    agreed = tr(", and its witness copy agrees") if witness else ""
    typer.echo(
        tr(
            "audit log intact: {entries} entries, {checkpoints} checkpoints{agreed}",
            entries=report.entries,
            checkpoints=report.checkpoints,
            agreed=agreed,
        )
    )


@audit_app.command("purge")
def audit_purge(
    before: str = typer.Option(..., help="ISO date or time: entries older are blanked"),
) -> None:
    """Blank entries past retention (never younger than 6 months); the tree still
    verifies: positions and leaf hashes stay."""
    from andromede.audit import service as audit_service

    when = instant("--before", before)
    container = build_container()
    try:
        with container.uow() as session:
            count = audit_service.purge(session, before=when, now=container.clock.now())
    except AndromedeError as exc:
        fail(exc.detail)
    typer.echo(
        tr("{count} entries blanked (older than {when})", count=count, when=when.isoformat())
    )


@audit_app.command("export")
def audit_export(
    customer: str = typer.Option(..., "--customer", help="customer id"),
    out: Path = typer.Option(..., "--out", help="JSON Lines file to write"),
) -> None:
    """Everything the log holds about a customer, with inclusion proofs."""
    from andromede.audit import service as audit_service

    container = build_container()
    try:
        with container.uow(readonly=True) as session:
            lines = audit_service.export_customer(session, customer)
    except AndromedeError as exc:
        fail(tr("{detail} (run andromede audit checkpoint first)", detail=exc.detail))
    out.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    typer.echo(tr("{count} entries written to {path}", count=len(lines) - 1, path=out))


@audit_app.command("verify-export")
def audit_verify_export(
    export: Path = typer.Argument(..., help="a file written by andromede audit export"),
    public_key: str = typer.Option(..., help="hex public key, or a file with it"),
) -> None:
    """Check a customer export with the public key alone: no database needed."""
    from andromede.audit.signing import verify as verify_signature
    from andromede.audit.verify import verify_export

    key = public_key_of(public_key)
    try:
        lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    except (OSError, ValueError) as exc:
        fail(tr("cannot read {path}: {error}", path=export, error=exc))
    report = verify_export(lines, lambda message, sig: verify_signature(key, message, sig))
    if not report.ok:
        fail(tr("export NOT verified: {problem}", problem=report.problem), code=1)
    typer.echo(tr("export verified: {count} entries in the signed log", count=report.entries))


@billing_app.command("close")
def billing_close(month: str = typer.Argument(..., help="YYYY-MM")) -> None:
    """Issue the month's invoices (once: closing again issues nothing new)."""
    from andromede.cli.close_bars import CloseBars, close_progress
    from andromede.worker.jobs import close_month

    container = build_container()
    try:
        with close_progress() as progress:
            report = close_month(container, month, progress=CloseBars(progress))
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(
        tr(
            "{month}: {issued} invoices issued, {already} already issued",
            month=month,
            issued=len(report.issued),
            already=report.already,
        )
    )
    for number in report.issued:
        typer.echo(f"  {number}")


@billing_app.command("export")
def billing_export(
    month: str = typer.Argument(..., help="YYYY-MM"),
    out: Path = typer.Option(..., "--out", help="directory for the files"),
) -> None:
    """Cost-and-usage file (CSV, Parquet) and partner reconciliation file of a month."""
    from andromede.billing.exports import write_exports

    container = build_container()
    with working() as progress:
        task = progress.add_task(tr("reading and rating {month}'s usage", month=month), total=None)
        progress.refresh()  # each step drawn as it starts, not at the next tick: a small
        # month's step ends before one, and the user would never see it
        try:
            with container.uow(readonly=True) as session:
                start, end = month_bounds(month)
                rated = container.rating.rated(session, start, end)
                documents = container.invoices.month_documents(session, month)
        except (AndromedeError, ValueError) as exc:
            fail(getattr(exc, "detail", str(exc)))
        progress.update(task, description=tr("writing {month}'s files", month=month), refresh=True)
        paths = write_exports(out, month, rated, documents)
    for path in paths:
        typer.echo(str(path))


@app.command("price-change")
def price_change(
    sku: str = typer.Argument(..., help="e.g. compute:SCS-2V-4:fr-par-1"),
    list_price: str = typer.Option(..., "--list", help="new list price, EUR excl. VAT"),
    wholesale: str = typer.Option("follow", help="follow (keep the discount) or hold"),
    at: str | None = typer.Option(None, help="when it takes effect (ISO 8601; UTC if no offset)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show last month's impact only"),
) -> None:
    """Schedule a list price change, or with --dry-run show what it would have done to
    last month: the operator's revenue, each partner's margin, each customer's bill."""
    container = build_container()
    now = container.clock.now()
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    try:
        if dry_run:
            with container.uow(readonly=True) as session:
                result = container.reports.price_change_impact(
                    session, sku=sku, list_price=list_price, wholesale=wholesale, month=last_month
                )
                names = {
                    **{p.id: p.name for p in container.tenancy.all_partners(session)},
                    **{c.id: c.name for c in container.tenancy.all_customers(session)},
                }
            show_impact(result, names, last_month)
            return
        if at is None:
            fail(tr("--at is required to schedule a change (or use --dry-run)"))
        effective_from = instant("--at", at)
        with container.uow() as session:
            container.prices.price_change(
                session,
                SYSTEM_CLI,
                sku=sku,
                list_price=list_price,
                effective_from=effective_from,
                wholesale=wholesale,
            )
    except AndromedeError as exc:
        fail(exc.detail)
    console.print(
        tr(
            "{sku}: list {price} from {at}, wholesale {wholesale}",
            sku=sku,
            price=list_price,
            at=at,
            wholesale=wholesale,
        )
    )


@app.command()
def simulate(
    scenario: Path = typer.Argument(..., help="scenario file (YAML), see examples/"),
    out: Path = typer.Option(..., "--out", help="directory for invoices, usage and margins"),
) -> None:
    """Run a business scenario on a simulated clock; write its invoices and reports."""
    from andromede.cli.scenario import ScenarioError
    from andromede.cli.simulate import run_simulation

    if not scenario.is_file():
        fail(tr("no scenario file {path}", path=scenario))
    with working() as progress:
        progress.add_task(f"{tr('simulating')} {scenario.name}", total=None)
        try:
            counts = run_simulation(scenario, out)
        except ScenarioError as exc:
            fail(tr("{path}: {error}", path=scenario, error=exc))
    console.print(
        tr(
            "{invoices} invoices and credit notes, {segments} usage segments written to {path}",
            invoices=counts["invoices"],
            segments=counts["segments"],
            path=out,
        )
    )


@app.command()
def init(
    admin_username: str = typer.Option(
        "", help="the first operator administrator, a person (or ANDROMEDE_ADMIN_USERNAME)"
    ),
) -> None:
    """Create or upgrade the database and the operator's first administrator: a named
    person, who acts as support until their vetting is recorded (`andromede staff vet`)."""
    container = build_container()
    admin = _init(container, admin_username or container.settings.admin_username)
    console.print(tr("initialised; first operator administrator: {admin}", admin=admin))
    console.print(
        tr(
            "record their vetting: `andromede staff vet {admin} --level enhanced --until DATE "
            "--office FR` (until then they act as support)",
            admin=admin,
        )
    )
    if container.settings.staff_mfa == "required":
        console.print(
            tr(
                "staff MFA is required: run `andromede mfa enrol {admin}` before signing in",
                admin=admin,
            )
        )


# An idle connection is kept longer than clients wait between polls: the openstack CLI's
# ``--wait`` asks every 5 s, uvicorn's default closed idle connections at 5 s, and a
# request sent as the server closed its connection was reset ("Connection reset by peer").
KEEP_ALIVE_SECONDS = 75


def _refuse_to_start(container: App) -> None:
    """SecNumCloud 12.8 and 19.2.d: no service with a wrong clock or a sink outside the EU."""
    refusals = container.startup_refusals()
    if refusals:
        fail(tr("refusing to start: {reasons}", reasons="; ".join(refusals)))
    container.hold_time_from_log()
    container.guard_egress()


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def _serve(container: App) -> None:
    with starting_up():  # as ``build_container``: the web app's code
        import uvicorn

        from andromede.console.site import create_site
        from andromede.worker.jobs import periodic_jobs
        from andromede.worker.loop import start_in_thread

    _log_to_stderr()
    _refuse_to_start(container)
    container.login.passwords.decoy()  # an unknown name's first sign-in costs a known one's
    settings = container.settings
    if settings.reconciler_in_serve:
        start_in_thread(container.reconciler, settings.reconcile_interval, periodic_jobs(container))
    if settings.staff_address is not None:
        if settings.api_workers > 1:
            fail(tr("ANDROMEDE_STAFF_LISTEN serves one process: set ANDROMEDE_API_WORKERS=1"))
        _serve_two_planes(create_site(container), settings)
        return
    if settings.api_workers > 1:  # worker processes build their own container
        uvicorn.run(
            "andromede.console.site:app_from_settings",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.api_workers,
            log_level="warning",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        return
    api = create_site(container)
    gc.freeze()  # start-up objects leave the collector's view: no 80 ms gen-2 pauses later
    uvicorn.run(
        api,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def _serve_two_planes(api: Any, settings: Settings) -> None:
    """The public listener and the staff one, in one process: a signal stops both."""
    import asyncio
    import contextlib
    import signal
    from collections.abc import Iterator

    import uvicorn

    class Listener(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:  # both stop on our own handler
            yield

    staff = settings.staff_address or (settings.host, settings.port + 1)
    listeners = [
        Listener(uvicorn.Config(api, host=host, port=port, log_level="warning",
                                timeout_keep_alive=KEEP_ALIVE_SECONDS))
        for host, port in ((settings.host, settings.port), staff)
    ]  # fmt: skip

    def stop(signum: int, frame: object) -> None:
        for listener in listeners:
            listener.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)

    async def both() -> None:
        await asyncio.gather(*(listener.serve() for listener in listeners))

    gc.freeze()
    asyncio.run(both())


@app.command()
def serve() -> None:
    """Serve the API, with the reconciler running in the same process."""
    _serve(build_container())


@app.command()
def worker() -> None:
    """Run the reconciler loop alone (several workers share the work on PostgreSQL)."""
    from andromede.worker.jobs import periodic_jobs
    from andromede.worker.loop import run_loop

    container = build_container()
    _log_to_stderr()  # as serve: the jobs' news (a month closed) and failures
    _refuse_to_start(container)
    gc.freeze()  # as serve: start-up objects leave the collector's view
    run_loop(
        container.reconciler,
        container.settings.reconcile_interval,
        threading.Event(),
        periodic_jobs(container),
    )


@app.command()
def demo(serve_after: bool = typer.Option(True, "--serve/--no-serve")) -> None:
    """Create the database, load demo data (once), print the logins and serve. Unless
    ANDROMEDE_AUDIT_KEY_FILE says otherwise, the audit signing key is created beside the
    database, so the demo signs audit checkpoints every minute. Staff MFA is optional in
    the demo (ANDROMEDE_STAFF_MFA=required turns it back on)."""
    from andromede.bootstrap import build, sim_state_path
    from andromede.cli.demo import DEMO_ADMIN, load_demo

    os.environ.setdefault("ANDROMEDE_STAFF_MFA", "optional")  # read by API worker processes too
    container = build_container()
    if not container.settings.einvoice_platform:  # e-invoices go to a folder beside the data
        folder = sim_state_path(container.settings).with_name("einvoices")
        os.environ["ANDROMEDE_EINVOICE_PLATFORM"] = f"dir:{folder}"
        container = build(replace(container.settings, einvoice_platform=f"dir:{folder}"))
        console.print(
            tr(
                "e-invoices handed to {folder}/outgoing (statuses read from statuses/)",
                folder=folder,
            )
        )
    if not container.settings.audit_key_file:
        key = sim_state_path(container.settings).with_name("audit-signing.key")
        if not key.exists():
            from andromede.audit.signing import generate_key

            key.with_suffix(".pub").write_text(generate_key(key).hex() + "\n", encoding="utf-8")
        container = build(replace(container.settings, audit_key_file=str(key)))
        console.print(
            tr(
                "audit checkpoints signed with {key} (public key: {public})",
                key=key,
                public=key.with_suffix(".pub"),
            )
        )
    _init(container, container.settings.admin_username or DEMO_ADMIN)
    with container.uow(readonly=True) as session:
        loaded = bool(container.catalog.list_regions(session, limit=1, marker=None))
    if loaded:
        console.print(tr("demo data already loaded"))
    else:
        logins = load_demo(container)
        typer.echo(tr("Demo logins (username / password / role):"))
        for username, password, role in logins:
            typer.echo(f"  {username:20} {password:16} {role}")
    console.print(tr("API on {url}  (docs: /docs)", url=container.settings.base_url))
    console.print(tr("Console on {url}/console/", url=container.settings.base_url))
    if serve_after:
        _serve(container)


@staff_app.command("vet")
def staff_vet(
    username: str,
    level: str = typer.Option(..., help="basic (read grants) or enhanced (operate grants)"),
    until: str = typer.Option(..., help="ISO date or time the vetting holds until"),
    office: str = typer.Option(..., help="the country of the staff member's office (FR, DE…)"),
) -> None:
    """Server side: record a staff member's vetting (the first administrator's included,
    which nobody else can record); without one, staff use no customer grant."""
    when = instant("--until", until)
    container = build_container()
    try:
        with container.uow() as session:
            user = container.users.find_by_username(session, username)
            container.users.vet(session, SYSTEM_CLI, user.id, level, when, office)
    except AndromedeError as exc:
        fail(exc.detail)
    typer.echo(
        tr(
            "{username}: {level} vetting until {when}",
            username=username,
            level=level,
            when=when.isoformat(),
        )
    )


@mfa_app.command("enrol")
def mfa_enrol(username: str) -> None:
    """Server side: put TOTP in force on an account at once and print its secret. This is
    how operator staff get their first factor when staff MFA is required."""
    container = build_container()
    try:
        with container.uow() as session:
            secret, uri = container.login.mfa_enrol(session, username)
    except AndromedeError as exc:
        fail(exc.detail)
    typer.echo(tr("secret: {secret}", secret=secret))
    typer.echo(tr("uri:    {uri}", uri=uri))


@app.command()
def login(
    username: str = typer.Option(..., "--username", "-u"),
    password: str | None = typer.Option(None, "--password", "-p"),
    otp: str | None = typer.Option(None, "--otp", help="one-time code, for accounts with MFA"),
    url: str | None = typer.Option(None, "--url"),
) -> None:
    """Get a token and keep it for the next commands."""
    client = Client(url=url, token="")
    client.token = None
    body = {"username": username, "password": password or getpass.getpass()}
    result = client.post("/v1/tokens", body | ({"otp": otp} if otp else {}))
    save_credentials(client.url, result["token"])
    console.print(
        tr(
            "logged in as {username} ({role}) on {url}",
            username=username,
            role=result["user"]["role"],
            url=client.url,
        )
    )


@app.command()
def password(
    current: str | None = typer.Option(None, "--current", help="asked for when not given"),
    new: str | None = typer.Option(None, "--new", help="asked for (twice) when not given"),
) -> None:
    """Change your own password; every token of yours is revoked, so log in again."""
    client = Client()
    old = current or getpass.getpass(tr("current password: "))
    chosen = new or getpass.getpass(tr("new password: "))
    if new is None and getpass.getpass(tr("new password again: ")) != chosen:
        fail(tr("the two new passwords differ"))
    client.post("/v1/users/me/password", {"current_password": old, "new_password": chosen})
    console.print(tr("password changed; log in again"))


def main() -> None:
    command = typer.main.get_command(app)
    if cli_language() == "fr":
        help_in_french(command)
    command()
