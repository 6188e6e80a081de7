"""Residency policies, pure. A policy allows and denies places; the chain from the operator
down to a project only ever narrows.

Terms name places: a region (``fr-rns-1``) or a zone (``fr-rns-1a``) by code, a country
(``in:fr``), an ISO 3166-2 territory (``in:FR-BRE``), a group (``in:eu``). A policy may
also ask for a minimum certification (``secnumcloud``), ranked by the operator's order.

A place is allowed when, for every policy of the chain, it matches one of the policy's
allow terms (an empty allow list allows everything), matches none of its deny terms, and
holds the policy's minimum certification. A refusal by a policy in ``audit`` mode is
logged and let through. The first failing check gives a deterministic reason code.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from andromede.kernel.eu import EU_COUNTRIES

__all__ = [
    "EU",
    "Decision",
    "Place",
    "Policy",
    "evaluate",
    "leaves_the_eu",
    "matches",
    "parse_term",
    "widening_terms",
]

EU = EU_COUNTRIES
LEVELS = ("operator", "partner", "customer", "project")


@dataclass(frozen=True)
class Place:
    region: str
    zone: str
    country: str  # ISO 3166-1 alpha-2
    territory: str  # ISO 3166-2
    certifications: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    level: str  # operator | partner | customer | project
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    min_certification: str | None = None
    mode: str = "enforce"  # enforce | audit
    version: str = ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str  # "allowed", "audit:<why>" or "denied:<why>"
    versions: tuple[str, ...]


def parse_term(term: str) -> tuple[str, str]:
    """("place", code) for a region or zone; ("in", value) for a country, territory or group.
    Raises ValueError for anything else, so a typo never becomes a silent no-op."""
    term = term.strip()
    if term.startswith("in:"):
        value = term[3:]
        if (
            value.lower() == "eu"
            or (len(value) == 2 and value.isalpha())
            or (len(value) > 3 and value[2] == "-" and value[:2].isalpha())
        ):
            return "in", value
        raise ValueError(f"{term!r}: expected in:eu, in:<country> or in:<CC-territory>")
    if term and all(c.isalnum() or c == "-" for c in term):
        return "place", term
    raise ValueError(f"{term!r} is not a place")


def matches(term: str, place: Place) -> bool:
    kind, value = parse_term(term)
    if kind == "place":
        return value in (place.region, place.zone)
    if value.lower() == "eu":
        return place.country.upper() in EU
    if len(value) == 2:
        return place.country.upper() == value.upper()
    return place.territory.upper() == value.upper()


def _rank(labels: Iterable[str], order: Sequence[str]) -> int:
    ranks = [order.index(label) for label in labels if label in order]
    return max(ranks, default=-1)


def _refusal(policy: Policy, place: Place, order: Sequence[str]) -> str | None:
    if policy.allow and not any(matches(t, place) for t in policy.allow):
        return f"not-allowed:{policy.level}"
    for term in policy.deny:
        if matches(term, place):
            return f"denied-term:{policy.level}:{term}"
    if policy.min_certification is not None and _rank(place.certifications, order) < (
        order.index(policy.min_certification) if policy.min_certification in order else len(order)
    ):
        return f"certification:{policy.level}:{policy.min_certification}"
    return None


def evaluate(chain: Sequence[Policy], place: Place, order: Sequence[str] = ()) -> Decision:
    """The decision of the whole chain (operator first) for one place."""
    versions = tuple(p.version for p in chain)
    audited: str | None = None
    for policy in chain:
        why = _refusal(policy, place, order)
        if why is None:
            continue
        if policy.mode == "enforce":
            return Decision(False, f"denied:{why}", versions)
        audited = audited or why
    if audited:
        return Decision(True, f"audit:{audited}", versions)
    return Decision(True, "allowed", versions)


def widening_terms(
    parent_chain: Sequence[Policy],
    child: Policy,
    places: Iterable[Place],
    order: Sequence[str] = (),
) -> list[str]:
    """Allow terms of ``child`` that name a known place its parents refuse: a child can
    only narrow, so such a term is reported rather than quietly ignored."""
    refused = [p for p in places if not evaluate(parent_chain, p, order).allowed]
    return [t for t in child.allow if any(matches(t, p) for p in refused)]


def leaves_the_eu(policy: Policy, places: Iterable[Place]) -> list[tuple[str, str]]:
    """Why an operator's root policy would let data leave the EU (SecNumCloud 19.2.b): it
    must be enforced, allow something, and each allow term must name EU places only. A
    region or zone code counts by the known places it names; a code naming none is
    refused, since a region created later under that code could be anywhere."""
    reasons = [] if policy.mode == "enforce" else [("mode", "the root policy is enforced")]
    if not policy.allow:
        reasons.append(("allow", "an empty list allows every place; name in:eu or narrower"))
    known = list(places)
    for term in policy.allow:
        kind, value = parse_term(term)
        if kind == "in" and value.lower() != "eu" and value[:2].upper() not in EU:
            reasons.append(("allow", f"{term} is outside the EU"))
        named = [p for p in known if matches(term, p)] if kind == "place" else []
        if kind == "place" and (not named or any(p.country.upper() not in EU for p in named)):
            reasons.append(("allow", f"{term} names no region or zone in the EU"))
    return reasons
