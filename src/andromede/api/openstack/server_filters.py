"""The query of a Nova server list, read as each microversion reads it: an unknown status
is a 400 from 2.38; tag filters from 2.26 (``tags``, ``tags-any``, ``not-tags``,
``not-tags-any``, comma-separated); ``changes-before`` from 2.66; ``locked`` from 2.73;
and from 2.75 a parameter Nova does not know is a 400 instead of being ignored. Filters a
non-admin may name but that only an administrator's list applies (``host``, ``node``,
``all_tenants``, …) are ignored, as Nova ignores them."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from andromede.kernel.errors import ValidationFailed

__all__ = ["ServerFilters", "parse_filters"]

Version = tuple[int, int]
KNOWN = frozenset(  # Nova's list query parameters at 2.75 (filters, sorting, paging)
    {
        "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image",
        "kernel_id", "ramdisk_id", "hostname", "key_name", "power_state", "vm_state",
        "task_state", "host", "node", "flavor", "reservation_id", "launched_at",
        "terminated_at", "availability_zone", "name", "display_name", "description",
        "display_description", "locked_by", "uuid", "root_device_name", "config_drive",
        "access_ip_v4", "access_ip_v6", "auto_disk_config", "progress", "sort_key",
        "sort_dir", "all_tenants", "soft_deleted", "deleted", "status", "changes-since",
        "ip", "ip6", "created_at", "limit", "marker", "tags", "tags-any", "not-tags",
        "not-tags-any", "changes-before", "locked",
    }
)  # fmt: skip
STATUSES = frozenset(
    {
        "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD",
        "PAUSED", "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED",
        "SHELVED_OFFLOADED", "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN",
        "VERIFY_RESIZE",
    }
)  # fmt: skip
STATUS_FILTER = {"HARD_REBOOT": "REBOOT"}  # Nova's name -> the status we keep


@dataclass(frozen=True)
class ServerFilters:
    name: re.Pattern[str] | None = None
    status: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    locked: bool | None = None
    addresses: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    equal: tuple[tuple[str, str], ...] = ()  # (row attribute, value)
    all_tags: frozenset[str] = frozenset()
    any_tags: frozenset[str] = frozenset()
    not_all_tags: frozenset[str] = frozenset()
    not_any_tags: frozenset[str] = frozenset()

    @property
    def by_tags(self) -> bool:
        return bool(self.all_tags or self.any_tags or self.not_all_tags or self.not_any_tags)

    @property
    def whole(self) -> bool:
        """Whether every match must be read before the page is cut (the filters applied
        here rather than in the query)."""
        return bool(self.name or self.addresses or self.by_tags)

    def keeps(self, row: Any, tags: list[str]) -> bool:
        for attribute, value in self.equal:
            if getattr(row, attribute) != value:
                return False
        if self.since is not None and row.updated_at < self.since:
            return False
        if self.before is not None and row.updated_at > self.before:
            return False
        if self.locked is not None and bool(row.locked) != self.locked:
            return False
        if self.name is not None and not self.name.search(row.name):
            return False
        return self._tags_keep(set(tags))

    def _tags_keep(self, tags: set[str]) -> bool:
        if self.all_tags and not self.all_tags <= tags:
            return False
        if self.any_tags and not self.any_tags & tags:
            return False
        if self.not_all_tags and self.not_all_tags <= tags:
            return False
        return not (self.not_any_tags and self.not_any_tags & tags)


def instant(params: Any, key: str) -> datetime | None:
    """An ISO 8601 instant (UTC when it names no offset)."""
    value = params.get(key)
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.one(key, "an ISO 8601 date and time") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _status(params: Any, version: Version) -> str | None:
    given = params.get("status")
    if not given:
        return None
    wanted = str(given).upper()
    if wanted not in STATUSES and version >= (2, 38):
        raise ValidationFailed.one("status", f"invalid status value {given!r}")
    return STATUS_FILTER.get(wanted, wanted)


def _regex(params: Any, key: str) -> re.Pattern[str] | None:
    given = params.get(key)
    if not given:
        return None
    if len(given) > 255:
        raise ValidationFailed.one(key, "at most 255 characters")
    try:
        return re.compile(given)
    except re.error:
        raise ValidationFailed.one(key, "not a valid regular expression") from None


def _addresses(params: Any, version: Version) -> list[tuple[int, re.Pattern[str]]]:
    """``ip`` (IPv4) and, from 2.5, ``ip6``: expressions an address must match."""
    found = []
    for key, ip_version in (("ip", 4), ("ip6", 6)):
        pattern = _regex(params, key)
        if pattern is not None and (key == "ip" or version >= (2, 5)):
            found.append((ip_version, pattern))
    return found


def _tag_set(params: Any, key: str, version: Version) -> frozenset[str]:
    given = params.get(key)
    if not given or version < (2, 26):
        return frozenset()
    return frozenset(t for t in given.split(",") if t)


def _locked(params: Any, version: Version) -> bool | None:
    given = params.get("locked")
    if given is None or version < (2, 73):
        return None
    value = given.strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no", "t", "f", "on", "off"):
        raise ValidationFailed.one("locked", "a boolean")
    return value in ("true", "1", "yes", "t", "on")


def _strict(params: Any, version: Version) -> None:
    if version < (2, 75):
        return
    unknown = sorted(set(params.keys()) - KNOWN)
    if unknown:
        raise ValidationFailed.one(unknown[0], "not a query parameter of a server list")


def parse_filters(params: Any, version: Version) -> ServerFilters:
    _strict(params, version)
    equal = tuple(
        (column, params[key])
        for key, column in (
            ("flavor", "flavor_id"),
            ("image", "image_id"),
            ("reservation_id", "reservation_id"),
        )
        if params.get(key)
    )
    since = instant(params, "changes-since")
    before = instant(params, "changes-before") if version >= (2, 66) else None
    if since is not None and before is not None and before < since:
        raise ValidationFailed.one("changes-before", "must not be before changes-since")
    return ServerFilters(
        name=_regex(params, "name"),
        status=_status(params, version),
        since=since,
        before=before,
        locked=_locked(params, version),
        addresses=_addresses(params, version),
        equal=equal,
        all_tags=_tag_set(params, "tags", version),
        any_tags=_tag_set(params, "tags-any", version),
        not_all_tags=_tag_set(params, "not-tags", version),
        not_any_tags=_tag_set(params, "not-tags-any", version),
    )
