"""Customer-approved staff access, as a state machine over plain data. Pure.

Staff file a request (customer, scope, reason, duration, where they are); the customer's
admins approve or deny it. Approval opens a grant for the duration asked, counted from the
approval; the grant ends at that time or when the customer (or the requester) revokes it.
A request nobody answers lapses after four days. The state at any instant is computed
from the stored times, so an expiry takes effect on the second even if no job has run.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from andromede.kernel.errors import Conflict, FieldError, ValidationFailed
from andromede.tenancy.identity import EU_COUNTRIES

__all__ = [
    "MAX_DURATION_MINUTES",
    "PENDING_FOR",
    "SCOPES",
    "AccessState",
    "RequestTimes",
    "approval",
    "check_request",
    "state_at",
]

MAX_DURATION_MINUTES = 8 * 60
PENDING_FOR = timedelta(days=4)
SCOPES = ("read", "operate")
MAX_REASON = 1000


class AccessState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # the grant is open
    DENIED = "denied"
    EXPIRED = "expired"  # nobody answered in four days
    ENDED = "ended"  # the grant ran its full duration
    REVOKED = "revoked"


@dataclass(frozen=True)
class RequestTimes:
    created_at: datetime
    duration_minutes: int
    approved_at: datetime | None = None
    denied_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def grant_ends_at(self) -> datetime | None:
        if self.approved_at is None:
            return None
        return self.approved_at + timedelta(minutes=self.duration_minutes)


def state_at(times: RequestTimes, now: datetime) -> AccessState:
    if times.denied_at is not None:
        return AccessState.DENIED
    if times.approved_at is None:
        if times.revoked_at is not None:  # withdrawn by its requester before an answer
            return AccessState.REVOKED
        if now >= times.created_at + PENDING_FOR:
            return AccessState.EXPIRED
        return AccessState.PENDING
    ends = times.grant_ends_at
    if times.revoked_at is not None and (ends is None or times.revoked_at < ends):
        return AccessState.REVOKED
    if ends is not None and now >= ends:
        return AccessState.ENDED
    return AccessState.APPROVED


def check_request(scope: str, reason: str, duration_minutes: int, location: str) -> str:
    """Every problem at once; returns the location, normalised to upper case."""
    errors: list[FieldError] = []
    if scope not in SCOPES:
        errors.append(FieldError("scope", f"must be one of {', '.join(SCOPES)}"))
    if not reason.strip() or len(reason) > MAX_REASON:
        errors.append(FieldError("reason", f"must be 1 to {MAX_REASON} characters"))
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors.append(
            FieldError("duration_minutes", f"must be 1 to {MAX_DURATION_MINUTES} (8 hours)")
        )
    country = location.strip().upper()
    if country not in EU_COUNTRIES:
        errors.append(
            FieldError(
                "location",
                "staff reach customer data only from an EU member state "
                "(ISO 3166-1 alpha-2 code of where you are)",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return country


def approval(times: RequestTimes, now: datetime, verb: str) -> None:
    """Refuses a decision the request's state does not allow (409)."""
    state = state_at(times, now)
    if verb in ("approve", "deny") and state is not AccessState.PENDING:
        raise Conflict(f"cannot {verb} a request that is {state.value}")
    if verb == "revoke" and state not in (AccessState.PENDING, AccessState.APPROVED):
        raise Conflict(f"cannot revoke a request that is {state.value}")
