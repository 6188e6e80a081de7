"""Use cases of security groups: a project's groups and rules, the default group made on
first use as Neutron makes it, and the groups each server is in (what the region's
firewall is given for its ports; a change to a server's groups or their rules reaches its
hypervisor at the reconciler's next pass).

Both faces call these: the Neutron API, Nova's ``security_groups`` on create and its
add/remove actions, and ``/v1``. The rule itself is checked by ``security_rules``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import security_group_store as sg_store
from andromede.compute import store
from andromede.compute.firewall_push_store import want_push
from andromede.compute.security_group_store import (
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
    ServerSecurityGroup,
)
from andromede.compute.security_rules import Rule, RuleRefused, default_rules, parse_rule
from andromede.db import flush_unique, insert_unique
from andromede.kernel.errors import Conflict, NotFound, QuotaExceeded, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.names import display_name
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller, may_change_resources
from andromede.tenancy.service import Project

__all__ = ["RuleInput", "SecurityGroup", "SecurityGroupRule", "SecurityGroupService"]

DEFAULT = "default"
MAX_DESCRIPTION = 255
MAX_GROUPS = 10  # per project, Neutron's default quotas (the default group counts)
MAX_RULES = 100  # per project, over all its groups
LIST_MAX = 10_000  # a project's groups and rules are a few dozen; Neutron does not page them


@dataclass(frozen=True)
class RuleInput:
    """A rule as a client sent it; ``parse_rule`` decides what it means."""

    direction: object
    ethertype: object = "IPv4"
    protocol: object = None
    port_range_min: object = None
    port_range_max: object = None
    remote_ip_prefix: object = None
    remote_group_id: object = None
    description: str = ""


def _description(value: object) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed.one("description", f"at most {MAX_DESCRIPTION} characters")
    return text


class SecurityGroupService(ProjectResources):
    # -- groups ----------------------------------------------------------------
    def default_group(self, session: Session, project: Project) -> SecurityGroup:
        """Neutron's default group of a project, with its four rules, made on first use."""
        found = sg_store.default_group(session, project.id)
        if found is not None:
            return found
        now = self.clock.now()
        group = self._group(project, DEFAULT, "Default security group", default=True)
        try:
            insert_unique(session, group, "default group exists")
        except Conflict:  # made meanwhile by a concurrent request of the project
            made = sg_store.default_group(session, project.id)
            assert made is not None
            return made
        for rule in default_rules(group.id):
            session.add(self._rule_row(group, rule, "", now))
        session.flush()
        return group

    def _group(
        self, project: Project, name: str, description: str, *, default: bool = False
    ) -> SecurityGroup:
        now = self.clock.now()
        return SecurityGroup(
            id=new_id(),
            name=name,
            description=description,
            is_default=default,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )

    def create_group(
        self, session: Session, caller: Caller, *, project_id: str, name: str, description: str
    ) -> SecurityGroup:
        """A new group admits nothing in and everything out, as Neutron's."""
        project = self.project_for_write(session, caller, project_id)
        self.default_group(session, project)  # ``default`` is then taken: a twin is a 409
        _within(session, SecurityGroup, project.id, "security_groups", MAX_GROUPS, 1)
        _within(session, SecurityGroupRule, project.id, "security_group_rules", MAX_RULES, 2)
        group = self._group(project, _name(name), _description(description))
        insert_unique(session, group, f"security group {group.name!r} already exists")
        now = self.clock.now()
        for rule in default_rules(group.id)[:2]:
            session.add(self._rule_row(group, rule, "", now))
        session.flush()
        self._audit(session, caller, AuditAction.SECURITY_GROUP_CREATE, group)
        return group

    def list_groups(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[SecurityGroup]:
        """The project's groups (its default made on first look), or all the caller sees."""
        if project_id is None:
            return self.page(session, caller, SecurityGroup, limit=LIST_MAX, marker=None)
        project = self.visible_project(session, caller, project_id)
        if may_change_resources(caller.actor, ref_of_project(project)):
            self.default_group(session, project)  # a reader's look makes nothing
        return self.page(
            session, caller, SecurityGroup, limit=LIST_MAX, marker=None, project_id=project.id
        )

    def get_group(self, session: Session, caller: Caller, group_id: str) -> SecurityGroup:
        return self.visible_row(session, caller, SecurityGroup, "security group", group_id)

    def update_group(
        self,
        session: Session,
        caller: Caller,
        group_id: str,
        *,
        name: str | None,
        description: str | None,
    ) -> SecurityGroup:
        group = self._writable(session, caller, group_id)
        if name is not None and name != group.name:
            if group.is_default:
                raise Conflict("the default security group cannot be renamed")
            group.name = _name(name)
        if description is not None:
            group.description = _description(description)
        group.updated_at = self.clock.now()
        flush_unique(session, f"security group {group.name!r} already exists")
        self._audit(session, caller, AuditAction.SECURITY_GROUP_UPDATE, group)
        return group

    def delete_group(self, session: Session, caller: Caller, group_id: str) -> None:
        group = self._writable(session, caller, group_id)
        if group.is_default:
            raise Conflict("the default security group cannot be deleted")
        users = sg_store.servers_in(session, group.id)
        if users:
            raise Conflict(
                f"security group {group.name!r} is in use by {len(users)} server(s) or port(s)"
            )
        naming = sg_store.groups_naming(session, group.id)
        sg_store.drop_rules_naming(session, group.id)
        want_push(session, sg_store.server_ids_in(session, naming))
        session.delete(group)
        self._audit(session, caller, AuditAction.SECURITY_GROUP_DELETE, group)

    def _writable(self, session: Session, caller: Caller, group_id: str) -> SecurityGroup:
        return self.visible_row(
            session, caller, SecurityGroup, "security group", group_id, write=True
        )

    def _audit(
        self, session: Session, caller: Caller, action: AuditAction, row: SecurityGroup
    ) -> None:
        self.tenancy.audit(session, caller, action, "security_group", row.id, ref_of(row))

    # -- rules -----------------------------------------------------------------
    @staticmethod
    def traffic(rule: SecurityGroupRule) -> dict[str, object]:
        """What a rule admits, as plain data: the part of a rule every view shows."""
        return sg_store.traffic(rule)

    def rules(self, session: Session, group_ids: list[str]) -> list[SecurityGroupRule]:
        return sg_store.rules_of(session, group_ids)

    def create_rule(
        self, session: Session, caller: Caller, group_id: str, wanted: RuleInput
    ) -> SecurityGroupRule:
        group = self._writable(session, caller, group_id)
        try:
            rule = parse_rule(
                direction=wanted.direction,
                ethertype=wanted.ethertype,
                protocol=wanted.protocol,
                port_range_min=wanted.port_range_min,
                port_range_max=wanted.port_range_max,
                remote_ip_prefix=wanted.remote_ip_prefix,
                remote_group_id=wanted.remote_group_id,
            )
        except RuleRefused as refused:
            raise ValidationFailed.one(refused.field, refused.message) from None
        if rule.remote_group_id is not None:
            remote = sg_store.groups_named(session, group.project_id, [rule.remote_group_id])
            if not any(g.id == rule.remote_group_id for g in remote):
                raise NotFound("security group", rule.remote_group_id)
        _within(session, SecurityGroupRule, group.project_id, "security_group_rules", MAX_RULES, 1)
        row = self._rule_row(group, rule, _description(wanted.description), self.clock.now())
        insert_unique(session, row, "a rule admitting the same traffic exists in the group")
        want_push(session, sg_store.server_ids_in(session, [group.id]))
        self.tenancy.audit(
            session,
            caller,
            AuditAction.SECURITY_GROUP_RULE_CREATE,
            "security_group_rule",
            row.id,
            ref_of(row),
        )
        return row

    def _rule_row(
        self, group: SecurityGroup, rule: Rule, description: str, at: object
    ) -> SecurityGroupRule:
        return SecurityGroupRule(
            id=new_id(),
            security_group_id=group.id,
            direction=rule.direction,
            ethertype=rule.ethertype,
            protocol=rule.protocol,
            port_range_min=rule.port_range_min,
            port_range_max=rule.port_range_max,
            remote_ip_prefix=rule.remote_ip_prefix,
            remote_group_id=rule.remote_group_id,
            description=description,
            signature=rule.signature(),
            created_at=at,
            partner_id=group.partner_id,
            customer_id=group.customer_id,
            project_id=group.project_id,
        )

    def get_rule(self, session: Session, caller: Caller, rule_id: str) -> SecurityGroupRule:
        return self.visible_row(session, caller, SecurityGroupRule, "security group rule", rule_id)

    def list_rules(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[SecurityGroupRule]:
        if project_id is None:
            return self.page(session, caller, SecurityGroupRule, limit=LIST_MAX, marker=None)
        return self.page(
            session, caller, SecurityGroupRule, limit=LIST_MAX, marker=None, project_id=project_id
        )

    def delete_rule(self, session: Session, caller: Caller, rule_id: str) -> None:
        row = self.visible_row(
            session, caller, SecurityGroupRule, "security group rule", rule_id, write=True
        )
        session.delete(row)
        want_push(session, sg_store.server_ids_in(session, [row.security_group_id]))
        self.tenancy.audit(
            session,
            caller,
            AuditAction.SECURITY_GROUP_RULE_DELETE,
            "security_group_rule",
            row.id,
            ref_of(row),
        )

    # -- servers ---------------------------------------------------------------
    def for_server(
        self, session: Session, project: Project, refs: Sequence[str] | None
    ) -> list[SecurityGroup]:
        """The groups a new server joins: those named (by name or id, in its project), or
        the project's default group when none is named."""
        if not refs:
            return [self.default_group(session, project)]
        if DEFAULT in refs:
            self.default_group(session, project)
        wanted = list(dict.fromkeys(refs))
        found = sg_store.groups_named(session, project.id, wanted)
        known = {g.id for g in found} | {g.name for g in found}
        missing = [ref for ref in wanted if ref not in known]
        if missing:
            raise ValidationFailed.one("security_groups", f"no security group {missing[0]!r}")
        return found

    def join(self, session: Session, server_id: str, groups: list[SecurityGroup]) -> None:
        for group in groups:
            session.add(ServerSecurityGroup(server_id=server_id, security_group_id=group.id))

    def join_port(self, session: Session, port_id: str, groups: list[SecurityGroup]) -> None:
        sg_store.unlink_port(session, port_id)
        for group in groups:
            session.add(PortSecurityGroup(port_id=port_id, security_group_id=group.id))

    def leave_port(self, session: Session, port_id: str) -> None:
        sg_store.unlink_port(session, port_id)

    def groups_of_ports(self, session: Session, port_ids: list[str]) -> dict[str, list[str]]:
        """port id → ids of its groups."""
        found: dict[str, list[str]] = {}
        for port_id, group_id in sg_store.groups_of_ports(session, port_ids):
            found.setdefault(port_id, []).append(group_id)
        return found

    def group_ids_of_servers(self, session: Session, server_ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for server_id, group in sg_store.groups_of_servers(session, server_ids):
            found.setdefault(server_id, []).append(group.id)
        return found

    def groups_of(self, session: Session, server_ids: list[str]) -> dict[str, list[str]]:
        """server id → names of its groups."""
        found: dict[str, list[str]] = {}
        for server_id, name in sg_store.names_of_servers(session, server_ids):
            found.setdefault(server_id, []).append(name)
        return found

    def add_to_server(
        self, session: Session, project: Project, server_id: str, ref: str
    ) -> SecurityGroup:
        group = self.for_server(session, project, [ref])[0]
        if group.id in {g.id for _, g in sg_store.groups_of_servers(session, [server_id])}:
            raise ValidationFailed.one("name", f"the server is already in {group.name!r}")
        session.add(ServerSecurityGroup(server_id=server_id, security_group_id=group.id))
        want_push(session, [server_id])
        return group

    def remove_from_server(
        self, session: Session, project: Project, server_id: str, ref: str
    ) -> SecurityGroup:
        group = self.for_server(session, project, [ref])[0]
        if not sg_store.unlink(session, server_id, group.id):
            raise ValidationFailed.one("name", f"the server is not in {group.name!r}")
        want_push(session, [server_id])
        return group

    def in_use(self, session: Session, project_id: str) -> dict[str, int]:
        """What the project's security groups count against their quotas."""
        return {
            "security_groups": store.count_in_project(session, SecurityGroup, project_id),
            "security_group_rules": store.count_in_project(session, SecurityGroupRule, project_id),
        }

    def customer_groups(self, session: Session, customer_id: str) -> list[dict[str, Any]]:
        """A customer's groups with their rules, as plain data (its export)."""
        groups = sg_store.of_customer(session, customer_id)
        rules = sg_store.rules_of(session, [g.id for g in groups])
        return [
            {
                "id": g.id,
                "project_id": g.project_id,
                "name": g.name,
                "description": g.description,
                "rules": [sg_store.traffic(r) for r in rules if r.security_group_id == g.id],
            }
            for g in groups
        ]

    def erase_customer(self, session: Session, customer_id: str) -> list[str]:
        """Offboarding's erasure: the customer's groups, rules and links, gone."""
        return sg_store.erase_customer(session, customer_id)


def _name(name: str) -> str:
    if name == DEFAULT:
        raise Conflict("the name 'default' is the project's default group")
    return display_name("name", name or "", 255)


def _within(
    session: Session, model: type[Any], project_id: str, quota: str, limit: int, wanted: int
) -> None:
    used = store.count_in_project(session, model, project_id)
    if used + wanted > limit:
        raise QuotaExceeded(quota, limit, used, wanted)


def ref_of_project(project: Project) -> TenantRef:
    return TenantRef(project.partner_id, project.customer_id, project.id)
