"""Subnets as Neutron checks them: the defaults (gateway, pools), the refusals, addresses
from the pools, blocks carved from a subnet pool, and a router's routes; properties
checked against a brute-force walk of small ranges."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.compute.subnets import (
    SubnetRefused,
    carve_prefix,
    check_routes,
    default_pools,
    free_address,
    in_pools,
    overlapping,
    parse_pool_prefixes,
    parse_subnet,
)


def test_defaults_as_neutron() -> None:
    spec = parse_subnet(cidr="10.100.0.0/28", ip_version=4)
    assert spec.gateway_ip == "10.100.0.1"
    assert spec.pools == (("10.100.0.2", "10.100.0.14"),)
    six = parse_subnet(cidr="2001:db8::/64", ip_version=6)
    assert six.gateway_ip == "2001:db8::1"
    assert six.pools == (("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff"),)
    none = parse_subnet(cidr="10.0.0.0/29", ip_version=4, gateway_ip=None)
    assert (none.gateway_ip, none.pools) == (None, (("10.0.0.1", "10.0.0.6"),))
    middle = parse_subnet(cidr="10.0.0.0/29", ip_version=4, gateway_ip="10.0.0.3")
    assert middle.pools == (("10.0.0.1", "10.0.0.2"), ("10.0.0.4", "10.0.0.6"))


def test_given_fields_are_kept() -> None:
    spec = parse_subnet(
        cidr="10.100.0.5/28",
        ip_version=4,
        gateway_ip="10.100.0.1",
        allocation_pools=[
            {"start": "10.100.0.7", "end": "10.100.0.9"},
            {"start": "10.100.0.3", "end": "10.100.0.4"},
        ],
        dns_nameservers=["8.8.8.8"],
        host_routes=[{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}],
    )
    assert spec.cidr == "10.100.0.0/28"  # host bits dropped
    assert spec.pools == (("10.100.0.3", "10.100.0.4"), ("10.100.0.7", "10.100.0.9"))
    assert spec.host_routes == (("10.20.0.0/32", "10.100.1.1"),)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"cidr": "10.0.0.0"}, "cidr", "prefix"),
        ({"cidr": "nonsense"}, "cidr", "not a valid IP subnet"),
        ({"cidr": "10.0.0.0/31"}, "cidr", "too small"),
        ({"cidr": "2001:db8::/64"}, "cidr", "not an IPv4 subnet"),
        ({"ip_version": 5}, "ip_version", "[4, 6]"),
        ({"gateway_ip": "10.0.1.1"}, "gateway_ip", "conflicts with the subnet"),
        ({"gateway_ip": "10.0.0.255"}, "gateway_ip", "conflicts with the subnet"),
        ({"gateway_ip": "fe80::1"}, "gateway_ip", "not an IPv4 address"),
        (
            {"allocation_pools": [{"start": "10.0.0.0", "end": "10.0.0.9"}]},
            "allocation_pools",
            "spans",
        ),
        (
            {"allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.5"}]},
            "allocation_pools",
            "spans",
        ),
        (
            {"allocation_pools": [{"start": "10.0.0.1", "end": "10.0.0.5"}]},
            "allocation_pools",
            "Gateway",
        ),
        ({"allocation_pools": [{"start": "10.0.0.5"}]}, "allocation_pools", "start"),
        (
            {
                "allocation_pools": [
                    {"start": "10.0.0.5", "end": "10.0.0.9"},
                    {"start": "10.0.0.9", "end": "10.0.0.12"},
                ]
            },
            "allocation_pools",
            "overlapping",
        ),
        ({"dns_nameservers": ["1.1.1.1"] * 2}, "dns_nameservers", "Duplicate"),
        ({"dns_nameservers": [f"1.1.1.{i}" for i in range(6)]}, "dns_nameservers", "at most"),
        ({"host_routes": [{"destination": "10.1.0.0/16"}]}, "host_routes", "nexthop"),
        (
            {"host_routes": [{"destination": "10.1.0.0/16", "nexthop": "fe80::1"}]},
            "host_routes",
            "IPv4",
        ),
    ],
)
def test_refusals_name_the_field(fields: dict[str, object], field: str, words: str) -> None:
    asked: dict[str, object] = {"cidr": "10.0.0.0/24", "ip_version": 4, **fields}
    with pytest.raises(SubnetRefused) as refused:
        parse_subnet(**asked)  # type: ignore[arg-type]
    assert refused.value.field == field and words in refused.value.message


small_subnets = st.builds(
    lambda base, length: str(ipaddress.ip_network((base << (32 - length), length))),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=24, max_value=29),
).map(lambda c: str(ipaddress.ip_network(c, strict=False)))


@given(small_subnets, st.data())
def test_default_pools_cover_every_host_but_the_gateway(cidr: str, data: st.DataObject) -> None:
    network = ipaddress.ip_network(cidr)
    hosts = [str(a) for a in network.hosts()]
    gateway = data.draw(st.sampled_from([None, *hosts]))
    pools = default_pools(cidr, gateway)
    covered = {a for a in hosts if in_pools(a, pools)}
    assert covered == set(hosts) - {gateway}


@given(small_subnets, st.data())
def test_free_address_is_the_lowest_free_in_the_pools(cidr: str, data: st.DataObject) -> None:
    pools = default_pools(cidr, None)
    hosts = [str(a) for a in ipaddress.ip_network(cidr).hosts()]
    in_use = set(data.draw(st.lists(st.sampled_from(hosts), max_size=len(hosts))))
    found = free_address(pools, in_use)
    free = [a for a in hosts if a not in in_use]
    assert found == (free[0] if free else None)


@given(
    st.lists(st.integers(min_value=0, max_value=63), max_size=20),
    st.integers(min_value=26, max_value=30),
)
def test_a_carved_block_is_aligned_inside_and_free(used_blocks: list[int], length: int) -> None:
    prefixes = ["10.0.0.0/26", "10.0.1.0/28"]
    used = [str(ipaddress.ip_network(f"10.0.0.{4 * b}/30")) for b in used_blocks]
    carved = carve_prefix(prefixes, used, length)
    networks = [ipaddress.ip_network(p) for p in prefixes]
    candidates = [
        block
        for prefix in networks
        if prefix.prefixlen <= length
        for block in prefix.subnets(new_prefix=length)
        if not any(block.overlaps(ipaddress.ip_network(u)) for u in used)
    ]
    assert carved == (str(candidates[0]) if candidates else None)


def test_pool_prefixes_and_overlaps() -> None:
    assert parse_pool_prefixes(["2.0.0.0/16", "1.0.0.0/16"]) == (4, ("1.0.0.0/16", "2.0.0.0/16"))
    for bad in ([], ["1.0.0.0/16", "1.0.128.0/17"], ["1.0.0.0/16", "2001:db8::/48"], "1.0.0.0/8"):
        with pytest.raises(SubnetRefused):
            parse_pool_prefixes(bad)
    assert overlapping("10.0.0.0/28", ["10.0.1.0/24", "10.0.0.8/29"]) == "10.0.0.8/29"
    assert overlapping("10.0.0.0/28", ["2001:db8::/64", "10.0.0.16/28"]) is None


def test_routes_go_through_the_routers_subnets() -> None:
    routes = [{"destination": "192.168.0.0/24", "nexthop": "10.0.0.2"}]
    assert check_routes(routes, ["10.0.0.0/28"]) == (("192.168.0.0/24", "10.0.0.2"),)
    assert check_routes(None, []) == ()
    with pytest.raises(SubnetRefused, match="not connected"):
        check_routes(routes, ["10.0.1.0/28"])
    with pytest.raises(SubnetRefused, match="Duplicate"):
        check_routes(routes * 2, ["10.0.0.0/28"])
