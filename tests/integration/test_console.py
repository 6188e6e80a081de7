"""The console through the real app and database: sign-in rules and cookies, CSRF, the
server journey, tenant walls, roles, the lockbox, signup and the language switch."""

from datetime import timedelta

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import (
    PASSWORD,
    SSH_KEY,
    World,
    add_house,
    auth,
    create_server,
    fr_ids,
    ok,
)
from tests.integration.console_client import csrf_in, form, sign_in


def _server_form(project_id: str, name: str = "web-1") -> dict[str, str]:
    return {
        "project_id": project_id,
        "name": name,
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "place": "fr-par-1/fr-par-1a",
    }


def test_sign_in_sets_a_strict_http_only_cookie_and_lands_on_the_role_home(
    client: TestClient, world: World
) -> None:
    page = client.get("/console/login")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text
    response = sign_in(client, "a-customer-admin")
    assert response.headers["location"] == "/console/servers"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("andromede_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    assert client.get("/console/servers").status_code == 200


def test_a_form_without_its_token_is_refused_and_changes_nothing(
    client: TestClient, world: World
) -> None:
    sign_in(client, "a-customer-admin")
    refused = client.post("/console/servers", data=_server_form(world.a.project_id))
    assert refused.status_code == 403
    listed = ok(
        client.get(
            f"/v1/servers?project_id={world.a.project_id}",
            headers=auth(world.a.tokens["customer-admin"]),
        )
    )
    assert listed["items"] == []
    anonymous = TestClient(client.app)
    assert (
        anonymous.post(
            "/console/login", data={"username": "a-customer-admin", "password": PASSWORD}
        ).status_code
        == 403
    )


def test_a_wrong_password_shows_the_form_again_with_the_reason(
    client: TestClient, world: World
) -> None:
    response = form(
        client,
        "/console/login",
        "/console/login",
        {"username": "a-customer-admin", "password": "nope-nope-nope-nope"},
    )
    assert response.status_code == 401
    assert 'role="alert"' in response.text
    assert "identifiant ou mot de passe invalide" in response.text  # in the page's French
    assert "andromede_session" not in response.headers.get("set-cookie", "")


def test_a_customer_creates_a_server_sees_it_by_name_and_follows_its_status(
    client: TestClient, world: World, container: App
) -> None:
    sign_in(client, "a-customer-admin")
    created = form(
        client, "/console/servers/new", "/console/servers", _server_form(world.a.project_id)
    )
    assert created.status_code == 303, created.text
    server_path = created.headers["location"]
    server_id = server_path.rsplit("/", 1)[1]
    detail = client.get(server_path)
    assert "web-1" in detail.text and "data-poll" in detail.text  # BUILD: the page follows it
    assert client.get(f"{server_path}/status").json() == {
        "status": "BUILD",
        "steady": False,
        "label": "EN CRÉATION",
    }
    listing = client.get("/console/servers?name=web-1")
    assert (
        "SCS-1V-2" in listing.text and "debian-12" in listing.text and "production" in listing.text
    )
    container.reconciler.run_once()
    assert client.get(f"{server_path}/status").json()["status"] == "ACTIVE"
    stopped = form(client, server_path, f"{server_path}/action", {"action": "stop"})
    assert stopped.status_code == 303
    body = ok(
        client.get(f"/v1/servers/{server_id}", headers=auth(world.a.tokens["customer-admin"]))
    )
    assert body["desired_status"] == "SHUTOFF"


def test_a_refused_create_shows_the_form_with_the_reason_and_creates_nothing(
    client: TestClient, world: World
) -> None:
    sign_in(client, "a-customer-admin")
    bad = form(
        client,
        "/console/servers/new",
        "/console/servers",
        {**_server_form(world.a.project_id), "flavor": "no-such"},
    )
    assert bad.status_code in (400, 404)
    assert 'role="alert"' in bad.text and 'value="web-1"' in bad.text
    listed = ok(client.get("/v1/servers", headers=auth(world.a.tokens["customer-admin"])))
    assert listed["items"] == []


def test_another_tenants_server_is_a_404_page(client: TestClient, world: World) -> None:
    theirs = ok(create_server(client, world.b.tokens["customer-admin"], world.b.project_id), 202)
    sign_in(client, "a-customer-admin")
    for path in (f"/console/servers/{theirs['id']}", f"/console/servers/{theirs['id']}/status"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert theirs["name"] not in response.text or theirs["name"] == "vm"
    acted = form(
        client, "/console/servers", f"/console/servers/{theirs['id']}/action", {"action": "stop"}
    )
    assert acted.status_code == 404


def test_a_viewer_sees_no_action_and_the_server_refuses_them_anyway(
    client: TestClient, world: World
) -> None:
    ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id, "db-1"), 202)
    sign_in(client, "a-customer-viewer")
    listing = client.get("/console/servers")
    assert "db-1" in listing.text and "/console/servers/new" not in listing.text
    server_id = ok(client.get("/v1/servers", headers=auth(world.a.tokens["customer-viewer"])))[
        "items"
    ][0]["id"]
    detail = client.get(f"/console/servers/{server_id}")
    assert 'value="stop"' not in detail.text and "/delete" not in detail.text
    token = csrf_in(listing.text)
    refused = client.post(
        "/console/servers",
        data={**_server_form(world.a.project_id, "sneaky"), "csrf": token},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    names = [
        s["name"]
        for s in ok(client.get("/v1/servers", headers=auth(world.a.tokens["customer-admin"])))[
            "items"
        ]
    ]
    assert names == ["db-1"]


def test_idle_and_signed_out_sessions_stop_working(
    client: TestClient, world: World, clock: FrozenClock
) -> None:
    sign_in(client, "a-customer-admin")
    clock.advance(timedelta(minutes=20))
    assert client.get("/console/servers").status_code == 200  # activity moves the idle clock
    clock.advance(timedelta(minutes=20))
    assert client.get("/console/servers").status_code == 200
    clock.advance(timedelta(minutes=31))
    idle = client.get("/console/servers", follow_redirects=False)
    assert idle.status_code == 303 and idle.headers["location"].startswith("/console/login?next=")

    sign_in(client, "a-customer-admin")
    cookie = client.cookies.get("andromede_session")
    out = form(client, "/console/servers", "/console/logout", {})
    assert out.status_code == 303
    client.cookies.set("andromede_session", cookie or "", path="/console")
    assert client.get("/console/servers", follow_redirects=False).status_code == 303


def test_an_api_token_is_not_a_console_sign_in(client: TestClient, world: World) -> None:
    client.cookies.set("andromede_session", world.a.tokens["customer-admin"], path="/console")
    assert client.get("/console/servers", follow_redirects=False).status_code == 303


def test_a_customer_admin_approves_a_staff_request_in_the_console(
    client: TestClient, world: World
) -> None:
    body = {
        "customer_id": world.a.customer_id,
        "scope": "read",
        "reason": "ticket 7: slow disk",
        "duration_minutes": 30,
        "location": "FR",
    }
    request_id = ok(
        client.post("/v1/access-requests", headers=auth(world.support), json=body), 201
    )["id"]
    sign_in(client, "a-customer-member")
    page = client.get("/console/sovereignty")
    assert "ticket 7: slow disk" in page.text and 'value="approve"' not in page.text
    refused = client.post(
        f"/console/access-requests/{request_id}",
        data={"verb": "approve", "csrf": csrf_in(page.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    sign_in(client, "a-customer-admin")
    approved = form(
        client,
        "/console/sovereignty",
        f"/console/access-requests/{request_id}",
        {"verb": "approve"},
    )
    assert approved.status_code == 303
    state = ok(client.get(f"/v1/access-requests/{request_id}", headers=auth(world.support)))
    assert state["status"] == "approved"


def test_signup_lands_signed_in_on_getting_started(client: TestClient, world: World) -> None:
    add_house(client, world.admin)
    data = {
        "name": "Atelier Numérique SAS",
        "address": "3 rue des Lilas, 35000 Rennes",
        **fr_ids("73282932"),
        "username": "atelier-admin",
        "password": "a long enough passphrase",
        "project_name": "dev",
    }
    bad = form(client, "/console/signup", "/console/signup", {**data, "siren": "123456789"})
    assert bad.status_code == 400 and "Atelier" in bad.text
    done = form(client, "/console/signup", "/console/signup", data)
    assert done.status_code == 303 and done.headers["location"] == "/console/start"
    start = client.get("/console/start")
    assert "clouds.yaml — dev" in start.text
    project_id = start.text.split("clouds.yaml?project=")[1].split('"')[0]
    yaml = client.get(f"/console/start/clouds.yaml?project={project_id}")
    assert "project_name: dev" in yaml.text and "username: atelier-admin" in yaml.text
    assert "password" not in yaml.text
    rc = client.get(f"/console/start/openrc.sh?project={project_id}").text
    assert "export OS_PROJECT_NAME=dev\n" in rc and "export OS_USERNAME=atelier-admin\n" in rc
    assert "export OS_PROJECT_DOMAIN_NAME='Atelier Numérique SAS'\n" in rc  # quoted for sh
    assert "OS_PASSWORD=" not in rc  # asked when sourced, never written


def test_the_language_switch_turns_the_console_english(client: TestClient, world: World) -> None:
    sign_in(client, "a-customer-admin")
    assert "Serveurs" in client.get("/console/servers").text
    switched = form(
        client, "/console/servers", "/console/lang", {"lang": "en", "back": "/console/servers"}
    )
    assert switched.headers["location"] == "/console/servers"
    english = client.get("/console/servers")
    assert '<html lang="en">' in english.text and "Create a server" in english.text


def test_open_redirects_are_refused(client: TestClient, world: World) -> None:
    response = form(
        client,
        "/console/login",
        "/console/login",
        {"username": "a-customer-admin", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/console/servers"


def test_operator_dashboard_shows_counts_and_partner_sees_its_customers_only(
    client: TestClient, world: World
) -> None:
    ok(
        create_server(client, world.a.tokens["customer-admin"], world.a.project_id, "secret-name"),
        202,
    )
    sign_in(client, "lbernard")
    dashboard = client.get("/console/operator")
    assert dashboard.status_code == 200 and "<svg" in dashboard.text
    assert 'id="active-partners">0 / 2<' in dashboard.text
    assert "secret-name" not in dashboard.text
    assert client.get("/console/servers").text.count("secret-name") == 0
    sign_in(client, "a-partner-admin")
    customers = client.get("/console/partner")
    assert "Customer A" in customers.text and "Customer A2" in customers.text
    assert "Customer B" not in customers.text
    assert client.get("/console/operator").status_code == 403


def test_the_server_table_sorts_filters_and_pages_in_the_database(
    client: TestClient, world: World, container: App, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    project = f"/v1/projects/{world.a.project_id}"
    partner = auth(world.a.tokens["partner-admin"])
    ok(client.patch(project, headers=partner, json={"quota_instances": 40}))
    for i in range(27):
        ok(create_server(client, token, world.a.project_id, f"node-{i:02d}"), 202)
        clock.advance(timedelta(seconds=1))
    sign_in(client, "a-customer-admin")
    first = client.get("/console/servers?sort=name")
    assert "27 serveurs" in first.text
    names = [part.split("<")[0] for part in first.text.split('">node-')[1:]]
    assert names == [f"{i:02d}" for i in range(25)]  # 25 per page, by name
    second = client.get("/console/servers?sort=name&page_no=2")
    assert [p.split("<")[0] for p in second.text.split('">node-')[1:]] == ["25", "26"]
    newest = client.get("/console/servers?sort=created").text.split('">node-')[1].split("<")[0]
    assert newest == "26"
    assert "0 serveurs" in client.get("/console/servers?status=ACTIVE").text
    container.reconciler.run_once()
    assert "27 serveurs" in client.get("/console/servers?status=ACTIVE").text


def test_key_pairs_quotas_and_users_of_a_customer(client: TestClient, world: World) -> None:
    ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id, "q-1"), 202)
    sign_in(client, "a-customer-member")
    quotas = client.get("/console/projects")
    assert 'aria-valuenow="1"' in quotas.text and "serveurs" in quotas.text
    key = {"project_id": world.a.project_id, "name": "laptop", "public_key": SSH_KEY}
    assert form(client, "/console/keypairs", "/console/keypairs", key).status_code == 303
    listed = ok(client.get("/v1/keypairs", headers=auth(world.a.tokens["customer-admin"])))
    assert [k["name"] for k in listed["items"]] == ["laptop"]
    bad = form(
        client, "/console/keypairs", "/console/keypairs", {**key, "name": "x", "public_key": "nope"}
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    menu = client.get("/console/servers").text
    assert "/console/users" not in menu  # members do not manage users
    user = {"username": "a-new-member", "password": PASSWORD, "role": "customer-member"}
    refused = client.post(
        "/console/users", data={**user, "csrf": csrf_in(menu)}, follow_redirects=False
    )
    assert refused.status_code == 403
    sign_in(client, "a-customer-admin")
    assert "/console/users" in client.get("/console/servers").text
    assert form(client, "/console/users", "/console/users", user).status_code == 303
    assert "a-new-member" in client.get("/console/users").text
    group = {"project_id": world.a.project_id, "name": "web-tier", "policy": "anti-affinity"}
    assert form(client, "/console/keypairs", "/console/server-groups", group).status_code == 303
    page = client.get("/console/keypairs").text
    assert "<title>Paires de clés et groupes de serveurs · Andromède</title>" in page
    assert page.count('id="groups"') == 1  # the groups' table once, in the page body
    groups = ok(client.get("/v1/server-groups", headers=auth(world.a.tokens["customer-admin"])))
    assert [(g["name"], g["policy"]) for g in groups["items"]] == [("web-tier", "anti-affinity")]
    in_group = {
        **_server_form(world.a.project_id, "grouped"),
        "server_group": groups["items"][0]["id"],
    }
    assert form(client, "/console/servers/new", "/console/servers", in_group).status_code == 303
    keypair_id = listed["items"][0]["id"]
    deleted = form(client, "/console/keypairs", f"/console/keypairs/{keypair_id}/delete", {})
    assert deleted.status_code == 303
    assert (
        ok(client.get("/v1/keypairs", headers=auth(world.a.tokens["customer-admin"])))["items"]
        == []
    )


def test_the_sovereignty_page_shows_where_data_is_and_the_policy_history(
    client: TestClient, world: World
) -> None:
    ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id, "loc-1"), 202)
    policy = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-IDF"]}
    ok(
        client.post("/v1/policies", headers=auth(world.a.tokens["customer-admin"]), json=policy),
        201,
    )
    sign_in(client, "a-customer-viewer")
    page = client.get("/console/sovereignty")
    location = page.text.split('id="location"')[1].split("</table>")[0]
    assert "loc-1" in location and "fr-par-1" in location and "FR-IDF" in location
    assert "in:FR-IDF" in page.text  # the policy, in force and in the history
    assert "/console/attestations/" not in page.text  # no signing key configured here
    assert client.get("/console/attestations/2026-10.json").status_code == 409
