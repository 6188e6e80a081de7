"""HTTP API: 2,000 server creates from 16 concurrent clients (sim driver, zero boot time),
then lists of 1,000 servers; p50/p95 latency and creates/s, on SQLite and PostgreSQL.

The service runs as `andromede serve` (one process, reconciler inside, as `make demo`) on
the demo data; each client works in a project of its own, as customers do. The projects
are made, and the servers created, by a partner's admin (the demo's `armor-admin`): that
is who provisions for customers, and operator staff see no customer project without a
grant. A run where any request fails exits non-zero instead of printing a rate.

Usage: python benchmarks/api.py [--engine sqlite|postgresql|both] [--runs 3] [--smoke]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from common import free_port, fresh_postgres, wait_healthy

from andromede.cli.client import tls_for
from andromede.cli.demo import DEMO_PASSWORD

BIN = Path(sys.executable).with_name("andromede")
ADMIN_PASSWORD = "bench-admin-secret"
SELLER = "armor-admin"  # a partner admin of the demo data
CUSTOMER = "Clinique des Tilleuls"  # one of its customers without a residency policy


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_service(
    db_url: str, workdir: Path, api_workers: int
) -> tuple[list[subprocess.Popen[bytes]], str]:
    """``api_workers`` 1: `andromede serve` alone, reconciler inside (the embedded default).
    More: that many API processes and the reconciler in an `andromede worker` process."""
    port = free_port()
    env = {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": db_url,
        "ANDROMEDE_API_WORKERS": str(api_workers),
        "ANDROMEDE_RECONCILER_IN_SERVE": str(api_workers == 1).lower(),
        "ANDROMEDE_LISTEN": f"127.0.0.1:{port}",
        "ANDROMEDE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ANDROMEDE_SIM_BOOT_SECONDS": "0",
        "ANDROMEDE_SIM_STATE_PATH": str(workdir / "hv.db"),
        "ANDROMEDE_KMS_DIR": str(workdir / "kms"),  # on PostgreSQL, not in the working folder
        "ANDROMEDE_ARGON2_MEMORY_KIB": "8192",
        "ANDROMEDE_ARGON2_TIME_COST": "1",
    }
    subprocess.run(
        [str(BIN), "demo", "--no-serve"],
        env=env,
        check=True,
        capture_output=True,
    )
    commands = [["serve"]] + ([["worker"]] if api_workers > 1 else [])
    processes = [
        subprocess.Popen(
            [str(BIN), *c],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for c in commands
    ]
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    return processes, url


def prepare(url: str, clients: int, per_client: int) -> tuple[str, list[str]]:
    login = httpx.post(f"{url}/v1/tokens", json={"username": SELLER, "password": DEMO_PASSWORD})
    login.raise_for_status()
    token = login.json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    customers = httpx.get(f"{url}/v1/customers", headers=h)
    customers.raise_for_status()
    customer = next(c["id"] for c in customers.json()["items"] if c["name"] == CUSTOMER)
    projects = []
    for n in range(clients):
        created = httpx.post(
            f"{url}/v1/projects", headers=h, json={"customer_id": customer, "name": f"bench-{n}"}
        )
        created.raise_for_status()
        project = created.json()["id"]
        httpx.patch(
            f"{url}/v1/projects/{project}",
            headers=h,
            json={  # room for a server of up to 4 vCPUs, 8 GiB and 100 GB of disk each
                "quota_instances": per_client,
                "quota_cores": per_client * 4,
                "quota_ram_mib": per_client * 8192,
                "quota_storage_gib": per_client * 100,
            },
        ).raise_for_status()
        projects.append(project)
    return token, projects


# a client's request number i: method, path, body, and the status that counts as done
Request = Callable[[int, int], tuple[str, str, str | None, int]]


def create_all(
    url: str, token: str, projects: list[str], per_client: int, flavor: str = "SCS-1V-2"
) -> tuple[list[float], float, int]:
    """Each client creates ``per_client`` servers in its own project. The default flavor
    has no disk: in a region that sells volumes each server boots from a root volume made
    with it."""
    regions = ["fr-par-1", "fr-rns-1", "fr-lyo-1"]

    def create(n: int, i: int) -> tuple[str, str, str | None, int]:
        body = {
            "project_id": projects[n],
            "name": f"b{n}-{i}",
            "flavor": flavor,
            "image": "cirros",
            "region": regions[(n + i) % 3],
        }
        return "POST", "/v1/servers", json.dumps(body), 202

    return load(url, token, len(projects), per_client, create)


def load(
    url: str, token: str, clients: int, per_client: int, request: Request
) -> tuple[list[float], float, int]:
    """Latencies, wall time and failures of ``clients`` clients sending ``per_client``
    requests each. One thread and one keep-alive connection per client; http.client keeps
    the load generator's own CPU small, since it shares the two cores with the service."""
    latencies: list[float] = []
    failures = 0
    host, port = url.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    barrier = threading.Barrier(clients + 1)

    def client_loop(n: int) -> None:
        nonlocal failures
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        barrier.wait()
        for i in range(per_client):
            method, path, body, expected = request(n, i)
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            failures += response.status != expected
        conn.close()

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start, failures


