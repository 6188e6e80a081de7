"""Jobs of the worker, each owning its transactions: the month close, prepaid charges,
audit checkpoints, lapsed access, erasures, commitment notices."""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from andromede import leases
from andromede.audit import service as audit
from andromede.audit import signing
from andromede.billing.statements import Draft
from andromede.bootstrap import App
from andromede.kernel.collector import collector_paused
from andromede.kernel.months import month_period
from andromede.schedules.scheduler import BATCH, Acted
from andromede.tenancy.webhook_service import notification_body
from andromede.worker.shared import run_once_per_period, run_units

__all__ = [
    "CloseProgress",
    "CloseReport",
    "advance_clusters",
    "checkpoint_audit_log",
    "close_lapsed_access",
    "close_month",
    "close_previous_month",
    "erase_due_customers",
    "issue_prepaid_charges",
    "notify_expiring_commitments",
    "periodic_jobs",
    "poll_einvoices",
    "release_held_invoices",
    "remind_overdue",
    "run_cluster_runtime",
    "run_environments",
    "run_schedules",
    "send_einvoices",
]


log = logging.getLogger("andromede.worker")

LOOK_EVERY = 10.0  # seconds between a worker's looks at a job's lease
CLUSTER_STEP = 2.0  # seconds between passes over clusters in motion and their runtime
UNIT_PREFIX = "close:"  # a month close's units: close:<month>:<partner id>
# Invoices issued per transaction: one commit (one disk sync) and one read of what the
# batch needs for a hundred invoices, while SQLite's writer lock is held a few tens of ms.
ISSUE_BATCH = 100


@dataclass
class CloseReport:
    month: str
    issued: list[str] = field(default_factory=list)  # invoice numbers
    already: int = 0


class CloseProgress(Protocol):
    """What a close tells as it goes, for whoever waits on it (the CLI draws bars): a
    close of 100,000 servers takes tens of seconds, most of them planning."""

    def partners(self, count: int) -> None:
        """The month's partners, before any is planned."""

    def planned(self, partners: int, invoices: int) -> None:
        """A part planned: how many partners, how many invoices they get."""

    def issued(self, invoices: int) -> None:
        """Invoices issued, or found issued by an earlier close."""


def close_month(
    app: App, month: str, *, wait: bool = True, progress: CloseProgress | None = None
) -> CloseReport:
    """Issues the month's invoices partner by partner, ``ISSUE_BATCH`` invoices per
    transaction: a crash loses nothing already committed, and running again issues only
    what is missing. Workers closing the same month share the partners (``run_units``),
    a part of them at a time (``close_parts``): each plans only its part's usage, so the
    planning is shared too, not done again by every worker. With ``wait``, this returns
    only once every partner is done, taking over the partners of a worker that died. The
    report counts what this worker did.
    Each part's plan records its servers' runs still open at the month's end; once every
    partner is done, they are sealed: the next month's close (and any usage read after
    it) starts there, not from each server's creation.
    The cyclic collector stays paused throughout (``collector_paused``): the plan keeps a
    month's drafts alive, and each issuing batch's tens of thousands of new rows woke the
    collector, which walked all of them again."""
    with collector_paused():
        return _close(app, month, wait, progress or _Unwatched())


class _Unwatched:
    def partners(self, count: int) -> None:
        pass

    def planned(self, partners: int, invoices: int) -> None:
        pass

    def issued(self, invoices: int) -> None:
        pass


def _close(app: App, month: str, wait: bool, progress: CloseProgress) -> CloseReport:
    began, end = app.clock.now(), month_period(month)[1]
    with app.uow(readonly=True) as session:
        partners = app.issuing.closing_partners(session, month)
    progress.partners(len(partners))
    units = {f"{UNIT_PREFIX}{month}:{partner}": partner for partner in partners}
    drafts: dict[str, list[Draft]] = {}
    report = CloseReport(month)

    def plan(taken: list[str]) -> None:
        with app.uow(readonly=True) as session:
            only = frozenset(units[u] for u in taken)
            planned, still_open = app.issuing.plan_close(session, month, only)
        with app.uow() as session:  # where the next month's close starts from
            app.metering.record_open_runs(session, end, still_open)
        drafts.update((unit, []) for unit in taken)
        for draft in planned:
            drafts[f"{UNIT_PREFIX}{month}:{draft.partner_id}"].append(draft)
        progress.planned(len(taken), len(planned))

    def issue_unit(unit: str, still_mine: Callable[[Session], bool]) -> None:
        with app.uow(readonly=True) as session:
            todo = app.issuing.not_issued(session, drafts[unit])
        found = len(drafts[unit]) - len(todo)
        report.already += found
        progress.issued(found)
        for i in range(0, len(todo), ISSUE_BATCH):
            with app.uow() as session:
                if not still_mine(session):
                    return  # taken over: the other worker goes on from here
                answers = app.issuing.issue_many(session, todo[i : i + ISSUE_BATCH])
                numbers = [a.number for a in answers if a is not None]
            report.already += len(answers) - len(numbers)
            report.issued.extend(numbers)
            progress.issued(len(answers))

    parts = app.settings.close_parts or (2 if app.engine.dialect.name == "postgresql" else 1)
    run_units(app, units, issue_unit, wait=wait, prepare=plan, parts=parts, after=began)
    with app.uow() as session:
        if leases.all_finished(session, f"{UNIT_PREFIX}{month}:", end):
            app.metering.seal_open_runs(session, end)
    return report


