"""Month close at scale: N servers with about 30 state changes each over October, one list
price change mid-month, 40 partners, N/5 customers. Times deriving segments, rating, the
whole close (plan and issue every invoice, one transaction each) and the exports.

With ``--reservations R``, the same month is closed a second time on a fresh database
that also holds R reservations spread over ``--reservation-customers`` customers, each
matching the flavor and region of one of that customer's servers: the difference is what
hourly reservation matching (and the reservations' hourly charges) adds to the close.

With ``--history M``, M months from October follow one another, each closed in turn, and
the last one's close is timed from the runs the close before carried and from the whole
history.

With ``--workers N …``, the same month is closed by N worker processes started together,
each as the worker's hourly close does (what it can take, then it returns), on a copy of
one seeded database per count: the time until every partner is done, beside one worker's
in the same run, and against the I/O floor measured on the last copy once closed. Each
worker's clock moves as real time does.

On SQLite by default (a file in a temporary folder); ``--engine postgresql`` seeds and
closes a fresh database on ``--postgres``'s server instead, and measures the floor there.

Usage: python benchmarks/billing.py [--servers 1000 10000 50000] [--runs 1] [--smoke]
                                    [--engine sqlite|postgresql]
       python benchmarks/billing.py --servers 10000 --reservations 2000 --runs 3
       python benchmarks/billing.py --servers 10000 --history 3 --runs 3
       python benchmarks/billing.py --servers 10000 --engine postgresql --workers 1 2 3
"""

import argparse
import multiprocessing
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from andromede import leases
from andromede.billing.exports import write_exports
from andromede.billing.rating import rate
from andromede.billing.reserved_rating import cover
from andromede.bootstrap import App, build
from andromede.catalog.store import Flavor, Image
from andromede.cli.demo import load_catalog
from andromede.compute.run_carry_store import CarryPoint
from andromede.compute.store import Server, ServerEvent
from andromede.config import Settings, load_settings
from andromede.db import STREAM_ROWS
from andromede.kernel.clock import FrozenClock
from andromede.kernel.collector import collector_paused
from andromede.kernel.ids import new_id
from andromede.kernel.months import month_bounds
from andromede.prepaid.store import ReservationRow
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.store import Customer, Partner, Project
from andromede.worker.jobs import close_month

OP = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))  # seeding
START = datetime(2026, 10, 1, tzinfo=UTC)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MONTH_SECONDS = 31 * 86400
PARTNERS = 40
SIREN, VAT = "732829320", "FR44732829320"


def partner_rows(count: int, first: int = 0) -> list[dict[str, Any]]:
    """Partners numbered from ``first``; number 0 is the house, the others MSPs."""
    now = START - timedelta(days=1)
    return [
        {
            "id": new_id(),
            "name": f"Partner {n}",
            "kind": "house" if n == 0 else "msp",
            "tier": ["house", "registered", "silver", "gold"][min(n, 1 + n % 3)],
            "country": "FR",
            "siren": SIREN,
            "vat_number": VAT,
            "address": "x",
            "created_at": now,
            "invoice_prefix": f"P{n:03d}",
            "mandate_accepted_on": now.date(),
        }
        for n in range(first, first + count)
    ]


def idle_partners(app: App, count: int) -> None:
    """``count`` more partners, with no customer: nothing to invoice in any month."""
    with app.uow() as s:
        first = s.scalar(select(func.count()).select_from(Partner)) or 0
        s.execute(insert(Partner), partner_rows(count, first))


