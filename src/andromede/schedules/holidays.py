"""Public holidays as skip days, from the maintained ``holidays`` package (France and
the territories whose holidays differ: Alsace-Moselle's Good Friday and 26 December, the
overseas departments' abolition days)."""

from datetime import date
from functools import lru_cache

import holidays

from andromede.schedules.spec import HOLIDAY_CALENDARS

__all__ = ["public_holidays"]


@lru_cache(maxsize=256)
def public_holidays(calendar: str, year: int) -> frozenset[date]:
    subdivision = HOLIDAY_CALENDARS[calendar]
    found = holidays.country_holidays("FR", subdiv=subdivision, years=year)
    return frozenset(found)
