"""Tables and queries for servers, their state-change events, keypairs and server groups."""

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import Executable

from andromede.db import Base, UTCDateTime, driver_rows, driver_rows_streamed, is_postgres

__all__ = ["Keypair", "Network", "Port", "Server", "ServerEvent", "ServerGroup", "ServerTag"]


class _Tenanted:
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)


class Keypair(_Tenanted, Base):
    __tablename__ = "keypairs"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key_type: Mapped[str] = mapped_column(String(30))
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServerGroup(_Tenanted, Base):
    __tablename__ = "server_groups"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    policy: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(36))  # the user (Nova 2.13)
    # Nova's rule max_server_per_host (2.64): members of an anti-affinity group one host
    # may take (None: one)
    max_per_host: Mapped[int | None] = mapped_column(Integer)


# A server the reconciler has work for: one clause, in the pending query and as its
# partial index's condition (a database uses a partial index only where it can tell the
# query implies the condition; the same clause leaves no doubt), so that each pass reads
# the few pending servers, never every server of the cloud.
PENDING = text("(status != desired OR status = 'REBOOT')")


class Server(_Tenanted, Base):
    __tablename__ = "servers"
    __table_args__ = (
        Index("ix_servers_pending", "updated_at", sqlite_where=PENDING, postgresql_where=PENDING),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), index=True)
    desired: Mapped[str] = mapped_column(String(20))
    reboot_type: Mapped[str | None] = mapped_column(String(10))
    fault: Mapped[str | None] = mapped_column(Text)
    flavor_id: Mapped[str] = mapped_column(ForeignKey("flavors.id"))
    image_id: Mapped[str] = mapped_column(ForeignKey("images.id"))
    region_code: Mapped[str] = mapped_column(String(30))
    zone_code: Mapped[str] = mapped_column(String(40))
    host_id: Mapped[str | None] = mapped_column(ForeignKey("hosts.id"), index=True)
    server_group_id: Mapped[str | None] = mapped_column(ForeignKey("server_groups.id"))
    key_name: Mapped[str | None] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(Integer)
    disk_gib: Mapped[int] = mapped_column(Integer)
    root_volume_gib: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    metadata_: Mapped[dict[str, str]] = mapped_column(
        "metadata", JSON, default=dict, server_default="{}"
    )
    access_ipv4: Mapped[str | None] = mapped_column(String(45))
    access_ipv6: Mapped[str | None] = mapped_column(String(45))
    user_data: Mapped[str | None] = mapped_column(Text)  # cloud-init, handed over at boot
    # the servers of one multiple create share it (Nova's reservation id)
    reservation_id: Mapped[str | None] = mapped_column(String(20), index=True)
    # how many times it was rebuilt: a driver's rebuild of that generation is done once
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    locked_reason: Mapped[str | None] = mapped_column(String(255))
    # a resize waiting for Nova's confirmResize or revertResize: the flavor it came from
    resized_from: Mapped[str | None] = mapped_column(String(36))
    description: Mapped[str | None] = mapped_column(String(255))  # Nova's, from 2.19


