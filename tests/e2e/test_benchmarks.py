"""Every benchmark runs at its --smoke size in the test run, so none can rot unseen: a
benchmark whose requests fail exits non-zero, and this test fails with its output."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
RUNS = {
    "placement.py": ["--postgres", "{pg}"],
    "api.py": ["--postgres", "{pg}"],
    "audit.py": [],
    "audit.py --engine postgresql": ["--postgres", "{pg}"],
    "billing.py": [],
    "billing.py --engine postgresql": ["--postgres", "{pg}"],
    "billing.py --engine postgresql --workers 1 2": ["--postgres", "{pg}"],
    "close_in_sql.py": [],
    "close_in_sql.py --engine postgresql": ["--postgres", "{pg}"],
    "einvoices.py": [],
    "openstack_face.py": [],
    "console.py": ["--postgres", "{pg}"],
    "vs_placement.py": [],
    "schedules.py": [],
    "schedules.py --engine postgresql": ["--postgres", "{pg}"],
    "clusters.py": [],
    "clusters.py --engine postgresql": ["--postgres", "{pg}"],
    "alignment.py": [],
    "alignment.py --engine postgresql": ["--postgres", "{pg}"],
}


def test_every_benchmark_script_is_smoke_tested() -> None:
    scripts = {p.name for p in BENCHMARKS.glob("*.py") if p.name != "common.py"}
    assert scripts == {run.split()[0] for run in RUNS}


@pytest.mark.e2e
@pytest.mark.parametrize("run", sorted(RUNS))
def test_benchmark_smoke_run(run: str, postgres_server: str, tmp_path: Path) -> None:
    script, *options = run.split()
    args = [a.format(pg=postgres_server) for a in [*options, *RUNS[run]]]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke", *args],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/s" in done.stdout or " s" in done.stdout, done.stdout


def test_a_benchmark_whose_creates_fail_exits_non_zero(tmp_path: Path) -> None:
    """The placement benchmark against a catalog without hosts: it must say
    so and exit non-zero, never print a rate."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "placement.py"), "--smoke", "--hosts", "0"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "creates failed" in done.stderr
