"""What every use case on a project's resources does first (compute's, storage's, and
the capabilities above them): find the project or the row the caller may see (another
tenant's is a 404), check the caller may change it, and note a staff read under a
customer's grant."""

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from andromede.db import scoped_page, scoped_window, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, NotFound
from andromede.kernel.names import display_name
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import (
    Caller,
    is_staff,
    may_change_resources,
    note_read,
    resource_scope,
    visible,
)
from andromede.tenancy.service import Project, TenancyService

__all__ = ["ProjectResources", "ref_of", "require_change", "resource_name"]

M = TypeVar("M")


def ref_of(row: Any) -> TenantRef:
    return TenantRef(row.partner_id, row.customer_id, row.project_id)


def _note_reads(caller: Caller, rows: list[Any]) -> None:
    """Only staff reads are noted: a customer's own list of 1,000 skips the walk."""
    if is_staff(caller.actor):
        for row in rows:
            note_read(caller, ref_of(row))


def visible_page(
    session: Session,
    caller: Caller,
    model: type[M],
    *,
    limit: int,
    marker: str | None,
    **filters: Any,
) -> list[M]:
    """A page of the project resources the caller sees (for the capabilities above compute
    that keep their own: environments, clusters), staff reads noted."""
    rows: list[M] = scoped_page(
        session, model, resource_scope(caller.actor), limit=limit, marker=marker, filters=filters
    )
    _note_reads(caller, rows)
    return rows


def require_change(caller: Caller, ref: TenantRef) -> None:
    if not may_change_resources(caller.actor, ref):
        if caller.actor.grants:
            raise Forbidden("the customer's grant allows reading only")
        raise Forbidden(f"role {caller.actor.role} may not change resources")


def resource_name(name: str) -> str:
    return display_name("name", name or "", 255)


class ProjectResources:
    """The base of compute's services: tenant walls in one place."""

    def __init__(self, clock: Clock, tenancy: TenancyService) -> None:
        self.clock = clock
        self.tenancy = tenancy

    def project_for_write(
        self, session: Session, caller: Caller, project_id: str, *, lock: bool = False
    ) -> Project:
        project = self.visible_project(session, caller, project_id, lock=lock)
        require_change(caller, TenantRef(project.partner_id, project.customer_id, project.id))
        self.tenancy.require_active(session, project.customer_id)
        return project

    def visible_project(
        self, session: Session, caller: Caller, project_id: str, *, lock: bool = False
    ) -> Project:
        scope = resource_scope(caller.actor)
        if scope.nothing:
            raise NotFound("project", project_id)
        project = self.tenancy.get_project(session, caller, project_id, lock=lock)
        if not visible(scope, TenantRef(project.partner_id, project.customer_id)):
            raise NotFound("project", project_id)  # staff: a customer without a grant
        return project

    def visible_row(
        self,
        session: Session,
        caller: Caller,
        model: type[M],
        kind: str,
        obj_id: str,
        write: bool = False,
    ) -> M:
        found = visible_one(session, model, obj_id, resource_scope(caller.actor), kind)
        note_read(caller, ref_of(found))
        if write:
            require_change(caller, ref_of(found))
        return found

    def window(
        self,
        session: Session,
        caller: Caller,
        model: type[M],
        *,
        order_by: tuple[Any, ...],
        offset: int,
        limit: int,
        **filters: Any,
    ) -> tuple[list[M], int]:
        """A sorted page of the caller's live rows, and their total (console tables)."""
        live = (model.status != "DELETED",)  # type: ignore[attr-defined]
        rows, total = scoped_window(
            session,
            model,
            resource_scope(caller.actor),
            order_by=order_by,
            offset=offset,
            limit=limit,
            filters=filters,
            where=live,
        )
        _note_reads(caller, rows)
        return rows, total

    def page(
        self,
        session: Session,
        caller: Caller,
        model: type[M],
        *,
        limit: int,
        marker: str | None,
        **filters: Any,
    ) -> list[M]:
        live = (model.status != "DELETED",) if filters.pop("exclude_deleted", False) else ()  # type: ignore[attr-defined]
        live += tuple(filters.pop("where", ()))  # conditions beyond equality
        lean = filters.pop("lean", False)
        rows: list[M] = scoped_page(
            session,
            model,
            resource_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters=filters,
            where=live,
            lean=lean,
        )
        _note_reads(caller, rows)
        return rows
