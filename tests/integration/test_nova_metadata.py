"""Nova's server metadata: read, replace, merge, one key at a time, Nova's limits and
bad bodies refused, another project's server not found; the server's view shows it."""

from fastapi.testclient import TestClient

from tests.integration.builders import World, ok
from tests.integration.test_openstack_face import boot, h, keystone

V21 = "/compute/v2.1"


def test_server_metadata_in_nova_shapes(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = boot(client, token, metadata={"role": "web"})
    assert made.status_code == 202, made.text
    sid = made.json()["server"]["id"]
    url = f"{V21}/servers/{sid}/metadata"
    assert ok(client.get(url, headers=h(token))) == {"metadata": {"role": "web"}}
    merged = ok(client.post(url, headers=h(token), json={"metadata": {"tier": "gold"}}))
    assert merged == {"metadata": {"role": "web", "tier": "gold"}}
    replaced = ok(client.put(url, headers=h(token), json={"metadata": {"env": "prod"}}))
    assert replaced == {"metadata": {"env": "prod"}}
    item = ok(client.put(f"{url}/owner", headers=h(token), json={"meta": {"owner": "ops"}}))
    assert item == {"meta": {"owner": "ops"}}
    assert ok(client.get(f"{url}/owner", headers=h(token))) == {"meta": {"owner": "ops"}}
    shown = ok(client.get(f"{V21}/servers/{sid}", headers=h(token)))["server"]
    assert shown["metadata"] == {"env": "prod", "owner": "ops"}  # the view follows at once
    assert client.delete(f"{url}/owner", headers=h(token)).status_code == 204
    assert client.delete(f"{url}/owner", headers=h(token)).status_code == 404
    assert client.get(f"{url}/owner", headers=h(token)).json()["itemNotFound"]["code"] == 404
    for bad_url, body in (
        (url, {"metadata": {"n": 1}}),
        (url, {"metadata": ["x"]}),
        (url, {"metadata": {"": "empty key"}}),
        (url, {"metadata": {f"k{i}": "v" for i in range(129)}}),
        (f"{url}/a", {"meta": {"b": "mismatch"}}),
        (f"{url}/a", {"meta": {"a": "1", "c": "2"}}),
    ):
        refused = client.put(bad_url, headers=h(token), json=body)
        assert refused.status_code == 400, (body, refused.text)
    assert ok(client.get(url, headers=h(token))) == {"metadata": {"env": "prod"}}  # unchanged
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.get(url, headers=h(other)).status_code == 404
    assert client.post(url, headers=h(other), json={"metadata": {"x": "y"}}).status_code == 404
