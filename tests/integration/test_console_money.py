"""The operator's price-change dry run and the partner's onboarding and margins, through
the console, on the same services the API and the CLI use."""

from decimal import Decimal

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.console.i18n import Formats
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import close_month
from tests.integration.builders import World, auth, create_server, fr_ids, login, ok
from tests.integration.console_client import form, sign_in
from tests.integration.test_billing import SKU, at, october


def test_the_operator_previews_a_price_change_then_applies_it(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    clock.set(at(3, 9, month=11))
    with container.uow(readonly=True) as session:
        expected = container.reports.price_change_impact(
            session, sku=SKU, list_price="0.0400", wholesale="hold", month="2026-10"
        )
    sign_in(client, "cmartin", container.settings.admin_password)
    query = f"sku={SKU}&list_price=0.0400&wholesale=hold&month=2026-10"
    preview = client.get(f"/console/operator/prices?{query}")
    assert preview.status_code == 200
    fr = Formats("fr")
    before, after = expected.operator_revenue
    assert f'{fr.money(before)}</td><td class="num">{fr.money(after)}' in preview.text
    margin = expected.partner_margin[world.a.partner_id]
    assert "Partner a" in preview.text and fr.money(margin[1] - margin[0]) in preview.text
    assert "Customer a" in preview.text
    admin = auth(login(client, "cmartin", container.settings.admin_password))  # a fresh token
    count = len(ok(client.get("/v1/price-changes", headers=admin))["items"])
    applied = form(
        client,
        f"/console/operator/prices?{query}",
        "/console/operator/prices",
        {"sku": SKU, "list_price": "0.0400", "wholesale": "hold", "effective_from": "2026-12-01"},
    )
    assert applied.status_code == 303
    changes = ok(client.get("/v1/price-changes", headers=admin))["items"]
    assert len(changes) == count + 1
    assert any(Decimal(c["value"]) == Decimal("0.04") for c in changes)


def test_a_bad_preview_says_why_and_support_staff_may_not_change_prices(
    client: TestClient, container: App, world: World
) -> None:
    sign_in(client, "cmartin", container.settings.admin_password)
    bad = client.get("/console/operator/prices?sku=compute:nope&list_price=1&month=2026-10")
    assert bad.status_code == 200 and 'role="alert"' in bad.text and "compute:nope" in bad.text
    sign_in(client, "lbernard")
    assert client.get("/console/operator/prices").status_code == 403


def test_a_partner_onboards_a_customer_with_a_project_and_a_user(
    client: TestClient, world: World
) -> None:
    sign_in(client, "a-partner-admin")
    ids = fr_ids("73282932")
    company = {"name": "Forge Océane SAS", "address": "2 quai Duguay-Trouin, Saint-Malo", **ids}
    refused = form(
        client, "/console/partner", "/console/partner/customers", {**company, "siren": "732829321"}
    )
    assert refused.status_code == 400 and "Forge Océane SAS" in refused.text
    created = form(client, "/console/partner", "/console/partner/customers", company)
    assert created.status_code == 303
    customer_path = created.headers["location"]
    customer_id = customer_path.rsplit("/", 1)[1]
    page = client.get(customer_path)
    assert "pour le compte de Forge Océane SAS" in page.text  # the AOBO banner
    made = form(client, customer_path, f"{customer_path}/projects", {"name": "recette"})
    assert made.status_code == 303
    user = {
        "username": "forge-admin",
        "password": "a long enough passphrase",
        "role": "customer-admin",
    }
    assert form(client, customer_path, f"{customer_path}/users", user).status_code == 303
    partner = auth(world.a.tokens["partner-admin"])
    projects = ok(client.get(f"/v1/projects?customer_id={customer_id}", headers=partner))["items"]
    assert [p["name"] for p in projects] == ["recette"]
    users = ok(client.get("/v1/users?limit=100", headers=partner))["items"]
    assert any(u["username"] == "forge-admin" and u["customer_id"] == customer_id for u in users)
    sign_in(client, "forge-admin", "a long enough passphrase")
    assert client.get("/console/servers").status_code == 200


def test_a_partner_sees_its_customers_servers_on_their_behalf(
    client: TestClient, world: World
) -> None:
    token = world.a.tokens["customer-admin"]
    ok(create_server(client, token, world.a.project_id, "brewery-web"), 202)
    sign_in(client, "a-partner-admin")
    page = client.get(f"/console/partner/customers/{world.a.customer_id}")
    servers = page.text.split('id="customer-servers"')[1].split("</table>")[0]
    assert "brewery-web" in servers and "production" in servers
    other = client.get(f"/console/partner/customers/{world.a2_customer_id}").text
    assert "brewery-web" not in other  # each customer's page shows its own


def test_a_partner_reads_its_margins_and_another_partners_customer_is_a_404(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    clock.set(at(20, 9, month=10))
    sign_in(client, "a-partner-admin")
    margins = client.get("/console/partner/margins")
    assert margins.status_code == 200 and "<svg" in margins.text and "2026-10" in margins.text
    with container.uow(readonly=True) as session:
        from andromede.tenancy.scope import Actor, Caller, Role

        caller = Caller(Actor("x", "x", Role.PARTNER_ADMIN, world.a.partner_id))
        rows = container.reports.margin_report(session, caller, "2026-10")
    total = sum((r.margin for r in rows), Decimal(0))
    assert total > 0 and Formats("fr").money(total) in margins.text
    assert client.get(f"/console/partner/customers/{world.b.customer_id}").status_code == 404


def test_a_customer_reads_its_costs_by_day_and_sku_and_downloads_its_usage(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    clock.set(at(31, 12))
    with container.uow(readonly=True) as session:
        from andromede.tenancy.scope import Actor, Caller, Role

        caller = Caller(
            Actor("x", "x", Role.CUSTOMER_ADMIN, world.a.partner_id, world.a.customer_id)
        )
        rated = container.reports.usage(session, caller, "2026-10")
    total = sum((r.resale_amount for r in rated), Decimal(0))
    sign_in(client, "a-customer-admin")
    page = client.get("/console/costs")
    assert page.status_code == 200 and "<svg" in page.text
    fr = Formats("fr")
    per_sku = page.text.split('id="per-sku"')[1].split("</table>")[0]
    assert SKU in per_sku
    per_day = page.text.split('id="per-day"')[1].split("</table>")[0]
    cells = [c.split("<")[0] for c in per_day.split('<td class="num">')[1:]]
    shown = sum(
        Decimal(c.replace("\u202f", "").replace("\u00a0€", "").replace(",", ".")) for c in cells
    )
    assert abs(shown - total) <= Decimal("0.01") * len(cells)  # each day rounded to the cent
    assert fr.money(Decimal(0)) in per_day  # days without usage show zero
    usage = client.get("/console/costs/usage.csv")
    lines = usage.text.strip().splitlines()
    assert lines[0].startswith("project_id,server_id,sku") and len(lines) == 1 + len(rated)
    assert "wholesale" not in usage.text and "list_" not in usage.text  # its own price only
    assert sum(Decimal(line.split(",")[9]) for line in lines[1:]) == total


def test_a_customer_compares_offers_buys_a_reservation_and_sees_it_held(
    client: TestClient, container: App, world: World
) -> None:
    sign_in(client, "a-customer-admin")
    page = client.get("/console/reservations?flavor=SCS-2V-4&region=fr-par-1")
    offers = page.text.split('id="offers"')[1].split("</table>")[0]
    assert offers.count("<tr>") == 1 + 6  # header, 2 terms × 3 payments
    assert "%" in offers  # savings against on-demand
    bought = form(
        client,
        "/console/reservations?flavor=SCS-2V-4&region=fr-par-1",
        "/console/reservations",
        {
            "flavor": "SCS-2V-4",
            "region": "fr-par-1",
            "term": "1y",
            "payment": "no-upfront",
            "count": "2",
        },
    )
    assert bought.status_code == 303
    admin = auth(world.a.tokens["customer-admin"])
    held = ok(client.get("/v1/reservations", headers=admin))["items"]
    assert [(r["flavor"], r["count"], r["term"]) for r in held] == [("SCS-2V-4", 2, "1y")]
    assert held[0]["number"] in client.get("/console/reservations").text
    bad = form(
        client,
        "/console/reservations",
        "/console/reservations",
        {
            "flavor": "SCS-2V-4",
            "region": "fr-par-1",
            "term": "9y",
            "payment": "no-upfront",
            "count": "1",
        },
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert len(ok(client.get("/v1/reservations", headers=admin))["items"]) == 1
    sign_in(client, "a-customer-viewer")
    assert 'name="term"' not in client.get("/console/reservations").text  # no buy form


def test_a_partner_sets_a_markup_and_a_customer_discount_and_downloads_reconciliation(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    clock.set(at(3, 9, month=11))
    close_month(container, "2026-10")
    sign_in(client, "a-partner-admin")
    page = client.get("/console/partner/resale")
    assert "majoration" in page.text  # the markup set in October
    discount = {"kind": "customer-discount", "customer_id": world.a.customer_id, "value": "0.05"}
    assert (
        form(client, "/console/partner/resale", "/console/partner/resale", discount).status_code
        == 303
    )
    partner = auth(login(client, "a-partner-admin"))
    prices = ok(client.get("/v1/prices?layer=resale", headers=partner))["items"]
    assert any(
        p["kind"] == "customer-discount" and p["scope"] == world.a.customer_id for p in prices
    )
    bad = form(
        client, "/console/partner/resale", "/console/partner/resale", {**discount, "value": "2"}
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    csv = client.get("/console/partner/reconciliation/2026-10.csv")
    assert csv.status_code == 200 and csv.text.startswith("invoice_number,kind")
    kinds = {line.split(",")[1] for line in csv.text.strip().splitlines()[1:]}
    assert kinds == {"wholesale", "resale"}  # received from the operator and issued
    sign_in(client, "b-partner-admin")
    other = client.get("/console/partner/reconciliation/2026-10.csv")
    assert "Customer a" not in other.text and world.a.customer_id not in other.text
