"""Staff vetting, pure (SecNumCloud 7.1.b): operator staff reach a customer's data only
while their vetting holds — ``basic`` for a read grant, ``enhanced`` to act (``operate``)
— and a vetting that expires drops the privilege at once, grants included."""

from dataclasses import dataclass
from datetime import datetime

from andromede.kernel.errors import FieldError

__all__ = ["LEVELS", "PRIVILEGED", "Vetting", "needed_for", "vetted", "vetting_errors"]

LEVELS = ("basic", "enhanced")
PRIVILEGED = "enhanced"  # what an operator administrator's role asks, as an operate grant


@dataclass(frozen=True)
class Vetting:
    level: str
    until: datetime
    office_country: str


def needed_for(scope: str) -> str:
    """The level a grant of this scope asks of the staff member who uses it."""
    return "enhanced" if scope == "operate" else "basic"


def vetted(level: str | None, until: datetime | None, needed: str, now: datetime) -> bool:
    if level not in LEVELS or until is None or until <= now:
        return False
    return LEVELS.index(level) >= LEVELS.index(needed)


def vetting_errors(
    level: str, until: datetime, office_country: str, now: datetime
) -> list[FieldError]:
    errors = []
    if level not in LEVELS:
        errors.append(FieldError("level", f"must be one of {', '.join(LEVELS)}"))
    if until <= now:
        errors.append(FieldError("until", "is past: a vetting holds until a date to come"))
    if len(office_country) != 2 or not office_country.isalpha():
        errors.append(FieldError("office_country", "must be an ISO 3166-1 alpha-2 code"))
    return errors
