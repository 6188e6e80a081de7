"""Clusters on the simulated region: how long a 1 + N node cluster takes from create to
ACTIVE beside one server's create to ACTIVE (same process, same simulated boot time, a
worker passing continuously), and 100 clusters created at once by 16 clients without a
placement conflict (every node on a host of its own within its cluster, no host over
its capacity).

Usage: python benchmarks/clusters.py [--workers 8] [--concurrent 100] [--boot 2.0]
       [--runs 3] [--engine sqlite|postgresql] [--smoke]
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import fresh_postgres
from sqlalchemy import insert

from andromede.bootstrap import App, build
from andromede.cli.demo import load_catalog
from andromede.clusters.service import ClusterInput
from andromede.compute.server_service import ServerRequest
from andromede.config import load_settings
from andromede.db import again_if_aborted
from andromede.kernel.ids import new_id
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.store import Customer, Partner, Project

OP = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))
REGION = "fr-par-1"


def shape(workers: int) -> dict[str, Any]:
    return {
        "engine": "spark",
        "version": "4.0",
        "image": "debian-12",
        "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-2V-4", "count": 1},
            {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": workers},
        ],
    }


def tenants(app: App, count: int) -> list[tuple[Caller, str]]:
    """``count`` customers with a project each, and a caller acting as each one's admin."""
    now = datetime.now(UTC)
    partner: dict[str, Any] = {"id": new_id(), "name": "P", "kind": "msp", "tier": "gold",
                               "country": "FR", "address": "x", "created_at": now}  # fmt: skip
    customers = [
        {"id": new_id(), "partner_id": partner["id"], "name": f"C{n}", "country": "FR",
         "address": "y", "public_sector": False, "created_at": now}
        for n in range(count)
    ]  # fmt: skip
    projects: list[dict[str, Any]] = [
        {"id": new_id(), "partner_id": partner["id"], "customer_id": c["id"], "name": "data",
         "created_at": now}
        for c in customers
    ]  # fmt: skip
    with app.uow() as s:
        s.execute(insert(Partner), [partner])
        s.execute(insert(Customer), customers)
        s.execute(insert(Project), projects)
    return [
        (
            Caller(Actor(new_id(), f"a{n}", Role.CUSTOMER_ADMIN, partner["id"], p["customer_id"])),
            p["id"],
        )
        for n, p in enumerate(projects)
    ]


def until(done: Callable[[], bool], app: App, timeout: float = 120.0) -> float:
    """Seconds until ``done``, the worker passing continuously meanwhile."""
    start = time.perf_counter()
    while not done():
        while app.reconciler.run_once():
            pass
        with app.uow() as s:
            app.clusters.advance(s)
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out: nothing became ACTIVE")
        time.sleep(0.01)
    return time.perf_counter() - start


def one_server(app: App, caller: Caller, project: str) -> float:
    start = time.perf_counter()
    with app.uow() as s:
        server = app.servers.create_server(
            s, caller, ServerRequest(project, "solo", "SCS-2V-4", "debian-12", REGION)
        )
        server_id = server.id

    def active() -> bool:
        with app.uow(readonly=True) as s:
            return app.servers.states(s, [server_id])[server_id][0] == "ACTIVE"

    until(active, app)
    return time.perf_counter() - start


def one_cluster(app: App, caller: Caller, project: str, workers: int) -> float:
    start = time.perf_counter()
    with app.uow() as s:
        made = app.clusters.create(
            s, caller, ClusterInput(project, "etl", REGION, body=shape(workers))
        )
        cluster_id = made.id

    def active() -> bool:
        with app.uow(readonly=True) as s:
            status = app.clusters.get(s, caller, cluster_id).cluster.status
        if status == "ERROR":
            raise SystemExit("the cluster failed")
        return status == "ACTIVE"

    until(active, app)
    return time.perf_counter() - start


def concurrent(app: App, callers: list[tuple[Caller, str]], clients: int) -> tuple[float, int]:
    """Clusters of 1 + 2 nodes created at once; seconds taken and failures."""

    def make(entry: tuple[Caller, str]) -> str | None:
        caller, project = entry

        def attempt() -> None:
            with app.uow() as s:
                app.clusters.create(s, caller, ClusterInput(project, "c", REGION, body=shape(2)))

        try:
            again_if_aborted(attempt)  # as the API does
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        failures = [f for f in pool.map(make, callers) if f]
    took = time.perf_counter() - start
    for failure in failures[:3]:
        print("failed:", failure, file=sys.stderr)
    return took, len(failures)


def check_places(app: App, callers: list[tuple[Caller, str]]) -> None:
    """Every cluster's nodes on distinct hosts, no host past its capacity."""
    with app.uow(readonly=True) as s:
        for caller, _project in callers:
            for cluster in app.clusters.list_clusters(s, caller, limit=10, marker=None):
                nodes = app.clusters.state(s, cluster).nodes
                hosts = [app.servers.get_server(s, caller, n.server_id).host_id for n in nodes]
                if len(set(hosts)) != len(hosts):
                    raise SystemExit(f"anti-affinity broken in {cluster.id}: {hosts}")
        for host in app.hosts.list_hosts(s, OP, limit=10_000, marker=None):
            over_cpu = host.used_vcpus > host.vcpus * host.cpu_ratio
            if over_cpu or host.used_ram_mib > host.ram_mib * host.ram_ratio:
                raise SystemExit(f"host {host.name} over its capacity")


def run_once(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            f"sqlite:///{tmp}/b.db"
            if args.engine == "sqlite"
            else fresh_postgres(args.postgres, "andromede_bench_clusters")
        )
        upgrade(url)
        settings = load_settings(env={}, database_url=url, sim_state_path=str(Path(tmp) / "s.db"))
        app = build(replace(settings, sim_boot_seconds=args.boot, quota_instances=1000))
        load_catalog(app, OP, hosts_per_zone=max(8, (args.workers + 2) // 2))
        callers = tenants(app, args.concurrent + 2)
        server = one_server(app, *callers[0])
        cluster = one_cluster(app, *callers[1], args.workers)
        took, failed = concurrent(app, callers[2:], args.clients)
        if failed:
            raise SystemExit(f"{failed} of {args.concurrent} concurrent cluster creates failed")
        check_places(app, callers[2:])
        app.engine.dispose()
    return {"server": server, "cluster": cluster, "concurrent": took}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--concurrent", type=int, default=100)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--boot", type=float, default=2.0, help="simulated boot, seconds")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.workers, args.concurrent, args.boot, args.runs = 2, 8, 0.2, 1
    results = [run_once(args) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(
        f"{args.engine}, simulated boot {args.boot} s, {args.runs} runs (medians): one server "
        f"create to ACTIVE {med['server']:.2f} s; a 1 + {args.workers} node cluster create to "
        f"ACTIVE {med['cluster']:.2f} s ({med['cluster'] / med['server']:.2f}x); "
        f"{args.concurrent} clusters of 3 nodes by {args.clients} clients at once: "
        f"{med['concurrent']:.2f} s ({args.concurrent / med['concurrent']:.1f} clusters/s), "
        "no placement conflict"
    )


if __name__ == "__main__":
    main()
