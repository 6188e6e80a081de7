"""Environment templates as people write them, and what is due for one at an instant."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.kernel.errors import ValidationFailed
from andromede.schedules.environment_spec import (
    Due,
    due,
    member_from_text,
    parse_template,
    slots,
)

T0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
WEB = {"name": "web", "flavor": "SCS-1V-2", "image": "debian-12", "count": 2}


def test_members_become_named_slots_in_the_template_order() -> None:
    spec = parse_template(
        {"region": "fr-par-1", "members": [WEB, {**WEB, "name": "db", "count": 1}]}
    )
    assert [s for s, _ in slots(spec)] == ["web-1", "web-2", "db-1"]


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ({"region": "fr-par-1", "members": []}, "members"),
        ({"region": "fr-par-1", "members": [{**WEB, "count": 0}]}, "members[0]"),
        ({"region": "fr-par-1", "members": [{**WEB, "name": "Web"}]}, "members[0]"),
        ({"region": "fr-par-1", "members": [WEB, WEB]}, "members"),
        ({"region": "fr-par-1", "members": [{**WEB, "count": 51}]}, "members[0]"),
        ({"members": [WEB]}, "region"),
        ({"region": "fr-par-1", "members": [WEB], "server_group": "close"}, "server_group"),
    ],
)
def test_bad_templates_name_the_field(template: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_template(template)
    assert field in {e.field for e in refused.value.errors}


def test_members_are_written_name_flavor_image_and_count() -> None:
    assert member_from_text("web=SCS-1V-2:debian-12x2") == WEB
    assert member_from_text("box=SCS-2V-4:ubuntu-lxc")["image"] == "ubuntu-lxc"
    with pytest.raises(ValueError, match="web=SCS-1V-2"):
        member_from_text("web")


def test_a_time_to_live_stops_once_with_one_notice_an_hour_before() -> None:
    stop_at = T0 + timedelta(hours=8)

    def at(now: datetime, notified: frozenset[str]) -> Due:
        return due(now, name="r", running=True, stop_at=stop_at, expires_at=None, notified=notified)

    assert at(T0 + timedelta(hours=6), frozenset()).messages == ()
    first = at(T0 + timedelta(hours=7, minutes=5), frozenset())
    assert len(first.messages) == 1 and not first.stop
    assert at(T0 + timedelta(hours=7, minutes=6), first.remember).messages == ()
    assert at(stop_at, first.remember).stop


@settings(max_examples=60, deadline=None)
@given(looks=st.lists(st.integers(0, 4 * 24 * 60), min_size=1, max_size=30))
def test_however_often_the_worker_looks_each_notice_goes_once(looks: list[int]) -> None:
    expires_at = T0 + timedelta(days=3)
    notified: frozenset[str] = frozenset()
    sent = 0
    for minute in sorted(looks):
        now = T0 + timedelta(minutes=minute)
        found = due(
            now, name="r", running=False, stop_at=None, expires_at=expires_at, notified=notified
        )
        sent += len(found.messages)
        notified |= found.remember
        assert found.delete is (now >= expires_at)
    assert sent <= 2  # a day before and an hour before, at most once each