def close_previous_month(app: App) -> CloseReport | None:
    """What the worker runs now and then: closing is idempotent, so running it every
    hour of the month issues the invoices once, as soon as the month is over. Once a
    close has run to its end after the month ended, later runs stop at that (held
    invoices are ``release_held_invoices``'s); None then."""
    first_of_month = app.clock.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
    with app.uow(readonly=True) as session:
        if leases.all_finished(session, f"{UNIT_PREFIX}{previous}:", first_of_month):
            return None
    report = close_month(app, previous, wait=False)  # a dead worker's part: next hour
    log.info(
        "month %s closed by this worker: %d invoices issued, %d found issued before",
        previous,
        len(report.issued),
        report.already,
    )  # what operators look for at the start of a month
    return report


def checkpoint_audit_log(app: App) -> None:
    """A signed tree head of the audit log, when a signing key is configured."""
    settings = app.settings
    if not settings.audit_key_file:
        return
    with app.uow() as session:
        audit.make_checkpoint(
            session,
            at=app.clock.now(),
            key_file=Path(settings.audit_key_file),
            witness_dir=Path(settings.audit_witness_dir) if settings.audit_witness_dir else None,
        )


def close_lapsed_access(app: App) -> int:
    """Logs each staff request nobody answered in four days and each grant that ran out
    (access itself stopped at that instant, job or not)."""
    with app.uow() as session:
        return app.access.close_lapsed(session)


def erase_due_customers(app: App) -> list[str]:
    """Customers whose 21-day notice has ended are erased, each in its own transaction
    (certificates are signed, so this needs the key)."""
    if not app.settings.audit_key_file:
        return []
    with app.uow(readonly=True) as session:
        due = app.offboarding.due_for_erasure(session)
    for customer_id in due:
        with app.uow() as session:
            app.offboarding.erase_as_system(session, customer_id, Path(app.settings.audit_key_file))
    return due


def post_json(url: str, body: bytes, signature: str | None) -> int:
    """One POST; any failure to reach the receiver is status 0 (tried again later)."""
    import httpx

    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Andromede-Signature"] = signature
    try:
        return httpx.post(url, content=body, headers=headers, timeout=5.0).status_code
    except httpx.HTTPError:
        return 0


def mailer(relay_url: str, sender: str) -> Callable[[str, bytes, str | None], int]:
    """Mails one notification to a ``mailto:`` through the relay: its message as text,
    the signed JSON body attached, the signature in a header; 202 once the relay took
    it, 0 when it could not (tried again later)."""

    def send(url: str, body: bytes, signature: str | None) -> int:
        import smtplib
        from email.message import EmailMessage

        notification = json.loads(body)
        mail = EmailMessage()
        mail["From"], mail["To"] = sender, url.removeprefix("mailto:")
        mail["Subject"] = f"Andromède: {notification['kind']}"
        if signature:
            mail["X-Andromede-Signature"] = signature
        mail.set_content(notification["message"])
        mail.add_attachment(body, maintype="application", subtype="json",
                            filename="notification.json")  # fmt: skip
        relay = urlsplit(relay_url)
        try:
            with smtplib.SMTP(relay.hostname or "", relay.port or 25, timeout=10) as smtp:
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException):
            return 0
        return 202

    return send


def deliver_webhooks(app: App, post: Callable[[str, bytes, str | None], int] = post_json) -> int:
    """Notifications posted to the webhooks tenants registered (or mailed, for a
    ``mailto:``), in order; one that is not taken stops its webhook's batch until the
    next run. Read in one transaction, sent with none held, recorded in another."""
    mail = mailer(app.settings.smtp_url, app.settings.mail_from)
    with app.uow(readonly=True) as session:
        work = [
            (hook.id, hook.url, [(n.id, json.dumps(notification_body(n)).encode()) for n in rows])
            for hook, rows in app.webhooks.pending(session)
        ]
    key_file = app.settings.audit_key_file
    key = signing.load_private(Path(key_file)) if key_file else None
    sent = 0
    for hook_id, url, items in work:
        done = []
        for notification_id, body in items:
            signature = signing.sign(key, body).hex() if key else None
            send = mail if url.startswith("mailto:") else post
            if not 200 <= send(url, body, signature) < 300:
                break
            done.append(notification_id)
        if done:
            with app.uow() as session:
                app.webhooks.delivered(session, hook_id, done)
        sent += len(done)
    return sent


