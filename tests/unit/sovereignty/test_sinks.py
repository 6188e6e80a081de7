"""Where the deployment sends data: what counts as this machine, what must be declared,
and what stops the service."""

import pytest

from andromede.sovereignty.sinks import Sink, host_of, judge_sinks, parse_pairs, without_secrets


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("sqlite:///var/andromede.db", None),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", None),
        ("postgresql+psycopg://postgres@localhost/postgres", None),
        ("postgresql://u@[::1]:5432/x", None),
        ("postgresql+psycopg:///andromede?host=/run/postgresql", None),
        ("dir:/srv/einvoices", None),
        ("simulated", None),
        ("/var/lib/andromede/witness", None),
        ("postgresql://app:s3cret@DB.Example.fr:5432/andromede", "db.example.fr"),
        ("https://keystone.rennes.example:5000/v3", "keystone.rennes.example"),
        ("https://10.1.2.3/v3", "10.1.2.3"),
    ],
)
def test_what_leaves_this_machine(url: str, host: str | None) -> None:
    assert host_of(url) == host


def test_the_report_never_shows_a_password() -> None:
    shown = without_secrets("postgresql://app:s3cret@db.example.fr:5432/andromede")
    assert shown == "postgresql://db.example.fr:5432/andromede"
    assert without_secrets("dir:/srv/x") == "dir:/srv/x"


def test_declared_countries_are_pairs_or_an_error() -> None:
    assert parse_pairs(" DB.example.fr=fr, cloud:rennes=FR ", "S") == {
        "db.example.fr": "FR",
        "cloud:rennes": "FR",
    }
    assert parse_pairs("", "S") == {}
    for bad in ("db.example.fr", "db=France", "db=F1"):
        with pytest.raises(ValueError, match="host=CC"):
            parse_pairs(bad, "S")


def test_each_sink_gets_one_verdict_and_only_two_refuse() -> None:
    sinks = [
        Sink("database", "sqlite:///x.db", None),
        Sink("openstack-cloud", "fr-rns-1", "keystone.rennes.example"),
        Sink("openstack-cloud", "us-east-9", "keystone.virginia.example"),
        Sink("einvoice-platform", "https://pa.example", "pa.example"),
        Sink("chorus-pro", "https://chorus.example", "chorus.example"),
    ]
    declared = {
        "keystone.rennes.example": "FR",
        "keystone.virginia.example": "US",
        "chorus.example": "CH",
    }
    found = judge_sinks(sinks, "fr", declared, frozenset({"chorus.example"}))
    assert [(v.country, v.verdict, v.refused) for v in found] == [
        ("FR", "local", False),
        ("FR", "eu", False),
        ("US", "outside-eu", True),
        (None, "unknown-country", True),
        ("CH", "waived", False),
    ]
