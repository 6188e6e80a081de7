from datetime import UTC, datetime, timedelta

from andromede.sovereignty.certificates import Certificate, inventory, root_of

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


def test_a_chain_is_judged_by_the_root_it_leads_to() -> None:
    later = NOW + timedelta(days=90)
    us_root = Certificate("b.pem", "CN=Root US,C=US", "CN=Root US,C=US", "US", later, "r", "r")
    fr_ca = Certificate("b.pem", "CN=CA FR,C=FR", "CN=Root US,C=US", "US", later, "i", "r")
    leaf = Certificate("a.pem", "CN=api", "CN=CA FR,C=FR", "FR", later, "l", "i")
    stray = Certificate("a.pem", "CN=db", "CN=CA DE,C=DE", "DE", later, "s", None)
    looped = Certificate("c.pem", "CN=x", "CN=y,C=FR", "FR", later, "x", "y")
    other = Certificate("c.pem", "CN=y,C=FR", "CN=x", "FR", later, "y", "x")
    found = inventory([leaf, fr_ca, us_root, stray, looped, other], NOW)
    assert [(f["root"], f["verdict"]) for f in found] == [
        ("CN=Root US,C=US", "non-eu-root"),  # an EU issuer under a US root
        ("CN=Root US,C=US", "non-eu-root"),
        ("CN=Root US,C=US", "non-eu-root"),
        (None, "eu-issuer"),  # its chain leaves the configured certificates
        (None, "eu-issuer"),  # a loop has no root
        (None, "eu-issuer"),
    ]
    assert root_of(leaf, {c.fingerprint: c for c in (leaf, fr_ca)}) is None
