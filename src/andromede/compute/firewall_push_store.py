"""The servers whose firewall, floating IPs or flavor changed since their hypervisor last
received them: a rule added to or removed from one of their security groups, a group
joined or left, a floating IP associated with or taken from one of their ports, a resize.
Once the server holds still, the reconciler sends each its rules, addresses and flavor
again and crosses it off, unless it changed once more meanwhile (the ``serial`` it read is
no longer the row's)."""

from typing import cast

from sqlalchemy import ForeignKey, Integer, Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as lite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.store import Server
from andromede.db import Base

__all__ = ["FirewallPush", "Push", "crossed_off", "pending", "want_push"]


class FirewallPush(Base):
    __tablename__ = "firewall_pushes"

    server_id: Mapped[str] = mapped_column(
        ForeignKey("servers.id", ondelete="CASCADE"), primary_key=True
    )
    serial: Mapped[int] = mapped_column(Integer)  # one more at each change


def want_push(session: Session, server_ids: list[str]) -> None:
    """Each of these servers' hypervisors must receive its firewall again (one atomic
    statement per server: two changes at the same instant each count)."""
    table = cast(Table, FirewallPush.__table__)
    dialect = session.get_bind().dialect.name
    for server_id in dict.fromkeys(server_ids):
        insert = pg_insert(table) if dialect == "postgresql" else lite_insert(table)
        session.execute(
            insert.values(server_id=server_id, serial=1).on_conflict_do_update(
                index_elements=[table.c.server_id], set_={"serial": table.c.serial + 1}
            )
        )


Push = tuple[str, int, str, str, str, str]


def pending(session: Session, limit: int) -> list[Push]:
    """(server id, serial, region, status, desired, flavor id) of the servers waiting for
    a push."""
    rows = session.execute(_PENDING, {"limit": limit})
    return [(s, n, r, st, d, f) for s, n, r, st, d, f in rows]


_PENDING = (  # built once: every reconcile pass asks
    select(
        FirewallPush.server_id,
        FirewallPush.serial,
        Server.region_code,
        Server.status,
        Server.desired,
        Server.flavor_id,
    )
    .join(Server, Server.id == FirewallPush.server_id)
    .order_by(FirewallPush.server_id)
    .limit(bindparam("limit"))
)


def crossed_off(session: Session, server_id: str, serial: int) -> None:
    """The push of ``serial`` is done; a later change keeps the row for the next pass."""
    session.execute(
        delete(FirewallPush).where(
            FirewallPush.server_id == server_id, FirewallPush.serial == serial
        )
    )
