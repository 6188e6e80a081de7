"""Nova's os-quota-sets: a project's quotas, with what is in use, and the defaults; the
same numbers as /v1; another project's is not found."""

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok
from tests.integration.test_openstack_face import boot, h, keystone

QS = "/compute/v2.1/os-quota-sets"


def test_quota_sets_read_the_projects_quotas(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    partner = auth(world.a.tokens["partner-admin"])
    project = f"/v1/projects/{world.a.project_id}"
    ok(client.patch(project, headers=partner, json={"quota_cores": 12}))
    assert boot(client, token).status_code == 202
    qs = ok(client.get(f"{QS}/{world.a.project_id}", headers=h(token)))["quota_set"]
    assert (qs["id"], qs["cores"], qs["instances"], qs["ram"]) == (
        world.a.project_id,
        12,
        20,
        102400,
    )
    assert {"key_pairs", "server_groups", "security_groups", "floating_ips"} <= set(qs)
    detail = ok(client.get(f"{QS}/{world.a.project_id}/detail", headers=h(token)))["quota_set"]
    assert detail["cores"] == {"limit": 12, "in_use": 1, "reserved": 0}
    assert detail["instances"] == {"limit": 20, "in_use": 1, "reserved": 0}
    mine = ok(
        client.get(
            f"/v1/projects/{world.a.project_id}/quotas",
            headers=auth(world.a.tokens["customer-member"]),
        )
    )
    assert mine["cores"]["in_use"] == detail["cores"]["in_use"]
    defaults = ok(client.get(f"{QS}/{world.a.project_id}/defaults", headers=h(token)))["quota_set"]
    assert defaults["cores"] == 40 and defaults["instances"] == 20
    for path in ("", "/detail", "/defaults"):
        other = client.get(f"{QS}/{world.b.project_id}{path}", headers=h(token))
        assert other.status_code == 404 and other.json()["itemNotFound"]["code"] == 404
