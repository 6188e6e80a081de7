"""Importing their price list at a region's real size, and the report on it.

Builds an EC2 offer file in the AWS Price List bulk format (JSON): ``--types`` instance
types, each in ``--variants`` products (operating systems, tenancies, licences, capacity
states: one Linux/shared/used product the import keeps, the others it leaves out), each
with an on-demand term and six standard reservations. Times, in one run: reading the file
(the pure parser alone), the whole import (parse + store, one transaction), and the
alignment report on the demo catalog; prints the file's size and the process's peak
memory. Figures are medians of ``--runs``.

Usage: python benchmarks/alignment.py [--types 700] [--variants 40] [--runs 3]
       [--engine sqlite|postgresql] [--postgres URL] [--smoke]
"""

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from common import fresh_postgres

from andromede.alignment.price_list import parse_price_list
from andromede.bootstrap import App, build
from andromede.cli.demo import load_catalog
from andromede.config import load_settings
from andromede.kernel.clock import FrozenClock
from andromede.schema import upgrade
from andromede.tenancy.scope import Actor, Caller, Role

OP = Caller(Actor("bench", "system:bench", Role.OPERATOR_ADMIN, system=True))
FAMILIES = (
    ("m", "General purpose", 4),
    ("c", "Compute optimized", 2),
    ("r", "Memory optimized", 8),
)
SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
OTHER_OS = ("Windows", "RHEL", "SUSE", "Red Hat Enterprise Linux with HA", "Ubuntu Pro")
RESERVED = [(length, option) for length in ("1yr", "3yr")
            for option in ("No Upfront", "Partial Upfront", "All Upfront")]  # fmt: skip


def _dims(sku: str, code: str, hourly: float, upfront: float | None) -> dict[str, object]:
    dims: dict[str, object] = {
        f"{sku}.{code}.H": {"unit": "Hrs", "pricePerUnit": {"USD": f"{hourly:.10f}"}}
    }
    if upfront is not None:
        dims[f"{sku}.{code}.U"] = {"unit": "Quantity", "pricePerUnit": {"USD": f"{upfront:.0f}"}}
    return dims


def offer_file(types: int, variants: int) -> bytes:
    products: dict[str, object] = {}
    on_demand: dict[str, object] = {}
    reserved: dict[str, object] = {}
    for t in range(types):
        prefix, family, per_vcpu = FAMILIES[t % 3]
        size = SIZES[(t // 3) % len(SIZES)]
        name = f"{prefix}{5 + t // 24}{'abcdefgh'[t % 8]}.{size}"
        vcpus = 2 * 2 ** min((t // 3) % len(SIZES), 6)
        for v in range(variants):
            sku = f"S{t:04d}V{v:03d}"
            linux = v == 0
            products[sku] = {"sku": sku, "productFamily": "Compute Instance", "attributes": {
                "instanceType": name, "instanceFamily": family, "vcpu": str(vcpus),
                "memory": f"{vcpus * per_vcpu} GiB", "physicalProcessor": "Intel Xeon",
                "currentGeneration": "Yes", "regionCode": "eu-west-3",
                "operatingSystem": "Linux" if linux else OTHER_OS[v % len(OTHER_OS)],
                "tenancy": "Shared" if linux or v % 3 else "Dedicated",
                "preInstalledSw": "NA", "capacitystatus": "Used" if linux or v % 2 else "Unused",
                "licenseModel": "No License required", "operation": "RunInstances",
            }}  # fmt: skip
            hourly = 0.024 * vcpus * (1 + v / 10)
            on_demand[sku] = {f"{sku}.OD": {"priceDimensions": _dims(sku, "OD", hourly, None)}}
            terms = {}
            for n, (length, option) in enumerate(RESERVED):
                years = 1 if length == "1yr" else 3
                upfront = None if option == "No Upfront" else hourly * 0.6 * 8760 * years / 2
                terms[f"{sku}.R{n}"] = {
                    "priceDimensions": _dims(sku, f"R{n}", hourly * 0.3, upfront),
                    "termAttributes": {"LeaseContractLength": length,
                                       "OfferingClass": "standard", "PurchaseOption": option},
                }  # fmt: skip
            reserved[sku] = terms
    return json.dumps({
        "formatVersion": "v1.0", "offerCode": "AmazonEC2", "version": "20261201000000",
        "publicationDate": "2026-12-01T00:00:00Z", "products": products,
        "terms": {"OnDemand": on_demand, "Reserved": reserved},
    }).encode()  # fmt: skip


def _app(engine: str, postgres: str | None, workdir: Path) -> App:
    url = (
        fresh_postgres(postgres, "bench_alignment")
        if engine == "postgresql" and postgres
        else f"sqlite:///{workdir / 'bench.db'}"
    )
    upgrade(url)
    settings = load_settings(env={}, database_url=url, sim_state_path=str(workdir / "hv.sqlite"))
    app = build(settings, clock=FrozenClock(datetime(2026, 12, 4, tzinfo=UTC)))
    load_catalog(app, OP, hosts_per_zone=1)
    return app


def run(args: argparse.Namespace, data: bytes, workdir: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    parsed = parse_price_list(
        data, region="eu-west-3", rate=Decimal("0.92"), rate_date=date(2026, 12, 1)
    )
    parse = time.perf_counter() - started
    if len(parsed.types) != args.types:
        sys.exit(f"parsed {len(parsed.types)} types, expected {args.types}")
    app = _app(args.engine, args.postgres, workdir)
    try:
        started = time.perf_counter()
        with app.uow() as session:
            row = app.alignment.import_list(
                session, OP, data, region="eu-west-3", rate="0.92", rate_date=date(2026, 12, 1)
            )
            list_id = row.id
        imported = time.perf_counter() - started
        started = time.perf_counter()
        with app.uow(readonly=True) as session:
            result = app.alignment.report(session, OP, list_id=list_id)
        report = time.perf_counter() - started
        if not any(line.theirs is not None for line in result.report.lines):
            sys.exit("the report compared no flavor with their types")
    finally:
        app.engine.dispose()
    return parse, imported, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=700)
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (--engine postgresql)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.types, args.variants, args.runs = 24, 4, 1
    data = offer_file(args.types, args.variants)
    figures = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-alignment-") as tmp:
            figures.append(run(args, data, Path(tmp)))
    parse, imported, report = (statistics.median(f[i] for f in figures) for i in range(3))
    size = len(data) / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.engine}: {args.types} types x {args.variants} products, {size:.1f} MB JSON; "
        f"medians of {args.runs}"
    )
    print(f"  parse  {parse:.2f} s ({size / parse:.1f} MB/s)")
    print(f"  import {imported:.2f} s (parse + store, one transaction)")
    print(f"  report {report * 1000:.0f} ms")
    print(f"  peak memory of the process {peak:.0f} MB")


if __name__ == "__main__":
    main()
