"""Legal e-invoices end to end, on SQLite and PostgreSQL: a closed month's invoices as
Factur-X, CII, UBL and readable PDF; credit notes; Chorus Pro's fields and the held
invoice; the billing mandate; payments, overdue lists, reminders and e-reporting; the
outbox through a platform's lifecycle."""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from stdnum import luhn

from andromede.billing.invoice_json import invoice_document
from andromede.bootstrap import App
from andromede.documents.platforms import DirectoryPlatform, SimulatedPlatform
from andromede.documents.production import produce_one
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import (
    close_month,
    issue_prepaid_charges,
    poll_einvoices,
    release_held_invoices,
    remind_overdue,
    send_einvoices,
)
from tests.integration.builders import World, add_customer, add_user, auth, fr_ids, login, ok
from tests.integration.console_client import sign_in
from tests.integration.einvoice_checks import RAM, RSM, checked_documents, fetch, pdf_text
from tests.integration.test_billing import october


def _closed(client: TestClient, container: App, clock: FrozenClock, world: World) -> None:
    october(client, container, clock, world, "follow")
    assert len(close_month(container, "2026-10").issued) == 2


def _one(client: TestClient, token: str, kind: str) -> dict:  # type: ignore[type-arg]
    items = ok(client.get("/v1/invoices", headers=auth(token), params={"kind": kind}))["items"]
    assert len(items) == 1, items
    return ok(client.get(f"/v1/invoices/{items[0]['id']}", headers=auth(token)))  # type: ignore[no-any-return]


