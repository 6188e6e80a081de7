"""The floating IPs table: a project's public address on a region's external network,
held from ``created_at`` until ``released_at`` (kept after release: the hours billed are
read from it), and the port it forwards to while associated."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.store import Network, Port, _Tenanted
from andromede.db import Base, UTCDateTime

__all__ = ["FloatingIp"]


class FloatingIp(_Tenanted, Base):
    """``port_id`` is unique: one address per fixed IP, even when two requests race (a
    released or unbound address forwards to nothing, NULL, which repeats freely)."""

    __tablename__ = "floating_ips"
    __table_args__ = (UniqueConstraint("port_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id"), index=True)
    holder_port_id: Mapped[str | None] = mapped_column(String(36))  # its address's own port
    address: Mapped[str] = mapped_column(String(45))
    region_code: Mapped[str] = mapped_column(String(30))
    port_id: Mapped[str | None] = mapped_column(String(36), index=True)
    fixed_ip_address: Mapped[str | None] = mapped_column(String(45))
    router_id: Mapped[str | None] = mapped_column(String(36), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


def held_between(
    session: Session,
    start: datetime,
    end: datetime,
    customer_id: str | None,
    partners: Collection[str] | None = None,
) -> list[FloatingIp]:
    """The addresses held at some time in [start, end) (by ``partners``' customers, if
    given)."""
    query = select(FloatingIp).where(
        FloatingIp.created_at < end,
        FloatingIp.released_at.is_(None) | (FloatingIp.released_at > start),
    )
    if customer_id is not None:
        query = query.where(FloatingIp.customer_id == customer_id)
    if partners is not None:
        query = query.where(FloatingIp.partner_id.in_(sorted(partners)))
    return list(session.scalars(query.order_by(FloatingIp.created_at, FloatingIp.id)))


def floating_of_servers(session: Session, server_ids: list[str]) -> list[tuple[str, str, str, str]]:
    """(server id, network name, floating address, MAC) of the servers' associated ports."""
    rows = session.execute(
        select(Port.server_id, Network.name, FloatingIp.address, Port.mac)
        .join(Port, Port.id == FloatingIp.port_id)
        .join(Network, Network.id == Port.network_id)
        .where(Port.server_id.in_(server_ids), FloatingIp.released_at.is_(None))
    )
    return [(s, n, a, m) for s, n, a, m in rows if s is not None]


def floating_in_use(session: Session, project_id: str) -> int:
    query = select(func.count()).where(
        FloatingIp.project_id == project_id, FloatingIp.released_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def unbind_server(session: Session, server_id: str) -> None:
    """A deleted server's floating IPs stay the project's, forwarding to nothing."""
    unbind(session, select(Port.id).where(Port.server_id == server_id))


def unbind(session: Session, ports: Any) -> None:
    """The floating IPs forwarding to ``ports`` (ids, or a query of them) stop."""
    session.execute(
        update(FloatingIp)
        .where(FloatingIp.port_id.in_(ports))
        .values(port_id=None, fixed_ip_address=None, router_id=None)
        .execution_options(synchronize_session=False)
    )


def of_customer(session: Session, customer_id: str) -> list[FloatingIp]:
    query = select(FloatingIp).where(FloatingIp.customer_id == customer_id)
    return list(session.scalars(query.order_by(FloatingIp.created_at, FloatingIp.id)))


def serving(session: Session, router_id: str) -> list[FloatingIp]:
    query = select(FloatingIp).where(
        FloatingIp.router_id == router_id, FloatingIp.released_at.is_(None)
    )
    return list(session.scalars(query))
