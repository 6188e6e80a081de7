"""How long audit events must be kept before a purge may blank them. Pure.

SecNumCloud 12.6 asks for at least six months of retention; we count 183 days. A purge
never removes an entry: it blanks its content and keeps its position and leaf hash, so
the Merkle tree and every signed checkpoint still verify.
"""

from datetime import datetime, timedelta

from andromede.kernel.errors import ValidationFailed

__all__ = ["MIN_RETENTION", "check_purge"]

MIN_RETENTION = timedelta(days=183)


def check_purge(before: datetime, now: datetime) -> None:
    """``before``: entries strictly older than this instant would be purged."""
    oldest_protected = now - MIN_RETENTION
    if before > oldest_protected:
        raise ValidationFailed.one(
            "before",
            "events younger than 6 months (183 days) cannot be purged: "
            f"the latest allowed is {oldest_protected.isoformat()}",
        )
