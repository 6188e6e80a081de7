"""Subnets as Neutron checks them, pure: a CIDR of the stated IP version, a gateway inside
it, allocation pools inside it that neither overlap nor hold the gateway, DNS servers and
host routes of the same version; the next free address of the pools; the next free prefix
of a subnet pool; the routes a router may carry. Errors name the field and say what is
wrong in Neutron's words, so a script written against Neutron reads the same refusal."""

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "Pool",
    "Route",
    "SubnetRefused",
    "SubnetSpec",
    "carve_prefix",
    "check_routes",
    "default_pools",
    "free_address",
    "in_pools",
    "overlapping",
    "parse_pool_prefixes",
    "parse_subnet",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Pool = tuple[str, str]  # first and last address, both included
Route = tuple[str, str]  # destination CIDR, next hop
MAX_DNS = 5  # Neutron's max_dns_nameservers
MAX_ROUTES = 20  # Neutron's max_subnet_host_routes and max_routes
UNSET = object()  # "gateway_ip" not sent: Neutron then takes the first host address


class SubnetRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SubnetSpec:
    cidr: str
    ip_version: int
    gateway_ip: str | None
    pools: tuple[Pool, ...]
    dns_nameservers: tuple[str, ...]
    host_routes: tuple[Route, ...]


def _network(field: str, value: object, version: int | None = None) -> Network:
    if not isinstance(value, str):
        raise SubnetRefused(field, f"'{value}' is not a valid IP subnet")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise SubnetRefused(field, f"'{value}' is not a valid IP subnet") from None
    if "/" not in value:
        raise SubnetRefused(field, f"'{value}' isn't a recommended IP subnet: give its prefix")
    if version is not None and network.version != version:
        raise SubnetRefused(field, f"'{value}' is not an IPv{version} subnet")
    return network


def _address(field: str, value: object, version: int) -> Address:
    try:
        address = ipaddress.ip_address(value)  # type: ignore[arg-type]
    except ValueError:
        raise SubnetRefused(field, f"'{value}' is not a valid IP address") from None
    if address.version != version:
        raise SubnetRefused(field, f"'{value}' is not an IPv{version} address")
    return address


def _usable(network: Network) -> tuple[Address, Address]:
    """The first and last address a host may have: IPv4 keeps its network and broadcast
    addresses out; IPv6 keeps only the subnet-router anycast (the first) out."""
    first = network.network_address + 1
    last = network.broadcast_address - (1 if network.version == 4 else 0)
    return first, last


def parse_subnet(
    *,
    cidr: object,
    ip_version: object,
    gateway_ip: object = UNSET,
    allocation_pools: object = None,
    dns_nameservers: object = None,
    host_routes: object = None,
) -> SubnetSpec:
    if ip_version not in (4, 6):
        raise SubnetRefused("ip_version", f"'{ip_version}' is not in [4, 6]")
    version = int(ip_version)
    network = _network("cidr", cidr, version)
    if network.prefixlen >= (31 if version == 4 else 127):
        raise SubnetRefused("cidr", f"'{cidr}' is too small: no address is left for a host")
    first, last = _usable(network)
    gateway = _gateway(gateway_ip, network, version, first)
    pools = _pools(allocation_pools, network, gateway, first, last)
    return SubnetSpec(
        cidr=str(network),
        ip_version=version,
        gateway_ip=None if gateway is None else str(gateway),
        pools=pools,
        dns_nameservers=_dns(dns_nameservers, version),
        host_routes=_routes("host_routes", host_routes, version),
    )


def _gateway(value: object, network: Network, version: int, first: Address) -> Address | None:
    if value is UNSET:
        return first
    if value is None or value == "":
        return None
    gateway = _address("gateway_ip", value, version)
    if gateway not in network or gateway in (network.network_address, network.broadcast_address):
        raise SubnetRefused(
            "gateway_ip", f"Gateway ip {gateway} conflicts with the subnet {network}"
        )
    return gateway


def default_pools(cidr: str, gateway_ip: str | None) -> tuple[Pool, ...]:
    """Neutron's pools when none are given: every host address except the gateway's."""
    network = ipaddress.ip_network(cidr)
    first, last = _usable(network)
    if gateway_ip is None:
        return ((str(first), str(last)),)
    gateway = ipaddress.ip_address(gateway_ip)
    pools = []
    if int(first) < int(gateway):
        pools.append((str(first), str(gateway - 1)))
    if int(gateway) < int(last):
        pools.append((str(gateway + 1), str(last)))
    return tuple(pools)


