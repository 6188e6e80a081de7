"""The console's volumes page through the real app on both databases: a customer admin
makes a volume, extends it and deletes it; a refusal shows the form again with the
reason and changes nothing; a viewer sees the volumes and no form; another customer's
volumes are not shown."""

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok
from tests.integration.console_client import form, sign_in
from tests.integration.test_volumes import storage


def _volumes(client: TestClient, token: str) -> list[dict[str, object]]:
    return list(ok(client.get("/v1/volumes", headers=auth(token)))["items"])


def test_a_customer_admin_manages_volumes_in_the_console(client: TestClient, world: World) -> None:
    storage(client, world)
    sign_in(client, "a-customer-admin")
    made = form(
        client,
        "/console/volumes",
        "/console/volumes",
        {"project_id": world.a.project_id, "name": "archives", "size": "7", "volume_type": "ssd"},
    )
    assert made.status_code == 303, made.text
    page = client.get("/console/volumes").text
    assert "archives" in page and "fr-par-1a" in page and "disponible" in page
    (volume,) = _volumes(client, world.a.tokens["customer-admin"])
    grown = form(
        client, "/console/volumes", f"/console/volumes/{volume['id']}/extend", {"size": "9"}
    )
    assert grown.status_code == 303
    assert _volumes(client, world.a.tokens["customer-admin"])[0]["size_gib"] == 9

    refused = form(
        client,
        "/console/volumes",
        "/console/volumes",
        {"project_id": world.a.project_id, "name": "huge", "size": "99999", "volume_type": "ssd"},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    shrink = form(
        client, "/console/volumes", f"/console/volumes/{volume['id']}/extend", {"size": "2"}
    )
    assert shrink.status_code == 400
    assert len(_volumes(client, world.a.tokens["customer-admin"])) == 1

    other = TestClient(client.app)
    sign_in(other, "b-customer-admin")
    assert "archives" not in other.get("/console/volumes").text
    viewer = TestClient(client.app)
    sign_in(viewer, "a-customer-viewer")
    seen = viewer.get("/console/volumes").text
    assert "archives" in seen and "Créer le volume" not in seen

    gone = form(client, "/console/volumes", f"/console/volumes/{volume['id']}/delete", {})
    assert gone.status_code == 303
    assert _volumes(client, world.a.tokens["customer-admin"]) == []
