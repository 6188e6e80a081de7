"""Policy evaluation against a small reference evaluator written here, independently."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.sovereignty.policy import Place, Policy, evaluate, parse_term, widening_terms

ORDER = ("iso27001", "hds", "secnumcloud")
PLACES = [
    Place("fr-par-1", "fr-par-1a", "FR", "FR-IDF", frozenset({"secnumcloud", "hds"})),
    Place("fr-par-1", "fr-par-1b", "FR", "FR-IDF", frozenset({"secnumcloud", "hds"})),
    Place("fr-rns-1", "fr-rns-1a", "FR", "FR-BRE", frozenset({"hds"})),
    Place("fr-lyo-1", "fr-lyo-1a", "FR", "FR-ARA", frozenset({"iso27001"})),
    Place("de-fra-1", "de-fra-1a", "DE", "DE-HE", frozenset()),
    Place("ch-gva-1", "ch-gva-1a", "CH", "CH-GE", frozenset({"secnumcloud"})),
]
TERMS = [
    "fr-par-1",
    "fr-rns-1a",
    "in:fr",
    "in:de",
    "in:FR-BRE",
    "in:FR-IDF",
    "in:eu",
    "fr-lyo-1",
    "in:ch",
]


def reference(chain: list[Policy], place: Place) -> tuple[bool, bool]:
    """(allowed, clean): written from the rule's words, not from the implementation."""
    eu = {"FR", "DE"}  # the countries the test places use

    def inside(term: str) -> bool:
        if term == "in:eu":
            return place.country in eu
        if term.startswith("in:") and len(term) == 5:
            return place.country == term[3:].upper()
        if term.startswith("in:"):
            return place.territory == term[3:]
        return term in (place.region, place.zone)

    blocked_enforced = blocked_audited = False
    for policy in chain:
        ok = (not policy.allow or any(inside(t) for t in policy.allow)) and not any(
            inside(t) for t in policy.deny
        )
        if policy.min_certification:
            need = ORDER.index(policy.min_certification)
            ok = ok and any(ORDER.index(c) >= need for c in place.certifications)
        if not ok:
            if policy.mode == "enforce":
                blocked_enforced = True
            else:
                blocked_audited = True
    return not blocked_enforced, not blocked_enforced and not blocked_audited


policies = st.builds(
    Policy,
    level=st.sampled_from(["operator", "partner", "customer", "project"]),
    allow=st.lists(st.sampled_from(TERMS), max_size=3).map(tuple),
    deny=st.lists(st.sampled_from(TERMS), max_size=2).map(tuple),
    min_certification=st.sampled_from([None, None, *ORDER]),
    mode=st.sampled_from(["enforce", "enforce", "audit"]),
)


@given(st.lists(policies, min_size=1, max_size=4), st.sampled_from(PLACES))
def test_evaluation_agrees_with_the_reference(chain: list[Policy], place: Place) -> None:
    decision = evaluate(chain, place, ORDER)
    allowed, clean = reference(chain, place)
    assert decision.allowed == allowed
    assert (decision.code == "allowed") == clean
    assert decision.code.startswith("allowed" if clean else ("audit:" if allowed else "denied:"))
    assert decision == evaluate(chain, place, ORDER)  # deterministic


@given(st.lists(policies, min_size=1, max_size=3), policies, st.sampled_from(PLACES))
def test_a_child_never_widens(chain: list[Policy], child: Policy, place: Place) -> None:
    if not evaluate(chain, place, ORDER).allowed:
        assert not evaluate([*chain, child], place, ORDER).allowed


def test_reason_codes_name_the_level_and_the_rule() -> None:
    operator = Policy("operator", allow=("in:eu",), version="op-1")
    partner = Policy("partner", deny=("fr-lyo-1",), version="pa-3")
    customer = Policy(
        "customer", allow=("in:FR-BRE", "in:FR-IDF"), min_certification="hds", version="cu-2"
    )
    chain = [operator, partner, customer]
    rennes, lyon, paris, geneva = PLACES[2], PLACES[3], PLACES[0], PLACES[5]
    assert evaluate(chain, rennes, ORDER).code == "allowed"
    assert evaluate(chain, paris, ORDER).versions == ("op-1", "pa-3", "cu-2")
    assert evaluate(chain, lyon, ORDER).code == "denied:denied-term:partner:fr-lyo-1"
    assert evaluate(chain, geneva, ORDER).code == "denied:not-allowed:operator"
    strict = Policy("project", min_certification="secnumcloud")
    assert evaluate([*chain, strict], rennes, ORDER).code == (
        "denied:certification:project:secnumcloud"
    )
    audit = Policy("project", deny=("fr-rns-1",), mode="audit")
    decision = evaluate([*chain, audit], rennes, ORDER)
    assert decision.allowed and decision.code == "audit:denied-term:project:fr-rns-1"


def test_widening_is_reported() -> None:
    chain = [Policy("operator", allow=("in:eu",)), Policy("partner", allow=("in:fr",))]
    child = Policy("customer", allow=("in:FR-BRE", "in:eu", "in:ch"))
    assert widening_terms(chain, child, PLACES, ORDER) == ["in:eu", "in:ch"]


@pytest.mark.parametrize("bad", ["in:", "in:europe-ish", "paris!", "", "in:F"])
def test_unknown_terms_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_term(bad)
