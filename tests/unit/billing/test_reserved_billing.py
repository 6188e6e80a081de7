"""Reservations on a month's rated usage and invoice lines, and prepaid commitments, on
plain data."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.billing.invoicing import lines_for
from andromede.billing.rating import RatedSegment
from andromede.billing.reserved_rating import (
    FlavorShape,
    cover,
    hourly_charges,
    upfront_charges,
)
from andromede.catalog.pricing import Prices
from andromede.metering.segments import Segment, seconds_between
from andromede.prepaid.commitments import Credit, credit_of, draw, expires_at, notice_due
from andromede.prepaid.reservation_pricing import PAYMENTS, TERM_HOURS, offer
from andromede.prepaid.terms import Reservation

D = Decimal
MONTH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
SHAPES = {"M": FlavorShape("v", 2), "S": FlavorShape("v", 1), "L": FlavorShape("v", 4)}


def used(server: str, flavor: str, price: Decimal, start: datetime, end: datetime) -> RatedSegment:
    segment = Segment(
        server,
        "compute",
        f"compute:{flavor}:r1",
        start,
        end,
        seconds_between(start, end),
        0,
        "r1",
        flavor,
        "prj",
        "cust",
        "part",
    )
    hours = segment.seconds / 3600
    return RatedSegment(segment, hours, "hour", price, price, price)


def reservation(
    flavor: str, count: int, upfront: Decimal, hourly: Decimal, term: str = "1y", pay: str = "x"
) -> Reservation:
    shape = SHAPES[flavor]
    start = MONTH[0] - timedelta(days=40)
    return Reservation(
        "r-1",
        "RES-1",
        "cust",
        "part",
        flavor,
        shape.family,
        "r1",
        shape.size_units,
        count,
        term,
        pay if pay in PAYMENTS else "partial-upfront",
        start,
        start + timedelta(hours=TERM_HOURS[term]),
        Prices(upfront, upfront, upfront),
        Prices(hourly, hourly, hourly),
    )


def test_covered_usage_stays_on_the_invoice_at_zero_naming_the_reservation() -> None:
    start, end = MONTH
    # a medium reservation (2 units) and a large server (4 units): half covered
    items = cover(
        [used("s1", "L", D("0.08"), start, end)],
        SHAPES,
        [reservation("M", 1, D(0), D("0.03"))],
        start,
        end,
    )
    hours = D(31 * 24)
    assert sorted((i.quantity, i.resale_price) for i in items) == [
        (hours / 2, D(0)),
        (hours / 2, D("0.08")),
    ]
    lines = lines_for(items, "resale", D("0.20"), per_customer=False)
    covered = next(line for line in lines if line.amount == 0)
    assert "couvert par la réservation RES-1" in covered.description
    assert covered.quantity == D("372.000000")


def test_hourly_part_is_billed_every_hour_in_force_and_upfront_once() -> None:
    start, end = MONTH
    r = reservation("M", 3, D("100.00"), D("0.010000"))
    (charge,) = hourly_charges([r], start, end)
    # March 2026 has a DST change in Europe, none in UTC: 744 hours × 3 reservations
    assert charge.quantity == D(744 * 3)
    assert charge.resale_amount == D("22.32")
    (once,) = upfront_charges(r)
    assert (once.quantity, once.resale_amount) == (D(3), D("300.00"))
    none = reservation("M", 1, D(0), D("0.01"), pay="no-upfront")
    assert upfront_charges(none) == []


@settings(max_examples=150, deadline=None)
@given(
    price=st.decimals(D("0.005"), D("2"), places=4),
    discount=st.decimals(D("0.05"), D("0.9"), places=2),
    count=st.integers(1, 4),
    term=st.sampled_from(sorted(TERM_HOURS)),
    payment=st.sampled_from(PAYMENTS),
    extra_hours=st.integers(0, 744),
)
def test_buying_never_raises_a_months_bill_at_full_utilization(
    price: Decimal, discount: Decimal, count: int, term: str, payment: str, extra_hours: int
) -> None:
    """At 100 % utilization, the month with the reservation (its hourly part, and its
    upfront part spread over the term) costs no more than the same month on demand."""
    start, end = MONTH
    o = offer("M", "v", "r1", 2, price, term, payment, discount)
    r = reservation("M", count, o.upfront, o.hourly, term, payment)
    usage = [used(f"s{n}", "M", price, start, end) for n in range(count)]
    usage += [used("extra", "M", price, start, start + timedelta(hours=extra_hours))]
    on_demand = lines_for(usage, "resale", D("0.20"), per_customer=False)
    with_reservation = lines_for(
        [*cover(usage, SHAPES, [r], start, end), *hourly_charges([r], start, end)],
        "resale",
        D("0.20"),
        per_customer=False,
    )
    hours = D(744)
    spread_upfront = o.upfront * count * hours / TERM_HOURS[term]
    billed = sum((line.amount for line in with_reservation), D(0)) + spread_upfront
    assert billed <= sum((line.amount for line in on_demand), D(0))


def test_credit_is_the_amount_plus_the_partners_bonus() -> None:
    assert credit_of(D("50000.00"), D("0.05")) == D("52500.00")
    assert credit_of(D("99.99"), D("0.033")) == D("103.29")


def test_expiry_is_the_same_day_months_later_or_the_months_last_day() -> None:
    assert expires_at(datetime(2026, 1, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert expires_at(datetime(2026, 11, 15, tzinfo=UTC), 14) == datetime(2028, 1, 15, tzinfo=UTC)


def test_draws_soonest_expiry_first_and_never_beyond_balance_or_charge() -> None:
    start, end = MONTH
    credits = [
        Credit("late", start - timedelta(days=10), end + timedelta(days=300), D("100.00")),
        Credit("soon", start - timedelta(days=10), end + timedelta(days=5), D("30.00")),
        Credit("gone", start - timedelta(days=400), start, D("500.00")),  # expired
        Credit("future", end, end + timedelta(days=400), D("500.00")),  # not started
    ]
    assert draw(credits, D("45.50"), start, end) == [("soon", D("30.00")), ("late", D("15.50"))]
    assert draw(credits, D("10.00"), start, end) == [("soon", D("10.00"))]
    assert draw(credits, D("0.00"), start, end) == []


@given(
    balances=st.lists(st.decimals(D(0), D(1000), places=2), max_size=4),
    charge=st.decimals(D(0), D(3000), places=2),
)
def test_a_draw_never_exceeds_the_charge_nor_a_balance(
    balances: list[Decimal], charge: Decimal
) -> None:
    start, end = MONTH
    credits = [Credit(f"c{i}", start, end + timedelta(days=i), b) for i, b in enumerate(balances)]
    drawn = dict(draw(credits, charge, start, end))
    assert sum(drawn.values(), D(0)) == min(charge, sum(balances, D(0)))
    assert all(
        0 < drawn[c.commitment_id] <= c.remaining for c in credits if c.commitment_id in drawn
    )


def test_notice_runs_from_thirty_days_before_expiry_while_credit_is_left() -> None:
    expiry = datetime(2026, 12, 31, tzinfo=UTC)
    assert not notice_due(expiry - timedelta(days=31), expiry, D("1.00"))
    assert notice_due(expiry - timedelta(days=30), expiry, D("1.00"))
    assert not notice_due(expiry - timedelta(days=3), expiry, D("0.00"))
    assert not notice_due(expiry, expiry, D("1.00"))
