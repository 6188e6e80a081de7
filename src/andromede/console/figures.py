"""What the dashboards show, computed from plain rows: capacity per zone, revenue per
month, the share of partners really active. Pure: unit-tested without a database."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

__all__ = [
    "Capacity",
    "Charge",
    "active_share",
    "by_day",
    "capacity",
    "last_months",
    "monthly_average",
    "short_month",
]

NEARLY_FULL = Decimal("0.85")


class HostLike(Protocol):
    name: str
    region_code: str
    zone_code: str
    vcpus: int
    ram_mib: int
    cpu_ratio: float
    ram_ratio: float
    used_vcpus: int
    used_ram_mib: int


@dataclass(frozen=True)
class Capacity:
    region: str
    zone: str
    vcpus_used: int
    vcpus_total: int  # with the over-commit ratio
    ram_used_mib: int
    ram_total_mib: int
    hosts: int
    nearly_full: tuple[str, ...]

    @property
    def vcpu_share(self) -> Decimal:
        return Decimal(self.vcpus_used) / self.vcpus_total if self.vcpus_total else Decimal(0)

    @property
    def ram_share(self) -> Decimal:
        return Decimal(self.ram_used_mib) / self.ram_total_mib if self.ram_total_mib else Decimal(0)


def _share(used: int, total: float) -> Decimal:
    return Decimal(used) / Decimal(str(total)) if total else Decimal(0)


def capacity(hosts: Iterable[HostLike]) -> list[Capacity]:
    zones: dict[tuple[str, str], list[HostLike]] = {}
    for host in hosts:
        zones.setdefault((host.region_code, host.zone_code), []).append(host)
    found = []
    for (region, zone), members in sorted(zones.items()):
        total_cpu = [int(h.vcpus * h.cpu_ratio) for h in members]
        total_ram = [int(h.ram_mib * h.ram_ratio) for h in members]
        full = tuple(
            h.name
            for h, cpu, ram in zip(members, total_cpu, total_ram, strict=True)
            if max(_share(h.used_vcpus, cpu), _share(h.used_ram_mib, ram)) >= NEARLY_FULL
        )
        found.append(
            Capacity(
                region,
                zone,
                sum(h.used_vcpus for h in members),
                sum(total_cpu),
                sum(h.used_ram_mib for h in members),
                sum(total_ram),
                len(members),
                full,
            )
        )
    return found


def active_share(
    billed: Mapping[str, Decimal], partner_ids: Iterable[str], threshold: Decimal
) -> tuple[int, int]:
    """(active, all): a partner is active when billed more than ``threshold`` over the
    window ``billed`` covers (90 days), the number management asks for."""
    everyone = list(partner_ids)
    return sum(1 for p in everyone if billed.get(p, Decimal(0)) > threshold), len(everyone)


def monthly_average(days: Iterable[tuple[date, Decimal]], months: list[str]) -> list[Decimal]:
    """The average of the daily figures of each month (zero for a month with none)."""
    found: dict[str, list[Decimal]] = {m: [] for m in months}
    for day, value in days:
        key = day.strftime("%Y-%m")
        if key in found:
            found[key].append(value)
    return [sum(v, Decimal(0)) / len(v) if v else Decimal(0) for v in found.values()]


class Charge(Protocol):
    """A priced piece of usage: when it ran and what it costs the reader."""

    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def amount(self) -> Decimal: ...


def by_day(charges: Iterable[Charge], days: list[date]) -> list[Decimal]:
    """Each charge shared among the days it ran, in proportion to its time on each."""
    totals = dict.fromkeys(days, Decimal(0))
    for charge in charges:
        length = Decimal((charge.end - charge.start).total_seconds())
        if length <= 0:
            continue
        at = charge.start
        while at < charge.end:
            next_day = datetime.combine(at.date() + timedelta(days=1), time(), tzinfo=UTC)
            until = min(next_day, charge.end)
            if at.date() in totals:
                totals[at.date()] += charge.amount * Decimal((until - at).total_seconds()) / length
            at = until
    return [totals[d] for d in days]


def short_month(month: str) -> str:
    """``2026-01`` → ``01/26``: what fits under a bar of a twelve-month chart."""
    return f"{month[5:7]}/{month[2:4]}"


def last_months(today: date, count: int) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
