"""Nova's multiple create: min_count and max_count, names ``name-N``, one reservation id
that lists them, as many as fit between min and max, none when fewer than min fit."""

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok
from tests.integration.test_openstack_face import boot, h, keystone

V21 = "/compute/v2.1"


def names(client: TestClient, token: str, **params: str) -> list[str]:
    listed = ok(client.get(f"{V21}/servers", headers=h(token), params=params))["servers"]
    return sorted(s["name"] for s in listed)


def test_several_servers_in_one_request(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    three = boot(client, token, "web", min_count=3, max_count=3)
    assert three.status_code == 202, three.text
    assert three.json()["server"]["id"]
    assert names(client, token) == ["web-1", "web-2", "web-3"]
    asked = boot(client, token, "job", max_count=2, return_reservation_id=True)
    reservation = asked.json()["reservation_id"]
    assert asked.status_code == 202 and reservation.startswith("r-")
    assert names(client, token, reservation_id=reservation) == ["job-1", "job-2"]
    for bad in ({"min_count": 0}, {"min_count": 3, "max_count": 2}, {"max_count": 101},
                {"max_count": "many"}):  # fmt: skip
        assert boot(client, token, "bad", **bad).status_code == 400


def test_as_many_as_the_quota_lets_between_min_and_max(client: TestClient, world: World) -> None:
    partner = auth(world.a.tokens["partner-admin"])
    project = f"/v1/projects/{world.a.project_id}"
    ok(client.patch(project, headers=partner, json={"quota_instances": 4}))
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    some = boot(client, token, "batch", min_count=2, max_count=6)
    assert some.status_code == 202, some.text
    assert names(client, token) == ["batch-1", "batch-2", "batch-3", "batch-4"]
    refused = boot(client, token, "more", min_count=1, max_count=3)
    assert refused.status_code == 403 and "quota" in refused.text.lower()
    assert len(names(client, token)) == 4  # nothing half made
