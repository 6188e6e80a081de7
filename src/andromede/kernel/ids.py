"""Identifiers: UUID strings everywhere, so they stay valid on the OpenStack face too."""

import os
import threading
import time
import uuid

__all__ = ["is_uuid", "new_id", "ordered_ids"]

_VARIANT_10 = 0x80  # the two high bits of byte 8 (RFC 9562, section 4.1)


def new_id() -> str:
    return str(uuid.uuid4())


_COUNTER_BITS = 12  # rand_a, used as a counter within the millisecond (RFC 9562, 6.2)


class _Ticks:
    """(Unix milliseconds << 12 | counter) of the ordered ids made in this process. The
    host's clock, not the injected one: a tick orders writes, it dates nothing the business
    reads (an invoice's dates are its own columns), and the counter keeps the order when
    the clock stands still or steps back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0

    def take(self, count: int) -> int:
        """The first of ``count`` ticks, each above every tick taken before."""
        with self.lock:
            first = max(time.time_ns() // 1_000_000 << _COUNTER_BITS, self.last + 1)
            self.last = first + count - 1
        return first


_TICKS = _Ticks()


def ordered_ids(count: int) -> list[str]:
    """``count`` version 7 UUIDs, each greater than any made before in this process:
    rows keyed by them go in at the right end of their indexes instead of anywhere (a
    month close writes 240,000 invoice lines, and random keys make each land on another
    page). The time in them only orders them, and says when the row was written, which
    the rows keyed so (invoices and their lines) show anyway; 62 random bits each keep
    ids made by other processes in the same millisecond apart."""
    first = _TICKS.take(count)
    tails = bytearray(os.urandom(8 * count))  # rand_b with its variant bits
    tails[0::8] = bytes(b & 0x3F | _VARIANT_10 for b in tails[0::8])
    text = tails.hex()
    return [
        _dashed(f"{tick >> _COUNTER_BITS:012x}7{tick & 0xFFF:03x}{text[16 * i : 16 * i + 16]}")
        for i, tick in enumerate(range(first, first + count))
    ]


def _dashed(h: str) -> str:
    """32 hex digits in the 8-4-4-4-12 form ``str(UUID)`` gives."""
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_uuid(value: str) -> bool:
    """Lets lookups tell an id from a name without a query (name-shaped ids are common)."""
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
