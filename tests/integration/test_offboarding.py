"""Leaving the cloud: the whole inventory as JSON, termination with a 21-day notice,
reinstatement, erasure refused before the notice ends, erasure after it with a signed
certificate whose hash is in the audit log, and nothing of the customer left to use."""

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import ColumnElement, func, or_, select

from andromede.api.app import create_app
from andromede.audit.signing import generate_key
from andromede.audit.signing import verify as signature_ok
from andromede.bootstrap import App
from andromede.catalog.store import Image
from andromede.compute.store import Server
from andromede.db import Base
from andromede.kernel.clock import FrozenClock
from andromede.offboarding.restore import RULE_FIELDS
from andromede.tenancy.store import Project
from andromede.worker.jobs import erase_due_customers
from tests.integration.builders import (
    PASSWORD,
    SSH_KEY,
    World,
    auth,
    create_server,
    grant_access,
    login,
    ok,
)
from tests.integration.test_openstack_face import keystone


@pytest.fixture
def signed(container: App, tmp_path: Path) -> tuple[App, bytes]:
    """The same application with the operator's signing key configured."""
    key = tmp_path / "audit.key"
    public = generate_key(key)
    container.settings = replace(container.settings, audit_key_file=str(key))
    return container, public


def furnish(client: TestClient, world: World) -> tuple[str, str]:
    member = auth(world.a.tokens["customer-member"])
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    body = {"project_id": world.a.project_id, "name": "laptop", "public_key": SSH_KEY}
    keypair = ok(client.post("/v1/keypairs", headers=member, json=body), 201)
    group = {"project_id": world.a.project_id, "name": "ha", "policy": "anti-affinity"}
    ok(client.post("/v1/server-groups", headers=member, json=group), 201)
    firewall = {"project_id": world.a.project_id, "name": "web"}
    web = ok(client.post("/v1/security-groups", headers=member, json=firewall), 201)
    https = {"direction": "ingress", "protocol": "tcp", "port_range_min": 443}
    ok(client.post(f"/v1/security-groups/{web['id']}/rules", headers=member, json=https), 201)
    os_token = {"X-Auth-Token": keystone(client, "a-customer-member", {"id": world.a.project_id})}
    image = ok(client.post("/image/v2/images", headers=os_token, json={"name": "own-os"}), 201)
    upload = os_token | {"Content-Type": "application/octet-stream"}
    put = client.put(f"/image/v2/images/{image['id']}/file", headers=upload, content=b"disk")
    assert put.status_code == 204
    net = "/network/v2.0"
    made = ok(
        client.post(f"{net}/networks", headers=os_token, json={"network": {"name": "lan"}}), 201
    )
    subnet = {
        "subnet": {"network_id": made["network"]["id"], "cidr": "10.5.0.0/24", "ip_version": 4}
    }
    lan = ok(client.post(f"{net}/subnets", headers=os_token, json=subnet), 201)["subnet"]
    router = ok(
        client.post(f"{net}/routers", headers=os_token, json={"router": {"name": "r"}}), 201
    )
    interface = {"subnet_id": lan["id"]}
    rid = router["router"]["id"]
    ok(client.put(f"{net}/routers/{rid}/add_router_interface", headers=os_token, json=interface))
    return server["id"], keypair["id"]


