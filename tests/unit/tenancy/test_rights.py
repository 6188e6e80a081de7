"""The rights inventory says exactly what the request guards enforce."""

from datetime import UTC, datetime

import pytest

from andromede.kernel.tenants import TenantRef
from andromede.tenancy.rights import access_to, rights_of, who_can_access
from andromede.tenancy.scope import Actor, Role, StaffGrant

REF = TenantRef("p1", "c1", "proj1")
UNTIL = datetime(2026, 12, 5, 18, tzinfo=UTC)


def actor(
    role: Role, partner: str | None = None, customer: str | None = None, *grants: StaffGrant
) -> Actor:
    return Actor(f"u-{role.value}", role.value, role, partner, customer, grants)


@pytest.mark.parametrize(
    ("who", "access"),
    [
        (actor(Role.CUSTOMER_ADMIN, "p1", "c1"), "read-write"),
        (actor(Role.CUSTOMER_MEMBER, "p1", "c1"), "read-write"),
        (actor(Role.CUSTOMER_VIEWER, "p1", "c1"), "read"),
        (actor(Role.CUSTOMER_ADMIN, "p1", "c2"), None),  # the partner's other customer
        (actor(Role.PARTNER_ADMIN, "p1"), "read-write"),
        (actor(Role.PARTNER_USER, "p1"), "read-write"),
        (actor(Role.PARTNER_ADMIN, "p2"), None),
        (actor(Role.OPERATOR_ADMIN), None),  # the lockbox: no grant, no data
        (actor(Role.OPERATOR_SUPPORT, None, None, StaffGrant("g1", "c1", "read", UNTIL)), "read"),
        (
            actor(Role.OPERATOR_SUPPORT, None, None, StaffGrant("g2", "c1", "operate", UNTIL)),
            "read-write",
        ),
        (actor(Role.OPERATOR_SUPPORT, None, None, StaffGrant("g3", "c2", "operate", UNTIL)), None),
    ],
)
def test_access_follows_the_guards(who: Actor, access: str | None) -> None:
    assert access_to(who, REF) == access


def test_the_list_names_each_grant_and_skips_who_cannot() -> None:
    staff = actor(Role.OPERATOR_SUPPORT, None, None, StaffGrant("g1", "c1", "read", UNTIL))
    found = who_can_access(
        [actor(Role.OPERATOR_ADMIN), staff, actor(Role.CUSTOMER_VIEWER, "p1", "c1")], REF
    )
    assert [(r["realm"], r["access"], r["grant_id"]) for r in found] == [
        ("customer", "read", None),
        ("staff", "read", "g1"),
    ]
    assert found[1]["until"] == UNTIL.isoformat()


def test_a_principals_rights_are_its_roles_permissions_and_grants() -> None:
    viewer = rights_of(actor(Role.CUSTOMER_VIEWER, "p1", "c1"))
    assert viewer["permissions"] == [] and viewer["data"] == "the resources of customer c1"
    admin = rights_of(actor(Role.OPERATOR_ADMIN))
    assert "manage-catalog" in admin["permissions"] and admin["data"].startswith("no customer")
    staff = rights_of(
        actor(Role.OPERATOR_SUPPORT, None, None, StaffGrant("g1", "c1", "read", UNTIL))
    )
    assert staff["grants"] == [
        {"grant_id": "g1", "customer_id": "c1", "scope": "read", "until": UNTIL.isoformat()}
    ]
