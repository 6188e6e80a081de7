"""Nova v2.1 response shapes, key for key as the Compute API reference gives them for a
non-admin caller (no OS-EXT-SRV-ATTR keys), with the keys each microversion adds or
changes: a server's ``locked`` (2.9), ``description`` (2.19), ``tags`` (2.26), its flavor
embedded (2.47), ``trusted_image_certificates`` (2.63), ``locked_reason`` (2.73); a
flavor's ``description`` (2.55), ``extra_specs`` (2.61) and a numeric ``swap`` (2.75)."""

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = [
    "DetailCache",
    "ListContext",
    "flavor_brief",
    "flavor_detail",
    "server_brief",
    "server_detail",
]


def iso(moment: datetime | None) -> str | None:
    """Nova's instants: UTC to the second with a Z (isoformat is several times faster than
    strftime, which counts on a list of 1,000 servers)."""
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


def links(base: str, collection: str, obj_id: str, self_link: bool = True) -> list[dict[str, str]]:
    found = [{"rel": "bookmark", "href": f"{base}/compute/{collection}/{obj_id}"}]
    if self_link:
        found.insert(0, {"rel": "self", "href": f"{base}/compute/v2.1/{collection}/{obj_id}"})
    return found


def flavor_brief(base: str, f: Any, version: tuple[int, int] = (2, 1)) -> dict[str, Any]:
    view = {"id": f.id, "name": f.name, "links": links(base, "flavors", f.id)}
    if version >= (2, 55):
        view["description"] = None
    return view


def flavor_detail(base: str, f: Any, version: tuple[int, int] = (2, 1)) -> dict[str, Any]:
    view = {
        "id": f.id,
        "name": f.name,
        "links": links(base, "flavors", f.id),
        "ram": f.ram_mib,
        "vcpus": f.vcpus,
        "disk": f.disk_gib,
        "swap": 0 if version >= (2, 75) else "",
        "rxtx_factor": 1.0,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": bool(f.is_public),
    }
    if version >= (2, 55):
        view["description"] = None
    if version >= (2, 61):
        view["extra_specs"] = dict(f.extra_specs or {})
    return view


def embedded_flavor(s: Any, flavor: Any) -> dict[str, Any]:
    """2.47: the flavor as the server was given it (its size now, after any resize)."""
    return {
        "vcpus": s.vcpus,
        "ram": s.ram_mib,
        "disk": s.disk_gib,
        "ephemeral": 0,
        "swap": 0,
        "original_name": flavor.name if flavor is not None else s.flavor_id,
        "extra_specs": dict(flavor.extra_specs or {}) if flavor is not None else {},
    }


# our status -> (Nova status, vm_state, power_state)
STATES = {
    "BUILD": ("BUILD", "building", 0),
    "ACTIVE": ("ACTIVE", "active", 1),
    "SHUTOFF": ("SHUTOFF", "stopped", 4),
    "REBOOT": ("REBOOT", "active", 1),
    "REBUILD": ("REBUILD", "active", 0),
    "ERROR": ("ERROR", "error", 0),
    "DELETED": ("DELETED", "deleted", 0),
}


PROGRESSING = frozenset({"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE"})


def task_state(s: Any) -> str | None:
    if s.desired == "DELETED":
        return "deleting"
    if s.status == "BUILD":
        return "spawning"
    if s.status == "REBOOT" and s.resized_from is not None:
        return "resize_finish"
    if s.status == "REBOOT":
        return "rebooting_hard" if s.reboot_type == "HARD" else "rebooting"
    if s.status == "REBUILD":
        return "rebuilding"
    if s.status == "ACTIVE" and s.desired == "SHUTOFF":
        return "powering-off"
    if s.status == "SHUTOFF" and s.desired == "ACTIVE":
        return "powering-on"
    return None


def server_brief(base: str, s: Any) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "links": links(base, "servers", s.id)}


class ListContext:
    """What the servers of one answer share, built once for all of them: the image and
    flavor references (the same few objects on a page of 1,000) and the hashed host ids."""

    def __init__(self, base: str, flavors: dict[str, Any] | None = None) -> None:
        self.base = base
        self.flavors = flavors or {}  # by id, for the embedded flavor of 2.47
        self._refs: dict[tuple[str, str], dict[str, Any]] = {}
        self._hosts: dict[tuple[str, str], str] = {}

    def ref(self, collection: str, obj_id: str) -> dict[str, Any]:
        found = self._refs.get((collection, obj_id))
        if found is None:
            found = {"id": obj_id, "links": links(self.base, collection, obj_id, False)}
            self._refs[(collection, obj_id)] = found
        return found

    def host_id(self, project_id: str, host_id: str | None) -> str:
        """Nova's hostId: the host hashed with the project, so projects cannot compare."""
        if not host_id:
            return ""
        found = self._hosts.get((project_id, host_id))
        if found is None:
            found = hashlib.sha224((project_id + host_id).encode()).hexdigest()
            self._hosts[(project_id, host_id)] = found
        return found


