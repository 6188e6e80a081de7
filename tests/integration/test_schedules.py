"""Schedules through the HTTP API and the worker's passes, with the injected clock: a
simulated week of office hours, a holiday, catching up after downtime, the options, the
days the clock moves, and once-only passes across workers."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.audit.store import AuditEntry
from andromede.bootstrap import App, build
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import run_schedules
from andromede.worker.shared import run_once_per_period
from tests.integration.builders import World, auth, create_server, login, ok

OFFICE = {"begin": "08:00", "end": "19:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}


def paris(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """Local Paris time in November 2026 (UTC+1) as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def schedule(client: TestClient, token: str, **fields: Any) -> Any:
    body = {"name": "office-hours", "periods": [OFFICE], **fields}
    return client.post("/v1/schedules", headers=auth(token), json=body)


def servers(client: TestClient, container: App, token: str, project: str, n: int) -> list[str]:
    ids = [ok(create_server(client, token, project, f"dev-{i}"), 202)["id"] for i in range(n)]
    settle(container)
    return ids


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def tag(client: TestClient, token: str, server_id: str, *tags: str) -> Any:
    return client.put(f"/v1/servers/{server_id}/tags", headers=auth(token), json={"tags": tags})


def statuses(client: TestClient, ids: list[str]) -> list[str]:
    """Read with a fresh sign-in: the clock has moved past the first tokens' lifetime."""
    token = login(client, "a-customer-admin")
    return [ok(client.get(f"/v1/servers/{i}", headers=auth(token)))["status"] for i in ids]


def at(container: App, clock: FrozenClock, when: datetime) -> int:
    """A scheduler pass at that instant, then the reconciler brings the servers there."""
    clock.set(when)
    acted = run_schedules(container)
    settle(container)
    return acted


