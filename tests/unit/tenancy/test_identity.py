import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from andromede.tenancy.identity import check_identity, fr_vat_key


def fields(country: str, siren: str | None, vat: str | None) -> list[str]:
    return [e.field for e in check_identity(country, siren, vat)[1]]


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_any_luhn_valid_siren_with_its_key_is_accepted(prefix: str) -> None:
    siren = prefix + luhn.calc_check_digit(prefix)
    identity, errors = check_identity(
        "fr", f"{siren[:3]} {siren[3:6]} {siren[6:]}", f"fr{fr_vat_key(siren)}{siren}"
    )
    assert errors == []
    assert identity.siren == siren and identity.vat_number == f"FR{fr_vat_key(siren)}{siren}"


def test_known_french_company() -> None:
    assert fields("FR", "732829320", "FR44732829320") == []


@pytest.mark.parametrize(
    ("siren", "vat", "expected"),
    [
        ("732829321", "FR44732829320", ["siren"]),  # Luhn fails
        ("73282932", "FR44732829320", ["siren"]),  # 8 digits
        ("732829320", "FR45732829320", ["vat_number"]),  # wrong key
        ("732829320", "FR44542065479", ["vat_number"]),  # other company's SIREN
        (None, "FR44732829320", ["siren"]),
        ("732829320", None, ["vat_number"]),
        ("732829320", "DE136695976", ["vat_number"]),
    ],
)
def test_french_identity_errors_name_the_field(
    siren: str | None, vat: str | None, expected: list[str]
) -> None:
    assert fields("FR", siren, vat) == expected


def test_other_member_states_need_their_own_valid_vat() -> None:
    assert fields("DE", None, "DE136695976") == []
    assert fields("DE", None, "DE136695977") == ["vat_number"]
    assert fields("DE", None, "FR44732829320") == ["vat_number"]
    assert fields("DE", None, None) == ["vat_number"]
    assert fields("DE", "732829320", "DE136695976") == ["siren"]


def test_outside_the_eu_is_refused() -> None:
    assert fields("US", None, "123") == ["country"]
    assert fields("", None, None) == ["country"]
