"""An attestation states what happened: a month still in progress is attested up to the
issue time only, and marked partial; a month not begun is not attested at all."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from andromede.sovereignty.attestation import Lifetime, attestation_body
from andromede.sovereignty.policy import Decision, Place

PAR = Place("fr-par-1", "fr-par-1a", "FR", "FR-IDF", frozenset({"secnumcloud"}))
OCT = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
ALLOWED = Decision(True, "allowed", ("operator:operator:v1",))


def body(issued_at: datetime, lives: list[Lifetime]) -> dict[str, Any]:
    return attestation_body("c1", OCT, lives, [], lambda life, at: ALLOWED, issued_at)


def life(start: datetime, end: datetime | None = None) -> Lifetime:
    return Lifetime("s1", "web", "p1", PAR, start, end)


def test_a_month_in_progress_is_attested_up_to_the_issue_time_and_marked_partial() -> None:
    now = datetime(2026, 10, 12, 9, 30, tzinfo=UTC)
    found = body(now, [life(OCT[0] - timedelta(days=3)), life(now + timedelta(hours=1))])
    (resource,) = found["resources"]
    assert [(i["from"], i["to"]) for i in resource["intervals"]] == [
        (OCT[0].isoformat(), now.isoformat())
    ]
    assert found["partial"] is True and found["covered_until"] == now.isoformat()
    assert found["period_end"] == OCT[1].isoformat()


def test_a_month_over_is_attested_whole() -> None:
    found = body(datetime(2026, 11, 2, tzinfo=UTC), [life(OCT[0] - timedelta(days=3))])
    (resource,) = found["resources"]
    assert resource["intervals"][-1]["to"] == OCT[1].isoformat()
    assert found["partial"] is False and found["covered_until"] == OCT[1].isoformat()


def test_a_month_not_begun_is_not_attested() -> None:
    with pytest.raises(ValueError, match="begun"):
        body(OCT[0], [life(OCT[0] - timedelta(days=3))])
