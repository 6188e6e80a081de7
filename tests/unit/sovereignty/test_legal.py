"""Exposure to non-EU law: the registry refuses a non-EU subprocessor with access to the
data, legal changes come a month ahead, and a government request is told or barred."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from andromede.sovereignty.legal import (
    GovernmentRequest,
    LegalChange,
    Subprocessor,
    government_request_errors,
    legal_change_errors,
    subprocessor_errors,
)

NOW = datetime(2026, 12, 5, 17, tzinfo=UTC)
MAIL = Subprocessor("Mailer SAS", "FR", "FR", "sends e-mail", ("contact-data",), False)
TECH, DATA = ("technical-data",), ("customer-data",)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({}, []),
        ({"jurisdiction": "US"}, []),  # US law, contact data only: allowed
        ({"jurisdiction": "US", "technical_access": True}, []),  # access to contacts only
        (
            {
                "jurisdiction": "US",
                "technical_access": True,
                "data_categories": ("technical-data",),
            },
            ["technical_access"],
        ),
        (
            {"jurisdiction": "us", "technical_access": True, "data_categories": DATA},
            ["technical_access"],
        ),
        ({"technical_access": True, "data_categories": DATA}, []),  # EU law
        ({"data_categories": ("secrets",)}, ["data_categories"]),
        ({"name": ""}, ["name"]),
        ({"country": "France"}, ["country"]),
    ],
)
def test_no_non_eu_subprocessor_reaches_the_data(
    change: dict[str, object], fields: list[str]
) -> None:
    assert [e.field for e in subprocessor_errors(replace(MAIL, **change))] == fields  # type: ignore[arg-type]


def test_a_legal_change_is_announced_a_month_ahead() -> None:
    assert legal_change_errors(LegalChange("x", NOW + timedelta(days=30)), NOW) == []
    late = legal_change_errors(LegalChange("x", NOW + timedelta(days=29, hours=23)), NOW)
    assert [e.field for e in late] == ["effective_at"]
    assert [
        e.field for e in legal_change_errors(LegalChange(" ", NOW + timedelta(days=40)), NOW)
    ] == ["summary"]


REQUEST = GovernmentRequest(
    "c1", "US DoJ", "US", NOW - timedelta(days=1), "mailboxes of user x", "no basis in EU law",
    True, "",
)  # fmt: skip


def test_a_government_request_is_told_or_its_bar_recorded() -> None:
    def fields(**change: object) -> list[str]:
        found = government_request_errors(replace(REQUEST, **change), NOW)  # type: ignore[arg-type]
        return [e.field for e in found]

    assert fields() == []
    assert fields(notify_customer=False) == ["bar_reason"]
    assert fields(notify_customer=False, bar_reason="gag order of the Paris court") == []
    assert fields(bar_reason="a reason, yet told") == ["bar_reason"]
    assert fields(received_at=NOW + timedelta(minutes=1)) == ["received_at"]
    assert fields(legal_assessment="") == ["legal_assessment"]
