"""A month close plans its partners in parts (``close_parts``), each part from its own
partners' usage alone, so that workers closing together share the planning as well as
the issuing: the drafts are those of the whole month, each partner planned once, and the
runs open at the month's end are sealed only once every partner is done."""

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from andromede import leases
from andromede.billing.statements import Draft
from andromede.billing.store import Invoice
from andromede.bootstrap import App, build
from andromede.compute.run_carry_store import CarryPoint, RunCarry
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from andromede.kernel.months import month_period
from andromede.metering.segments import Carried
from andromede.tenancy.store import Partner
from andromede.worker.jobs import close_month
from andromede.worker.shared import run_units
from tests.integration.builders import World, auth, ok
from tests.integration.month_of_usage import bench, month_of_usage

MONTH = "2026-10"
END = month_period(MONTH)[1]


def closing(container: App, clock: FrozenClock, parts: int) -> App:
    return build(replace(container.settings, close_parts=parts), clock=clock)


def shape(drafts: list[Draft]) -> list[tuple[object, ...]]:
    return sorted(
        (d.close_key, d.kind, d.partner_id, [(x.sku, x.quantity, x.unit_price, x.amount)
                                             for x in d.lines])
        for d in drafts
    )  # fmt: skip


def stored(app: App) -> tuple[int, int, int]:
    """Invoices (with distinct close keys), runs recorded, and whether they are sealed."""
    with app.uow(readonly=True) as session:
        keys = session.scalars(select(Invoice.close_key)).all()
        runs = session.scalar(select(func.count()).select_from(RunCarry)) or 0
        sealed = int(session.get(CarryPoint, END) is not None)
    assert len(keys) == len(set(keys))
    return len(keys), runs, sealed


def test_the_drafts_planned_in_parts_are_the_whole_months(container: App) -> None:
    """With reservations (those customers' pieces are kept and covered one by one): each
    part's drafts and open runs, put together, are the whole month's."""
    clock, _ = month_of_usage(container, 200)
    app = build(container.settings, clock=clock)
    bench().reserve(app, 30, 8)
    with app.uow(readonly=True) as session:
        partners = sorted(session.scalars(select(Partner.id)))
        whole, still_open = app.issuing.plan_close(session, MONTH)
        found: list[Draft] = []
        opened: dict[tuple[str, str], object] = {}
        for part in (partners[:7], partners[7:30], partners[30:]):
            drafts, runs = app.issuing.plan_close(session, MONTH, frozenset(part))
            assert {d.partner_id for d in drafts} <= set(part)
            customers = app.issuing.parties(session, frozenset(part))[1]  # its own only
            assert customers and {c.partner_id for c in customers.values()} <= set(part)
            assert not opened.keys() & runs.keys()
            found.extend(drafts)
            opened.update(runs)
    assert shape(found) == shape(whole) and len(whole) > 40
    charged = [x for d in whole for x in d.lines if x.sku.startswith("reservation:")]
    assert charged  # the reservations' hourly charges, each in its partner's part
    assert opened == still_open and still_open
    app.engine.dispose()


@pytest.mark.parametrize("parts", [1, 4])
def test_a_close_plans_each_partner_once(container: App, parts: int) -> None:
    clock, planned = month_of_usage(container, 200)
    app = closing(container, clock, parts)
    seen: list[frozenset[str]] = []
    plan_close = app.issuing.plan_close

    def recorded(
        session: Session, month: str, only: Collection[str] | None = None
    ) -> tuple[list[Draft], Carried]:
        assert only is not None
        seen.append(frozenset(only))
        return plan_close(session, month, only)

    app.issuing.plan_close = recorded  # type: ignore[method-assign]
    report = close_month(app, MONTH)
    with app.uow(readonly=True) as session:
        partners = set(session.scalars(select(Partner.id)))
    assert len(seen) == parts and set().union(*seen) == partners
    assert sum(map(len, seen)) == len(partners)  # each partner in one part
    assert len(report.issued) == planned and stored(app) == (planned, 2 * 200, 1)
    app.engine.dispose()