# -- the API ---------------------------------------------------------------------------
def test_a_customer_writes_a_schedule_and_reads_its_week_ahead(
    client: TestClient, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    clock.set(paris(2, 10))  # Monday 2 November, 10:00 in Paris
    made = ok(schedule(client, token, holidays="FR", description="dev platform"), 201)
    assert made["timezone"] == "Europe/Paris" and made["customer_id"] == world.a.customer_id
    assert made["periods"] == [OFFICE] and not made["template"]
    preview = ok(client.get(f"/v1/schedules/{made['id']}/preview", headers=auth(token)))
    assert preview["running_now"] is True
    local = [(t["local"], t["action"]) for t in preview["transitions"]]
    assert local[:3] == [
        ("Mon 2026-11-02 19:00", "stop"),
        ("Tue 2026-11-03 08:00", "start"),
        ("Tue 2026-11-03 19:00", "stop"),
    ]
    assert ("Wed 2026-11-11 08:00", "start") not in local  # Armistice Day
    assert ("Sat 2026-11-07 08:00", "start") not in local
    assert len(local) == 10  # five days on, one week
    listed = ok(client.get("/v1/schedules", headers=auth(token)))["items"]
    assert [s["id"] for s in listed] == [made["id"]]
    changed = ok(
        client.patch(f"/v1/schedules/{made['id']}", headers=auth(token), json={"enforced": True})
    )
    assert changed["enforced"] is True and changed["periods"] == [OFFICE]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"periods": [{"begin": "8h", "end": "19:00"}]}, "periods[0]"),
        ({"periods": [{"begin": "08:00", "end": "08:00"}]}, "periods[0]"),
        ({"periods": [{"begin": "08:00", "end": "19:00", "weekdays": ["monday"]}]}, "periods[0]"),
        ({"periods": [{"begin": "08:00", "end": "19:00", "months": [13]}]}, "periods[0]"),
        ({"periods": []}, "periods"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"holidays": "XX"}, "holidays"),
        ({"skip_dates": ["2026-02-30"]}, "skip_dates"),
        ({"name": "Office Hours"}, "name"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_written(
    client: TestClient, world: World, fields: dict[str, Any], field: str
) -> None:
    token = world.a.tokens["customer-admin"]
    response = schedule(client, token, **fields)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text
    assert ok(client.get("/v1/schedules", headers=auth(token)))["items"] == []


def test_schedules_and_tags_stay_behind_the_tenant_walls(
    client: TestClient, container: App, world: World
) -> None:
    mine = ok(schedule(client, world.a.tokens["customer-admin"]), 201)
    other = world.b.tokens["customer-admin"]
    assert client.get(f"/v1/schedules/{mine['id']}", headers=auth(other)).status_code == 404
    patch = client.patch(f"/v1/schedules/{mine['id']}", headers=auth(other), json={})
    assert patch.status_code == 404
    assert client.delete(f"/v1/schedules/{mine['id']}", headers=auth(other)).status_code == 404
    viewer = world.a.tokens["customer-viewer"]
    assert schedule(client, viewer, name="viewer-s").status_code == 403
    (server,) = servers(client, container, world.a.tokens["customer-admin"], world.a.project_id, 1)
    assert tag(client, other, server, "schedule=office-hours").status_code == 404
    assert tag(client, world.a.tokens["customer-admin"], server, "a,b").status_code == 400
    assert tag(client, world.a.tokens["customer-admin"], server, "x" * 61).status_code == 400
    tags = ok(tag(client, world.a.tokens["customer-member"], server, "env=dev", "env=dev"))
    assert tags == {"tags": ["env=dev"]}
    member = auth(world.a.tokens["customer-member"])
    assert ok(client.get(f"/v1/servers/{server}", headers=member))["tags"] == ["env=dev"]
    # another customer's schedule cannot be put on one's project
    theirs = ok(schedule(client, other), 201)
    put = client.put(
        f"/v1/projects/{world.a.project_id}/schedule",
        headers=auth(world.a.tokens["customer-admin"]),
        json={"schedule_id": theirs["id"]},
    )
    assert put.status_code == 404


def test_a_partner_publishes_a_template_its_customers_copy(
    client: TestClient, world: World
) -> None:
    partner = world.a.tokens["partner-admin"]
    template = ok(schedule(client, partner, name="office-fr", template=True, holidays="FR"), 201)
    assert template["template"] and template["customer_id"] is None
    customer = world.a.tokens["customer-admin"]
    seen = ok(client.get("/v1/schedules?templates=true", headers=auth(customer)))["items"]
    assert [t["id"] for t in seen] == [template["id"]]
    copy = ok(
        client.post(
            "/v1/schedules",
            headers=auth(customer),
            json={"name": "office", "from_template": template["id"]},
        ),
        201,
    )
    assert copy["customer_id"] == world.a.customer_id and copy["holidays"] == "FR"
    other = world.b.tokens["customer-admin"]
    assert client.get(f"/v1/schedules/{template['id']}", headers=auth(other)).status_code == 404
    assert ok(client.get("/v1/schedules?templates=true", headers=auth(other)))["items"] == []


# -- the worker --------------------------------------------------------------------------
def test_a_week_of_office_hours_with_a_holiday(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """Monday 9 to Monday 16 November 2026; Wednesday 11 is Armistice Day."""
    clock.set(paris(9, 7))
    token = login(client, "a-customer-admin")
    ids = servers(client, container, token, world.a.project_id, 2)
    made = ok(schedule(client, token, holidays="FR"), 201)
    for server in ids:
        ok(tag(client, token, server, "schedule=office-hours"))
    untagged = servers(client, container, token, world.a.project_id, 1)
    at(container, clock, paris(9, 7, 59))
    assert statuses(client, ids) == ["ACTIVE", "ACTIVE"]  # on since creation
    seen = []
    for day in range(9, 17):
        for hour, minute in ((8, 0), (12, 0), (19, 0), (23, 0)):
            at(container, clock, paris(day, hour, minute))
            seen.append((day, hour, statuses(client, ids)[0]))
    on = {(d, h) for d, h, s in seen if s == "ACTIVE"}
    assert on == {(d, h) for d in (9, 10, 12, 13, 16) for h in (8, 12)}
    assert statuses(client, untagged) == ["ACTIVE"]  # not opted in: untouched
    entries = _audit(container, "server.stop", ids[0])
    assert {e.actor for e in entries} == {"schedule:office-hours"}
    assert len(entries) == 5  # Mon, Tue, Thu, Fri and the next Mon evenings
    assert len(_audit(container, "server.start", ids[0])) == 4  # Tue, Thu, Fri, next Mon
    token = login(client, "a-customer-admin")
    last = ok(client.get(f"/v1/schedules/{made['id']}", headers=auth(token)))["last_pass"]
    assert last["stopped"] == 2 and last["late_seconds"] == 0  # Monday 16, 19:00


def test_a_project_opted_in_as_a_whole_and_a_server_with_its_own_schedule(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    clock.set(paris(2, 18))
    first, second = servers(client, container, token, world.a.project_id, 2)
    office = ok(schedule(client, token), 201)
    ok(schedule(client, token, name="late", periods=[{"begin": "08:00", "end": "22:00"}]), 201)
    ok(
        client.put(
            f"/v1/projects/{world.a.project_id}/schedule",
            headers=auth(token),
            json={"schedule_id": office["id"]},
        )
    )
    ok(tag(client, token, second, "schedule=late"))
    at(container, clock, paris(2, 19, 1))
    assert statuses(client, [first, second]) == ["SHUTOFF", "ACTIVE"]
    at(container, clock, paris(2, 22, 1))
    assert statuses(client, [first, second]) == ["SHUTOFF", "SHUTOFF"]


def test_the_worker_catches_up_after_downtime_and_says_so(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    clock.set(paris(2, 18))
    ids = servers(client, container, token, world.a.project_id, 3)
    ok(schedule(client, token), 201)
    for server in ids:
        ok(tag(client, token, server, "schedule=office-hours"))
    at(container, clock, paris(2, 18, 59))
    assert statuses(client, ids) == ["ACTIVE"] * 3
    assert at(container, clock, paris(2, 21, 4)) == 3  # down at 19:00, back at 21:04
    assert statuses(client, ids) == ["SHUTOFF"] * 3
    notes = ok(client.get("/v1/notifications", headers=auth(token)))["items"]
    late = [n for n in notes if n["kind"] == "schedule.late"]
    assert len(late) == 1
    assert "2026-11-02 19:00 (Europe/Paris)" in late[0]["message"]
    assert "2 h 04 min late" in late[0]["message"] and "3 stopped" in late[0]["message"]
    assert at(container, clock, paris(2, 21, 5)) == 0  # nothing twice


def test_enforced_retain_running_and_stop_new(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    def me() -> str:  # the clock moves past a token's lifetime
        return login(client, "a-customer-admin")

    def by_hand(server: str, action: str) -> None:
        body = {"action": action}
        ok(client.post(f"/v1/servers/{server}/actions", headers=auth(me()), json=body), 202)
        settle(container)

    clock.set(paris(3, 7))
    early, other = servers(client, container, me(), world.a.project_id, 2)
    ok(schedule(client, me(), enforced=True, retain_running=True, stop_new=True), 201)
    for server in (early, other):
        ok(tag(client, me(), server, "schedule=office-hours"))
    by_hand(other, "stop")
    at(container, clock, paris(3, 8))  # early ran before 08:00: retained; other started
    assert statuses(client, [early, other]) == ["ACTIVE", "ACTIVE"]
    at(container, clock, paris(3, 19))
    assert statuses(client, [early, other]) == ["ACTIVE", "SHUTOFF"]
    by_hand(other, "start")
    at(container, clock, paris(3, 21))  # enforced: started by hand at night, stopped again
    assert statuses(client, [early, other]) == ["ACTIVE", "SHUTOFF"]
    (new,) = servers(client, container, me(), world.a.project_id, 1)
    ok(tag(client, me(), new, "schedule=office-hours"))
    at(container, clock, paris(3, 21, 1))
    assert statuses(client, [new]) == ["SHUTOFF"]


def test_office_hours_stay_local_across_the_last_sunday_of_october(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    clock.set(datetime(2026, 10, 23, 12, tzinfo=UTC))  # Friday, 14:00 CEST
    (server,) = servers(client, container, token, world.a.project_id, 1)
    ok(schedule(client, token, periods=[{"begin": "08:00", "end": "19:00"}]), 201)
    ok(tag(client, token, server, "schedule=office-hours"))
    stops = []
    instant = datetime(2026, 10, 23, 12, tzinfo=UTC)
    status = statuses(client, [server])[0]  # nothing but the passes changes it meanwhile
    while instant < datetime(2026, 10, 27, tzinfo=UTC):
        instant += timedelta(minutes=30)
        at(container, clock, instant)
        before, status = status, statuses(client, [server])[0]
        if before == "ACTIVE" and status == "SHUTOFF":
            stops.append(instant)
    assert stops == [
        datetime(2026, 10, 23, 17, tzinfo=UTC),  # 19:00 CEST
        datetime(2026, 10, 24, 17, tzinfo=UTC),  # 19:00 CEST
        datetime(2026, 10, 25, 18, tzinfo=UTC),  # 19:00 CET, the clock moved back
        datetime(2026, 10, 26, 18, tzinfo=UTC),
    ]


def test_a_pass_runs_once_across_three_workers(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-admin"]
    clock.set(paris(2, 18))
    ids = servers(client, container, token, world.a.project_id, 4)
    ok(schedule(client, token), 201)
    for server in ids:
        ok(tag(client, token, server, "schedule=office-hours"))
    clock.set(paris(2, 19) + timedelta(seconds=30))
    apps = [build(container.settings, clock=clock) for _ in range(3)]
    barrier = threading.Barrier(3)

    def work(app: App) -> None:
        barrier.wait()
        run_once_per_period(app, "schedules", 60.0, lambda _still_mine: run_schedules(app))

    threads = [threading.Thread(target=work, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    settle(container)
    assert statuses(client, ids) == ["SHUTOFF"] * 4
    stops = [e for i in ids for e in _audit(container, "server.stop", i)]
    assert len(stops) == 4  # one each, whichever worker ran the pass
    for app in apps:
        app.engine.dispose()


def _audit(container: App, action: str, target: str) -> list[AuditEntry]:
    with container.uow(readonly=True) as session:
        query = select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.target_id == target
        )
        return list(session.scalars(query))


def test_the_month_report_says_what_office_hours_saved(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """Made Monday 2 November at 08:00 in Paris, on office hours with French holidays, until
    1 December: 20 days x 11 h on (Wednesday 11 is a holiday), the rest of its 689 hours off,
    and what those would have cost at the same hourly price is the saving."""
    clock.set(paris(2, 8))
    me = login(client, "a-customer-admin")
    (server,) = servers(client, container, me, world.a.project_id, 1)
    ok(schedule(client, me, holidays="FR"), 201)
    ok(tag(client, me, server, "schedule=office-hours"))
    end = datetime(2026, 12, 1, tzinfo=UTC)
    with container.uow(readonly=True) as session:
        boundaries = container.scheduler.boundaries(session, clock.now(), end)
    for instant in boundaries:
        at(container, clock, instant)
    clock.set(end)
    me = login(client, "a-customer-admin")
    report = ok(client.get("/v1/reports/schedules?month=2026-11", headers=auth(me)))
    (row,) = report["servers"]
    assert (row["server_id"], row["schedule"]) == (server, "office-hours")
    assert (row["hours_on"], row["hours_off"]) == ("220.000000", "469.000000")
    hourly = Decimal(row["paid"]) / 220
    assert Decimal(row["saved"]) == (hourly * 469).quantize(Decimal("0.01"))
    assert report["saved"] == row["saved"] and report["notes"] == []
    offers = ok(
        client.get(
            "/v1/reservation-offers",
            headers=auth(me),
            params={"customer_id": world.a.customer_id, "flavor": "SCS-1V-2", "region": "fr-par-1"},
        )
    )["items"]
    (no_upfront,) = [o for o in offers if (o["term"], o["payment"]) == ("1y", "no-upfront")]
    reserved = Decimal(no_upfront["price"]["effective_hourly"]) * 689  # every hour it existed
    assert Decimal(row["reserved_instead"]) == reserved.quantize(Decimal("0.01"))
    other = login(client, "b-customer-admin")
    refused = client.get(
        f"/v1/reports/schedules?month=2026-11&customer_id={world.a.customer_id}",
        headers=auth(other),
    )
    assert refused.status_code == 404
    bad = client.get("/v1/reports/schedules?month=2026-13", headers=auth(me))
    assert bad.status_code == 400


def test_the_report_says_when_a_reservation_covers_a_scheduled_server(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    clock.set(paris(2, 8))
    me = login(client, "a-customer-admin")
    (server,) = servers(client, container, me, world.a.project_id, 1)
    ok(schedule(client, me), 201)
    ok(tag(client, me, server, "schedule=office-hours"))
    body = {"flavor": "SCS-1V-2", "region": "fr-par-1", "term": "1y", "payment": "no-upfront"}
    ok(client.post("/v1/reservations", headers=auth(me), json=body), 201)
    at(container, clock, paris(2, 19))
    report = ok(client.get("/v1/reports/schedules?month=2026-11", headers=auth(me)))
    (row,) = report["servers"]
    assert row["covered_by_reservation"] is True
    (note,) = report["notes"]
    assert server in note and "saves nothing on the reserved hours" in note
