from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.tenants import Scope, TenantRef
from andromede.tenancy.scope import (
    Actor,
    Caller,
    Permission,
    Role,
    StaffGrant,
    allowed,
    can_assign_role,
    grant_for,
    may_change_resources,
    note_read,
    on_behalf_of,
    resource_scope,
    tenant_scope,
    visible,
)

OP = Actor("u0", "admin", Role.OPERATOR_ADMIN)
SUPPORT = Actor("u1", "support", Role.OPERATOR_SUPPORT)
PARTNER = Actor("u2", "pa", Role.PARTNER_ADMIN, partner_id="p1")
PARTNER_USER = Actor("u3", "pu", Role.PARTNER_USER, partner_id="p1")
CUSTOMER = Actor("u4", "ca", Role.CUSTOMER_ADMIN, partner_id="p1", customer_id="c1")
VIEWER = Actor("u5", "cv", Role.CUSTOMER_VIEWER, partner_id="p1", customer_id="c1")

refs = st.builds(
    TenantRef,
    st.sampled_from(["p1", "p2"]),
    st.sampled_from(["c1", "c2", "c3"]),
    st.sampled_from(["x", "y"]),
)


@given(refs)
def test_partner_sees_exactly_its_own_customers(ref: TenantRef) -> None:
    assert visible(tenant_scope(PARTNER), ref) == (ref.partner_id == "p1")


@given(refs)
def test_customer_sees_exactly_its_own_tree(ref: TenantRef) -> None:
    assert visible(tenant_scope(CUSTOMER), ref) == (ref.customer_id == "c1")


@given(refs)
def test_staff_see_tenants_but_no_resources_without_a_grant(ref: TenantRef) -> None:
    for staff in (OP, SUPPORT):
        assert visible(tenant_scope(staff), ref)
        assert not visible(resource_scope(staff), ref)
        assert not may_change_resources(staff, ref)
    system = Actor("sys", "system:simulator", Role.OPERATOR_ADMIN, system=True)
    assert visible(resource_scope(system), ref) and may_change_resources(system, ref)


GRANT_ENDS = datetime(2026, 11, 2, 17, tzinfo=UTC)


@given(refs, st.sampled_from(["read", "operate"]))
def test_a_grant_opens_exactly_its_customer(ref: TenantRef, scope: str) -> None:
    staff = replace(SUPPORT, grants=(StaffGrant("g1", "c1", scope, GRANT_ENDS),))
    assert visible(resource_scope(staff), ref) == (ref.customer_id == "c1")
    assert may_change_resources(staff, ref) == (ref.customer_id == "c1" and scope == "operate")
    assert (grant_for(staff, ref.customer_id) is not None) == (ref.customer_id == "c1")


def test_reads_are_noted_for_staff_under_a_grant_only() -> None:
    staff = replace(OP, grants=(StaffGrant("g1", "c1", "read", GRANT_ENDS),))
    for actor in (staff, PARTNER, CUSTOMER):
        caller = Caller(actor)
        note_read(caller, TenantRef("p1", "c1", "x"))
        note_read(caller, TenantRef("p1", "c2", "x"))
        assert caller.reads == ({TenantRef("p1", "c1")} if actor is staff else set())


def test_empty_scope_sees_nothing() -> None:
    assert not visible(Scope(), TenantRef("p1", "c1"))


def test_permissions_by_role() -> None:
    assert allowed(OP, Permission.MANAGE_PARTNERS)
    assert not allowed(PARTNER, Permission.MANAGE_PARTNERS)
    assert allowed(PARTNER, Permission.MANAGE_CUSTOMERS)
    assert not allowed(PARTNER_USER, Permission.MANAGE_CUSTOMERS)
    assert allowed(PARTNER_USER, Permission.MANAGE_RESOURCES)
    assert not allowed(VIEWER, Permission.MANAGE_RESOURCES)
    assert not allowed(SUPPORT, Permission.MANAGE_RESOURCES)
    assert not allowed(CUSTOMER, Permission.MANAGE_CATALOG)


def test_role_assignment_never_climbs() -> None:
    assert can_assign_role(OP, Role.OPERATOR_SUPPORT, TenantRef())
    assert not can_assign_role(PARTNER, Role.OPERATOR_ADMIN, TenantRef())
    assert can_assign_role(PARTNER, Role.CUSTOMER_ADMIN, TenantRef("p1", "c1"))
    assert not can_assign_role(PARTNER, Role.CUSTOMER_ADMIN, TenantRef("p2", "c9"))
    assert can_assign_role(CUSTOMER, Role.CUSTOMER_VIEWER, TenantRef("p1", "c1"))
    assert not can_assign_role(CUSTOMER, Role.PARTNER_USER, TenantRef("p1"))
    assert not can_assign_role(CUSTOMER, Role.CUSTOMER_ADMIN, TenantRef("p1", "c2"))
    assert not can_assign_role(VIEWER, Role.CUSTOMER_VIEWER, TenantRef("p1", "c1"))


def test_on_behalf_of_names_the_customer_for_partner_and_operator_only() -> None:
    ref = TenantRef("p1", "c1", "x")
    assert on_behalf_of(PARTNER_USER, ref) == "c1"
    assert on_behalf_of(OP, ref) == "c1"
    assert on_behalf_of(CUSTOMER, ref) is None
    assert on_behalf_of(PARTNER, TenantRef("p1")) is None


def test_tenant_path() -> None:
    assert TenantRef("p1", "c1", "x").path == "/operator/p1/c1/x"
    assert TenantRef().path == "/operator"
