"""The OpenStack face under the real clients: `openstack server list` over 1,000 servers,
the create→ACTIVE round trip through openstacksdk for 200 servers (sim driver, zero
boot time), and an image upload of 1 GiB streamed into the region's store (MB/s, and the
server process's peak memory, which must not grow with the image). A real `andromede
serve` with the demo data on SQLite, on a free port.

Share of time in our server: the requests `openstack server list` makes (token, the
three discovery documents, servers/detail, images?id=in:…, flavors/detail) are replayed
with httpx and their response times summed; the rest of the command's wall time is the
client (Python start, keystoneauth, openstacksdk, cliff's table).

Usage: python benchmarks/openstack_face.py [--servers 1000] [--sdk 200] [--runs 5]
       [--lists 60] [--image-mib 1024] [--smoke]
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
from typing import Any

import httpx
from common import free_port, wait_healthy

BIN = Path(sys.executable).with_name("andromede")
OPENSTACK = Path(sys.executable).with_name("openstack")
USER, PASSWORD, DOMAIN = "brasserie-member", "demo-password-2026", "Brasserie Lumière SAS"


def serve(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": f"sqlite:///{workdir}/andromede.db",
        "ANDROMEDE_LISTEN": f"127.0.0.1:{port}",
        "ANDROMEDE_SIM_BOOT_SECONDS": "0",
        "ANDROMEDE_RECONCILE_INTERVAL": "0.05",
        "ANDROMEDE_QUOTA_INSTANCES": "5000",
        "ANDROMEDE_QUOTA_CORES": "20000",
        "ANDROMEDE_QUOTA_RAM_MIB": "100000000",
        "ANDROMEDE_LIMIT_LOGINS_PER_ACCOUNT": "100000",  # one sign-in per CLI command
    }
    subprocess.run([str(BIN), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    return process, url


def token(url: str) -> tuple[str, str]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": USER, "password": PASSWORD}},
            },
            "scope": {"project": {"name": "production", "domain": {"name": DOMAIN}}},
        }
    }
    response = httpx.post(f"{url}/identity/v3/auth/tokens", json=body)
    return response.headers["X-Subject-Token"], response.json()["token"]["project"]["id"]


def fill(url: str, count: int) -> None:
    """Servers created through /v1 (the fastest way in), then left to become ACTIVE."""
    v1 = httpx.post(f"{url}/v1/tokens", json={"username": USER, "password": PASSWORD}).json()[
        "token"
    ]
    h = {"Authorization": f"Bearer {v1}"}
    project = next(
        p
        for p in httpx.get(f"{url}/v1/projects", headers=h).json()["items"]
        if p["name"] == "production"
    )
    with httpx.Client(headers=h, timeout=60) as client:
        for i in range(count):
            body = {
                "project_id": project["id"],
                "name": f"bench-{i:04d}",
                "flavor": "SCS-1V-2",
                "image": "cirros",
                "region": "fr-rns-1",
            }
            response = client.post(f"{url}/v1/servers", json=body)
            response.raise_for_status()


def server_list_replay(url: str) -> float:
    """The requests of `openstack server list`, timed one by one and summed."""
    spent = 0.0
    with httpx.Client(timeout=60) as client:
        start = time.perf_counter()
        os_token, _ = token(url)
        spent += time.perf_counter() - start
        h = {"X-Auth-Token": os_token}
        servers: list[dict] = []  # type: ignore[type-arg]
        for path in (
            "/identity",
            "/image",
            "/compute/v2.1",
            "/compute/v2.1/servers/detail?deleted=False",
        ):
            start = time.perf_counter()
            response = client.get(f"{url}{path}", headers=h)
            spent += time.perf_counter() - start
            if "servers/detail" in path:
                servers = response.json()["servers"]
        ids = ",".join(sorted({s["image"]["id"] for s in servers}))
        for path in (
            f"/image/v2/images?id=in:{ids}",
            "/compute/v2.1/flavors/detail?is_public=None",
        ):
            start = time.perf_counter()
            client.get(f"{url}{path}", headers=h)
            spent += time.perf_counter() - start
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--sdk", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lists", type=int, default=60, help="servers/detail, timed")
    parser.add_argument("--image-mib", type=int, default=1024, help="image upload size")
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.sdk, args.runs, args.lists, args.image_mib = 5, 2, 1, 3, 8
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        process, url = serve(workdir)
        try:
            run(url, workdir, args)
            for _ in range(args.runs if not args.smoke else 1):
                image_upload(url, args.image_mib, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


MIB = 1024 * 1024


def _peak_mib(pid: int) -> float:
    """The process's peak resident memory so far (Linux's VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def image_upload(url: str, mib: int, pid: int) -> None:
    """One image of ``mib`` MiB, sent as a stream (the client holds 1 MiB), timed from the
    first byte sent to Glance's 204; then checked whole and deleted."""
    os_token, _ = token(url)
    h = {"X-Auth-Token": os_token}
    body = {"name": "bench-image", "disk_format": "raw", "container_format": "bare"}
    made = httpx.post(f"{url}/image/v2/images", headers=h, json=body, timeout=60)
    made.raise_for_status()
    image = made.json()["id"]
    block = os.urandom(MIB)

    def chunks() -> Any:
        for _ in range(mib):
            yield block

    before = _peak_mib(pid)
    start = time.perf_counter()
    headers = h | {"Content-Type": "application/octet-stream", "Content-Length": str(mib * MIB)}
    sent = httpx.put(
        f"{url}/image/v2/images/{image}/file", headers=headers, content=chunks(), timeout=600
    )
    elapsed = time.perf_counter() - start
    sent.raise_for_status()
    shown = httpx.get(f"{url}/image/v2/images/{image}", headers=h, timeout=60).json()
    if shown["size"] != mib * MIB or shown["status"] != "active":
        raise RuntimeError(f"the image was not stored whole: {shown}")
    httpx.delete(f"{url}/image/v2/images/{image}", headers=h, timeout=60).raise_for_status()
    print(
        f"image upload, {mib} MiB streamed: {mib * MIB / elapsed / 1e6:.0f} MB/s "
        f"({elapsed:.2f} s); server peak RSS {before:.0f} MiB before, "
        f"{_peak_mib(pid):.0f} MiB after",
        flush=True,
    )