def test_the_export_is_the_whole_inventory_and_holds_no_secret(
    client: TestClient, container: App, world: World
) -> None:
    server_id, keypair_id = furnish(client, world)
    policy = {
        "scope_type": "customer",
        "scope_id": world.a.customer_id,
        "allow": ["in:fr"],
        "mode": "enforce",
    }
    ok(
        client.post("/v1/policies", headers=auth(world.a.tokens["customer-admin"]), json=policy),
        201,
    )
    url = f"/v1/customers/{world.a.customer_id}/export"
    doc = ok(client.get(url, headers=auth(world.a.tokens["customer-admin"])))
    assert doc["format"] == "andromede.customer-export/1"
    assert doc["customer"]["id"] == world.a.customer_id
    assert [p["id"] for p in doc["projects"]] == [world.a.project_id]
    assert [s["id"] for s in doc["servers"]] == [server_id]
    assert [k["id"] for k in doc["keypairs"]] == [keypair_id]
    assert [g["name"] for g in doc["server_groups"]] == ["ha"]
    assert [(g["name"], len(g["rules"])) for g in doc["security_groups"]] == [
        ("default", 4),
        ("web", 3),
    ]
    assert [(i["name"], i["size"], i["status"]) for i in doc["images"]] == [("own-os", 4, "active")]
    lan = next(n for n in doc["networks"] if n["name"] == "lan")
    assert [s["cidr"] for s in lan["subnets"]] == ["10.5.0.0/24"]
    assert [(r["name"], r["routes"]) for r in doc["routers"]] == [("r", [])]
    assert [(p["address"], p["device_owner"]) for p in doc["ports"]] == [
        ("10.5.0.1", "network:router_interface")
    ]
    assert [(p["scope_type"], p["allow"]) for p in doc["policies"]] == [("customer", ["in:fr"])]
    assert {u["username"] for u in doc["users"]} == {
        "a-customer-admin",
        "a-customer-member",
        "a-customer-viewer",
    }
    assert doc["invoices"] == []
    text = json.dumps(doc)
    assert "argon2" not in text and "password" not in text and "mfa_secret" not in text
    # who may export
    assert client.get(url, headers=auth(world.a.tokens["customer-viewer"])).status_code == 403
    assert client.get(url, headers=auth(world.b.tokens["customer-admin"])).status_code == 404
    assert client.get(url, headers=auth(world.support)).status_code == 403
    assert ok(client.get(url, headers=auth(world.a.tokens["partner-admin"])))["servers"]
    grant_access(client, world.support, world.a.customer_id, world.a.tokens["customer-admin"])
    assert ok(client.get(url, headers=auth(world.support)))["servers"]


# the tables that may still name an erased customer, and why (the certificate's "kept")
RETAINED = {
    "customers": "the legal identity on its invoices",
    "audit_entries": "the proof of what happened",
    "policy_decisions": "where its data was allowed to be",
    "policies": "the versions those decisions cite",
    "erasure_certificates": "the certificate itself",
    "projects": "the key of the usage history, name and quotas gone",
    "project_usage": "usage history (invoices)",
    "servers": "the key of the usage history, what the customer wrote gone",
    "server_events": "usage history (invoices)",
    "images": "the key of past usage, name and properties gone, bytes removed",
    "customer_keys": "the record of each key destroyed (gone from the KMS)",
}


def rows_left(container: App, customer_id: str) -> dict[str, int]:
    """Every table's rows that still name the customer, one of its projects or one of its
    servers: the inventory scan after an erasure."""
    left = {}
    with container.uow(readonly=True) as session:
        owned = {
            "customer_id": [customer_id],
            "org_id": [customer_id],
            "project_id": list(
                session.scalars(select(Project.id).where(Project.customer_id == customer_id))
            ),
            "server_id": list(
                session.scalars(select(Server.id).where(Server.customer_id == customer_id))
            ),
        }
        for table in Base.metadata.sorted_tables:
            marks: list[ColumnElement[bool]] = [
                table.c[c].in_(ids) for c, ids in owned.items() if c in table.c and ids
            ]
            if table.name == "customers":
                marks.append(table.c.id == customer_id)
            if not marks:
                continue
            count = session.scalar(select(func.count()).select_from(table).where(or_(*marks)))
            if count:
                left[table.name] = int(count)
    return left


