"""Prices aligned on the hyperscaler, through HTTP on a real database: their lists
imported (and refused), the report, pins, their price on a day, following a cut."""

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, create_server, login, ok
from tests.integration.console_client import form, sign_in
from tests.integration.test_audit import entries
from tests.price_files import Kind, aws_csv, aws_json

BEFORE = [
    Kind("c7a.medium", 1, "2", "Compute optimized", "0.0580"),
    Kind("c6i.large", 2, "4", "Compute optimized", "0.1010"),
    Kind("m6i.xlarge", 4, "16", "General purpose", "0.2240",
         reserved={("1yr", "No Upfront"): ("0", "0.1400")}),
    Kind("m5.xlarge", 4, "16", "General purpose", "0.2300"),
]  # fmt: skip
AFTER = [  # c6i.large cut by 10 %
    Kind("c7a.medium", 1, "2", "Compute optimized", "0.0580"),
    Kind("c6i.large", 2, "4", "Compute optimized", "0.0909"),
    Kind("m6i.xlarge", 4, "16", "General purpose", "0.2240"),
    Kind("m5.xlarge", 4, "16", "General purpose", "0.2300"),
]
RATE = Decimal("0.9200")
PARAMS = {"region": "eu-west-3", "rate": "0.92", "rate_date": "2026-10-30"}


def upload(client: TestClient, token: str, data: bytes, **params: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/price-alignment/imports",
        headers=auth(token) | {"content-type": "application/octet-stream"},
        params=PARAMS | params,
        content=data,
    )


def both(client: TestClient, admin: str) -> tuple[str, str]:
    before = ok(upload(client, admin, aws_json(BEFORE, published="2026-10-01T00:00:00Z",
                                              version="20261001000000")), 201)  # fmt: skip
    after = ok(upload(client, admin, aws_csv(AFTER)), 201)
    return before["id"], after["id"]


def test_import_report_pins_and_their_price_on_a_day(client: TestClient, world: World) -> None:
    before, after = both(client, world.admin)
    h = auth(world.admin)
    lists = ok(client.get("/v1/price-alignment/imports", headers=h))["items"]
    assert [(x["id"], x["source_format"], x["types"]) for x in lists] == [
        (after, "csv", 4),
        (before, "json", 4),
    ]
    report = ok(client.get("/v1/price-alignment", headers=h))
    assert report["reference"]["id"] == after  # the one in force today
    lines = {(x["flavor"], x["region"]): x for x in report["lines"]}
    line = lines[("SCS-2V-4", "fr-par-1")]
    ours, theirs = Decimal(line["our_hourly"]), Decimal("0.0909") * RATE
    assert line["their_type"] == "c6i.large" and Decimal(line["their_hourly"]) == theirs
    assert Decimal(line["gap_pct"]) == ((ours - theirs) / theirs * 100).quantize(Decimal("0.01"))
    assert Decimal(line["gap_per_month"]) == ((ours - theirs) * 730).quantize(Decimal("0.01"))
    assert lines[("SCS-1V-2", "fr-rns-1")]["their_type"] == "c7a.medium"
    assert lines[("SCS-4V-16", "fr-par-1")]["their_type"] == "m6i.xlarge"
    mix = {m["region"]: m for m in report["typical_mix"]}
    assert set(mix) == {"fr-par-1", "fr-rns-1"} and mix["fr-par-1"]["flavors"] == {
        "SCS-2V-4": 2,
        "SCS-4V-16": 2,
    }
    # their price on a day: the list published by then
    old = ok(client.get("/v1/price-alignment", headers=h, params={"at": "2026-10-15T00:00:00Z"}))
    assert old["reference"]["id"] == before
    old_lines = {(x["flavor"], x["region"]): x for x in old["lines"]}
    assert Decimal(old_lines[("SCS-2V-4", "fr-par-1")]["their_hourly"]) == Decimal("0.1010") * RATE
    m6i = old_lines[("SCS-4V-16", "fr-par-1")]["reservations"]
    assert [(r["term"], r["payment"]) for r in m6i] == [("1y", "no-upfront")]
    assert Decimal(m6i[0]["theirs_effective_hourly"]) == Decimal("0.1400") * RATE
    gone = client.get("/v1/price-alignment", headers=h, params={"at": "2026-09-01T00:00:00Z"})
    assert gone.status_code == 404
    # the operator pins a mapping by hand; unpinning returns to the rule
    ok(
        client.put(
            "/v1/price-alignment/pins/SCS-4V-16", headers=h, json={"instance_type": "m5.xlarge"}
        )
    )
    pinned = ok(client.get("/v1/price-alignment", headers=h, params={"mix": "SCS-4V-16:3"}))
    line = next(x for x in pinned["lines"] if x["flavor"] == "SCS-4V-16")
    assert (line["their_type"], line["pinned"]) == ("m5.xlarge", True)
    assert pinned["typical_mix"][0]["flavors"] == {"SCS-4V-16": 3}
    ok(client.delete("/v1/price-alignment/pins/SCS-4V-16", headers=h), 204)
    assert client.delete("/v1/price-alignment/pins/SCS-4V-16", headers=h).status_code == 404
    assert (
        client.put(
            "/v1/price-alignment/pins/NOPE", headers=h, json={"instance_type": "m5.large"}
        ).status_code
        == 404
    )