def detail_latencies(url: str, count: int) -> None:
    """``servers/detail`` asked ``count`` times in a row once the servers are built (the
    reconciler's build backlog would be timed too otherwise): what a dashboard refreshing
    the list sees (p50 and p95)."""
    os_token, _ = token(url)
    times = []
    with httpx.Client(timeout=60, headers={"X-Auth-Token": os_token}) as client:
        deadline = time.monotonic() + 600
        while client.get(f"{url}/compute/v2.1/servers?status=BUILD").json()["servers"]:
            if time.monotonic() > deadline:
                raise RuntimeError("the servers were not built in 10 minutes")
            time.sleep(0.5)
        for _ in range(count):
            start = time.perf_counter()
            response = client.get(f"{url}/compute/v2.1/servers/detail")
            times.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    listed = len(response.json()["servers"])
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"GET servers/detail, {listed} servers, {count} times: p50 "
        f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms",
        flush=True,
    )


def run(url: str, workdir: Path, args: argparse.Namespace) -> None:
    import openstack

    fill(url, args.servers)
    clouds = workdir / "clouds.yaml"
    clouds.write_text(
        "clouds:\n  bench:\n    auth:\n"
        f"      auth_url: {url}/identity\n      username: {USER}\n      password: {PASSWORD}\n"
        f"      project_name: production\n      user_domain_name: Default\n"
        f'      project_domain_name: "{DOMAIN}"\n    region_name: fr-rns-1\n',
        encoding="utf-8",
    )
    detail_latencies(url, args.lists)
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
    walls, servers = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run(
            [str(OPENSTACK), "--os-cloud", "bench", "server", "list", "-f", "json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        walls.append(time.perf_counter() - start)
        listed = len(json.loads(done.stdout))
        servers.append(server_list_replay(url))
    wall, inside = statistics.median(walls), statistics.median(servers)
    print(
        f"openstack server list, {listed} servers: median {wall:.2f} s over {args.runs} runs "
        f"({', '.join(f'{w:.2f}' for w in walls)}); in our server {inside:.2f} s "
        f"({inside / wall:.0%})",
        flush=True,
    )
    conn = openstack.connect(
        auth_url=f"{url}/identity",
        username=USER,
        password=PASSWORD,
        project_name="production",
        user_domain_name="Default",
        project_domain_name=DOMAIN,
        region_name="fr-rns-1",
    )
    image = conn.image.find_image("cirros", ignore_missing=False)
    flavor = conn.compute.find_flavor("SCS-1V-2", ignore_missing=False)
    trips = []
    for i in range(args.sdk):
        start = time.perf_counter()
        server = conn.compute.create_server(  # "auto": required from microversion 2.37
            name=f"sdk-{i:03d}", image_id=image.id, flavor_id=flavor.id, networks="auto"
        )
        conn.compute.wait_for_server(server, interval=0.05, wait=60)
        trips.append(time.perf_counter() - start)
    trips.sort()
    p95 = trips[int(len(trips) * 0.95) - 1]
    print(
        f"openstacksdk create→ACTIVE, {args.sdk} servers one after another: median "
        f"{statistics.median(trips) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"(reconciler pass every 50 ms, boot 0 s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
