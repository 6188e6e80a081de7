"""The reconciler holds no transaction while a driver works: a slow hypervisor must not hold
SQLite's writer lock or a PostgreSQL row lock. A crash after the driver call and before the
second transaction records anything repeats the (idempotent) call, never the VM."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.bootstrap import App
from andromede.compute.drivers.base import VmSpec, VmStatus
from andromede.compute.port_links import PublicAddress
from andromede.compute.reconciler import Reconciler
from andromede.compute.security_rules import GroupRules
from andromede.compute.store import Server, ServerEvent
from andromede.db import is_postgres
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, create_server, ok, sim


class Probe:
    """Delegates to the simulated hypervisor; at every verb, checks that the control plane
    holds no connection and that another transaction can lock the server row at once."""

    def __init__(self, container: App) -> None:
        self.container = container
        self.verbs: list[str] = []

    def _check(self, verb: str, server_id: str) -> None:
        self.verbs.append(verb)
        assert self.container.engine.pool.checkedout() == 0, f"{verb}: a transaction is open"  # type: ignore[attr-defined]
        with self.container.uow() as session:  # SQLite: BEGIN IMMEDIATE takes the writer lock
            query = select(Server.id).where(Server.id == server_id)
            if is_postgres(session.get_bind()):  # type: ignore[arg-type]
                query = query.with_for_update(nowait=True)
            assert session.scalars(query).one() == server_id

    def create(self, spec: VmSpec) -> None:
        self._check("create", spec.server_id)
        sim(self.container).create(spec)

    def start(self, server_id: str) -> None:
        self._check("start", server_id)
        sim(self.container).start(server_id)

    def stop(self, server_id: str) -> None:
        self._check("stop", server_id)
        sim(self.container).stop(server_id)

    def reboot(self, server_id: str, hard: bool) -> None:
        self._check("reboot", server_id)
        sim(self.container).reboot(server_id, hard)

    def rebuild(self, spec: VmSpec) -> None:
        self._check("rebuild", spec.server_id)
        sim(self.container).rebuild(spec)

    def delete(self, server_id: str) -> None:
        self._check("delete", server_id)
        sim(self.container).delete(server_id)

    def get_state(self, server_id: str) -> VmStatus:
        return sim(self.container).get_state(server_id)

    def snapshot(self, server_id: str, name: str) -> Iterator[bytes]:
        self._check("snapshot", server_id)
        return sim(self.container).snapshot(server_id, name)

    def console_output(self, server_id: str) -> str:
        return sim(self.container).console_output(server_id)

    def set_firewall(self, server_id: str, firewall: tuple[GroupRules, ...]) -> None:
        self._check("set_firewall", server_id)
        sim(self.container).set_firewall(server_id, firewall)

    def set_flavor(self, server_id: str, flavor: str) -> None:
        self._check("set_flavor", server_id)
        sim(self.container).set_flavor(server_id, flavor)

    def set_public_addresses(self, server_id: str, addresses: tuple[PublicAddress, ...]) -> None:
        self._check("set_public_addresses", server_id)
        sim(self.container).set_public_addresses(server_id, addresses)

    def trigger_crash_dump(self, server_id: str) -> None:
        self._check("crash_dump", server_id)
        sim(self.container).trigger_crash_dump(server_id)


def _drain(reconciler: Reconciler) -> None:
    while reconciler.run_once():
        pass


def _status(container: App, server_id: str) -> str:
    with container.uow(readonly=True) as session:
        return session.get_one(Server, server_id).status


def test_no_transaction_is_open_while_the_driver_works(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    probe = Probe(container)
    reconciler = Reconciler(
        container.uow, clock, lambda _region: probe, container.catalog, container.images
    )
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    _drain(reconciler)
    act: Callable[[dict[str, Any]], Any] = lambda body: ok(  # noqa: E731
        client.post(f"/v1/servers/{server}/actions", headers=auth(token), json=body), 202
    )
    act({"action": "stop"})
    _drain(reconciler)
    act({"action": "start"})
    _drain(reconciler)
    act({"action": "reboot", "type": "HARD"})
    _drain(reconciler)
    act({"action": "rebuild", "image": "debian-12"})
    _drain(reconciler)
    snapshot = f"/v1/servers/{server}/snapshots"
    image = ok(client.post(snapshot, headers=auth(token), json={"name": "kept"}), 202)
    _drain(reconciler)
    ok(client.delete(f"/v1/servers/{server}", headers=auth(token)), 202)
    _drain(reconciler)
    # a delete is called once more once the VM is gone, for what the driver tidies then
    verbs = ["create", "stop", "start", "reboot", "rebuild", "snapshot", "delete", "delete"]
    assert probe.verbs == verbs
    images = ok(client.get(f"/v1/projects/{world.a.project_id}/images", headers=auth(token)))
    assert {i["id"]: i["status"] for i in images["items"]}[image["id"]] == "active"
    assert _status(container, server) == "DELETED"


def test_a_changed_firewall_is_sent_outside_any_transaction(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    probe = Probe(container)
    reconciler = Reconciler(
        container.uow, clock, lambda _region: probe, container.catalog, container.images
    )
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    _drain(reconciler)
    groups = ok(client.get("/v1/security-groups", headers=auth(token)))["items"]
    default = next(g for g in groups if g["name"] == "default")
    rule = {"direction": "ingress", "protocol": "tcp", "port_range_min": 443}
    rule |= {"port_range_max": 443, "remote_ip_prefix": "0.0.0.0/0"}
    url = f"/v1/security-groups/{default['id']}/rules"
    ok(client.post(url, headers=auth(token), json=rule), 201)
    _drain(reconciler)
    assert probe.verbs[-3:] == ["set_firewall", "set_public_addresses", "set_flavor"]
    assert probe.verbs.count("set_firewall") == 1
    sent = [r for g in sim(container).firewall(server) for r in g.rules]
    assert any(r.port_range_min == 443 for r in sent)


def test_the_crash_dump_is_sent_once_its_record_is_committed(
    client: TestClient, container: App, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = Probe(container)
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    _drain(container.reconciler)
    monkeypatch.setattr(container.consoles, "driver_for", lambda _region: probe)
    body = {"action": "crash_dump"}
    ok(client.post(f"/v1/servers/{server}/actions", headers=auth(token), json=body), 202)
    assert probe.verbs == ["crash_dump"]
    assert "Kernel panic" in sim(container).console_output(server)


def test_a_crash_between_the_driver_call_and_the_record_repeats_the_call_not_the_vm(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    reconciler = container.reconciler
    for expected in ("ACTIVE", "SHUTOFF"):
        with container.uow() as session:  # transaction 1
            intent = reconciler.read(session, server)
        assert intent is not None
        assert reconciler.perform(intent) is not None  # the driver did the work
        # ... and the process died here: transaction 2 never ran
        assert _status(container, server) == intent.status.value
        _drain(reconciler)  # the restarted process
        assert _status(container, server) == expected
        if expected == "ACTIVE":
            ok(
                client.post(
                    f"/v1/servers/{server}/actions", headers=auth(token), json={"action": "stop"}
                ),
                202,
            )
    assert sim(container).create_count(server) == 1
    with container.uow(readonly=True) as session:
        events = session.execute(
            select(ServerEvent.to_status, func.count())
            .where(ServerEvent.server_id == server)
            .group_by(ServerEvent.to_status)
        ).all()
    assert dict(events) == {"BUILD": 1, "ACTIVE": 1, "SHUTOFF": 1}


def test_a_user_acting_during_the_driver_call_wins(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """Transaction 2 records nothing if the server changed since transaction 1: the next
    pass starts from what the user asked."""
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)["id"]
    reconciler = container.reconciler
    with container.uow() as session:
        intent = reconciler.read(session, server)
    assert intent is not None
    outcome = reconciler.perform(intent)
    assert outcome is not None
    ok(client.delete(f"/v1/servers/{server}", headers=auth(token)), 202)
    with container.uow() as session:
        assert reconciler.record(session, intent, outcome) == 0
    assert _status(container, server) == "BUILD"
    _drain(reconciler)
    assert _status(container, server) == "DELETED"
    assert sim(container).vm_count() == 0