class ServerTag(Base):
    """A word a customer puts on a server (``schedule=office-hours``, ``env=test``):
    indexed by tag with the server id, so the servers that carry one are read from the
    index alone."""

    __tablename__ = "server_tags"
    __table_args__ = (Index("ix_server_tags_tag_server", "tag", "server_id"),)

    server_id: Mapped[str] = mapped_column(ForeignKey("servers.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class Network(Base):
    """A region's shared provider network, or a project's own network in a region (data:
    no packet moves). ``key`` says which (``provider:<region>``, ``<project>:<region>``)."""

    __tablename__ = "networks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    region_code: Mapped[str] = mapped_column(String(30), index=True)
    cidr: Mapped[str] = mapped_column(String(43))
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    next_host: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    partner_id: Mapped[str | None] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36))
    project_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # what a customer's own network (``key`` None, made through Neutron) says of itself;
    # ``external`` marks the networks routers take their gateway from (the providers')
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    external: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Port(Base):
    """An address on a network: a server's, a router's interface or gateway, or a port a
    customer made to bind later (no device). The unique pair is the allocation; a port on
    a network without a subnet has no address."""

    __tablename__ = "ports"
    __table_args__ = (UniqueConstraint("network_id", "address"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id"), index=True)
    server_id: Mapped[str | None] = mapped_column(ForeignKey("servers.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    mac: Mapped[str] = mapped_column(String(17))
    subnet_id: Mapped[str | None] = mapped_column(String(36), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    device_owner: Mapped[str] = mapped_column(String(64), default="", server_default="")
    device_id: Mapped[str | None] = mapped_column(String(36), index=True)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a port the customer made and a server was booted on: kept, unbound, when it goes
    preserve_on_delete: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


EVENTS_IN_ORDER = "ix_server_events_changes"
IN_ORDER = ("server_id", "at", "seq")
STATE_EXTRA = ("to_status", "flavor_id")


class ServerEvent(Base):
    """One row per observed state change; metering derives usage segments from these."""

    __tablename__ = "server_events"
    # A month close reads every event of every server in this order: the index gives it
    # without a sort (and covers what the server_id index was for). It holds every column
    # the close reads (``STATE_COLUMNS``), so the read never visits the table: a real
    # month's rows lie in the order they happened, and fetching each from there, server
    # by server, jumps all over the table (migration 0052). It holds nothing more: each
    # column more is pages more to read (migration 0053).
    __table_args__ = (Index(EVENTS_IN_ORDER, *IN_ORDER, *STATE_EXTRA),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    server_id: Mapped[str] = mapped_column(ForeignKey("servers.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    host_id: Mapped[str | None] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(30))
    flavor_id: Mapped[str] = mapped_column(String(36))
    project_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))
    partner_id: Mapped[str] = mapped_column(String(36))


def count_in_project(session: Session, model: Any, project_id: str) -> int:
    """The rows of a project (groups, rules, networks, ports…), for their quota."""
    return int(session.scalar(select(func.count()).where(model.project_id == project_id)) or 0)


def find_by_name(session: Session, model: Any, project_id: str, name: str) -> Any:
    return session.scalars(
        select(model).where(model.project_id == project_id, model.name == name)
    ).first()


_USAGE = select(
    func.count(Server.id),
    func.coalesce(func.sum(Server.vcpus), 0),
    func.coalesce(func.sum(Server.ram_mib), 0),
    func.coalesce(func.sum(Server.disk_gib + func.coalesce(Server.root_volume_gib, 0)), 0),
).where(Server.project_id == bindparam("project_id"), Server.status != "DELETED")


def counted_usage(session: Session, project_id: str) -> tuple[int, int, int, int]:
    """(instances, cores, RAM MiB, storage GiB) held by the project's servers that are not
    deleted, counted from the servers; storage counts local root disks and root volumes.
    Quotas read the counters of ``usage_store``, made from this and checked against it."""
    row = session.connection().execute(_USAGE, {"project_id": project_id}).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def group_members_per_host(session: Session, group_id: str) -> dict[str, int]:
    rows = session.execute(
        select(Server.host_id, func.count())
        .where(Server.server_group_id == group_id, Server.status != "DELETED")
        .group_by(Server.host_id)
    )
    return {host: int(n) for host, n in rows if host is not None}


def lock_group(session: Session, group_id: str) -> None:
    """Members of one group are placed one at a time, so two anti-affine servers cannot
    both pick the same host from the same snapshot."""
    session.execute(select(ServerGroup.id).where(ServerGroup.id == group_id).with_for_update())


def pending_server_ids(session: Session, limit: int) -> list[str]:
    return list(session.scalars(PENDING_QUERY, {"limit": limit}))


# Built once: a pass runs after each create under load, and building a statement costs
# about as much as running it (its cache key memoised on the statement itself).
PENDING_QUERY: Select[str] = (
    select(Server.id)
    .where(
        Server.status != "DELETED",
        PENDING,
        or_(Server.status != "ERROR", Server.desired == "DELETED"),
    )
    .order_by(Server.updated_at)
    .limit(bindparam("limit"))
)
_SERVER = select(Server).where(Server.id == bindparam("server_id"))
_SERVER_UNLESS_LOCKED = _SERVER.with_for_update(skip_locked=True)


def lock_server(session: Session, server_id: str) -> Server | None:
    """Several workers share the work: a server being reconciled elsewhere is skipped."""
    bind = session.get_bind()
    query = _SERVER_UNLESS_LOCKED if is_postgres(bind) else _SERVER  # type: ignore[arg-type]
    return session.scalars(query, {"server_id": server_id}).first()


def group_members(session: Session, group_id: str) -> list[str]:
    return list(
        session.scalars(
            select(Server.id).where(Server.server_group_id == group_id, Server.status != "DELETED")
        )
    )


def detach_group(session: Session, group_id: str) -> None:
    """Deleted servers keep no link to a deleted group (live members block nothing: Nova
    lets a group be deleted under its servers)."""
    session.execute(
        update(Server).where(Server.server_group_id == group_id).values(server_group_id=None)
    )


def count_resources(session: Session, project_id: str) -> int:
    """Deleted servers count too: their rows are the usage history billing reads."""
    total = 0
    for model in (Keypair, ServerGroup):
        total += (
            session.scalar(
                select(func.count()).select_from(model).where(model.project_id == project_id)
            )
            or 0
        )
    total += (
        session.scalar(
            select(func.count()).select_from(Server).where(Server.project_id == project_id)
        )
        or 0
    )
    return total


def record_event(session: Session, server: Server, before: str | None, at: datetime) -> None:
    """The change keeps the server's region and owners as they were, though none of them
    ever changes: a month close reads them from the server (``SERVER_FACTS``)."""
    session.add(
        ServerEvent(
            server_id=server.id,
            at=at,
            from_status=before,
            to_status=server.status,
            host_id=server.host_id,
            region_code=server.region_code,
            flavor_id=server.flavor_id,
            project_id=server.project_id,
            customer_id=server.customer_id,
            partner_id=server.partner_id,
        )
    )


def events_of(session: Session, server_id: str, limit: int) -> list[ServerEvent]:
    query = (
        select(ServerEvent)
        .where(ServerEvent.server_id == server_id)
        .order_by(ServerEvent.seq.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def status_counts(session: Session) -> dict[str, int]:
    query = (
        select(Server.status, func.count())
        .where(Server.status != "DELETED")
        .group_by(Server.status)
    )
    return {status: count for status, count in session.execute(query)}


def count_live_servers(session: Session, customer_id: str) -> int:
    query = (
        select(func.count())
        .select_from(Server)
        .where(Server.customer_id == customer_id, Server.status != "DELETED")
    )
    return session.scalar(query) or 0


# A month close reads what changes from one state change to the next, nothing more: a
# server's region and owners come with every change (``record_event``) but never change,
# so they are read once per server (``SERVER_FACTS``), not 30 times. Reading five columns
# of the index, not nine, took 0.33–0.49 s against 0.60–0.75 s for 300,000 changes on
# SQLite, and the changes no longer carry four strings each to share.
STATE_COLUMNS = (
    ServerEvent.seq,
    ServerEvent.server_id,
    ServerEvent.at,
    ServerEvent.to_status,
    ServerEvent.flavor_id,
)
# the id, then its region, disk GiB (the root volume's too), project, customer and partner,
# apart: what a change's tuple ends with, added whole
ServerFacts = tuple[str, tuple[str, int, str, str, str]]
SERVER_FACTS = (
    Server.id,
    Server.region_code,
    Server.disk_gib + func.coalesce(Server.root_volume_gib, 0),
    Server.project_id,
    Server.customer_id,
    Server.partner_id,
)


def state_history(
    session: Session,
    since: datetime,
    until: datetime,
    customer_id: str | None = None,
    starting: datetime | None = None,
    partners: Collection[str] | None = None,
) -> tuple[dict[str, ServerFacts], Iterator[tuple[Any, ...]]]:
    """Every state change before ``until`` (from ``starting`` on only, if given) of the
    servers that still existed at ``since`` (of ``partners``' only, if given): what those
    servers keep for life by id (``ServerFacts``), and the changes (``STATE_COLUMNS``), as
    the driver's tuples streamed (a month close reads 30 per server) in (server, time,
    sequence) order, read along the index kept in that order, server by server (the
    servers deleted before ``since`` are not visited). Read ``at`` with
    ``db.time_reader``."""
    alive = [or_(Server.deleted_at.is_(None), Server.deleted_at >= since)]
    if partners is not None:
        alive.append(Server.partner_id.in_(sorted(partners)))
    if customer_id is not None:
        alive.append(Server.customer_id == customer_id)
    facts = {
        row[0]: (row[0], (row[1], int(row[2]), row[3], row[4], row[5]))
        for row in driver_rows(session, select(*SERVER_FACTS).where(*alive))
    }
    changes = state_changes(until).where(
        ServerEvent.server_id.in_(select(Server.id).where(*alive).scalar_subquery())
    )
    if starting is not None:
        changes = changes.where(ServerEvent.at >= starting)
    return facts, driver_rows_streamed(session, changes)


def state_changes(until: datetime) -> Select[*tuple[Any, ...]]:
    """Every state change before ``until``: ``STATE_COLUMNS``, in the order of the index
    ``EVENTS_IN_ORDER``, which holds every column read (a customer's are found through
    its servers, by their ids)."""
    return (
        select(*STATE_COLUMNS)
        .where(ServerEvent.at < until)
        .order_by(ServerEvent.server_id, ServerEvent.at, ServerEvent.seq)
    )


def live_servers(
    session: Session, partner_id: str | None, customer_id: str | None, project_id: str | None
) -> list[Server]:
    query = select(Server).where(Server.status != "DELETED")
    for column, value in (
        ("partner_id", partner_id),
        ("customer_id", customer_id),
        ("project_id", project_id),
    ):
        if value is not None:
            query = query.where(getattr(Server, column) == value)
    return list(session.scalars(query))


def servers_of_customer(session: Session, customer_id: str, since: datetime) -> list[Server]:
    """Every server of the customer that existed at or after ``since``, deleted ones too."""
    query = select(Server).where(
        Server.customer_id == customer_id,
        or_(Server.deleted_at.is_(None), Server.deleted_at >= since),
    )
    return list(session.scalars(query))


def of_customer(session: Session, model: Any, customer_id: str) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.customer_id == customer_id).order_by(model.id))
    )


def count_allocation(session: Session, network_id: str) -> int:
    """Serialises address allocation on one network (the UPDATE takes the row lock on
    PostgreSQL; SQLite has a single writer anyway) and returns the number of allocations
    ever made on it, this one included."""
    counted = session.execute(_COUNT_ALLOCATION, {"network_id": network_id})
    return int(counted.scalar_one())


_COUNT_ALLOCATION = (  # built once: each port of each create runs it
    update(Network)
    .where(Network.id == bindparam("network_id"))
    .values(next_host=Network.next_host + 1)
    .returning(Network.next_host)
    .execution_options(synchronize_session=False)
)


def servers_of_ports(session: Session, port_ids: list[str]) -> list[str]:
    """The servers these ports are bound to (unbound ones have none)."""
    found = session.scalars(select(Port.server_id).where(Port.id.in_(port_ids)))
    return sorted({server for server in found if server is not None})


def addresses_in_use(session: Session, network_id: str) -> set[str]:
    return set(session.scalars(select(Port.address).where(Port.network_id == network_id)))


def release_ports(session: Session, server_id: str) -> None:
    """A deleted server gives its addresses back; a port the customer made is unbound
    and kept, with its address (as Nova does)."""
    session.execute(
        update(Port)
        .where(Port.server_id == server_id, Port.preserve_on_delete.is_(True))
        .values(server_id=None, device_owner="", device_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(Port).where(Port.server_id == server_id))


def ports_of(session: Session, server_ids: list[str]) -> list[tuple[str, str, str, str]]:
    """(server_id, network name, address, mac) for the given servers."""
    if not server_ids:
        return []
    query = (
        select(Port.server_id, Network.name, Port.address, Port.mac)
        .join(Network, Network.id == Port.network_id)
        .where(Port.server_id.in_(server_ids))
        .order_by(Port.server_id, Network.name)
    )
    return [tuple(r) for r in session.execute(query)]  # type: ignore[misc]


def network_key(project_id: str | None, region: str) -> str:
    """The key of a network the cloud makes: the region's provider network (no project),
    or a project's own network in the region."""
    return f"{project_id or 'provider'}:{region}"


def network_by_key(session: Session, key: str) -> Network | None:
    return session.scalars(_NETWORK_BY_KEY, {"key": key}).first()


_NETWORK_BY_KEY = select(Network).where(Network.key == bindparam("key"))  # every create


def count_networks(session: Session, shared: bool) -> int:
    query = select(func.count()).select_from(Network).where(Network.shared == shared)
    return int(session.scalar(query) or 0)


def provider_cidrs(session: Session) -> set[str]:
    return set(session.scalars(select(Network.cidr).where(Network.shared.is_(True))))


def networks_for(session: Session, project_id: str | None) -> list[Network]:
    """The shared networks, and the project's own."""
    visible = Network.shared.is_(True) | (Network.project_id == (project_id or ""))
    return list(session.scalars(select(Network).where(visible).order_by(Network.name)))


def tags_of(session: Session, server_id: str) -> list[str]:
    query = select(ServerTag.tag).where(ServerTag.server_id == server_id).order_by(ServerTag.tag)
    return list(session.scalars(query))


def tags_by_server(session: Session, server_ids: list[str]) -> dict[str, list[str]]:
    """The tags of each of these servers (a page of a list), sorted."""
    found: dict[str, list[str]] = {}
    query = (
        select(ServerTag.server_id, ServerTag.tag)
        .where(ServerTag.server_id.in_(server_ids))
        .order_by(ServerTag.server_id, ServerTag.tag)
    )
    for server_id, tag in session.execute(query):
        found.setdefault(server_id, []).append(tag)
    return found


def replace_tags(session: Session, server_id: str, tags: list[str]) -> None:
    session.execute(delete(ServerTag).where(ServerTag.server_id == server_id))
    session.add_all(ServerTag(server_id=server_id, tag=tag) for tag in tags)


_MEMBER_COLUMNS = (
    Server.id,
    Server.customer_id,
    Server.project_id,
    Server.status,
    Server.desired,
    Server.created_at,
)


def tagged(session: Session, tags: list[str], customer_ids: list[str]) -> list[Any]:
    """Live servers carrying one of the tags, of those customers: rows of the columns
    above and the tag (an index read per tag)."""
    if not tags:
        return []
    query = (
        select(*_MEMBER_COLUMNS, ServerTag.tag)
        .join(ServerTag, ServerTag.server_id == Server.id)
        .where(ServerTag.tag.in_(tags), Server.customer_id.in_(customer_ids))
        .where(Server.status != "DELETED")
    )
    return _plain_rows(session, query)


def in_projects(session: Session, project_ids: list[str], unless_tagged: str) -> list[Any]:
    """Live servers of those projects without a tag starting ``unless_tagged`` (a server
    tagged for itself is not the project's)."""
    if not project_ids:
        return []
    own_tag = (
        select(ServerTag.server_id)
        .where(ServerTag.server_id == Server.id)
        .where(ServerTag.tag.startswith(unless_tagged, autoescape=True))
        .exists()
    )
    query = select(*_MEMBER_COLUMNS).where(
        Server.project_id.in_(project_ids), Server.status != "DELETED", ~own_tag
    )
    return _plain_rows(session, query)


def _plain_rows(session: Session, query: Executable) -> list[Any]:
    """Rows without the ORM's loading (a fifth of a 100,000-row read's time); the
    session's pending changes are flushed first, as an ORM query would."""
    session.flush()
    return list(session.connection().execute(query).all())


def states(session: Session, server_ids: list[str]) -> dict[str, tuple[str, str]]:
    if not server_ids:
        return {}
    query = select(Server.id, Server.status, Server.desired).where(
        Server.id.in_(server_ids), Server.status != "DELETED"
    )
    return {row.id: (row.status, row.desired) for row in session.execute(query)}


def customers_of(session: Session, server_ids: Collection[str]) -> set[str]:
    """The customers owning these servers, deleted ones too."""
    if not server_ids:
        return set()
    query = select(Server.customer_id).where(Server.id.in_(sorted(server_ids))).distinct()
    return set(session.scalars(query))


def scrub_customer_servers(session: Session, customer_id: str) -> list[str]:
    """Erasure: the customer's server rows stay as the key of their usage history (kept
    with the invoices), stripped of what the customer wrote: names, descriptions,
    metadata, tags, cloud-init data, key names."""
    ids = list(session.scalars(select(Server.id).where(Server.customer_id == customer_id)))
    if ids:
        session.execute(delete(ServerTag).where(ServerTag.server_id.in_(ids)))
        session.execute(
            update(Server)
            .where(Server.customer_id == customer_id)
            .values(
                name="erased",
                description=None,
                metadata_={},
                user_data=None,
                key_name=None,
                locked_reason=None,
                fault=None,
            )
        )
    return sorted(ids)
