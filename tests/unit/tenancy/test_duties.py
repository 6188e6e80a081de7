from andromede.tenancy.duties import INCOMPATIBLE, incompatible_with, person_key, person_required
from andromede.tenancy.scope import ROLE_ORG, OrgKind, Role


def test_staff_hold_no_tenant_account_and_tenants_combine_freely() -> None:
    for pair in INCOMPATIBLE:
        kinds = {ROLE_ORG[r] is OrgKind.OPERATOR for r in pair}
        assert kinds == {True, False}  # always one staff role and one tenant role
    assert len(INCOMPATIBLE) == 2 * 5  # two staff roles, five tenant roles
    assert incompatible_with(Role.CUSTOMER_ADMIN, [Role.OPERATOR_SUPPORT]) is Role.OPERATOR_SUPPORT
    assert incompatible_with(Role.OPERATOR_ADMIN, [Role.PARTNER_USER]) is Role.PARTNER_USER
    assert incompatible_with(Role.OPERATOR_ADMIN, [Role.OPERATOR_SUPPORT]) is None
    assert incompatible_with(Role.CUSTOMER_ADMIN, [Role.PARTNER_ADMIN]) is None  # an MSP
    assert incompatible_with(Role.CUSTOMER_ADMIN, []) is None


def test_a_person_is_compared_trimmed_and_case_folded() -> None:
    assert person_key("  Jean.Dupont@Example.FR ") == "jean.dupont@example.fr"
    assert person_key("E 4711") == person_key("e  4711")
    assert person_key("   ") is None and person_key(None) is None


def test_the_operators_people_name_the_person_of_what_they_hold_and_make() -> None:
    assert person_required(Role.OPERATOR_ADMIN, Role.OPERATOR_SUPPORT)  # its own staff
    assert person_required(Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN)  # made by staff
    assert person_required(Role.PARTNER_ADMIN, Role.OPERATOR_SUPPORT) is True  # staff always
    assert not person_required(Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN)  # a tenant's own
    assert not person_required(Role.CUSTOMER_ADMIN, Role.CUSTOMER_MEMBER)