def test_every_stream_of_a_closed_month_is_a_valid_einvoice(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    _closed(client, container, clock, world)
    partner = world.a.tokens["partner-admin"]
    wholesale = _one(client, partner, "wholesale")
    resale = _one(client, world.a.tokens["customer-admin"], "resale")
    checked_documents(client, partner, wholesale, tmp_path)
    docs = checked_documents(client, world.a.tokens["customer-admin"], resale, tmp_path)
    # the resale invoice: the partner sells, the operator issues under its mandate,
    # numbered in the partner's own short series
    prefix = ok(client.get(f"/v1/partners/{world.a.partner_id}", headers=auth(partner)))[
        "invoice_prefix"
    ]
    assert resale["number"].startswith(f"{prefix}-2026-") and len(resale["number"]) <= 20
    assert resale["invoicer"]["name"] == "Andromède Cloud SAS"
    root = etree.fromstring(docs["cii"])
    assert root.findtext(f".//{RAM}InvoicerTradeParty/{RAM}Name") == "Andromède Cloud SAS"
    assert root.findtext(f".//{RAM}SellerTradeParty/{RAM}Name") == "Partner a"
    text = pdf_text(docs["pdf"], tmp_path)
    assert "au nom et pour le compte de Partner a" in text
    assert "Net à payer" in text and "Pénalités de retard" in text
    english = pdf_text(fetch(client, partner, resale["id"], "pdf", lang="en"), tmp_path)
    assert "Amount due" in english and "on behalf of Partner a" in english
    assert len(wholesale["number"]) <= 20 and wholesale["number"].startswith("AND-2026-")


def test_the_facturx_is_kept_as_made_and_regenerates_to_the_same_bytes(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    _closed(client, container, clock, world)
    token = world.a.tokens["partner-admin"]
    invoice = _one(client, token, "wholesale")
    first = fetch(client, token, invoice["id"], "facturx")
    assert fetch(client, token, invoice["id"], "facturx") == first
    trail = ok(client.get(f"/v1/invoices/{invoice['id']}/einvoice", headers=auth(token)))
    assert trail["sha256"] == hashlib.sha256(first).hexdigest()  # the file kept is the file served
    with container.uow(readonly=True) as session:
        row, lines = container.invoices.issued(session, invoice["id"])
        regenerated = produce_one(invoice_document(row, lines), "facturx")
    assert regenerated == first  # and the stored JSON alone gives it back, byte for byte
    # the XMLs are produced from the JSON at each request: the same bytes each time
    assert fetch(client, token, invoice["id"], "cii") == fetch(client, token, invoice["id"], "cii")


def test_a_credit_note_is_a_valid_381_citing_its_invoice(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    _closed(client, container, clock, world)
    partner = world.a.tokens["partner-admin"]
    original = _one(client, partner, "resale")
    note = ok(
        client.post(
            "/v1/credit-notes",
            headers=auth(partner),
            json={"invoice_id": original["id"], "reason": "billed twice"},
        ),
        201,
    )
    note = ok(client.get(f"/v1/invoices/{note['id']}", headers=auth(partner)))
    assert note["preceding_number"] == original["number"]
    assert note["number"].split("-")[0] == original["number"].split("-")[0]
    docs = checked_documents(client, partner, note, tmp_path)
    root = etree.fromstring(docs["cii"])
    assert root.findtext(f"{RSM}ExchangedDocument/{RAM}TypeCode") == "381"
    assert (
        root.findtext(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID")
        == (original["number"])
    )
    state = ok(client.get(f"/v1/invoices/{original['id']}", headers=auth(partner)))["payment"]
    assert state["status"] == "credited" and state["outstanding"] == "0.00"


def test_documents_stay_behind_the_tenant_walls(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    _closed(client, container, clock, world)
    wholesale = _one(client, world.a.tokens["partner-admin"], "wholesale")
    resale = _one(client, world.a.tokens["customer-admin"], "resale")
    for fmt in ("facturx.pdf", "cii.xml", "ubl.xml", "pdf", "einvoice"):
        for token, invoice in (
            (world.b.tokens["partner-admin"], resale),
            (world.b.tokens["customer-admin"], resale),
            (world.a.tokens["customer-admin"], wholesale),  # what its partner pays
            (world.a2_token, resale),  # a sibling customer of the same partner
        ):
            answer = client.get(f"/v1/invoices/{invoice['id']}/{fmt}", headers=auth(token))
            assert answer.status_code == 404, (fmt, answer.text)
    bad = client.get(
        f"/v1/invoices/{resale['id']}/pdf",
        headers=auth(world.a.tokens["customer-admin"]),
        params={"lang": "de"},
    )
    assert bad.status_code in (400, 422) and bad.headers["content-type"].startswith(
        "application/problem+json"
    )


def _public_buyer(client: TestClient, world: World, **fields: object) -> None:
    ok(
        client.patch(
            f"/v1/customers/{world.a.customer_id}",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"public_sector": True, **fields},
        )
    )


def test_a_public_buyer_missing_its_service_code_is_held_then_issued_without_a_gap(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    _public_buyer(client, world, requires_service_code=True, requires_commitment_number=True)
    october(client, container, clock, world, "follow")
    report = close_month(container, "2026-10")
    assert len(report.issued) == 1  # the wholesale invoice went out; the resale is held
    customer = world.a.tokens["customer-admin"]
    held = ok(client.get("/v1/held-invoices", headers=auth(customer)))["items"]
    assert [h["kind"] for h in held] == ["resale"]
    assert "SIRET" in held[0]["reason"] and "BT-10" in held[0]["reason"]
    for token in (customer, world.a.tokens["partner-admin"]):
        notes = ok(client.get("/v1/notifications", headers=auth(token)))["items"]
        assert [n["kind"] for n in notes].count("invoice_held") == 1
    assert (
        ok(client.get("/v1/held-invoices", headers=auth(world.b.tokens["partner-admin"])))["items"]
        == []
    )
    assert close_month(container, "2026-10").issued == []  # closing again: still held, no repeat
    assert release_held_invoices(container) == []
    # the customer's admin fills in what Chorus Pro needs; a bad SIRET changes nothing
    path = f"/v1/customers/{world.a.customer_id}"
    refused = client.patch(path, headers=auth(customer), json={"siret": "12345678901234"})
    assert refused.status_code == 400 and "siret" in refused.text
    siren = ok(client.get(path, headers=auth(customer)))["siren"]
    siret = siren + "0001" + luhn.calc_check_digit(siren + "0001")
    body = {"siret": siret, "service_code": "SERV-INFRA", "commitment_number": "EJ 2026/0042"}
    ok(client.patch(path, headers=auth(customer), json=body))
    issued = release_held_invoices(container)
    assert (
        len(issued) == 1
        and ok(client.get("/v1/held-invoices", headers=auth(customer)))["items"] == []
    )
    resale = _one(client, customer, "resale")
    assert resale["number"].endswith("-000001")  # the partner's first number: no gap
    assert (resale["buyer_reference"], resale["order_reference"]) == ("SERV-INFRA", "EJ 2026/0042")
    docs = checked_documents(client, customer, resale, tmp_path)
    root = etree.fromstring(docs["cii"])
    assert root.findtext(f".//{RAM}BuyerReference") == "SERV-INFRA"
    assert root.findtext(f".//{RAM}BuyerTradeParty/{RAM}GlobalID") == siret
    entry = ok(client.get(f"/v1/invoices/{resale['id']}/einvoice", headers=auth(customer)))
    assert entry["channel"] == "chorus"


def test_the_billing_mandate_is_a_recorded_fact(client: TestClient, world: World) -> None:
    body = {
        "name": "Sans Mandat",
        "kind": "msp",
        "country": "FR",
        "address": "3 rue, Brest",
        "siren": "732829320",
        "vat_number": "FR44732829320",
    }
    partner = ok(client.post("/v1/partners", headers=auth(world.admin), json=body), 201)
    assert partner["billing_mandate_accepted_on"] is None
    assert partner["invoice_prefix"].startswith("P") and len(partner["invoice_prefix"]) == 7
    sign_in(client, "cmartin", "operator-secret")
    row = next(
        r for r in client.get("/console/operator/partners").text.split("<tr>") if "Sans Mandat" in r
    )
    assert "non accepté" in row and partner["invoice_prefix"] in row
    path = f"/v1/partners/{partner['id']}/billing-mandate"
    future = client.post(path, headers=auth(world.admin), json={"accepted_on": "2027-01-01"})
    assert future.status_code == 400
    other = client.post(path, headers=auth(world.a.tokens["partner-admin"]), json={})
    assert other.status_code == 404  # another partner's
    signed = ok(client.post(path, headers=auth(world.admin), json={"accepted_on": "2026-10-15"}))
    assert signed["billing_mandate_accepted_on"] == "2026-10-15"
    row = next(
        r for r in client.get("/console/operator/partners").text.split("<tr>") if "Sans Mandat" in r
    )
    assert "accepté le 15 oct. 2026" in row
    own = f"/v1/partners/{world.a.partner_id}"
    member = client.post(
        f"{own}/billing-mandate", headers=auth(world.a.tokens["partner-user"]), json={}
    )
    assert member.status_code == 403
    # a partner chooses its prefix; a long or taken one is refused, and nothing changes
    admin = auth(world.a.tokens["partner-admin"])
    assert client.patch(own, headers=admin, json={"invoice_prefix": "TOOLONGPX"}).status_code == 400
    taken = client.patch(own, headers=admin, json={"invoice_prefix": partner["invoice_prefix"]})
    assert taken.status_code == 409
    assert (
        ok(client.patch(own, headers=admin, json={"invoice_prefix": "NUM"}))["invoice_prefix"]
        == "NUM"
    )
    assert client.patch(own, headers=admin, json={"tier": "platinum"}).status_code == 403


def test_payments_statuses_overdue_reminders_and_e_reporting(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    _closed(client, container, clock, world)
    partner = world.a.tokens["partner-admin"]
    resale = _one(client, partner, "resale")
    pay = f"/v1/invoices/{resale['id']}/payments"
    total = Decimal(resale["total_incl_vat"])
    customer = client.post(
        pay, headers=auth(world.a.tokens["customer-admin"]), json={"amount": "0.10"}
    )
    assert customer.status_code == 403  # the buyer does not record what it paid itself
    assert (
        client.post(
            pay, headers=auth(world.b.tokens["partner-admin"]), json={"amount": "0.10"}
        ).status_code
        == 404
    )
    part = ok(
        client.post(
            pay,
            headers=auth(partner),
            json={"amount": "0.10", "method": "transfer", "reference": "VIR-1"},
        ),
        201,
    )
    assert part["invoice"]["status"] == "partly_paid"
    assert Decimal(part["invoice"]["outstanding"]) == total - Decimal("0.10")
    over = client.post(pay, headers=auth(partner), json={"amount": f"{total:f}"})
    assert over.status_code == 400 and "keep_credit" in over.text
    for bad in (
        {"amount": "-1"},
        {"amount": "0.10", "method": "bitcoin"},
        {"amount": "0.10", "paid_on": "2030-01-01"},
        {"amount": "0.001"},
    ):
        assert client.post(pay, headers=auth(partner), json=bad).status_code in (400, 422), bad
    assert len(ok(client.get("/v1/payments", headers=auth(partner)))["items"]) == 1
    # past the due date: overdue for the customer's partner and the operator, reminded once
    clock.set(datetime(2026, 12, 5, 9, tzinfo=UTC))
    partner, admin = (
        login(client, "a-partner-admin"),
        login(client, "cmartin", "operator-secret"),
    )
    buyer, other = login(client, "a-customer-admin"), login(client, "b-partner-admin")
    debtors = ok(client.get("/v1/payments/overdue", headers=auth(partner)))["items"]
    customer_debt = next(d for d in debtors if d["kind"] == "customer")
    assert customer_debt["id"] == world.a.customer_id
    assert customer_debt["invoices"][0]["days_overdue"] == 4
    staff = ok(client.get("/v1/payments/overdue", headers=auth(admin)))["items"]
    assert {d["kind"] for d in staff} == {"customer", "partner"}  # wholesale owed by a partner
    assert ok(client.get("/v1/payments/overdue", headers=auth(other)))["items"] == []
    assert remind_overdue(container) == 2 and remind_overdue(container) == 0
    notes = ok(client.get("/v1/notifications", headers=auth(buyer)))
    assert any(
        n["kind"] == "payment_reminder" and resale["number"] in n["message"] for n in notes["items"]
    )
    rest = total - Decimal("0.10") + Decimal("5.00")
    paid = ok(
        client.post(
            pay,
            headers=auth(partner),
            json={"amount": f"{rest:f}", "keep_credit": True, "paid_on": "2026-12-04"},
        ),
        201,
    )
    assert paid["credit"] == "5.00" and paid["invoice"]["status"] == "paid"
    # services taxed on receipts: the partner's December payments, with their VAT
    report = ok(
        client.get("/v1/payments/e-reporting", headers=auth(partner), params={"month": "2026-12"})
    )["items"]
    assert [r["amount_received"] for r in report] == [f"{total - Decimal('0.10'):f}"]
    csv_text = client.get(
        "/v1/payments/e-reporting",
        headers=auth(partner),
        params={"month": "2026-11", "format": "csv"},
    ).text
    assert csv_text.splitlines()[0].startswith("issuer_siren,invoice_number")
    assert resale["number"] in csv_text
    assert (
        client.get(
            "/v1/payments/e-reporting", headers=auth(buyer), params={"month": "2026-11"}
        ).status_code
        == 403
    )


def test_the_outbox_follows_each_document_through_the_platform(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    platform = SimulatedPlatform()
    folder = DirectoryPlatform(tmp_path / "chorus", "chorus")
    container.documents.platforms = {"platform": platform, "chorus": folder}
    _closed(client, container, clock, world)
    staff = auth(world.admin)
    ready = ok(client.get("/v1/einvoices", headers=staff, params={"status": "ready"}))["items"]
    assert len(ready) == 2
    # a worker that lost its lease on the job stops after the batch it was sending
    assert container.documents.send_ready(container.uow, batch=1, keep_going=lambda: False) == 1
    assert send_einvoices(container) == 1 and send_einvoices(container) == 0
    assert sorted(platform.received) == sorted(e["number"] for e in ready)
    assert poll_einvoices(container) == 2
    partner = world.a.tokens["partner-admin"]
    resale = _one(client, partner, "resale")
    trail = ok(client.get(f"/v1/invoices/{resale['id']}/einvoice", headers=auth(partner)))
    assert [e["status"] for e in trail["events"]] == ["ready", "submitted", "received"]
    assert trail["status_code"] == "202"
    assert hashlib.sha256(platform.received[resale["number"]]).hexdigest() == trail["sha256"]
    ok(
        client.post(
            f"/v1/invoices/{resale['id']}/payments",
            headers=auth(partner),
            json={"amount": resale["total_incl_vat"]},
        ),
        201,
    )
    paid = ok(client.get(f"/v1/invoices/{resale['id']}", headers=auth(partner)))["payment"]
    assert paid == {
        "status": "paid",
        "paid": resale["total_incl_vat"],
        "outstanding": "0.00",
        "einvoice_status": "paid",
    }
    # a status the connector drops in the folder is read once, and only moves forward
    statuses = tmp_path / "chorus" / "statuses"
    (statuses / "late.json").write_text(
        json.dumps({"number": resale["number"], "status": "received", "code": "202"})
    )
    (statuses / "broken.json").write_text("{not json")
    assert poll_einvoices(container) == 0
    assert sorted(p.name for p in (statuses / "read").iterdir()) == ["broken.json", "late.json"]
    assert (
        ok(client.get("/v1/einvoices", headers=auth(world.b.tokens["partner-admin"])))["items"]
        == []
    )
    bad = client.get("/v1/einvoices", headers=staff, params={"status": "lost"})
    assert bad.status_code == 400


@pytest.mark.parametrize("fmt", ["facturx.pdf", "cii.xml"])
def test_a_missing_invoice_is_a_404(client: TestClient, world: World, fmt: str) -> None:
    answer = client.get(f"/v1/invoices/nope/{fmt}", headers=auth(world.admin))
    assert answer.status_code == 404


def test_the_console_shows_payment_states_and_serves_the_documents(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    _closed(client, container, clock, world)
    partner = world.a.tokens["partner-admin"]
    resale = _one(client, partner, "resale")
    ok(
        client.post(
            f"/v1/invoices/{resale['id']}/payments", headers=auth(partner), json={"amount": "0.01"}
        ),
        201,
    )
    sign_in(client, "a-customer-admin")
    costs = client.get("/console/costs")
    assert costs.status_code == 200
    row = next(r for r in costs.text.split("<tr>") if resale["number"] in r)
    assert "partiellement payée" in row and "prête" in row  # paid in part; e-invoice ready
    for name in ("facturx.pdf", "invoice.pdf", "ubl.xml", "cii.xml"):
        assert f"/console/invoices/{resale['id']}/{name}" in row
    factur_x = client.get(f"/console/invoices/{resale['id']}/facturx.pdf")
    assert factur_x.status_code == 200 and factur_x.content == fetch(
        client, partner, resale["id"], "facturx"
    )
    client.cookies.set("andromede_lang", "en", path="/console")
    english = client.get(f"/console/invoices/{resale['id']}/invoice.pdf")
    assert "Amount due" in pdf_text(english.content, tmp_path)
    assert client.get(f"/console/invoices/{resale['id']}/invoice.docx").status_code == 404
    sign_in(client, "b-customer-admin")
    assert client.get(f"/console/invoices/{resale['id']}/cii.xml").status_code == 404
    sign_in(client, "a-partner-admin")
    margins = client.get("/console/partner/margins")
    assert margins.status_code == 200 and resale["number"] in margins.text


def test_a_reservation_bought_by_a_public_buyer_carries_its_own_commitment_number(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    path = f"/v1/customers/{world.a.customer_id}"
    siren = ok(client.get(path, headers=auth(world.a.tokens["partner-admin"])))["siren"]
    siret = siren + "0002" + luhn.calc_check_digit(siren + "0002")
    _public_buyer(client, world, siret=siret, requires_commitment_number=True)
    partner = world.a.tokens["partner-admin"]
    body = {
        "customer_id": world.a.customer_id,
        "flavor": "SCS-2V-4",
        "region": "fr-par-1",
        "term": "1y",
        "payment": "all-upfront",
    }
    refused = client.post(
        "/v1/reservations", headers=auth(partner), json={**body, "commitment_number": "<EJ>"}
    )
    assert refused.status_code == 400 and "commitment_number" in refused.text
    ok(
        client.post(
            "/v1/reservations",
            headers=auth(partner),
            json={**body, "commitment_number": "EJ-RES-1"},
        ),
        201,
    )
    customer = world.a.tokens["customer-admin"]
    resale = _one(client, customer, "resale")
    assert resale["order_reference"] == "EJ-RES-1" and resale["recipient"]["siret"] == siret
    checked_documents(client, customer, resale, tmp_path)
    wholesale = _one(client, partner, "wholesale")
    checked_documents(client, partner, wholesale, tmp_path)
    # without one, the upfront invoice to the customer waits; the partner's goes out
    ok(client.post("/v1/reservations", headers=auth(partner), json=body), 201)
    held = ok(client.get("/v1/held-invoices", headers=auth(customer)))["items"]
    assert [h["close_key"].split(":")[0] for h in held] == ["reservation"]
    assert "BT-13" in held[0]["reason"]
    invoices = ok(client.get("/v1/invoices", headers=auth(partner)))["items"]
    assert sorted(i["kind"] for i in invoices) == ["resale", "wholesale", "wholesale"]


def test_resale_invoices_wait_for_the_partners_mandate(
    client: TestClient, container: App, world: World
) -> None:
    body = {
        "name": "Sans Mandat",
        "kind": "msp",
        "tier": "gold",
        "address": "3 rue, Brest",
        **fr_ids("73282932"),
    }
    partner = ok(client.post("/v1/partners", headers=auth(world.admin), json=body), 201)
    p_admin = add_user(client, world.admin, "sm-admin", "partner-admin", partner["id"])
    customer = add_customer(client, p_admin, partner["id"], "Client SM", "55210055")
    purchase = {
        "customer_id": customer,
        "flavor": "SCS-2V-4",
        "region": "fr-par-1",
        "term": "1y",
        "payment": "all-upfront",
    }
    ok(client.post("/v1/reservations", headers=auth(p_admin), json=purchase), 201)
    kinds = [i["kind"] for i in ok(client.get("/v1/invoices", headers=auth(p_admin)))["items"]]
    assert kinds == ["wholesale"]  # what the partner owes goes out; its customer's waits
    held = ok(client.get("/v1/held-invoices", headers=auth(p_admin)))["items"]
    assert held[0]["reason"] == "the partner's billing mandate"
    assert issue_prepaid_charges(container) == 1  # retried, still held
    ok(client.post(f"/v1/partners/{partner['id']}/billing-mandate", headers=auth(p_admin), json={}))
    issue_prepaid_charges(container)
    kinds = [i["kind"] for i in ok(client.get("/v1/invoices", headers=auth(p_admin)))["items"]]
    assert sorted(kinds) == ["resale", "wholesale"]
    assert ok(client.get("/v1/held-invoices", headers=auth(p_admin)))["items"] == []
    assert issue_prepaid_charges(container) == 0  # nothing left to issue
