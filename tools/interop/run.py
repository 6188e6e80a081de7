"""Runs the OpenStack Powered Compute guideline's required Tempest tests against a running
Andromède (``make demo`` or any instance with the demo data) and counts them per component.

Tempest runs from its own virtualenv (``--tempest-venv``, made with ``pip install
tempest``), so the project's own dependencies never mix with it. The demo's customer
members are Tempest's pre-provisioned accounts; the catalog image and flavor ids are read
from the instance.

Tempest signs in once per test class and account, far above the default sign-in limits:
start the instance with ``ANDROMEDE_LIMIT_LOGINS_PER_SOURCE`` and ``_PER_ACCOUNT`` raised
(README), or its classes fail setUp with 429.

Usage: python tools/interop/run.py --url http://127.0.0.1:8080 --tempest-venv /tmp/tempest
       [--workspace /tmp/tempest-ws] [--components nova,keystone,glance,neutron,cinder]
       [--one-project]   (Cinder's test_volume_upload: Tempest's project reader reads the
                          primary's private image, so both must be of one project)
"""

import argparse
import collections
import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
WORKSPACE = "andromede-interop"
USER, PASSWORD, DOMAIN = "brasserie-member", "demo-password-2026", "Brasserie Lumière SAS"


def required(components: set[str]) -> list[tuple[str, str]]:
    lines = (HERE / "required-2020.06.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split() for line in lines if line and not line.startswith("#")]
    return [(component, test) for component, _, test in rows if component in components]


def catalog_ids(url: str) -> dict[str, str]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": USER, "domain": {"name": "Default"}, "password": PASSWORD}
                },
            },
            "scope": {"project": {"name": "production", "domain": {"name": DOMAIN}}},
        }
    }
    answer = httpx.post(f"{url}/identity/v3/auth/tokens", json=body)
    answer.raise_for_status()
    h = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
    images = {
        i["name"]: i["id"] for i in httpx.get(f"{url}/image/v2/images", headers=h).json()["images"]
    }
    flavors = {
        f["name"]: f["id"]
        for f in httpx.get(f"{url}/compute/v2.1/flavors", headers=h).json()["flavors"]
    }
    networks = httpx.get(f"{url}/network/v2.0/networks?router:external=true", headers=h)
    public = next(n["id"] for n in networks.json()["networks"] if n["name"] == "provider-fr-par-1")
    return {
        "@PUBLIC_NETWORK@": public,
        "@IMAGE@": images["cirros"],
        "@IMAGE_ALT@": images["debian-12"],
        "@FLAVOR@": flavors["SCS-2V-4-20s"],
        "@FLAVOR_ALT@": flavors["SCS-2V-8-20s"],
    }


def workspace(path: Path, url: str, tempest: Path, accounts: str) -> None:
    subprocess.run(  # Tempest keeps a registry of its workspaces: forget the last one
        [str(tempest), "workspace", "remove", "--name", WORKSPACE], check=False, capture_output=True
    )
    if path.exists():
        shutil.rmtree(path)
    subprocess.run(
        [str(tempest), "init", "--name", WORKSPACE, str(path)], check=True, capture_output=True
    )
    config = (HERE / "tempest.conf.in").read_text(encoding="utf-8")
    for key, value in {**catalog_ids(url), "@URL@": url, "@WORKSPACE@": str(path)}.items():
        config = config.replace(key, value)
    (path / "etc" / "tempest.conf").write_text(config, encoding="utf-8")
    shutil.copy(HERE / accounts, path / "etc" / "accounts.yaml")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--tempest-venv", type=Path, required=True)
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/andromede-tempest"))
    parser.add_argument("--components", default="nova,keystone,glance,neutron,cinder")
    parser.add_argument(
        "--one-project",
        action="store_true",
        help="two accounts of one project (the project reader sees the primary's images)",
    )
    args = parser.parse_args()
    accounts = "accounts-one-project.yaml" if args.one_project else "accounts.yaml"
    tests = required(set(args.components.split(",")))
    tempest = args.tempest_venv / "bin" / "tempest"
    workspace(args.workspace, args.url.rstrip("/"), tempest, accounts)
    include = args.workspace / "include.txt"
    include.write_text("".join(f"{test}\n" for _, test in tests), encoding="utf-8")
    subprocess.run(
        [str(tempest), "run", "--include-list", str(include), "--concurrency", "1"],
        cwd=args.workspace,
        check=False,
    )
    subunit = subprocess.run(
        [str(args.tempest_venv / "bin" / "stestr"), "last", "--subunit"],
        cwd=args.workspace,
        capture_output=True,
        check=True,
    ).stdout
    rows = subprocess.run(
        [str(args.tempest_venv / "bin" / "subunit2csv")],
        input=subunit,
        capture_output=True,
        check=False,  # non-zero when a test failed: the rows are there all the same
    ).stdout.decode()
    status = {
        re.sub(r"\[.*\]$", "", r["test"]): r["status"] for r in csv.DictReader(io.StringIO(rows))
    }
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for component, test in tests:
        counts[component][status.get(test, "not run")] += 1
    for component, counted in counts.items():
        print(
            f"{component}: {counted['success']} of {sum(counted.values())} passed {dict(counted)}"
        )


if __name__ == "__main__":
    main()
