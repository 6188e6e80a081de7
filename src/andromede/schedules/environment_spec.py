"""Environments as people describe them (a template of members: ``web`` ×2 of SCS-1V-2
from debian-12, ``db`` ×1…), checked field by field; and what is due for one at an
instant: its stop when its time to live runs out, its deletion at its expiry, and the
notices before each (an hour before a stop; a day and an hour before a deletion), once
each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from andromede.kernel.errors import FieldError, ValidationFailed

__all__ = [
    "MAX_SERVERS",
    "Due",
    "EnvironmentSpec",
    "MemberSpec",
    "check_name",
    "check_ttl",
    "due",
    "member_from_text",
    "parse_template",
    "slots",
]

MAX_SERVERS = 50
MAX_TTL_HOURS = 24 * 31
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,19}")
WRITTEN = re.compile(r"(?P<name>[a-z0-9-]+)=(?P<flavor>[^:]+):(?P<image>.+?)(?:x(?P<count>\d+))?")
GROUP_POLICIES = ("affinity", "anti-affinity")
NOTICES = (  # (what, how long before)
    ("stop", timedelta(hours=1)),
    ("delete", timedelta(days=1)),
    ("delete", timedelta(hours=1)),
)


@dataclass(frozen=True)
class MemberSpec:
    name: str
    flavor: str
    image: str
    count: int = 1


@dataclass(frozen=True)
class EnvironmentSpec:
    members: tuple[MemberSpec, ...]
    region: str
    zone: str | None = None
    server_group: str | None = None  # a policy: its servers in one new group
    network: str | None = None


def parse_template(raw: dict[str, Any]) -> EnvironmentSpec:
    errors: list[FieldError] = []
    members = raw.get("members")
    if not isinstance(members, list) or not members:
        raise ValidationFailed.one("members", "at least one member")
    parsed: list[MemberSpec] = []
    for i, item in enumerate(members):
        try:
            parsed.append(_member(item))
        except ValueError as exc:
            errors.append(FieldError(f"members[{i}]", str(exc)))
    if len({m.name for m in parsed}) != len(parsed):
        errors.append(FieldError("members", "member names must differ"))
    if sum(m.count for m in parsed) > MAX_SERVERS:
        errors.append(FieldError("members", f"at most {MAX_SERVERS} servers in all"))
    group = raw.get("server_group")
    if group is not None and group not in GROUP_POLICIES:
        errors.append(FieldError("server_group", "affinity or anti-affinity (or none)"))
    region = raw.get("region")
    if not isinstance(region, str) or not region:
        errors.append(FieldError("region", "required"))
    if errors:
        raise ValidationFailed(errors)
    return EnvironmentSpec(tuple(parsed), str(region), raw.get("zone"), group, raw.get("network"))


def _member(item: Any) -> MemberSpec:
    if not isinstance(item, dict):
        raise ValueError("a member is {name, flavor, image, count}")
    name, count = item.get("name"), item.get("count", 1)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError("name: 1 to 20 lower-case letters, digits or '-'")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SERVERS:
        raise ValueError(f"count: 1 to {MAX_SERVERS}")
    flavor, image = item.get("flavor"), item.get("image")
    if not isinstance(flavor, str) or not flavor or not isinstance(image, str) or not image:
        raise ValueError("flavor and image are required")
    return MemberSpec(name, flavor, image, count)


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise ValidationFailed.one("name", "1 to 20 lower-case letters, digits or '-'")
    return name


def check_ttl(hours: int | None) -> int | None:
    if hours is not None and not 1 <= hours <= MAX_TTL_HOURS:
        raise ValidationFailed.one("ttl_hours", f"1 to {MAX_TTL_HOURS} hours (or none)")
    return hours


def slots(spec: EnvironmentSpec) -> list[tuple[str, MemberSpec]]:
    """``web-1``, ``web-2``, ``db-1``…: one per server the template makes."""
    return [(f"{m.name}-{i}", m) for m in spec.members for i in range(1, m.count + 1)]


@dataclass(frozen=True)
class Due:
    stop: bool
    delete: bool
    messages: tuple[str, ...]  # notices to send now
    remember: frozenset[str]  # notices now sent (or passed by a closer one)


def due(
    now: datetime,
    *,
    name: str,
    running: bool,
    stop_at: datetime | None,
    expires_at: datetime | None,
    notified: frozenset[str],
) -> Due:
    delete = expires_at is not None and expires_at <= now
    stop = running and stop_at is not None and stop_at <= now and not delete
    messages: list[str] = []
    remember: set[str] = set()
    for what, at in (("stop", stop_at if running else None), ("delete", expires_at)):
        if at is None or at <= now:
            continue
        windows = [b for w, b in NOTICES if w == what and at - b <= now]
        keys = {f"{what}:{at.isoformat()}:{int(b.total_seconds())}" for b in windows}
        if keys and not keys <= notified:
            verb = "stops (its time to live runs out)" if what == "stop" else "is deleted"
            messages.append(
                f"Environment {name} {verb} at {at:%Y-%m-%d %H:%M} UTC; extend it to keep it."
            )
            remember |= keys
    return Due(stop, delete, tuple(messages), frozenset(remember))


def member_from_text(text: str) -> dict[str, Any]:
    """``web=SCS-1V-2:debian-12x2`` (name=flavor:image, x count) as the API takes it."""
    match = WRITTEN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r}: write a member as web=SCS-1V-2:debian-12x2")
    return {
        "name": match["name"],
        "flavor": match["flavor"],
        "image": match["image"],
        "count": int(match["count"] or 1),
    }