def periodic_jobs(app: App) -> list[tuple[float, Callable[[], object]]]:
    """What the worker loop runs, each job once per period across all workers (the month
    close shares its partners among them instead); the loop looks every few seconds, so
    a job runs soon after its period starts whichever worker gets there first."""
    once = [
        ("audit-checkpoint", 60.0, checkpoint_audit_log),
        ("lapsed-access", 60.0, close_lapsed_access),
        ("webhooks", 60.0, deliver_webhooks),
        ("erasures", 3600.0, erase_due_customers),
        ("prepaid-charges", 60.0, issue_prepaid_charges),
        ("expiring-commitments", 3600.0, notify_expiring_commitments),
        ("daily-usage", 3600.0, refresh_daily_usage),
        ("held-invoices", 300.0, release_held_invoices),
        ("einvoices-poll", 60.0, poll_einvoices),
        ("payment-reminders", 3600.0, remind_overdue),
        ("schedules", 60.0, run_schedules),
        ("environments", 60.0, run_environments),
        # a user waits on these: a cluster moves on within CLUSTER_STEP of its nodes or
        # daemons being up, not ten seconds later (a pass with nothing moving is one read)
        ("clusters", CLUSTER_STEP, advance_clusters),
        ("cluster-runtime", CLUSTER_STEP, run_cluster_runtime),
    ]
    jobs: list[tuple[float, Callable[[], object]]] = [
        (min(every, LOOK_EVERY), partial(run_once_per_period, app, name, every, _short(job, app)))
        for name, every, job in once
    ]
    outbox = partial(run_once_per_period, app, "einvoices-send", 60.0, partial(send_einvoices, app))
    return [(3600.0, partial(close_previous_month, app)), (LOOK_EVERY, outbox), *jobs]


def _short(job: Callable[[App], object], app: App) -> Callable[[Callable[[], bool]], object]:
    """A job quick enough never to need its lease renewed."""
    return lambda _still_mine: job(app)


def release_held_invoices(app: App) -> list[str]:
    """Months with a held draft that could now go out are closed again: the close is
    idempotent, so it issues exactly those drafts (one-off purchases are retried by
    ``issue_prepaid_charges``); the numbers issued."""
    with app.uow(readonly=True) as session:
        months = app.issuing.releasable_months(session)
    issued: list[str] = []
    for month in months:
        issued.extend(close_month(app, month).issued)
    return issued


def send_einvoices(app: App, still_mine: Callable[[], bool] = lambda: True) -> int:
    """Documents waiting in the outbox, produced and handed to the platform, a batch at a
    time; after a large close that takes long, so the lease is renewed between batches."""
    return app.documents.send_ready(app.uow, keep_going=still_mine)


def poll_einvoices(app: App) -> int:
    """Lifecycle statuses the platforms reported since the last poll."""
    return app.documents.poll(app.uow)


def remind_overdue(app: App) -> int:
    with app.uow() as session:
        return app.payments.remind_overdue(session)


def issue_prepaid_charges(app: App) -> int:
    """What prepaid purchases made due and nobody issued yet (the upfront part of a
    reservation whose start has come), each in its own transaction; a purchase starting
    now was invoiced with the purchase."""
    with app.uow(readonly=True) as session:
        due = app.issuing.prepaid_due(session)
    for purchase_id in due:
        with app.uow() as session:
            app.issuing.issue_prepaid(session, purchase_id)
    return len(due)


def notify_expiring_commitments(app: App) -> int:
    with app.uow() as session:
        return app.commitments.notify_expiring(session)


def refresh_daily_usage(app: App) -> int:
    """The figures of the days that ended since the last run, for the dashboard."""
    with app.uow() as session:
        vcpus = {f.name: f.vcpus for f in app.catalog.all_flavors(session)}
        days = app.metering.refresh_daily(session, app.clock.now(), vcpus)
    with app.uow() as session:
        return days + app.plans.refresh_revenue(session)


def run_schedules(app: App) -> int:
    """One scheduler pass: decide in one read, act in batches (each its own transaction),
    record. Returns how many servers it started or stopped."""
    now = app.clock.now()
    with app.uow(readonly=True) as session:
        planned = app.scheduler.plan(session, now)
    work = [(item, decision) for item in planned for decision in item.result.decisions]
    tally: dict[str, Acted] = {}
    for start in range(0, len(work), BATCH):
        with app.uow() as session:
            app.scheduler.act(session, work[start : start + BATCH], tally)
    with app.uow() as session:
        app.scheduler.record(session, planned, tally, now)
    return sum(t.started + t.stopped for t in tally.values())


def advance_clusters(app: App) -> int:
    """Clusters in motion move on: nodes up → configured → active, drained nodes removed,
    deleted clusters forgotten once their nodes are gone."""
    with app.uow() as session:
        return app.clusters.advance(session)


def run_cluster_runtime(app: App) -> int:
    """Clusters started on (or stopped from) their runtime, jobs submitted, followed and
    killed: planned in one transaction, done with none held, recorded in another."""
    with app.uow(readonly=True) as session:
        work = app.jobs.plan(session)
    done = app.jobs.perform(work)
    with app.uow() as session:
        app.jobs.record(session, done)
    return len(done.ready) + len(done.stopped) + len(done.submitted) + len(done.runs)


def run_environments(app: App) -> int:
    """Environments whose time to live ran out are stopped, expired ones deleted, with
    notices beforehand."""
    with app.uow() as session:
        return app.environments.run_due(session)
