"""The audit log at a million entries: append rate (through audit.service.record, 1,000
entries per transaction), one signed checkpoint, then the full offline verification
(every leaf recomputed from its entry, the root, the signature).

Usage: python benchmarks/audit.py [--entries 1000000] [--engine sqlite|postgresql] [--smoke]
                                  [--verify-runs 3]
Verification runs several times over the same log; the median is reported.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import fresh_postgres

from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
from andromede.audit.signing import generate_key
from andromede.db import UnitOfWork, make_engine
from andromede.kernel.tenants import TenantRef
from andromede.schema import upgrade

BATCH = 1_000


def run(url: str, entries: int, workdir: Path, verify_runs: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    uow = UnitOfWork(engine)
    start_at = datetime(2026, 10, 1, tzinfo=UTC)
    ref = TenantRef("partner-1", "customer-1", "project-1")
    t = time.perf_counter()
    for base in range(0, entries, BATCH):
        with uow() as session:
            for n in range(base, min(base + BATCH, entries)):
                audit.record(
                    session,
                    at=start_at + timedelta(milliseconds=n),
                    actor="bench",
                    actor_id="u-1",
                    action=AuditAction.SERVER_CREATE,
                    target_type="server",
                    target_id=f"s-{n}",
                    ref=ref,
                    request_id=f"req-{n}",
                )
    append = time.perf_counter() - t
    key = workdir / "audit.key"
    public = generate_key(key)
    with uow() as session:
        audit.make_checkpoint(session, at=start_at, key_file=key, witness_dir=None)
    times = []
    for _ in range(verify_runs):
        t = time.perf_counter()
        with uow(readonly=True) as session:
            report = audit.verify(session, public)
        times.append(time.perf_counter() - t)
        if not report.ok:
            raise SystemExit(f"verification failed: {report.problem}")
    check = statistics.median(times)
    runs = ", ".join(f"{entries / x:,.0f}" for x in times)
    print(
        f"{engine.dialect.name}: {entries:,} entries — append {entries / append:,.0f}/s "
        f"({append:.1f} s), verify median {entries / check:,.0f}/s ({check:.1f} s; "
        f"runs: {runs} /s)",
        flush=True,
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--verify-runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.verify_runs = 3_000, 1
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            f"sqlite:///{tmp}/audit.db"
            if args.engine == "sqlite"
            else fresh_postgres(args.postgres, "andromede_bench_audit")
        )
        run(url, args.entries, Path(tmp), args.verify_runs)


if __name__ == "__main__":
    main()
