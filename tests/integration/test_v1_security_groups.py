"""/v1 security groups: the same rules as Neutron's face (one service), problem+json for
bad input, another tenant's group a 404, a server's groups on its view."""

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok


def test_security_groups_on_the_native_api(client: TestClient, world: World) -> None:
    member = auth(world.a.tokens["customer-member"])
    pid = world.a.project_id
    listed = ok(client.get(f"/v1/security-groups?project_id={pid}", headers=member))
    assert [g["name"] for g in listed["items"]] == ["default"]
    assert listed["items"][0]["is_default"] and len(listed["items"][0]["rules"]) == 4
    web = ok(
        client.post("/v1/security-groups", headers=member, json={"project_id": pid, "name": "web"}),
        201,
    )
    https = {
        "direction": "ingress",
        "protocol": "tcp",
        "port_range_min": 443,
        "port_range_max": 443,
    }
    rule = ok(
        client.post(f"/v1/security-groups/{web['id']}/rules", headers=member, json=https), 201
    )
    assert rule["protocol"] == "tcp" and rule["remote_ip_prefix"] is None
    again = client.post(f"/v1/security-groups/{web['id']}/rules", headers=member, json=https)
    assert again.status_code == 409
    wrong = {"direction": "ingress", "protocol": "tcp", "remote_ip_prefix": "::/0"}
    refused = client.post(f"/v1/security-groups/{web['id']}/rules", headers=member, json=wrong)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "remote_ip_prefix" in refused.json()["detail"]
    shown = ok(client.get(f"/v1/security-groups/{web['id']}", headers=member))
    assert len(shown["rules"]) == 3  # the refused rule left nothing
    patched = ok(client.patch(f"/v1/security-groups/{web['id']}", headers=member,
                              json={"description": "the web tier"}))  # fmt: skip
    assert patched["description"] == "the web tier" and patched["name"] == "web"
    boot: dict[str, Any] = {"project_id": pid, "name": "www", "flavor": "SCS-1V-2"}
    boot |= {"image": "debian-12"}
    boot |= {"region": "fr-par-1", "security_groups": ["web"]}
    server = ok(client.post("/v1/servers", headers=member, json=boot), 202)
    view = ok(client.get(f"/v1/servers/{server['id']}", headers=member))
    assert view["security_groups"] == ["web"]
    joined = client.post(f"/v1/servers/{server['id']}/security-groups", headers=member,
                         json={"security_group": "default"})  # fmt: skip
    assert joined.status_code == 204
    view = ok(client.get(f"/v1/servers/{server['id']}", headers=member))
    assert view["security_groups"] == ["default", "web"]
    other = auth(world.b.tokens["customer-member"])
    assert client.get(f"/v1/security-groups/{web['id']}", headers=other).status_code == 404
    assert client.delete(f"/v1/security-groups/{web['id']}", headers=other).status_code == 404
    theirs = ok(client.get("/v1/security-groups", headers=other))["items"]
    assert web["id"] not in {g["id"] for g in theirs}
    left = client.delete(f"/v1/servers/{server['id']}/security-groups/web", headers=member)
    assert left.status_code == 204
    assert (
        client.delete(f"/v1/security-group-rules/{rule['id']}", headers=member).status_code == 204
    )
    assert client.delete(f"/v1/security-groups/{web['id']}", headers=member).status_code == 204
    paged = ok(client.get(f"/v1/security-groups?project_id={pid}&limit=1", headers=member))
    assert len(paged["items"]) == 1 and paged["next_marker"] == paged["items"][0]["id"]
