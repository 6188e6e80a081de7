"""The operator's dashboard against the business plan, from figures stored per finished
day by the worker job, not from the raw events on each view."""

from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import refresh_daily_usage
from tests.integration.builders import World, create_server, ok
from tests.integration.console_client import csrf_in, form, sign_in


def test_the_plan_is_set_by_an_admin_and_read_against_daily_figures(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    for name in ("a", "b"):
        ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id, name), 202)
    container.reconciler.run_once()
    clock.advance(timedelta(days=3))
    written = refresh_daily_usage(container)
    assert written >= 2 * 3  # usage and revenue of each finished day
    assert refresh_daily_usage(container) == 0  # a finished day is stored once
    with container.uow(readonly=True) as session:
        days = container.metering.daily(session, clock.now().date() - timedelta(days=3))
    assert [d.average_running for d in days][-2:] == [2, 2]

    sign_in(client, "cmartin", container.settings.admin_password)
    page = client.get("/console/operator")
    assert "Aucun plan saisi" in page.text
    done = form(
        client,
        "/console/operator",
        "/console/operator/plan",
        {"quarter": "2026-Q4", "servers": "4", "revenue": "1000"},
    )
    assert done.status_code == 303
    plan = client.get("/console/operator").text
    row = plan.split('aria-current="true"><th scope="row">2026-Q4</th>')[1].split("</tr>")[0]
    cells = [c.split(">")[1] for c in row.split("</td>")[:-1]]
    assert cells[0] == "4" and cells[2].startswith("-")  # fewer than 4 servers on average
    bad = form(
        client,
        "/console/operator",
        "/console/operator/plan",
        {"quarter": "Q4", "servers": "4", "revenue": "1"},
    )
    assert bad.status_code == 400 and "2026-Q4" in bad.text

    sign_in(client, "lbernard")
    read_only = client.get("/console/operator")
    assert read_only.status_code == 200 and "/console/operator/plan" not in read_only.text
    refused = client.post(
        "/console/operator/plan",
        data={
            "quarter": "2026-Q4",
            "servers": "1",
            "revenue": "1",
            "csrf": csrf_in(read_only.text),
        },
        follow_redirects=False,
    )
    assert refused.status_code == 403
    with container.uow(readonly=True) as session:
        from andromede.tenancy.scope import Actor, Caller, Role

        staff = Caller(Actor("s", "s", Role.OPERATOR_SUPPORT))
        lines = container.plans.against_plan(session, staff, {})
    assert [(x.quarter, x.servers_target, x.revenue_target) for x in lines] == [
        ("2026-Q4", 4, Decimal(1000))
    ]
