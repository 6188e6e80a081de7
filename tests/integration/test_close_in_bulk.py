"""A month close builds its usage in bulk (a tuple per event, per segment, per rated
piece: hundreds of thousands for 10,000 servers) with Python's cyclic collector paused:
left on, it walked those tuples again every few hundred allocations, 40 % of the plan's
time. It is on again once the plan is made; the close keeps it paused while it issues
too."""

import gc
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta, timezone
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from andromede.billing.store import Invoice, InvoiceLine
from andromede.bootstrap import App, build
from andromede.db import COPY_FROM, insert_loaded, insert_rows
from andromede.kernel.ids import new_id
from andromede.worker.jobs import close_month
from tests.integration.month_of_usage import month_of_usage


@pytest.fixture(autouse=True)
def pythons_own_thresholds() -> Iterator[None]:
    """The counts below are of Python's own collector thresholds: the test run raises
    them (tests/conftest.py), which would let a close that forgot its pause pass."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_a_month_is_planned_without_the_collector_walking_its_usage(container: App) -> None:
    clock, planned = month_of_usage(container, 100)  # 3,000 events: thousands of tuples
    app = build(container.settings, clock=clock)
    collections: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with app.uow(readonly=True) as session:
        assert gc.isenabled()
        gc.callbacks.append(note)
        try:
            drafts = app.issuing.plan(session, "2026-10")
        finally:
            gc.callbacks.remove(note)
    assert len(drafts) == planned > 0
    # none over the month's usage while it is built: at most one as the pause begins
    # (before the usage exists) and one as it ends; left on, the collector passed twenty
    # times over this small month (3,000 events)
    assert len(collections) <= 2, len(collections)
    assert gc.isenabled()  # and back on afterwards
    app.engine.dispose()


def test_a_close_issues_without_the_collector_walking_its_drafts(container: App) -> None:
    """Each batch of a hundred invoices writes tens of thousands of rows while the
    month's drafts are alive: the collector, left on, walked them all again and again."""
    clock, planned = month_of_usage(container, 100)
    app = build(container.settings, clock=clock)
    collections: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(note)
    try:
        report = close_month(app, "2026-10")
    finally:
        gc.callbacks.remove(note)
    assert len(report.issued) == planned > 0
    assert len(collections) <= 1, collections  # at most as the pause ends
    assert gc.isenabled()
    app.engine.dispose()


def test_a_close_keys_its_invoices_and_lines_in_the_order_it_writes_them(container: App) -> None:
    """Keys that grow as the rows are written go in at the right end of the keys' index:
    random ones made each of a close's 240,000 invoice lines land on another page."""
    clock, planned = month_of_usage(container, 100)
    app = build(container.settings, clock=clock)
    assert len(close_month(app, "2026-10").issued) == planned > 0
    with app.uow(readonly=True) as s:
        rows = s.execute(
            select(Invoice.id, Invoice.issuer_key, Invoice.number, InvoiceLine.id)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .order_by(Invoice.issuer_key, Invoice.number, InvoiceLine.position)
        ).all()
    assert len({r[0] for r in rows}) == planned
    for issuer in {r[1] for r in rows}:  # each issuer numbers its invoices as it writes them
        written = [key for r in rows if r[1] == issuer for key in (r[0], r[3])]
        written = list(dict.fromkeys(written))  # an invoice's id, then its lines' ids
        assert written == sorted(written)
        assert all(uuid.UUID(key).version == 7 for key in written)
    app.engine.dispose()


def test_rows_in_bulk_are_stored_as_sqlalchemy_stores_them(container: App) -> None:
    """``insert_rows`` converts each value itself (its column type's own conversion):
    what lands in the table must be, column by column and in the database's own form,
    what SQLAlchemy's ``execute`` writes — money, dates, instants, JSON (a JSON null
    included) and flags."""
    rows = [_invoice_row(container, "BULK-2026-000002"), _invoice_row(container, "ORM-2026-1")]
    for row in rows:
        row.update(invoicer=None, vat_on_debits=True)
    with container.uow() as session:
        insert_rows(session, Invoice, [rows[0]])
        session.execute(cast(Table, Invoice.__table__).insert(), [rows[1]])
    stored = _stored(container, "number IN ('BULK-2026-000002', 'ORM-2026-1')")
    assert stored["BULK-2026-000002"] == stored["ORM-2026-1"]


