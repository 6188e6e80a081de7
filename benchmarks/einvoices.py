"""E-invoices of a month close: close October for N servers (about N/5 customers, so about
N/5 + 40 invoices), then produce every document (Factur-X PDF/A-3 with its CII, and the
UBL) and validate every XML (XSD, EN 16931 or EXTENDED-CTC-FR Schematron, BR-FR
Schematron), each across a pool of worker processes. The close is measured in the same
run: the figure that matters is what producing the documents adds to it.

Every Schematron XSLT is compiled once per worker process (reported apart), never per
document. A document that fails validation makes the run exit non-zero.

Usage: python benchmarks/einvoices.py [--servers 10000] [--workers 2] [--runs 3] [--smoke]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from billing import month_to_close

from andromede.documents.production import produce
from andromede.documents.validation import SCHEMATRONS, validator
from andromede.worker.jobs import close_month


def _produce(doc: dict[str, Any]) -> tuple[str, bytes, bytes, int]:
    made = produce(doc)
    return made.number, made.cii, made.ubl, len(made.facturx)


def _warm() -> float:
    """Compiles this process's XSLTs: done once per worker, before any document."""
    started = time.perf_counter()
    check = validator()
    for relative in {xslt for pair in SCHEMATRONS.values() for xslt in pair}:
        check._executable(relative)  # warming the cache on purpose
    return time.perf_counter() - started


def _validate(xml: bytes) -> list[str]:
    return validator().check(xml).errors


def run(servers: int, workers: int, workdir: Path) -> dict[str, float]:
    app = month_to_close(servers, workdir)
    started = time.perf_counter()
    report = close_month(app, "2026-10")
    close = time.perf_counter() - started
    with app.uow(readonly=True) as session:
        documents = app.invoices.month_documents(session, "2026-10")
    app.engine.dispose()
    if len(documents) != len(report.issued) or not documents:
        sys.exit(f"the close issued {len(report.issued)} invoices, {len(documents)} read back")
    with ProcessPoolExecutor(workers) as pool:
        compile_s = statistics.mean(
            f.result() for f in [pool.submit(_warm) for _ in range(workers)]
        )
        started = time.perf_counter()
        produced = list(pool.map(_produce, documents, chunksize=8))
        production = time.perf_counter() - started
        xmls = [x for _, cii, ubl, _ in produced for x in (cii, ubl)]
        started = time.perf_counter()
        errors = list(pool.map(_validate, xmls, chunksize=16))
        validation = time.perf_counter() - started
    failed = [(produced[i // 2][0], e) for i, e in enumerate(errors) if e]
    if failed:
        number, first = failed[0]
        sys.exit(f"{len(failed)} invalid documents; {number}: {first[:3]}")
    return {
        "invoices": len(documents),
        "close": close,
        "production": production,
        "validation": validation,
        "compile": compile_s,
        "pdf_kib": statistics.mean(size for *_, size in produced) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    args = parser.parse_args()
    if args.smoke:
        args.servers, args.workers, args.runs = 60, 2, 1
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(run(args.servers, args.workers, Path(tmp)))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    n = med["invoices"]
    print(
        f"{args.servers} servers, {n:,.0f} invoices, {args.workers} worker processes "
        f"({args.runs} runs, medians): close {med['close']:.1f} s; producing Factur-X + CII "
        f"+ UBL {med['production']:.1f} s ({n / med['production']:.0f} invoices/s, "
        f"{med['pdf_kib']:.0f} KiB a PDF) = +{100 * med['production'] / med['close']:.0f} % "
        f"of the close; validating {2 * n:,.0f} XML (XSD + Schematron) "
        f"{med['validation']:.1f} s ({2 * n / med['validation']:.0f} documents/s; "
        f"compiling the XSLTs once per process {med['compile']:.1f} s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
