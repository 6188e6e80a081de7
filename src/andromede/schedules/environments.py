"""Use cases of environments: a set of servers made from a template in one project
(through the compute service, so residency, quotas and placement apply to each), started
and stopped together, stopped when their time to live runs out and deleted at their
expiry by the worker, with notices beforehand.

A member that cannot be made (quota, capacity, a refused place) does not undo the others:
its error is kept on the member and ``retry`` makes the missing ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute.server_service import ServerRequest, ServerService
from andromede.db import flush_unique, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import AndromedeError, Forbidden, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.schedules import store
from andromede.schedules.environment_spec import (
    check_name,
    check_ttl,
    due,
    parse_template,
    slots,
)
from andromede.schedules.store import Environment, EnvironmentMember
from andromede.tenancy.resources import visible_page
from andromede.tenancy.scope import (
    Actor,
    Caller,
    Role,
    may_change_resources,
    note_read,
    resource_scope,
)
from andromede.tenancy.service import TenancyService

__all__ = ["Environment", "EnvironmentInput", "EnvironmentService", "EnvironmentState"]

MAX_LIFETIME = timedelta(days=366)
NOTICE_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class EnvironmentInput:
    project_id: str
    name: str
    template: dict[str, Any]
    ttl_hours: int | None = 8
    expires_at: datetime | None = None


@dataclass(frozen=True)
class EnvironmentState:
    environment: Environment
    members: list[EnvironmentMember]
    servers: dict[str, str]  # server id → status

    @property
    def id(self) -> str:  # a list's next marker
        return self.environment.id

    @property
    def status(self) -> str:
        return "PARTIAL" if any(m.server_id is None for m in self.members) else "ACTIVE"


def _ref(env: Environment) -> TenantRef:
    return TenantRef(env.partner_id, env.customer_id, env.project_id)


def _acting(env: Environment) -> Caller:
    """The environment itself, when the worker stops or deletes it: an actor of the
    customer's, so it never reaches past the customer's walls."""
    actor = Actor(
        env.id,
        f"environment:{env.name}",
        Role.CUSTOMER_MEMBER,
        partner_id=env.partner_id,
        customer_id=env.customer_id,
        system=True,
    )
    return Caller(actor, f"environment:{env.name}"[:64])


class EnvironmentService:
    def __init__(self, clock: Clock, tenancy: TenancyService, servers: ServerService) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.servers = servers

    def create(self, session: Session, caller: Caller, data: EnvironmentInput) -> Environment:
        project = self.servers.project_for_write(session, caller, data.project_id)
        spec = parse_template(data.template)
        now = self.clock.now()
        if data.expires_at is not None and not now < data.expires_at <= now + MAX_LIFETIME:
            raise ValidationFailed.one("expires_at", "in the future, within a year")
        env = Environment(
            id=new_id(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
            name=check_name(data.name),
            template=data.template,
            running=True,
            ttl_hours=check_ttl(data.ttl_hours),
            started_at=now,
            stop_at=now + timedelta(hours=data.ttl_hours) if data.ttl_hours else None,
            expires_at=data.expires_at,
            notified=[],
            created_at=now,
            updated_at=now,
        )
        session.add(env)
        flush_unique(session, f"environment {env.name!r} already exists in the project")
        if spec.server_group:
            group = self.servers.keypairs.create_group(
                session,
                caller,
                project_id=project.id,
                name=f"env-{env.name}",
                policy=spec.server_group,
            )
            env.server_group_id = group.id
        for slot, _member in slots(spec):
            member = EnvironmentMember(environment_id=env.id, slot=slot)
            session.add(member)
            self._make(session, caller, env, member)
        self._audit(session, caller, AuditAction.ENVIRONMENT_CREATE, env)
        return env

    def retry(self, session: Session, caller: Caller, env_id: str) -> Environment:
        """Makes the members that could not be made before."""
        env = self._for_write(session, caller, env_id)
        for member in store.members_of(session, env.id):
            if member.server_id is None:
                self._make(session, caller, env, member)
        self._audit(session, caller, AuditAction.ENVIRONMENT_RETRY, env)
        return env

    def get(self, session: Session, caller: Caller, env_id: str) -> EnvironmentState:
        env = visible_one(session, Environment, env_id, resource_scope(caller.actor), "environment")
        note_read(caller, _ref(env))
        return self.state(session, env)

    def state(self, session: Session, env: Environment) -> EnvironmentState:
        members = store.members_of(session, env.id)
        states = self.servers.states(session, [m.server_id for m in members if m.server_id])
        return EnvironmentState(env, members, {k: v[0] for k, v in states.items()})

    def list_environments(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[Environment]:
        return visible_page(
            session, caller, Environment, limit=limit, marker=marker, project_id=project_id
        )

    def start(self, session: Session, caller: Caller, env_id: str) -> Environment:
        env = self._for_write(session, caller, env_id)
        self._power(session, caller, env, on=True)
        return env

    def stop(self, session: Session, caller: Caller, env_id: str) -> Environment:
        env = self._for_write(session, caller, env_id)
        self._power(session, caller, env, on=False)
        return env

    def extend(
        self, session: Session, caller: Caller, env_id: str, *, hours: int = 0, days: int = 0
    ) -> Environment:
        """More time to live (from now, if it already ran out), or a later expiry."""
        env = self._for_write(session, caller, env_id)
        if hours < 0 or days < 0 or not hours + days:
            raise ValidationFailed.one("hours", "extend by a number of hours or days")
        now = self.clock.now()
        if hours and not env.running:
            raise ValidationFailed.one(
                "hours", "stopped: its time to live counts from its next start"
            )
        if hours:
            env.stop_at = max(env.stop_at or now, now) + timedelta(hours=hours)
        if days:
            if env.expires_at is None:
                raise ValidationFailed.one("days", "the environment has no expiry to extend")
            env.expires_at = min(env.expires_at + timedelta(days=days), now + MAX_LIFETIME)
        env.updated_at = now
        self._audit(session, caller, AuditAction.ENVIRONMENT_EXTEND, env)
        return env

    def delete(self, session: Session, caller: Caller, env_id: str) -> None:
        env = self._for_write(session, caller, env_id)
        self._remove(session, caller, env)

    # -- the worker's part -------------------------------------------------------------
    def due_instants(self, session: Session, after: datetime, until: datetime) -> list[datetime]:
        """Stops and deletions due in ``(after, until]`` (the simulator passes then)."""
        found = set()
        for env in store.due_environments(session, until, timedelta()):
            for at in (env.stop_at if env.running else None, env.expires_at):
                if at is not None and after < at <= until:
                    found.add(at)
        return sorted(found)

    def run_due(self, session: Session) -> int:
        """Notices, stops and deletions due now; how many environments it acted on."""
        now = self.clock.now()
        acted = 0
        for env in store.due_environments(session, now, NOTICE_AHEAD):
            found = due(
                now,
                name=env.name,
                running=env.running,
                stop_at=env.stop_at,
                expires_at=env.expires_at,
                notified=frozenset(env.notified or []),
            )
            for message in found.messages:
                self.tenancy.notify(session, _ref(env), "environment.due", message)
            if found.remember:
                env.notified = sorted({*(env.notified or []), *found.remember})
            if found.delete:
                self._remove(session, _acting(env), env)
            elif found.stop:
                self._power(session, _acting(env), env, on=False)
            acted += found.delete or found.stop
        return acted

    # -- inside --------------------------------------------------------------------------
    def _make(
        self, session: Session, caller: Caller, env: Environment, member: EnvironmentMember
    ) -> None:
        spec = parse_template(env.template)
        wanted = dict(slots(spec))[member.slot]
        request = ServerRequest(
            project_id=env.project_id,
            name=f"{env.name}-{member.slot}",
            flavor=wanted.flavor,
            image=wanted.image,
            region=spec.region,
            zone=spec.zone,
            server_group=env.server_group_id,
            networks=(spec.network,) if spec.network else None,
        )
        try:
            with session.begin_nested():
                server = self.servers.create_server(session, caller, request)
        except AndromedeError as exc:
            member.error = exc.detail[:500]
            return
        member.server_id, member.error = server.id, None

    def _power(self, session: Session, caller: Caller, env: Environment, *, on: bool) -> None:
        now = self.clock.now()
        verb, wanted = ("start", "SHUTOFF") if on else ("stop", "ACTIVE")
        for server_id, (status, desired) in self._states(session, env).items():
            if status == desired == wanted:
                self.servers.act(session, caller, server_id, verb)
        env.running = on
        env.started_at = now if on else env.started_at
        env.stop_at = now + timedelta(hours=env.ttl_hours) if on and env.ttl_hours else None
        env.updated_at = now
        action = AuditAction.ENVIRONMENT_START if on else AuditAction.ENVIRONMENT_STOP
        self._audit(session, caller, action, env)

    def _remove(self, session: Session, caller: Caller, env: Environment) -> None:
        for server_id, (_status, desired) in self._states(session, env).items():
            if desired != "DELETED":
                self.servers.act(session, caller, server_id, "delete")
        session.execute(
            sql_delete(EnvironmentMember).where(EnvironmentMember.environment_id == env.id)
        )
        self._audit(session, caller, AuditAction.ENVIRONMENT_DELETE, env)
        session.delete(env)

    def _states(self, session: Session, env: Environment) -> dict[str, tuple[str, str]]:
        members = store.members_of(session, env.id)
        return self.servers.states(session, [m.server_id for m in members if m.server_id])

    def _for_write(self, session: Session, caller: Caller, env_id: str) -> Environment:
        env = visible_one(session, Environment, env_id, resource_scope(caller.actor), "environment")
        if not may_change_resources(caller.actor, _ref(env)):
            raise Forbidden(f"role {caller.actor.role} may not change resources")
        return env

    def _audit(
        self, session: Session, caller: Caller, action: AuditAction, env: Environment
    ) -> None:
        self.tenancy.audit(session, caller, action, "environment", env.id, _ref(env))
