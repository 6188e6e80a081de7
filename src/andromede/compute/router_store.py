"""The routers table: a project's router in a region, its gateway on an external network
and its extra routes (``[[destination, nexthop], ...]``). Its interfaces and its gateway
are ports whose ``device_id`` is the router."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.store import Port, _Tenanted
from andromede.db import Base, UTCDateTime

__all__ = ["Router"]

GATEWAY = "network:router_gateway"
INTERFACE = "network:router_interface"


class Router(_Tenanted, Base):
    __tablename__ = "routers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    region_code: Mapped[str] = mapped_column(String(30))
    external_network_id: Mapped[str | None] = mapped_column(String(36))
    enable_snat: Mapped[bool] = mapped_column(Boolean, default=True)
    routes: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


def ports_of(session: Session, router_id: str, owner: str) -> list[Port]:
    query = select(Port).where(Port.device_id == router_id, Port.device_owner == owner)
    return list(session.scalars(query.order_by(Port.created_at, Port.id)))


def routing(session: Session, project_id: str, external_id: str, subnet_id: str) -> Router | None:
    """A router of the project with its gateway on ``external_id`` and an interface on the
    subnet: what carries a floating IP's traffic to a port of that subnet."""
    query = (
        select(Router)
        .join(Port, Port.device_id == Router.id)
        .where(
            Router.project_id == project_id,
            Router.external_network_id == external_id,
            Port.device_owner == INTERFACE,
            Port.subnet_id == subnet_id,
        )
    )
    return session.scalars(query).first()
