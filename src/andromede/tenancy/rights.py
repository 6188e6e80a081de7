"""The access-rights inventory, pure (SecNumCloud 9.3.c-f): who can reach a customer's
resources, and every right one principal holds — computed from the same rules that guard
each request (``scope.py``), so the inventory cannot say other than what is enforced."""

from collections.abc import Iterable
from typing import Any

from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import (
    Actor,
    Permission,
    allowed,
    is_staff,
    may_change_resources,
    realm_of,
    resource_scope,
    visible,
)

__all__ = ["access_to", "rights_of", "who_can_access"]


def access_to(actor: Actor, ref: TenantRef) -> str | None:
    """``read-write``, ``read`` or None: what the actor may do with resources under
    ``ref`` (a customer, or one of its projects)."""
    if not visible(resource_scope(actor), ref):
        return None
    return "read-write" if may_change_resources(actor, ref) else "read"


def _why(actor: Actor) -> str:
    if is_staff(actor):
        return "operator staff under the customer's approved access request"
    if actor.customer_id:
        return "the customer's own account"
    return "the customer's partner"


def who_can_access(actors: Iterable[Actor], ref: TenantRef) -> list[dict[str, Any]]:
    found = []
    for actor in actors:
        access = access_to(actor, ref)
        if access:
            grant = next((g for g in actor.grants if g.customer_id == ref.customer_id), None)
            found.append(
                {
                    "user_id": actor.user_id,
                    "username": actor.username,
                    "role": actor.role.value,
                    "realm": realm_of(actor),
                    "access": access,
                    "why": _why(actor),
                    "grant_id": grant.id if grant else None,
                    "until": grant.ends_at.isoformat() if grant else None,
                }
            )
    return sorted(found, key=lambda row: (row["realm"], row["username"]))


def rights_of(actor: Actor) -> dict[str, Any]:
    scope = resource_scope(actor)
    if scope.everything:
        data = "every tenant's resources"
    elif scope.customer_ids is not None:
        data = "the resources of the customers whose access requests are approved"
    elif scope.nothing:
        data = "no customer's resources (names and counts of tenants only)"
    elif scope.customer_id:
        data = f"the resources of customer {scope.customer_id}"
    else:
        data = f"the resources of every customer of partner {scope.partner_id}"
    return {
        "user_id": actor.user_id,
        "username": actor.username,
        "role": actor.role.value,
        "realm": realm_of(actor),
        "permissions": sorted(p.value for p in Permission if allowed(actor, p)),
        "data": data,
        "grants": [
            {
                "grant_id": g.id,
                "customer_id": g.customer_id,
                "scope": g.scope,
                "until": g.ends_at.isoformat(),
            }
            for g in actor.grants
        ],
    }
