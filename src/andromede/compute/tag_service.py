"""Tags on servers: a customer's own words on its servers (``schedule=office-hours``,
``env=test``), and the reads by tag that capabilities above compute make (a schedule
finds its servers by the tag that names it)."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import store
from andromede.compute.server_fields import MAX_TAGS, clean_tags
from andromede.compute.server_service import ServerService
from andromede.kernel.clock import Clock
from andromede.tenancy.resources import ProjectResources, ref_of, require_change
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import TenancyService

__all__ = ["MAX_TAGS", "Member", "TagService", "clean_tags"]


class Member(NamedTuple):
    """A live server as a capability that selects servers by tag or project sees it (a
    tuple: a scheduler pass reads 100,000 of them)."""

    id: str
    customer_id: str
    project_id: str
    status: str
    desired: str
    created_at: datetime
    tag: str | None = None


class TagService(ProjectResources):
    def __init__(self, clock: Clock, tenancy: TenancyService, servers: ServerService) -> None:
        super().__init__(clock, tenancy)
        self.servers = servers

    def tags(self, session: Session, caller: Caller, server_id: str) -> list[str]:
        server = self.servers.get_server(session, caller, server_id)
        return store.tags_of(session, server.id)

    def set_tags(
        self, session: Session, caller: Caller, server_id: str, tags: list[str]
    ) -> list[str]:
        """Replaces the server's tags with these."""
        server = self.servers.get_server(session, caller, server_id)
        require_change(caller, ref_of(server))
        cleaned = clean_tags(tags)
        store.replace_tags(session, server.id, cleaned)
        server.updated_at = self.clock.now()
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_TAG, "server", server.id, ref_of(server)
        )
        return cleaned

    def of_servers(self, session: Session, server_ids: list[str]) -> dict[str, list[str]]:
        """The tags of servers the caller was already allowed to see (a page of a list)."""
        return store.tags_by_server(session, server_ids)

    # -- reads for the capabilities above (no caller: their own walls apply) ----------
    def tagged(self, session: Session, tags: list[str], customer_ids: list[str]) -> list[Member]:
        return list(map(Member._make, store.tagged(session, tags, customer_ids)))

    def in_projects(
        self, session: Session, project_ids: list[str], unless_tagged: str
    ) -> list[Member]:
        rows = store.in_projects(session, project_ids, unless_tagged)
        return [Member._make((*row, None)) for row in rows]
