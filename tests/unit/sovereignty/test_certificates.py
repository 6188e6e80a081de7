from datetime import UTC, datetime, timedelta

from andromede.sovereignty.certificates import Certificate, inventory

NOW = datetime(2026, 12, 5, 17, tzinfo=UTC)


def test_each_certificate_is_judged_by_its_issuers_country() -> None:
    later = NOW + timedelta(days=90)
    found = inventory(
        [
            Certificate("a.pem", "CN=api", "CN=Root FR,C=FR", "FR", later),
            Certificate("a.pem", "CN=db", "CN=Root US,C=US", "US", later),
            Certificate("b.pem", "CN=old", "CN=Root FR,C=FR", "fr", NOW),
            Certificate("c.pem", "CN=x", "CN=Anonymous Root", None, later),
        ],
        NOW,
    )
    assert [f["verdict"] for f in found] == [
        "eu-issuer",
        "non-eu-issuer",
        "expired",
        "issuer-without-country",
    ]
    assert found[0]["not_after"] == later.isoformat()
