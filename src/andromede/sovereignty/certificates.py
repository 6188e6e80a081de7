"""The certificate inventory, pure (SecNumCloud 10.6.a): each certificate the deployment
is configured with, who issued it and in which country, and the root its chain leads to
through the certificates configured — a root of trust outside the EU (an EU intermediate
under it included), or an issuer that states no country, is a finding of the report."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from andromede.kernel.eu import EU_COUNTRIES

__all__ = ["Certificate", "inventory", "root_of"]


@dataclass(frozen=True)
class Certificate:
    source: str  # the file it was read from
    subject: str
    issuer: str
    issuer_country: str | None  # the issuer's C= attribute, when it has one
    not_after: datetime
    fingerprint: str = ""
    issued_by: str | None = None  # the configured certificate whose key signed this one


def root_of(cert: Certificate, by_fingerprint: dict[str, Certificate]) -> Certificate | None:
    """The self-signed certificate this one's chain ends at, following each signer among
    the configured ones; None when the chain leaves them (or loops)."""
    seen: set[str] = set()
    while cert.issued_by is not None and cert.fingerprint not in seen:
        if cert.issued_by == cert.fingerprint:
            return cert
        seen.add(cert.fingerprint)
        found = by_fingerprint.get(cert.issued_by)
        if found is None:
            return None
        cert = found
    return None


def _verdict(cert: Certificate, root: Certificate | None, now: datetime) -> str:
    if cert.not_after <= now:
        return "expired"
    if root is not None and (root.issuer_country or "").upper() not in EU_COUNTRIES:
        return "non-eu-root"
    if cert.issuer_country is None:
        return "issuer-without-country"
    return "eu-issuer" if cert.issuer_country.upper() in EU_COUNTRIES else "non-eu-issuer"


def inventory(
    certs: Sequence[Certificate], now: datetime, anchors: Sequence[Certificate] = ()
) -> list[dict[str, str | None]]:
    """``anchors``: the trust store's certificates, through which chains may also run
    (not listed themselves)."""
    by_fingerprint = {c.fingerprint: c for c in (*anchors, *certs) if c.fingerprint}
    found = []
    for c in certs:
        root = root_of(c, by_fingerprint)
        found.append(
            {
                "source": c.source,
                "subject": c.subject,
                "issuer": c.issuer,
                "issuer_country": c.issuer_country,
                "root": root.subject if root else None,
                "root_country": root.issuer_country if root else None,
                "not_after": c.not_after.isoformat(),
                "verdict": _verdict(c, root, now),
            }
        )
    return found
