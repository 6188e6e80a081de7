"""The certificate inventory, pure (SecNumCloud 10.6.a): each certificate the deployment
is configured with, who issued it and in which country — a root of trust outside the EU,
or one that states no country, is a finding of the compliance report."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from andromede.kernel.eu import EU_COUNTRIES

__all__ = ["Certificate", "inventory"]


@dataclass(frozen=True)
class Certificate:
    source: str  # the file it was read from
    subject: str
    issuer: str
    issuer_country: str | None  # the issuer's C= attribute, when it has one
    not_after: datetime


def _verdict(cert: Certificate, now: datetime) -> str:
    if cert.not_after <= now:
        return "expired"
    if cert.issuer_country is None:
        return "issuer-without-country"
    return "eu-issuer" if cert.issuer_country.upper() in EU_COUNTRIES else "non-eu-issuer"


def inventory(certs: Sequence[Certificate], now: datetime) -> list[dict[str, str | None]]:
    return [
        {
            "source": c.source,
            "subject": c.subject,
            "issuer": c.issuer,
            "issuer_country": c.issuer_country,
            "not_after": c.not_after.isoformat(),
            "verdict": _verdict(c, now),
        }
        for c in certs
    ]
