"""French by default, English on a switch: gettext catalogs read with Babel, and dates,
numbers and money written the way each locale writes them (``1 234,56 €``).

Source strings are English; ``locales/<lang>/LC_MESSAGES/messages.po`` holds the others.
The .po file is read at start-up (no compiled .mo to forget to rebuild)."""

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

__all__ = ["DEFAULT", "LANGUAGES", "Formats", "language_of"]

DEFAULT = "fr"
LANGUAGES = {"fr": "fr_FR", "en": "en_GB"}
PARIS = ZoneInfo("Europe/Paris")  # where the operator and most readers are


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT


@cache
def translations(language: str) -> NullTranslations:
    path = files("andromede.console") / "locales" / language / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return NullTranslations()  # English: the source strings themselves
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


Amount = Decimal | int | str | None  # a str as the API writes amounts: "12.50"


def _decimal(value: Amount) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


class Formats:
    """What templates call to write a value for the reader's language."""

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self.locale = Locale.parse(LANGUAGES[self.language])
        self.gettext = translations(self.language).gettext

    def money(self, value: Amount, currency: str = "EUR") -> str:
        amount = _decimal(value)
        if amount is None:
            return "—"
        return format_currency(amount, currency, locale=self.locale)

    def unit_price(self, value: Amount, currency: str = "EUR") -> str:
        """A price per hour: to the hundredth of a cent, as rating uses it."""
        amount = _decimal(value)
        if amount is None:
            return "—"
        exact = amount.quantize(Decimal("0.0001"))
        return format_currency(exact, currency, locale=self.locale, decimal_quantization=False)

    def number(self, value: int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: Amount) -> str:
        ratio = _decimal(value)
        if ratio is None:
            return "—"
        return format_percent(ratio, format="#,##0.0 %", locale=self.locale)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        return format_date(value, format="medium", locale=self.locale)

    def when(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(value, format="short", tzinfo=PARIS, locale=self.locale)
