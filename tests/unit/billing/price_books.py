"""Random price books for the property tests of rating: list prices from the start, then
changes of every kind (list, a tier's wholesale discount, a partner's markup or own
price, a customer's discount) at random hours of the month."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from andromede.catalog.pricing import PriceEntry

__all__ = ["money", "price_entries"]

money = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("2"), places=4)
share = st.decimals(min_value=Decimal(0), max_value=Decimal("0.3"), places=2)
KINDS = ["list", "wholesale", "markup", "discount", "own"]


@st.composite
def price_entries(
    draw: st.DrawFn,
    skus: Sequence[str],
    partners: dict[str, str],
    customers: Sequence[str],
    start: datetime,
    changes: int = 12,
) -> list[PriceEntry]:
    """``partners`` maps partner id to its tier."""
    found = [PriceEntry("list", "price", "", sku, draw(money), start) for sku in skus]
    for _ in range(draw(st.integers(min_value=0, max_value=changes))):
        at = start + timedelta(hours=draw(st.integers(min_value=0, max_value=744)))
        kind, sku = draw(st.sampled_from(KINDS)), draw(st.sampled_from(skus))
        partner = draw(st.sampled_from(sorted(partners)))
        if kind == "list":
            found.append(PriceEntry("list", "price", "", sku, draw(money), at))
        elif kind == "wholesale":
            tier = draw(st.sampled_from(sorted(set(partners.values()))))
            found.append(PriceEntry("wholesale", "discount", tier, "", draw(share), at))
        elif kind == "markup":
            found.append(PriceEntry("resale", "markup", partner, "", draw(share), at))
        elif kind == "discount":
            customer = draw(st.sampled_from(customers))
            found.append(PriceEntry("resale", "customer-discount", customer, "", draw(share), at))
        else:
            found.append(PriceEntry("resale", "price", partner, sku, draw(money), at))
    return found
