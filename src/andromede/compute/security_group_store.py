"""Tables and queries of security groups, their rules, and the groups of each server."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.security_rules import GroupRules, Rule
from andromede.compute.store import _Tenanted
from andromede.db import Base, UTCDateTime

__all__ = ["PortSecurityGroup", "SecurityGroup", "SecurityGroupRule", "ServerSecurityGroup"]


class SecurityGroup(_Tenanted, Base):
    """Names are unique in a project (Neutron allows twins; clients that address groups by
    name, as the CLI does, then fail) — so ``default`` is one group, made on first use."""

    __tablename__ = "security_groups"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SecurityGroupRule(_Tenanted, Base):
    """``signature`` is the rule's traffic (``Rule.signature``): unique in its group, so a
    second rule admitting the same is refused even when two requests race."""

    __tablename__ = "security_group_rules"
    __table_args__ = (UniqueConstraint("security_group_id", "signature"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(ForeignKey("security_groups.id"), index=True)
    direction: Mapped[str] = mapped_column(String(7))
    ethertype: Mapped[str] = mapped_column(String(4))
    protocol: Mapped[str | None] = mapped_column(String(20))
    port_range_min: Mapped[int | None] = mapped_column(Integer)
    port_range_max: Mapped[int | None] = mapped_column(Integer)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(43))
    remote_group_id: Mapped[str | None] = mapped_column(String(36), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    signature: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServerSecurityGroup(Base):
    __tablename__ = "server_security_groups"

    server_id: Mapped[str] = mapped_column(ForeignKey("servers.id"), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("security_groups.id"), primary_key=True, index=True
    )


class PortSecurityGroup(Base):
    """The groups of a port made through Neutron; a server's ports take the server's."""

    __tablename__ = "port_security_groups"

    port_id: Mapped[str] = mapped_column(ForeignKey("ports.id"), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        ForeignKey("security_groups.id"), primary_key=True, index=True
    )


def default_group(session: Session, project_id: str) -> SecurityGroup | None:
    return session.scalars(_DEFAULT_GROUP, {"project_id": project_id}).first()


_DEFAULT_GROUP = select(SecurityGroup).where(  # built once: every create reads it
    SecurityGroup.project_id == bindparam("project_id"), SecurityGroup.is_default.is_(True)
)


def groups_named(session: Session, project_id: str, refs: list[str]) -> list[SecurityGroup]:
    """The project's groups whose id or name is among ``refs``."""
    return list(
        session.scalars(
            select(SecurityGroup).where(
                SecurityGroup.project_id == project_id,
                SecurityGroup.id.in_(refs) | SecurityGroup.name.in_(refs),
            )
        )
    )


def rules_of(session: Session, group_ids: list[str]) -> list[SecurityGroupRule]:
    return list(session.scalars(_RULES_OF, {"ids": group_ids}))


def groups_of_servers(session: Session, server_ids: list[str]) -> list[tuple[str, SecurityGroup]]:
    rows = session.execute(_GROUPS_OF_SERVERS, {"ids": server_ids})
    return [(server_id, group) for server_id, group in rows]


# Built once: each build reads both (a statement costs about as much to build as to run)
_RULES_OF = (
    select(SecurityGroupRule)
    .where(SecurityGroupRule.security_group_id.in_(bindparam("ids", expanding=True)))
    .order_by(SecurityGroupRule.created_at, SecurityGroupRule.id)
)
_GROUPS_OF_SERVERS = (
    select(ServerSecurityGroup.server_id, SecurityGroup)
    .join(SecurityGroup, SecurityGroup.id == ServerSecurityGroup.security_group_id)
    .where(ServerSecurityGroup.server_id.in_(bindparam("ids", expanding=True)))
    .order_by(SecurityGroup.name)
)


def names_of_servers(session: Session, server_ids: list[str]) -> list[tuple[str, str]]:
    """(server id, group name) pairs, plain columns: a list of 1,000 servers reads them."""
    rows = session.execute(
        select(ServerSecurityGroup.server_id, SecurityGroup.name)
        .join(SecurityGroup, SecurityGroup.id == ServerSecurityGroup.security_group_id)
        .where(ServerSecurityGroup.server_id.in_(server_ids))
        .order_by(SecurityGroup.name)
    )
    return [(server_id, name) for server_id, name in rows]


