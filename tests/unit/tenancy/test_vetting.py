from datetime import UTC, datetime, timedelta

import pytest

from andromede.tenancy.vetting import needed_for, vetted, vetting_errors

NOW = datetime(2026, 12, 5, 17, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("level", "until", "scope", "ok"),
    [
        ("basic", LATER, "read", True),
        ("basic", LATER, "operate", False),  # acting needs more than reading
        ("enhanced", LATER, "operate", True),
        ("enhanced", LATER, "read", True),
        ("enhanced", NOW, "read", False),  # expired at this very instant
        (None, LATER, "read", False),
        ("basic", None, "read", False),
        ("secret", LATER, "read", False),
    ],
)
def test_a_grant_is_usable_only_while_the_vetting_holds(
    level: str | None, until: datetime | None, scope: str, ok: bool
) -> None:
    assert vetted(level, until, needed_for(scope), NOW) is ok


def test_bad_vetting_names_each_field() -> None:
    assert vetting_errors("basic", LATER, "FR", NOW) == []
    bad = vetting_errors("top", NOW - timedelta(days=1), "France", NOW)
    assert [e.field for e in bad] == ["level", "until", "office_country"]
