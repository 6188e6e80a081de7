"""Placement: 10,000 decisions onto 1,000 hosts over 3 regions, anti-affinity mixed in.

1. the pure function (snapshot of the request's region, updated after each decision), and
   the ordered host index that answers the same (checked: both choose the same hosts);
2. the claim-in-transaction path (compute service: quota lock, snapshot query, placement,
   guarded claim, server row, event, audit; one transaction each) on SQLite and PostgreSQL.

The creates are made by the partner's admin, as a partner provisions for its customers
(operator staff see no customer's projects without a grant). Any create that fails makes
the script exit non-zero instead of printing a rate.

Usage: python benchmarks/placement.py [--db-count 2000] [--runs 5] [--postgres URL] [--smoke]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from common import fresh_postgres
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from andromede.bootstrap import App, build
from andromede.catalog.flavor_names import catalog_entry
from andromede.catalog.service import FlavorInput
from andromede.compute.host_index import HostIndex
from andromede.compute.host_service import HostInput
from andromede.compute.host_store import Host
from andromede.compute.placement import HostState, NoFit, PlacementRequest, place
from andromede.compute.server_service import ServerRequest
from andromede.config import load_settings
from andromede.kernel.errors import AndromedeError
from andromede.kernel.ids import new_id
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.service import CustomerInput, PartnerInput

REGIONS = ["fr-par-1", "fr-rns-1", "fr-lyo-1"]
SERVICE_HOSTS = 1_000  # hosts created through the service; more are inserted as rows
FLAVORS = [(1, 2048), (2, 4096), (2, 8192), (4, 16384), (8, 32768), (16, 65536)]


def make_hosts(hosts: int) -> dict[str, list[HostState]]:
    by_region: dict[str, list[HostState]] = {r: [] for r in REGIONS}
    for n in range(hosts):
        region = REGIONS[n % 3]
        by_region[region].append(
            HostState(
                id=f"h{n:04d}",
                name=f"{region}-hv{n:04d}",
                region=region,
                zone=f"{region}{'ab'[n % 2]}",
                vcpus=64,
                ram_mib=524288,
                disk_gib=4000,
                cpu_ratio=4.0,
                traits=frozenset({"ssd"}),
            )
        )
    return by_region


def make_requests(count: int, seed: int = 7) -> list[tuple[str, int, int, str | None]]:
    """(region, vcpus, ram, anti-affinity group id or None); one request in five is in a
    group of four members."""
    rnd = random.Random(seed)
    out: list[tuple[str, int, int, str | None]] = []
    group = 0
    while len(out) < count:
        region = rnd.choice(REGIONS)
        vcpus, ram = rnd.choice(FLAVORS)
        if rnd.random() < 0.05:
            group += 1
            out.extend((region, vcpus, ram, f"g{group}") for _ in range(4))
        else:
            out.append((region, vcpus, ram, None))
    return out[:count]


def bench_pure(count: int, hosts: int, indexed: bool) -> tuple[float, list[str]]:
    """Decisions per second of ``place`` over the request's region (``indexed=False``) or
    of the ordered ``HostIndex``, each decision claimed before the next; and the hosts
    chosen, so that the two ways can be checked to agree."""
    by_region = make_hosts(hosts)
    index = HostIndex(h for region in by_region.values() for h in region)
    where = {h.id: (r, i) for r, region in by_region.items() for i, h in enumerate(region)}
    members: dict[str, set[str]] = {}
    chosen: list[str] = []
    requests = make_requests(count)
    start = time.perf_counter()
    for region, vcpus, ram, group in requests:
        req = PlacementRequest(
            vcpus,
            ram,
            0,
            region=region,
            group_policy="anti-affinity" if group else None,
            group_hosts=frozenset(members.get(group, ())) if group else frozenset(),
        )
        result = index.place(req) if indexed else place(by_region[region], req)
        if isinstance(result, NoFit):
            chosen.append("")
            continue
        chosen.append(result.host_id)
        if indexed:
            index.claim(result.host_id, vcpus, ram, 0)
        else:
            r, i = where[result.host_id]
            h = by_region[r][i]
            by_region[r][i] = replace(
                h, used_vcpus=h.used_vcpus + vcpus, used_ram_mib=h.used_ram_mib + ram
            )
        if group:
            members.setdefault(group, set()).add(result.host_id)
    return count / (time.perf_counter() - start), chosen


def bulk_hosts(session: Session, numbers: range, now: datetime) -> None:
    """Hosts beyond the first thousand go in as rows: what a big region looks like to a
    create, without an audited call per host."""
    rows = [
        {
            "id": new_id(),
            "name": f"{REGIONS[n % 3]}-hv{n:06d}",
            "region_code": REGIONS[n % 3],
            "zone_code": f"{REGIONS[n % 3]}{'ab'[n % 2]}",
            "vcpus": 64,
            "ram_mib": 524288,
            "disk_gib": 4000,
            "cpu_ratio": 4.0,
            "ram_ratio": 1.0,
            "disk_ratio": 1.0,
            "traits": ["ssd"],
            "enabled": True,
            "maintenance": False,
            "used_vcpus": 0,
            "used_ram_mib": 0,
            "used_disk_gib": 0,
            "instances": 0,
            "created_at": now,
        }
        for n in numbers
    ]
    for i in range(0, len(rows), 10_000):
        session.execute(insert(Host), rows[i : i + 10_000])
    if rows:  # what autovacuum would do soon after such a load: the planner's statistics
        session.execute(text("ANALYZE hosts"))


def seed_database(url: str, state: Path, hosts: int) -> tuple[App, Caller, list[str]]:
    upgrade(url)
    app = build(
        load_settings(
            env={},
            database_url=url,
            argon2_time_cost=1,
            argon2_memory_kib=1024,
            sim_state_path=str(state),
        )
    )
    op = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))  # seeding
    with app.uow() as s:
        for region in REGIONS:
            app.catalog.create_region(
                s, op, code=region, name=region, country="FR", territory="FR-IDF", certifications=[]
            )
            for z in "ab":
                app.catalog.create_zone(s, op, region=region, code=f"{region}{z}", name=z)
        for n in range(min(hosts, SERVICE_HOSTS)):
            region = REGIONS[n % 3]
            app.hosts.create_host(
                s,
                op,
                HostInput(
                    name=f"{region}-hv{n:04d}",
                    zone=f"{region}{'ab'[n % 2]}",
                    vcpus=64,
                    ram_mib=524288,
                    disk_gib=4000,
                    traits=["ssd"],
                ),
            )
        bulk_hosts(s, range(SERVICE_HOSTS, hosts), app.clock.now())
        for vcpus, ram in FLAVORS:
            app.catalog.create_flavor(
                s,
                op,
                FlavorInput(
                    **catalog_entry(  # type: ignore[arg-type]
                        f"SCS-{vcpus}V-{ram // 1024}"
                    )
                ),
            )
        app.catalog.create_image(
            s,
            op,
            name="img",
            os_distro="debian",
            os_version="12",
            min_disk_gib=1,
            min_ram_mib=0,
            properties={},
        )
        partner = app.tenancy.create_partner(
            s,
            op,
            PartnerInput(
                name="P",
                kind="msp",
                tier="gold",
                country="FR",
                address="x",
                siren="732829320",
                vat_number="FR44732829320",
            ),
        )
        customer = app.tenancy.create_customer(
            s,
            op,
            partner.id,
            CustomerInput(
                name="C", country="FR", address="y", siren="732829320", vat_number="FR44732829320"
            ),
        )
        projects = []
        for n in range(8):
            project = app.tenancy.create_project(s, op, customer.id, f"p{n}")
            project.quota_instances = project.quota_cores = 10**6
            project.quota_ram_mib = 10**9
            projects.append(project.id)
    seller = Caller(Actor("bench-seller", "bench-seller", Role.PARTNER_ADMIN, partner.id))
    return app, seller, projects


def bench_db(url: str, count: int, state: Path, hosts: int) -> float:
    """Creates per second; raises SystemExit if any create failed."""
    app, seller, projects = seed_database(url, state, hosts)
    failures: list[str] = []
    groups: dict[str, str] = {}
    requests = make_requests(count)
    start = time.perf_counter()
    for n, (region, vcpus, ram, group) in enumerate(requests):
        project = projects[n % len(projects)]
        with app.uow() as s:
            group_id = None
            if group:
                if group not in groups:
                    groups[group] = app.keypairs.create_group(
                        s, seller, project_id=projects[0], name=group, policy="anti-affinity"
                    ).id
                group_id, project = groups[group], projects[0]
            try:
                app.servers.create_server(
                    s,
                    seller,
                    ServerRequest(
                        project_id=project,
                        name=f"s{n}",
                        flavor=f"SCS-{vcpus}V-{ram // 1024}",
                        image="img",
                        region=region,
                        server_group=group_id,
                    ),
                )
            except AndromedeError as exc:
                failures.append(f"{exc.code}: {exc.detail}")
    rate = count / (time.perf_counter() - start)
    app.engine.dispose()
    if failures:
        raise SystemExit(f"{len(failures)} of {count} creates failed; first: {failures[0]}")
    return rate


def scale(sizes: list[int], count: int, runs: int, postgres: str) -> None:
    """Milliseconds per create at each size, interleaved run by run (PostgreSQL)."""
    per_create: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(runs):
        for hosts in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                url = fresh_postgres(postgres, "andromede_bench_scale")
                per_create[hosts].append(1000 / bench_db(url, count, Path(tmp) / "hv", hosts))
    base = statistics.median(per_create[sizes[0]])
    for hosts, ms in per_create.items():
        print(
            f"create on PostgreSQL at {hosts:,} hosts, {count} creates, {runs} runs: median "
            f"{statistics.median(ms):.2f} ms per create (min {min(ms):.2f}, max {max(ms):.2f}), "
            f"{statistics.median(ms) / base:.2f}x the cost at {sizes[0]:,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=1_000)
    parser.add_argument("--db-count", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-runs", type=int, default=3)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="host counts at which to time creates on PostgreSQL only (e.g. 1000 100000)",
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.db_count, args.db_runs, args.postgres)
        return
    if args.smoke:
        args.count, args.db_count, args.runs, args.db_runs = 200, 40, 1, 1
        args.hosts = 30 if args.hosts == parser.get_default("hosts") else args.hosts

    for label, indexed in (("place() over the region", False), ("ordered HostIndex", True)):
        rates = []
        for _ in range(args.runs):
            rate, chosen = bench_pure(args.count, args.hosts, indexed)
            rates.append(rate)
        if indexed and chosen != bench_pure(args.count, args.hosts, False)[1]:
            raise SystemExit("the host index chose other hosts than place()")
        print(
            f"pure placement, {label}: {args.count} decisions on {args.hosts} hosts, "
            f"{args.runs} runs: median {statistics.median(rates):,.0f}/s "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
        )
    for engine in ("sqlite", "postgresql"):
        rates = []
        for _ in range(args.db_runs):
            with tempfile.TemporaryDirectory() as tmp:
                url = (
                    f"sqlite:///{tmp}/bench.db"
                    if engine == "sqlite"
                    else fresh_postgres(args.postgres, "andromede_bench_placement")
                )
                rates.append(bench_db(url, args.db_count, Path(tmp) / "hv.sqlite", args.hosts))
        print(
            f"claim in transaction ({engine}): {args.db_count} creates, {args.db_runs} runs: "
            f"median {statistics.median(rates):,.0f}/s (min {min(rates):,.0f}, "
            f"max {max(rates):,.0f})"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
