"""What a month close's sums would cost if the database found them, beside what the close
spends on them now, on the same database in the same run.

Issue 15 asks for the close within 3x its I/O floor and names columnar engines as the way
if Python loops cannot get there. Before building on one, this measures the two within
reach of our stack on the month ``billing.py`` seeds:

- **SQL**: the servers' runs found by window functions (a change opens a run when the
  server enters a billed state or changes flavor in it), cut at the price change, topped
  up to the 60-second run minimum and added up per (dimension, flavor, region, partner,
  customer) and price stretch, all in the database; only the sums come back.
- **Arrow columns**: the month's changes as the close reads them, turned into pyarrow
  arrays (a dependency already), before any computing.

Beside them, the close's own path: reading and making the changes, then
``summed_server_usage``. The SQL is a lower bound of a path built on it: it leaves out
what the close needs besides (the runs carried in from the month before and those still
open at its end, each line's first piece, the customers kept in detail). Its sums are
checked against the close's own, per partner, customer and SKU, to 10^-12 of an hour
(the close divides each piece by 3,600 in 28 digits, the SQL adds microseconds): a
mismatch exits non-zero. The seeded month has no resize, so that check never reaches the
SQL's rule for a change of flavor.

Usage: python benchmarks/close_in_sql.py [--servers 10000] [--runs 3]
       [--engine sqlite|postgresql] [--postgres URL] [--smoke]
"""

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import billing
import pyarrow as pa
from sqlalchemy import text

from andromede.billing.summed_usage import summed_server_usage
from andromede.bootstrap import App
from andromede.catalog.pricing import compute_sku, disk_sku
from andromede.compute import store as compute_store
from andromede.db import driver_rows
from andromede.kernel.collector import collector_paused
from andromede.kernel.months import month_bounds
from andromede.metering.service import cuts

MONTH = "2026-10"
TOLERANCE = Decimal("1e-12")  # hours, or GiB-months
MICROS = {  # a stored instant as whole microseconds since the epoch
    "sqlite": "(CAST(strftime('%s', {c}) AS INTEGER) * 1000000"
    " + CAST(substr({c}, 21, 6) AS INTEGER))",
    "postgresql": "CAST(EXTRACT(EPOCH FROM {c}) * 1000000 AS BIGINT)",
}
LEAST = {"sqlite": "MIN", "postgresql": "LEAST"}

SUMS = """
WITH ev AS (
  SELECT e.server_id AS sv, e.seq AS seq, {micros} AS t,
         e.to_status IN ('ACTIVE', 'REBOOT', 'REBUILD') AS rc,
         e.to_status IN ('ACTIVE', 'REBOOT', 'REBUILD', 'SHUTOFF') AS rd,
         e.flavor_id AS fl, e.region_code AS rg, e.partner_id AS pa, e.customer_id AS cu,
         s.disk_gib + COALESCE(s.root_volume_gib, 0) AS gib
  FROM server_events e JOIN servers s ON s.id = e.server_id
  WHERE e.at < :until_at AND (s.deleted_at IS NULL OR s.deleted_at >= :start_at)
),
w AS (
  SELECT ev.*, LAG(rc) OVER s AS prc, LAG(rd) OVER s AS prd, LAG(fl) OVER s AS pfl
  FROM ev WINDOW s AS (PARTITION BY sv ORDER BY t, seq)
),
tr AS (
  SELECT sv, seq, t, 0 AS dim, fl, rg, pa, cu, 1 AS gib, rc AS inside FROM w
   WHERE (rc AND (prc IS NULL OR NOT prc OR pfl <> fl)) OR (NOT rc AND prc)
  UNION ALL
  SELECT sv, seq, t, 1, fl, rg, pa, cu, gib, rd FROM w
   WHERE gib > 0 AND ((rd AND (prd IS NULL OR NOT prd OR pfl <> fl)) OR (NOT rd AND prd))
),
runs AS (
  SELECT dim, fl, rg, pa, cu, gib, inside, t AS a,
         COALESCE(LEAD(t) OVER (PARTITION BY sv, dim ORDER BY t, seq), :until) AS b
  FROM tr
),
pieces AS (
  SELECT dim, fl, rg, pa, cu, gib, a, b,
         CASE WHEN b - a < 60000000 THEN 60000000 - (b - a) ELSE 0 END AS topup
  FROM runs WHERE inside
)
SELECT dim, CASE WHEN dim = 0 THEN fl END AS f, rg, pa, cu,
  SUM(gib * CASE WHEN a >= :change THEN 0
                 WHEN a >= :start THEN {least}(b, :change) - a + topup
                 WHEN b > :start THEN {least}(b, :change) - :start
                 ELSE 0 END),
  SUM(gib * CASE WHEN a >= :change THEN b - a + topup
                 WHEN b > :change THEN b - :change
                 ELSE 0 END)
FROM pieces GROUP BY dim, CASE WHEN dim = 0 THEN fl END, rg, pa, cu
"""


