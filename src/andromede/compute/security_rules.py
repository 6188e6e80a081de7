"""Security group rules as Neutron defines them, checked and evaluated without a database.

A rule admits traffic in one direction and one IP version, optionally narrowed to a
protocol, a port range (or an ICMP type and code) and a remote: an address prefix or the
members of a security group. A port admits what any of its groups' rules admits and
nothing else. ``parse_rule`` turns what a client sent into a ``Rule`` or refuses it with
the field at fault, as Neutron does (400): a prefix of the other IP version, ports
without a protocol that has ports, a remote given both ways, a range upside down.
"""

import ipaddress
from dataclasses import dataclass

__all__ = [
    "DIRECTIONS",
    "ETHERTYPES",
    "TRAFFIC_FIELDS",
    "GroupRules",
    "Packet",
    "Rule",
    "RuleRefused",
    "admits",
    "default_rules",
    "parse_rule",
    "protocol_number",
]

# what a rule admits, in the order clients name it (its description aside)
TRAFFIC_FIELDS = (
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_group_id",
)

DIRECTIONS = ("ingress", "egress")
ETHERTYPES = ("IPv4", "IPv6")
NAMED_PROTOCOLS = {
    "icmp": 1,
    "igmp": 2,
    "ipip": 4,
    "tcp": 6,
    "egp": 8,
    "udp": 17,
    "dccp": 33,
    "ipv6-encap": 41,
    "rsvp": 46,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "icmpv6": 58,
    "ipv6-icmp": 58,
    "ospf": 89,
    "pgm": 113,
    "vrrp": 112,
    "sctp": 132,
    "udplite": 136,
}
PORTED = frozenset({6, 17, 33, 132, 136})  # tcp, udp, dccp, sctp, udplite
ICMP = frozenset({1, 58})


class RuleRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rule:
    direction: str
    ethertype: str
    protocol: str | None = None  # as the client named it (name or number); None: any
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None

    def signature(self) -> str:
        """Equal for two rules that admit the same traffic (Neutron refuses the second)."""
        number = protocol_number(self.protocol)
        return "|".join(
            str(part)
            for part in (
                self.direction,
                self.ethertype,
                "" if number is None else number,
                "" if self.port_range_min is None else self.port_range_min,
                "" if self.port_range_max is None else self.port_range_max,
                self.remote_ip_prefix or "",
                self.remote_group_id or "",
            )
        )


@dataclass(frozen=True)
class GroupRules:
    """One security group as a driver receives it: its id (what other groups' rules name
    as their remote) and its rules."""

    group_id: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Packet:
    """Traffic to judge: ``remote`` is the other end's address, ``remote_groups`` the
    groups that other end's port belongs to."""

    direction: str
    ethertype: str
    protocol: int
    port: int | None
    remote: str
    remote_groups: frozenset[str] = frozenset()


def protocol_number(protocol: str | None) -> int | None:
    if protocol is None:
        return None
    if protocol.isdigit():
        return int(protocol)
    return NAMED_PROTOCOLS[protocol]


def _protocol(protocol: object, ethertype: str) -> str | None:
    if protocol is None or protocol in ("", "any"):
        return None
    text = str(protocol).strip().lower()
    if text.isdigit():
        if not 0 <= int(text) <= 255:
            raise RuleRefused("protocol", "a protocol number is from 0 to 255")
        text = str(int(text))
    elif text not in NAMED_PROTOCOLS:
        raise RuleRefused("protocol", f"unknown protocol {protocol!r}")
    if ethertype == "IPv4" and protocol_number(text) == 58:
        raise RuleRefused("protocol", "ICMPv6 needs ethertype IPv6")
    return text


