"""The openstack driver when the remote cloud cannot be reached: retried with backoff,
then the server is left as it is (not ERROR) for a later pass to retry."""

from pathlib import Path

import openstack.config
import openstack.connection
import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.compute.drivers.base import DriverUnavailable, VmSpec
from andromede.compute.drivers.openstack import OpenStackDriver
from tests.integration.builders import World, create_server, ok

CLOUDS = """clouds:
  nowhere:
    auth:
      auth_url: http://127.0.0.1:9/identity
      username: u
      password: p
      project_name: production
      user_domain_name: Default
      project_domain_name: Default
    region_name: fr-rns-1
"""


def unreachable(tmp_path: Path, sleeps: list[float]) -> OpenStackDriver:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS, encoding="utf-8")

    def connect() -> object:
        config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
        return openstack.connection.Connection(config=config.get_one(cloud="nowhere"))

    return OpenStackDriver(connect, attempts=3, backoff=0.25, sleep=sleeps.append)


def test_a_lost_cloud_is_retried_with_backoff(tmp_path: Path) -> None:
    sleeps: list[float] = []
    driver = unreachable(tmp_path, sleeps)
    spec = VmSpec("s-1", "vm", "", 1, 2048, 0, "img", flavor="SCS-1V-2", image="debian-12")
    with pytest.raises(DriverUnavailable, match="unreachable"):
        driver.create(spec)
    assert sleeps == [0.25, 0.5]  # doubling, between the three attempts


def test_the_reconciler_leaves_the_server_in_build_meanwhile(
    client: TestClient, container: App, world: World, tmp_path: Path
) -> None:
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    container.reconciler.driver_for = lambda region: unreachable(tmp_path, [])
    assert container.reconciler.run_once() == 0
    shown = ok(
        client.get(
            f"/v1/servers/{server['id']}",
            headers={"Authorization": f"Bearer {world.a.tokens['customer-member']}"},
        )
    )
    assert shown["status"] == "BUILD" and shown["fault"] is None
