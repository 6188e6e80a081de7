from andromede.billing.invoicing import invoice_number
from andromede.tenancy.invoicing_fields import (
    check_prefix,
    check_reference,
    check_siret,
    default_prefix,
)


def test_every_prefix_allowed_keeps_numbers_within_chorus_limits() -> None:
    assert len(invoice_number("ABCDEFGH", 2026, 999_999)) == 20
    assert check_prefix("ABCDEFGH") == [] and check_prefix("P60EF66") == []
    assert check_prefix("ABCDEFGHI")  # 9: a 21-character number
    assert check_prefix("ab") and check_prefix("A-B") and check_prefix("")
    assert check_prefix("AND")  # the operator's
    prefix = default_prefix("60ef66b5-1111-2222-3333-444455556666")
    assert prefix == "P60EF66" and check_prefix(prefix) == []
    assert len(invoice_number(prefix, 2026, 1)) == 19


def test_siret_is_luhn_valid_and_starts_with_the_siren() -> None:
    assert check_siret("55210055400013", "552100554") == []
    assert check_siret("55210055400014", "552100554")  # bad check digit
    assert check_siret("73282932000074", "552100554")  # another entity's
    assert check_siret("5521005540001", None)  # 13 digits


def test_chorus_references() -> None:
    assert check_reference("service_code", "SERV-FIN_01") == []
    assert check_reference("commitment_number", "EJ 2026/0042") == []
    assert check_reference("commitment_number", "x" * 51)
    assert check_reference("service_code", "<script>")