def _port(value: object, field: str, low: int, high: int, what: str = "port") -> int | None:
    """Neutron's messages, which its clients and tests match: "Invalid value for port 0"."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise RuleRefused(field, f"Invalid value for {what} {value!r}")
    number = int(text)
    if not low <= number <= high:
        raise RuleRefused(field, f"Invalid value for {what} {number} (from {low} to {high})")
    return number


def _ports(
    number: int | None, low_value: object, high_value: object
) -> tuple[int | None, int | None]:
    if number in PORTED:
        low = _port(low_value, "port_range_min", 1, 65535)
        high = _port(high_value, "port_range_max", 1, 65535)
        if (low is None and high is not None) or (low or 0) > (high or 65535):
            raise RuleRefused(
                "port_range_min", "For TCP/UDP protocols, port_range_min must be <= port_range_max"
            )
        return low, low if high is None else high  # one port given: that port alone
    if number in ICMP:
        icmp_type = _port(low_value, "port_range_min", 0, 255, "ICMP type")
        code = _port(high_value, "port_range_max", 0, 255, "ICMP code")
        if code is not None and icmp_type is None:
            raise RuleRefused("port_range_max", "ICMP type (port-range-min) is missing")
        return icmp_type, code
    if low_value not in (None, "") or high_value not in (None, ""):
        raise RuleRefused("port_range_min", "ports need a protocol that has ports")
    return None, None


def _prefix(value: object, ethertype: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        network = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise RuleRefused("remote_ip_prefix", f"not an address prefix: {value!r}") from None
    if f"IPv{network.version}" != ethertype:
        raise RuleRefused(
            "remote_ip_prefix", f"an IPv{network.version} prefix in an {ethertype} rule"
        )
    return str(network)


def parse_rule(
    *,
    direction: object,
    ethertype: object = "IPv4",
    protocol: object = None,
    port_range_min: object = None,
    port_range_max: object = None,
    remote_ip_prefix: object = None,
    remote_group_id: object = None,
) -> Rule:
    if direction not in DIRECTIONS:
        raise RuleRefused("direction", "must be ingress or egress")
    ether = "IPv4" if ethertype is None else ethertype
    if ether not in ETHERTYPES:
        raise RuleRefused("ethertype", "must be IPv4 or IPv6")
    assert isinstance(direction, str) and isinstance(ether, str)
    if remote_ip_prefix not in (None, "") and remote_group_id not in (None, ""):
        raise RuleRefused("remote_group_id", "give a remote prefix or a remote group, not both")
    name = _protocol(protocol, ether)
    low, high = _ports(protocol_number(name), port_range_min, port_range_max)
    group = None if remote_group_id in (None, "") else str(remote_group_id)
    return Rule(direction, ether, name, low, high, _prefix(remote_ip_prefix, ether), group)


def default_rules(group_id: str) -> list[Rule]:
    """What Neutron puts in a project's default group: everything out, and in only from
    the group's own members."""
    return [
        Rule("egress", "IPv4"),
        Rule("egress", "IPv6"),
        Rule("ingress", "IPv4", remote_group_id=group_id),
        Rule("ingress", "IPv6", remote_group_id=group_id),
    ]


def _matches(rule: Rule, packet: Packet) -> bool:
    if (rule.direction, rule.ethertype) != (packet.direction, packet.ethertype):
        return False
    number = protocol_number(rule.protocol)
    if number is not None and number != packet.protocol:
        return False
    if number in PORTED and rule.port_range_min is not None:
        if packet.port is None or not (
            rule.port_range_min <= packet.port <= (rule.port_range_max or rule.port_range_min)
        ):
            return False
    if number in ICMP and rule.port_range_min is not None and packet.port != rule.port_range_min:
        return False
    if rule.remote_group_id is not None:
        return rule.remote_group_id in packet.remote_groups
    if rule.remote_ip_prefix is not None:
        return ipaddress.ip_address(packet.remote) in ipaddress.ip_network(rule.remote_ip_prefix)
    return True


def admits(rules: list[Rule], packet: Packet) -> bool:
    """Deny unless a rule admits: what the region's firewall does with a port's rules."""
    return any(_matches(rule, packet) for rule in rules)
