"""Exposure to non-EU law, pure (SecNumCloud 19.6.c-f, 5.3.e): the rules of the
subprocessor registry, of a "legal change" notice, and of the register of government
requests for a customer's data."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from andromede.kernel.errors import FieldError
from andromede.kernel.eu import EU_COUNTRIES

__all__ = [
    "DATA_CATEGORIES",
    "LEGAL_NOTICE",
    "GovernmentRequest",
    "LegalChange",
    "Subprocessor",
    "government_request_errors",
    "legal_change_errors",
    "subprocessor_errors",
]

DATA_CATEGORIES = ("customer-data", "technical-data", "billing-data", "contact-data")
REACHES_DATA = frozenset({"customer-data", "technical-data"})
LEGAL_NOTICE = timedelta(days=30)  # SecNumCloud 19.6: customers hear a month ahead


@dataclass(frozen=True)
class Subprocessor:
    name: str
    country: str  # where it operates
    jurisdiction: str  # whose law its owners answer to
    purpose: str
    data_categories: tuple[str, ...]
    technical_access: bool


@dataclass(frozen=True)
class LegalChange:
    summary: str
    effective_at: datetime


@dataclass(frozen=True)
class GovernmentRequest:
    customer_id: str
    authority: str
    country: str
    received_at: datetime
    scope: str
    legal_assessment: str
    notify_customer: bool
    bar_reason: str  # why the customer may not be told, when the law forbids it


def _text(errors: list[FieldError], name: str, value: str, limit: int) -> None:
    if not value.strip() or len(value) > limit:
        errors.append(FieldError(name, f"must be 1 to {limit} characters"))


def _country(errors: list[FieldError], name: str, value: str) -> None:
    if len(value) != 2 or not value.isalpha():
        errors.append(FieldError(name, "must be an ISO 3166-1 alpha-2 code"))


def subprocessor_errors(sub: Subprocessor) -> list[FieldError]:
    """A subprocessor under non-EU law never reaches customer or technical data: that is
    the whole point of the qualification, so the registry refuses the entry."""
    errors: list[FieldError] = []
    _text(errors, "name", sub.name, 200)
    _text(errors, "purpose", sub.purpose, 500)
    _country(errors, "country", sub.country)
    _country(errors, "jurisdiction", sub.jurisdiction)
    unknown = sorted(set(sub.data_categories) - set(DATA_CATEGORIES))
    if unknown:
        errors.append(
            FieldError("data_categories", f"{', '.join(unknown)}: one of {DATA_CATEGORIES}")
        )
    outside = sub.jurisdiction.upper() not in EU_COUNTRIES
    if outside and sub.technical_access and REACHES_DATA & set(sub.data_categories):
        errors.append(
            FieldError(
                "technical_access",
                "a subprocessor under non-EU law cannot reach customer or technical data",
            )
        )
    return errors


def legal_change_errors(change: LegalChange, now: datetime) -> list[FieldError]:
    errors: list[FieldError] = []
    _text(errors, "summary", change.summary, 2000)
    if change.effective_at < now + LEGAL_NOTICE:
        errors.append(FieldError("effective_at", "customers must hear a month ahead"))
    return errors


def government_request_errors(request: GovernmentRequest, now: datetime) -> list[FieldError]:
    """Told, or a recorded legal bar on telling: never silence without a reason."""
    errors: list[FieldError] = []
    for name, value in (
        ("authority", request.authority),
        ("scope", request.scope),
        ("legal_assessment", request.legal_assessment),
    ):
        _text(errors, name, value, 2000)
    _country(errors, "country", request.country)
    if request.received_at > now:
        errors.append(FieldError("received_at", "is in the future"))
    if request.notify_customer and request.bar_reason:
        errors.append(FieldError("bar_reason", "only when the customer is not told"))
    if not request.notify_customer and not request.bar_reason.strip():
        errors.append(
            FieldError("bar_reason", "the customer is told unless a legal bar is recorded")
        )
    return errors
