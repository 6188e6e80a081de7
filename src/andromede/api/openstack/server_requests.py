"""A Nova server create body read into our ``ServerRequest``, as each microversion allows
it: ``networks`` a list or, from 2.37, ``"auto"``/``"none"`` and then required; a device
``tag`` on a network from 2.32; ``description`` from 2.19; ``tags`` from 2.52;
``personality`` until 2.56 (files are not injected here: accepted, then ignored, as a cloud
without file injection does); ``trusted_image_certificates`` from 2.63 (refused: image
signature validation is not enabled); a root volume's ``volume_type`` from 2.67. A key a
version does not know is a 400, as Nova's schemas make it."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from andromede.compute.network_service import PORT
from andromede.compute.server_fields import MAX_TAG_LENGTH
from andromede.compute.server_service import ServerRequest
from andromede.kernel.bounds import bounded_int
from andromede.kernel.errors import ValidationFailed

__all__ = ["MAX_COUNT", "counts", "create_request", "ref", "text_name", "user_data"]

Version = tuple[int, int]
MAX_COUNT = 100  # servers per multiple create
SINCE = {  # create keys that a microversion brought
    "description": (2, 19),
    "tags": (2, 52),
    "trusted_image_certificates": (2, 63),
}
UNTIL = {"personality": (2, 56)}  # create keys a microversion removed


def ref(value: Any, field: str) -> str:
    """An id, or an href whose last segment is the id."""
    if not isinstance(value, str) or not value:
        raise ValidationFailed.one(field, "is required")
    return value.rstrip("/").rsplit("/", 1)[-1]


def _network(item: Any, version: Version) -> str:
    if not isinstance(item, dict) or not (item.get("uuid") or item.get("port")):
        raise ValidationFailed.one("networks", "each item needs a uuid or a port")
    if "tag" in item:
        if version < (2, 32):
            raise ValidationFailed.one("networks.tag", "a device tag needs microversion 2.32")
        tag = item["tag"]
        if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TAG_LENGTH or "/" in tag:
            raise ValidationFailed.one("networks.tag", "1 to 60 characters without '/'")
    return f"{PORT}{item['port']}" if item.get("port") else str(item["uuid"])


def networks(data: dict[str, Any], version: Version) -> tuple[str, ...] | None:
    """None: the region's network for the project (Nova's ``auto``); ("none",): none."""
    if "networks" not in data:
        if version >= (2, 37):
            raise ValidationFailed.one("networks", 'required from 2.37: a list, "auto" or "none"')
        return None
    value = data["networks"]
    if value in ("auto", "none"):
        if version < (2, 37):
            raise ValidationFailed.one("networks", f'"{value}" needs microversion 2.37')
        return None if value == "auto" else ("none",)
    if not isinstance(value, list):
        raise ValidationFailed.one("networks", 'a list, "auto" or "none"')
    return tuple(_network(item, version) for item in value) or None


@dataclass(frozen=True)
class Boot:
    """What the server boots: an image, onto a root volume of ``volume_gib`` when the
    block device mapping's destination is a volume (``volume_gib`` 0: the image's size)."""

    image: str
    volume_gib: int | None = None
    volume_type: str | None = None
    # a root volume made for a diskless flavor goes with its server; a mapped one stays,
    # unless the mapping says otherwise (Nova's default)
    delete_on_termination: bool = True


def _image(data: dict[str, Any], version: Version) -> Boot:
    """imageRef, or a block_device_mapping_v2 booting from an image (onto a volume when
    its destination is a volume)."""
    bdm = data.get("block_device_mapping_v2") or []
    boot = next((b for b in bdm if isinstance(b, dict) and str(b.get("boot_index")) == "0"), None)
    kind = boot.get("volume_type") if boot else None
    if kind is not None and (version < (2, 67) or not isinstance(kind, str)):
        raise ValidationFailed.one("volume_type", "a volume type needs microversion 2.67")
    if boot and boot.get("source_type") == "image" and boot.get("destination_type") == "volume":
        size = boot.get("volume_size")
        volume = bounded_int("volume_size", size, low=1) if size is not None else 0
        delete = boot.get("delete_on_termination", False)
        if not isinstance(delete, bool):
            raise ValidationFailed.one("delete_on_termination", "true or false")
        image = ref(boot.get("uuid"), "block_device_mapping_v2.uuid")
        return Boot(image, volume, kind, delete)
    if boot and boot.get("source_type") == "volume":
        raise ValidationFailed.one(
            "block_device_mapping_v2", "booting an existing volume is not offered yet"
        )
    if kind is not None:
        raise ValidationFailed.one("volume_type", "only for a root volume made from an image")
    if data.get("imageRef"):
        return Boot(ref(data["imageRef"], "imageRef"))
    if boot and boot.get("source_type") == "image":
        return Boot(ref(boot.get("uuid"), "block_device_mapping_v2.uuid"))
    raise ValidationFailed.one("imageRef", "is required (or a bootable block_device_mapping_v2)")


def check_keys(data: dict[str, Any], version: Version, where: str = "server") -> None:
    """The keys a microversion does not know, refused as Nova's schema refuses them."""
    for key, first in SINCE.items():
        if key in data and version < first:
            raise ValidationFailed.one(
                f"{where}.{key}", f"needs microversion {first[0]}.{first[1]}"
            )
    for key, last in UNTIL.items():
        if key in data and version > last:
            raise ValidationFailed.one(
                f"{where}.{key}", f"removed after microversion {last[0]}.{last[1]}"
            )
    if data.get("trusted_image_certificates") is not None:
        raise ValidationFailed.one(
            "trusted_image_certificates", "image signature validation is not enabled here"
        )


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationFailed.one("tags", "a list of tags")
    return tuple(value)