def test_the_open_runs_are_sealed_once_every_partner_is_done(container: App) -> None:
    """A worker that died holding a partner: the parts done record their servers' open
    runs, but the next month would not start from them while that partner is undone (it
    would miss its servers' runs); the close that finishes it seals them."""
    clock, planned = month_of_usage(container, 60)
    app = closing(container, clock, 2)
    with app.uow(readonly=True) as session:  # a partner with servers, so with invoices
        first = session.scalars(select(Server.partner_id).order_by(Server.id)).first()
    unit = f"close:{MONTH}:{first}"
    with app.uow() as session:
        leases.ensure(session, [unit], clock.now())
        assert leases.claim_free(session, unit, "dead-worker", clock.now(), timedelta(hours=1))
    report = close_month(app, MONTH, wait=False)
    issued, runs, sealed = stored(app)
    assert 0 < issued == len(report.issued) < planned and 0 < runs < 2 * 60 and not sealed
    clock.advance(timedelta(hours=2))  # the dead worker's lease ran out
    again = close_month(app, MONTH, wait=False)
    assert stored(app) == (planned, 2 * 60, 1) and len(again.issued) == planned - issued
    app.engine.dispose()


def units_run(
    app: App, work: Callable[[str], None], after: datetime | None = None
) -> tuple[list[str], list[list[str]]]:
    """run_units over three units in parts of two: (units worked, parts prepared)."""
    worked: list[str] = []
    prepared: list[list[str]] = []

    def one(unit: str, still_mine: Callable[[Session], bool]) -> None:
        with app.uow() as session:
            assert still_mine(session)
        work(unit)
        worked.append(unit)

    names = ["close:y:a", "close:y:b", "close:y:c"]
    run_units(app, names, one, wait=False, prepare=prepared.append, parts=2, after=after)
    return sorted(worked), prepared


def test_a_unit_whose_work_failed_is_not_done(container: App, clock: FrozenClock) -> None:
    """Let go with its error, it counts as not done, and the next run does it."""

    def fails_on_b(unit: str) -> None:
        if unit == "close:y:b":
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        units_run(container, fails_on_b)
    with container.uow(readonly=True) as session:
        row = session.get(leases.JobLease, "close:y:b")
        assert row is not None and row.holder is None and "went away" in (row.last_error or "")
        assert not leases.all_finished(session, "close:y:", clock.now())
    clock.advance(timedelta(seconds=1))
    worked, _ = units_run(container, lambda unit: None)
    assert worked == ["close:y:a", "close:y:b", "close:y:c"]
    with container.uow(readonly=True) as session:
        assert leases.all_finished(session, "close:y:", clock.now())


def test_units_another_worker_finished_meanwhile_are_left_alone(
    container: App, clock: FrozenClock
) -> None:
    """In parts of two, each part prepared once; a unit another worker finished after this
    one began is neither prepared nor worked again, one finished before it began is."""
    began = clock.now()
    with container.uow() as session:
        leases.ensure(session, ["close:y:a", "close:y:b", "close:y:c"], began)
        for unit in ("close:y:a", "close:y:b"):
            assert leases.claim_free(session, unit, "other", began, timedelta(minutes=5))
        assert leases.release(session, "close:y:a", "other", began)  # as this one began
    clock.advance(timedelta(seconds=1))
    with container.uow() as session:
        assert leases.release(session, "close:y:b", "other", clock.now())  # meanwhile
    worked, prepared = units_run(container, lambda unit: None, after=began)
    assert worked == ["close:y:a", "close:y:c"] and sorted(map(sorted, prepared)) == [
        ["close:y:a", "close:y:c"]
    ]


