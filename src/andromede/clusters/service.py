"""Use cases of clusters: templates; create, scale and delete clusters whose nodes are
servers made through the compute service (so placement, quotas and residency apply to
each exactly as to a VM); the worker's pass that moves clusters through their statuses.

A create is whole or nothing: the place is checked against the residency policy first,
then every node is made in the same transaction, so a refused node (capacity, quota)
leaves no node behind. Every node joins one anti-affinity group: workers on different
hosts, the master on a host of its own. Once every node exists, each gets its rendered
configuration as user data. A node that fails to boot puts the cluster in ERROR, names the
node, and deletes the nodes (nothing is left billing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.service import CatalogService
from andromede.clusters import store
from andromede.clusters.rendering import Layout, Node, cloud_init, node_files
from andromede.clusters.scaling import ExistingNode, plan_scale
from andromede.clusters.store import (
    Cluster,
    ClusterJob,
    ClusterNode,
    ClusterRun,
    ClusterTemplate,
)
from andromede.clusters.template_spec import ClusterSpec, Role, parse_template, replication
from andromede.compute.server_service import ServerRequest, ServerService
from andromede.db import flush_unique, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.metering.service import MeteringService
from andromede.tenancy.resources import visible_page
from andromede.tenancy.scope import (
    Actor,
    Caller,
    OrgKind,
    may_change_resources,
    note_read,
    resource_scope,
)
from andromede.tenancy.scope import (
    Role as UserRole,
)
from andromede.tenancy.service import TenancyService

__all__ = ["ClusterInput", "ClusterService", "ClusterState", "ClusterTemplate", "Status"]

NAME_LENGTH = 30


class Status(StrEnum):
    CREATING = "CREATING"
    CONFIGURING = "CONFIGURING"
    ACTIVE = "ACTIVE"
    SCALING = "SCALING"
    DELETING = "DELETING"
    ERROR = "ERROR"


MOVING = (Status.CREATING, Status.CONFIGURING, Status.SCALING, Status.DELETING)


@dataclass(frozen=True)
class ClusterInput:
    project_id: str
    name: str
    region: str
    zone: str | None = None
    template: str | None = None  # a template's id or name
    body: dict[str, Any] | None = None  # or a whole shape
    counts: dict[str, int] = field(default_factory=dict)  # group -> nodes, over the template
    config: dict[str, dict[str, str]] = field(default_factory=dict)  # merged over it
    transient: bool = False  # deletes itself once its jobs are over


@dataclass(frozen=True)
class ClusterState:
    cluster: Cluster
    nodes: list[ClusterNode]
    servers: dict[str, str]  # server id -> its status

    @property
    def id(self) -> str:  # a list's next marker
        return self.cluster.id


def _ref(cluster: Cluster) -> TenantRef:
    return TenantRef(cluster.partner_id, cluster.customer_id, cluster.project_id)


class ClusterService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        servers: ServerService,
        metering: MeteringService,
        runtime_managed: bool = False,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.servers = servers
        self.metering = metering
        self.runtime_managed = runtime_managed  # a runtime says when a cluster is ACTIVE

    # -- templates ------------------------------------------------------------------------
    def create_template(
        self, session: Session, caller: Caller, name: str, body: dict[str, Any], description: str
    ) -> ClusterTemplate:
        """The operator publishes templates for everyone; a partner's administrators for
        the partner and its customers."""
        actor = caller.actor
        if actor.role is UserRole.OPERATOR_ADMIN:
            partner_id = None
        elif actor.role is UserRole.PARTNER_ADMIN:
            partner_id = actor.partner_id
        else:
            raise Forbidden("templates are published by the operator or a partner's admins")
        parse_template(body)
        name = _name(name)
        if any(t.name == name and t.partner_id == partner_id for t in self._seen(session, caller)):
            raise Conflict(f"template {name!r} already exists")
        template = ClusterTemplate(
            id=new_id(),
            partner_id=partner_id,
            name=name,
            description=description[:255],
            body=body,
            created_at=self.clock.now(),
        )
        session.add(template)
        self.tenancy.audit(
            session,
            caller,
            AuditAction.CLUSTER_TEMPLATE_CREATE,
            "cluster_template",
            template.id,
            TenantRef(partner_id),
        )
        return template

    def list_templates(self, session: Session, caller: Caller) -> list[ClusterTemplate]:
        return self._seen(session, caller)

    def get_template(self, session: Session, caller: Caller, ref: str) -> ClusterTemplate:
        """By id, or by name (a partner's own before the operator's)."""
        seen = self._seen(session, caller)
        by_id = [t for t in seen if t.id == ref]
        named = sorted((t for t in seen if t.name == ref), key=lambda t: t.partner_id is None)
        found = by_id or named
        if not found:
            raise NotFound("cluster template", ref)
        return found[0]

    def delete_template(self, session: Session, caller: Caller, ref: str) -> None:
        template = self.get_template(session, caller, ref)
        actor = caller.actor
        mine = (template.partner_id is None and actor.role is UserRole.OPERATOR_ADMIN) or (
            template.partner_id is not None
            and template.partner_id == actor.partner_id
            and actor.role is UserRole.PARTNER_ADMIN
        )
        if not mine:
            raise Forbidden("a template is deleted by who published it")
        self.tenancy.audit(
            session,
            caller,
            AuditAction.CLUSTER_TEMPLATE_DELETE,
            "cluster_template",
            template.id,
            TenantRef(template.partner_id),
        )
        session.delete(template)

    def _seen(self, session: Session, caller: Caller) -> list[ClusterTemplate]:
        actor = caller.actor
        return store.templates_seen(session, actor.partner_id, actor.org_kind is OrgKind.OPERATOR)

    # -- clusters -------------------------------------------------------------------------
    def create(self, session: Session, caller: Caller, data: ClusterInput) -> Cluster:
        project = self.servers.project_for_write(session, caller, data.project_id)
        template_id, body = self._body(session, caller, data)
        spec = parse_template(body)
        region = self.servers.check_place(session, caller, project.id, data.region, data.zone)
        now = self.clock.now()
        cluster = Cluster(
            id=new_id(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
            name=_name(data.name),
            template_id=template_id,
            body=body,
            region=region,
            zone=data.zone,
            status=Status.CREATING.value,
            replication=replication(spec),
            created_at=now,
            updated_at=now,
        )
        session.add(cluster)
        flush_unique(session, f"cluster {cluster.name!r} already exists in the project")
        session.add(ClusterRun(cluster_id=cluster.id, transient=data.transient, started=False))
        group = self.servers.keypairs.create_group(
            session, caller, project_id=project.id, name=f"cluster-{cluster.name}",
            policy="anti-affinity",
        )  # fmt: skip
        cluster.server_group_id = group.id
        made = [
            self._make_node(session, caller, cluster, spec, g.name, g.role, n)
            for g in spec.groups
            for n in range(g.count)
        ]
        self._render(session, caller, cluster, spec, made)
        self._audit(session, caller, AuditAction.CLUSTER_CREATE, cluster)
        return cluster

    def get(self, session: Session, caller: Caller, cluster_id: str) -> ClusterState:
        cluster = visible_one(session, Cluster, cluster_id, resource_scope(caller.actor), "cluster")
        note_read(caller, _ref(cluster))
        return self.state(session, cluster)

    def state(self, session: Session, cluster: Cluster) -> ClusterState:
        nodes = store.nodes_of(session, cluster.id)
        states = self.servers.states(session, [n.server_id for n in nodes])
        return ClusterState(cluster, nodes, {k: v[0] for k, v in states.items()})

    def list_clusters(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[Cluster]:
        return visible_page(
            session, caller, Cluster, limit=limit, marker=marker, project_id=project_id
        )

    def configuration(
        self, session: Session, caller: Caller, cluster_id: str, node_name: str
    ) -> dict[str, str]:
        """A node's files as the cluster's layout is now (after a scale, the master's
        workers list has changed since it booted)."""
        state = self.get(session, caller, cluster_id)
        node = next((n for n in state.nodes if n.name == node_name), None)
        if node is None:
            raise NotFound("cluster node", node_name)
        spec = parse_template(state.cluster.body)
        layout = self._layout(session, state.cluster, spec, state.nodes)
        return node_files(spec, layout, self._node(session, spec, node))

    def scale(
        self, session: Session, caller: Caller, cluster_id: str, targets: dict[str, int]
    ) -> Cluster:
        cluster = self.for_write(session, caller, cluster_id)
        if cluster.status != Status.ACTIVE:
            raise Conflict(f"the cluster is {cluster.status}: it scales when ACTIVE")
        spec = parse_template(cluster.body)
        nodes = store.nodes_of(session, cluster.id)
        existing = [ExistingNode(n.name, n.group_name, n.number) for n in nodes]
        plan = plan_scale(spec, existing, targets, cluster.replication)
        if plan.empty:
            return cluster
        by_name = {n.name: n for n in nodes}
        for name in plan.remove:  # no data on them: at once, before any core node drains
            self._drop_node(session, caller, by_name[name])
        for name in plan.drain:
            by_name[name].draining = True
        roles = {g.name: g.role for g in spec.groups}
        made = []
        for group, count in plan.add:
            start = max((n.number for n in nodes if n.group_name == group), default=-1) + 1
            made += [
                self._make_node(session, caller, cluster, spec, group, roles[group], start + i)
                for i in range(count)
            ]
        for group, count in targets.items():
            spec = spec.with_count(group, count)
        cluster.body = _body_of(spec, cluster.body)
        self._render(session, caller, cluster, spec, made)
        cluster.status = Status.SCALING.value
        cluster.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.CLUSTER_SCALE, cluster)
        return cluster

    def delete(self, session: Session, caller: Caller, cluster_id: str) -> Cluster:
        cluster = self.for_write(session, caller, cluster_id)
        for node in store.nodes_of(session, cluster.id):
            self._delete_server(session, caller, node.server_id)
        cluster.status = Status.DELETING.value
        cluster.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.CLUSTER_DELETE, cluster)
        return cluster

    # -- the worker's part --------------------------------------------------------------
    def advance(self, session: Session) -> int:
        """One pass over the clusters in motion; how many changed status."""
        changed = 0
        for cluster in store.in_status(session, tuple(s.value for s in MOVING)):
            before = cluster.status
            self._advance(session, cluster)
            changed += cluster.status != before
        return changed

    def _advance(self, session: Session, cluster: Cluster) -> None:
        nodes = store.nodes_of(session, cluster.id)
        states = self.servers.states(session, [n.server_id for n in nodes])
        status = Status(cluster.status)
        if status is Status.DELETING:
            run = session.get(ClusterRun, cluster.id)
            if not states and not (run and run.started):  # nodes and daemons gone
                self._forget(session, cluster)
            return
        failed = [n for n in nodes if states.get(n.server_id, ("ERROR", ""))[0] == "ERROR"]
        if failed and status in (Status.CREATING, Status.SCALING):
            self._fail(session, cluster, nodes, failed[0])
            return
        if status is Status.SCALING:
            for node in [n for n in nodes if n.draining]:
                # the sim's DataNodes hold no blocks: a drain ends at the next pass
                self._drop_node(session, acting(cluster), node)
            nodes = [n for n in nodes if not n.draining]
        ready = all(states.get(n.server_id, ("", ""))[0] == "ACTIVE" for n in nodes)
        if status is Status.CONFIGURING:
            if not self.runtime_managed:  # configured by its user data, once it is up
                self.set_status(cluster, Status.ACTIVE)
        elif ready:
            after = Status.CONFIGURING if status is Status.CREATING else Status.ACTIVE
            self.set_status(cluster, after)

    # -- inside ---------------------------------------------------------------------------
    def _body(
        self, session: Session, caller: Caller, data: ClusterInput
    ) -> tuple[str | None, dict[str, Any]]:
        if (data.template is None) == (data.body is None):
            raise ValidationFailed.one("template", "a template, or a whole shape in body")
        if data.body is not None:
            body = dict(data.body)
            template_id = None
        else:
            assert data.template is not None
            template = self.get_template(session, caller, data.template)
            body, template_id = dict(template.body), template.id
        if data.counts:
            names = {g.get("name") for g in body.get("node_groups") or [] if isinstance(g, dict)}
            unknown = sorted(set(data.counts) - names)
            if unknown:
                raise ValidationFailed.one("counts", f"no node group {unknown[0]!r}")
            body["node_groups"] = [
                {**g, "count": data.counts.get(g["name"], g.get("count"))}
                for g in body["node_groups"]
            ]
        if data.config:
            merged = {f: dict(keys) for f, keys in (body.get("config") or {}).items()}
            for file, keys in data.config.items():
                merged.setdefault(file, {}).update(keys)
            body["config"] = merged
        return template_id, body

    def _make_node(
        self,
        session: Session,
        caller: Caller,
        cluster: Cluster,
        spec: ClusterSpec,
        group: str,
        role: Role,
        number: int,
    ) -> ClusterNode:
        flavor = next(g.flavor for g in spec.groups if g.name == group)
        request = ServerRequest(
            project_id=cluster.project_id,
            name=f"{cluster.name}-{group}-{number}",
            flavor=flavor,
            image=spec.image,
            region=cluster.region,
            zone=cluster.zone,
            server_group=cluster.server_group_id,
            metadata=(("cluster", cluster.name), ("cluster_role", role.value)),
        )
        server = self.servers.create_server(session, caller, request)
        owner = (cluster.id, cluster.name)  # the fee runs from the node's first second
        self.metering.open_span(
            session, server.id, "cluster", owner, server.vcpus, self.clock.now()
        )
        node = ClusterNode(
            id=new_id(),
            cluster_id=cluster.id,
            group_name=group,
            number=number,
            role=role.value,
            name=server.name,
            server_id=server.id,
        )
        session.add(node)
        return node

    def _render(
        self,
        session: Session,
        caller: Caller,
        cluster: Cluster,
        spec: ClusterSpec,
        made: list[ClusterNode],
    ) -> None:
        """User data for the nodes just made, once every address is known."""
        session.flush()
        nodes = store.nodes_of(session, cluster.id)
        layout = self._layout(session, cluster, spec, nodes)
        for node in made:
            text = cloud_init(spec, layout, self._node(session, spec, node))
            self.servers.set_user_data(session, caller, node.server_id, text)

    def _layout(
        self, session: Session, cluster: Cluster, spec: ClusterSpec, nodes: list[ClusterNode]
    ) -> Layout:
        addresses = self.servers.networks.addresses(session, [n.server_id for n in nodes])
        for node in nodes:
            if node.address is None:
                ports = [a for found in addresses.get(node.server_id, {}).values() for a in found]
                node.address = ports[0][0] if ports else node.name
        made = [self._node(session, spec, n) for n in nodes]
        master = next(n for n in made if n.role is Role.MASTER)
        workers = tuple(n for n in made if n.role is not Role.MASTER)
        draining = tuple(n.address or n.name for n in nodes if n.draining)
        return Layout(cluster.name, master, workers, draining)

    def _node(self, session: Session, spec: ClusterSpec, node: ClusterNode) -> Node:
        flavor = next(g.flavor for g in spec.groups if g.name == node.group_name)
        shape = self.catalog.flavor_spec(session, flavor)
        assert shape is not None  # the node was made with it
        address = node.address or node.name
        return Node(
            node.name, address, Role(node.role), node.group_name, shape.vcpus, shape.ram_mib
        )

    def _drop_node(self, session: Session, caller: Caller, node: ClusterNode) -> None:
        self._delete_server(session, caller, node.server_id)
        session.delete(node)

    def _delete_server(self, session: Session, caller: Caller, server_id: str) -> None:
        self.metering.close_spans(session, [server_id], self.clock.now())
        states = self.servers.states(session, [server_id])
        if server_id in states and states[server_id][1] != "DELETED":
            self.servers.act(session, caller, server_id, "delete")

    def _fail(
        self, session: Session, cluster: Cluster, nodes: list[ClusterNode], node: ClusterNode
    ) -> None:
        self.fail(session, cluster, f"node {node.name} failed to boot")

    def fail(self, session: Session, cluster: Cluster, why: str) -> None:
        """ERROR, with the reason, and every node deleted: nothing is left billing."""
        self.set_status(cluster, Status.ERROR)
        cluster.reason = f"{why}; the cluster's nodes were deleted"[:500]
        for each in store.nodes_of(session, cluster.id):
            self._delete_server(session, acting(cluster), each.server_id)

    def _forget(self, session: Session, cluster: Cluster) -> None:
        for table in (ClusterNode, ClusterJob, ClusterRun):
            session.execute(sql_delete(table).where(table.cluster_id == cluster.id))
        if cluster.server_group_id:
            self.servers.keypairs.delete_group(session, acting(cluster), cluster.server_group_id)
        session.delete(cluster)

    def set_status(self, cluster: Cluster, status: Status) -> None:
        cluster.status = status.value
        cluster.updated_at = self.clock.now()

    def for_write(self, session: Session, caller: Caller, cluster_id: str) -> Cluster:
        cluster = visible_one(session, Cluster, cluster_id, resource_scope(caller.actor), "cluster")
        if not may_change_resources(caller.actor, _ref(cluster)):
            raise Forbidden(f"role {caller.actor.role} may not change resources")
        if cluster.status == Status.DELETING:
            raise Conflict("the cluster is being deleted")
        return cluster

    def _audit(
        self, session: Session, caller: Caller, action: AuditAction, cluster: Cluster
    ) -> None:
        self.tenancy.audit(session, caller, action, "cluster", cluster.id, _ref(cluster))


def acting(cluster: Cluster) -> Caller:
    """The cluster itself, when the worker deletes a node: an actor of the customer's."""
    actor = Actor(
        cluster.id,
        f"cluster:{cluster.name}",
        UserRole.CUSTOMER_MEMBER,
        partner_id=cluster.partner_id,
        customer_id=cluster.customer_id,
        system=True,
    )
    return Caller(actor, f"cluster:{cluster.name}"[:64])


def _body_of(spec: ClusterSpec, before: dict[str, Any]) -> dict[str, Any]:
    counts = {g.name: g.count for g in spec.groups}
    groups = [{**g, "count": counts[g["name"]]} for g in before["node_groups"]]
    return {**before, "node_groups": groups}


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH or not all(c.isalnum() or c == "-" for c in name):
        raise ValidationFailed.one("name", f"letters, digits and -, 1 to {NAME_LENGTH}")
    return name
