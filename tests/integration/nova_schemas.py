"""JSON schemas of Nova responses at microversion 2.1, and at 2.79 for what the later
microversions change, written from the Compute API reference (non-admin caller): every
required key present, no other key allowed."""

from typing import Any

import jsonschema

__all__ = ["validate"]

STR = {"type": "string"}
NULL_STR = {"type": ["string", "null"]}
LINKS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"href": STR, "rel": STR, "type": STR},
        "required": ["href", "rel"],
        "additionalProperties": False,
    },
}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


REF = obj({"id": STR, "links": LINKS})
ADDRESSES = {
    "type": "object",
    "additionalProperties": {
        "type": "array",
        "items": obj(
            {"version": {"enum": [4, 6]}, "addr": STR},
            {"OS-EXT-IPS:type": {"enum": ["fixed", "floating"]}, "OS-EXT-IPS-MAC:mac_addr": STR},
        ),
    },
}
SERVER = obj(
    {
        "id": STR,
        "name": STR,
        "status": STR,
        "image": {"oneOf": [REF, {"type": "string", "maxLength": 0}]},
        "flavor": REF,
        "user_id": STR,
        "tenant_id": STR,
        "created": STR,
        "updated": STR,
        "metadata": {"type": "object", "additionalProperties": STR},
        "links": LINKS,
        "addresses": ADDRESSES,
        "hostId": STR,
    },
    {
        "progress": {"type": "integer"},
        "accessIPv4": STR,
        "accessIPv6": STR,
        "fault": obj(
            {"code": {"type": "integer"}, "created": STR, "message": STR}, {"details": STR}
        ),
        "key_name": NULL_STR,
        "config_drive": STR,
        "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
        "OS-EXT-AZ:availability_zone": STR,
        "OS-EXT-STS:task_state": NULL_STR,
        "OS-EXT-STS:vm_state": STR,
        "OS-EXT-STS:power_state": {"type": "integer"},
        "OS-SRV-USG:launched_at": NULL_STR,
        "OS-SRV-USG:terminated_at": NULL_STR,
        "os-extended-volumes:volumes_attached": {
            "type": "array",
            "items": obj({"id": STR}, {"delete_on_termination": {"type": "boolean"}}),
        },
        "security_groups": {"type": "array", "items": obj({"name": STR})},
    },
)
FLAVOR = obj(
    {
        "id": STR,
        "name": STR,
        "links": LINKS,
        "ram": {"type": "integer"},
        "vcpus": {"type": "integer"},
        "disk": {"type": "integer"},
        "swap": {"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 0}]},
    },
    {
        "OS-FLV-EXT-DATA:ephemeral": {"type": "integer"},
        "OS-FLV-DISABLED:disabled": {"type": "boolean"},
        "os-flavor-access:is_public": {"type": "boolean"},
        "rxtx_factor": {"type": "number"},
    },
)
KEYPAIR_BRIEF = obj({"name": STR, "public_key": STR, "fingerprint": STR})
LIMIT_KEYS = [
    "maxImageMeta",
    "maxPersonality",
    "maxPersonalitySize",
    "maxSecurityGroupRules",
    "maxSecurityGroups",
    "maxServerMeta",
    "maxTotalCores",
    "maxTotalFloatingIps",
    "maxTotalInstances",
    "maxTotalKeypairs",
    "maxTotalRAMSize",
    "totalCoresUsed",
    "totalFloatingIpsUsed",
    "totalInstancesUsed",
    "totalRAMUsed",
    "totalSecurityGroupsUsed",
]
INT = {"type": "integer"}

VERSION = obj(
    {"id": STR, "links": LINKS, "status": STR, "updated": STR},
    {
        "version": STR,
        "min_version": STR,
        "media-types": {"type": "array", "items": obj({"base": STR, "type": STR})},
    },
)
GROUP = obj(
    {
        "id": STR,
        "name": STR,
        "policies": {"type": "array", "items": STR, "minItems": 1, "maxItems": 1},
        "members": {"type": "array", "items": STR},
        "metadata": {"type": "object"},
    }
)

SCHEMAS: dict[str, dict[str, Any]] = {
    "list_versions": obj({"versions": {"type": "array", "items": VERSION}}),
    "get_version": obj({"version": VERSION}),
    "list_flavors": obj(
        {"flavors": {"type": "array", "items": obj({"id": STR, "name": STR, "links": LINKS})}},
        {"flavors_links": LINKS},
    ),
    "get_extra_specs": obj({"extra_specs": {"type": "object", "additionalProperties": STR}}),
    "get_server_group": obj({"server_group": GROUP}),
    "list_server_groups": obj({"server_groups": {"type": "array", "items": GROUP}}),
    "list_availability_zones": obj(
        {
            "availabilityZoneInfo": {
                "type": "array",
                "items": obj(
                    {
                        "zoneName": STR,
                        "zoneState": obj({"available": {"type": "boolean"}}),
                        "hosts": {"type": "null"},
                    }
                ),
            }
        }
    ),
    "create_server": obj(
        {
            "server": obj(
                {"id": STR, "links": LINKS},
                {
                    "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                    "adminPass": STR,
                    "security_groups": {"type": "array", "items": obj({"name": STR})},
                },
            )
        }
    ),
    "get_server": obj({"server": SERVER}),
    "list_servers": obj(
        {"servers": {"type": "array", "items": obj({"id": STR, "name": STR, "links": LINKS})}},
        {"servers_links": LINKS},
    ),
    "list_servers_detail": obj(
        {"servers": {"type": "array", "items": SERVER}}, {"servers_links": LINKS}
    ),
    "get_flavor": obj({"flavor": FLAVOR}),
    "list_flavors_details": obj(
        {"flavors": {"type": "array", "items": FLAVOR}}, {"flavors_links": LINKS}
    ),
    "create_keypair": obj(
        {
            "keypair": obj(
                {"name": STR, "public_key": STR, "fingerprint": STR, "user_id": STR},
                {"private_key": STR},
            )
        }
    ),
    "get_keypair": obj(
        {
            "keypair": obj(
                {"name": STR, "public_key": STR, "fingerprint": STR, "user_id": STR},
                {
                    "id": INT,
                    "created_at": STR,
                    "updated_at": NULL_STR,
                    "deleted": {"type": "boolean"},
                    "deleted_at": NULL_STR,
                },
            )
        }
    ),
    "list_keypairs": obj({"keypairs": {"type": "array", "items": obj({"keypair": KEYPAIR_BRIEF})}}),
    "get_limit": obj(
        {
            "limits": obj(
                {
                    "absolute": obj(
                        {key: INT for key in LIMIT_KEYS},
                        {
                            "maxServerGroups": INT,
                            "maxServerGroupMembers": INT,
                            "totalServerGroupsUsed": INT,
                        },
                    ),
                    "rate": {"type": "array"},
                }
            )
        }
    ),
}


SERVER_279 = obj(
    {
        **SERVER["properties"],
        "locked": {"type": "boolean"},
        "description": NULL_STR,
        "tags": {"type": "array", "items": STR},
        "flavor": obj(
            {
                "vcpus": INT,
                "ram": INT,
                "disk": INT,
                "ephemeral": INT,
                "swap": INT,
                "original_name": STR,
                "extra_specs": {"type": "object", "additionalProperties": STR},
            }
        ),
        "trusted_image_certificates": {"type": ["array", "null"]},
        "locked_reason": NULL_STR,
    },
    {"server_groups": {"type": "array", "items": STR, "maxItems": 1}},
)
SERVER_279["required"] = [*SERVER["required"], "locked", "description", "tags"]
SERVER_279["required"] += ["trusted_image_certificates", "locked_reason"]
FLAVOR_275 = obj(
    {
        **FLAVOR["properties"],
        "swap": INT,
        "description": NULL_STR,
        "extra_specs": {"type": "object", "additionalProperties": STR},
    }
)
GROUP_264 = obj(
    {
        "id": STR,
        "name": STR,
        "policy": STR,
        "rules": {"type": "object"},
        "members": {"type": "array", "items": STR},
        "project_id": STR,
        "user_id": STR,
    }
)
LATER: dict[str, dict[str, Any]] = {
    "get_server_279": obj({"server": SERVER_279}),
    "list_servers_detail_279": obj(
        {"servers": {"type": "array", "items": SERVER_279}}, {"servers_links": LINKS}
    ),
    "get_flavor_275": obj({"flavor": FLAVOR_275}),
    "get_server_group_264": obj({"server_group": GROUP_264}),
}
SCHEMAS |= LATER


def validate(name: str, body: Any) -> None:
    jsonschema.validate(body, SCHEMAS[name])
