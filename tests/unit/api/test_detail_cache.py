"""Nova's list views kept by their inputs: the same row gives the very same encoded view,
any change to the row or its ports gives a fresh one, and the cache stays bounded."""

from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from andromede.api.openstack.nova_views import DetailCache, ListContext, server_detail

T = datetime(2026, 12, 4, 9, tzinfo=UTC)


class Row(NamedTuple):
    id: str
    name: str
    status: str
    desired: str
    reboot_type: str | None
    project_id: str
    created_by: str
    metadata_: dict[str, str]
    host_id: str
    image_id: str
    flavor_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    access_ipv4: str | None
    access_ipv6: str | None
    zone_code: str
    key_name: str | None
    fault: str | None
    locked: bool = False
    resized_from: str | None = None
    locked_reason: str | None = None
    description: str | None = None


def row(n: int, **changes: Any) -> Row:
    base = Row(f"s{n}", f"vm-{n}", "ACTIVE", "ACTIVE", None, "p", "u", {"role": "web"}, "h1",
               "img", "fl", T, T, None, None, None, "z", None, None)  # fmt: skip
    return base._replace(**changes)


PORTS = {"s1": {"net": [("10.0.0.5", "fa:16:3e:00:00:01", "fixed")]}}


GROUPS = {"s1": ["default"]}


def encoded(
    cache: DetailCache, rows: list[Row], ports: Any = PORTS, groups: Any = GROUPS
) -> list[Any]:
    found = cache.fragments("http://x", rows, ports, ListContext("http://x"), groups)
    return [orjson.loads(orjson.dumps(f)) for f in found]


def test_a_kept_view_is_the_view() -> None:
    cache = DetailCache()
    first = cache.fragments("http://x", [row(1)], PORTS, ListContext("http://x"), GROUPS)
    again = cache.fragments("http://x", [row(1)], PORTS, ListContext("http://x"), GROUPS)
    assert first[0] is again[0]
    expected = server_detail("http://x", row(1), PORTS["s1"], ListContext("http://x"), GROUPS["s1"])
    assert encoded(cache, [row(1)]) == [orjson.loads(orjson.dumps(expected))]


def test_any_change_is_a_new_view() -> None:
    cache = DetailCache()
    assert encoded(cache, [row(1)])[0]["name"] == "vm-1"
    assert encoded(cache, [row(1, name="renamed")])[0]["name"] == "renamed"
    assert encoded(cache, [row(1, metadata_={"role": "db"})])[0]["metadata"] == {"role": "db"}
    moved = {"s1": {"net": [("10.0.0.6", "fa:16:3e:00:00:01", "fixed")]}}
    assert encoded(cache, [row(1)], moved)[0]["addresses"]["net"][0]["addr"] == "10.0.0.6"
    public = {
        "s1": {"net": [*moved["s1"]["net"], ("2001:db8::7", "fa:16:3e:00:00:01", "floating")]}
    }
    shown = encoded(cache, [row(1)], public)[0]["addresses"]["net"][1]
    assert (shown["version"], shown["OS-EXT-IPS:type"]) == (6, "floating")
    web = {"s1": ["default", "web"]}
    assert encoded(cache, [row(1)], groups=web)[0]["security_groups"] == [
        {"name": "default"},
        {"name": "web"},
    ]
    assert encoded(cache, [row(1, desired="SHUTOFF")])[0]["OS-EXT-STS:task_state"] == (
        "powering-off"
    )
    resized = row(1, status="SHUTOFF", desired="SHUTOFF", resized_from="fl-old")
    assert encoded(cache, [resized])[0]["status"] == "VERIFY_RESIZE"
    assert "locked" not in encoded(cache, [row(1, locked=True)])[0]
    at_29 = cache.fragments("http://x", [row(1, locked=True)], PORTS, ListContext("http://x"),
                            GROUPS, (2, 9))  # fmt: skip
    assert orjson.loads(orjson.dumps(at_29[0]))["locked"] is True  # 2.9: a key of its own


def test_the_cache_stays_bounded() -> None:
    cache = DetailCache(size=2)
    encoded(cache, [row(1), row(2), row(3)])
    assert len(cache._views) == 2
    assert cache.fragments("http://x", [], {}, ListContext("http://x"), {}) == []