def test_a_part_invoices_its_own_partners_addresses_only(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    """What is not a server's own usage (here a public address held) is read for the
    whole cloud and lands in the part of the partner it is billed to, in no other."""
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    member = auth(world.a.tokens["customer-member"])
    networks = ok(client.get(f"/v1/networks?project_id={world.a.project_id}", headers=member))
    public = next(n for n in networks["items"] if n["external"] and n["region"] == "fr-par-1")
    body = {"project_id": world.a.project_id, "network_id": public["id"]}
    ok(client.post("/v1/floating-ips", headers=member, json=body), 201)
    clock.set(datetime(2026, 11, 1, 2, tzinfo=UTC))
    with container.uow(readonly=True) as session:
        whole, _ = container.issuing.plan_close(session, MONTH)
        theirs = {
            partner: container.issuing.plan_close(session, MONTH, frozenset([partner]))[0]
            for partner in (world.a.partner_id, world.b.partner_id)
        }
        start, end = month_period(MONTH)
        read = {  # what a part reads besides its servers: its partners' addresses only
            partner: container.metering.beside(session, [], [], start, end, (), None, {partner})
            for partner in (world.a.partner_id, world.b.partner_id)
        }
    assert [s.dimension for s in read[world.a.partner_id]] == ["floating_ip"]
    assert read[world.b.partner_id] == []
    held = {d.partner_id for d in whole for x in d.lines if x.sku == "floating-ip:fr-par-1"}
    assert held == {world.a.partner_id}
    assert shape(theirs[world.a.partner_id]) == shape(
        [d for d in whole if d.partner_id == world.a.partner_id]
    )
    assert all(d.partner_id == world.b.partner_id for d in theirs[world.b.partner_id])


def test_partners_with_nothing_to_invoice_cost_a_close_no_statement(container: App) -> None:
    """Every partner is a unit of the close, most with nothing to invoice in a month: 25
    more of them add no statement to a close (each added two transactions: its unit
    taken, then let go), and none of their units is left undone."""
    clock, planned = month_of_usage(container, 20)
    app = build(container.settings, clock=clock)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    def close_counted(month: str) -> int:
        statements.clear()
        event.listen(app.engine, "before_cursor_execute", count)
        try:
            close_month(app, month, wait=False)
        finally:
            event.remove(app.engine, "before_cursor_execute", count)
        return len(statements)

    first = close_counted("2026-07")
    bench().idle_partners(app, 25)
    assert close_counted("2026-08") == first
    with app.uow(readonly=True) as session:
        assert leases.all_finished(session, "close:2026-08:", clock.now())
        units = session.scalar(
            select(func.count()).where(leases.JobLease.name.startswith("close:2026-08:"))
        )
        assert units == 40 + 25  # the bench's partners and the new ones
    assert len(close_month(app, MONTH).issued) == planned
    app.engine.dispose()


class Watched:
    """A ``CloseProgress`` that keeps what it was told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, int, int]] = []

    def partners(self, count: int) -> None:
        self.told.append(("partners", count, 0))

    def planned(self, partners: int, invoices: int) -> None:
        self.told.append(("planned", partners, invoices))

    def issued(self, invoices: int) -> None:
        self.told.append(("issued", invoices, 0))

    def total(self, what: str, second: bool = False) -> int:
        return sum(c if second else b for a, b, c in self.told if a == what)


def test_a_close_tells_its_progress(container: App) -> None:
    """The partners first, then each part as it is planned (its partners and invoices),
    and the invoices as they are issued; closing again tells them found issued."""
    clock, planned = month_of_usage(container, 200)
    app = closing(container, clock, 3)
    with app.uow(readonly=True) as session:
        partners = len(session.scalars(select(Partner.id)).all())
    for _ in range(2):
        watched = Watched()
        close_month(app, MONTH, progress=watched)
        assert watched.told[0] == ("partners", partners, 0)
        assert [t[0] for t in watched.told].count("planned") == 3
        assert watched.total("planned") == partners
        assert watched.total("planned", second=True) == watched.total("issued") == planned
    assert stored(app)[0] == planned
    app.engine.dispose()