def create_request(
    body: dict[str, Any], project_id: str, version: Version
) -> tuple[ServerRequest, str | None]:
    data = body.get("server")
    if not isinstance(data, dict):
        raise ValidationFailed.one("server", "is required")
    check_keys(data, version)
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValidationFailed.one("metadata", "must be an object")
    boot = _image(data, version)
    hints = body.get("os:scheduler_hints") or {}
    request = ServerRequest(
        project_id=project_id,
        name=text_name(data.get("name")),
        flavor=ref(data.get("flavorRef"), "flavorRef"),
        image=boot.image,
        region="",  # decided by the caller, from the zone or the policy
        zone=data.get("availability_zone") or None,
        server_group=hints.get("group") if isinstance(hints, dict) else None,
        key_name=data.get("key_name") or None,
        root_volume_gib=boot.volume_gib,
        root_volume_type=boot.volume_type,
        root_delete_on_termination=boot.delete_on_termination,
        networks=networks(data, version),
        metadata=tuple((str(k), str(v)) for k, v in metadata.items()),
        access_ipv4=data.get("accessIPv4") or None,
        access_ipv6=data.get("accessIPv6") or None,
        user_data=user_data(data.get("user_data")),
        security_groups=_security_groups(data.get("security_groups")),
        description=data.get("description"),
        tags=_tags(data.get("tags")),
    )
    return request, data.get("adminPass")


def _security_groups(value: Any) -> tuple[str, ...]:
    """``[{"name": ...}]``, each a group's name or id in the project; none: the default."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]
        for item in value
    ):
        raise ValidationFailed.one("security_groups", 'a list of {"name": ...}')
    return tuple(item["name"] for item in value)


def text_name(value: Any) -> str:
    """Nova's: text, not a number (a numeric name is a 400)."""
    if not isinstance(value, str):
        raise ValidationFailed.one("name", "must be a string")
    return value


def user_data(value: Any) -> str | None:
    """Nova takes cloud-init base64-encoded; it is kept as text for the hypervisor."""
    if value is None:
        return None
    try:
        return base64.b64decode(str(value), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValidationFailed.one("user_data", "must be base64-encoded text") from None


def counts(data: dict[str, Any]) -> tuple[int, int]:
    """(min_count, max_count): Nova makes as many as it can up to max, at least min."""
    low = bounded_int("min_count", data.get("min_count", 1), low=1)
    high = bounded_int("max_count", data.get("max_count", low), low=1)
    if low > high:
        raise ValidationFailed.one("min_count", "must not exceed max_count")
    if high > MAX_COUNT:
        raise ValidationFailed.one("max_count", f"at most {MAX_COUNT} servers per request")
    return low, high
