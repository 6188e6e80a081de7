"""Ours beside OpenStack Placement, in one invocation on this machine: the same number of
hosts, the same kind of database, one client then several, and the ratio.

- **Placement** is the outside anchor in ``../shared/yardsticks/placement`` (installed
  from PyPI into /tmp at run time; none of its code is here): ``load.py`` registers N
  providers, ``bench.py`` places VMs (GET /allocation_candidates, then PUT
  /allocations, anti-affinity groups of 4 applied by the client as Nova does).
- **Ours** is ``andromede serve`` on the demo data plus N hosts: POST /v1/servers end to
  end (token, residency, placement, claim, address, audit, commit), 202 or a failure.
  Then as many health checks, by the same clients on the same server: the rate of our
  cheapest request, the ceiling of any create on this HTTP stack and machine, printed as
  its own ratio to Placement; and the time of a one-row transaction on the same
  database, the least one create's commit costs.

Only ratios measured in one run mean something here (the machines differ by 3× from day to
day). A run where any of our creates fails exits non-zero. Without the yardstick (or with
``--smoke``, which never installs it) our side runs alone and the anchor is reported as
not measured — never estimated.

Usage: python benchmarks/vs_placement.py [--hosts 1000] [--vms 400] [--clients 1 16]
                                         [--engine sqlite|postgresql] [--runs 3]
                                         [--flavor SCS-1V-2] [--smoke]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api import BIN, create_all, load, percentile, prepare
from common import free_port, fresh_postgres, wait_healthy

from andromede.bootstrap import build
from andromede.compute.host_service import HostInput
from andromede.config import load_settings
from andromede.db import make_engine
from andromede.tenancy.scope import Actor, Caller, Role

YARDSTICK = Path(
    os.environ.get(
        "ANDROMEDE_PLACEMENT_YARDSTICK",
        Path(__file__).resolve().parents[2] / "shared" / "yardsticks" / "placement",
    )
)
WORK = Path(os.environ.get("PLACEMENT_WORK", "/tmp/placement-yardstick"))
SEEDER = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))


def _env(db_url: str, workdir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": db_url,
        "ANDROMEDE_LISTEN": f"127.0.0.1:{port}",
        "ANDROMEDE_ADMIN_PASSWORD": "bench-admin-secret",
        "ANDROMEDE_SIM_BOOT_SECONDS": "0",
        "ANDROMEDE_SIM_STATE_PATH": str(workdir / "hv.db"),
        "ANDROMEDE_KMS_DIR": str(workdir / "kms"),  # on PostgreSQL, not in the working folder
        "ANDROMEDE_ARGON2_MEMORY_KIB": "8192",
        "ANDROMEDE_ARGON2_TIME_COST": "1",
        "ANDROMEDE_LIMIT_LOGINS_PER_SOURCE": "100000",
    }


def add_hosts(db_url: str, workdir: Path, hosts: int) -> None:
    """N hosts of 64 vCPUs and 256 GB over the demo's zones, like the anchor's providers."""
    app = build(load_settings(env={}, database_url=db_url, sim_state_path=str(workdir / "hv.db")))
    with app.uow() as session:
        zones = [z.code for z in app.catalog.all_zones(session)]
        for n in range(hosts):
            zone = zones[n % len(zones)]
            app.hosts.create_host(
                session,
                SEEDER,
                HostInput(f"{zone}-bench{n:05d}", zone, 64, 256_000, 2000, traits=["ssd"]),
            )
    app.engine.dispose()


def _health(client: int, n: int) -> tuple[str, str, None, int]:
    """Our cheapest request: the middleware, one read of the database's clock, a small
    JSON answer. No create through the same server and client can go faster."""
    return "GET", "/v1/health", None, 200


def ours(engine: str, hosts: int, vms: int, clients: int, pg: str, flavor: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db_url = (
            f"sqlite:///{tmp}/bench.db"
            if engine == "sqlite"
            else fresh_postgres(pg, "andromede_bench_vs")
        )
        port = free_port()
        env = _env(db_url, workdir, port)
        subprocess.run([str(BIN), "demo", "--no-serve"], env=env, check=True, capture_output=True)
        add_hosts(db_url, workdir, hosts)
        process = subprocess.Popen(
            [str(BIN), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            per_client = max(vms // clients, 1)
            token, projects = prepare(url, clients, per_client)
            latencies, wall, failures = create_all(url, token, projects, per_client, flavor)
            bare, bare_wall, bare_failures = load(url, token, clients, per_client, _health)
        finally:
            process.terminate()
            process.wait(timeout=30)
        commit_ms = one_commit_ms(db_url)
    if failures or bare_failures:
        sys.exit(f"{failures + bare_failures} of our {2 * len(latencies)} requests failed")
    return {
        "rate": len(latencies) / wall,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "bare_rate": len(bare) / bare_wall,
        "commit_ms": commit_ms,
    }


def one_commit_ms(db_url: str, count: int = 300) -> float:
    """Median ms of a transaction writing one row, on our engine of the same database
    (its settings: on SQLite, WAL with ``synchronous=NORMAL``; on PostgreSQL, a flushed
    commit): what one create's commit costs at the least, one client at a time."""
    engine = make_engine(db_url)
    times = []
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE bench_commit (n INTEGER)")
        for n in range(count):
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.exec_driver_sql(f"INSERT INTO bench_commit VALUES ({n})")
            times.append(time.perf_counter() - start)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE bench_commit")
    finally:
        engine.dispose()
    return 1000 * statistics.median(times)