def server_detail(
    base: str,
    s: Any,
    addresses: dict[str, list[tuple[str, str, str]]],
    shared: ListContext | None = None,
    groups: list[str] | None = None,
    version: tuple[int, int] = (2, 1),
    tags: list[str] | None = None,
    volumes: list[tuple[str, bool]] | None = None,
) -> dict[str, Any]:
    """``volumes``: the ids of the volumes attached and their delete_on_termination."""
    shared = shared or ListContext(base)
    status, vm_state, power = STATES[s.status]
    if status == "REBOOT" and s.reboot_type == "HARD":
        status = "HARD_REBOOT"
    if s.resized_from is not None:  # a resize waiting for its confirmation
        if status in ("SHUTOFF", "ACTIVE"):
            status, vm_state = "VERIFY_RESIZE", "resized"
        elif status == "HARD_REBOOT":  # restarting at its new size
            status = "RESIZE"
    created = iso(s.created_at)
    view: dict[str, Any] = {
        "id": s.id,
        "name": s.name,
        "status": status,
        "tenant_id": s.project_id,
        "user_id": s.created_by,
        "metadata": dict(s.metadata_ or {}),
        "hostId": shared.host_id(s.project_id, s.host_id),
        # the image it was built from, even onto a root volume (a diskless SCS flavor):
        # that is what the user asked for and what OpenStack clients display
        "image": shared.ref("images", s.image_id),
        "flavor": shared.ref("flavors", s.flavor_id),
        "created": created,
        "updated": iso(s.updated_at),
        "addresses": {
            network: [
                {
                    "version": 6 if ":" in address else 4,
                    "addr": address,
                    "OS-EXT-IPS:type": kind,
                    "OS-EXT-IPS-MAC:mac_addr": mac,
                }
                for address, mac, kind in ports
            ]
            for network, ports in addresses.items()
        },
        "accessIPv4": s.access_ipv4 or "",
        "accessIPv6": s.access_ipv6 or "",
        "links": [
            {"rel": "self", "href": f"{base}/compute/v2.1/servers/{s.id}"},
            {"rel": "bookmark", "href": f"{base}/compute/servers/{s.id}"},
        ],
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": s.zone_code,
        "config_drive": "",
        "key_name": s.key_name,
        "OS-SRV-USG:launched_at": None if s.status == "BUILD" else created,
        "OS-SRV-USG:terminated_at": iso(s.deleted_at),
        "OS-EXT-STS:task_state": task_state(s),
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power,
        "os-extended-volumes:volumes_attached": [
            {"id": v, "delete_on_termination": d} if version >= (2, 3) else {"id": v}
            for v, d in volumes or ()
        ],
        "security_groups": [{"name": name} for name in groups or ()],
    }
    _versioned(view, s, shared, version, tags)
    if status in PROGRESSING:  # Nova shows progress in these states only
        view["progress"] = 100 if s.status == "ACTIVE" else 0
    if s.status == "ERROR":
        view["fault"] = {
            "code": 500,
            "message": s.fault or "the server failed",
            "created": iso(s.updated_at),
        }
    return view


def _versioned(
    view: dict[str, Any],
    s: Any,
    shared: ListContext,
    version: tuple[int, int],
    tags: list[str] | None,
) -> None:
    if version >= (2, 9):
        view["locked"] = bool(s.locked)
    if version >= (2, 19):
        view["description"] = s.description
    if version >= (2, 26):
        view["tags"] = list(tags or ())
    if version >= (2, 47):
        view["flavor"] = embedded_flavor(s, shared.flavors.get(s.flavor_id))
    if version >= (2, 63):
        view["trusted_image_certificates"] = None
    if version >= (2, 73):
        view["locked_reason"] = s.locked_reason


class DetailCache:
    """Nova's view of a server is a function of its row, its ports and the base URL only:
    its encoded form is kept under exactly those inputs, so a page of 1,000 servers that
    did not change since the last list is put together from bytes instead of being built
    again (building the nested views was most of a list's time). Any change to the row or
    its ports is a new key; the oldest views go first past ``size``."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._views: dict[tuple[Any, ...], orjson.Fragment] = {}
        self._trimming = threading.Lock()  # lists run in threads: one trims at a time

    def fragments(
        self,
        base: str,
        rows: list[Any],
        addresses: dict[str, dict[str, list[tuple[str, str, str]]]],
        shared: ListContext,
        groups: dict[str, list[str]],
        version: tuple[int, int] = (2, 1),
        tags: dict[str, list[str]] | None = None,
        volumes: dict[str, list[tuple[str, bool]]] | None = None,
    ) -> list[orjson.Fragment]:
        """The views of ``rows`` (plain rows of servers), ``addresses``, security
        ``groups`` and ``tags`` by server id, at a compute microversion (flavors never
        change once made: the row's flavor id stands for its embedded view)."""
        tags = tags or {}
        if not rows:
            return []
        at = rows[0]._fields.index("metadata_")  # the rows' one dict: its items stand for it
        found = []
        for s in rows:
            values = tuple(s)
            metadata = tuple(sorted(values[at].items())) if values[at] else ()
            ports = addresses.get(s.id, {})
            wired = tuple((name, tuple(each)) for name, each in ports.items())
            names = groups.get(s.id, [])
            labels = tags.get(s.id, [])
            attached = (volumes or {}).get(s.id, [])
            key = (
                base,
                version,
                values[:at],
                metadata,
                values[at + 1 :],
                wired,
                tuple(names),
                tuple(labels),
                tuple(attached),
            )
            view = self._views.get(key)
            if view is None:
                detail = server_detail(base, s, ports, shared, names, version, labels, attached)
                view = orjson.Fragment(orjson.dumps(detail))
                self._views[key] = view
            found.append(view)
        if len(self._views) > self.size:
            with self._trimming:
                oldest = list(self._views)[: len(self._views) - self.size]
                for key in oldest:
                    self._views.pop(key, None)
        return found
