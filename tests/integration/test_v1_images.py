"""/v1 own images on both databases: the same service as Glance's (create, upload,
download, delete), problem+json for bad input, another tenant's image a 404, staff
without a grant see none."""

import hashlib
import os

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok


def test_own_images_on_the_native_api(client: TestClient, world: World) -> None:
    member = auth(world.a.tokens["customer-member"])
    pid = world.a.project_id
    body = {"name": "golden", "disk_format": "raw", "properties": {"os_distro": "debian"}}
    made = ok(client.post(f"/v1/projects/{pid}/images", headers=member, json=body), 201)
    assert (made["status"], made["project_id"], made["visibility"]) == ("queued", pid, "private")
    data = os.urandom(200_000)
    octets = member | {"Content-Type": "application/octet-stream"}
    assert (
        client.put(f"/v1/images/{made['id']}/file", headers=octets, content=data).status_code == 204
    )
    listed = ok(client.get(f"/v1/projects/{pid}/images", headers=member))["items"]
    mine = next(i for i in listed if i["id"] == made["id"])
    assert mine["status"] == "active" and mine["size"] == len(data)
    assert mine["sha512"] == hashlib.sha512(data).hexdigest()
    assert any(i["project_id"] is None for i in listed)  # the catalog's, bootable too
    got = client.get(f"/v1/images/{made['id']}/file", headers=member)
    assert got.status_code == 200 and got.content == data
    floppy = {"name": "x", "disk_format": "floppy"}
    bad = client.post(f"/v1/projects/{pid}/images", headers=member, json=floppy)
    assert bad.status_code == 400 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    other = auth(world.b.tokens["customer-member"])
    assert client.get(f"/v1/images/{made['id']}/file", headers=other).status_code == 404
    assert client.delete(f"/v1/images/{made['id']}", headers=other).status_code == 404
    assert client.get(f"/v1/projects/{pid}/images", headers=other).status_code == 404
    assert (
        client.get(f"/v1/images/{made['id']}/file", headers=auth(world.support)).status_code == 404
    )
    assert client.delete(f"/v1/images/{made['id']}", headers=member).status_code == 204
    assert client.get(f"/v1/images/{made['id']}/file", headers=member).status_code == 404


def test_an_image_in_a_region_the_policy_allows(client: TestClient, world: World) -> None:
    """A customer names where its image's bytes live; a region its residency policy
    forbids is refused as a server there would be, and nothing is made."""
    admin = auth(world.a.tokens["customer-admin"])
    body = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    ok(client.post("/v1/policies", headers=admin, json=body), 201)
    member = auth(world.a.tokens["customer-member"])
    url = f"/v1/projects/{world.a.project_id}/images"
    before = len(ok(client.get(url, headers=member))["items"])
    refused = client.post(url, headers=member, json={"name": "paris", "region": "fr-par-1"})
    assert refused.status_code == 403 and refused.json()["code"] == "policy-violation"
    assert len(ok(client.get(url, headers=member))["items"]) == before
    made = ok(client.post(url, headers=member, json={"name": "rennes", "region": "fr-rns-1"}), 201)
    assert made["region"] == "fr-rns-1"
