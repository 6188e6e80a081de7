"""Residency attestations, pure: where each resource lived during a period, under which
policy versions, and whether each interval complied; then the canonical bytes to sign."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from andromede.sovereignty.policy import Decision, Place

__all__ = ["Held", "Lifetime", "attestation_body", "canonical_document"]


@dataclass(frozen=True)
class Lifetime:
    resource_id: str
    name: str
    project_id: str
    place: Place
    start: datetime
    end: datetime | None  # None: still there
    kind: str = "server"  # or volume, snapshot, backup


@dataclass(frozen=True)
class Held:
    """A resource holding the customer's data other than a server (a volume, a snapshot,
    a backup), as the data-location report and the attestation see it: a backup lives in
    its region's store, not in a zone."""

    kind: str
    id: str
    name: str
    project_id: str
    status: str
    region: str
    zone: str | None
    start: datetime
    end: datetime | None


def _intervals(
    life: Lifetime, start: datetime, end: datetime, changes: Sequence[datetime]
) -> list[tuple[datetime, datetime]]:
    lo = max(life.start, start)
    hi = min(life.end or end, end)
    if lo >= hi:
        return []
    return list(pairwise(sorted({lo, hi, *(t for t in changes if lo < t < hi)})))


def _interval(life: Lifetime, lo: datetime, hi: datetime, decision: Decision) -> dict[str, Any]:
    place = life.place
    return {
        "from": lo.isoformat(),
        "to": hi.isoformat(),
        "region": place.region,
        "zone": place.zone,
        "country": place.country,
        "territory": place.territory,
        "certifications": sorted(place.certifications),
        "policy_versions": list(decision.versions),
        "decision": decision.code,
        "complied": decision.code == "allowed",
    }


def attestation_body(
    customer_id: str,
    period: tuple[datetime, datetime],
    lives: Sequence[Lifetime],
    policy_changes: Sequence[datetime],
    decide: Callable[[Lifetime, datetime], Decision],
    issued_at: datetime,
) -> dict[str, Any]:
    """``decide(life, t)`` evaluates the policy chain of the resource's project in force
    at ``t``; intervals are cut at every policy change. A period not over when issued is
    attested up to the issue time only (``partial``, ``covered_until``): an attestation
    states what happened, never what is still to come."""
    start, end = period
    if issued_at <= start:
        raise ValueError("a period is attested once it has begun")
    covered = min(end, issued_at)
    resources: list[dict[str, Any]] = []
    for life in sorted(lives, key=lambda item: item.resource_id):
        intervals = [
            _interval(life, lo, hi, decide(life, lo))
            for lo, hi in _intervals(life, start, covered, policy_changes)
        ]
        if intervals:
            resources.append(
                {
                    "type": life.kind,
                    "id": life.resource_id,
                    "name": life.name,
                    "intervals": intervals,
                }
            )
    return {
        "kind": "residency-attestation",
        "customer_id": customer_id,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "covered_until": covered.isoformat(),
        "partial": covered < end,
        "issued_at": issued_at.isoformat(),
        "resources": resources,
        "complied": all(i["complied"] for r in resources for i in r["intervals"]),
    }


def canonical_document(body: dict[str, Any]) -> bytes:
    """The bytes signed, and checked again by ``andromede attestation verify``."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
