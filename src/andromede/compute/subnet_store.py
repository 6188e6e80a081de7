"""Tables and queries of subnets (each network's address ranges) and subnet pools (the
blocks a project's subnets may be carved from)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.router_store import Router
from andromede.compute.security_group_store import PortSecurityGroup
from andromede.compute.store import Network, Port, _Tenanted
from andromede.db import Base, UTCDateTime

__all__ = ["Subnet", "SubnetPool"]


class Subnet(Base):
    """A range of a network: pools are ``[[first, last], ...]``, routes
    ``[[destination, nexthop], ...]``. The providers' and the projects' made-on-first-use
    networks each have one, made with them; tenancy is empty on the providers'."""

    __tablename__ = "subnets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    cidr: Mapped[str] = mapped_column(String(43))
    gateway_ip: Mapped[str | None] = mapped_column(String(45))
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    pools: Mapped[Any] = mapped_column(JSON)
    dns_nameservers: Mapped[Any] = mapped_column(JSON)
    host_routes: Mapped[Any] = mapped_column(JSON)
    subnetpool_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_id: Mapped[str | None] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[str | None] = mapped_column(String(36), index=True)


class SubnetPool(_Tenanted, Base):
    __tablename__ = "subnet_pools"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    prefixes: Mapped[Any] = mapped_column(JSON)
    default_prefixlen: Mapped[int] = mapped_column(Integer)
    min_prefixlen: Mapped[int] = mapped_column(Integer)
    max_prefixlen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


def subnets_of(session: Session, network_ids: list[str]) -> list[Subnet]:
    if not network_ids:
        return []
    query = select(Subnet).where(Subnet.network_id.in_(network_ids))
    return list(session.scalars(query.order_by(Subnet.created_at, Subnet.id)))


def subnets_visible(session: Session, project_id: str | None) -> list[Subnet]:
    """The subnets of the shared networks and those of the project's networks."""
    visible = Network.shared.is_(True) | (Network.project_id == (project_id or ""))
    query = select(Subnet).join(Network, Network.id == Subnet.network_id).where(visible)
    return list(session.scalars(query.order_by(Subnet.created_at, Subnet.id)))


def carved_from(session: Session, pool_id: str) -> list[str]:
    return list(session.scalars(select(Subnet.cidr).where(Subnet.subnetpool_id == pool_id)))


def addresses_on(session: Session, subnet_id: str) -> set[str]:
    rows = session.scalars(select(Port.address).where(Port.subnet_id == subnet_id))
    return {a for a in rows if a is not None}


def ports_on_subnet(session: Session, subnet_id: str) -> list[Port]:
    return list(session.scalars(select(Port).where(Port.subnet_id == subnet_id)))


def ports_on_network(session: Session, network_id: str) -> list[Port]:
    return list(session.scalars(select(Port).where(Port.network_id == network_id)))


def drop_subnets(session: Session, network_id: str) -> None:
    session.execute(delete(Subnet).where(Subnet.network_id == network_id))


def of_customer(session: Session, model: Any, customer_id: str) -> list[Any]:
    query = select(model).where(model.customer_id == customer_id)
    return list(session.scalars(query.order_by(model.created_at, model.id)))


def erase_customer(session: Session, customer_id: str, router_ids: list[str]) -> list[str]:
    """Every port, subnet, subnet pool, router (with its gateway) and network of the
    customer; the ids of what went. Its servers are being deleted: their ports go now
    rather than when the reconciler finishes, so no network outlives the customer."""
    ports = select(Port.id).where(Port.customer_id == customer_id)
    gateways = select(Port.id).where(Port.device_id.in_(router_ids), Port.server_id.is_(None))
    gone = list(session.scalars(ports)) + list(session.scalars(gateways))
    session.execute(delete(PortSecurityGroup).where(PortSecurityGroup.port_id.in_(gone)))
    session.execute(delete(Port).where(Port.id.in_(gone)))
    for model in (Subnet, SubnetPool, Router, Network):
        ids = select(model.id).where(model.customer_id == customer_id)
        gone += list(session.scalars(ids))
        session.execute(delete(model).where(model.customer_id == customer_id))
    return sorted(gone)
