"""Customer data is reached from the EU only: the office declared and the network used."""

import pytest

from andromede.sovereignty.staff_origin import (
    data_access_refusal,
    origin_country,
    parse_networks,
    supervision_needed,
)

NETS = parse_networks("10.0.0.0/8=FR, 10.9.0.0/16=US, 2001:db8::/32=de")


def test_the_most_specific_declared_network_says_the_country() -> None:
    assert origin_country("10.1.2.3", NETS) == "FR"
    assert origin_country("10.9.2.3", NETS) == "US"  # a US office inside the French range
    assert origin_country("2001:db8::1", NETS) == "DE"
    assert origin_country("192.0.2.1", NETS) is None
    assert origin_country("testclient", NETS) is None


@pytest.mark.parametrize("bad", ["10.0.0.0/8", "10.0.0.0/8=France", "ten=FR", "10.0.0.0/33=FR"])
def test_malformed_networks_are_an_error(bad: str) -> None:
    with pytest.raises(ValueError, match="ANDROMEDE_STAFF_NETWORKS"):
        parse_networks(bad)


@pytest.mark.parametrize(
    ("office", "source", "networks", "allowed"),
    [
        ("FR", "10.1.2.3", NETS, True),
        ("FR", "10.9.2.3", NETS, False),  # connected from the US
        ("FR", "192.0.2.1", NETS, False),  # from an undeclared network
        ("US", "10.1.2.3", NETS, False),  # an office outside the EU
        (None, "10.1.2.3", NETS, False),  # no office recorded
        ("DE", "anything", {}, True),  # nothing declared: origins not checked
        ("FR", None, NETS, True),  # no request (the rights inventory): the office only
    ],
)
def test_data_access_from_the_eu_only(
    office: str | None, source: str | None, networks: dict[object, str], allowed: bool
) -> None:
    refusal = data_access_refusal(office, source, networks)  # type: ignore[arg-type]
    assert (refusal is None) is allowed


def test_supervision_is_needed_from_outside_the_eu_only() -> None:
    nets = parse_networks("10.0.0.0/8=FR,10.9.0.0/16=US")
    assert supervision_needed("FR", "10.1.2.3", nets) is None
    assert supervision_needed("US", "10.1.2.3", nets) == (
        "the declared office is in US, outside the EU"
    )
    assert "outside the EU" in (supervision_needed("FR", "10.9.2.3", nets) or "")
    assert "no network declared" in (supervision_needed("FR", "192.0.2.1", nets) or "")
    assert supervision_needed(None, "10.9.2.3", nets) is None  # not vetted: no grant anyway
    assert supervision_needed("US", None, nets) is None  # no request: the rights inventory
