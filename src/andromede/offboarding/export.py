"""The customer's inventory as one JSON document (format ``andromede.customer-export/1``,
described field by field in docs/customer-export.md). Rows in, plain JSON values out:
times as ISO 8601 UTC, money as decimal strings, no secret (no password hash, no MFA
secret, no token)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["FORMAT", "export_document"]

FORMAT = "andromede.customer-export/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_document(
    *,
    generated_at: datetime,
    customer: Any,
    projects: Sequence[Any],
    users: Sequence[Any],
    servers: Sequence[Any],
    keypairs: Sequence[Any],
    server_groups: Sequence[Any],
    security_groups: Sequence[dict[str, Any]],
    images: Sequence[Any],
    volumes: Sequence[Any],
    networking: dict[str, list[Any]],
    policies: Sequence[Any],
    invoices: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generated_at": generated_at.isoformat(),
        "customer": {
            "id": customer.id,
            "partner_id": customer.partner_id,
            "name": customer.name,
            "country": customer.country,
            "siren": customer.siren,
            "vat_number": customer.vat_number,
            "address": customer.address,
            "public_sector": customer.public_sector,
            "status": customer.status,
            "created_at": _iso(customer.created_at),
            "erasure_due_at": _iso(customer.erasure_due_at),
        },
        "projects": [
            {
                "id": p.id,
                "name": p.name,
                "quota_instances": p.quota_instances,
                "quota_cores": p.quota_cores,
                "quota_ram_mib": p.quota_ram_mib,
                "quota_storage_gib": p.quota_storage_gib,
                "created_at": _iso(p.created_at),
            }
            for p in projects
        ],
        "users": [
            {
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "mfa_active": u.mfa_enabled_at is not None,
                "created_at": _iso(u.created_at),
            }
            for u in users
        ],
        "servers": [_server(s) for s in sorted(servers, key=lambda s: s.id)],
        "keypairs": [
            {
                "id": k.id,
                "project_id": k.project_id,
                "name": k.name,
                "type": k.key_type,
                "fingerprint": k.fingerprint,
                "public_key": k.public_key,
                "created_at": _iso(k.created_at),
            }
            for k in keypairs
        ],
        "server_groups": [
            {"id": g.id, "project_id": g.project_id, "name": g.name, "policy": g.policy}
            for g in server_groups
        ],
        "security_groups": list(security_groups),
        "images": [
            {
                "id": i.id,
                "project_id": i.owner_project_id,
                "name": i.name,
                "status": i.status,
                "visibility": i.visibility,
                "disk_format": i.disk_format,
                "size": i.size_bytes,
                "checksum": i.checksum,
                "os_hash_value": i.os_hash_value,
                "region": i.region_code,
                "properties": dict(i.properties or {}),
                "created_at": _iso(i.created_at),
            }
            for i in images
        ],
        "volumes": [_volume(v) for v in volumes],
        **networking,
        "policies": [
            {
                "scope_type": p.scope_type,
                "scope_id": p.scope_id,
                "version": p.version,
                "allow": list(p.allow),
                "deny": list(p.deny),
                "min_certification": p.min_certification,
                "mode": p.mode,
                "created_at": _iso(p.created_at),
            }
            for p in policies
        ],
        "invoices": [
            {
                key: doc[key]
                for key in (
                    "id",
                    "number",
                    "kind",
                    "issue_date",
                    "period_start",
                    "period_end",
                    "due_date",
                    "currency",
                    "total_excl_vat",
                    "vat_total",
                    "total_incl_vat",
                    "credits_invoice_id",
                )
            }
            | {"issuer": doc["issuer"].get("name")}
            for doc in invoices
        ],
    }


def _volume(v: Any) -> dict[str, Any]:
    """A volume's configuration and the link its contents are downloaded from (raw)."""
    return {
        "id": v.id,
        "project_id": v.project_id,
        "name": v.name,
        "description": v.description,
        "size_gib": v.size_gib,
        "volume_type": v.volume_type,
        "region": v.region_code,
        "zone": v.zone_code,
        "bootable": v.bootable,
        "multiattach": v.multiattach,
        "status": v.status,
        "image_id": v.image_id,
        "metadata": dict(v.metadata_ or {}),
        "created_at": _iso(v.created_at),
        "content": f"/v1/volumes/{v.id}/content",
    }


def _server(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "project_id": s.project_id,
        "name": s.name,
        "status": s.status,
        "flavor_id": s.flavor_id,
        "image_id": s.image_id,
        "vcpus": s.vcpus,
        "ram_mib": s.ram_mib,
        "disk_gib": s.disk_gib,
        "root_volume_gib": s.root_volume_gib,
        "region": s.region_code,
        "zone": s.zone_code,
        "key_name": s.key_name,
        "server_group_id": s.server_group_id,
        "created_at": _iso(s.created_at),
    }
