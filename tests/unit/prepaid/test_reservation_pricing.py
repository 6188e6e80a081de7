from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.prepaid.reservation_pricing import TERM_HOURS, offer, recommend
from andromede.prepaid.reservations import HourUsage

D = Decimal
H0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_offers_spread_the_discounted_total_between_upfront_and_hourly() -> None:
    od = D("0.0340")  # SCS-2V-4 on demand, per hour
    all_up = offer("SCS-2V-4", "v-2", "fr-par-1", 2, od, "1y", "all-upfront")
    total = (od * D("0.65") * 8760).quantize(D("0.01"))
    assert (all_up.upfront, all_up.hourly) == (total, D("0"))
    partial = offer("SCS-2V-4", "v-2", "fr-par-1", 2, od, "1y", "partial-upfront")
    assert partial.upfront == (od * D("0.68") * 8760 / 2).quantize(D("0.01"))
    none = offer("SCS-2V-4", "v-2", "fr-par-1", 2, od, "3y", "no-upfront")
    assert none.upfront == 0 and none.hourly == (od * D("0.55")).quantize(D("0.000001"))
    with pytest.raises(ValueError, match="1y or 3y"):
        offer("SCS-2V-4", "v-2", "fr-par-1", 2, od, "2y", "no-upfront")
    with pytest.raises(ValueError, match="payment"):
        offer("SCS-2V-4", "v-2", "fr-par-1", 2, od, "1y", "monthly")


@given(
    st.decimals(min_value=D("0.001"), max_value=D("5"), places=4),
    st.sampled_from(["1y", "3y"]),
    st.sampled_from(["all-upfront", "partial-upfront", "no-upfront"]),
)
def test_a_fully_used_reservation_never_costs_more_than_on_demand(
    od: Decimal, term: str, payment: str
) -> None:
    o = offer("f", "v", "r", 1, od, term, payment)
    paid = o.upfront + o.hourly * TERM_HOURS[term]
    assert paid <= od * TERM_HOURS[term]
    assert (
        abs(paid - (od * TERM_HOURS[term]) * (1 - _discount(term, payment)))
        < D("0.01") + D("0.000001") * TERM_HOURS[term]
    )


def _discount(term: str, payment: str) -> Decimal:
    from andromede.prepaid.reservation_pricing import DEFAULT_DISCOUNTS

    return DEFAULT_DISCOUNTS[(term, payment)]


def month(servers: list[tuple[str, int]], hours: int = 720) -> dict[datetime, list[HourUsage]]:
    return {
        H0 + timedelta(hours=h): [
            HourUsage(s, "v", "fr-par-1", units, 3600) for s, units in servers
        ]
        for h in range(hours)
    }


def test_the_recommendation_covers_the_steady_usage_and_says_how_much() -> None:
    od_unit = D("0.0170")  # per unit-hour
    usage = month([("a", 2), ("b", 2)])  # two SCS-2V-4 all month
    usage |= {  # and a third one on the first ten days only
        h: [*items, HourUsage("c", "v", "fr-par-1", 2, 3600)]
        for h, items in usage.items()
        if h < H0 + timedelta(days=10)
    }
    prices = {s: od_unit for s in ("a", "b", "c")}
    candidate = offer("SCS-2V-4", "v", "fr-par-1", 2, od_unit * 2, "1y", "all-upfront")
    (best,) = recommend(usage, prices, [candidate])
    assert best.count == 2  # the third server runs a third of the month: not worth it
    expected = 720 * 2 * (od_unit * 2 - candidate.effective_hourly)
    assert best.savings == expected.quantize(D("0.01"))


def test_no_recommendation_when_nothing_would_be_saved() -> None:
    usage = month([("a", 1)], hours=24)
    usage = {h: (items if h.hour < 2 else []) for h, items in usage.items()}  # 2 h a day
    candidate = offer("f", "v", "fr-par-1", 1, D("0.0170"), "3y", "no-upfront")
    assert recommend(usage, {"a": D("0.0170")}, [candidate]) == []


def test_reservations_already_held_fill_first() -> None:
    from andromede.prepaid.reservations import Pool

    od_unit = D("0.0170")
    usage = month([("a", 2), ("b", 2)])
    prices = {"a": od_unit, "b": od_unit}
    candidate = offer("SCS-2V-4", "v", "fr-par-1", 2, od_unit * 2, "1y", "all-upfront")
    one_held = [Pool("r-old", "v", "fr-par-1", 2, H0)]
    (best,) = recommend(usage, prices, [candidate], held=one_held)
    assert best.count == 1  # one server is already covered: one more is enough
    both_held = [Pool("r-old", "v", "fr-par-1", 4, H0)]
    assert recommend(usage, prices, [candidate], held=both_held) == []
