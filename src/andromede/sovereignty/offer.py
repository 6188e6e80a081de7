"""The offer document, pure: the contract facts a customer needs before signing
(SecNumCloud 19.1.b-c, n): where its data can be, who runs each site and under which law,
how the operator's staff may reach its data, and what is certified. Built from the live
catalog and policy, never written by hand, so it cannot drift from what the cloud does."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Site", "offer_document"]

STAFF_ACCESS = (
    "operator staff see a customer's resources only under an access request the customer "
    "approved; it expires, can be revoked at once, and every action under it is in the "
    "customer's audit log with the request's id"
)


@dataclass(frozen=True)
class Site:
    region: str
    name: str
    country: str
    territory: str
    legal_entity: str
    jurisdiction: str
    sovereign: bool
    certifications: tuple[str, ...]
    zones: tuple[str, ...]


def _site(site: Site) -> dict[str, Any]:
    return {
        "region": site.region,
        "name": site.name,
        "country": site.country,
        "territory": site.territory,
        "legal_entity": site.legal_entity,
        "jurisdiction": site.jurisdiction,
        "certifications": sorted(site.certifications),
        "zones": sorted(site.zones),
    }


def offer_document(
    provider: Mapping[str, str],
    sites: Sequence[Site],
    root_policy: Sequence[str],
    issued_at: datetime,
    subprocessors: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Sovereign sites apart from the others: a non-sovereign region is never part of
    the sovereign offer, and the document says so rather than leaving it out."""
    ordered = sorted(sites, key=lambda s: s.region)
    sovereign = [s for s in ordered if s.sovereign]
    return {
        "kind": "andromede-offer",
        "issued_at": issued_at.isoformat(),
        "provider": dict(provider),
        "governing_law": sorted({provider["country"], *(s.jurisdiction for s in sovereign)}),
        "sites": [_site(s) for s in sovereign],
        "non_sovereign_sites": [_site(s) for s in ordered if not s.sovereign],
        "data_residency": {
            "default_policy": list(root_policy),
            "customer_policies": "a customer may narrow where its data lives, never widen it",
        },
        "remote_administration": {"customer_data": STAFF_ACCESS},
        "subprocessors": [dict(s) for s in subprocessors],
        "certifications": sorted({c for s in sovereign for c in s.certifications}),
    }