def epoch_micros(at: datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def close_path(app: App) -> tuple[float, dict[tuple[str, str, str], Decimal]]:
    """Seconds the close spends on the servers' sums (read and make the changes, then
    add them up), and its quantities per (partner, customer, SKU)."""
    start, end = month_bounds(MONTH)
    with app.uow(readonly=True) as s:
        book = app.prices.price_book(s)
        tiers = app.tenancy.partner_tiers(s)
        began = time.perf_counter()
        events, carried = app.metering.carried_events(s, start, end)
        usage = summed_server_usage(
            events,
            start=start,
            until=end,
            cuts=cuts(start, end, book.change_times()),
            book=book,
            tiers=tiers,
            detailed=frozenset(),
            carried=carried,
        )
        took = time.perf_counter() - began
    assert not carried and not usage.kept  # the seeded month: no carries, none in detail
    found: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for rated in usage.summed:
        seg = rated.segment
        found[(seg.partner_id, seg.customer_id, seg.sku)] += rated.quantity
    return took, found


def sql_path(app: App) -> tuple[float, dict[tuple[str, str, str], Decimal]]:
    """Seconds the database takes to find the same sums, and those sums in the close's
    units (hours, GiB-months)."""
    start, end = month_bounds(MONTH)
    dialect = app.engine.dialect.name
    with app.uow(readonly=True) as s:
        (change,) = [c for c in app.prices.price_book(s).change_times() if start < c < end]
        flavors = {f.id: f.name for f in app.catalog.all_flavors(s)}
    sqlite = dialect == "sqlite"
    query = text(
        SUMS.format(
            micros=MICROS[dialect].format(c="e.at"),
            least=LEAST[dialect],
        )
    )
    params = {
        "until_at": end.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else end,
        "start_at": start.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else start,
        "until": epoch_micros(end),
        "start": epoch_micros(start),
        "change": epoch_micros(change),
    }
    with app.engine.connect() as conn:
        began = time.perf_counter()
        rows = conn.execute(query, params).all()
        took = time.perf_counter() - began
    found: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for dim, flavor_id, region, partner, customer, *stretches in rows:
        sku = compute_sku(flavors[flavor_id], region) if dim == 0 else disk_sku(region)
        per = 3_600 * 10**6 if dim == 0 else 730 * 3_600 * 10**6
        found[(partner, customer, sku)] += Decimal(sum(int(x) for x in stretches)) / per
    return took, found


def arrow_path(app: App) -> float:
    """Seconds to read the month's changes as the close does and turn them into columns."""
    end = month_bounds(MONTH)[1]
    with app.uow(readonly=True) as s:
        began = time.perf_counter()
        query = compute_store.state_changes(end)
        rows = driver_rows(s, query)
        columns = [pa.array(column) for column in zip(*rows, strict=True)]
        took = time.perf_counter() - began
    assert columns and len(columns[0]) == len(rows)
    return took


def compare(
    ours: dict[tuple[str, str, str], Decimal], sql: dict[tuple[str, str, str], Decimal]
) -> None:
    if ours.keys() != sql.keys():
        raise SystemExit(f"the SQL found other keys: {len(ours)} against {len(sql)}")
    worst = max(abs(ours[k] - sql[k]) for k in ours)
    if worst > TOLERANCE:
        raise SystemExit(f"the SQL's sums differ from the close's by up to {worst}")


def one_run(servers: int, workdir: Path, url: str | None) -> dict[str, float]:
    app = billing.month_to_close(servers, workdir, url=url)
    try:
        figures: dict[str, float] = {}
        for _ in range(2):  # the second of each is kept: the first warms the caches
            with collector_paused():  # as in the close (``month_usage``)
                figures["close"], ours = close_path(app)
                figures["sql"], sums = sql_path(app)
                figures["arrow"] = arrow_path(app)
        compare(ours, sums)
        figures["keys"] = len(ours)
        return figures
    finally:
        app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=billing.POSTGRES)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.runs = 60, 1
    found = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            url = billing.fresh_url(args.engine, args.postgres)
            found.append(one_run(args.servers, Path(tmp), url))
    med = {k: statistics.median(r[k] for r in found) for k in found[0]}
    each = "; ".join(f"{r['close']:.2f} / {r['sql']:.2f} / {r['arrow']:.2f}" for r in found)
    print(
        f"{args.engine}, {args.servers:,} servers, {med['keys']:,.0f} sums, {args.runs} runs "
        f"(medians): the close's read, make and sum {med['close']:.2f} s; the same sums by "
        f"SQL {med['sql']:.2f} s ({med['sql'] / med['close']:.1f}x); the changes read into "
        f"Arrow columns, before any computing, {med['arrow']:.2f} s (each run, close / SQL "
        f"/ Arrow: {each})",
        flush=True,
    )


if __name__ == "__main__":
    main()
