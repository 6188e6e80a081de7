"""A schedule as people write it (``{"begin": "08:00", "end": "19:00", "weekdays":
["mon", "fri"]}``) turned into the timetable's terms, with one error per bad field; and
back, so the API shows what it stored in the form it was written."""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from andromede.kernel.errors import FieldError, ValidationFailed
from andromede.schedules.timetable import ALL_DAYS, Period

__all__ = [
    "DAY_NAMES",
    "HOLIDAY_CALENDARS",
    "MAX_PERIODS",
    "MAX_SKIP_DATES",
    "check_name",
    "check_zone",
    "parse_periods",
    "parse_skip_dates",
    "period_from_text",
    "period_json",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_PERIODS = 20
MAX_SKIP_DATES = 366
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,49}")
CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
WRITTEN = re.compile(r"(?:(?P<days>[a-z,-]+)\s+)?(?P<begin>\d\d:\d\d)-(?P<end>\d\d:\d\d)")
# our codes -> the territory the public holidays are those of (France, then the
# departments and overseas territories whose holidays differ: Alsace-Moselle, the DROM)
HOLIDAY_CALENDARS = {
    "FR": None,
    "FR-57": "57",
    "FR-67": "6AE",
    "FR-68": "6AE",
    "FR-971": "971",
    "FR-972": "972",
    "FR-973": "973",
    "FR-974": "974",
    "FR-976": "976",
}


def check_name(name: str) -> str:
    """Lower case letters, digits, ``.``, ``_``, ``-``: a schedule is named in a tag
    (``schedule=<name>``)."""
    if not NAME.fullmatch(name or ""):
        raise ValidationFailed.one(
            "name", "1 to 50 lower-case letters, digits, '.', '_' or '-', starting with one"
        )
    return name


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_zone(zone: str) -> str:
    if zone not in _zones():
        raise ValidationFailed.one("timezone", f"not an IANA time zone: {zone!r}")
    return zone


def parse_periods(raw: list[dict[str, Any]]) -> tuple[Period, ...]:
    if not raw:
        raise ValidationFailed.one("periods", "at least one period")
    if len(raw) > MAX_PERIODS:
        raise ValidationFailed.one("periods", f"at most {MAX_PERIODS} periods")
    errors: list[FieldError] = []
    found = []
    for i, item in enumerate(raw):
        field = f"periods[{i}]"
        try:
            found.append(_period(item))
        except ValueError as exc:
            errors.append(FieldError(field, str(exc)))
    if errors:
        raise ValidationFailed(errors)
    return tuple(found)


def _period(item: dict[str, Any]) -> Period:
    begin, end = _clock(item.get("begin"), "begin"), _clock(item.get("end"), "end")
    weekdays = item.get("weekdays") or list(DAY_NAMES)
    if not isinstance(weekdays, list) or any(d not in DAY_NAMES for d in weekdays):
        raise ValueError(f"weekdays are among {', '.join(DAY_NAMES)}")
    return Period(
        begin,
        end,
        frozenset(DAY_NAMES.index(d) for d in weekdays),
        _numbers(item.get("monthdays"), "monthdays", 1, 31),
        _numbers(item.get("months"), "months", 1, 12),
    )


def _clock(value: Any, name: str) -> time:
    match = CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{name} is a time of day HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def _numbers(value: Any, name: str, low: int, high: int) -> frozenset[int]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or any(
        isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high for v in value
    ):
        raise ValueError(f"{name} are whole numbers from {low} to {high}")
    return frozenset(value)


def parse_skip_dates(raw: list[str]) -> list[str]:
    if len(raw) > MAX_SKIP_DATES:
        raise ValidationFailed.one("skip_dates", f"at most {MAX_SKIP_DATES} dates")
    try:
        return sorted({date.fromisoformat(d).isoformat() for d in raw})
    except (TypeError, ValueError):
        raise ValidationFailed.one("skip_dates", "dates are YYYY-MM-DD") from None


def period_json(period: Period) -> dict[str, Any]:
    view: dict[str, Any] = {
        "begin": period.begin.strftime("%H:%M"),
        "end": period.end.strftime("%H:%M"),
        "weekdays": [DAY_NAMES[d] for d in sorted(period.weekdays)],
    }
    if period.weekdays == ALL_DAYS:
        view["weekdays"] = list(DAY_NAMES)
    if period.monthdays:
        view["monthdays"] = sorted(period.monthdays)
    if period.months:
        view["months"] = sorted(period.months)
    return view


def period_from_text(text: str) -> dict[str, Any]:
    """A period as people write it, ``mon-fri 08:00-19:00``, ``sat,sun 10:00-12:00`` or
    ``22:00-06:00`` (every day), as the API takes it; ValueError says what is wrong."""
    match = WRITTEN.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r}: write a period as 'mon-fri 08:00-19:00' or '22:00-06:00'")
    period: dict[str, Any] = {"begin": match["begin"], "end": match["end"]}
    if match["days"]:
        period["weekdays"] = _day_names(match["days"])
    return period


def _day_names(text: str) -> list[str]:
    found: set[str] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"days are among {', '.join(DAY_NAMES)}: {text!r}")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        span = end - start if end >= start else end + 7 - start  # sat-mon wraps the week
        found.update(DAY_NAMES[(start + i) % 7] for i in range(span + 1))
    return sorted(found, key=DAY_NAMES.index)
