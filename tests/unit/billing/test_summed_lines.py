"""A month's invoices are planned from the rated pieces added up per partner, customer,
SKU, wording and prices (``summed_by_party``): every invoice's lines must be the ones the
pieces themselves give (``lines_for`` over them, the oracle), whatever the mix of prices,
start times and wordings."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.billing.invoicing import lines_for, summed_by_party
from andromede.billing.rating import RatedSegment, quantity_of, unit_of
from andromede.metering.segments import Segment

T0 = datetime(2026, 10, 1, tzinfo=UTC)
SKUS = ["compute:SCS-2V-4:fr-par-1", "compute:SCS-1V-2:fr-rns-1", "disk:ssd:fr-par-1"]
PRICES = [Decimal("0.0412"), Decimal("0.0300"), Decimal("0.05"), Decimal("0.037083")]
VAT = Decimal("0.20")


@st.composite
def pieces(draw: st.DrawFn) -> RatedSegment:
    sku = draw(st.sampled_from(SKUS))
    dimension = "disk" if sku.startswith("disk") else "compute"
    start = T0 + timedelta(seconds=draw(st.integers(min_value=0, max_value=2_600_000)))
    seconds = (
        Decimal(draw(st.integers(min_value=60, max_value=400_000)))
        + Decimal(draw(st.integers(min_value=0, max_value=999_999))) / 10**6
    )
    segment = Segment(
        f"srv-{draw(st.integers(min_value=0, max_value=5))}",
        dimension,
        sku,
        start,
        start + timedelta(seconds=float(seconds)),
        seconds,
        draw(st.sampled_from([0, 20, 100])),
        sku.rsplit(":", 1)[1],
        "",
        "proj",
        draw(st.sampled_from(["c1", "c2", "c3"])),
        draw(st.sampled_from(["p1", "p2"])),
    )
    return RatedSegment(
        segment,
        quantity_of(segment),
        unit_of(dimension),
        draw(st.sampled_from(PRICES)),
        draw(st.sampled_from(PRICES)),
        draw(st.sampled_from(PRICES)),
        draw(st.sampled_from([None, None, "Réservation r-1 (hour)"])),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces(), max_size=40))
def test_lines_from_the_sums_are_the_lines_from_the_pieces(rated: list[RatedSegment]) -> None:
    summed = summed_by_party(rated)
    assert sum(len(own) for by in summed.values() for own in by.values()) <= len(rated)
    names = {"c1": "Mairie", "c2": "Clinique", "c3": "Brasserie"}
    for partner, by_customer in summed.items():
        mine = [r for r in rated if r.segment.partner_id == partner]
        sums = [item for own in by_customer.values() for item in own]
        wholesale = lines_for(sums, "wholesale", VAT, per_customer=True, customer_names=names)
        expected = lines_for(mine, "wholesale", VAT, per_customer=True, customer_names=names)
        assert wholesale == expected
        for customer, own in by_customer.items():
            theirs = [r for r in mine if r.segment.customer_id == customer]
            for layer in ("list", "resale"):
                assert lines_for(own, layer, VAT, per_customer=False) == lines_for(
                    theirs, layer, VAT, per_customer=False
                )
    assert {(p, c) for p, by in summed.items() for c in by} == {
        (r.segment.partner_id, r.segment.customer_id) for r in rated
    }
