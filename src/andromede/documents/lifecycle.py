"""Where an issued document stands, after the reform's lifecycle messages (statuses
200 "déposée" to 212 "encaissée"). Pure: which move is allowed from which status."""

__all__ = ["CODES", "STATUSES", "allowed"]

READY = "ready"  # produced here, not yet handed to a platform
SUBMITTED = "submitted"  # 200: deposited on the platform
RECEIVED = "received"  # 202/203/204: received and made available to the buyer
REFUSED = "refused"  # 210 refused by the buyer, 213 rejected by the platform
PAID = "paid"  # 212: cashed
STATUSES = (READY, SUBMITTED, RECEIVED, REFUSED, PAID)
CODES = {SUBMITTED: "200", RECEIVED: "202", REFUSED: "210", PAID: "212"}
MOVES = {
    READY: {SUBMITTED, REFUSED, PAID},
    SUBMITTED: {RECEIVED, REFUSED, PAID},
    RECEIVED: {PAID, REFUSED},
    REFUSED: set[str](),
    PAID: set[str](),
}


def allowed(current: str, new: str) -> bool:
    """A status moves forward only: a late "received" after "paid" changes nothing."""
    return new in MOVES.get(current, set())
