"""Month close at scale: N servers with about 30 state changes each over October, one list
price change mid-month, 40 partners, N/5 customers. Times deriving segments, rating, the
whole close (plan and issue every invoice, one transaction each) and the exports.

Usage: python benchmarks/billing.py [--servers 1000 10000 50000] [--runs 1]
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from andromede.billing.exports import write_exports
from andromede.billing.rating import rate
from andromede.bootstrap import App, build
from andromede.catalog.store import Flavor, Image
from andromede.cli.demo import load_catalog
from andromede.compute.store import Server, ServerEvent
from andromede.config import load_settings
from andromede.kernel.clock import FrozenClock
from andromede.kernel.ids import new_id
from andromede.kernel.months import month_bounds
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.store import Customer, Partner, Project
from andromede.worker.jobs import close_month

OP = Caller(Actor("bench", "bench", Role.OPERATOR_ADMIN))
START = datetime(2026, 10, 1, tzinfo=UTC)
MONTH_SECONDS = 31 * 86400
PARTNERS = 40
SIREN, VAT = "732829320", "FR44732829320"


def seed(app: App, servers: int, rnd: random.Random) -> None:
    now = START - timedelta(days=1)
    with app.uow() as s:
        partners = [
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
            }
            for n in range(PARTNERS)
        ]
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
        for i in range(0, len(events), 50_000):
            s.execute(insert(ServerEvent), events[i : i + 50_000])


def run(servers: int, workdir: Path) -> dict[str, float]:
    url = f"sqlite:///{workdir / 'billing.db'}"
    upgrade(url)
    clock = FrozenClock(START - timedelta(days=2))
    app = build(
        load_settings(env={}, database_url=url, sim_state_path=str(workdir / "hv.db")), clock=clock
    )
    load_catalog(app, OP, hosts_per_zone=1)
    with app.uow() as s:
        app.billing.price_change(
            s,
            OP,
            sku="compute:SCS-2V-4:fr-par-1",
            list_price="0.0300",
            effective_from=START + timedelta(days=15),
            wholesale="follow",
        )
    seed(app, servers, random.Random(servers))
    clock.set(datetime(2026, 11, 1, 6, tzinfo=UTC))
    start, end = month_bounds("2026-10")
    figures: dict[str, float] = {}
    with app.uow(readonly=True) as s:
        t = time.perf_counter()
        book = app.billing.price_book(s)
        segments = app.metering.segments(s, start, end, book.change_times())
        figures["segments"] = time.perf_counter() - t
        t = time.perf_counter()
        rated = rate(segments, book, app.tenancy.partner_tiers(s))
        figures["rating"] = time.perf_counter() - t
    t = time.perf_counter()
    report = close_month(app, "2026-10")
    figures["close"] = time.perf_counter() - t
    t = time.perf_counter()
    with app.uow(readonly=True) as s:
        documents = app.billing.month_documents(s, "2026-10")
    write_exports(workdir / "exports", "2026-10", rated, documents)
    figures["exports"] = time.perf_counter() - t
    figures["total"] = figures["close"] + figures["exports"]
    figures["n_segments"] = len(segments)
    figures["n_invoices"] = len(report.issued)
    app.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for servers in args.servers:
        results = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run(servers, Path(tmp)))
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(
            f"{servers:>6} servers, {med['n_segments']:,.0f} segments, "
            f"{med['n_invoices']:,.0f} invoices ({args.runs} runs, medians): "
            f"segments {med['segments']:.1f} s, rating {med['rating']:.1f} s, "
            f"close (derive + rate + plan + issue) {med['close']:.1f} s, "
            f"exports {med['exports']:.1f} s; close + exports {med['total']:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
