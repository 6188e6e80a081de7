"""Who hears of a maintenance window: each affected customer once, each of their
partners once, nobody else; and which windows are refused."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from andromede.compute.maintenance import Window, notices, window_errors

NOW = datetime(2026, 12, 5, 17, tzinfo=UTC)
WINDOW = Window(
    "fr-par-1", "fr-par-1a", NOW + timedelta(days=7), NOW + timedelta(days=7, hours=2),
    "hypervisor firmware", "degraded", "noc@andromede.example",
)  # fmt: skip

tenants = st.sets(st.tuples(st.sampled_from("pqr"), st.sampled_from("abcdef")), max_size=12)


@given(tenants)
def test_each_customer_and_each_partner_once(affected: set[tuple[str, str]]) -> None:
    sent = notices(WINDOW, list(affected) * 2)  # a customer on several servers: once
    customers = [(p, c) for p, c, _ in sent if c is not None]
    partners = [p for p, c, _ in sent if c is None]
    assert sorted(customers) == sorted(affected)
    assert sorted(partners) == sorted({p for p, _ in affected})
    assert all("fr-par-1a" in text and "degraded" in text for _, _, text in sent)


def test_a_partner_hears_how_many_of_its_customers_are_there() -> None:
    sent = notices(WINDOW, [("p", "a"), ("p", "b"), ("q", "c")])
    to_partners = {p: text for p, c, text in sent if c is None}
    assert to_partners["p"].endswith("2 of your customers have resources there.")
    assert to_partners["q"].endswith("1 of your customers have resources there.")


def test_bad_windows_name_each_field() -> None:
    def fields(**change: object) -> list[str]:
        window = Window(**{**WINDOW.__dict__, **change})  # type: ignore[arg-type]
        return [e.field for e in window_errors(window, NOW)]

    assert fields() == []
    assert fields(ends_at=WINDOW.starts_at) == ["ends_at"]
    assert fields(starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=1)) == ["ends_at"]
    assert fields(nature=" ") == ["nature"]
    assert fields(impact="apocalyptic") == ["impact"]
    assert fields(contact="x" * 201) == ["contact"]
    assert fields(starts_at=NOW - timedelta(hours=1)) == []  # under way, still to end