def test_termination_notice_reinstatement_and_erasure_with_certificate(
    client: TestClient,
    signed: tuple[App, bytes],
    clock: FrozenClock,
    world: World,
) -> None:
    container, public = signed
    server_id, _ = furnish(client, world)
    customer = world.a.customer_id
    admin_c = auth(world.a.tokens["customer-admin"])
    # a customer-member may not end the contract
    refused = client.post(
        f"/v1/customers/{customer}/terminate", headers=auth(world.a.tokens["customer-member"])
    )
    assert refused.status_code == 403
    ended = ok(client.post(f"/v1/customers/{customer}/terminate", headers=admin_c))
    assert ended["status"] == "terminated"
    assert ended["erasure_due_at"] == (clock.now() + timedelta(days=21)).isoformat()
    notes = ok(client.get("/v1/notifications", headers=admin_c))["items"]
    assert [n["kind"] for n in notes] == ["erasure-notice"]
    blocked = create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    assert blocked.status_code == 409  # nothing new during the notice
    # reversible until the notice ends
    ok(client.post(f"/v1/customers/{customer}/reinstate", headers=admin_c))
    mine = {"scope_type": "customer", "scope_id": customer, "allow": ["in:fr"], "mode": "enforce"}
    ok(client.post("/v1/policies", headers=admin_c, json=mine), 201)
    again = create_server(client, world.a.tokens["customer-member"], world.a.project_id, "again")
    os_token = {"X-Auth-Token": keystone(client, "a-customer-member", {"id": world.a.project_id})}
    meta = f"/compute/v2.1/servers/{ok(again, 202)['id']}/metadata"
    ok(client.put(meta, headers=os_token, json={"metadata": {"owner": "paie"}}))
    later = {**mine, "scope_type": "project", "scope_id": world.a.project_id}
    ok(client.post("/v1/policies", headers=admin_c, json=later), 201)  # no decision cites it
    hook = {"url": "http://127.0.0.1:9/hooks"}
    ok(client.put("/v1/notification-webhook", headers=admin_c, json=hook))
    ok(client.post(f"/v1/customers/{customer}/terminate", headers=admin_c))

    clock.advance(timedelta(days=20, hours=23))
    admin = auth(login(client, "cmartin", container.settings.admin_password))
    early = client.post(f"/v1/customers/{customer}/erase", headers=admin)
    assert early.status_code == 409 and "notice runs until" in early.json()["detail"]
    assert login(client, "a-customer-admin")  # nothing was erased
    partner = auth(login(client, "a-partner-admin"))
    assert client.post(f"/v1/customers/{customer}/erase", headers=partner).status_code == 403

    clock.advance(timedelta(hours=1))
    late = client.post(f"/v1/customers/{customer}/reinstate", headers=partner)
    assert late.status_code == 409
    result = ok(client.post(f"/v1/customers/{customer}/erase", headers=admin))
    cert = result["certificate"]
    body = json.dumps(cert, sort_keys=True, separators=(",", ":")).encode()
    assert result["sha256"] == hashlib.sha256(body).hexdigest()
    assert result["public_key"] == public.hex()
    assert signature_ok(public, body, bytes.fromhex(result["signature"]))
    assert server_id in cert["erased"]["servers"] and len(cert["erased"]["users"]) == 3
    assert len(cert["erased"]["images"]) == 1 and len(cert["erased"]["security_groups"]) == 2
    assert len(cert["erased"]["networking"]) >= 4  # the port, subnet, router, network at least
    assert not list(container.images.bytes.root.rglob(cert["erased"]["images"][0] + "*"))
    entries = ok(client.get("/v1/audit", headers=partner, params={"limit": 50}))["items"]
    erase = next(e for e in entries if e["action"] == "customer.erase")
    assert erase["target_id"] == result["sha256"]

    while container.reconciler.run_once():
        pass
    doc = ok(client.get(f"/v1/customers/{customer}/export", headers=partner))
    assert doc["customer"]["status"] == "erased"
    assert doc["servers"] == doc["keypairs"] == doc["server_groups"] == doc["users"] == []
    assert doc["security_groups"] == doc["images"] == []
    assert doc["networks"] == doc["routers"] == doc["ports"] == doc["subnet_pools"] == []
    response = client.post(
        "/v1/tokens", json={"username": "a-customer-admin", "password": PASSWORD}
    )
    assert response.status_code == 401
    again = client.post(f"/v1/customers/{customer}/erase", headers=admin)
    assert again.status_code == 409
    kept = ok(client.get(f"/v1/customers/{customer}/erasure-certificate", headers=partner))
    assert kept["sha256"] == result["sha256"]
    # the other customers are untouched
    assert login(client, "b-customer-admin") and login(client, "a2-admin")
    left = rows_left(container, customer)
    assert set(left) <= set(RETAINED), set(left) - set(RETAINED)
    assert cert["erased"]["policies"] == [f"project:{world.a.project_id}:v1"]  # cited: kept
    assert cert["erased"]["keys_destroyed"]  # the image's data key was wrapped by one
    assert len(cert["erased"]["notifications"]) == 2 and len(cert["erased"]["webhooks"]) == 1
    with container.uow(readonly=True) as session:
        (project,) = session.scalars(select(Project).where(Project.customer_id == customer))
        assert project.name == f"erased-{project.id}" and project.quota_instances is None
        servers = list(session.scalars(select(Server).where(Server.customer_id == customer)))
        assert {(s.name, s.user_data, str(s.metadata_)) for s in servers} == {
            ("erased", None, "{}")
        }
        images = session.scalars(select(Image).where(Image.customer_id == customer))
        assert {(i.name, str(i.properties)) for i in images} == {("erased", "{}")}