def servers_in(session: Session, group_id: str) -> list[str]:
    """The servers and the ports that are in the group."""
    servers = select(ServerSecurityGroup.server_id).where(
        ServerSecurityGroup.security_group_id == group_id
    )
    ports = select(PortSecurityGroup.port_id).where(PortSecurityGroup.security_group_id == group_id)
    return list(session.scalars(servers)) + list(session.scalars(ports))


def server_ids_in(session: Session, group_ids: list[str]) -> list[str]:
    """The servers in any of these groups (whose firewall changes with them)."""
    query = select(ServerSecurityGroup.server_id).where(
        ServerSecurityGroup.security_group_id.in_(group_ids)
    )
    return list(dict.fromkeys(session.scalars(query)))


def groups_naming(session: Session, group_id: str) -> list[str]:
    """The groups with a rule whose remote is this group."""
    query = select(SecurityGroupRule.security_group_id).where(
        SecurityGroupRule.remote_group_id == group_id
    )
    return list(dict.fromkeys(session.scalars(query)))


def groups_of_ports(session: Session, port_ids: list[str]) -> list[tuple[str, str]]:
    """(port id, group id) pairs."""
    rows = session.execute(
        select(PortSecurityGroup.port_id, PortSecurityGroup.security_group_id).where(
            PortSecurityGroup.port_id.in_(port_ids)
        )
    )
    return [(port_id, group_id) for port_id, group_id in rows]


def unlink_port(session: Session, port_id: str) -> None:
    session.execute(delete(PortSecurityGroup).where(PortSecurityGroup.port_id == port_id))


def drop_rules_naming(session: Session, group_id: str) -> None:
    """A deleted group's own rules, and the rules of other groups that named it as their
    remote (Neutron removes them with it)."""
    session.execute(
        delete(SecurityGroupRule).where(
            (SecurityGroupRule.security_group_id == group_id)
            | (SecurityGroupRule.remote_group_id == group_id)
        )
    )


def unlink(session: Session, server_id: str, group_id: str | None = None) -> int:
    query = delete(ServerSecurityGroup).where(ServerSecurityGroup.server_id == server_id)
    if group_id is not None:
        query = query.where(ServerSecurityGroup.security_group_id == group_id)
    return session.execute(query).rowcount  # type: ignore[attr-defined,no-any-return]


def firewall_of(session: Session, server_id: str) -> tuple[GroupRules, ...]:
    """The server's groups with their rules: what the driver applies to its ports."""
    group_ids = [g.id for _, g in groups_of_servers(session, [server_id])]
    rules: dict[str, list[Rule]] = {group_id: [] for group_id in group_ids}
    for row in rules_of(session, group_ids):
        rules[row.security_group_id].append(_rule(row))
    return tuple(GroupRules(group_id, tuple(each)) for group_id, each in rules.items())


def traffic(row: SecurityGroupRule) -> dict[str, object]:
    """The fields of a rule that say what it admits, as plain data (views, exports)."""
    return {
        "direction": row.direction,
        "ethertype": row.ethertype,
        "protocol": row.protocol,
        "port_range_min": row.port_range_min,
        "port_range_max": row.port_range_max,
        "remote_ip_prefix": row.remote_ip_prefix,
        "remote_group_id": row.remote_group_id,
    }


def _rule(row: SecurityGroupRule) -> Rule:
    return Rule(
        row.direction,
        row.ethertype,
        row.protocol,
        row.port_range_min,
        row.port_range_max,
        row.remote_ip_prefix,
        row.remote_group_id,
    )


def of_customer(session: Session, customer_id: str) -> list[SecurityGroup]:
    query = select(SecurityGroup).where(SecurityGroup.customer_id == customer_id)
    return list(session.scalars(query.order_by(SecurityGroup.project_id, SecurityGroup.name)))


def erase_customer(session: Session, customer_id: str) -> list[str]:
    """Every group of the customer with its rules and server links (erasure); their ids."""
    group_ids = list(
        session.scalars(select(SecurityGroup.id).where(SecurityGroup.customer_id == customer_id))
    )
    if group_ids:
        session.execute(
            delete(ServerSecurityGroup).where(ServerSecurityGroup.security_group_id.in_(group_ids))
        )
        session.execute(
            delete(PortSecurityGroup).where(PortSecurityGroup.security_group_id.in_(group_ids))
        )
        session.execute(
            delete(SecurityGroupRule).where(SecurityGroupRule.customer_id == customer_id)
        )
        session.execute(delete(SecurityGroup).where(SecurityGroup.id.in_(group_ids)))
    return sorted(group_ids)