def seed(app: App, servers: int, rnd: random.Random) -> None:
    now = START - timedelta(days=1)
    with app.uow() as s:
        partners = partner_rows(PARTNERS)
        s.execute(insert(Partner), partners)
        customers = [
            {
                "id": new_id(),
                "partner_id": partners[n % PARTNERS]["id"],
                "name": f"Customer {n}",
                "country": "FR",
                "siren": SIREN,
                "vat_number": VAT,
                "address": "y",
                "public_sector": False,
                "created_at": now,
            }
            for n in range(max(servers // 5, 1))
        ]
        s.execute(insert(Customer), customers)
        projects = [
            {
                "id": new_id(),
                "partner_id": c["partner_id"],
                "customer_id": c["id"],
                "name": "default",
                "created_at": now,
            }
            for c in customers
        ]
        s.execute(insert(Project), projects)
        flavors = list(s.execute(select(Flavor.id, Flavor.vcpus, Flavor.ram_mib, Flavor.disk_gib)))
        image = s.execute(select(Image.id)).scalars().first()
        rows, events = [], []
        for n in range(servers):
            project = projects[n % len(projects)]
            flavor = flavors[n % len(flavors)]
            region = ["fr-par-1", "fr-rns-1", "fr-lyo-1"][n % 3]
            server_id = new_id()
            rows.append(
                {
                    "id": server_id,
                    "name": f"s{n}",
                    "status": "ACTIVE",
                    "desired": "ACTIVE",
                    "flavor_id": flavor.id,
                    "image_id": image,
                    "region_code": region,
                    "zone_code": f"{region}a",
                    "vcpus": flavor.vcpus,
                    "ram_mib": flavor.ram_mib,
                    "disk_gib": flavor.disk_gib,
                    "root_volume_gib": None if flavor.disk_gib else 10,
                    "created_by": "bench",
                    "created_at": START,
                    "updated_at": START,
                    "partner_id": project["partner_id"],
                    "customer_id": project["customer_id"],
                    "project_id": project["id"],
                }
            )
            times = sorted(rnd.randrange(0, MONTH_SECONDS) for _ in range(29))
            states = ["ACTIVE" if i % 2 == 0 else "SHUTOFF" for i in range(29)]
            for at, status, before in zip(
                [0, *times], ["BUILD", *states], [None, "BUILD", *states[:-1]], strict=True
            ):
                events.append(
                    {
                        "server_id": server_id,
                        "at": START + timedelta(seconds=at),
                        "from_status": before,
                        "to_status": status,
                        "host_id": None,
                        "region_code": region,
                        "flavor_id": flavor.id,
                        "project_id": project["id"],
                        "customer_id": project["customer_id"],
                        "partner_id": project["partner_id"],
                    }
                )
        s.execute(insert(Server), rows)
        store_events(s, events)


def another_month(app: App, start: datetime, rnd: random.Random) -> None:
    """Another month of the same servers after the seeded one: each stopped and started
    again 30 times in the 30 days from ``start`` (a month close reads these, and without
    the runs carried from the month before, every earlier change too)."""
    with app.uow() as s:
        columns = (Server.id, Server.region_code, Server.flavor_id, Server.project_id)
        owners = (Server.customer_id, Server.partner_id)
        servers = s.execute(select(*columns, *owners).order_by(Server.id)).all()
        events = []
        for server_id, region, flavor, project, customer, partner in servers:
            times = sorted(rnd.randrange(0, 30 * 86400) for _ in range(30))
            states = ["SHUTOFF" if i % 2 == 0 else "ACTIVE" for i in range(30)]
            for at, status, before in zip(times, states, ["ACTIVE", *states[:-1]], strict=True):
                events.append(
                    {
                        "server_id": server_id,
                        "at": start + timedelta(seconds=at),
                        "from_status": before,
                        "to_status": status,
                        "host_id": None,
                        "region_code": region,
                        "flavor_id": flavor,
                        "project_id": project,
                        "customer_id": customer,
                        "partner_id": partner,
                    }
                )
        store_events(s, events)


def store_events(session: Session, events: list[dict[str, Any]]) -> None:
    """In the order they happened, as a real month's changes lie in the table (stored
    server by server, they made the close's read along its index find each server's rows
    side by side: 100,000 servers' October read 11-15 s faster on SQLite than in time
    order, with the index that did not hold every column read)."""
    events.sort(key=lambda event: event["at"])
    for i in range(0, len(events), 50_000):
        session.execute(insert(ServerEvent), events[i : i + 50_000])


def reserve(app: App, count: int, customers: int) -> None:
    """``count`` reservations over the first ``customers`` customers (by id), each on the
    flavor and region of one of the customer's servers, in force all October."""
    with app.uow() as s:
        rows = s.execute(
            select(Server.customer_id, Server.partner_id, Server.region_code, Flavor)
            .join(Flavor, Flavor.id == Server.flavor_id)
            .order_by(Server.customer_id, Server.name)
        ).all()
        by_customer: dict[str, list[tuple[str, str, Flavor]]] = {}
        for customer_id, partner_id, region, flavor in rows:
            by_customer.setdefault(customer_id, []).append((partner_id, region, flavor))
        chosen = sorted(by_customer)[:customers]
        start = datetime(2026, 6, 1, tzinfo=UTC)
        price = Decimal("0.0100")
        values = []
        for n in range(count):
            customer_id = chosen[n % len(chosen)]
            servers = by_customer[customer_id]
            partner_id, region, flavor = servers[(n // len(chosen)) % len(servers)]
            rid = new_id()
            values.append(
                {
                    "id": rid,
                    "number": f"RES-{rid[:8].upper()}",
                    "partner_id": partner_id,
                    "customer_id": customer_id,
                    "flavor": flavor.name,
                    "family": flavor.family,
                    "region": region,
                    "size_units": flavor.size_units,
                    "count": 1,
                    "term": "1y",
                    "payment": "no-upfront",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=8760),
                    **{
                        f"{layer}_{part}": price if part == "hourly" else Decimal(0)
                        for layer in ("list", "wholesale", "resale")
                        for part in ("upfront", "hourly")
                    },
                    "upfront_invoiced": True,
                    "created_at": start,
                    "created_by": "bench",
                }
            )
        s.execute(insert(ReservationRow), values)


def month_to_close(
    servers: int,
    workdir: Path,
    reservations: int = 0,
    reservation_customers: int = 0,
    url: str | None = None,
) -> App:
    """A database holding October's usage of ``servers`` servers, its clock on 1 November:
    a SQLite file in ``workdir`` unless ``url`` names another (an empty one)."""
    url = url or f"sqlite:///{workdir / 'billing.db'}"
    upgrade(url)
    clock = FrozenClock(START - timedelta(days=2))
    settings = load_settings(
        env={}, database_url=url, sim_state_path=str(workdir / "hv.db"), kms_dir=str(workdir)
    )
    app = build(settings, clock=clock)
    october(app, servers)
    if reservations:
        reserve(app, reservations, reservation_customers)
    clock.set(datetime(2026, 11, 1, 6, tzinfo=UTC))
    vacuumed(app)
    return app


def vacuumed(app: App) -> None:
    """On PostgreSQL, what autovacuum does over a month of inserts: the planner's
    statistics, and the pages marked all-visible, which an index-only scan needs (written
    a moment ago, every row would send the read to the table)."""
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


def october(app: App, servers: int) -> None:
    """The catalog, a price cut on 15 October and the month's usage of ``servers``
    servers, on a migrated database whose app's clock reads before October."""
    load_catalog(app, OP, hosts_per_zone=1)
    with app.uow() as s:
        app.prices.price_change(
            s,
            OP,
            sku="compute:SCS-2V-4:fr-par-1",
            list_price="0.0300",
            effective_from=START + timedelta(days=15),
            wholesale="follow",
        )
    seed(app, servers, random.Random(servers))


def run(
    servers: int,
    workdir: Path,
    reservations: int = 0,
    reservation_customers: int = 0,
    url: str | None = None,
) -> dict[str, float]:
    app = month_to_close(servers, workdir, reservations, reservation_customers, url)
    start, end = month_bounds("2026-10")
    figures: dict[str, float] = {}
    with app.uow(readonly=True) as s:
        t = time.perf_counter()
        book = app.prices.price_book(s)
        segments = app.metering.segments(s, start, end, book.change_times())
        figures["segments"] = time.perf_counter() - t
        t = time.perf_counter()
        rated = rate(segments, book, app.tenancy.partner_tiers(s))
        figures["rating"] = time.perf_counter() - t
        t = time.perf_counter()
        covered = cover(
            rated, app.rating.shapes(s), app.rating.reservations_in(s, start, end), start, end
        )
        figures["matching"] = time.perf_counter() - t
        figures["n_covered"] = sum(1 for r in covered if r.reservation_id)
    t = time.perf_counter()
    report = close_month(app, "2026-10")
    figures["close"] = time.perf_counter() - t
    t = time.perf_counter()
    with app.uow(readonly=True) as s:
        documents = app.invoices.month_documents(s, "2026-10")
    write_exports(workdir / "exports", "2026-10", rated, documents)
    figures["exports"] = time.perf_counter() - t
    figures["total"] = figures["close"] + figures["exports"]
    figures.update(io_floor(app))
    figures["n_segments"] = len(segments)
    figures["n_invoices"] = len(report.issued)
    app.engine.dispose()
    return figures


def later_month(servers: int, workdir: Path, months: int, carried_first: bool) -> dict[str, float]:
    """October and the ``months - 1`` months after it of ``servers`` servers, each closed
    but the last; then the last one's close on two copies of that database: one starting
    from the runs the close before carried, one from every change since the servers were
    created (the carries taken away, as before any close recorded one)."""
    app = month_to_close(servers, workdir)
    names = [f"{(START + timedelta(days=31 * n)):%Y-%m}" for n in range(months)]
    for n, name in enumerate(names[1:], start=1):
        another_month(app, month_bounds(name)[0], random.Random(servers + n))
    clock = FrozenClock(START)
    for name in names[:-1]:
        clock.set(month_bounds(name)[1] + timedelta(hours=6))
        closing = build(app.settings, clock=clock)
        close_month(closing, name)
        closing.engine.dispose()
    app.engine.dispose()
    shutil.copy(workdir / "billing.db", workdir / "whole.db")
    start, end = month_bounds(names[-1])
    figures: dict[str, float] = {}
    for kind in ("carried", "whole") if carried_first else ("whole", "carried"):
        url = f"sqlite:///{workdir / ('billing.db' if kind == 'carried' else 'whole.db')}"
        settings = load_settings(env={}, database_url=url, sim_state_path=str(workdir / "hv.db"))
        copy = build(settings, clock=FrozenClock(end + timedelta(hours=6)))
        if kind == "whole":
            with copy.uow() as s:
                s.execute(delete(CarryPoint))
        with copy.uow(readonly=True) as s:
            events, carried = copy.metering.carried_events(s, start, end)
            figures[f"{kind}_read"] = sum(1 for _ in events) + len(carried)
        t = time.perf_counter()
        figures[f"{kind}_invoices"] = len(close_month(copy, names[-1]).issued)
        figures[kind] = time.perf_counter() - t
        copy.engine.dispose()
    assert figures["carried_invoices"] == figures["whole_invoices"] > 0
    return figures


def history_main(sizes: list[int], months: int, runs: int) -> None:
    for servers in sizes:
        found = []
        for n in range(runs):  # the order alternates, so a slower spell hits both
            with tempfile.TemporaryDirectory() as tmp:
                found.append(later_month(servers, Path(tmp), months, carried_first=n % 2 == 0))
        med = {k: statistics.median(r[k] for r in found) for k in found[0]}
        each = "; ".join(f"{r['carried']:.2f} against {r['whole']:.2f} s" for r in found)
        print(
            f"{servers:>6} servers, the close of month {months} after {months - 1} closed "
            f"({runs} runs, medians): from the runs the close before carried "
            f"{med['carried']:.2f} s, reading {med['carried_read']:,.0f} changes; from the "
            f"whole history {med['whole']:.2f} s, reading {med['whole_read']:,.0f} ({each})",
            flush=True,
        )


FLOOR_TABLES = ("invoices", "invoice_lines")  # what the close writes of each invoice


def io_floor(app: App) -> dict[str, float]:
    """``_io_floor`` with the cyclic collector paused, as the close runs: the floor is the
    database's time, not the collector's walks over millions of fresh rows (with it
    running, the floor's read of 100,000 servers' month took 7.7 s on PostgreSQL)."""
    with collector_paused():
        return _io_floor(app)


def _io_floor(app: App) -> dict[str, float]:
    """Seconds the same database takes to read every event of the month (``read``) and
    to write the invoice rows the close wrote, invoices and their lines, copied into
    scratch tables in one transaction (``write``): what no close can beat. Through the
    driver the close uses: ``executemany``, and on PostgreSQL also COPY, the faster of the
    two counting. Our SQLite connections commit each statement unless told ``BEGIN`` (we
    issue it ourselves), so there the write is one explicit transaction, as the close's
    batches are; a PostgreSQL driver's connection opens one by itself."""
    sqlite = app.engine.dialect.name == "sqlite"
    raw = app.engine.raw_connection()
    try:
        cursor = raw.cursor()
        copies = {}
        for table in FLOOR_TABLES:
            cursor.execute(f"CREATE TABLE floor_{table} AS SELECT * FROM {table} WHERE 1 = 0")
            cursor.execute(f"SELECT * FROM {table}")
            copies[table] = cursor.fetchall() if sqlite else _as_json(cursor.fetchall())
        raw.commit()
        start = time.perf_counter()
        cursor.execute("SELECT * FROM server_events")  # all of them are the month's
        read_rows = len(cursor.fetchall())
        held = time.perf_counter() - start
        raw.commit()
        streamed = _streamed_read(raw, sqlite, "SELECT * FROM server_events")
        changes = _streamed_read(raw, sqlite, CHANGES_READ)
        start = time.perf_counter()
        if sqlite:
            cursor.execute("BEGIN")
        for table, rows in copies.items():
            marks = ", ".join("?" if sqlite else "%s" for _ in rows[0])
            cursor.executemany(f"INSERT INTO floor_{table} VALUES ({marks})", rows)
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
        write = time.perf_counter() - start
        if not sqlite:  # PostgreSQL takes rows faster by COPY, as the close now writes them
            write = min(write, _copy_write(raw, copies))
        for table in FLOOR_TABLES:
            cursor.execute(f"DROP TABLE floor_{table}")
        raw.commit()
    finally:
        raw.close()
    assert read_rows and all(copies.values())
    read = min(held, streamed)
    return {
        "floor_read": read,
        "floor_read_held": held,
        "floor_read_streamed": streamed,
        "read_changes": changes,
        "floor_write": write,
        "floor": read + write,
    }


# Not the floor: the columns of the month's events the close reads (``STATE_COLUMNS``; a
# server's region and owners it reads once per server), printed beside the floor's read.
CHANGES_READ = "SELECT seq, server_id, at, to_status, flavor_id FROM server_events"


def _streamed_read(raw: Any, sqlite: bool, sql: str) -> float:
    """Seconds to read every event of the month ``STREAM_ROWS`` at a time, keeping none
    (on PostgreSQL from a cursor on the server), as the close streams them: holding 3
    million rows at once costs the kernel fresh pages, which no reader has to pay."""
    cursor = raw.cursor() if sqlite else raw.cursor(name="floor_read")
    start = time.perf_counter()
    cursor.execute(sql)
    while cursor.fetchmany(STREAM_ROWS):
        pass
    took = time.perf_counter() - start
    cursor.close()
    raw.commit()
    return took


def _copy_write(raw: Any, copies: dict[str, Sequence[Any]]) -> float:
    """Seconds to write the copied rows again, emptied first, by COPY in one transaction."""
    cursor = raw.cursor()
    for table in copies:
        cursor.execute(f"TRUNCATE floor_{table}")
    raw.commit()
    start = time.perf_counter()
    for table, rows in copies.items():
        with cursor.copy(f"COPY floor_{table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    raw.commit()
    return time.perf_counter() - start


def _as_json(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """PostgreSQL's driver reads JSON columns as Python values; written back, it wants
    them marked as JSON."""
    from psycopg.types.json import Jsonb

    return [tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in row) for row in rows]


CLOSE_AT = datetime(2026, 11, 1, 6, tzinfo=UTC)


class Ticking:
    """A worker's clock from 1 November 06:00 on, moving as real time does: with a frozen
    one, a unit finished by another worker could not be told from one finished before."""

    def __init__(self, start: datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def _close_worker(settings: Settings, ready: Any, go: Any) -> None:
    app = build(settings, clock=Ticking(CLOSE_AT))
    ready.wait()
    go.wait()
    close_month(app, "2026-10", wait=False)
    app.engine.dispose()


def close_by(settings: Settings, count: int) -> float:
    """Seconds until ``count`` worker processes started together have closed October;
    exits if a worker failed or a partner was left undone."""
    context = multiprocessing.get_context("fork")
    # a worker that fails before the start breaks the barrier: no wait for it forever
    ready, go = context.Barrier(count + 1, timeout=300), context.Event()
    workers = [
        context.Process(target=_close_worker, args=(settings, ready, go)) for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    start = time.perf_counter()
    go.set()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - start
    app = build(settings, clock=Ticking(CLOSE_AT))
    with app.uow(readonly=True) as session:
        done = leases.all_finished(session, "close:2026-10:", START)
    app.engine.dispose()
    if any(worker.exitcode for worker in workers) or not done:
        raise SystemExit(f"the close by {count} workers failed or left partners undone")
    return took


def copied(seed: App, workdir: Path, name: str) -> Settings:
    """A copy of the seeded database (its app disposed of), to close once."""
    url = str(seed.settings.database_url)
    if url.startswith("sqlite"):
        shutil.copy(workdir / "billing.db", workdir / f"{name}.db")
        url = f"sqlite:///{workdir / f'{name}.db'}"
    else:
        from common import fresh_postgres  # tests load this file without its folder

        url = fresh_postgres(url, name, template=make_url(url).database)
    return replace(seed.settings, database_url=url)


def fresh_url(engine: str, postgres: str) -> str | None:
    """A fresh PostgreSQL database's URL, or None for SQLite (a file in the run's folder)."""
    if engine != "postgresql":
        return None
    from common import fresh_postgres  # tests load this file without its folder

    return fresh_postgres(postgres, "andromede_bench_billing")


def workers_main(
    servers: int, counts: list[int], runs: int, engine: str, postgres: str, parts: list[int]
) -> None:
    """Each count of workers with each count of parts (0: automatic), on copies of one
    seeded database per run; the first pair is the yardstick."""
    pairs = [(count, part) for count in counts for part in parts]
    found: dict[tuple[int, int], list[float]] = {pair: [] for pair in pairs}
    floors: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_url(engine, postgres)
            seed = month_to_close(servers, Path(tmp), url=url)
            seed.engine.dispose()
            for count, part in pairs:  # one after the other: the same spell of the machine
                settings = copied(seed, Path(tmp), f"andromede_bench_close_{count}_{part}")
                settings = replace(settings, close_parts=part)
                found[count, part].append(close_by(settings, count))
            floors.append(_floor_of(settings))  # the last copy holds the month's invoices
    one, floor = statistics.median(found[pairs[0]]), statistics.median(floors)
    each = ", ".join(
        f"{count} ({part or 'automatic'} parts): {statistics.median(times):.2f} s "
        f"({statistics.median(times) / one:.2f}x, "
        f"{statistics.median(times) / floor:.1f}x the floor; "
        + " · ".join(f"{t:.2f}" for t in times)
        + ")"
        for (count, part), times in found.items()
    )
    print(
        f"{engine}, {servers:,} servers, October closed by worker processes started together "
        f"({runs} runs, medians; the first is the yardstick): {each}; I/O floor "
        f"{floor:.2f} s (" + " · ".join(f"{f:.2f}" for f in floors) + ")",
        flush=True,
    )


def _floor_of(settings: Settings) -> float:
    """The I/O floor (``io_floor``) of a closed copy, in one process as the floor is."""
    app = build(settings, clock=Ticking(CLOSE_AT))
    try:
        return io_floor(app)["floor"]
    finally:
        app.engine.dispose()


def sizes_main(args: argparse.Namespace) -> None:
    for servers in args.servers:
        plans = [(0, 0)]
        if args.reservations:
            plans.append((args.reservations, args.reservation_customers))
        results: dict[tuple[int, int], list[dict[str, float]]] = {plan: [] for plan in plans}
        for _ in range(args.runs):  # interleaved, so a slower spell of the machine hits both
            for plan in plans:
                with tempfile.TemporaryDirectory() as tmp:
                    url = fresh_url(args.engine, args.postgres)
                    results[plan].append(run(servers, Path(tmp), *plan, url))
        for (reservations, customers), runs in results.items():
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            closes = ", ".join(f"{r['close']:.1f}" for r in runs)
            print(
                f"{args.engine}, {servers:>6} servers, {reservations:,} reservations over "
                f"{customers:,} customers, {med['n_segments']:,.0f} segments, "
                f"{med['n_invoices']:,.0f} invoices ({args.runs} runs, medians): "
                f"segments {med['segments']:.1f} s, rating {med['rating']:.1f} s, "
                f"matching alone {med['matching']:.2f} s ({med['n_covered']:,.0f} covered "
                f"pieces), close (derive + rate + match + plan + issue) {med['close']:.1f} s, "
                f"exports {med['exports']:.1f} s; close + exports {med['total']:.1f} s "
                f"(closes: {closes}); I/O floor (read the events {med['floor_read']:.2f} s: "
                f"held {med['floor_read_held']:.2f} s, "
                f"streamed {med['floor_read_streamed']:.2f} s; the close's five columns "
                f"{med['read_changes']:.2f} s; "
                f"write the invoices and their lines {med['floor_write']:.2f} s) "
                f"{med['floor']:.2f} s: the close takes {med['close'] / med['floor']:.1f}x it, "
                f"{1000 * med['close'] / servers:.2f} ms per server",
                flush=True,
            )
        if len(plans) == 2:
            base, reserved = (statistics.median(r["close"] for r in results[p]) for p in plans)
            print(f"reservations add {100 * (reserved / base - 1):.0f} % to the close")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--reservations", type=int, default=0)
    parser.add_argument("--reservation-customers", type=int, default=500)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="MONTHS",
        help="instead: MONTHS months from October, the last one's close with and without "
        "the runs the close before carried",
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        metavar="N",
        help="instead: the month closed by N worker processes together, for each N",
    )
    parser.add_argument(
        "--parts",
        type=int,
        nargs="+",
        default=[0],
        help="with --workers: the close's partners planned in this many parts (close_parts; "
        "0: automatic), for each count",
    )
    args = parser.parse_args()
    if args.workers:
        servers = 60 if args.smoke else args.servers[0]
        workers_main(servers, args.workers, 1 if args.smoke else args.runs, args.engine,
                     args.postgres, args.parts)  # fmt: skip
        return
    if args.history and args.engine != "sqlite":
        parser.error("--history copies SQLite files: it runs on SQLite only")
    if args.smoke:
        args.servers, args.runs, args.reservations, args.reservation_customers = [60], 1, 8, 4
        if args.engine == "sqlite":
            history_main([60], 3, 1)
    if args.history:
        history_main(args.servers, args.history, args.runs)
        return
    sizes_main(args)


if __name__ == "__main__":
    main()
