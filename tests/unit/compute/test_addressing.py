import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.compute.addressing import (
    first_free,
    nth_host,
    project_subnet,
    provider_subnet,
    region_subnet,
)


def test_subnets_of_regions_and_projects() -> None:
    assert region_subnet(0) == "10.0.0.0/16" and region_subnet(3) == "10.3.0.0/16"
    assert project_subnet(0) == "172.16.0.0/24" and project_subnet(257) == "172.17.1.0/24"
    with pytest.raises(ValueError):
        region_subnet(256)


def test_the_lowest_free_address_is_handed_out_and_reused() -> None:
    assert first_free("10.0.0.0/16", set()) == "10.0.0.10"  # .1 to .9 kept
    assert first_free("10.0.0.0/16", {"10.0.0.10", "10.0.0.12"}) == "10.0.0.11"


def test_a_full_subnet_says_so() -> None:
    taken = {f"192.168.0.{i}" for i in range(10, 15)}  # a /29 has hosts .10 to .14 here
    with pytest.raises(ValueError, match="full"):
        first_free("192.168.0.0/28", taken)


@given(st.sets(st.integers(10, 250), max_size=60))
def test_never_an_address_in_use_and_never_the_broadcast(used: set[int]) -> None:
    in_use = {f"172.16.0.{i}" for i in used}
    address = first_free("172.16.0.0/24", in_use)
    assert address not in in_use and address != "172.16.0.255"
    assert int(address.rsplit(".", 1)[1]) == min(set(range(10, 255)) - used)


def test_the_counter_hands_out_fresh_addresses_until_the_subnet_ends() -> None:

    assert nth_host("10.0.0.0/16", 0) == "10.0.0.10"
    assert nth_host("10.0.0.0/16", 246) == "10.0.1.0"
    assert nth_host("172.16.0.0/24", 244) == "172.16.0.254"  # the last before broadcast
    assert nth_host("172.16.0.0/24", 245) is None and nth_host("172.16.0.0/24", -1) is None


def test_a_regions_provider_subnet_follows_its_place_unless_an_older_network_holds_it() -> None:
    assert provider_subnet(2, set()) == "10.2.0.0/16"
    assert provider_subnet(2, {"10.0.0.0/16", "10.1.0.0/16"}) == "10.2.0.0/16"
    assert provider_subnet(2, {"10.2.0.0/16", "10.0.0.0/16"}) == "10.1.0.0/16"  # first free
    with pytest.raises(ValueError):
        provider_subnet(0, {region_subnet(k) for k in range(256)})
