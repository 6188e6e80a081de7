"""Where the deployment sends data, pure (SecNumCloud 19.2.d, 19.6.c): every outbound
sink it is configured with — the database, the OpenStack clouds behind regions, the
e-invoice platforms, the audit witness — and the country each one is in.

A sink on this machine (a file, a folder, a local socket or the loopback) is where the
deployment is. A remote one is where the operator declares it to be
(``ANDROMEDE_SINK_COUNTRIES``): nothing guesses a country from a name. A remote sink with
no declared country, or one outside the EU, stops ``serve`` and ``worker`` unless the
operator waived it by name (``ANDROMEDE_SINK_WAIVERS``); a waiver is a finding of the
compliance report, never silent."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from andromede.kernel.eu import EU_COUNTRIES

__all__ = ["Sink", "SinkVerdict", "host_of", "judge_sinks", "parse_pairs", "without_secrets"]

LOCAL_NAMES = {"", "localhost", "localhost.localdomain"}


@dataclass(frozen=True)
class Sink:
    kind: str  # database, openstack-cloud, einvoice-platform, chorus-pro, audit-witness
    target: str  # what the setting says, secrets removed
    host: str | None  # None: on this machine


@dataclass(frozen=True)
class SinkVerdict:
    sink: Sink
    country: str | None
    verdict: str  # local, eu, waived, outside-eu, unknown-country

    @property
    def refused(self) -> bool:
        return self.verdict in ("outside-eu", "unknown-country")

    @property
    def where(self) -> str:
        """Where a refused sink is, as a refusal says it."""
        return f"in {self.country}, outside the EU" if self.country else "of no declared country"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.sink.kind,
            "target": self.sink.target,
            "host": self.sink.host,
            "country": self.country,
            "verdict": self.verdict,
        }


def _is_local(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str | None:
    """The remote host a URL reaches, or None when it stays on this machine (a SQLite
    file, a folder, a Unix socket, the loopback)."""
    if "://" not in url:
        return None  # a path, dir:PATH, "simulated"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.startswith("sqlite") or parts.scheme == "file" or _is_local(host):
        return None
    return host.lower()


def without_secrets(url: str) -> str:
    """A URL as the report may show it: no user or password."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.hostname is None:
        return url
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{parts.hostname}{port}").geturl()


def parse_pairs(text: str, setting: str) -> dict[str, str]:
    """``host=FR,other=DE`` → {host: FR, other: DE}; a malformed pair is an error, so a
    typo cannot become a silent allowance."""
    found: dict[str, str] = {}
    for pair in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, country = pair.partition("=")
        if not sep or len(country.strip()) != 2 or not country.strip().isalpha():
            raise ValueError(f"{setting}: expected host=CC pairs, comma-separated; got {pair!r}")
        found[name.strip().lower()] = country.strip().upper()
    return found


def judge_sinks(
    sinks: Sequence[Sink],
    home_country: str,
    declared: Mapping[str, str],
    waived: frozenset[str],
) -> list[SinkVerdict]:
    verdicts = []
    for sink in sinks:
        if sink.host is None:
            verdicts.append(SinkVerdict(sink, home_country.upper(), "local"))
            continue
        country = declared.get(sink.host)
        if country in EU_COUNTRIES:
            verdict = "eu"
        elif sink.host in waived:
            verdict = "waived"
        else:
            verdict = "outside-eu" if country else "unknown-country"
        verdicts.append(SinkVerdict(sink, country, verdict))
    return verdicts
