"""Where a flavor stands against them, by hand: gaps in percent and per month of 730 h,
reservations on effective hourly prices, a typical mix priced whole."""

from decimal import Decimal

from andromede.alignment.mapping import Flavor, map_flavors
from andromede.alignment.price_list import InstanceType
from andromede.alignment.report import alignment

TYPES = [
    InstanceType(
        "m6i.large", "general", 2, 8192, False, True, Decimal("0.1030"),
        {("1y", "no-upfront"): Decimal("0.0650")},
    ),
    InstanceType("c6i.large", "compute", 2, 4096, False, True, Decimal("0.0880")),
]  # fmt: skip
FLAVORS = [
    Flavor("SCS-2V-8", 2, 8192, "shared-core"),
    Flavor("SCS-2V-4", 2, 4096, "shared-core"),
    Flavor("SCS-2V-16", 2, 16384, "shared-core"),  # memory: nothing to compare with
]


def test_gaps_reservations_and_the_mix_by_hand() -> None:
    matches = map_flavors(FLAVORS, TYPES, {})
    hourly = {
        ("SCS-2V-8", "fr-par-1"): Decimal("0.0980"),
        ("SCS-2V-4", "fr-par-1"): Decimal("0.0880"),
        ("SCS-2V-16", "fr-par-1"): Decimal("0.1500"),
    }
    reserved = {("SCS-2V-8", "fr-par-1", "1y", "no-upfront"): Decimal("0.070560")}
    report = alignment(matches, ["fr-par-1"], hourly, reserved, {"SCS-2V-8": 3, "SCS-2V-4": 1})
    lines = {line.flavor: line for line in report.lines}
    m = lines["SCS-2V-8"]
    assert (m.type, m.theirs) == ("m6i.large", Decimal("0.1030"))
    assert m.gap_pct == Decimal("-4.85")  # (0.0980 - 0.1030) / 0.1030
    assert m.gap_month == Decimal("-3.65")  # -0.0050 x 730
    assert [(r.term, r.payment, r.gap_pct) for r in m.reserved] == [
        ("1y", "no-upfront", Decimal("8.55"))  # (0.07056 - 0.0650) / 0.0650
    ]
    assert lines["SCS-2V-4"].gap_pct == Decimal("0.00")
    assert lines["SCS-2V-16"].type is None and lines["SCS-2V-16"].gap_pct is None
    (mix,) = report.mix
    # ours: (3 x 0.0980 + 0.0880) x 730 = 278.86; theirs: (3 x 0.1030 + 0.0880) x 730 = 289.81
    assert (mix.ours_month, mix.theirs_month) == (Decimal("278.86"), Decimal("289.81"))
    assert mix.gap_pct == Decimal("-3.78")
    assert {(f.kind, f.gap_pct) for f in report.families} == {
        ("general", Decimal("-4.85")),
        ("compute", Decimal("0.00")),
    }