def test_the_worker_erases_when_the_notice_ends(
    client: TestClient, signed: tuple[App, bytes], clock: FrozenClock, world: World
) -> None:
    container, _ = signed
    furnish(client, world)
    admin_c = auth(world.a.tokens["customer-admin"])
    ok(client.post(f"/v1/customers/{world.a.customer_id}/terminate", headers=admin_c))
    assert erase_due_customers(container) == []
    clock.advance(timedelta(days=21))
    assert erase_due_customers(container) == [world.a.customer_id]
    assert erase_due_customers(container) == []
    api = TestClient(create_app(container))
    partner = auth(login(api, "a-partner-admin"))
    shown = ok(api.get(f"/v1/customers/{world.a.customer_id}", headers=partner))
    assert shown["status"] == "erased"


def _configuration(doc: dict[str, Any]) -> dict[str, Any]:
    """An export without its ids: what a restore must reproduce."""
    projects = {p["id"]: p["name"] for p in doc["projects"]}
    groups = {g["id"]: g["name"] for g in doc["security_groups"]}

    def rules(group: dict[str, Any]) -> list[tuple[Any, ...]]:
        return sorted(
            tuple(str(v) for v in (*(r[k] for k in RULE_FIELDS[:-1]),
                                   groups.get(r["remote_group_id"])))
            for r in group["rules"]
        )  # fmt: skip

    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for p in doc["policies"]:
        scope = (p["scope_type"], projects.get(p["scope_id"], "customer"))
        if scope not in latest or p["version"] > latest[scope]["version"]:
            latest[scope] = p
    return {
        "projects": sorted(projects.values()),
        "keypairs": sorted((projects[k["project_id"]], k["name"], k["fingerprint"])
                           for k in doc["keypairs"]),
        "server_groups": sorted((projects[g["project_id"]], g["name"], g["policy"])
                                for g in doc["server_groups"]),
        "security_groups": sorted((projects[g["project_id"]], g["name"], rules(g))
                                  for g in doc["security_groups"]),
        "networks": sorted(
            (projects[n["project_id"]], n["name"], n["region"],
             sorted((s["cidr"], s["gateway_ip"], str(s["allocation_pools"])) for s in n["subnets"]))
            for n in doc["networks"] if not n["made_by_cloud"]  # made again on first use
        ),
        "volumes": sorted((projects[v["project_id"]], v["name"], v["size_gib"], v["volume_type"],
                           v["region"], v["zone"], str(v["metadata"])) for v in doc["volumes"]),
        "policies": sorted((k, p["allow"], p["deny"], p["mode"]) for k, p in latest.items()),
    }  # fmt: skip


