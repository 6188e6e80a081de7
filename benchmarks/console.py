"""The console's heaviest pages, server side: the operator's dashboard and a customer's
server list, with 10,000 servers, 500 customers and 12 months of server events and
invoices in the database. The dashboard reads the figures stored per finished day (the
worker job that stores them runs first and is timed apart); the list page renders one
customer's servers (a typical one with 20, the largest with 1,000).

The demo data is loaded through the services; the bulk (customers, projects, servers,
their events, invoices) is then copied from the demo's own rows with new ids, so every
row is one the application wrote the shape of. Requests go through the whole application
in process (FastAPI's test client): what is timed is the server's work, not a network.
A request that does not answer 200 stops the run with a non-zero exit.

Usage: python benchmarks/console.py [--postgres URL | --sqlite] [--runs 3] [--smoke]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from common import fresh_postgres
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from andromede.billing.store import Invoice
from andromede.bootstrap import App, build
from andromede.cli.demo import DEMO_ADMIN, DEMO_PASSWORD, load_demo
from andromede.compute.store import Server, ServerEvent
from andromede.config import load_settings
from andromede.console.site import create_site
from andromede.schema import upgrade
from andromede.tenancy.store import Customer, Partner, Project
from andromede.worker.jobs import refresh_daily_usage

ADMIN_PASSWORD = "bench-admin-secret"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row_of(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}


def seed(app: App, customers: int, servers: int, months: int, big: int) -> dict[str, str]:
    """Copies of the demo's rows: ``customers`` customers with a project each, ``servers``
    servers spread over them (``big`` of them in one customer's project), each created on a
    day of the last ``months`` months with a stop and a start in between; a resale and a
    wholesale invoice per customer per month."""
    now = app.clock.now()
    rng = random.Random(7)
    with app.uow() as s:
        partners = [p for p in s.scalars(select(Partner)) if p.kind != "house"]
        template_customer = row_of(s.scalars(select(Customer)).first())
        template_server = row_of(s.scalars(select(Server)).first())
        template_event = row_of(s.scalars(select(ServerEvent)).first())
        template_invoice = row_of(s.scalars(select(Invoice)).first())
        project_rows, customer_rows = [], []
        for i in range(customers):
            partner = partners[i % len(partners)]
            cid = str(uuid.uuid4())
            customer_rows.append(
                {
                    **template_customer,
                    "id": cid,
                    "partner_id": partner.id,
                    "name": f"Bench customer {i:04d}",
                    "siren": None,
                    "public_sector": False,
                }
            )
            project_rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "partner_id": partner.id,
                    "customer_id": cid,
                    "name": "production",
                    "created_at": now,
                }
            )
        s.execute(insert(Customer), customer_rows)
        s.execute(insert(Project), project_rows)
        server_rows, event_rows = [], []
        for i in range(servers):
            project = project_rows[0] if i < big else project_rows[1 + i % (customers - 1)]
            created = now - timedelta(days=rng.randrange(1, 30 * months), hours=rng.randrange(24))
            sid = str(uuid.uuid4())
            running = i % 10 != 0
            server_rows.append(
                {
                    **template_server,
                    "id": sid,
                    "name": f"bench-{i:05d}",
                    "project_id": project["id"],
                    "customer_id": project["customer_id"],
                    "partner_id": project["partner_id"],
                    "host_id": None,
                    "status": "ACTIVE" if running else "SHUTOFF",
                    "desired": "ACTIVE" if running else "SHUTOFF",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            stop = created + (now - created) / 3
            start = created + (now - created) / 2
            steps = [
                (created, None, "BUILD"),
                (created + timedelta(minutes=1), "BUILD", "ACTIVE"),
                (stop, "ACTIVE", "SHUTOFF"),
            ]
            if running:
                steps.append((start, "SHUTOFF", "ACTIVE"))
            for at, before, after in steps:
                event = {
                    **template_event,
                    "server_id": sid,
                    "at": at,
                    "from_status": before,
                    "to_status": after,
                    "host_id": None,
                    "project_id": project["id"],
                    "customer_id": project["customer_id"],
                    "partner_id": project["partner_id"],
                }
                event.pop("seq", None)
                event_rows.append(event)
        for chunk in range(0, len(server_rows), 2000):
            s.execute(insert(Server), server_rows[chunk : chunk + 2000])
        for chunk in range(0, len(event_rows), 5000):
            s.execute(insert(ServerEvent), event_rows[chunk : chunk + 5000])
        invoice_rows = []
        for m in range(1, months + 1):
            period = (now.replace(day=1) - timedelta(days=28 * m)).replace(day=1).date()
            for c, customer in enumerate(customer_rows):
                for kind in ("resale", "wholesale"):
                    amount = Decimal(rng.randrange(5_000, 500_000)) / 100
                    invoice_rows.append(
                        {
                            **template_invoice,
                            "id": str(uuid.uuid4()),
                            "close_key": None,
                            "number": f"B{m:02d}-{c:04d}-{kind[0]}",
                            "kind": kind,
                            "issuer_key": customer["partner_id"]
                            if kind == "resale"
                            else "operator",
                            "partner_id": customer["partner_id"],
                            "customer_id": customer["id"],
                            "period_start": period,
                            "period_end": period + timedelta(days=27),
                            "issue_date": period + timedelta(days=32),
                            "total_excl_vat": amount,
                            "vat_total": (amount / 5).quantize(Decimal("0.01")),
                            "total_incl_vat": (amount * 6 / 5).quantize(Decimal("0.01")),
                            "credits_invoice_id": None,
                        }
                    )
        for chunk in range(0, len(invoice_rows), 2000):
            s.execute(insert(Invoice), invoice_rows[chunk : chunk + 2000])
    big_admin = "bench-big-admin"
    typical_admin = "bench-typical-admin"
    with app.uow() as s:
        from andromede.tenancy.scope import Actor, Caller, Role

        system = Caller(Actor("system", "system:bench", Role.OPERATOR_ADMIN, system=True))
        for username, project in ((big_admin, project_rows[0]), (typical_admin, project_rows[1])):
            app.users.create_user(
                s,
                system,
                username=username,
                password=DEMO_PASSWORD,
                role="customer-admin",
                org_id=str(project["customer_id"]),
                person=f"{username}@bench.example",  # made by the operator's tooling
            )
    return {"big": big_admin, "typical": typical_admin}


def sign_in(client: TestClient, username: str, password: str) -> None:
    client.cookies.clear()
    page = client.get("/console/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf": token},
        follow_redirects=False,
    )
    if done.status_code != 303:
        sys.exit(f"sign-in of {username} failed: {done.status_code} {done.text[:200]}")


def timed(client: TestClient, path: str, views: int) -> list[float]:
    client.get(path)  # warm: templates compiled, caches filled
    spent = []
    for _ in range(views):
        started = time.perf_counter()
        response = client.get(path)
        spent.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return spent


def run(url: str, workdir: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    settings = load_settings(
        env={},
        database_url=url,
        admin_password=ADMIN_PASSWORD,
        staff_mfa="optional",
        sim_state_path=str(workdir / "hv.db"),
        secrets_key_file=str(workdir / "secrets.key"),
        argon2_memory_kib=8192,
        argon2_time_cost=1,
        limit_logins_per_source=100_000,
        limit_logins_per_account=100_000,
    )
    upgrade(url)
    app = build(settings)
    load_demo(app)
    started = time.perf_counter()
    users = seed(app, args.customers, args.servers, args.months, args.big)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    days = refresh_daily_usage(app)
    stored = time.perf_counter() - started
    print(f"  seeded in {seeded:.1f} s; daily figures job: {days} days in {stored:.1f} s")
    figures: dict[str, list[float]] = {}
    with TestClient(create_site(app)) as client:
        sign_in(client, DEMO_ADMIN, ADMIN_PASSWORD)
        figures["dashboard"] = timed(client, "/console/operator", args.views)
        sign_in(client, users["typical"], DEMO_PASSWORD)
        figures["servers (20)"] = timed(client, "/console/servers", args.views)
        sign_in(client, users["big"], DEMO_PASSWORD)
        figures[f"servers ({args.big})"] = timed(client, "/console/servers", args.views)
    app.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead")
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--big", type=int, default=1_000)
    parser.add_argument("--views", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.customers, args.months, args.big, args.views, args.runs = (
            300,
            20,
            2,
            50,
            3,
            1,
        )
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"console pages, {engine}: {args.servers:,} servers, {args.customers} customers, "
        f"{args.months} months of events and invoices"
    )
    results: dict[str, list[float]] = {}
    for number in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            url = (
                f"sqlite:///{workdir / 'bench.db'}"
                if args.sqlite
                else fresh_postgres(args.postgres, "andromede_bench_console")
            )
            print(f"run {number + 1}/{args.runs}")
            for page, spent in run(url, workdir, args).items():
                p50, p95 = statistics.median(spent), percentile(spent, 0.95)
                print(f"  {page:16} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({len(spent)} views)")
                results.setdefault(page, []).append(p95)
    print("median of the runs' p95:")
    for page, p95s in results.items():
        print(f"  {page:16} {statistics.median(p95s):7.1f} ms")


if __name__ == "__main__":
    main()
