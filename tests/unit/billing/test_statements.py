from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from andromede.billing.invoicing import Party
from andromede.billing.rating import rate
from andromede.billing.statements import (
    CustomerInfo,
    Operator,
    PartnerInfo,
    References,
    hold_reason,
    plan_drafts,
    plan_month,
)
from andromede.catalog.pricing import PriceBook, PriceEntry
from andromede.kernel.months import month_bounds
from andromede.metering.segments import Segment

T0 = datetime(2026, 10, 1, tzinfo=UTC)
SKU = "compute:SCS-2V-4:fr-par-1"
OPERATOR_PARTY = Party("Operator SAS", "FR", "Paris", "901234567", "FR15901234567")
OPERATOR = Operator(OPERATOR_PARTY, "AND", vat_on_debits=False)
RESELLER = Party("Reseller", "FR", "x", "732829320", "FR44732829320")


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
            "r", "reseller", "silver", RESELLER, "RES", mandate_accepted=True, vat_on_debits=True
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
    assert direct.issuer == OPERATOR_PARTY and direct.lines[0].amount == Decimal("0.50")
    assert direct.prefix == "AND" and direct.invoicer is None and not direct.vat_on_debits
    french = drafts["2026-10:resale:fr"]
    assert french.period_end.isoformat() == "2026-10-31"
    # issued by the operator under the reseller's mandate, in the reseller's numbering,
    # with the reseller's VAT option and its mention
    assert french.invoicer == OPERATOR_PARTY and french.prefix == "RES" and french.vat_on_debits
    assert any("d'après les débits" in m for m in french.mentions)
    assert all(d.hold is None for d in drafts.values())


def _customer(**rules: object) -> CustomerInfo:
    party = Party("Mairie de Rennes", "FR", "a", "552100554", "FR96552100554", siret=None)
    return CustomerInfo("m", "r", party, **rules)  # type: ignore[arg-type]


def test_a_public_buyer_without_what_chorus_needs_is_held() -> None:
    public = _customer(public_sector=True, requires_service_code=True)
    assert hold_reason(public, References()) == "the buyer's SIRET, the service code (BT-10)"
    ready = CustomerInfo(
        "m",
        "r",
        Party("Mairie", "FR", "a", "552100554", None, siret="55210055400013"),
        public_sector=True,
        requires_service_code=True,
        requires_commitment_number=True,
    )
    assert hold_reason(ready, References("SERV-1")) == "the commitment number (BT-13)"
    assert hold_reason(ready, References("SERV-1", "EJ-42")) is None
    # a private buyer needs none of it
    assert hold_reason(_customer(), References()) is None


def test_resale_waits_for_the_partners_mandate_and_a_purchase_brings_its_references() -> None:
    book = PriceBook([PriceEntry("list", "price", "", SKU, Decimal("0.05"), T0)])
    partners = {"r": PartnerInfo("r", "reseller", "silver", RESELLER, "RES")}
    customers = {
        "m": CustomerInfo(
            "m",
            "r",
            Party("Mairie", "FR", "a", "552100554", None, siret="55210055400013"),
            public_sector=True,
            service_code="CUSTOMER-SERVICE",
            requires_commitment_number=True,
        )
    }
    rated = rate([seg("m", "r")], book, {"r": "silver"})
    period = (T0.date(), T0.date())
    drafts = plan_drafts(
        rated,
        "reservation:x:upfront",
        period,
        OPERATOR,
        partners,
        customers,
        references=References(None, "EJ-2026-7"),
    )
    wholesale, resale = drafts
    assert wholesale.hold is None  # the operator's own invoice to the partner goes out
    assert resale.hold == "the partner's billing mandate"
    assert resale.references == References("CUSTOMER-SERVICE", "EJ-2026-7")
