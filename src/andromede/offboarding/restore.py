"""Restoring an export into a customer, pure (SecNumCloud 19.1.h-i, reversibility): what
of a ``andromede.customer-export/1`` document is rebuilt, in which order, and how its ids
map to the new ones. The configuration is rebuilt — projects, keypairs, server groups,
security groups and their rules, networks and subnets, volumes (blank: their contents are
the export's downloads), residency policies; servers are the customer's workloads,
started again by its own tooling from that configuration."""

from collections.abc import Mapping, Sequence
from typing import Any

from andromede.compute.security_rules import TRAFFIC_FIELDS
from andromede.kernel.errors import ValidationFailed

__all__ = ["RULE_FIELDS", "check_document", "latest_policies", "rule_key", "volume_fields"]

FORMAT = "andromede.customer-export/1"
RULE_FIELDS = TRAFFIC_FIELDS
SECTIONS = (
    "projects",
    "keypairs",
    "server_groups",
    "security_groups",
    "networks",
    "volumes",
    "policies",
)


def check_document(document: Mapping[str, Any]) -> None:
    if document.get("format") != FORMAT:
        raise ValidationFailed.one("format", f"expected {FORMAT}")
    for section in SECTIONS:
        rows = document.get(section, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValidationFailed.one(section, "must be a list of objects")


def volume_fields(volume: Mapping[str, Any], projects: Mapping[str, str]) -> dict[str, Any]:
    """What a volume is made again with, in the project its old one maps to."""
    project = projects.get(str(volume.get("project_id")))
    size = volume.get("size_gib")
    if project is None or not isinstance(size, int) or isinstance(size, bool):
        raise ValidationFailed.one("volumes", "each volume names an exported project and a size")
    metadata = volume.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValidationFailed.one("volumes", "a volume's metadata is an object")
    return {
        "project_id": project,
        "size_gib": size,
        "name": str(volume.get("name") or ""),
        "description": str(volume.get("description") or ""),
        "volume_type": volume.get("volume_type"),
        "region": volume.get("region"),
        "zone": volume.get("zone"),
        "metadata": {str(k): str(v) for k, v in metadata.items()},
    }


def rule_key(rule: Mapping[str, Any], groups: Mapping[str, str]) -> tuple[Any, ...]:
    """A rule as a comparable value, its remote group named by the new id."""
    remote = rule.get("remote_group_id")
    values = {**rule, "remote_group_id": groups.get(remote, remote) if remote else None}
    return tuple(values.get(f) for f in RULE_FIELDS)


def latest_policies(policies: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The version in force of each scope's policy (the history stays with the export)."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for policy in policies:
        scope = (str(policy["scope_type"]), str(policy["scope_id"]))
        if scope not in latest or int(policy["version"]) > int(latest[scope]["version"]):
            latest[scope] = policy
    return [latest[k] for k in sorted(latest, key=lambda k: k[0] != "customer")]
