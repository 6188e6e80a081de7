"""Domain errors. Each has a stable code; the HTTP status is chosen by the API, not here."""

from dataclasses import dataclass

__all__ = [
    "AccountLocked",
    "AndromedeError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "InvalidState",
    "LoginFailed",
    "MfaRequired",
    "NoValidHost",
    "NotFound",
    "PolicyViolation",
    "QuotaExceeded",
    "StorageQuotaExceeded",
    "Throttled",
    "Unauthorized",
    "Unavailable",
    "ValidationFailed",
]


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class AndromedeError(Exception):
    code = "error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AndromedeError):
    code = "not-found"

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"{kind} {ref!r} not found")
        self.kind = kind
        self.ref = ref


class ValidationFailed(AndromedeError):
    code = "validation-failed"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field_name: str, message: str) -> "ValidationFailed":
        return cls([FieldError(field_name, message)])


class Conflict(AndromedeError):
    code = "conflict"


class Unavailable(AndromedeError):
    """Something this request needs cannot be reached now (a region's hypervisors); the
    request changed nothing and may be tried again."""

    code = "unavailable"


class InvalidState(AndromedeError):
    code = "invalid-state"


class Unauthorized(AndromedeError):
    code = "unauthorized"


class LoginFailed(Unauthorized):
    """Wrong username, password or one-time code: counts toward the account lockout."""

    code = "unauthorized"

    def __init__(self, username: str, detail: str = "invalid username or password") -> None:
        super().__init__(detail)
        self.username = username


class MfaRequired(Unauthorized):
    code = "mfa-required"


class Throttled(AndromedeError):
    """Refused for now; ``retry_after`` seconds later the same request may pass."""

    code = "too-many-requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class AccountLocked(Throttled):
    code = "account-locked"


class Forbidden(AndromedeError):
    code = "forbidden"


class QuotaExceeded(AndromedeError):
    code = "quota-exceeded"

    def __init__(self, quota: str, limit: int, used: int, requested: int) -> None:
        super().__init__(
            f"quota {quota!r} exceeded: limit {limit}, in use {used}, requested {requested}"
        )
        self.quota = quota
        self.limit = limit
        self.used = used
        self.requested = requested


class StorageQuotaExceeded(AndromedeError):
    """Bytes past what the customer may store (an image upload): refused whole."""

    code = "too-large"


class NoValidHost(AndromedeError):
    code = "no-valid-host"

    def __init__(self, reasons: dict[str, str]) -> None:
        text = "; ".join(f"{name}: {why}" for name, why in reasons.items())
        super().__init__(f"no valid host: {text}" if text else "no valid host")
        self.reasons = reasons


class PolicyViolation(AndromedeError):
    """A residency policy refuses the place. ``decision`` is what gets recorded even though
    the request's own transaction is rolled back."""

    code = "policy-violation"

    def __init__(self, detail: str, decision: dict[str, object]) -> None:
        super().__init__(detail)
        self.decision = decision
