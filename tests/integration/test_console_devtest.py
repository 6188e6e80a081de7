"""The customer's Dev & Test page in the console: a schedule written as people say it,
its next starts and stops, environments switched from the page, and the month's savings
on the page and on the costs page."""

from decimal import Decimal

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import run_schedules
from tests.integration.builders import World, auth, create_server, login, ok
from tests.integration.console_client import form, sign_in


def test_a_customer_writes_a_schedule_and_switches_an_environment(
    client: TestClient, world: World, container: App, clock: FrozenClock
) -> None:
    sign_in(client, "a-customer-admin")
    made = form(
        client,
        "/console/devtest",
        "/console/devtest/schedules",
        {"name": "office-hours", "period": "mon-fri 08:00-19:00", "holidays": "FR"},
    )
    assert made.status_code == 303, made.text
    shown = client.get("/console/devtest")
    assert "office-hours" in shown.text and "Europe/Paris" in shown.text
    assert "arrêt" in shown.text and "Mon 02/11 19:00" in shown.text  # Monday 2 Nov, 19:00
    bad = form(
        client,
        "/console/devtest",
        "/console/devtest/schedules",
        {"name": "nights", "period": "22h-6h", "holidays": ""},
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "22h-6h" in bad.text
    token = world.a.tokens["customer-admin"]
    assert [s["name"] for s in ok(client.get("/v1/schedules", headers=auth(token)))["items"]] == [
        "office-hours"
    ]

    body = {
        "project_id": world.a.project_id,
        "name": "review-1",
        "region": "fr-par-1",
        "members": [{"name": "web", "flavor": "SCS-1V-2", "image": "debian-12"}],
    }
    env = ok(client.post("/v1/environments", headers=auth(token), json=body), 201)
    while container.reconciler.run_once():
        pass
    stopped = form(
        client, "/console/devtest", f"/console/devtest/environments/{env['id']}/stop", {}
    )
    assert stopped.status_code == 303
    after = ok(client.get(f"/v1/environments/{env['id']}", headers=auth(token)))
    assert after["running"] is False
    assert "review-1" in client.get("/console/devtest").text


def test_the_costs_page_and_the_dev_test_page_show_what_schedules_saved(
    client: TestClient, world: World, container: App, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    while container.reconciler.run_once():
        pass
    periods = [{"begin": "10:00", "end": "11:00"}]  # on 10:00-11:00 in Paris (UTC+1) only
    ok(
        client.post(
            "/v1/schedules", headers=auth(token), json={"name": "short", "periods": periods}
        ),
        201,
    )
    ok(
        client.put(
            f"/v1/servers/{server}/tags", headers=auth(token), json={"tags": ["schedule=short"]}
        )
    )
    clock.set(clock.now().replace(hour=10, minute=0))  # 11:00 in Paris: the period ends
    run_schedules(container)
    while container.reconciler.run_once():
        pass
    clock.set(clock.now().replace(hour=21))  # eleven hours off
    token = login(client, "a-customer-admin")
    report = ok(client.get("/v1/reports/schedules?month=2026-11", headers=auth(token)))
    (row,) = report["servers"]
    assert (row["hours_on"], row["hours_off"]) == ("1.000000", "11.000000")
    hourly, half_cent = Decimal(row["paid"]), Decimal("0.005")  # one hour's price, rounded
    assert hourly - half_cent <= Decimal(report["saved"]) / 11 <= hourly + half_cent
    sign_in(client, "a-customer-admin")
    page = client.get("/console/devtest").text
    assert server in page and "short" in page
    costs = client.get("/console/costs").text
    assert 'id="saved"' in costs and "/console/devtest" in costs
