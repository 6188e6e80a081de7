"""The hosts: their inventory (what the operator declares) and their usage (what claims
add and release), in one row so that a claim is one guarded UPDATE that cannot over-commit
even when two transactions chose the same host from the same snapshot."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime
from andromede.kernel.ids import is_uuid

__all__ = [
    "RANKING_INDEXES",
    "Host",
    "best_host_rows",
    "claim",
    "host_by_ref",
    "host_rows",
    "release",
]


class Host(Base):
    __tablename__ = "hosts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("zones.code"), index=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(Integer)
    disk_gib: Mapped[int] = mapped_column(Integer)
    cpu_ratio: Mapped[float] = mapped_column(Float, default=4.0)
    ram_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    disk_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    traits: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    used_vcpus: Mapped[int] = mapped_column(Integer, default=0)
    used_ram_mib: Mapped[int] = mapped_column(Integer, default=0)
    used_disk_gib: Mapped[int] = mapped_column(Integer, default=0)
    instances: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _free_ram() -> Any:
    return Host.ram_mib * Host.ram_ratio - Host.used_ram_mib


def _free_vcpus() -> Any:
    return Host.vcpus * Host.cpu_ratio - Host.used_vcpus


# A create reads a region's best hosts in the weighers' order; these expression indexes
# hold that order (one per weigher; names in code-point order on each database), so the
# read stops after the few hosts it needs however big the region is. They differ by
# database, which the models cannot say: migration 0016 creates them, and the schema
# check (tests/integration/test_migrations.py) looks for them by name.
RANKING_INDEXES = {
    "postgresql": ("ix_hosts_spread_pg", "ix_hosts_pack_pg"),
    "sqlite": ("ix_hosts_spread", "ix_hosts_pack"),
}


def host_by_ref(session: Session, ref: str) -> Host | None:
    """Id first, then name (host names are unique)."""
    if is_uuid(ref):
        found = session.get(Host, ref)
        if found is not None:
            return found
    return session.scalars(select(Host).where(Host.name == ref)).first()


_SNAPSHOT_COLUMNS = (
    Host.id,
    Host.name,
    Host.region_code,
    Host.zone_code,
    Host.vcpus,
    Host.ram_mib,
    Host.disk_gib,
    Host.cpu_ratio,
    Host.ram_ratio,
    Host.disk_ratio,
    Host.traits,
    Host.enabled,
    Host.maintenance,
    Host.used_vcpus,
    Host.used_ram_mib,
    Host.used_disk_gib,
)


def host_rows(session: Session, region_code: str, zone_code: str | None) -> list[Any]:
    """Every host of the region (or zone) as lean column tuples: the full snapshot."""
    query = select(*_SNAPSHOT_COLUMNS).where(Host.region_code == region_code)
    if zone_code is not None:
        query = query.where(Host.zone_code == zone_code)
    return list(session.execute(query))


def _ranked_hosts_statement(spread: bool, by_zone: bool, postgres: bool) -> Any:
    free_ram, free_vcpus = _free_ram(), _free_vcpus()
    name = Host.name.collate("C") if postgres else Host.name  # code-point order, as Python
    query = select(*_SNAPSHOT_COLUMNS).where(
        Host.region_code == bindparam("region"),
        Host.enabled.is_(True),
        Host.maintenance.is_(False),
        free_vcpus >= bindparam("vcpus"),
        free_ram >= bindparam("ram_mib"),
        Host.disk_gib * Host.disk_ratio - Host.used_disk_gib >= bindparam("disk_gib"),
    )
    if by_zone:
        query = query.where(Host.zone_code == bindparam("zone"))
    if spread:
        query = query.order_by(free_ram.desc(), free_vcpus.desc(), name, Host.id)
    else:
        query = query.order_by(free_ram.asc(), free_vcpus.asc(), name, Host.id)
    return query.limit(bindparam("limit"))


# Built once: composing SQL expressions costs more CPU than running these statements.
_RANKED = {
    key: _ranked_hosts_statement(*key)
    for key in ((s, z, p) for s in (True, False) for z in (True, False) for p in (True, False))
}


def best_host_rows(
    session: Session,
    region_code: str,
    zone_code: str | None,
    need: tuple[int, int, int],
    *,
    spread: bool,
    limit: int,
) -> list[Any]:
    """The ``limit`` usable hosts with room for ``need`` that rank first by the placement
    weights (free RAM, then free vCPUs, then name in code-point order).

    If the pure placement finds a host among them, it is the host it would have found in the
    full snapshot: every host left out either lacks room or ranks lower. When none of them
    passes the remaining filters (traits, server group), the caller falls back to
    ``host_rows``. This keeps a create at a few dozen rows instead of the whole region.
    """
    conn = session.connection()
    statement = _RANKED[(spread, zone_code is not None, conn.dialect.name == "postgresql")]
    vcpus, ram_mib, disk_gib = need
    params = {
        "region": region_code,
        "zone": zone_code,
        "vcpus": vcpus,
        "ram_mib": ram_mib,
        "disk_gib": disk_gib,
        "limit": limit,
    }
    return list(conn.execute(statement, params))


_CLAIM = (
    update(Host)
    .where(
        Host.id == bindparam("claim_host"),
        Host.enabled.is_(True),
        Host.maintenance.is_(False),
        Host.used_vcpus + bindparam("add_vcpus") <= Host.vcpus * Host.cpu_ratio,
        Host.used_ram_mib + bindparam("add_ram") <= Host.ram_mib * Host.ram_ratio,
        Host.used_disk_gib + bindparam("add_disk") <= Host.disk_gib * Host.disk_ratio,
    )
    .values(
        used_vcpus=Host.used_vcpus + bindparam("add_vcpus"),
        used_ram_mib=Host.used_ram_mib + bindparam("add_ram"),
        used_disk_gib=Host.used_disk_gib + bindparam("add_disk"),
        instances=Host.instances + 1,
    )
)


def claim(session: Session, host_id: str, vcpus: int, ram_mib: int, disk_gib: int) -> bool:
    """Adds usage only if it still fits: the guard in the WHERE makes over-commit impossible
    even when two transactions chose the same host from the same snapshot."""
    result = session.connection().execute(
        _CLAIM,
        {"claim_host": host_id, "add_vcpus": vcpus, "add_ram": ram_mib, "add_disk": disk_gib},
    )
    return bool(result.rowcount)


def adjust(session: Session, host_id: str, vcpus: int, ram_mib: int) -> bool:
    """Changes a server's claim on its host (a resize), guarded like a claim."""
    result = session.execute(
        update(Host)
        .where(
            Host.id == host_id,
            Host.used_vcpus + vcpus <= Host.vcpus * Host.cpu_ratio,
            Host.used_ram_mib + ram_mib <= Host.ram_mib * Host.ram_ratio,
        )
        .values(used_vcpus=Host.used_vcpus + vcpus, used_ram_mib=Host.used_ram_mib + ram_mib)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, host_id: str, vcpus: int, ram_mib: int, disk_gib: int) -> None:
    session.execute(
        update(Host)
        .where(Host.id == host_id)
        .values(
            used_vcpus=Host.used_vcpus - vcpus,
            used_ram_mib=Host.used_ram_mib - ram_mib,
            used_disk_gib=Host.used_disk_gib - disk_gib,
            instances=Host.instances - 1,
        )
        .execution_options(synchronize_session=False)
    )
