"""What each project's live servers hold (instances, cores, RAM, storage), kept as
counters that the create, the resize and the deletion move in their own transactions.

A quota check is then one guarded UPDATE, like a host claim: it adds the usage only if
the result stays within the limits, so two creates of one project cannot both pass, and
its cost does not grow with the number of servers the project has. A project's row is
made the first time it is needed, from the servers themselves (``store.counted_usage``,
which stays the reference the tests compare the counters with)."""

from sqlalchemy import ForeignKey, Integer, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute import store
from andromede.db import Base, insert_if_absent

__all__ = ["ProjectUsage", "add", "make", "take", "usage"]

Amounts = tuple[int, int, int, int]  # instances, cores, RAM MiB, storage GiB


class ProjectUsage(Base):
    __tablename__ = "project_usage"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    instances: Mapped[int] = mapped_column(Integer)
    cores: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(Integer)
    storage_gib: Mapped[int] = mapped_column(Integer)


_COLUMNS = ("instances", "cores", "ram_mib", "storage_gib")
_COUNTERS = [getattr(ProjectUsage, c) for c in _COLUMNS]
_TAKE = (
    update(ProjectUsage)
    .where(
        ProjectUsage.project_id == bindparam("usage_project"),
        *(
            (bindparam(f"more_{c}") <= 0)
            | (column + bindparam(f"more_{c}") <= bindparam(f"limit_{c}"))
            for c, column in zip(_COLUMNS, _COUNTERS, strict=True)
        ),
    )
    .values(
        {c: column + bindparam(f"more_{c}") for c, column in zip(_COLUMNS, _COUNTERS, strict=True)}
    )
)


def take(session: Session, project_id: str, more: Amounts, limits: Amounts) -> bool:
    """Adds ``more`` if every amount that grows stays within its limit (amounts that
    shrink always pass); False if it would not, or if the project has no row yet."""
    params: dict[str, object] = {"usage_project": project_id}
    for name, amount, limit in zip(_COLUMNS, more, limits, strict=True):
        params[f"more_{name}"], params[f"limit_{name}"] = amount, limit
    return bool(session.connection().execute(_TAKE, params).rowcount)


def add(session: Session, project_id: str, more: Amounts) -> None:
    """Adds without limits (negative amounts give usage back: a deleted server)."""
    session.execute(
        update(ProjectUsage)
        .where(ProjectUsage.project_id == project_id)
        .values({c: col + n for c, col, n in zip(_COLUMNS, _COUNTERS, more, strict=True)})
        .execution_options(synchronize_session=False)
    )


def make(session: Session, project_id: str) -> bool:
    """Creates the project's row from its servers; False if it existed already."""
    counted = dict(zip(_COLUMNS, store.counted_usage(session, project_id), strict=True))
    return insert_if_absent(session, ProjectUsage, [{"project_id": project_id, **counted}]) == 1


def usage(session: Session, project_id: str) -> Amounts:
    row = session.execute(select(*_COUNTERS).where(ProjectUsage.project_id == project_id)).first()
    if row is None:
        return store.counted_usage(session, project_id)
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])
