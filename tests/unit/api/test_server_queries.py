"""What a Nova request means at each microversion, without a database: the list query
(unknown keys from 2.75, statuses from 2.38, tag sets from 2.26, ``locked`` from 2.73,
``changes-before`` from 2.66) and the create body (``networks`` from 2.37, device tags
from 2.32, keys that came or went with a version)."""

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.api.openstack.server_filters import parse_filters
from andromede.api.openstack.server_requests import check_keys, networks
from andromede.compute.network_service import PORT
from andromede.compute.server_fields import clean_tags, description_field
from andromede.kernel.errors import ValidationFailed

T = datetime(2026, 12, 4, 12, tzinfo=UTC)


def server(**fields: Any) -> Any:
    base = {"name": "web-1", "flavor_id": "f", "image_id": "i", "reservation_id": "r-1"}
    return SimpleNamespace(**{**base, "updated_at": T, "locked": False, **fields})


def test_unknown_query_keys_are_refused_from_2_75() -> None:
    assert parse_filters({"colour": "red"}, (2, 74)).name is None
    with pytest.raises(ValidationFailed):
        parse_filters({"colour": "red"}, (2, 75))
    parse_filters({"sort_key": "name", "all_tenants": "1", "limit": "5"}, (2, 75))


def test_statuses_are_checked_from_2_38() -> None:
    assert parse_filters({"status": "nope"}, (2, 37)).status == "NOPE"
    with pytest.raises(ValidationFailed):
        parse_filters({"status": "nope"}, (2, 38))
    assert parse_filters({"status": "hard_reboot"}, (2, 38)).status == "REBOOT"


def test_locked_and_changes_before_only_from_their_versions() -> None:
    assert parse_filters({"locked": "true"}, (2, 72)).locked is None
    assert parse_filters({"locked": "True"}, (2, 73)).locked is True
    with pytest.raises(ValidationFailed):
        parse_filters({"locked": "perhaps"}, (2, 73))
    before = {"changes-before": "2026-12-04T11:00:00"}
    assert parse_filters(before, (2, 65)).before is None
    wanted = parse_filters(before, (2, 66))
    assert wanted.before == datetime(2026, 12, 4, 11, tzinfo=UTC)
    assert not wanted.keeps(server(), [])  # changed after the instant
    with pytest.raises(ValidationFailed):
        parse_filters({**before, "changes-since": "2026-12-05T00:00:00Z"}, (2, 66))


TAGS = st.frozensets(st.sampled_from(["a", "b", "c", "d"]))


@given(TAGS, TAGS, TAGS, TAGS, TAGS)
def test_tag_filters_are_nova_set_logic(
    have: frozenset[str],
    every: frozenset[str],
    some: frozenset[str],
    not_every: frozenset[str],
    not_some: frozenset[str],
) -> None:
    params = {
        "tags": ",".join(sorted(every)),
        "tags-any": ",".join(sorted(some)),
        "not-tags": ",".join(sorted(not_every)),
        "not-tags-any": ",".join(sorted(not_some)),
    }
    kept = parse_filters(params, (2, 26)).keeps(server(), sorted(have))
    expected = (
        (not every or every <= have)
        and (not some or bool(some & have))
        and (not not_every or not not_every <= have)
        and (not not_some or not not_some & have)
    )
    assert kept == expected
    assert parse_filters(params, (2, 25)).keeps(server(), sorted(have))  # not filters yet


def test_networks_by_version() -> None:
    assert networks({}, (2, 36)) is None
    with pytest.raises(ValidationFailed):
        networks({}, (2, 37))
    with pytest.raises(ValidationFailed):
        networks({"networks": "auto"}, (2, 36))
    assert networks({"networks": "auto"}, (2, 37)) is None
    assert networks({"networks": "none"}, (2, 37)) == ("none",)
    tagged = {"networks": [{"uuid": "n1", "tag": "eth0"}, {"port": "p1"}]}
    with pytest.raises(ValidationFailed):
        networks(tagged, (2, 31))
    assert networks(tagged, (2, 32)) == ("n1", f"{PORT}p1")
    with pytest.raises(ValidationFailed):
        networks({"networks": [{"uuid": "n1", "tag": "a/b"}]}, (2, 32))


@pytest.mark.parametrize(
    ("key", "refused", "allowed"),
    [
        ("description", (2, 18), (2, 19)),
        ("tags", (2, 51), (2, 52)),
        ("personality", (2, 57), (2, 56)),
    ],
)
def test_keys_that_came_or_went(
    key: str, refused: tuple[int, int], allowed: tuple[int, int]
) -> None:
    with pytest.raises(ValidationFailed):
        check_keys({key: []}, refused)
    check_keys({key: []}, allowed)


def test_trusted_certificates_are_refused_where_they_are_known() -> None:
    check_keys({"trusted_image_certificates": None}, (2, 63))
    with pytest.raises(ValidationFailed):
        check_keys({"trusted_image_certificates": ["c1"]}, (2, 63))


def test_descriptions_and_tags() -> None:
    assert description_field(None) is None
    assert description_field("two\nlines") == "two\nlines"
    for bad in ("x" * 256, "bell\x07", 42):
        with pytest.raises(ValidationFailed):
            description_field(bad)
    assert clean_tags(["b", "a", "b"]) == ["a", "b"]
    for wrong in (["a,b"], ["a/b"], [""], ["x" * 61], [1]):
        with pytest.raises(ValidationFailed):
            clean_tags(wrong)  # type: ignore[arg-type]
