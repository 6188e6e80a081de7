"""What a server's ports join, as plain data for the hypervisor drivers: the customer's
networks and subnets it sits on with its fixed addresses, the router that joins each
subnet to the outside, and the public addresses forwarded to it. The simulator keeps them
as data; a remote OpenStack region gets their counterparts."""

from dataclasses import dataclass

__all__ = ["Nic", "PublicAddress", "SubnetLink"]


@dataclass(frozen=True)
class SubnetLink:
    subnet_id: str
    cidr: str
    ip_version: int
    gateway_ip: str | None
    enable_dhcp: bool
    router_id: str | None = None  # the customer's router with an interface on it
    router_gateway: bool = False  # that router has its gateway on the external network


@dataclass(frozen=True)
class Nic:
    """A port of the server on one of the customer's own networks (the region's provider
    network is the hypervisor's default and needs no counterpart)."""

    port_id: str
    network_id: str
    address: str | None
    subnet: SubnetLink | None


@dataclass(frozen=True)
class PublicAddress:
    """A floating IP forwarded to one of the server's ports, whose subnet's router carries
    it (the router may have joined the subnet after the server was built)."""

    address: str
    port_id: str
    subnet: SubnetLink | None = None
