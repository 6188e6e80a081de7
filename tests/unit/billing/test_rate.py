"""``rate`` looks prices up once per SKU, buyer and stretch between two price changes;
the book's own per-segment lookup stays the oracle it must agree with."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.billing.rating import rate
from andromede.catalog.pricing import PriceBook, PriceEntry
from andromede.metering.segments import Segment
from tests.unit.billing.price_books import price_entries

T0 = datetime(2026, 10, 1, tzinfo=UTC)
SKUS = ("compute:SCS-2V-4:fr-par-1", "compute:SCS-4V-8:fr-par-1", "disk:fr-par-1")
PARTNERS = {"p1": "registered", "p2": "gold"}
CUSTOMERS = ("c1", "c2", "c3")


@st.composite
def segments(draw: st.DrawFn) -> list[Segment]:
    found = []
    for n in range(draw(st.integers(min_value=1, max_value=40))):
        start = T0 + timedelta(seconds=draw(st.integers(min_value=0, max_value=744 * 3600)))
        sku = draw(st.sampled_from(SKUS))
        found.append(
            Segment(
                f"s{n}",
                "disk" if sku.startswith("disk") else "compute",
                sku,
                start,
                start + timedelta(hours=1),
                Decimal(3600),
                20,
                "fr-par-1",
                sku.split(":")[1],
                "pr",
                draw(st.sampled_from(CUSTOMERS)),
                draw(st.sampled_from(sorted(PARTNERS))),
            )
        )
    return found


@settings(max_examples=200, deadline=None)
@given(price_entries(SKUS, PARTNERS, CUSTOMERS, T0), segments())
def test_rating_agrees_with_the_books_lookup_segment_by_segment(
    book_entries: list[PriceEntry], found: list[Segment]
) -> None:
    book = PriceBook(book_entries)
    rated = rate(found, book, PARTNERS)
    assert [r.segment for r in rated] == found
    for item in rated:
        s = item.segment
        prices = book.prices(s.sku, PARTNERS[s.partner_id], s.partner_id, s.customer_id, s.start)
        assert (item.list_price, item.wholesale_price, item.resale_price) == (
            prices.list,
            prices.wholesale,
            prices.resale,
        )


def test_a_segment_starting_at_a_change_takes_the_new_price() -> None:
    sku = SKUS[0]
    cut = T0 + timedelta(days=15)
    book = PriceBook(
        [
            PriceEntry("list", "price", "", sku, Decimal("0.05"), T0),
            PriceEntry("list", "price", "", sku, Decimal("0.03"), cut),
        ]
    )
    before = Segment(
        "s",
        "compute",
        sku,
        cut - timedelta(hours=1),
        cut,
        Decimal(3600),
        0,
        "fr-par-1",
        "SCS-2V-4",
        "pr",
        "c1",
        "p1",
    )
    after = before._replace(start=cut, end=cut + timedelta(hours=1))
    rated = rate([before, after, before], book, PARTNERS)
    assert [r.list_price for r in rated] == [Decimal("0.05"), Decimal("0.03"), Decimal("0.05")]
