"""Security group rules: Neutron's refusals, the default group, and what a set of rules
admits (deny unless a rule matches)."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.compute.security_rules import (
    Packet,
    Rule,
    RuleRefused,
    admits,
    default_rules,
    parse_rule,
)


def test_a_rule_is_normalised() -> None:
    rule = parse_rule(
        direction="ingress",
        protocol="TCP",
        port_range_min="22",
        port_range_max=22,
        remote_ip_prefix="192.168.1.7/24",
    )
    assert rule == Rule("ingress", "IPv4", "tcp", 22, 22, "192.168.1.0/24")
    assert parse_rule(direction="egress", protocol="any").protocol is None
    assert parse_rule(direction="ingress", protocol="6", port_range_min=80).port_range_max == 80
    ping = parse_rule(direction="ingress", protocol="icmp", port_range_min=8)
    assert (ping.port_range_min, ping.port_range_max) == (8, None)


def test_same_traffic_same_signature() -> None:
    by_name = parse_rule(direction="ingress", protocol="tcp", port_range_min=22)
    by_number = parse_rule(direction="ingress", protocol="6", port_range_min=22)
    assert by_name.signature() == by_number.signature()
    other = parse_rule(direction="ingress", protocol="tcp", port_range_min=23)
    assert other.signature() != by_name.signature()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"direction": "in"}, "direction"),
        ({"direction": "ingress", "ethertype": "ipv4"}, "ethertype"),
        ({"direction": "ingress", "protocol": "256"}, "protocol"),
        ({"direction": "ingress", "protocol": "smtp"}, "protocol"),
        ({"direction": "ingress", "protocol": "ipv6-icmp"}, "protocol"),
        ({"direction": "ingress", "port_range_min": 1}, "port_range_min"),
        ({"direction": "ingress", "protocol": "udp", "port_range_min": 9, "port_range_max": 8},
         "port_range_min"),
        ({"direction": "ingress", "protocol": "udp", "port_range_min": True}, "port_range_min"),
        ({"direction": "ingress", "protocol": "udp", "port_range_max": 65536}, "port_range_max"),
        ({"direction": "ingress", "protocol": "icmp", "port_range_min": 256}, "port_range_min"),
        ({"direction": "ingress", "remote_ip_prefix": "fe80::/10"}, "remote_ip_prefix"),
        ({"direction": "ingress", "remote_ip_prefix": "not-a-net"}, "remote_ip_prefix"),
        ({"direction": "ingress", "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": "g"},
         "remote_group_id"),
    ],
)  # fmt: skip
def test_refusals_name_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(RuleRefused) as refused:
        parse_rule(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_the_default_group_talks_to_itself_only() -> None:
    rules = default_rules("g1")
    from_member = Packet("ingress", "IPv4", 6, 22, "10.0.0.5", frozenset({"g1"}))
    from_outside = Packet("ingress", "IPv4", 6, 22, "10.0.0.5", frozenset({"g2"}))
    assert admits(rules, from_member)
    assert not admits(rules, from_outside)
    assert admits(rules, Packet("egress", "IPv6", 17, 53, "2001:db8::1"))


PORT = st.integers(1, 65535)


@given(low=PORT, high=PORT, port=PORT, octets=st.tuples(*[st.integers(0, 255)] * 4))
def test_a_port_range_admits_exactly_its_ports(
    low: int, high: int, port: int, octets: tuple[int, int, int, int]
) -> None:
    low, high = min(low, high), max(low, high)
    rule = parse_rule(
        direction="ingress",
        protocol="tcp",
        port_range_min=low,
        port_range_max=high,
        remote_ip_prefix="10.0.0.0/8",
    )
    source = ".".join(map(str, octets))
    inside = ipaddress.ip_address(source) in ipaddress.ip_network("10.0.0.0/8")
    packet = Packet("ingress", "IPv4", 6, port, source)
    assert admits([rule], packet) == (low <= port <= high and inside)
    assert not admits([rule], Packet("ingress", "IPv4", 17, port, source))  # udp: not this rule
    assert not admits([rule], Packet("egress", "IPv4", 6, port, source))
    assert not admits([], packet)  # nothing said: denied
