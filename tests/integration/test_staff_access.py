"""Customer-approved staff access, end to end through the API: no access by default, a
request the customer approves, a time-boxed grant, the grant id in the audit log, expiry,
revocation, lapse after four days, and the customer's transparency feed."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import close_lapsed_access
from tests.integration.builders import (
    PASSWORD,
    World,
    auth,
    create_server,
    grant_access,
    login,
    ok,
)

REQUEST = {
    "scope": "read",
    "reason": "ticket 4242: customer reports a boot loop",
    "duration_minutes": 60,
    "location": "FR",
}


def servers_of(world: World, client: TestClient) -> tuple[str, str]:
    a = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    b = ok(create_server(client, world.b.tokens["customer-member"], world.b.project_id), 202)
    return a["id"], b["id"]


def staff_view(client: TestClient, token: str, server_id: str) -> int:
    return client.get(f"/v1/servers/{server_id}", headers=auth(token)).status_code


def count_requests(container: App) -> int:
    from sqlalchemy import func, select

    from andromede.sovereignty.store import AccessRequest

    with container.uow(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(AccessRequest)) or 0)


def test_staff_see_nothing_of_a_customer_without_its_approval(
    client: TestClient, world: World
) -> None:
    server_a, _ = servers_of(world, client)
    for staff in (world.admin, world.support):
        h = auth(staff)
        assert staff_view(client, staff, server_a) == 404
        assert ok(client.get("/v1/servers", headers=h))["items"] == []
        assert ok(client.get("/v1/keypairs", headers=h))["items"] == []
        assert client.get("/v1/usage", headers=h, params={"month": "2026-11"}).status_code == 403
        location = client.get(f"/v1/customers/{world.a.customer_id}/data-location", headers=h)
        assert location.status_code == 403
        # names and counts of tenants stay visible to staff
        assert ok(client.get(f"/v1/customers/{world.a.customer_id}", headers=h))["id"]


def test_bad_requests_are_refused_and_write_nothing(client: TestClient, world: World) -> None:
    cases: list[tuple[str, dict[str, Any], int]] = [
        (world.support, {"duration_minutes": 481}, 400),
        (world.support, {"duration_minutes": 0}, 400),
        (world.support, {"location": "US"}, 400),
        (world.support, {"scope": "root"}, 400),
        (world.support, {"reason": ""}, 400),
        (world.support, {"customer_id": "no-such-customer"}, 404),
        (world.a.tokens["partner-admin"], {}, 403),  # only staff file requests
    ]
    for token, change, status in cases:
        body = {**REQUEST, "customer_id": world.a.customer_id, **change}
        response = client.post("/v1/access-requests", headers=auth(token), json=body)
        assert response.status_code == status, (change, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert ok(client.get("/v1/access-requests", headers=auth(world.admin)))["items"] == []


def test_approved_read_grant_opens_one_customer_and_is_logged(
    client: TestClient, container: App, world: World
) -> None:
    server_a, server_b = servers_of(world, client)
    body = {**REQUEST, "customer_id": world.a.customer_id}
    filed = ok(client.post("/v1/access-requests", headers=auth(world.support), json=body), 201)
    assert filed["status"] == "pending" and filed["location"] == "FR"
    assert staff_view(client, world.support, server_a) == 404  # not before approval
    # the customer hears of it; another customer does not even see the request
    notes = ok(client.get("/v1/notifications", headers=auth(world.a.tokens["customer-admin"])))
    assert [n["kind"] for n in notes["items"]] == ["access-request"]
    b_admin = auth(world.b.tokens["customer-admin"])
    assert client.get(f"/v1/access-requests/{filed['id']}", headers=b_admin).status_code == 404
    approve = f"/v1/access-requests/{filed['id']}/approve"
    for who in ("customer-member", "partner-admin"):  # only the customer's admins decide
        response = client.post(approve, headers=auth(world.a.tokens[who]))
        assert response.status_code == 403, who
    assert client.post(approve, headers=b_admin).status_code == 404
    ok(client.post(approve, headers=auth(world.a.tokens["customer-admin"])))

    assert staff_view(client, world.support, server_a) == 200
    assert staff_view(client, world.support, server_b) == 404  # only the approving customer
    assert staff_view(client, world.admin, server_a) == 404  # only the requester
    listed = ok(client.get("/v1/servers", headers=auth(world.support)))["items"]
    assert [s["id"] for s in listed] == [server_a]
    stop = client.post(
        f"/v1/servers/{server_a}/actions", headers=auth(world.support), json={"action": "stop"}
    )
    assert stop.status_code == 403  # a read grant does not act

    feed = ok(
        client.get(
            f"/v1/customers/{world.a.customer_id}/access-log",
            headers=auth(world.a.tokens["customer-viewer"]),
        )
    )["items"]
    actions = [e["action"] for e in feed]
    assert actions[-2:] == ["access_request.approve", "access_request.create"]
    reads = [e for e in feed if e["action"] == "staff.read"]
    assert len(reads) == 2 and all(e["grant_id"] == filed["id"] for e in reads)
    assert all(e["actor"] == "lbernard" for e in reads)
    b_feed = client.get(f"/v1/customers/{world.a.customer_id}/access-log", headers=b_admin)
    assert b_feed.status_code == 404


def test_operate_grant_acts_with_the_grant_id_then_expires(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    server_a, _ = servers_of(world, client)
    while container.reconciler.run_once():
        pass
    grant = grant_access(
        client,
        world.admin,
        world.a.customer_id,
        world.a.tokens["customer-admin"],
        scope="operate",
        minutes=30,
    )
    h = auth(world.admin)
    body = {"action": "stop"}
    ok(client.post(f"/v1/servers/{server_a}/actions", headers=h, json=body), 202)
    entries = ok(client.get("/v1/audit", headers=h, params={"limit": 5}))["items"]
    stop = next(e for e in entries if e["action"] == "server.stop")
    assert stop["grant_id"] == grant and stop["target_id"] == server_a

    clock.advance(timedelta(minutes=30))  # the grant ends on the second
    assert staff_view(client, world.admin, server_a) == 404
    shown = ok(client.get(f"/v1/access-requests/{grant}", headers=h))
    assert shown["status"] == "ended"
    assert close_lapsed_access(container) == 1
    assert close_lapsed_access(container) == 0  # logged once
    feed = ok(
        client.get(
            f"/v1/customers/{world.a.customer_id}/access-log",
            headers=auth(world.a.tokens["customer-admin"]),
        )
    )["items"]
    assert feed[0]["action"] == "access_request.end"


def test_revocation_is_immediate(client: TestClient, world: World) -> None:
    server_a, _ = servers_of(world, client)
    grant = grant_access(
        client, world.support, world.a.customer_id, world.a.tokens["customer-admin"]
    )
    assert staff_view(client, world.support, server_a) == 200
    revoke = f"/v1/access-requests/{grant}/revoke"
    ok(client.post(revoke, headers=auth(world.a.tokens["customer-admin"])))
    assert staff_view(client, world.support, server_a) == 404
    again = client.post(revoke, headers=auth(world.a.tokens["customer-admin"]))
    assert again.status_code == 409


def test_unanswered_request_expires_after_four_days(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    body = {**REQUEST, "customer_id": world.a.customer_id}
    filed = ok(client.post("/v1/access-requests", headers=auth(world.support), json=body), 201)
    clock.advance(timedelta(days=4))
    admin_a = auth(login(client, "a-customer-admin"))  # tokens live 12 hours
    late = client.post(f"/v1/access-requests/{filed['id']}/approve", headers=admin_a)
    assert late.status_code == 409 and "expired" in late.json()["detail"]
    assert ok(client.get(f"/v1/access-requests/{filed['id']}", headers=admin_a))["status"] == (
        "expired"
    )
    assert close_lapsed_access(container) == 1
    assert count_requests(container) == 1
    feed = ok(client.get(f"/v1/customers/{world.a.customer_id}/access-log", headers=admin_a))
    assert [(e["action"], e["outcome"]) for e in feed["items"]] == [
        ("access_request.expire", "success"),
        ("access_request.approve", "failure: conflict"),  # the late approval, refused
        ("access_request.create", "success"),
    ]


def test_staff_use_a_grant_only_while_their_vetting_holds(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    from tests.integration.builders import add_user

    admin = auth(world.admin)
    newcomer = add_user(client, world.admin, "ops-newcomer", "operator-support", None)
    ask = {"customer_id": world.a.customer_id, "scope": "read", "reason": "ticket 77",
           "duration_minutes": 480, "location": "FR"}  # fmt: skip
    refused = client.post("/v1/access-requests", headers=auth(newcomer), json=ask)
    assert refused.status_code == 403 and "vetting" in refused.json()["detail"]
    ids = {u["username"]: u["id"] for u in ok(client.get("/v1/users", headers=admin))["items"]}
    soon = (clock.now() + timedelta(hours=2)).isoformat()
    vet = f"/v1/users/{ids['ops-newcomer']}/vetting"
    vetting = {"level": "basic", "until": soon, "office_country": "fr"}
    shown = ok(client.put(vet, headers=admin, json=vetting))
    assert (shown["vetting_level"], shown["vetted_until"], shown["office_country"]) == (
        "basic",
        soon,
        "FR",
    )
    operate = client.post(
        "/v1/access-requests", headers=auth(newcomer), json={**ask, "scope": "operate"}
    )
    assert operate.status_code == 403  # acting needs an enhanced vetting
    approver = world.a.tokens["customer-admin"]
    grant_access(client, newcomer, world.a.customer_id, approver, minutes=480)
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    url = f"/v1/servers/{server['id']}"
    assert client.get(url, headers=auth(newcomer)).status_code == 200

    clock.advance(timedelta(hours=3))  # the grant runs 8 hours; the vetting ran out at 2
    assert client.get(url, headers=auth(newcomer)).status_code in (403, 404)
    assert client.post("/v1/access-requests", headers=auth(newcomer), json=ask).status_code == 403
    grant_access(client, world.support, world.a.customer_id, approver)  # vetted for a year
    assert client.get(url, headers=auth(world.support)).status_code == 200

    later = {
        "level": "basic",
        "until": (clock.now() + timedelta(days=30)).isoformat(),
        "office_country": "FR",
    }
    for token, target, body, status in (
        (world.admin, ids["cmartin"], later, 403),  # nobody vets themselves
        (world.a.tokens["partner-admin"], ids["ops-newcomer"], later, 403),
        (world.admin, ids["a-partner-user"], later, 400),  # vetting is for staff
        (world.admin, ids["ops-newcomer"], {**later, "level": "top-secret"}, 400),
        (world.admin, ids["ops-newcomer"], {**later, "until": "2020-01-01T00:00:00+00:00"}, 400),
    ):
        answer = client.put(f"/v1/users/{target}/vetting", headers=auth(token), json=body)
        assert answer.status_code == status, (body, answer.text)


def test_staff_accounts_name_a_person_and_administrators_are_vetted(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    admin = auth(world.admin)
    support = {"password": PASSWORD, "role": "operator-support", "person": "e-1000"}
    for shared in ("support", "Admin", "ops-2", "noc", "helpdesk_1"):
        refused = client.post("/v1/users", headers=admin, json={**support, "username": shared})
        assert refused.status_code == 400, shared
        assert refused.json()["errors"][0]["field"] == "username"
    mine = {"username": "ops", "password": PASSWORD, "role": "customer-member"}  # a customer
    ok(client.post("/v1/users", headers=auth(world.a.tokens["customer-admin"]), json=mine), 201)

    until = (clock.now() + timedelta(days=30)).isoformat()
    enhanced = {"level": "enhanced", "until": until, "office_country": "FR"}
    jdupont = {"username": "jdupont", "password": PASSWORD, "role": "operator-admin",
               "person": "jean.dupont@operator.example"}  # fmt: skip
    for vetting in ({}, {"vetting": {**enhanced, "level": "basic"}}):
        refused = client.post("/v1/users", headers=admin, json={**jdupont, **vetting})
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "vetting"
    names = [u["username"] for u in ok(client.get("/v1/users", headers=admin))["items"]]
    assert "jdupont" not in names  # refused whole: no account without its vetting
    made = ok(client.post("/v1/users", headers=admin, json={**jdupont, "vetting": enhanced}), 201)
    assert (made["vetting_level"], made["office_country"]) == ("enhanced", "FR")
    staff = {**support, "username": "mleroy"}
    ok(client.post("/v1/users", headers=auth(login(client, "jdupont")), json=staff), 201)

    clock.advance(timedelta(days=31))  # jdupont's vetting has lapsed: support, no more
    lapsed = auth(login(client, "jdupont"))
    again = {**support, "username": "pgarnier"}
    assert client.post("/v1/users", headers=lapsed, json=again).status_code == 403
    first = auth(login(client, "cmartin", container.settings.admin_password))
    rights = ok(client.get(f"/v1/users/{made['id']}/rights", headers=first))
    assert rights["role"] == "operator-support" and "manage-users" not in rights["permissions"]
    renewed = {**enhanced, "until": (clock.now() + timedelta(days=30)).isoformat()}
    ok(client.put(f"/v1/users/{made['id']}/vetting", headers=first, json=renewed))
    ok(client.post("/v1/users", headers=lapsed, json=again), 201)


def test_customer_data_is_reached_from_the_eu_only(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    from dataclasses import replace

    from andromede.api.app import create_app
    from andromede.bootstrap import build

    nets = "10.0.0.0/8=FR,10.9.0.0/16=US"
    app = build(replace(container.settings, staff_networks=nets), clock=clock)
    try:
        paris = TestClient(create_app(app), client=("10.1.2.3", 50000))
        abroad = TestClient(create_app(app), client=("10.9.2.3", 50000))
        server = ok(
            create_server(paris, world.a.tokens["customer-member"], world.a.project_id), 202
        )
        ask = {"customer_id": world.a.customer_id, "scope": "read", "reason": "ticket 9",
               "duration_minutes": 60, "location": "FR"}  # fmt: skip
        refused = abroad.post("/v1/access-requests", headers=auth(world.support), json=ask)
        assert refused.status_code == 403 and "outside the EU" in refused.json()["detail"]
        grant_access(paris, world.support, world.a.customer_id, world.a.tokens["customer-admin"])
        url = f"/v1/servers/{server['id']}"
        assert paris.get(url, headers=auth(world.support)).status_code == 200
        assert abroad.get(url, headers=auth(world.support)).status_code in (403, 404)
        # from outside the EU: nothing unless an EU staff member supervises, live
        alone = abroad.get("/v1/customers", headers=auth(world.support))
        assert alone.status_code == 403 and "live supervision" in alone.json()["detail"]
        staff = ok(paris.get("/v1/users", headers=auth(world.admin)))["items"]
        watch = {"staff_id": next(u["id"] for u in staff if u["username"] == "lbernard"),
                 "minutes": 60, "reason": "ticket 9, from the Montreal office"}  # fmt: skip
        ok(paris.post("/v1/supervisions", headers=auth(world.admin), json=watch), 201)
        # then the support operations that touch no customer data, and still no data
        assert abroad.get("/v1/customers", headers=auth(world.support)).status_code == 200
        assert abroad.get(url, headers=auth(world.support)).status_code in (403, 404)
    finally:
        app.engine.dispose()


def test_staff_outside_the_eu_act_only_under_live_supervision(
    client: TestClient, world: World, clock: FrozenClock
) -> None:
    from tests.integration.builders import add_user

    admin = auth(world.admin)
    abroad = auth(add_user(client, world.admin, "jsmith", "operator-support", None))
    ids = {u["username"]: u["id"] for u in ok(client.get("/v1/users", headers=admin))["items"]}
    until = (clock.now() + timedelta(days=30)).isoformat()
    us = {"level": "basic", "until": until, "office_country": "US"}
    ok(client.put(f"/v1/users/{ids['jsmith']}/vetting", headers=admin, json=us))
    refused = client.get("/v1/customers", headers=abroad)
    assert refused.status_code == 403 and "live supervision" in refused.json()["detail"]

    watch = {"staff_id": ids["jsmith"], "minutes": 30, "reason": "ticket 9: night shift"}
    for token, body, status in (
        (abroad, {**watch, "staff_id": ids["lbernard"]}, 403),  # a supervisor is in the EU
        (admin, {**watch, "staff_id": ids["cmartin"]}, 403),  # nobody supervises themselves
        (admin, {**watch, "staff_id": ids["a-partner-user"]}, 400),  # staff only
        (admin, {**watch, "minutes": 481}, 400),
        (admin, {**watch, "reason": " "}, 400),
        (auth(world.a.tokens["customer-admin"]), watch, 403),
    ):
        answer = client.post("/v1/supervisions", headers=token, json=body)
        assert answer.status_code == status, (body, answer.text)
    made = ok(client.post("/v1/supervisions", headers=admin, json=watch), 201)
    assert made["active"] and (made["staff"], made["supervisor"]) == ("jsmith", "cmartin")
    assert client.get("/v1/customers", headers=abroad).status_code == 200  # supervised
    clock.advance(timedelta(minutes=31))
    assert client.get("/v1/customers", headers=abroad).status_code == 403  # it ran out

    again = ok(client.post("/v1/supervisions", headers=admin, json=watch), 201)
    assert client.get("/v1/customers", headers=abroad).status_code == 200
    ok(client.post(f"/v1/supervisions/{again['id']}/end", headers=admin))
    assert client.get("/v1/customers", headers=abroad).status_code == 403  # ended at once
    shown = ok(client.get("/v1/supervisions", headers=admin))["items"]
    assert [s["id"] for s in shown] == [again["id"], made["id"]]
    assert not any(s["active"] for s in shown)
    log = ok(client.get("/v1/audit", headers=admin))["items"]
    done = [e for e in log if e["action"].startswith("supervision.")]
    assert len(done) == 8  # the five refusals to staff are logged too, as failures
    assert [e["action"] for e in done if e["outcome"] == "success"] == [
        "supervision.end",
        "supervision.start",
        "supervision.start",
    ]


def test_one_person_holds_no_incompatible_roles(client: TestClient, world: World) -> None:
    """Separation of duties (SecNumCloud 9.3): operator staff hold no partner's or
    customer's account, checked whenever an account names its person; the staff's own
    accounts, and those the staff make, always name it."""
    admin = auth(world.admin)
    for unnamed in ({"username": "nobody-1", "role": "operator-support"},  # its own staff
                    {"username": "nobody-2", "role": "partner-admin",  # made by its staff
                     "org_id": world.a.partner_id}):  # fmt: skip
        refused = client.post("/v1/users", headers=admin, json={**unnamed, "password": PASSWORD})
        assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "person"
    staff = {"username": "jdoe", "password": PASSWORD, "role": "operator-support",
             "person": "E-4711"}  # fmt: skip
    assert ok(client.post("/v1/users", headers=admin, json=staff), 201)["person"] == "e-4711"
    partner = auth(world.a.tokens["partner-admin"])
    customer = auth(world.a.tokens["customer-admin"])
    for token, body in (
        (partner, {"role": "partner-user", "org_id": world.a.partner_id}),
        (customer, {"role": "customer-admin"}),
        (customer, {"role": "customer-viewer", "person": " e-4711 "}),
    ):
        wanted = {"username": "j-doe-2", "password": PASSWORD, "person": "E-4711", **body}
        refused = client.post("/v1/users", headers=token, json=wanted)
        assert refused.status_code == 409 and "separation of duties" in refused.text, body
    names = [u["username"] for u in ok(client.get("/v1/users", headers=customer))["items"]]
    assert "j-doe-2" not in names
    second = {"username": "jdoe-adm", "password": PASSWORD, "role": "operator-admin",
              "person": "e-4711", "vetting": {"level": "enhanced",
              "until": "2027-06-01T00:00:00+00:00", "office_country": "FR"}}  # fmt: skip
    ok(client.post("/v1/users", headers=admin, json=second), 201)  # staff with staff: fine
    msp = {"username": "a-msp-1", "password": PASSWORD, "role": "partner-user",
           "org_id": world.a.partner_id, "person": "p-1"}  # fmt: skip
    ok(client.post("/v1/users", headers=partner, json=msp), 201)
    also = {"username": "a-msp-2", "password": PASSWORD, "role": "customer-admin",
            "person": "P-1"}  # fmt: skip
    ok(client.post("/v1/users", headers=customer, json=also), 201)  # partner and customer: fine
    back = {**staff, "username": "p-one", "person": "p-1"}
    assert client.post("/v1/users", headers=admin, json=back).status_code == 409  # both ways
