from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, create_server, ok


def test_server_goes_from_build_to_active(client: TestClient, container: App, world: World) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)
    assert server["status"] == "BUILD"
    container.reconciler.run_once()
    shown = ok(client.get(f"/v1/servers/{server['id']}", headers=auth(token)))
    assert shown["status"] == "ACTIVE"
