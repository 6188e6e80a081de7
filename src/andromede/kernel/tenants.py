"""Plain data for where a row sits in the tenant tree and what a request may see.

Kept in the kernel so that every capability (audit included, which sits below tenancy)
can filter by the same Scope; tenancy/scope.py decides which Scope an actor gets.
"""

from dataclasses import dataclass

__all__ = ["Scope", "TenantRef"]


@dataclass(frozen=True)
class TenantRef:
    """Where a row sits in the tree; the operator level is implicit."""

    partner_id: str | None = None
    customer_id: str | None = None
    project_id: str | None = None

    @property
    def path(self) -> str:
        parts = ["operator", self.partner_id, self.customer_id, self.project_id]
        return "/" + "/".join(p for p in parts if p)


@dataclass(frozen=True)
class Scope:
    """A filter on tenant columns. ``everything`` wins; ``nothing`` hides all rows;
    ``customer_ids`` lists customers seen one by one (operator staff under grants);
    ``unowned`` also shows rows that belong to no customer (operator and partner rows)."""

    everything: bool = False
    nothing: bool = False
    partner_id: str | None = None
    customer_id: str | None = None
    customer_ids: frozenset[str] | None = None
    unowned: bool = False
