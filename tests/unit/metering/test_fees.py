"""A cluster's fee follows its nodes' running time inside their membership: properties
over any run and any span — never more than the node ran, nothing outside a span, the
run's one-minute minimum kept when the span covers the run — and its rating in vCPU-hours
on an invoice line that names the cluster."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from andromede.billing.rating import label_of, quantity_of, unit_of
from andromede.metering.fees import Span, fee_segments
from andromede.metering.segments import Segment, seconds_between

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)


def compute(start: datetime, end: datetime, seconds: Decimal | None = None) -> Segment:
    billed = seconds_between(start, end) if seconds is None else seconds
    return Segment(
        "s1", "compute", "compute:SCS-2V-4:fr-par-1", start, end, billed, 0, "fr-par-1",
        "SCS-2V-4", "p", "c", "pa",
    )  # fmt: skip


def span(start: datetime, end: datetime | None) -> Span:
    return Span("s1", "cluster", "k1", "etl", 2, start, end)


OFFSETS = st.integers(0, 10_000)


@given(OFFSETS, st.integers(1, 10_000), OFFSETS, st.one_of(st.none(), st.integers(1, 20_000)))
def test_the_fee_runs_only_while_the_node_runs_inside_its_span(
    run_start: int, run_length: int, span_start: int, span_length: int | None
) -> None:
    start = T0 + timedelta(seconds=run_start)
    end = start + timedelta(seconds=run_length)
    member_from = T0 + timedelta(seconds=span_start)
    member_to = None if span_length is None else member_from + timedelta(seconds=span_length)
    fees = fee_segments([compute(start, end)], [span(member_from, member_to)])
    assert len(fees) <= 1
    for fee in fees:
        assert fee.dimension == "cluster" and fee.sku == "cluster:fr-par-1"
        assert start <= fee.start < fee.end <= end
        assert member_from <= fee.start and (member_to is None or fee.end <= member_to)
        assert fee.seconds == seconds_between(fee.start, fee.end) <= run_length
        assert fee.quantity == fee.seconds * 2
    overlap = min(end, member_to or end) > max(start, member_from)
    assert bool(fees) == overlap


def test_a_run_inside_its_span_keeps_the_one_minute_minimum() -> None:
    short = compute(T0, T0 + timedelta(seconds=20), seconds=Decimal(60))
    (fee,) = fee_segments([short], [span(T0, None)])
    assert fee.seconds == Decimal(60)


def test_disk_and_other_servers_pay_no_fee() -> None:
    disk = compute(T0, T0 + timedelta(hours=1))._replace(dimension="disk", sku="disk:fr-par-1")
    other = Span("s2", "cluster", "k1", "etl", 2, T0, None)
    assert fee_segments([disk], [span(T0, None)]) == []
    assert fee_segments([compute(T0, T0 + timedelta(hours=1))], [other]) == []


def test_rated_in_vcpu_hours_on_a_line_naming_the_cluster() -> None:
    (fee,) = fee_segments([compute(T0, T0 + timedelta(hours=3))], [span(T0, None)])
    assert quantity_of(fee) == Decimal(6)  # 3 h x 2 vCPUs
    assert unit_of(fee.dimension) == "vCPU-hour"
    assert label_of(fee) == "Cluster etl, région fr-par-1 (vCPU-hour)"
