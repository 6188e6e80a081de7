"""What on/off schedules saved a customer in a month: per scheduled server, the hours it
ran and the hours it stood stopped, what the running hours cost at the on-demand price and
what the stopped hours would have cost at the same prices (the saving), to the cent.

Schedules and reservations do not mix well: a reservation is paid every hour of its term,
running or not, so stopping a server it covers saves nothing. A server whose flavor and
region a reservation in force covers is marked, and the report says so."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from andromede.kernel.money import round_cents

__all__ = ["Rated", "ServerSavings", "notes", "summarise"]

ZERO = Decimal(0)
HOURS = Decimal("0.000001")  # as invoice quantities


@dataclass(frozen=True)
class Rated:
    """A rated compute segment, as far as savings go."""

    server_id: str
    flavor: str
    region: str
    hours: Decimal
    amount: Decimal  # at the customer's on-demand price, unrounded


@dataclass(frozen=True)
class ServerSavings:
    server_id: str
    schedule: str
    flavor: str
    region: str
    hours_on: Decimal
    hours_off: Decimal
    paid: Decimal
    saved: Decimal
    reserved: bool
    reserved_instead: Decimal | None  # the same hours on a 1-year no-upfront reservation


def summarise(
    running: list[Rated],
    idle: list[Rated],
    scheduled: dict[str, str],
    reserved: set[tuple[str, str]],
    reservation_hourly: dict[tuple[str, str], Decimal] | None = None,
) -> list[ServerSavings]:
    """``scheduled``: server id → schedule name; ``reserved``: (flavor, region) pairs a
    reservation in force covers; ``reservation_hourly``: the effective hourly price of a
    1-year no-upfront reservation per (flavor, region), to say what reserving every hour
    the server existed would have cost instead. Servers in id order."""
    hourly = reservation_hourly or {}
    on: dict[str, list[Rated]] = {}
    off: dict[str, list[Rated]] = {}
    for bucket, rows in ((on, running), (off, idle)):
        for row in rows:
            if row.server_id in scheduled:
                bucket.setdefault(row.server_id, []).append(row)
    found = []
    for server_id in sorted(set(on) | set(off)):
        rows = on.get(server_id, []) + off.get(server_id, [])
        last = rows[-1]
        hours = sum((r.hours for r in rows), ZERO)
        price = hourly.get((last.flavor, last.region))
        found.append(
            ServerSavings(
                server_id,
                scheduled[server_id],
                last.flavor,
                last.region,
                sum((r.hours for r in on.get(server_id, [])), ZERO).quantize(HOURS),
                sum((r.hours for r in off.get(server_id, [])), ZERO).quantize(HOURS),
                round_cents(sum((r.amount for r in on.get(server_id, [])), ZERO)),
                round_cents(sum((r.amount for r in off.get(server_id, [])), ZERO)),
                any((r.flavor, r.region) in reserved for r in rows),
                round_cents(price * hours) if price is not None else None,
            )
        )
    return found


def notes(servers: list[ServerSavings]) -> list[str]:
    return [
        f"server {s.server_id} ({s.flavor}, {s.region}) is covered by a reservation in force: "
        "the reservation is paid every hour, so stopping it saves nothing on the reserved "
        "hours; a schedule suits on-demand servers, a reservation servers that run all month."
        for s in servers
        if s.reserved
    ]