def test_instants_given_many_times_are_stored_as_each_is(container: App) -> None:
    """A batch's times and dates are converted once per distinct value: the same instant
    given twice, or in another zone, or a microsecond apart, lands as SQLAlchemy's
    ``execute`` writes each (as UTC), and the dates beside them too."""
    now = container.clock.now()
    paris = timezone(timedelta(hours=1))
    instants = [now, now, now.astimezone(paris), now + timedelta(microseconds=1), now]
    rows = [_invoice_row(container, f"SAME-2026-{n:06d}") for n in range(len(instants))]
    for n, (row, at) in enumerate(zip(rows, instants, strict=True)):
        row.update(created_at=at, issue_date=date(2026, 11, 1 + n % 2), invoicer=None)
    references = [dict(r, id=new_id(), number=f"REF-2026-{n:06d}") for n, r in enumerate(rows)]
    with container.uow() as session:
        insert_loaded(session, Invoice, rows)  # every column given: converted here
        session.execute(cast(Table, Invoice.__table__).insert(), references)
    stored = _stored(container, "substr(number, 1, 5) = 'SAME-' OR substr(number, 1, 4) = 'REF-'")
    assert len(stored) == 2 * len(rows)
    for row, reference in zip(rows, references, strict=True):
        assert stored[row["number"]] == stored[reference["number"]]
    with container.uow(readonly=True) as session:
        found = session.execute(select(Invoice.number, Invoice.created_at)).all()
    read = {number: created for number, created in found if number.startswith("SAME")}
    assert [read[r["number"]] for r in rows] == instants


def _stored(container: App, where: str) -> dict[str, tuple[Any, ...]]:
    """Invoices as the database holds them, by number: the columns each type converts."""
    with container.uow(readonly=True) as session:
        return {
            row[0]: tuple(row[1:])
            for row in session.connection().exec_driver_sql(
                "SELECT number, issuer, recipient, issue_date, total_excl_vat, vat_total,"
                " vat_breakdown, mentions, created_at, invoicer, vat_on_debits, reason"
                f" FROM invoices WHERE {where}"
            )
        }


def test_many_rows_in_bulk_are_stored_as_one_row_is(container: App) -> None:
    """From ``COPY_FROM`` rows on, PostgreSQL takes them by COPY (no INSERT is sent): what
    lands must still be what SQLAlchemy's ``execute`` writes, text that COPY's format
    escapes included (quotes, backslashes, tabs, line ends), and it must belong to the
    caller's transaction (a failure after the rows leaves none)."""
    awkward = 'Opérateur "Nord"\t\\ 1\nligne 2'
    rows = [_invoice_row(container, f"MANY-2026-{n:06d}") for n in range(COPY_FROM)]
    for n, row in enumerate(rows):
        row.update(
            issuer={"name": awkward},
            mentions=[awkward, None],
            invoicer=None if n % 2 else {"name": awkward},
            vat_on_debits=bool(n % 2),
            reason=None if n % 3 else awkward,
        )
    references = {  # the same rows, as SQLAlchemy writes them
        row["number"]: dict(row, id=new_id(), number=f"ORM-2026-{n}")
        for n, row in enumerate([rows[0], rows[-1]], start=2)
    }
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    with pytest.raises(RuntimeError, match="after the rows"), container.uow() as session:
        insert_rows(session, Invoice, rows)
        raise RuntimeError("after the rows")
    with container.uow() as session:
        event.listen(container.engine, "before_cursor_execute", note)
        try:
            insert_rows(session, Invoice, rows)
        finally:
            event.remove(container.engine, "before_cursor_execute", note)
        session.execute(cast(Table, Invoice.__table__).insert(), list(references.values()))
    inserts = [s for s in sent if s.startswith("INSERT INTO invoices")]
    assert len(inserts) == (0 if container.engine.dialect.name == "postgresql" else 1)
    stored = _stored(
        container, "substr(number, 1, 5) = 'MANY-' OR number IN ('ORM-2026-2', 'ORM-2026-3')"
    )
    assert len(stored) == COPY_FROM + 2  # each once: the failed transaction left none
    for number, reference in references.items():
        assert stored[number] == stored[reference["number"]]
    first = stored[rows[0]["number"]]
    assert first[0] in ({"name": awkward}, json.dumps({"name": awkward}))
    assert first[-1] == awkward  # the reason, as text


def _invoice_row(container: App, number: str) -> dict[str, Any]:
    day = date(2026, 11, 2)
    return {
        "id": new_id(),
        "number": number,
        "kind": "direct",
        "issuer_key": "operator",
        "issuer": {"name": "Opérateur"},
        "recipient": {"name": "Client"},
        "issue_date": day,
        "period_start": day,
        "period_end": day,
        "due_date": day,
        "currency": "EUR",
        "total_excl_vat": Decimal("10.00"),
        "vat_total": Decimal("2.00"),
        "total_incl_vat": Decimal("12.00"),
        "vat_breakdown": {"0.20": "2.00"},
        "mentions": ["Pas d'escompte."],
        "created_at": container.clock.now(),
    }


