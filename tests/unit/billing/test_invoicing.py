from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from andromede.billing.invoicing import (
    Party,
    credit_lines,
    due_date,
    invoice_number,
    lines_for,
    margins,
    party_row,
    totals,
    vat_treatment,
)
from andromede.billing.rating import rate
from andromede.catalog.pricing import PriceBook, PriceEntry
from andromede.kernel.money import round_cents
from andromede.metering.segments import Segment, StateEvent, derive_segments

D = Decimal
T0 = datetime(2026, 10, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
SKU = "compute:SCS-2V-4:fr-par-1"


def book(list_price: str = "0.0500", discount: str = "0.20", markup: str = "0") -> PriceBook:
    return PriceBook(
        [
            PriceEntry("list", "price", "", SKU, D(list_price), T0),
            PriceEntry("list", "price", "", "disk:fr-par-1", D("0.08"), T0),
            PriceEntry("wholesale", "discount", "silver", "", D(discount), T0),
            PriceEntry("resale", "markup", "pa", "", D(markup), T0),
        ]
    )


def segment(hours: float, customer: str = "c1", start: datetime = T0) -> Segment:
    seconds = D(str(hours)) * 3600
    return Segment(
        "s1",
        "compute",
        SKU,
        start,
        start + timedelta(seconds=float(seconds)),
        seconds,
        0,
        "fr-par-1",
        "SCS-2V-4",
        "p1",
        customer,
        "pa",
    )


def test_ten_hours_at_five_cents() -> None:
    rated = rate([segment(10)], book(), {"pa": "silver"})
    lines = lines_for(rated, "wholesale", D("0.20"), per_customer=True)
    assert [(line.quantity, line.unit_price, line.amount) for line in lines] == [
        (D("10.000000"), D("0.0400"), D("0.40"))
    ]
    t = totals(lines)
    assert (t.excl_vat, t.vat, t.incl_vat) == (D("0.40"), D("0.08"), D("0.48"))


def test_disk_is_priced_per_gib_month_of_730_hours() -> None:
    events = [
        StateEvent("1", "s1", T0, "SHUTOFF", "SCS-2V-4-20s", "fr-par-1", 20, "p1", "c1", "pa")
    ]
    rated = rate(derive_segments(events, until=T0 + timedelta(hours=730)), book(), {"pa": "silver"})
    assert [(r.unit, r.quantity, r.list_amount) for r in rated] == [("GiB-month", D(20), D("1.60"))]


def test_vat_french_reverse_charge_and_due_date() -> None:
    assert vat_treatment(Party("Mairie", "FR", "x", "732829320", "FR44732829320")) == (
        D("0.20"),
        None,
    )
    rate_de, mention = vat_treatment(Party("GmbH", "DE", "y", None, "DE136695976"))
    assert rate_de == 0 and mention is not None and "Autoliquidation" in mention
    assert due_date(date(2026, 11, 1)) == date(2026, 12, 1)
    assert (due_date(date(2026, 11, 1)) - date(2026, 11, 1)).days <= 45
    assert invoice_number("AND", 2026, 7) == "AND-2026-000007"


def test_credit_note_cancels_the_original() -> None:
    rated = rate([segment(3), segment(5, "c2")], book(), {"pa": "silver"})
    lines = lines_for(rated, "wholesale", D("0.20"), per_customer=True)
    credit = credit_lines(lines)
    assert totals([*lines, *credit]).incl_vat == 0
    assert all(c.amount == -line.amount for c, line in zip(credit, lines, strict=True))


def test_margin_is_resale_minus_wholesale() -> None:
    rated = rate([segment(100)], book(markup="0.10"), {"pa": "silver"})
    (margin,) = margins(rated)
    assert (margin.wholesale, margin.resale, margin.margin) == (D("4.00"), D("5.50"), D("1.50"))


hours = st.decimals(min_value=D("0.0001"), max_value=D(744), places=4)
prices = st.decimals(min_value=D("0.0001"), max_value=D(5), places=4)


@given(
    st.lists(st.tuples(hours, st.sampled_from(["c1", "c2", "c3"])), min_size=1, max_size=40),
    prices,
    st.decimals(min_value=D(0), max_value=D("0.5"), places=2),
    st.decimals(min_value=D(0), max_value=D(1), places=2),
)
def test_invoice_total_is_the_sum_of_rounded_lines(
    items: list[tuple[Decimal, str]], price: Decimal, discount: Decimal, markup: Decimal
) -> None:
    rated = rate(
        [segment(float(h), c) for h, c in items],
        book(str(price), str(discount), str(markup)),
        {"pa": "silver"},
    )
    for layer, per_customer in (("wholesale", True), ("resale", False), ("list", False)):
        lines = lines_for(rated, layer, D("0.20"), per_customer=per_customer)
        t = totals(lines)
        assert t.excl_vat == sum(line.amount for line in lines)
        assert all(line.amount == round_cents(line.amount) for line in lines)
        assert all(line.amount >= 0 for line in lines)
        assert t.vat == round_cents(t.excl_vat * D("0.20"))


@given(hours, prices, st.floats(min_value=0.01, max_value=0.99))
def test_splitting_a_segment_moves_the_amount_by_at_most_one_rounding(
    total: Decimal, price: Decimal, where: float
) -> None:
    pricebook = book(str(price))
    whole = lines_for(
        rate([segment(float(total))], pricebook, {"pa": "silver"}),
        "list",
        D("0.20"),
        per_customer=False,
    )
    first = D(str(round(float(total) * where, 4))) or D("0.0001")
    parts = [
        segment(float(first)),
        segment(float(total - first), start=T0 + timedelta(hours=float(first))),
    ]
    # each piece on a line of its own, as when a boundary separates them
    split = [
        lines_for(rate([p], pricebook, {"pa": "silver"}), "list", D("0.20"), per_customer=False)
        for p in parts
    ]
    difference = abs(totals(whole).excl_vat - sum(totals(lines).excl_vat for lines in split))
    assert difference <= D("0.01")


def test_a_party_is_stored_as_its_fields_as_asdict_gives_them() -> None:
    """``party_row`` copies the fields flat (every one: a field added to ``Party`` and
    forgotten there fails this); a nested field would need ``asdict``."""
    party = Party("Ville de Rennes", "FR", "Rennes", "213502388", None, "RCS", "21350238800017")
    row = party_row(party)
    assert row == asdict(party)
    row["name"] = "changed"
    assert party.name == "Ville de Rennes"
