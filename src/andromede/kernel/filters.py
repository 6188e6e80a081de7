"""Why a choice among candidates found nothing: each filter's removals, counted in order.
Pure; shared by the placements of servers on hosts and of volumes on pools."""

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["removals"]

T = TypeVar("T")


def removals(
    candidates: Sequence[T], filters: Sequence[tuple[str, Callable[[T], bool], str]], noun: str
) -> dict[str, str]:
    """``name → "<removed> of <left> <noun> <why>"`` for each filter that removed some of
    what the filters before it left, in order; the count stops once nothing is left."""
    reasons: dict[str, str] = {}
    remaining = list(candidates)
    for name, keeps, why in filters:
        kept = [c for c in remaining if keeps(c)]
        removed = len(remaining) - len(kept)
        if removed:
            reasons[name] = f"{removed} of {len(remaining)} {noun} {why}"
        remaining = kept
        if not remaining:
            break
    return reasons
