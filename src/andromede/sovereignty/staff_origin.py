"""Where operator staff work from, pure (SecNumCloud 19.2.c, 19.2.e, 9.7.d): a customer's
data is reached from the EU only. A staff member whose declared office is outside the EU,
or who connects from a network outside the EU (or, once networks are declared, from an
undeclared one), keeps the support operations that touch no customer data — tenants'
names and counts, the catalog, the registers — and loses every grant."""

from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from andromede.kernel.eu import EU_COUNTRIES

__all__ = [
    "MAX_SUPERVISION_MINUTES",
    "Networks",
    "data_access_refusal",
    "origin_country",
    "parse_networks",
    "supervision_needed",
]

MAX_SUPERVISION_MINUTES = 480  # a working day: supervision is live, not standing

Networks = Mapping[IPv4Network | IPv6Network, str]


def parse_networks(text: str) -> dict[IPv4Network | IPv6Network, str]:
    """``10.0.0.0/8=FR,2001:db8::/32=DE``; a malformed pair is an error, never ignored."""
    found: dict[IPv4Network | IPv6Network, str] = {}
    for pair in (p.strip() for p in text.split(",") if p.strip()):
        cidr, sep, country = pair.partition("=")
        try:
            network = ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise ValueError(f"ANDROMEDE_STAFF_NETWORKS: {cidr!r} is not a network") from None
        if not sep or len(country.strip()) != 2 or not country.strip().isalpha():
            raise ValueError(f"ANDROMEDE_STAFF_NETWORKS: expected CIDR=CC, got {pair!r}")
        found[network] = country.strip().upper()
    return found


def origin_country(source: str | None, networks: Networks) -> str | None:
    """The country of the most specific declared network holding ``source``."""
    try:
        address = ip_address(source or "")
    except ValueError:
        return None
    holding = [n for n in networks if address.version == n.version and address in n]
    return networks[max(holding, key=lambda n: n.prefixlen)] if holding else None


def data_access_refusal(
    office_country: str | None, source: str | None, networks: Networks
) -> str | None:
    """Why staff may not reach customer data from here, or None. ``source`` None: no
    request is being served (the rights inventory); the network is checked on each one."""
    if not office_country:
        return "no office country is recorded for this staff member"
    if office_country.upper() not in EU_COUNTRIES:
        return f"the declared office is in {office_country.upper()}, outside the EU"
    if not networks or source is None:
        return None  # nothing declared: origins are not checked (a report finding)
    origin = origin_country(source, networks)
    if origin is None:
        return f"{source} is in no network declared in ANDROMEDE_STAFF_NETWORKS"
    if origin not in EU_COUNTRIES:
        return f"{source} is in {origin}, outside the EU"
    return None


def supervision_needed(
    office_country: str | None, source: str | None, networks: Networks
) -> str | None:
    """Why this staff member, working from outside the EU, acts only under an EU staff
    member's live supervision (SecNumCloud 19.2.e), or None. An office not recorded yet is
    not outside the EU: such staff have no grant, and their support operations stand."""
    if not office_country or source is None:
        return None
    return data_access_refusal(office_country, source, networks)
