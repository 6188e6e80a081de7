"""Dashboard figures from plain rows, and the SVG chart that draws them."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from andromede.console.charts import Series, bar_chart, compact
from andromede.console.figures import (
    active_share,
    by_day,
    capacity,
    last_months,
    monthly_average,
)
from andromede.console.navigation import menu
from andromede.tenancy.scope import Actor, Role


@dataclass
class H:
    name: str
    region_code: str
    zone_code: str
    vcpus: int = 16
    ram_mib: int = 65536
    cpu_ratio: float = 4.0
    ram_ratio: float = 1.0
    used_vcpus: int = 0
    used_ram_mib: int = 0


def test_capacity_sums_per_zone_with_overcommit_and_names_nearly_full_hosts() -> None:
    hosts = [
        H("h1", "fr-par-1", "a", used_vcpus=60),
        H("h2", "fr-par-1", "a", used_ram_mib=8192),
        H("h3", "fr-rns-1", "b", used_ram_mib=60000),
    ]
    par, rns = capacity(hosts)
    assert (par.vcpus_used, par.vcpus_total, par.hosts) == (60, 128, 2)
    assert par.nearly_full == ("h1",)  # 60 of 64 vCPU
    assert rns.nearly_full == ("h3",) and rns.ram_share > Decimal("0.9")


def test_a_partner_is_active_when_billed_past_the_threshold() -> None:
    billed = {"p1": Decimal(150), "p3": Decimal(100)}  # p3 is not above it
    assert active_share(billed, ["p1", "p2", "p3", "p4"], Decimal(100)) == (1, 4)


def test_monthly_average_of_daily_figures() -> None:
    days = [
        (date(2026, 10, 1), Decimal(2)),
        (date(2026, 10, 2), Decimal(4)),
        (date(2026, 11, 5), Decimal(9)),
        (date(2026, 9, 30), Decimal(100)),
    ]
    assert monthly_average(days, ["2026-10", "2026-11", "2026-12"]) == [3, 9, 0]


def test_last_months_cross_the_year() -> None:
    assert last_months(date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=24))
def test_the_chart_is_well_formed_svg_with_one_bar_per_figure(values: list[Decimal]) -> None:
    labels = [f"m{i}" for i in range(len(values))]
    svg = bar_chart(Series(labels, values, line=values[::-1]), "Revenue <&> plan")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    bars = root.findall(f"{ns}rect")
    assert len(bars) == len(values)
    assert all(0 <= float(b.get("height", "-1")) <= 240 for b in bars)
    assert root.find(f"{ns}title").text == "Revenue <&> plan"  # type: ignore[union-attr]
    assert root.find(f"{ns}polyline") is not None


def test_each_role_gets_its_own_menu_with_the_current_page_marked() -> None:
    customer = Actor("u", "u", Role.CUSTOMER_VIEWER, "p", "c")
    items = menu(customer, "/console/servers/abc")
    assert [i.href for i in items if i.current] == ["/servers"]
    staff = Actor("s", "s", Role.OPERATOR_SUPPORT)
    assert all(not i.href.startswith("/servers") for i in menu(staff, "/console/operator"))


@dataclass
class Piece:
    start: datetime
    end: datetime
    amount: Decimal


@given(
    st.integers(min_value=0, max_value=20 * 86400),
    st.integers(min_value=1, max_value=9 * 86400),
    st.decimals(min_value=0, max_value=10_000, places=4),
)
def test_a_charge_is_shared_among_its_days_and_nothing_is_lost(
    offset: int, length: int, amount: Decimal
) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(seconds=offset)
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]
    shares = by_day([Piece(start, start + timedelta(seconds=length), amount)], days)
    assert abs(sum(shares, Decimal(0)) - amount) < Decimal("1e-20")
    assert all(s >= 0 for s in shares)


def test_the_scale_is_written_short_enough_for_the_margin() -> None:
    assert compact(Decimal(950)) == "950"
    assert compact(Decimal(12_500)) == "12.5 k"
    assert compact(Decimal(1_666_667)) == "1.7 M"
