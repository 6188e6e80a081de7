"""Maintenance notices, pure (SecNumCloud 12.2.b-d): a window on a site, who must hear of
it — each customer with resources there once, and each of their partners once — and what
each notice says."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from andromede.kernel.errors import FieldError

__all__ = ["IMPACTS", "Window", "notices", "window_errors"]

IMPACTS = ("none", "degraded", "outage")


@dataclass(frozen=True)
class Window:
    region: str
    zone: str | None  # None: the whole region
    starts_at: datetime
    ends_at: datetime
    nature: str
    impact: str
    contact: str

    @property
    def site(self) -> str:
        return self.zone or self.region


def window_errors(window: Window, now: datetime) -> list[FieldError]:
    errors = []
    if window.ends_at <= window.starts_at:
        errors.append(FieldError("ends_at", "must be after starts_at"))
    if window.ends_at <= now:
        errors.append(FieldError("ends_at", "is past: a notice announces what is to come"))
    if not window.nature.strip() or len(window.nature) > 500:
        errors.append(FieldError("nature", "must be 1 to 500 characters"))
    if window.impact not in IMPACTS:
        errors.append(FieldError("impact", f"must be one of {', '.join(IMPACTS)}"))
    if not window.contact.strip() or len(window.contact) > 200:
        errors.append(FieldError("contact", "must be 1 to 200 characters"))
    return errors


def _text(window: Window) -> str:
    return (
        f"Maintenance on {window.site} from {window.starts_at.isoformat()} to "
        f"{window.ends_at.isoformat()}: {window.nature} (impact: {window.impact}; "
        f"contact: {window.contact})"
    )


def notices(
    window: Window, affected: Iterable[tuple[str, str]]
) -> list[tuple[str, str | None, str]]:
    """(partner, customer or None for the partner itself, message) for every customer
    with resources on the site and every partner of one, each exactly once."""
    customers = sorted(set(affected))
    by_partner: dict[str, int] = {}
    for partner, _ in customers:
        by_partner[partner] = by_partner.get(partner, 0) + 1
    text = _text(window)
    found: list[tuple[str, str | None, str]] = [(p, c, text) for p, c in customers]
    found += [
        (p, None, f"{text}. {n} of your customers have resources there.")
        for p, n in sorted(by_partner.items())
    ]
    return found
