"""Addresses of a region's network, pure: the subnet of region number k, and the n-th
host address in it. No packet moves in Andromède's own networks; the addresses are data
that servers show (and that the openstack driver reads back from a real cloud)."""

import ipaddress

__all__ = ["host_address", "project_subnet", "region_subnet"]

FIRST_HOST = 10  # .1 is the gateway; a few more are kept for the network's own services


def region_subnet(region_index: int) -> str:
    """10.<k>.0.0/16 for the k-th region (k from 0): 65,000 addresses per region."""
    if not 0 <= region_index < 256:
        raise ValueError("at most 256 regions get a provider subnet")
    return f"10.{region_index}.0.0/16"


def project_subnet(index: int) -> str:
    """The n-th project network's /24 inside 172.16.0.0/12 (4,096 of them)."""
    if not 0 <= index < 4096:
        raise ValueError("at most 4,096 project networks get a subnet")
    return f"172.{16 + index // 256}.{index % 256}.0/24"


def host_address(cidr: str, n: int) -> str:
    """The n-th address handed out (n from 0), skipping the gateway and reserved ones."""
    network = ipaddress.ip_network(cidr)
    index = FIRST_HOST + n
    if index >= network.num_addresses - 1:
        raise ValueError(f"subnet {cidr} is full")
    return str(network.network_address + index)
