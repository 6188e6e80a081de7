"""The compliance report, pure: for each SecNumCloud requirement the controls in place,
the tests that prove them with their result in this build, and what is missing.

A requirement's standing is derived, never declared: "absent" with no control, "partial"
while a gap is listed, "in place" otherwise; and it is *proven* only when every test named
for it passed in the build's last test run. A test that failed, did not run or is not in
the results is a finding, so an auditor never reads a claim without its evidence."""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "Control",
    "Evidence",
    "Requirement",
    "report_body",
    "result_of",
    "results_from_junit",
]

PASSED, FAILED, SKIPPED, NOT_RUN = "passed", "failed", "skipped", "not run"


@dataclass(frozen=True)
class Control:
    """What the product does, and the tests (``path::function``) that would fail if it
    stopped doing it."""

    text: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    clauses: str  # the référentiel's clauses it stands for
    controls: tuple[Control, ...] = ()
    gaps: tuple[str, ...] = ()  # what is not built yet: each one a finding


@dataclass(frozen=True)
class Evidence:
    """The results of the build's last test run: each test function's outcome, its
    parametrised cases folded into one (any failure fails it)."""

    source: str
    at: str
    results: Mapping[str, str]


def _node_id(classname: str, name: str) -> str:
    """JUnit names a test ``tests.unit.x.test_y`` + ``test_z[case]``; a class in the
    module adds one more dotted part. We name functions ``tests/unit/x/test_y.py::test_z``."""
    parts = classname.split(".")
    module = next((i for i, p in enumerate(parts) if p.startswith("test_")), len(parts) - 1)
    path = "/".join(parts[: module + 1]) + ".py"
    inside = parts[module + 1 :]
    return "::".join([path, *inside, name.split("[", 1)[0]])


def _outcome(case: ET.Element) -> str:
    if case.find("failure") is not None or case.find("error") is not None:
        return FAILED
    return SKIPPED if case.find("skipped") is not None else PASSED


def _fold(old: str | None, new: str) -> str:
    """One case failed: the test failed. Otherwise it passed if any case ran."""
    if old is None:
        return new
    if FAILED in (old, new):
        return FAILED
    return PASSED if PASSED in (old, new) else SKIPPED


def results_from_junit(text: str, source: str) -> Evidence:
    root = ET.fromstring(text)
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    results: dict[str, str] = {}
    for case in root.iter("testcase"):
        node = _node_id(case.get("classname", ""), case.get("name", ""))
        results[node] = _fold(results.get(node), _outcome(case))
    return Evidence(source, suite.get("timestamp", "") if suite is not None else "", results)


def result_of(run: Evidence | None, test: str) -> str:
    return NOT_RUN if run is None else run.results.get(test, NOT_RUN)


def _standing(requirement: Requirement) -> str:
    if not requirement.controls:
        return "absent"
    return "partial" if requirement.gaps else "in place"


def _requirement(
    requirement: Requirement, run: Evidence | None, live: Sequence[str]
) -> dict[str, Any]:
    evidence = [[(t, result_of(run, t)) for t in c.tests] for c in requirement.controls]
    controls = [
        {"control": c.text, "tests": [{"test": t, "result": r} for t, r in tests]}
        for c, tests in zip(requirement.controls, evidence, strict=True)
    ]
    results = [r for tests in evidence for _, r in tests]
    findings = [f"not built: {gap}" for gap in requirement.gaps] + list(live)
    findings += [f"test {t} {r}" for tests in evidence for t, r in tests if r != PASSED]
    standing = _standing(requirement)
    return {
        "id": requirement.id,
        "title": requirement.title,
        "clauses": requirement.clauses,
        "standing": standing,
        "proven": bool(results) and all(r == PASSED for r in results),
        "controls": controls,
        "findings": findings,
    }


def report_body(
    requirements: Sequence[Requirement],
    run: Evidence | None,
    issued_at: datetime,
    deployment: Mapping[str, Any],
    live: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What the operator signs: every requirement, in order, with its evidence, and the
    findings the running deployment shows (``live``, by requirement: a waived sink)."""
    rows = [_requirement(r, run, (live or {}).get(r.id, ())) for r in requirements]
    counts = {s: sum(r["standing"] == s for r in rows) for s in ("in place", "partial", "absent")}
    return {
        "kind": "secnumcloud-compliance-report",
        "issued_at": issued_at.isoformat(),
        "deployment": dict(deployment),
        "test_run": {"source": run.source, "at": run.at} if run else None,
        "requirements": rows,
        "summary": {**counts, "proven": sum(r["proven"] for r in rows), "total": len(rows)},
    }