def anchor(backend: str, hosts: int, vms: int, clients: int) -> dict[str, float] | None:
    """Placement's placements/s and candidates latency, or None without the yardstick."""
    if not (YARDSTICK / "bench.py").exists():
        return None
    python = WORK / "venv" / "bin" / "python"
    env = {**os.environ, "BACKEND": backend, "PLACEMENT_WORK": str(WORK)}
    if not python.exists():
        subprocess.run(["bash", str(YARDSTICK / "setup.sh")], env=env, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        layout, result = Path(tmp) / "layout.json", Path(tmp) / "bench.json"
        # started from its own folder: gunicorn puts the working directory on the path, and
        # ours (benchmarks/) holds a placement.py that would shadow OpenStack Placement
        subprocess.run(
            ["bash", str(YARDSTICK / "server.sh"), "start"], env=env, check=True, cwd=WORK
        )
        try:
            url = "http://127.0.0.1:18778"
            load = [
                str(python),
                str(YARDSTICK / "load.py"),
                "--url",
                url,
                "--providers",
                str(hosts),
                "--layout-out",
                str(layout),
                "--stats-out",
                f"{tmp}/load.json",
            ]
            subprocess.run(load, env=env, check=True, capture_output=True)
            bench = [
                str(python),
                str(YARDSTICK / "bench.py"),
                "--url",
                url,
                "--layout",
                str(layout),
                "--out",
                str(result),
                "--vms",
                str(vms),
                "--queries",
                "5",
                "--concurrency",
                str(clients),
                "--max-seconds",
                "600",
            ]
            subprocess.run(bench, env=env, check=True, capture_output=True)
        finally:
            subprocess.run(
                ["bash", str(YARDSTICK / "server.sh"), "stop"],
                env=env,
                check=False,
                capture_output=True,
            )
        placed = json.loads(result.read_text())["placement"]
    return {
        "rate": float(placed["placements_per_s"] or 0),
        "get_p50_ms": float(placed["get_candidates_ms"].get("p50") or 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=1_000)
    parser.add_argument("--vms", type=int, default=400)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--flavor",
        default="SCS-1V-2",
        help="ours: SCS-1V-2 boots from a root volume, SCS-2V-4-20s on the host's disk",
    )
    parser.add_argument("--smoke", action="store_true", help="ours alone, a few seconds")
    args = parser.parse_args()
    if args.smoke:
        args.hosts, args.vms, args.clients, args.runs = 30, 32, [4], 1
    backend = "sqlite" if args.engine == "sqlite" else "pg"
    for clients in args.clients:
        mine, theirs = [], []
        for _ in range(args.runs):  # interleaved: a slow spell of the machine hits both
            if not args.smoke:
                measured = anchor(backend, args.hosts, args.vms, clients)
                if measured is not None:
                    theirs.append(measured)
            mine.append(
                ours(args.engine, args.hosts, args.vms, clients, args.postgres, args.flavor)
            )
        rate = statistics.median(r["rate"] for r in mine)
        p95 = statistics.median(r["p95_ms"] for r in mine)
        bare = statistics.median(r["bare_rate"] for r in mine)
        commit_ms = statistics.median(r["commit_ms"] for r in mine)
        line = (
            f"{args.hosts:,} hosts, {args.engine}, {args.flavor}, {clients} client(s), "
            f"{args.runs} run(s), "
            f"medians: ours {rate:,.0f} creates/s (p95 {p95:.0f} ms, runs "
            + ", ".join(f"{r['rate']:.0f}" for r in mine)
            + f"); our cheapest request, GET /v1/health, {bare:,.0f}/s; "
            f"a one-row transaction {commit_ms:.2f} ms"
        )
        if theirs:
            their_rate = statistics.median(t["rate"] for t in theirs)
            their_get = statistics.median(t["get_p50_ms"] for t in theirs)
            ratios = [m["rate"] / t["rate"] for m, t in zip(mine, theirs, strict=True) if t["rate"]]
            line += (
                f"; Placement {their_rate:.1f} placements/s (GET candidates p50 "
                f"{their_get:.0f} ms); ratio {statistics.median(ratios):.0f}× (runs "
                + ", ".join(f"{r:.0f}×" for r in ratios)
                + f"); our p95 {'under' if p95 < their_get else 'over'} their p50; "
                f"the health check alone would be {bare / their_rate:.0f}× Placement, "
                f"one-row transactions in a row {1000 / commit_ms / their_rate:.0f}×"
            )
        else:
            line += "; Placement not measured (no yardstick, or --smoke)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
