"""Keypairs and server groups: per-project objects a server refers to by name at create."""

import re

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import store
from andromede.compute.keys import (
    fingerprint,
    parse_certificate,
    parse_public_key,
    x509_fingerprint,
)
from andromede.compute.store import Keypair, ServerGroup
from andromede.db import insert_unique, scoped_get
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.resources import ProjectResources, ref_of, resource_name
from andromede.tenancy.scope import Caller, resource_scope
from andromede.tenancy.service import Project

__all__ = ["Keypair", "KeypairService", "ServerGroup"]

# the soft ones are kept when they can be, and give way when no host would fit (Nova 2.15)
GROUP_POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")
KEYPAIR_NAME = re.compile(r"[A-Za-z0-9 _.@-]+")


class KeypairService(ProjectResources):
    # -- keypairs --------------------------------------------------------------
    def create_keypair(
        self,
        session: Session,
        caller: Caller,
        *,
        project_id: str,
        name: str,
        public_key: str,
        kind: str = "ssh",
    ) -> Keypair:
        """``kind``: an OpenSSH key (``ssh``) or an X.509 certificate (``x509``, Nova 2.2)."""
        project = self.project_for_write(session, caller, project_id)
        if kind not in ("ssh", "x509"):
            raise ValidationFailed.one("type", f"'{kind}' is not one of ['ssh', 'x509']")
        try:
            if kind == "x509":
                key_type, print_ = "x509", x509_fingerprint(parse_certificate(public_key or ""))
            else:
                key_type, blob = parse_public_key(public_key or "")
                print_ = fingerprint(blob)
        except ValueError as exc:
            raise ValidationFailed.one("public_key", str(exc)) from None
        keypair = Keypair(
            id=new_id(),
            name=_keypair_name(name),
            key_type=key_type,
            public_key=public_key.strip(),
            fingerprint=print_,
            created_at=self.clock.now(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        insert_unique(session, keypair, f"keypair {keypair.name!r} already exists")
        self.tenancy.audit(
            session, caller, AuditAction.KEYPAIR_CREATE, "keypair", keypair.id, ref_of(keypair)
        )
        return keypair

    def get_keypair(self, session: Session, caller: Caller, keypair_id: str) -> Keypair:
        return self.visible_row(session, caller, Keypair, "keypair", keypair_id)

    def list_keypairs(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[Keypair]:
        return self.page(
            session, caller, Keypair, limit=limit, marker=marker, project_id=project_id
        )

    def delete_keypair(self, session: Session, caller: Caller, keypair_id: str) -> None:
        keypair = self.visible_row(session, caller, Keypair, "keypair", keypair_id, write=True)
        session.delete(keypair)
        self.tenancy.audit(
            session, caller, AuditAction.KEYPAIR_DELETE, "keypair", keypair.id, ref_of(keypair)
        )

    def check_key(self, session: Session, project: Project, key_name: str | None) -> None:
        if key_name and store.find_by_name(session, Keypair, project.id, key_name) is None:
            raise ValidationFailed.one("key_name", f"no keypair {key_name!r} in project")

    # -- server groups ---------------------------------------------------------
    def create_group(
        self,
        session: Session,
        caller: Caller,
        *,
        project_id: str,
        name: str,
        policy: str,
        max_per_host: int | None = None,
    ) -> ServerGroup:
        project = self.project_for_write(session, caller, project_id)
        if policy not in GROUP_POLICIES:
            raise ValidationFailed.one("policy", f"must be one of {', '.join(GROUP_POLICIES)}")
        if max_per_host is not None and policy != "anti-affinity":
            raise ValidationFailed.one("max_per_host", "applies to anti-affinity only")
        if max_per_host is not None and max_per_host < 1:
            raise ValidationFailed.one("max_per_host", "must be a positive integer")
        group = ServerGroup(
            id=new_id(),
            name=resource_name(name),
            policy=policy,
            created_at=self.clock.now(),
            created_by=caller.actor.user_id,
            max_per_host=max_per_host,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        insert_unique(session, group, f"server group {group.name!r} already exists")
        self.tenancy.audit(
            session,
            caller,
            AuditAction.SERVER_GROUP_CREATE,
            "server_group",
            group.id,
            ref_of(group),
        )
        return group

    def get_group(self, session: Session, caller: Caller, group_id: str) -> ServerGroup:
        return self.visible_row(session, caller, ServerGroup, "server group", group_id)

    def group_members(self, session: Session, group_id: str) -> list[str]:
        return store.group_members(session, group_id)

    def list_groups(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[ServerGroup]:
        return self.page(
            session, caller, ServerGroup, limit=limit, marker=marker, project_id=project_id
        )

    def delete_group(self, session: Session, caller: Caller, group_id: str) -> None:
        group = self.visible_row(session, caller, ServerGroup, "server group", group_id, write=True)
        store.detach_group(session, group.id)
        session.delete(group)
        self.tenancy.audit(
            session,
            caller,
            AuditAction.SERVER_GROUP_DELETE,
            "server_group",
            group.id,
            ref_of(group),
        )

    def group_for_server(
        self, session: Session, caller: Caller, project: Project, ref: str | None
    ) -> ServerGroup | None:
        """The group a new server joins, by id or name in its project, locked so that two
        creates in one affinity group see each other's host."""
        if ref is None:
            return None
        group = scoped_get(session, ServerGroup, ref, resource_scope(caller.actor))
        if group is None:
            group = store.find_by_name(session, ServerGroup, project.id, ref)
        if group is None or group.project_id != project.id:
            raise ValidationFailed.one("server_group", f"no server group {ref!r} in project")
        store.lock_group(session, group.id)
        return group


def _keypair_name(name: str) -> str:
    """Nova addresses a keypair by name in the URL path: letters, digits, spaces and
    ``_ - . @`` only (what Nova itself allows), so every name can be fetched and deleted."""
    name = resource_name(name)
    if not KEYPAIR_NAME.fullmatch(name):
        raise ValidationFailed.one("name", "letters, digits, spaces and _ - . @ only")
    return name
