"""The French catalog covers every string the console shows; money, numbers and dates
are written as each language writes them."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files

import pytest
from babel.messages.pofile import read_po

from andromede.billing.payments import STATUSES as PAYMENT_STATUSES
from andromede.clusters.jobs import JobStatus
from andromede.clusters.service import Status as ClusterStatus
from andromede.compute.lifecycle import Status
from andromede.compute.quota_service import QUOTAS
from andromede.console.i18n import Formats, language_of, translations
from andromede.console.navigation import AREAS
from andromede.documents.lifecycle import STATUSES as EINVOICE_STATUSES
from andromede.sovereignty.access import AccessState
from andromede.storage.volume_rules import AVAILABLE, IN_USE
from andromede.tenancy.scope import Role

CALLS = re.compile(r"""\b_\(\s*(["'])(.+?)\1\s*\)""")
CONSOLE = files("andromede.console")


def _shown_strings() -> set[str]:
    """Literal strings passed to _() in templates and modules, and the values the pages
    translate by name (menu labels, statuses, roles, access states, policy levels)."""
    found: set[str] = set()
    sources = [*(CONSOLE / "templates").iterdir(), *CONSOLE.iterdir()]
    for path in sources:
        if path.name.endswith((".html", ".py")):
            found |= {m.group(2) for m in CALLS.finditer(path.read_text(encoding="utf-8"))}
    found |= {label for items in AREAS.values() for _, label in items}
    found |= {s.value for s in Status} | {r.value for r in Role} | {a.value for a in AccessState}
    found |= {s.value for s in ClusterStatus} | set(JobStatus.ALL)
    found |= {"operator", "partner", "customer", "project", "read", "operate"}
    found |= set(QUOTAS) | {"server"}  # resource types of the data-location table
    found |= {"markup", "price", "customer-discount"}  # kinds of resale price
    found |= {"affinity", "anti-affinity"}  # server group policies
    found |= {"active"}  # a commitment's state (the other, expired, is an access state too)
    found |= {AVAILABLE, IN_USE}  # a customer's volumes, as the embedded backend leaves them
    found |= {"Start", "Stop", "Reboot", "Created", "Name", "Status", "Flavor"}
    found |= set(PAYMENT_STATUSES) | set(EINVOICE_STATUSES)  # an invoice's two states
    return found


def test_every_string_the_console_shows_has_a_french_translation() -> None:
    path = CONSOLE / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    assert sorted(_shown_strings() - translated) == []
    assert sorted(translated - _shown_strings()) == []  # and nothing stale is kept
    assert translations("fr").gettext("Sign in") == "Se connecter"  # what pages really use


def test_the_extraction_finds_the_templates_strings() -> None:
    shown = _shown_strings()
    assert {"Sign in", "Create a server", "Staff access requests"} <= shown


def test_french_is_the_default_and_english_the_switch() -> None:
    assert language_of(None) == "fr" and language_of("de") == "fr"
    assert language_of("en") == "en"
    assert Formats("fr").gettext("Servers") == "Serveurs"
    assert Formats("en").gettext("Servers") == "Servers"


@pytest.mark.parametrize(
    ("language", "money", "number", "day"),
    [
        ("fr", "1\u202f234,56\u00a0€", "12\u202f345", "3 déc. 2026"),
        ("en", "€1,234.56", "12,345", "3 Dec 2026"),
    ],
)
def test_money_numbers_and_dates_follow_the_language(
    language: str, money: str, number: str, day: str
) -> None:
    f = Formats(language)
    assert f.money(Decimal("1234.56")) == money
    assert f.number(12345) == number
    assert f.day(date(2026, 12, 3)) == day


def test_prices_per_hour_keep_four_decimals() -> None:
    assert Formats("fr").unit_price(Decimal("0.01875")) == "0,0188\u00a0€"
    assert Formats("en").unit_price(Decimal("1.5")) == "€1.50"


def test_times_are_shown_in_paris_time() -> None:
    assert "21:30" in Formats("fr").when(datetime(2026, 12, 3, 20, 30, tzinfo=UTC))


def test_missing_values_are_a_dash_not_none() -> None:
    f = Formats("fr")
    assert f.money(None) == f.number(None) == f.day(None) == f.when(None) == "—"
