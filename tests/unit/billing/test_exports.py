"""The CSV files are written column by column; each cell must read exactly as the cell's
own formatting (``_text``) writes it, whatever mix of values a column holds."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.billing.exports import USAGE_COLUMNS, _text, csv_text, usage_columns, usage_rows
from andromede.billing.rating import RatedSegment
from andromede.metering.segments import Segment

T0 = datetime(2026, 10, 1, tzinfo=UTC)

cells = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["a,b", 'say "hi"', "two\nlines", "cr\r", ""]),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=12, min_value=-1e9, max_value=1e9),
    st.integers(min_value=0, max_value=10**8).map(lambda s: T0 + timedelta(seconds=s)),
    st.integers(min_value=0, max_value=3650).map(lambda d: date(2026, 1, 1) + timedelta(days=d)),
)


@st.composite
def one_kind_or_mixed(draw: st.DrawFn) -> list[Any]:
    """A column of one kind of value (as files have), sometimes with gaps, or a mix."""
    rows = draw(st.integers(min_value=0, max_value=12))
    if draw(st.booleans()):
        return draw(st.lists(cells, min_size=rows, max_size=rows))
    kind = draw(cells.filter(lambda v: v is not None))
    same = st.just(kind) if draw(st.booleans()) else st.sampled_from([kind, None])
    return draw(st.lists(same, min_size=rows, max_size=rows))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_each_cell_reads_as_its_own_formatting(data: st.DataObject) -> None:
    width = data.draw(st.integers(min_value=1, max_value=5))
    columns = [f"c{i}" for i in range(width)]
    by_column = [data.draw(one_kind_or_mixed()) for _ in columns]
    height = min(len(c) for c in by_column)
    rows = [{c: by_column[i][r] for i, c in enumerate(columns)} for r in range(height)]
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(columns)
    writer.writerows([_text(row[c]) for c in columns] for row in rows)
    assert csv_text(columns, rows) == expected.getvalue()


def test_decimals_are_never_written_in_exponent_form() -> None:
    text = csv_text(["amount", "at"], [{"amount": Decimal("0E-12"), "at": T0}])
    assert text.splitlines()[1] == "0.000000000000,2026-10-01T00:00:00+00:00"


def test_the_usage_columns_are_the_files_columns_with_each_pieces_own_amounts() -> None:
    """The usage file is built column by column (each amount computed once for CSV and
    Parquet); each row must still read as the rated piece it comes from."""

    def piece(n: int, reservation: str | None) -> RatedSegment:
        start = T0 + timedelta(hours=n)
        segment = Segment(
            f"srv-{n}", "compute", "compute:SCS-2V-4:fr-par-1", start, start + timedelta(hours=1),
            Decimal(3600 + n), 0, "fr-par-1", "SCS-2V-4", f"prj-{n}", f"cus-{n}", "ptn-1",
        )  # fmt: skip
        quantity = segment.seconds / 3600
        prices = Decimal("0.0417"), Decimal("0.0333"), Decimal("0.0390") - Decimal(n) / 1000
        return RatedSegment(segment, quantity, "hour", *prices, None, reservation)

    rated = [piece(1, None), piece(2, "res-1"), piece(3, None)]
    assert list(usage_columns(rated)) == USAGE_COLUMNS
    rows = usage_rows(rated)
    for row, item in zip(rows, rated, strict=True):
        assert (row["server_id"], row["customer_id"], row["start"], row["end"]) == (
            item.segment.server_id, item.segment.customer_id, item.segment.start, item.segment.end
        )  # fmt: skip
        assert (row["list_amount"], row["wholesale_amount"], row["resale_amount"]) == (
            item.list_amount, item.wholesale_amount, item.resale_amount
        )  # fmt: skip
        assert row["quantity"] == item.quantity and row["unit"] == "hour"
        assert row["reservation_id"] == (item.reservation_id or "")
