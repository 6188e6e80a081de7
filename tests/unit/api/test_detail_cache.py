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


def row(n: int, **changes: Any) -> Row:
    base = Row(f"s{n}", f"vm-{n}", "ACTIVE", "ACTIVE", None, "p", "u", {"role": "web"}, "h1",
               "img", "fl", T, T, None, None, None, "z", None, None)  # fmt: skip
    return base._replace(**changes)


PORTS = {"s1": {"net": [("10.0.0.5", "fa:16:3e:00:00:01")]}}


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
    moved = {"s1": {"net": [("10.0.0.6", "fa:16:3e:00:00:01")]}}
    assert encoded(cache, [row(1)], moved)[0]["addresses"]["net"][0]["addr"] == "10.0.0.6"
    web = {"s1": ["default", "web"]}
    assert encoded(cache, [row(1)], groups=web)[0]["security_groups"] == [
        {"name": "default"},
        {"name": "web"},
    ]
    assert encoded(cache, [row(1, desired="SHUTOFF")])[0]["OS-EXT-STS:task_state"] == (
        "powering-off"
    )


def test_the_cache_stays_bounded() -> None:
    cache = DetailCache(size=2)
    encoded(cache, [row(1), row(2), row(3)])
    assert len(cache._views) == 2
    assert cache.fragments("http://x", [], {}, ListContext("http://x"), {}) == []
