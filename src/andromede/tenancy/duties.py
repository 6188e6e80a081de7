"""Separation of duties, pure (SecNumCloud 9.3.e-f): the role pairs one person may not
hold across accounts. Operator staff may hold no partner's or customer's account: a
customer's administrator approves staff access to its data, and a partner's people reach
its customers' data without that approval — either would let a staff member open the
lockbox for themselves.

The operator knows its own people: every account of its staff names its person, and so
does every account its staff create (a partner's first administrator), so that none of
the operator's people can hold a tenant's account unseen. The accounts a tenant makes
for itself name their person as the tenant chooses."""

from collections.abc import Iterable

from andromede.tenancy.scope import ROLE_ORG, OrgKind, Role

__all__ = ["INCOMPATIBLE", "incompatible_with", "person_key", "person_required"]

STAFF = frozenset(r for r, kind in ROLE_ORG.items() if kind is OrgKind.OPERATOR)
TENANTS = frozenset(r for r, kind in ROLE_ORG.items() if kind is not OrgKind.OPERATOR)
INCOMPATIBLE = frozenset(frozenset((s, t)) for s in STAFF for t in TENANTS)


def incompatible_with(role: Role, held: Iterable[Role]) -> Role | None:
    """A role the person already holds that may not go with ``role``, if any."""
    return next((h for h in held if frozenset((role, h)) in INCOMPATIBLE), None)


def person_key(person: str | None) -> str | None:
    """How a person is compared: trimmed, case-folded; empty is nobody."""
    key = " ".join((person or "").split()).casefold()
    return key or None


def person_required(creator: Role, role: Role) -> bool:
    """Whether a new ``role`` account made by a ``creator`` must name its person."""
    return creator in STAFF or role in STAFF
