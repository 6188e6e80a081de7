from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from andromede.catalog.pricing import PriceBook, PriceEntry, hold_entries

SKU = "compute:SCS-2V-4:fr-par-1"
T0 = datetime(2026, 10, 1, tzinfo=UTC)
CUT = datetime(2026, 10, 15, tzinfo=UTC)
D = Decimal


def base() -> list[PriceEntry]:
    return [
        PriceEntry("list", "price", "", SKU, D("0.0500"), T0),
        PriceEntry("wholesale", "discount", "silver", "", D("0.20"), T0),
        PriceEntry("resale", "markup", "p1", "", D("0.10"), T0),
    ]


def test_price_in_force_at_the_boundary_is_the_new_one() -> None:
    book = PriceBook([*base(), PriceEntry("list", "price", "", SKU, D("0.0450"), CUT)])
    assert book.list_price(SKU, CUT - timedelta(microseconds=1)) == D("0.0500")
    assert book.list_price(SKU, CUT) == D("0.0450")
    assert book.change_times() == [T0, CUT]
    with pytest.raises(KeyError):
        book.list_price(SKU, T0 - timedelta(seconds=1))


def test_follow_keeps_the_discount_hold_keeps_the_price() -> None:
    cut = PriceEntry("list", "price", "", SKU, D("0.0450"), CUT)
    follow = PriceBook([*base(), cut])
    assert follow.wholesale_price(SKU, "silver", CUT) == D("0.0360")
    pinned = hold_entries(PriceBook(base()), SKU, ["silver"], CUT)
    hold = PriceBook([*base(), cut, *pinned])
    assert hold.wholesale_price(SKU, "silver", CUT) == D("0.0400")
    assert hold.wholesale_price(SKU, "silver", CUT - timedelta(seconds=1)) == D("0.0400")


def test_resale_markup_explicit_price_and_customer_discount() -> None:
    book = PriceBook(
        [
            *base(),
            PriceEntry("resale", "customer-discount", "c9", "", D("0.05"), T0),
            PriceEntry("resale", "price", "p2", SKU, D("0.0600"), T0),
        ]
    )
    assert book.resale_price(SKU, "p1", "c1", CUT) == D("0.0550")
    assert book.resale_price(SKU, "p1", "c9", CUT) == D("0.052250")
    assert book.resale_price(SKU, "p2", "c1", CUT) == D("0.0600")
    assert book.resale_price(SKU, "p3", "c1", CUT) == D("0.0500")  # default: list
    assert book.wholesale_price(SKU, "gold", CUT) == D("0.0500")  # no discount set
