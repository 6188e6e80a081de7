"""The compliance report's rules: evidence or it is not proven; every test it names exists;
and the operator's root policy and the offer document, pure."""

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from andromede.sovereignty.compliance import (
    Control,
    Evidence,
    Requirement,
    report_body,
    results_from_junit,
)
from andromede.sovereignty.offer import Site, offer_document
from andromede.sovereignty.policy import Place, Policy, leaves_the_eu
from andromede.sovereignty.requirements import REQUIREMENTS

ROOT = Path(__file__).resolve().parents[3]
AT = datetime(2026, 12, 5, 17, tzinfo=UTC)


def _functions(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.add(node.name)
    return names


def test_every_test_the_report_names_exists() -> None:
    named = [t for r in REQUIREMENTS for c in r.controls for t in c.tests]
    assert named
    missing = []
    for test in named:
        path, function = test.split("::")
        file = ROOT / path
        if not file.is_file() or function not in _functions(file):
            missing.append(test)
    assert missing == []


def test_the_report_covers_r1_to_r22_once_each() -> None:
    assert [r.id for r in REQUIREMENTS] == [f"R{n}" for n in range(1, 23)]
    assert all(r.controls or r.gaps for r in REQUIREMENTS)  # an absent one says what is missing


JUNIT = """<testsuites><testsuite timestamp="2026-12-05T16:00:00">
<testcase classname="tests.unit.a.test_x" name="test_p[1]"/>
<testcase classname="tests.unit.a.test_x" name="test_p[2]"><failure/></testcase>
<testcase classname="tests.unit.a.test_x" name="test_p[3]"/>
<testcase classname="tests.unit.a.test_x" name="test_s[sqlite]"/>
<testcase classname="tests.unit.a.test_x" name="test_s[postgresql]"><skipped/></testcase>
<testcase classname="tests.unit.a.test_x" name="test_k"><skipped/></testcase>
<testcase classname="tests.unit.a.test_x.TestGroup" name="test_in_class"><error/></testcase>
</testsuite></testsuites>"""


def test_junit_results_fold_cases_into_their_function() -> None:
    run = results_from_junit(JUNIT, "r.xml")
    assert run.at == "2026-12-05T16:00:00"
    assert dict(run.results) == {
        "tests/unit/a/test_x.py::test_p": "failed",  # one case failed
        "tests/unit/a/test_x.py::test_s": "passed",
        "tests/unit/a/test_x.py::test_k": "skipped",
        "tests/unit/a/test_x.py::TestGroup::test_in_class": "failed",
    }


REQS = (
    Requirement("R1", "one", "c", (Control("a", ("t::a", "t::b")),)),
    Requirement("R2", "two", "c", (Control("a", ("t::a",)),), ("a gap",)),
    Requirement("R3", "three", "c", gaps=("nothing yet",)),
)


@pytest.mark.parametrize(
    ("results", "proven"),
    [
        ({"t::a": "passed", "t::b": "passed"}, [True, True, False]),
        ({"t::a": "passed", "t::b": "failed"}, [False, True, False]),
        ({"t::a": "passed", "t::b": "skipped"}, [False, True, False]),
        ({"t::a": "passed"}, [False, True, False]),
        ({}, [False, False, False]),
    ],
)
def test_a_requirement_is_proven_only_by_passing_tests(
    results: dict[str, str], proven: list[bool]
) -> None:
    body = report_body(REQS, Evidence("r.xml", "", results), AT, {})
    rows = body["requirements"]
    assert [r["proven"] for r in rows] == proven
    assert [r["standing"] for r in rows] == ["in place", "partial", "absent"]
    assert rows[1]["findings"][0] == "not built: a gap"
    for row in rows:
        not_passed = [
            t["test"] for c in row["controls"] for t in c["tests"] if t["result"] != "passed"
        ]
        assert [f for f in row["findings"] if f.startswith("test ")] == [
            f"test {t} {results.get(t, 'not run')}" for t in not_passed
        ]
    assert body["summary"] == {
        "in place": 1,
        "partial": 1,
        "absent": 1,
        "proven": sum(proven),
        "total": 3,
    }


def test_without_a_test_run_nothing_is_proven() -> None:
    body = report_body(REQS, None, AT, {"operator": "x"})
    assert body["test_run"] is None and body["summary"]["proven"] == 0
    assert body["requirements"][0]["findings"] == ["test t::a not run", "test t::b not run"]


PAR = Place("fr-par-1", "fr-par-1a", "FR", "FR-IDF")
US = Place("us-east-9", "us-9a", "US", "US-VA")


@pytest.mark.parametrize(
    ("allow", "mode", "fields"),
    [
        (("in:eu",), "enforce", []),
        (("in:fr", "in:FR-BRE", "fr-par-1", "fr-par-1a"), "enforce", []),
        (("in:eu",), "audit", ["mode"]),
        ((), "enforce", ["allow"]),
        (("in:us",), "enforce", ["allow"]),
        (("in:CH-GE",), "enforce", ["allow"]),
        (("us-east-9",), "enforce", ["allow"]),
        (("us-9a", "in:eu"), "enforce", ["allow"]),
        (("later-1",), "enforce", ["allow"]),
    ],
)
def test_the_root_policy_stays_in_the_eu(
    allow: tuple[str, ...], mode: str, fields: list[str]
) -> None:
    found = leaves_the_eu(Policy("operator", allow, mode=mode), [PAR, US])
    assert [f for f, _ in found] == fields


def site(region: str, sovereign: bool, jurisdiction: str = "FR") -> Site:
    return Site(
        region, region, "FR", "FR-IDF", "Op SAS", jurisdiction, sovereign, ("b", "a"), ("z2", "z1")
    )


def test_the_offer_keeps_non_sovereign_sites_apart() -> None:
    provider = {"name": "Op SAS", "country": "FR"}
    doc = offer_document(
        provider,
        [site("b-1", False, "US"), site("c-1", True, "LU"), site("a-1", True)],
        ["in:eu"],
        AT,
    )
    assert [s["region"] for s in doc["sites"]] == ["a-1", "c-1"]
    assert [s["region"] for s in doc["non_sovereign_sites"]] == ["b-1"]
    assert doc["governing_law"] == ["FR", "LU"]  # the US site's law is not the offer's
    assert doc["sites"][0]["zones"] == ["z1", "z2"]
    assert doc["certifications"] == ["a", "b"]
    assert doc["data_residency"]["default_policy"] == ["in:eu"]
