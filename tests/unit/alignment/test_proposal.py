"""Following their cut, computed by hand: new list prices keep the gap, and a partner
whose margin would fall under the floor is named and protected."""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from andromede.alignment.price_list import InstanceType
from andromede.alignment.proposal import Partner, margin_rate, propose
from andromede.catalog.pricing import EPOCH, PriceBook, PriceEntry

AT = datetime(2026, 12, 15, tzinfo=UTC)
P1, P2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
PARTNERS = [Partner(P1, "silver"), Partner(P2, "registered")]
SKUS = ["compute:SCS-2V-8:fr-par-1", "compute:SCS-2V-8:fr-rns-1"]


def entries(list_price: str = "0.0980") -> list[PriceEntry]:
    return [
        *(PriceEntry("list", "price", "", s, Decimal(list_price), EPOCH) for s in SKUS),
        PriceEntry("list", "price", "", "compute:SCS-4V-16:fr-par-1", Decimal("0.2"), EPOCH),
        PriceEntry("wholesale", "discount", "registered", "", Decimal("0.10"), EPOCH),
        PriceEntry("wholesale", "discount", "silver", "", Decimal("0.20"), EPOCH),
        PriceEntry("resale", "markup", P1, "", Decimal("0.25"), EPOCH),
        PriceEntry("resale", "markup", P2, "", Decimal("0.05"), EPOCH),
    ]


def m6i(price: str) -> InstanceType:
    return InstanceType("m6i.large", "general", 2, 8192, False, True, Decimal(price))


def run(wholesale: str, protect: bool = True, before: str = "0.1030", after: str = "0.0927"):  # type: ignore[no-untyped-def]
    return propose(
        entries(),
        mapped={"SCS-2V-8": "m6i.large", "SCS-4V-16": "m6i.xlarge"},
        before=[
            m6i(before),
            InstanceType("m6i.xlarge", "general", 4, 16384, False, True, Decimal("0.2")),
        ],
        after=[
            m6i(after),
            InstanceType("m6i.xlarge", "general", 4, 16384, False, True, Decimal("0.2")),
        ],
        regions=["fr-par-1", "fr-rns-1"],
        gap=Decimal("-0.05"),
        wholesale=wholesale,
        tiers=["registered", "silver"],
        partners=PARTNERS,
        floor=Decimal("0.12"),
        protect=protect,
        at=AT,
    )


def test_only_the_flavors_whose_type_moved_change_and_keep_the_gap() -> None:
    proposal = run("follow")
    # 0.0927 x 0.95 = 0.088065 -> 0.0881; m6i.xlarge did not move, SCS-4V-16 stays
    assert [(m.sku, m.list_before, m.list_after) for m in proposal.moves] == [
        (SKUS[0], Decimal("0.0980"), Decimal("0.0881")),
        (SKUS[1], Decimal("0.0980"), Decimal("0.0881")),
    ]
    assert [e.layer for e in proposal.entries] == ["list", "list"]
    assert proposal.at_risk == []  # following, every partner keeps its discount


def test_following_a_cut_never_raises_a_price() -> None:
    cheap = propose(
        entries("0.0700"),  # already more than 5 % under their new 0.0927
        mapped={"SCS-2V-8": "m6i.large"},
        before=[m6i("0.1030")],
        after=[m6i("0.0927")],
        regions=["fr-par-1", "fr-rns-1"],
        gap=Decimal("-0.05"),
        wholesale="follow",
        tiers=["registered", "silver"],
        partners=PARTNERS,
        floor=Decimal("0.12"),
        protect=True,
        at=AT,
    )
    assert cheap.moves == [] and cheap.entries == []


def test_holding_wholesale_names_the_partner_under_the_floor_and_protects_it() -> None:
    proposal = run("hold")
    risks = {(r.partner_id, r.sku): r for r in proposal.at_risk}
    assert set(risks) == {(P2, SKUS[0]), (P2, SKUS[1])}
    r = risks[(P2, SKUS[0])]
    # before: resale 0.0980 x 1.05 = 0.1029, wholesale 0.0980 x 0.9 = 0.0882: 1/7
    assert r.rate_before == (Decimal("0.1029") - Decimal("0.0882")) / Decimal("0.1029")
    # held: resale 0.0881 x 1.05 = 0.092505, wholesale still 0.0882: 4.65 %
    assert r.rate_after == (Decimal("0.092505") - Decimal("0.0882")) / Decimal("0.092505")
    # protected: its own wholesale 0.0881 x 0.9 = 0.07929 (its discount kept): 1/7 again
    shield = [e for e in proposal.entries if e.scope == P2]
    assert {(e.sku, e.value) for e in shield} == {(s, Decimal("0.079290")) for s in SKUS}
    assert r.protected and r.rate_final == (Decimal("0.092505") - Decimal("0.07929")) / Decimal(
        "0.092505"
    )
    book = PriceBook([*entries(), *proposal.entries])
    assert book.wholesale_price(SKUS[0], "silver", AT, P1) == Decimal("0.0784")  # held
    assert book.wholesale_price(SKUS[0], "registered", AT, P2) == Decimal("0.079290")
    assert book.wholesale_price(SKUS[0], "registered", AT) == Decimal("0.0882")  # the tier's
    assert proposal.named_partners == [P2]


def test_without_protection_the_partner_is_named_and_left_as_the_policy_says() -> None:
    proposal = run("hold", protect=False)
    assert proposal.named_partners == [P2]
    assert all(not r.protected and r.rate_final == r.rate_after for r in proposal.at_risk)
    assert not [e for e in proposal.entries if e.scope == P2]


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5"), places=4)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.5"), places=2)


@given(prices, prices, rates, rates, rates, st.sampled_from(["follow", "hold"]))
def test_a_protected_partner_never_ends_under_the_floor_nor_under_following(  # type: ignore[no-untyped-def]
    before, after, markup, discount, floor, wholesale
) -> None:
    partner = Partner(P2, "t")
    base = [
        PriceEntry("list", "price", "", SKUS[0], before, EPOCH),
        PriceEntry("wholesale", "discount", "t", "", discount, EPOCH),
        PriceEntry("resale", "markup", P2, "", markup, EPOCH),
    ]
    proposal = propose(
        base,
        mapped={"SCS-2V-8": "m6i.large"},
        before=[m6i(str(before + 1))],
        after=[m6i(str(after))],
        regions=["fr-par-1"],
        gap=Decimal(0),
        wholesale=wholesale,
        tiers=["t"],
        partners=[partner],
        floor=floor,
        protect=True,
        at=AT,
    )
    final = PriceBook([*base, *proposal.entries])
    followed = PriceBook([*base, *(e for e in proposal.entries if e.layer == "list")])
    for move in proposal.moves:
        rate = margin_rate(final, move.sku, partner, AT)
        assert rate >= floor
        if any(r.sku == move.sku for r in proposal.at_risk):
            assert rate >= margin_rate(followed, move.sku, partner, AT)
        # the customer's price is the list price's, whatever wholesale does
        assert final.resale_price(move.sku, P2, "", AT) == move.list_after * (1 + markup)
