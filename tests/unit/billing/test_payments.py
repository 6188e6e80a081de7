from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.billing.payments import Balance, PaymentRefused, apply_payment, reminder_stage

DUE = date(2026, 12, 1)


def balance(paid: str = "0", credited: str = "0", total: str = "120.00") -> Balance:
    return Balance(Decimal(total), Decimal(credited), Decimal(paid), DUE)


def test_statuses_follow_payments_due_dates_and_credit_notes() -> None:
    before, after = DUE - timedelta(days=1), DUE + timedelta(days=1)
    assert balance().status(before) == "unpaid"
    assert balance("20.00").status(before) == "partly_paid"
    assert balance("20.00").status(DUE) == "partly_paid"  # due today is not late
    assert balance("20.00").status(after) == "overdue"
    assert balance("120.00").status(after) == "paid"
    assert balance(credited="120.00").status(after) == "credited"
    assert balance("20.00").outstanding == Decimal("100.00")


def test_a_payment_beyond_what_is_due_needs_an_explicit_credit() -> None:
    with pytest.raises(PaymentRefused, match="keep_credit"):
        apply_payment(balance("100.00"), Decimal("30.00"), keep_credit=False)
    assert apply_payment(balance("100.00"), Decimal("30.00"), keep_credit=True) == Decimal("10.00")
    assert apply_payment(balance("100.00"), Decimal("20.00"), keep_credit=False) == 0
    for amount in ("0", "-5.00", "1.005"):
        with pytest.raises(PaymentRefused):
            apply_payment(balance(), Decimal(amount), keep_credit=True)
    with pytest.raises(PaymentRefused, match="credit note"):
        apply_payment(balance(credited="120.00"), Decimal("1.00"), keep_credit=True)


def test_reminders_at_one_fifteen_and_thirty_days() -> None:
    assert reminder_stage(balance(), DUE) == 0
    assert reminder_stage(balance(), DUE + timedelta(days=1)) == 1
    assert reminder_stage(balance(), DUE + timedelta(days=15)) == 2
    assert reminder_stage(balance(), DUE + timedelta(days=90)) == 3
    assert reminder_stage(balance("120.00"), DUE + timedelta(days=90)) == 0


@given(st.lists(st.integers(min_value=1, max_value=20_000), max_size=8))
def test_payments_never_take_more_than_due_without_a_credit(cents: list[int]) -> None:
    """Applying payments one by one, refusing what does not fit: the sum applied never
    exceeds the total, and the outstanding amount is exactly what is left."""
    paid = Decimal("0.00")
    total = Decimal("120.00")
    for c in cents:
        amount = Decimal(c) / 100
        current = Balance(total, Decimal(0), paid, DUE)
        try:
            assert apply_payment(current, amount, keep_credit=False) == 0
        except PaymentRefused:
            assert amount > current.outstanding
            continue
        paid += amount
    assert paid <= total
    assert Balance(total, Decimal(0), paid, DUE).outstanding == total - paid
