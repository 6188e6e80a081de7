"""A scheduler pass at scale: N servers tagged onto S office-hours schedules (one per
customer, Europe/Paris, French holidays). Times the pass's decision (``Scheduler.plan``:
every schedule evaluated, the servers of the due ones read through the tag index, every
start and stop decided) at 19:00, when every server is due to stop, beside the same pass
at 10:01, when none is; then the first ``--act`` stops through the compute service in
batches (audited, one transaction per batch), as actions per second.

Usage: python benchmarks/schedules.py [--servers 100000] [--schedules 2000] [--runs 3]
       [--engine sqlite|postgresql] [--smoke]
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import fresh_postgres
from sqlalchemy import insert, select, text, update

from andromede.bootstrap import App, build
from andromede.catalog.store import Flavor, Image
from andromede.cli.demo import load_catalog
from andromede.compute.store import Server, ServerTag
from andromede.config import load_settings
from andromede.kernel.clock import FrozenClock
from andromede.kernel.ids import new_id
from andromede.schedules.scheduler import BATCH, Acted
from andromede.schedules.store import Schedule
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.store import Customer, Partner, Project

OP = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # Paris is UTC+1
OFFICE = [{"begin": "08:00", "end": "19:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}]


def seed(app: App, servers: int, schedules: int) -> None:
    now = MONDAY - timedelta(days=7)
    with app.uow() as s:
        partner = {
            "id": new_id(),
            "name": "P",
            "kind": "msp",
            "tier": "gold",
            "country": "FR",
            "address": "x",
            "created_at": now,
        }
        s.execute(insert(Partner), [partner])
        customers = [
            {
                "id": new_id(),
                "partner_id": partner["id"],
                "name": f"C{n}",
                "country": "FR",
                "address": "y",
                "public_sector": False,
                "created_at": now,
            }
            for n in range(schedules)
        ]
        s.execute(insert(Customer), customers)
        projects = [
            {
                "id": new_id(),
                "partner_id": partner["id"],
                "customer_id": c["id"],
                "name": "dev",
                "created_at": now,
            }
            for c in customers
        ]
        s.execute(insert(Project), projects)
        s.execute(
            insert(Schedule),
            [
                {
                    "id": new_id(),
                    "partner_id": partner["id"],
                    "customer_id": c["id"],
                    "name": "office-hours",
                    "description": "",
                    "timezone": "Europe/Paris",
                    "periods": OFFICE,
                    "enforced": False,
                    "retain_running": False,
                    "stop_new": False,
                    "holidays": "FR",
                    "skip_dates": [],
                    "created_at": now,
                    "updated_at": now,
                    "evaluated_at": now,
                }
                for c in customers
            ],
        )
        flavor = s.execute(select(Flavor.id, Flavor.vcpus, Flavor.ram_mib, Flavor.disk_gib)).first()
        image = s.execute(select(Image.id)).scalars().first()
        assert flavor is not None
        rows, tags = [], []
        for n in range(servers):
            project = projects[n % len(projects)]
            server_id = new_id()
            rows.append(
                {
                    "id": server_id,
                    "name": f"s{n}",
                    "status": "ACTIVE",
                    "desired": "ACTIVE",
                    "flavor_id": flavor.id,
                    "image_id": image,
                    "region_code": "fr-par-1",
                    "zone_code": "fr-par-1a",
                    "vcpus": flavor.vcpus,
                    "ram_mib": flavor.ram_mib,
                    "disk_gib": flavor.disk_gib,
                    "root_volume_gib": None if flavor.disk_gib else 10,
                    "created_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                    "partner_id": partner["id"],
                    "customer_id": project["customer_id"],
                    "project_id": project["id"],
                }
            )
            tags.append({"server_id": server_id, "tag": "schedule=office-hours"})
        for i in range(0, servers, 20_000):
            s.execute(insert(Server), rows[i : i + 20_000])
            s.execute(insert(ServerTag), tags[i : i + 20_000])


def timed_plan(app: App, last: datetime, now: datetime) -> tuple[float, int]:
    with app.uow() as s:
        s.execute(update(Schedule).values(evaluated_at=last))
    with app.uow(readonly=True) as s:
        start = time.perf_counter()
        planned = app.scheduler.plan(s, now)
        took = time.perf_counter() - start
    return took, sum(len(p.result.decisions) for p in planned)


def run_once(engine: str, servers: int, schedules: int, acts: int, pg: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            f"sqlite:///{tmp}/b.db"
            if engine == "sqlite"
            else fresh_postgres(pg, "andromede_bench_sched")
        )
        upgrade(url)
        clock = FrozenClock(MONDAY - timedelta(days=7))
        settings = load_settings(env={}, database_url=url, sim_state_path=str(Path(tmp) / "sim.db"))
        app = build(settings, clock=clock)
        load_catalog(app, OP, hosts_per_zone=1)
        seed(app, servers, schedules)
        if engine == "postgresql":  # as autovacuum soon would after such a load
            with app.engine.connect() as conn:
                conn.execute(text("ANALYZE")).close()
        gc.collect()
        gc.freeze()  # as the worker process does once started
        timed_plan(app, MONDAY, MONDAY + timedelta(minutes=1))  # warm: zones, holidays
        quiet, none_due = timed_plan(
            app, MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=9, minutes=1)
        )
        evening = MONDAY + timedelta(hours=18, seconds=30)  # 19:00:30 in Paris
        busy, due = timed_plan(app, MONDAY + timedelta(hours=17, minutes=59), evening)
        if due != servers or none_due != 0:
            raise SystemExit(
                f"{engine}: decided {due} stops at 19:00 (want {servers}), {none_due} at 10:01"
            )
        clock.set(evening)
        with app.uow(readonly=True) as s:
            planned = app.scheduler.plan(s, evening)
        work = [(p, d) for p in planned for d in p.result.decisions][:acts]
        tally: dict[str, Acted] = {}
        start = time.perf_counter()
        for i in range(0, len(work), BATCH):
            with app.uow() as s:
                app.scheduler.act(s, work[i : i + BATCH], tally)
        acting = time.perf_counter() - start
        failed = sum(t.failed for t in tally.values())
        if failed:
            raise SystemExit(f"{engine}: {failed} of {len(work)} stops failed")
        app.engine.dispose()
    return {"busy": busy, "quiet": quiet, "acts_per_s": len(work) / acting}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=100_000)
    parser.add_argument("--schedules", type=int, default=2_000)
    parser.add_argument("--act", type=int, default=2_000, help="stops actually made, timed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.schedules, args.act, args.runs = 2_000, 40, 200, 1
    results = [
        run_once(args.engine, args.servers, args.schedules, args.act, args.postgres)
        for _ in range(args.runs)
    ]
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    spread = [f"{r['busy']:.2f}" for r in results]
    print(
        f"{args.engine}: pass over {args.servers} servers in {args.schedules} schedules, "
        f"{args.runs} runs (medians): all due at 19:00 decided in {med['busy']:.2f} s "
        f"(runs {', '.join(spread)}); none due at 10:01: {med['quiet']:.3f} s; "
        f"stops through the compute service: {med['acts_per_s']:.0f}/s"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