def test_an_export_restored_into_a_fresh_customer_gives_the_same_configuration(
    client: TestClient, world: World
) -> None:
    from tests.integration.builders import add_customer
    from tests.integration.test_volumes import storage, volume

    furnish(client, world)
    admin_a, partner = auth(world.a.tokens["customer-admin"]), world.a.tokens["partner-admin"]
    storage(client, world)
    data = {"name": "data", "size_gib": 3, "volume_type": "ssd", "metadata": {"tier": "gold"}}
    ok(volume(client, world.a.tokens["customer-member"], world.a.project_id, **data), 201)
    members = ok(client.get("/v1/security-groups", headers=admin_a))["items"]
    web = next(g for g in members if g["name"] == "web")
    itself = {"direction": "ingress", "protocol": "tcp", "port_range_min": 5432,
              "port_range_max": 5432, "remote_group_id": web["id"]}  # fmt: skip
    ok(client.post(f"/v1/security-groups/{web['id']}/rules", headers=admin_a, json=itself), 201)
    for body in (
        {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:fr"]},
        {"scope_type": "project", "scope_id": world.a.project_id, "allow": ["fr-par-1"]},
    ):
        ok(client.post("/v1/policies", headers=admin_a, json=body), 201)
    exported = ok(client.get(f"/v1/customers/{world.a.customer_id}/export", headers=admin_a))
    assert {(n["name"], n["made_by_cloud"]) for n in exported["networks"]} == {
        ("lan", False),
        ("production-fr-par-1", True),  # where its server is: listed, not restored
    }

    fresh = add_customer(client, partner, world.a.partner_id, "Customer Fresh", "71234560")
    url = f"/v1/customers/{fresh}/import"
    made = ok(client.post(url, headers=auth(partner), json=exported), 201)
    assert made == {"projects": 1, "keypairs": 1, "server_groups": 1, "security_groups": 2,
                    "networks": 1, "volumes": 1, "policies": 2}  # fmt: skip
    (gone,) = exported["volumes"]  # its contents leave through the export's link, raw
    raw = client.get(gone["content"], headers=admin_a)
    assert raw.status_code == 200 and raw.content.startswith(b"andromede-volume volume=")
    other_tenant = auth(world.b.tokens["customer-admin"])
    assert client.get(gone["content"], headers=other_tenant).status_code == 404
    restored = ok(client.get(f"/v1/customers/{fresh}/export", headers=auth(partner)))
    assert _configuration(restored) == _configuration(exported)
    assert {p["id"] for p in restored["projects"]}.isdisjoint(p["id"] for p in exported["projects"])

    again = client.post(url, headers=auth(partner), json=exported)  # names taken: nothing
    assert again.status_code == 409
    assert ok(client.get(f"/v1/customers/{fresh}/export", headers=auth(partner))) == {
        **restored,
        "generated_at": ok(client.get(f"/v1/customers/{fresh}/export", headers=auth(partner)))[
            "generated_at"
        ],
    }
    assert client.post(url, headers=auth(partner), json={"format": "x"}).status_code == 400
    broken = [  # each refused whole, none a server error
        {"keypairs": [{"project_id": "not-in-it", "name": "k", "public_key": "x"}]},
        {"projects": [{"id": "p"}]},
        {"policies": [{"scope_type": "project", "scope_id": "not-in-it"}]},
        {"projects": [{"id": "p", "name": "q"}], "server_groups": [{"project_id": "p"}]},
    ]
    for part in broken:
        fresh_doc = {"format": exported["format"], **part}
        refused = client.post(url, headers=auth(partner), json=fresh_doc)
        assert refused.status_code == 400 and "not a whole export" in refused.text, part
    assert (
        ok(client.get(f"/v1/customers/{fresh}/export", headers=auth(partner)))["projects"]
        == (restored["projects"])
    )  # nothing written by the refusals
    member = auth(world.a.tokens["customer-member"])
    own = f"/v1/customers/{world.a.customer_id}/import"
    assert client.post(own, headers=member, json=exported).status_code == 403
    other = client.post(url, headers=auth(world.b.tokens["partner-admin"]), json=exported)
    assert other.status_code == 404