def test_a_file_that_is_not_what_it_claims_changes_nothing(
    client: TestClient, container: App, world: World
) -> None:
    h = world.admin
    for data, params, status in (
        (aws_json(BEFORE, offer_code="AmazonRDS"), {}, 400),
        (aws_json(BEFORE), {"region": "us-east-1"}, 400),
        (b"{broken", {}, 400),
        (aws_json(BEFORE), {"rate": "-1"}, 400),
        (aws_json(BEFORE), {"rate_date": "2027-01-01"}, 400),
    ):
        refused = upload(client, h, data, **params)
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert ok(client.get("/v1/price-alignment/imports", headers=auth(h)))["items"] == []
    ok(upload(client, h, aws_json(BEFORE)), 201)
    again = upload(client, h, aws_csv(BEFORE))  # same version of the same region
    assert again.status_code == 409
    # only the operator's admins import, read or change any of it
    for token in (world.a.tokens["partner-admin"], world.a.tokens["customer-admin"], world.support):
        assert upload(client, token, aws_json(AFTER, version="2")).status_code == 403
        assert client.get("/v1/price-alignment", headers=auth(token)).status_code == 403
    assert len(ok(client.get("/v1/price-alignment/imports", headers=auth(h)))["items"]) == 1


def test_following_a_cut_preview_then_apply_with_notice(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    before, after = both(client, world.admin)
    h = auth(world.admin)
    member = world.a.tokens["customer-member"]
    sku = "compute:SCS-2V-4:fr-par-1"  # above them; the other SKUs are far under already
    ok(
        client.post("/v1/prices", headers=h, json={"layer": "list", "sku": sku, "value": "0.0900"}),
        201,
    )
    ok(create_server(client, member, world.a.project_id, flavor="SCS-2V-4"), 202)
    while container.reconciler.run_once():
        pass
    clock.advance(timedelta(days=30))  # into December: November is last month
    h = auth(login(client, "cmartin", container.settings.admin_password))
    partner = auth(login(client, "a-partner-admin"))
    settings = ok(client.put("/v1/price-alignment/settings", headers=h,
                             json={"margin_floor": "0.2", "notice_days": 14}))  # fmt: skip
    assert (settings["gap"], settings["margin_floor"], settings["notice_days"]) == (
        "-0.05",
        "0.2",
        14,
    )
    prices_before = ok(client.get("/v1/prices", headers=h))["items"]
    body = {"before": before, "after": after, "wholesale": "hold"}
    preview = ok(client.post("/v1/price-alignment/proposals", headers=h, json=body))
    target = (Decimal("0.0909") * RATE * Decimal("0.95")).quantize(Decimal("0.0001"))
    assert [(m["sku"], Decimal(m["list_after"])) for m in preview["moves"]] == [(sku, target)]
    impact = preview["impact"]
    assert impact["month"] == "2026-11"
    revenue = [Decimal(x) for x in impact["operator_revenue"]]
    bill = [Decimal(x) for x in impact["customer_bill"][world.a.customer_id]]
    assert revenue[0] > 0 and bill[1] < bill[0]  # the customer's price follows the list down
    # the partner (no markup) keeps 15 % held, under the 20 % floor: named, and protected by
    # following (its 25 % kept), so the operator's revenue moves as under ``follow``
    assert set(preview["named_partners"]) == {world.a.partner_id, world.b.partner_id}
    assert all(r["protected"] and Decimal(r["margin_rate_final"]) >= Decimal("0.2")
               for r in preview["at_risk"])  # fmt: skip
    follow = ok(client.post("/v1/price-alignment/proposals", headers=h,
                            json=body | {"wholesale": "follow"}))  # fmt: skip
    assert follow["impact"]["operator_revenue"] == impact["operator_revenue"]
    assert revenue[1] < revenue[0]
    bare = ok(client.post("/v1/price-alignment/proposals", headers=h,
                          json=body | {"protect": False}))  # fmt: skip
    assert bare["impact"]["operator_revenue"][1] == impact["operator_revenue"][0]  # held
    margin = [Decimal(x) for x in bare["impact"]["partner_margin"][world.a.partner_id]]
    assert margin[1] < margin[0]
    assert ok(client.get("/v1/prices", headers=h))["items"] == prices_before  # nothing changed
    # applying: partners get the notice period
    soon = (clock.now() + timedelta(days=13)).isoformat()
    refused = client.post(
        "/v1/price-alignment/changes", headers=h, json=body | {"effective_from": soon}
    )
    assert refused.status_code == 400 and "14 days" in refused.json()["detail"]
    when = (clock.now() + timedelta(days=15)).replace(microsecond=0)
    audited = len(entries(container))
    change = ok(client.post("/v1/price-alignment/changes", headers=h,
                            json=body | {"effective_from": when.isoformat()}), 201)  # fmt: skip
    assert change["moves"] == 1 and world.a.partner_id in change["protected_partners"]
    (entry,) = entries(container)[audited:]  # one audited change, all its prices in it
    assert (entry.action, entry.target_id, entry.outcome) == (
        "price.change",
        change["id"],
        "success",
    )
    assert [c["id"] for c in ok(client.get("/v1/price-alignment/changes", headers=h))["items"]] == [
        change["id"]
    ]
    listed = ok(client.get("/v1/prices", headers=h, params={"layer": "list"}))["items"]
    assert [
        p["effective_from"] for p in listed if p["sku"] == sku and Decimal(p["value"]) == target
    ] == [when.isoformat()]
    # the partner sees its own protected wholesale price, and was told in advance
    mine = ok(client.get("/v1/prices", headers=partner,
                         params={"layer": "wholesale"}))["items"]  # fmt: skip
    assert {p["scope"] for p in mine} >= {world.a.partner_id}
    notes = ok(client.get("/v1/notifications", headers=partner))["items"]
    assert any(
        n["kind"] == "price-change" and when.date().isoformat() in n["message"] for n in notes
    )


def test_the_console_page_charts_the_gap_previews_and_applies(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    before, after = both(client, world.admin)
    sku = "compute:SCS-2V-4:fr-par-1"
    ok(client.post("/v1/prices", headers=auth(world.admin),
                   json={"layer": "list", "sku": sku, "value": "0.0900"}), 201)  # fmt: skip
    sign_in(client, "cmartin", container.settings.admin_password)
    shown = client.get("/console/operator/price-alignment")
    assert shown.status_code == 200
    assert "<svg" in shown.text and 'id="families"' in shown.text  # the chart and its table
    assert "c6i.large" in shown.text and "SCS-2V-4" in shown.text
    query = f"before={before}&after={after}&wholesale=hold&protect=on"
    preview = client.get(f"/console/operator/price-alignment?{query}")
    assert preview.status_code == 200 and 'id="moves"' in preview.text and sku in preview.text
    assert 'id="impact"' in preview.text
    applied = form(
        client,
        f"/console/operator/price-alignment?{query}",
        "/console/operator/price-alignment",
        {"before": before, "after": after, "wholesale": "hold", "protect": "on",
         "effective_from": "2026-12-15"},
    )  # fmt: skip
    assert applied.status_code == 303
    admin = auth(login(client, "cmartin", container.settings.admin_password))
    assert len(ok(client.get("/v1/price-alignment/changes", headers=admin))["items"]) == 1
    too_soon = form(
        client,
        f"/console/operator/price-alignment?{query}",
        "/console/operator/price-alignment",
        {"before": before, "after": after, "wholesale": "hold", "effective_from": "2026-11-10"},
    )
    assert too_soon.status_code == 400 and 'role="alert"' in too_soon.text
    sign_in(client, "lbernard")
    assert client.get("/console/operator/price-alignment").status_code == 403
