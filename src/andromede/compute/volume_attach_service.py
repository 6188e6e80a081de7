"""Volumes on servers: compute checks the server (visible, writable, not locked, in a
state that takes a volume) and storage checks the volume and records the attachment, in
the caller's one transaction. A server deleted lets go of its volumes, deleting those
attached with ``delete_on_termination``."""

from sqlalchemy.orm import Session

from andromede.compute.lifecycle import Status
from andromede.compute.server_service import ServerService
from andromede.compute.store import Server
from andromede.kernel.errors import Conflict, NotFound
from andromede.storage.volume_service import VolumeAttachment, VolumeService
from andromede.tenancy.scope import Caller

__all__ = ["VolumeAttachService", "VolumeAttachment"]

ATTACHABLE = (Status.ACTIVE.value, Status.SHUTOFF.value)


class VolumeAttachService:
    def __init__(self, servers: ServerService, volumes: VolumeService) -> None:
        self.servers = servers
        self.volumes = volumes

    def attach(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        volume_id: str,
        *,
        device: str | None = None,
        delete_on_termination: bool = False,
    ) -> VolumeAttachment:
        server = self._server(session, caller, server_id)
        if server.status not in ATTACHABLE:
            raise Conflict(f"a server in status {server.status} cannot take a volume")
        where = (server.id, server.project_id, server.region_code)
        return self.volumes.attach(session, caller, volume_id, where, device, delete_on_termination)

    def detach(self, session: Session, caller: Caller, server_id: str, volume_id: str) -> None:
        server = self._server(session, caller, server_id)
        self.volumes.detach(session, caller, volume_id, server.id)

    def attachments(
        self, session: Session, caller: Caller, server_id: str
    ) -> list[VolumeAttachment]:
        server = self.servers.get_server(session, caller, server_id)
        return self.volumes.attachments_of_server(session, server.id)

    def attachment(
        self, session: Session, caller: Caller, server_id: str, volume_id: str
    ) -> VolumeAttachment:
        found = next(
            (a for a in self.attachments(session, caller, server_id) if a.volume_id == volume_id),
            None,
        )
        if found is None:
            raise NotFound("volume attachment", volume_id)
        return found

    def set_delete_on_termination(
        self, session: Session, caller: Caller, server_id: str, volume_id: str, value: bool
    ) -> VolumeAttachment:
        server = self._server(session, caller, server_id)
        self.attachment(session, caller, server_id, volume_id)
        return self.volumes.set_delete_on_termination(session, volume_id, server.id, value)

    def _server(self, session: Session, caller: Caller, server_id: str) -> Server:
        server = self.servers.unlocked(session, caller, server_id)
        if server.desired == Status.DELETED.value:
            raise NotFound("server", server_id)
        return server

    def server_deleted(self, session: Session, server_id: str) -> list[str]:
        return self.volumes.server_gone(session, server_id)
