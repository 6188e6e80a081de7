"""Reads a server's ports as the drivers need them (``port_links``): which of the
customer's networks, subnets and routers they join, and the floating IPs forwarded to
them. Read-only; the rows belong to the networking stores."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from andromede.compute.floating_ip_store import FloatingIp
from andromede.compute.port_links import Nic, PublicAddress, SubnetLink
from andromede.compute.router_store import INTERFACE, Router
from andromede.compute.store import Network, Port
from andromede.compute.subnet_store import Subnet

__all__ = ["links_of", "nics_of", "public_addresses_of"]


def nics_of(session: Session, server_id: str) -> tuple[Nic, ...]:
    """The server's ports on the networks its customer made, in a stable order: the
    networks the cloud made (the region's, and the one it makes for each project) have
    their own counterpart in a remote region, its project's default network."""
    ports = session.execute(_CUSTOMER_PORTS, {"server_id": server_id}).all()
    if not ports:
        return ()  # on the region's network only: nothing more to read
    subnet_ids = [s.id for _, s in ports if s is not None]
    joined = session.execute(
        select(Port.subnet_id, Router)
        .join(Router, Router.id == Port.device_id)
        .where(Port.device_owner == INTERFACE, Port.subnet_id.in_(subnet_ids))
    )
    routers = {subnet_id: router for subnet_id, router in joined}
    return tuple(
        Nic(port.id, port.network_id, port.address, _link(subnet, routers.get(subnet.id)))
        if subnet is not None
        else Nic(port.id, port.network_id, port.address, None)
        for port, subnet in ports
    )


_CUSTOMER_PORTS = (  # built once: each build reads it
    select(Port, Subnet)
    .join(Network, Network.id == Port.network_id)
    .outerjoin(Subnet, Subnet.id == Port.subnet_id)
    .where(Port.server_id == bindparam("server_id"), Network.key.is_(None))
    .order_by(Port.created_at, Port.id)
)


def _link(subnet: Subnet, router: Router | None) -> SubnetLink:
    return SubnetLink(
        subnet.id,
        subnet.cidr,
        subnet.ip_version,
        subnet.gateway_ip,
        subnet.enable_dhcp,
        router.id if router is not None else None,
        router is not None and router.external_network_id is not None,
    )


def links_of(session: Session, server_id: str) -> tuple[tuple[Nic, ...], tuple[PublicAddress, ...]]:
    """Both at once, for a build: a floating IP needs a port on the customer's own
    network (the region's is the external one), so a server without one needs one query."""
    nics = nics_of(session, server_id)
    return nics, public_addresses_of(session, server_id, nics) if nics else ()


def public_addresses_of(
    session: Session, server_id: str, nics: tuple[Nic, ...] | None = None
) -> tuple[PublicAddress, ...]:
    """The floating IPs forwarded to the server's ports (``nics``: its ports, if read
    already)."""
    rows = session.execute(
        select(FloatingIp.address, FloatingIp.port_id)
        .join(Port, Port.id == FloatingIp.port_id)
        .where(Port.server_id == server_id, FloatingIp.released_at.is_(None))
        .order_by(FloatingIp.address)
    ).all()
    if rows and nics is None:
        nics = nics_of(session, server_id)
    links = {nic.port_id: nic.subnet for nic in nics or ()}
    return tuple(
        PublicAddress(address, str(port_id), links.get(str(port_id))) for address, port_id in rows
    )
