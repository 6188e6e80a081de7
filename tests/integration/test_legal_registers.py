"""SecNumCloud 19.6 through the API: the subprocessor registry (and the offer document
that publishes it), legal change notices to everyone a month ahead, and government
requests that reach the customer or record why they cannot."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, ok

CLOUD_MAIL = {
    "name": "Courrier Souverain SAS",
    "country": "FR",
    "jurisdiction": "FR",
    "purpose": "sends invoices and notices by e-mail",
    "data_categories": ["contact-data", "billing-data"],
}


def notices(client: TestClient, token: str, kind: str) -> list[Any]:
    items = ok(client.get("/v1/notifications", headers=auth(token)))["items"]
    return [n for n in items if n["kind"] == kind]


def test_the_registry_refuses_non_eu_access_and_feeds_the_offer(
    client: TestClient, world: World
) -> None:
    admin = auth(world.admin)
    made = ok(client.post("/v1/subprocessors", headers=admin, json=CLOUD_MAIL), 201)
    assert made["data_categories"] == ["billing-data", "contact-data"]
    hyperscaler = {
        "name": "Big Cloud Inc.",
        "country": "IE",
        "jurisdiction": "US",  # an Irish subsidiary of a US company: US law reaches it
        "purpose": "object storage for backups",
        "data_categories": ["customer-data"],
        "technical_access": True,
    }
    refused = client.post("/v1/subprocessors", headers=admin, json=hyperscaler)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["technical_access"]
    twin = client.post("/v1/subprocessors", headers=admin, json=CLOUD_MAIL)
    assert twin.status_code == 409
    partner = client.post(
        "/v1/subprocessors", headers=auth(world.a.tokens["partner-admin"]), json=CLOUD_MAIL
    )
    assert partner.status_code == 403
    listed = ok(client.get("/v1/subprocessors", headers=auth(world.a.tokens["customer-admin"])))
    assert [s["name"] for s in listed["items"]] == ["Courrier Souverain SAS"]
    offer = ok(client.get("/v1/offer"))
    assert offer["subprocessors"] == listed["items"]


def test_a_legal_change_reaches_every_partner_and_customer_once(
    client: TestClient, world: World, clock: FrozenClock
) -> None:
    soon = {
        "summary": "new shareholder",
        "effective_at": (clock.now() + timedelta(days=10)).isoformat(),
    }
    refused = client.post("/v1/legal-changes", headers=auth(world.admin), json=soon)
    assert [e["field"] for e in refused.json()["errors"]] == ["effective_at"]
    assert notices(client, world.a.tokens["customer-admin"], "legal-change") == []
    body = {**soon, "effective_at": (clock.now() + timedelta(days=31)).isoformat()}
    ok(client.post("/v1/legal-changes", headers=auth(world.admin), json=body), 201)
    for token in (
        world.a.tokens["customer-admin"],
        world.b.tokens["customer-admin"],
        world.a2_token,
    ):
        (notice,) = notices(client, token, "legal-change")
        assert "new shareholder" in notice["message"]
    to_partner = [
        n
        for n in notices(client, world.b.tokens["partner-admin"], "legal-change")
        if n["customer_id"] is None
    ]
    assert len(to_partner) == 1
    listed = ok(client.get("/v1/legal-changes", headers=auth(world.a.tokens["customer-member"])))
    assert [c["summary"] for c in listed["items"]] == ["new shareholder"]


def test_a_government_request_is_told_to_the_customer_or_barred(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    request = {
        "customer_id": world.a.customer_id,
        "authority": "US Department of Justice",
        "country": "US",
        "received_at": (clock.now() - timedelta(days=1)).isoformat(),
        "scope": "every server log of project production",
        "legal_assessment": "no EU legal basis: refused, customer told",
    }
    told = ok(client.post("/v1/government-requests", headers=auth(world.admin), json=request), 201)
    assert told["notified"] is True
    (notice,) = notices(client, world.a.tokens["customer-admin"], "government-request")
    assert "US Department of Justice" in notice["message"]
    assert notices(client, world.b.tokens["customer-admin"], "government-request") == []

    silent = {**request, "customer_id": world.b.customer_id, "notify_customer": False}
    refused = client.post("/v1/government-requests", headers=auth(world.admin), json=silent)
    assert [e["field"] for e in refused.json()["errors"]] == ["bar_reason"]
    barred = {**silent, "bar_reason": "a French judge's order forbids telling the customer"}
    ok(client.post("/v1/government-requests", headers=auth(world.admin), json=barred), 201)
    assert notices(client, world.b.tokens["customer-admin"], "government-request") == []

    unknown = {**request, "customer_id": "nobody"}
    assert (
        client.post("/v1/government-requests", headers=auth(world.admin), json=unknown).status_code
        == 404
    )
    register = ok(client.get("/v1/government-requests", headers=auth(world.support)))["items"]
    assert {(r["customer_id"], r["notified"]) for r in register} == {
        (world.a.customer_id, True),
        (world.b.customer_id, False),
    }
    for token in (world.a.tokens["customer-admin"], world.a.tokens["partner-admin"]):
        assert client.get("/v1/government-requests", headers=auth(token)).status_code == 403
