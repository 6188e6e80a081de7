"""Addresses of Andromède's networks, pure: the subnet of the k-th region or project
network, and the lowest free host address in a subnet. No packet moves in these
networks; the addresses are data that servers show."""

import ipaddress

__all__ = ["first_free", "nth_host", "project_subnet", "provider_subnet", "region_subnet"]

FIRST_HOST = 10  # .1 is the gateway; a few more are kept for the network's own services


def region_subnet(region_index: int) -> str:
    """10.<k>.0.0/16 for the k-th region (k from 0): 65,000 addresses per region."""
    if not 0 <= region_index < 256:
        raise ValueError("at most 256 regions get a provider subnet")
    return f"10.{region_index}.0.0/16"


def provider_subnet(region_ordinal: int, taken: set[str]) -> str:
    """The subnet of a region's provider network: the one of the region's place in the
    catalog (so two deployments with the same regions give a region the same public
    range, as a remote OpenStack region and its control plane must), or the first free
    one if an older network holds it."""
    for k in (region_ordinal, *range(256)):
        if region_subnet(k) not in taken:
            return region_subnet(k)
    raise ValueError("at most 256 regions get a provider subnet")


def project_subnet(index: int) -> str:
    """The n-th project network's /24 inside 172.16.0.0/12 (4,096 of them)."""
    if not 0 <= index < 4096:
        raise ValueError("at most 4,096 project networks get a subnet")
    return f"172.{16 + index // 256}.{index % 256}.0/24"


def first_free(cidr: str, in_use: set[str]) -> str:
    """The lowest host address not in use: a deleted server's address is handed out
    again; raises ValueError when every address is taken."""
    network = ipaddress.ip_network(cidr)
    for index in range(FIRST_HOST, network.num_addresses - 1):
        address = str(network.network_address + index)
        if address not in in_use:
            return address
    raise ValueError(f"subnet {cidr} is full")


def nth_host(cidr: str, n: int) -> str | None:
    """The n-th host address handed out (n from 0), or None once past the subnet's end:
    a network's counter of allocations gives a fresh address without reading the ones
    in use; only a network that went round once looks for a freed one."""
    network = ipaddress.ip_network(cidr)
    index = FIRST_HOST + n
    if n < 0 or index >= network.num_addresses - 1:
        return None
    return str(network.network_address + index)