def _pools(
    value: object, network: Network, gateway: Address | None, first: Address, last: Address
) -> tuple[Pool, ...]:
    if value is None or value == []:
        return default_pools(str(network), None if gateway is None else str(gateway))
    if not isinstance(value, list):
        raise SubnetRefused("allocation_pools", "must be a list of {start, end}")
    ranges: list[tuple[Address, Address]] = []
    for pool in value:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            raise SubnetRefused("allocation_pools", "each pool is {'start': ..., 'end': ...}")
        start = _address("allocation_pools", pool["start"], network.version)
        end = _address("allocation_pools", pool["end"], network.version)
        if not int(first) <= int(start) <= int(end) <= int(last):
            raise SubnetRefused(
                "allocation_pools", f"The allocation pool {start}-{end} spans beyond {network}"
            )
        if gateway is not None and int(start) <= int(gateway) <= int(end):
            raise SubnetRefused(
                "allocation_pools",
                f"Gateway ip {gateway} conflicts with allocation pool {start}-{end}",
            )
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, next_end) in pairwise(ranges):
        if int(start) <= int(end):
            raise SubnetRefused(
                "allocation_pools",
                f"Found overlapping allocation pools ending {end} and {next_end}",
            )
    return tuple((str(s), str(e)) for s, e in ranges)


def _dns(value: object, version: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_DNS:
        raise SubnetRefused("dns_nameservers", f"a list of at most {MAX_DNS} addresses")
    found = [str(_address("dns_nameservers", v, version)) for v in value]
    if len(set(found)) != len(found):
        raise SubnetRefused("dns_nameservers", "Duplicate nameserver")
    return tuple(found)


def _routes(field: str, value: object, version: int | None) -> tuple[Route, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_ROUTES:
        raise SubnetRefused(field, f"a list of at most {MAX_ROUTES} routes")
    routes: list[Route] = []
    for route in value:
        if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
            raise SubnetRefused(field, "each route is {'destination': ..., 'nexthop': ...}")
        destination = _network(field, route["destination"], version)
        hop = _address(field, route["nexthop"], destination.version)
        routes.append((str(destination), str(hop)))
    if len(set(routes)) != len(routes):
        raise SubnetRefused(field, "Duplicate route")
    return tuple(routes)


def check_routes(value: object, interface_cidrs: Sequence[str]) -> tuple[Route, ...]:
    """A router's extra routes: each next hop must sit on a subnet the router is attached
    to, else the router could not reach it (Neutron's InvalidRoutes)."""
    routes = _routes("routes", value, None)
    attached = [ipaddress.ip_network(c) for c in interface_cidrs]
    for destination, hop in routes:
        address = ipaddress.ip_address(hop)
        if not any(address in n for n in attached if n.version == address.version):
            raise SubnetRefused(
                "routes",
                f"Invalid format for routes: the nexthop {hop} of {destination} "
                "is not connected with router",
            )
    return routes


def overlapping(cidr: str, others: Iterable[str]) -> str | None:
    """The first of ``others`` that shares an address with ``cidr``, or None."""
    network = ipaddress.ip_network(cidr)
    for other in others:
        candidate = ipaddress.ip_network(other)
        if candidate.version == network.version and candidate.overlaps(network):
            return other
    return None


def in_pools(address: str, pools: Iterable[Pool]) -> bool:
    found = ipaddress.ip_address(address)
    return any(
        int(ipaddress.ip_address(start)) <= int(found) <= int(ipaddress.ip_address(end))
        for start, end in pools
    )


def free_address(pools: Sequence[Pool], in_use: set[str]) -> str | None:
    """The lowest address of the pools not in use. It looks at most ``len(in_use) + 1``
    addresses per pool, so a /64 costs no more than a /28."""
    for start, end in pools:
        address = ipaddress.ip_address(start)
        last = ipaddress.ip_address(end)
        while int(address) <= int(last):
            if str(address) not in in_use:
                return str(address)
            address += 1
    return None


def parse_pool_prefixes(value: object) -> tuple[int, tuple[str, ...]]:
    """A subnet pool's prefixes: one IP version, no two overlapping; (version, CIDRs)."""
    if not isinstance(value, list) or not value:
        raise SubnetRefused("prefixes", "a subnet pool needs a list of prefixes")
    networks = sorted(
        (_network("prefixes", p) for p in value), key=lambda n: (n.version, int(n.network_address))
    )
    if len({n.version for n in networks}) != 1:
        raise SubnetRefused("prefixes", "Illegal subnetpool: prefixes of both IP versions")
    for a, b in pairwise(networks):
        if a.overlaps(b):
            raise SubnetRefused("prefixes", f"Illegal subnetpool: {a} overlaps {b}")
    return networks[0].version, tuple(str(n) for n in networks)


def carve_prefix(prefixes: Sequence[str], used: Sequence[str], prefixlen: int) -> str | None:
    """The lowest block of ``prefixlen`` inside the pool's prefixes that overlaps none of
    the pool's subnets already carved, or None when the pool is exhausted. A used block
    skips the walk past its end, so a pool with many subnets is not read address by
    address."""
    taken = [ipaddress.ip_network(u) for u in used]
    for prefix in (ipaddress.ip_network(p) for p in prefixes):
        if prefixlen < prefix.prefixlen or prefixlen > prefix.max_prefixlen:
            continue
        size = 1 << (prefix.max_prefixlen - prefixlen)
        start = int(prefix.network_address)
        end = int(prefix.broadcast_address)
        while start + size - 1 <= end:
            candidate = type(prefix)((start, prefixlen))
            clash = next((t for t in taken if t.overlaps(candidate)), None)
            if clash is None:
                return str(candidate)
            past = int(clash.broadcast_address) + 1
            start = ((past + size - 1) // size) * size
    return None
