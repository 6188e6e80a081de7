"""What an invoice still asks of its debtor, pure: balances, payment statuses, how a
payment applies, and when a reminder is due.

An invoice's amount due is its total including VAT, less a credit note that cancels it,
less what was paid. A payment larger than what is due is refused unless the issuer says
the excess is kept as a credit on the debtor's account.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "METHODS",
    "REMINDER_DAYS",
    "STATUSES",
    "Balance",
    "PaymentRefused",
    "apply_payment",
    "reminder_stage",
]

METHODS = ("transfer", "direct_debit", "card", "cheque", "other")
STATUSES = ("unpaid", "partly_paid", "paid", "overdue", "credited", "n/a")  # n/a: credit notes
REMINDER_DAYS = (1, 15, 30)  # days past the due date: first notice, second, final
ZERO = Decimal("0.00")


class PaymentRefused(ValueError):
    """The payment cannot be applied as asked; the message says why."""


@dataclass(frozen=True)
class Balance:
    total: Decimal  # including VAT
    credited: Decimal  # what a credit note took off (positive)
    paid: Decimal
    due_date: date

    @property
    def outstanding(self) -> Decimal:
        return max(self.total - self.credited - self.paid, ZERO)

    def status(self, today: date) -> str:
        if self.total - self.credited <= 0:
            return "credited"
        if self.outstanding == 0:
            return "paid"
        if today > self.due_date:
            return "overdue"
        return "partly_paid" if self.paid > 0 else "unpaid"

    def days_overdue(self, today: date) -> int:
        return max((today - self.due_date).days, 0) if self.outstanding > 0 else 0


def apply_payment(balance: Balance, amount: Decimal, *, keep_credit: bool) -> Decimal:
    """The part of ``amount`` kept as a credit on account (0 when it fits the balance)."""
    if amount <= 0:
        raise PaymentRefused("a payment is a positive amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise PaymentRefused("a payment is in cents")
    if balance.total - balance.credited <= 0:
        raise PaymentRefused("the invoice is cancelled by a credit note: nothing is due")
    excess = amount - balance.outstanding
    if excess > 0 and not keep_credit:
        raise PaymentRefused(
            f"{amount} is more than the {balance.outstanding} due; say keep_credit to keep "
            f"the {excess} excess as a credit on account"
        )
    return max(excess, ZERO)


def reminder_stage(balance: Balance, today: date) -> int:
    """The highest reminder stage reached (1-based), 0 when none is due."""
    days = balance.days_overdue(today)
    return sum(1 for threshold in REMINDER_DAYS if days >= threshold)
