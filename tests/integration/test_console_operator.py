"""The operator's partners, infrastructure and audit pages: counts and totals, hosts in
and out of maintenance, the log with filters; support staff read, only admins change."""

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, create_server, fr_ids, ok
from tests.integration.console_client import csrf_in, form, sign_in


def test_partners_list_with_customer_counts_and_a_new_partner(
    client: TestClient, container: App, world: World
) -> None:
    sign_in(client, "cmartin", container.settings.admin_password)
    page = client.get("/console/operator/partners")
    row = page.text.split("<td>Partner a</td>")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row  # customers A and A2
    partner = {
        "name": "Breizh Cloud Services",
        "kind": "msp",
        "tier": "silver",
        "address": "1 place de Bretagne, Rennes",
        **fr_ids("51234560"),
    }
    assert (
        form(
            client, "/console/operator/partners", "/console/operator/partners", partner
        ).status_code
        == 303
    )
    assert "Breizh Cloud Services" in client.get("/console/operator/partners").text
    again = form(client, "/console/operator/partners", "/console/operator/partners", partner)
    assert again.status_code == 409 and 'role="alert"' in again.text
    partner_a = f"/console/operator/partners/{world.a.partner_id}"
    assert (
        form(client, "/console/operator/partners", partner_a, {"tier": "gold"}).status_code == 303
    )
    got = ok(client.get(f"/v1/partners/{world.a.partner_id}", headers=auth(world.admin)))
    assert got["tier"] == "gold"
    bad = form(client, "/console/operator/partners", partner_a, {"tier": "diamond"})
    assert bad.status_code == 400 and "tier" in bad.text
    api = client.patch(
        f"/v1/partners/{world.a.partner_id}", headers=auth(world.admin), json={"kind": "isv"}
    )
    assert ok(api)["kind"] == "isv" and ok(api)["tier"] == "gold"
    sign_in(client, "lbernard")
    read = client.get("/console/operator/partners")
    assert (
        "Breizh Cloud Services" in read.text
        and '/console/operator/partners" class' not in read.text
    )
    refused = client.post(
        "/console/operator/partners",
        data={**partner, "name": "X", "csrf": csrf_in(read.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 403


def test_a_host_goes_into_maintenance_and_back(
    client: TestClient, container: App, world: World
) -> None:
    hosts = ok(client.get("/v1/hosts", headers=auth(world.admin)))["items"]
    host = hosts[0]
    sign_in(client, "cmartin", container.settings.admin_password)
    path = f"/console/operator/hosts/{host['id']}"
    done = form(client, "/console/operator/infrastructure", path, {"maintenance": "on"})
    assert done.status_code == 303
    assert (
        ok(client.get(f"/v1/hosts/{host['id']}", headers=auth(world.admin)))["maintenance"] is True
    )
    assert "Terminer la maintenance" in client.get("/console/operator/infrastructure").text
    form(client, "/console/operator/infrastructure", path, {"maintenance": "off"})
    assert (
        ok(client.get(f"/v1/hosts/{host['id']}", headers=auth(world.admin)))["maintenance"] is False
    )
    sign_in(client, "lbernard")
    page = client.get("/console/operator/infrastructure")
    assert host["name"] in page.text and path not in page.text
    refused = client.post(
        path, data={"maintenance": "on", "csrf": csrf_in(page.text)}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_the_audit_page_filters_and_hides_customers_entries_without_a_grant(
    client: TestClient, container: App, world: World
) -> None:
    server = ok(
        create_server(client, world.a.tokens["customer-admin"], world.a.project_id, "audit-vm"), 202
    )
    sign_in(client, "cmartin", container.settings.admin_password)
    page = client.get("/console/operator/audit?action=partner")
    assert "partner.create" in page.text and "user.create" not in page.text
    everything = client.get("/console/operator/audit").text
    assert server["id"] not in everything  # the customer's server.create entry: no grant
    assert "token.issue" in client.get("/console/operator/audit?actor=cmartin").text
