"""Reservations and prepaid commitments through the HTTP API, closed into invoices."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.billing.store import Invoice
from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.prepaid.store import Commitment, ReservationRow
from andromede.worker.jobs import (
    close_month,
    issue_prepaid_charges,
    notify_expiring_commitments,
)
from tests.integration.builders import World, add_project, auth, create_server, login, ok

D = Decimal


def at(day: int, hour: int = 0, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def buy(client: TestClient, token: str, **body: Any) -> Any:
    payload = {"flavor": "SCS-2V-4", "region": "fr-par-1", "term": "1y", "payment": "all-upfront"}
    return client.post("/v1/reservations", headers=auth(token), json=payload | body)


def rows(container: App, model: Any) -> int:
    with container.uow(readonly=True) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def invoice_docs(client: TestClient, token: str) -> list[dict[str, Any]]:
    items = ok(client.get("/v1/invoices?limit=1000", headers=auth(token)))["items"]
    return [ok(client.get(f"/v1/invoices/{i['id']}", headers=auth(token))) for i in items]


def test_bad_purchases_are_refused_and_write_nothing(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    clock.set(at(1, 9))
    admin = world.a.tokens["customer-admin"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"flavor": "SCS-99V-1"}, 400, "flavor"),
        ({"region": "de-fra-1"}, 400, "region"),
        ({"term": "2y"}, 400, "term"),
        ({"payment": "monthly"}, 400, "payment"),
        ({"count": 0}, 400, "count"),
        ({"starts_at": at(1, 8).isoformat()}, 400, "starts_at"),
    ]
    for body, status, field in cases:
        response = buy(client, admin, **body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
    # another partner's customer does not exist for this partner
    other = buy(client, world.a.tokens["partner-admin"], customer_id=world.b.customer_id)
    assert other.status_code == 404
    # members use what the admins buy
    assert buy(client, world.a.tokens["customer-member"]).status_code == 403
    assert rows(container, ReservationRow) == 0
    assert rows(container, Invoice) == 0
    bad = client.post(
        "/v1/commitments",
        headers=auth(world.a.tokens["partner-admin"]),
        json={"customer_id": world.a.customer_id, "amount": "-5", "months": 12},
    )
    assert bad.status_code == 400
    bonus = client.post(
        "/v1/commitments",
        headers=auth(admin),
        json={"amount": "100.00", "months": 12, "bonus": "0.05"},
    )
    assert bonus.status_code == 403
    assert rows(container, Commitment) == 0


def test_all_upfront_covers_usage_at_zero_on_both_streams(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    admin, member = world.a.tokens["customer-admin"], world.a.tokens["customer-member"]
    clock.set(at(1, 0))
    offers = ok(
        client.get("/v1/reservation-offers?flavor=SCS-2V-4&region=fr-par-1", headers=auth(admin))
    )["items"]
    offer = next(o for o in offers if (o["term"], o["payment"]) == ("1y", "all-upfront"))
    # 0.034 EUR/h on demand, 35 % off for a year paid up front: 0.0221 × 8,760 h
    assert offer["price"]["upfront"] == "193.60"
    assert "wholesale_price" not in offer  # a customer sees its own price only
    bought = ok(buy(client, admin), 201)
    assert bought["starts_at"] == at(1, 0).isoformat() and bought["upfront_invoiced"]
    assert bought["ends_at"] == datetime(2027, 10, 1, tzinfo=UTC).isoformat()
    upfront = {d["kind"]: d for d in invoice_docs(client, world.a.tokens["partner-admin"])}
    assert upfront["resale"]["total_excl_vat"] == "193.60"
    assert upfront["wholesale"]["total_excl_vat"] == "145.20"  # gold tier: 25 % off
    assert bought["number"] in upfront["resale"]["lines"][0]["description"]

    # two 1-unit servers fit the 2-unit reservation; a third runs on demand
    clock.set(at(1, 8))
    # reservations belong to the customer: they cover every project's usage
    other = add_project(client, world.a.tokens["partner-admin"], world.a.customer_id, "other")
    projects = [world.a.project_id, other, world.a.project_id]
    servers = [
        ok(create_server(client, member if n != 1 else admin, p, name=f"vm{n}"), 202)["id"]
        for n, p in enumerate(projects)
    ]
    settle(container)
    clock.set(at(1, 18))
    client.delete(f"/v1/servers/{servers[2]}", headers=auth(member))
    settle(container)
    clock.set(at(11, 8))
    for server in servers[:2]:
        client.delete(f"/v1/servers/{server}", headers=auth(member))
    settle(container)
    clock.set(at(1, 6, month=11))
    close_month(container, "2026-10")
    docs = [
        d
        for d in invoice_docs(client, world.a.tokens["partner-admin"])
        if d["period_start"] == "2026-10-01" and d["period_end"] == "2026-10-31"
    ]
    by_kind = {d["kind"]: d for d in docs}
    for kind in ("resale", "wholesale"):
        compute = [ln for ln in by_kind[kind]["lines"] if ln["sku"].startswith("compute:")]
        covered = [ln for ln in compute if "couvert par la réservation" in ln["description"]]
        assert len(covered) == 1 and bought["number"] in covered[0]["description"]
        # 3 servers × 10 h on 1 Oct, then 2 servers × 230 h: 480 h covered, 10 h on demand
        assert (covered[0]["quantity"], covered[0]["amount"]) == ("480.000000", "0.00")
        on_demand = [ln for ln in compute if ln not in covered]
        assert [ln["quantity"] for ln in on_demand] == ["10.000000"]
    resale_od = next(
        ln
        for ln in by_kind["resale"]["lines"]
        if ln["sku"].startswith("compute:") and ln["unit_price"] != "0"
    )
    assert D(resale_od["amount"]) == D("0.17")  # 10 h × 0.0170

    usage = ok(client.get("/v1/usage?month=2026-10", headers=auth(admin)))["items"]
    covered_rows = [u for u in usage if u["reservation_id"] == bought["id"]]
    assert sum(D(u["quantity"]) for u in covered_rows) == 480
    assert {D(u["resale_amount"]) for u in covered_rows} == {0}

    report = ok(client.get("/v1/reports/reservations?month=2026-10", headers=auth(admin)))
    r = report["reservations"][0]
    # bought: 2 units × 744 h; used: 2 units × 240 h
    assert (r["purchased_unit_hours"], r["used_unit_hours"]) == ("1488.00", "480.00")
    assert r["utilization"] == "0.3226"
    assert report["coverage"] == "0.9796"  # 480 of 490 eligible unit-hours
    assert r["effective_hourly_rate"] == "0.022100"
    # cost of the month: 744 h × 0.0221 = 16.44; covered usage was worth 480 × 0.017 = 8.16
    assert (r["cost"], r["on_demand_value"], r["savings"]) == ("16.44", "8.16", "-8.28")
    assert r["unused_cost"] == "11.14"
    shown = ok(client.get(f"/v1/reservations/{bought['id']}", headers=auth(admin)))
    assert shown["utilization"]["used_unit_hours"] == "480.00"
    # another customer does not see it
    hidden = client.get(f"/v1/reservations/{bought['id']}", headers=auth(world.a2_token))
    assert hidden.status_code == 404


def test_a_future_partial_upfront_is_invoiced_when_it_starts_and_hourly_every_hour(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    p_admin = world.a.tokens["partner-admin"]
    clock.set(at(1, 0))
    bought = ok(
        buy(
            client,
            p_admin,
            customer_id=world.a.customer_id,
            payment="partial-upfront",
            starts_at="2026-10-10T12:30:00Z",
        ),
        201,
    )
    assert bought["starts_at"] == at(10, 13).isoformat()  # the next clock hour
    assert "wholesale_upfront" in bought  # the partner sees what it pays
    assert issue_prepaid_charges(container) == 0
    assert rows(container, Invoice) == 0
    clock.set(at(10, 13))
    assert issue_prepaid_charges(container) == 1
    assert issue_prepaid_charges(container) == 0
    upfront = {d["kind"]: d for d in invoice_docs(client, p_admin)}
    # 0.034 × 0.68 × 8,760 = 202.53; half up front, rounded half up
    assert upfront["resale"]["total_excl_vat"] == "101.27"
    clock.set(at(1, 6, month=11))
    close_month(container, "2026-10")
    month = [d for d in invoice_docs(client, p_admin) if d["period_end"] == "2026-10-31"]
    resale = next(d for d in month if d["kind"] == "resale")
    hourly = [ln for ln in resale["lines"] if ln["sku"].endswith(":hourly")]
    # (202.53 - 101.27) / 8,760 h = 0.011559 per hour, 10 Oct 13:00 to 1 Nov: 515 h
    assert hourly[0]["quantity"] == "515.000000" and hourly[0]["unit_price"] == "0.01155900"
    assert hourly[0]["amount"] == "5.95"


def test_a_commitment_draws_down_before_billing_and_warns_before_expiry(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    p_admin, member = world.a.tokens["partner-admin"], world.a.tokens["customer-member"]
    clock.set(at(1, 0))
    bought = ok(
        client.post(
            "/v1/commitments",
            headers=auth(p_admin),
            json={
                "customer_id": world.a.customer_id,
                "amount": "10.00",
                "months": 2,
                "bonus": "0.05",
            },
        ),
        201,
    )
    assert (bought["credit"], bought["balance"]) == ("10.50", "10.50")
    assert bought["expires_at"] == at(1, 0, month=12).isoformat()
    purchase = ok(client.get(f"/v1/invoices/{bought['invoice_id']}", headers=auth(p_admin)))
    assert (purchase["kind"], purchase["total_excl_vat"]) == ("resale", "10.00")
    # 700 h of a 0.0340 EUR/h server in October: 23.80 of compute, and its disk
    clock.set(at(1, 8))
    server = ok(create_server(client, member, world.a.project_id, flavor="SCS-2V-4"), 202)["id"]
    settle(container)
    clock.set(at(30, 4))
    client.delete(f"/v1/servers/{server}", headers=auth(member))
    settle(container)
    clock.set(at(1, 6, month=11))
    close_month(container, "2026-10")
    october = next(
        d
        for d in invoice_docs(client, p_admin)
        if d["kind"] == "resale" and d["period_end"] == "2026-10-31"
    )
    drawn = [ln for ln in october["lines"] if ln["sku"].startswith("commitment:")]
    assert [ln["amount"] for ln in drawn] == ["-10.50"]
    charged = sum(D(ln["amount"]) for ln in october["lines"] if ln not in drawn)
    assert D(october["total_excl_vat"]) == charged - D("10.50")
    shown = ok(client.get(f"/v1/commitments/{bought['id']}", headers=auth(member)))
    assert shown["balance"] == "0.00"
    listed = ok(client.get("/v1/commitments", headers=auth(member)))["items"]
    assert [(c["id"], c["balance"]) for c in listed] == [(bought["id"], "0.00")]
    assert shown["drawdowns"] == [
        {"month": "2026-10", "amount": "10.50", "invoice_id": october["id"]}
    ]
    # a second commitment, unused: told once, 30 days before it expires
    second = ok(
        client.post(
            "/v1/commitments",
            headers=auth(world.a.tokens["customer-admin"]),
            json={"amount": "50.00", "months": 2},
        ),
        201,
    )
    assert notify_expiring_commitments(container) == 0
    clock.set(at(2, 7, month=12))  # it expires on 1 January at 06:00
    assert notify_expiring_commitments(container) == 1
    assert notify_expiring_commitments(container) == 0
    notes = ok(client.get("/v1/notifications", headers=auth(login(client, "a-customer-admin"))))
    assert any(second["number"] in n["message"] for n in notes["items"])
    clock.set(at(2, 7, month=1, year=2027))
    member = login(client, "a-customer-member")
    expired = ok(client.get(f"/v1/commitments/{second['id']}", headers=auth(member)))
    assert (expired["status"], expired["forfeited"]) == ("expired", "50.00")
    # the other partner's customer sees none of it
    listed = ok(client.get("/v1/commitments", headers=auth(login(client, "b-customer-admin"))))
    assert listed["items"] == []


def test_recommendations_from_the_last_30_days_of_usage(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    token = world.a2_token  # customer admin of A2, resale at list price (no markup)
    clock.set(at(1, 8))
    ok(create_server(client, token, world.a2_project_id, flavor="SCS-2V-4"), 202)
    settle(container)
    clock.set(at(1, 6, month=11))
    report = ok(client.get("/v1/reports/reservations?month=2026-10", headers=auth(token)))
    assert report["reservations"] == [] and report["coverage"] is None
    best = report["recommendations"][0]
    # the family's smallest size, SCS-1V-2 (1 unit); two of them cover the 2-unit server
    assert (best["flavor"], best["region"], best["count"]) == ("SCS-1V-2", "fr-par-1", 2)
    assert (best["term"], best["payment"]) == ("3y", "all-upfront")
    offers = ok(
        client.get("/v1/reservation-offers?flavor=SCS-1V-2&region=fr-par-1", headers=auth(token))
    )["items"]
    upfront = D(
        next(o for o in offers if (o["term"], o["payment"]) == ("3y", "all-upfront"))["price"][
            "upfront"
        ]
    )
    assert upfront == D("201.04")  # 0.017 × 45 % × 26,280 h
    # 720 h × 2 units × (0.017 on demand − 201.04 / 26,280 h)
    expected = (720 * 2 * (D("0.017") - upfront / 26280)).quantize(D("0.01"))
    assert D(best["savings_over_30_days"]) == expected == D("13.46")
    # the month to date counts a reservation's hourly part too
    clock.set(at(1, 7, month=11))
    bought = ok(buy(client, token, payment="no-upfront"), 201)
    clock.set(at(1, 17, month=11))
    summary = ok(client.get("/v1/usage/summary?month=2026-11", headers=auth(token)))
    usage = ok(client.get("/v1/usage?month=2026-11", headers=auth(token)))["items"]
    compute = [D(u["resale_amount"]) for u in usage if u["sku"].startswith("compute:")]
    assert sum(compute, D(0)) == 7 * D("0.034")  # 00:00-07:00 on demand, then covered
    # usage (the server covered from 07:00) plus 10 hours of the reservation's hourly part
    expected = sum((D(u["resale_amount"]) for u in usage), D(0)) + 10 * D(bought["hourly"])
    assert D(summary["to_date"]) == expected.quantize(D("0.01"))
    # the server is now covered: nothing more to advise
    again = ok(client.get("/v1/reports/reservations?month=2026-11", headers=auth(token)))
    assert again["recommendations"] == []
    assert again["reservations"][0]["utilization"] == "1.0000"


def test_reservation_prices_have_history_in_all_three_lists(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    sku = "reservation:SCS-2V-4:fr-par-1:1y:no-upfront:hourly"
    clock.set(at(1, 0))
    ok(
        client.post(
            "/v1/price-changes",
            headers=auth(world.admin),
            json={"sku": sku, "list": "0.0200", "effective_from": at(15).isoformat()},
        ),
        201,
    )
    ok(
        client.post(
            "/v1/prices",
            headers=auth(world.b.tokens["partner-admin"]),
            json={"layer": "resale", "scope": world.b.partner_id, "sku": sku, "value": "0.0300"},
        ),
        201,
    )
    clock.set(at(10))
    early = ok(buy(client, world.a.tokens["customer-admin"], payment="no-upfront"), 201)
    # default: 28 % off 0.034 for a year, nothing up front: 214.44 / 8,760 h
    assert early["hourly"] == "0.02447900"
    clock.set(at(16))
    late = ok(buy(client, world.a.tokens["customer-admin"], payment="no-upfront"), 201)
    assert late["hourly"] == "0.02000000"  # the list cut of 15 October
    assert (
        ok(
            client.get(
                f"/v1/reservations/{late['id']}", headers=auth(world.a.tokens["partner-admin"])
            )
        )["wholesale_hourly"]
        == "0.01500000"
    )  # gold: 25 % off list
    # partner B resells at its own explicit price
    b = ok(buy(client, world.b.tokens["customer-admin"], payment="no-upfront"), 201)
    assert b["hourly"] == "0.03000000"
    # the price bought stays for the whole term, whatever the list does next
    clock.set(at(20))
    ok(
        client.post(
            "/v1/price-changes",
            headers=auth(world.admin),
            json={"sku": sku, "list": "0.0100", "effective_from": at(21).isoformat()},
        ),
        201,
    )
    clock.set(at(1, 6, month=11))
    close_month(container, "2026-10")
    resale = next(
        d
        for d in invoice_docs(client, world.a.tokens["customer-admin"])
        if d["kind"] == "resale" and d["period_end"] == "2026-10-31"
    )
    prices = sorted(ln["unit_price"] for ln in resale["lines"] if ln["sku"] == sku)
    assert prices == ["0.02000000", "0.02447900"]
