"""UTS #39 skeletons over the Unicode confusables table, and the stored form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.usernames import normal_username, skeleton


@pytest.mark.parametrize(
    ("a", "b"),
    [("admin", "\u0430dmin"), ("admin", "adrnin"), ("paypal", "p\u0430yp\u0430l"), ("l", "1")],
)
def test_look_alikes_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_different_names_keep_different_skeletons() -> None:
    assert skeleton("admin") != skeleton("admins")
    assert skeleton("alice") != skeleton("bob")


@given(st.text(min_size=1, max_size=60))
def test_the_skeleton_is_idempotent(text: str) -> None:
    assert skeleton(skeleton(text)) == skeleton(text)


def test_stored_form_is_nfkc_lower_case_without_spaces() -> None:
    assert normal_username("  Marie.CURIE ") == "marie.curie"
    assert normal_username("\uff41\uff44\uff4d\uff49\uff4e") == "admin"
    with pytest.raises(ValidationFailed):
        normal_username("two words")
    with pytest.raises(ValidationFailed):
        normal_username("x" * 101)


def test_names_of_roles_and_teams_look_shared() -> None:
    from andromede.tenancy.usernames import looks_shared

    for name in ("admin", "Support", "ops-2", "root", "NOC", "helpdesk_1"):
        assert looks_shared(name), name
    for name in ("marie.curie", "jdupont", "support-marie", "administration.paris"):
        assert not looks_shared(name), name