def test_rows_written_in_bulk_are_then_loaded_objects(container: App) -> None:
    """``insert_loaded``: the objects it hands back are the session's own for their rows,
    a column left out takes its default, and a later change is an UPDATE that lands."""
    row = _invoice_row(container, "BULK-2026-000001")
    with container.uow() as session:
        (invoice,) = insert_loaded(session, Invoice, [row])
        assert session.get(Invoice, row["id"]) is invoice
        assert invoice.vat_on_debits is False and invoice.reason is None
        invoice.reason = "changed after the insert"
    with container.uow(readonly=True) as session:
        stored = session.get(Invoice, row["id"])
        assert stored is not None
        assert stored.reason == "changed after the insert"
        assert stored.vat_on_debits is False
        assert stored.total_incl_vat == Decimal("12.00")
        assert stored.recipient == {"name": "Client"}


def test_rows_in_bulk_can_skip_the_keys_already_taken(container: App) -> None:
    """``insert_rows(..., skip_taken=True)``: a row whose key is taken is left out (the
    one stored stays), the others go in, nothing fails; without it, the insert fails."""
    taken = _invoice_row(container, "BULK-2026-000003")
    with container.uow() as session:
        insert_rows(session, Invoice, [taken])
    again = dict(taken, number="BULK-2026-000004")  # the same id
    other = _invoice_row(container, "BULK-2026-000005")
    with container.uow() as session:
        insert_rows(session, Invoice, [again, other], skip_taken=True)
    with container.uow(readonly=True) as session:
        numbers = session.scalars(select(Invoice.number).where(Invoice.number.like("BULK-%")))
        assert sorted(numbers) == ["BULK-2026-000003", "BULK-2026-000005"]
    with pytest.raises(IntegrityError), container.uow() as session:
        insert_rows(session, Invoice, [dict(again, number="BULK-2026-000006")])


def _sent_inserts(container: App, write: Callable[[Session], None]) -> list[str]:
    """The INSERT statements ``write`` sends, in a transaction of its own."""
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    with container.uow() as session:
        event.listen(container.engine, "before_cursor_execute", note)
        try:
            write(session)
        finally:
            event.remove(container.engine, "before_cursor_execute", note)
    return [s for s in sent if s.startswith("INSERT INTO invoices")]


def _copyable_row(container: App, number: str) -> dict[str, Any]:
    """An invoice row naming every column with a default here: one that leaves such a
    column out goes through ``execute``, which fills it in, never by COPY."""
    return dict(_invoice_row(container, number), vat_on_debits=False)


def test_many_rows_skipping_taken_keys_go_by_copy_unless_one_is_taken(container: App) -> None:
    """From ``COPY_FROM`` rows on, rows that may skip taken keys go by COPY on PostgreSQL
    when none is taken (no INSERT sent); when one is, nothing of the COPY stays and the
    rows go by INSERT ... ON CONFLICT DO NOTHING: the taken row keeps what it held, the
    others go in once, and the transaction goes on."""
    postgres = container.engine.dialect.name == "postgresql"
    fresh = [_copyable_row(container, f"SKIP-2026-{n:06d}") for n in range(COPY_FROM)]
    inserts = _sent_inserts(container, lambda s: insert_rows(s, Invoice, fresh, skip_taken=True))
    assert len(inserts) == (0 if postgres else 1)
    taken = dict(fresh[-1], number="SKIP-2026-TAKEN")  # the id of one stored above
    more = [_copyable_row(container, f"SKIP-2026-{n:06d}") for n in range(COPY_FROM, 2 * COPY_FROM)]
    after = _copyable_row(container, "SKIP-2026-AFTER")

    def write_again(session: Session) -> None:
        insert_rows(session, Invoice, [*more, taken], skip_taken=True)
        insert_rows(session, Invoice, [after])  # the transaction is still usable

    assert len(_sent_inserts(container, write_again)) == 2
    stored = _stored(container, "substr(number, 1, 5) = 'SKIP-'")
    assert len(stored) == 2 * COPY_FROM + 1
    assert "SKIP-2026-TAKEN" not in stored


def test_rows_skipping_taken_keys_wait_for_a_writer_of_the_same_key(container: App) -> None:
    """A key another transaction is writing at the same moment: the bulk insert waits for
    it, then leaves that row out (on PostgreSQL its COPY fails on the key and the rows go
    by INSERT; on SQLite the second transaction waits for the writer lock)."""
    rows = [_copyable_row(container, f"RACE-2026-{n:06d}") for n in range(COPY_FROM)]
    first = dict(rows[0], number="RACE-2026-FIRST")
    done = threading.Event()
    with container.uow() as session:
        insert_rows(session, Invoice, [first])
        second = threading.Thread(target=_insert_skipping, args=(container, rows, done))
        second.start()
        assert not done.wait(0.5)  # it waits on the key this transaction holds
    second.join(30)
    assert done.is_set()
    stored = _stored(container, "substr(number, 1, 5) = 'RACE-'")
    assert len(stored) == COPY_FROM and "RACE-2026-FIRST" in stored


def _insert_skipping(container: App, rows: list[dict[str, Any]], done: threading.Event) -> None:
    with container.uow() as session:
        insert_rows(session, Invoice, rows, skip_taken=True)
    done.set()