def list_latencies(url: str, token: str, count: int) -> tuple[list[float], int]:
    latencies = []
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        for _ in range(count):
            start = time.perf_counter()
            response = client.get("/v1/servers", params={"limit": 1000})
            latencies.append(time.perf_counter() - start)
            response.raise_for_status()
            size = len(response.json()["items"])
    return latencies, size


def wait_settled(url: str, token: str) -> None:
    """Until the reconciler has brought every server out of BUILD."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, verify=tls_for(url)) as http:
        for _ in range(600):
            building = http.get("/v1/servers", params={"status": "BUILD", "limit": 1})
            if not building.json()["items"]:
                return
            time.sleep(0.1)
    raise RuntimeError("servers still building after 60 s")


def run_once(
    engine: str, servers: int, clients: int, pg: str, api_workers: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db_url = (
            f"sqlite:///{tmp}/bench.db"
            if engine == "sqlite"
            else fresh_postgres(pg, "andromede_bench_api")
        )
        processes, url = start_service(db_url, Path(tmp), api_workers)
        try:
            per_client = servers // clients
            token, projects = prepare(url, clients, per_client)
            latencies, wall, failures = create_all(url, token, projects, per_client)
            lists, size = list_latencies(url, token, 30)  # the reconciler is still busy
            wait_settled(url, token)
            settled, _ = list_latencies(url, token, 30)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
    return {
        "creates_per_s": len(latencies) / wall,
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "failures": failures,
        "list_p50": percentile(lists, 0.5) * 1000,
        "list_p95": percentile(lists, 0.95) * 1000,
        "list_size": size,
        "settled_p50": percentile(settled, 0.5) * 1000,
        "settled_p95": percentile(settled, 0.95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--servers", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.clients, args.runs = 40, 4, 1
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    for engine in engines:
        results = [
            run_once(engine, args.servers, args.clients, args.postgres, args.api_workers)
            for _ in range(args.runs)
        ]
        failed = sum(r["failures"] for r in results)
        if failed:
            raise SystemExit(f"{engine}: {failed:.0f} creates failed; no figures")
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(
            f"{engine}, {args.api_workers} API process(es): {args.servers} creates, "
            f"{args.clients} clients, {args.runs} runs "
            f"(medians): {med['creates_per_s']:.0f} creates/s, p50 {med['p50']:.1f} ms, "
            f"p95 {med['p95']:.1f} ms, failures {med['failures']:.0f}; "
            f"list of {med['list_size']:.0f} while the reconciler works: "
            f"p50 {med['list_p50']:.1f} ms, p95 {med['list_p95']:.1f} ms; once settled: "
            f"p50 {med['settled_p50']:.1f} ms, p95 {med['settled_p95']:.1f} ms"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
