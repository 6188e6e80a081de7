from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from andromede.billing.invoicing import Party
from andromede.billing.rating import rate
from andromede.billing.statements import CustomerInfo, PartnerInfo, plan_month
from andromede.catalog.pricing import PriceBook, PriceEntry
from andromede.kernel.months import month_bounds
from andromede.metering.segments import Segment

T0 = datetime(2026, 10, 1, tzinfo=UTC)
SKU = "compute:SCS-2V-4:fr-par-1"
OPERATOR = Party("Operator SAS", "FR", "Paris", "901234567", "FR15901234567")


def seg(customer: str, partner: str) -> Segment:
    return Segment(
        "s",
        "compute",
        SKU,
        T0,
        T0 + timedelta(hours=10),
        Decimal(36000),
        0,
        "fr-par-1",
        "SCS-2V-4",
        "p",
        customer,
        partner,
    )


def test_month_bounds() -> None:
    assert month_bounds("2026-12") == (T0.replace(month=12), T0.replace(year=2027, month=1))
    with pytest.raises(ValueError, match="not a month"):
        month_bounds("2026-13")


def test_plan_for_resellers_house_and_a_german_customer() -> None:
    book = PriceBook([PriceEntry("list", "price", "", SKU, Decimal("0.05"), T0)])
    partners = {
        "r": PartnerInfo(
            "r", "reseller", "silver", Party("Reseller", "FR", "x", "732829320", "FR44732829320")
        ),
        "h": PartnerInfo("h", "house", "house", Party("House", "FR", "y")),
    }
    customers = {
        "fr": CustomerInfo("fr", "r", Party("Mairie", "FR", "a", "552100554", "FR96552100554")),
        "de": CustomerInfo("de", "r", Party("GmbH", "DE", "b", None, "DE136695976")),
        "dev": CustomerInfo("dev", "h", Party("Dev SAS", "FR", "c", "732829320", "FR44732829320")),
    }
    rated = rate(
        [seg("fr", "r"), seg("de", "r"), seg("dev", "h")], book, {"r": "silver", "h": "house"}
    )
    drafts = {d.close_key: d for d in plan_month(rated, "2026-10", OPERATOR, partners, customers)}
    assert sorted(drafts) == [
        "2026-10:direct:dev",
        "2026-10:resale:de",
        "2026-10:resale:fr",
        "2026-10:wholesale:r",
    ]
    wholesale = drafts["2026-10:wholesale:r"]
    assert [line.customer_id for line in wholesale.lines] == ["de", "fr"]
    german = drafts["2026-10:resale:de"]
    assert german.lines[0].vat_rate == 0 and any("Autoliquidation" in m for m in german.mentions)
    assert german.issuer.name == "Reseller" and german.issuer_key == "r"
    direct = drafts["2026-10:direct:dev"]
    assert direct.issuer == OPERATOR and direct.lines[0].amount == Decimal("0.50")
    assert drafts["2026-10:resale:fr"].period_end.isoformat() == "2026-10-31"
