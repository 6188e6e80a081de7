"""Every application the process builds adds the same route objects, made once when
their modules were imported: included with a prefix instead, each application made its
own copy of each route the first time a request reached it (a fifth of a second for the
first request to the OpenStack face, in every API process and in every test)."""

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from andromede.bootstrap import App
from andromede.console.site import create_site
from tests.integration.builders import World, auth


def test_two_applications_share_their_routes_and_both_answer(container: App, world: World) -> None:
    first, second = create_site(container), create_site(container)
    for site in (first, second):  # no wrapper left to make copies on the first request
        assert all(type(r) in (APIRoute, Route, Mount) for r in site.router.routes)
    shared = {id(r) for r in first.router.routes} & {id(r) for r in second.router.routes}
    paths = {r.path for r in first.router.routes if id(r) in shared and isinstance(r, APIRoute)}
    assert len(shared) > 450
    assert {"/v1/servers", "/compute/v2.1/servers", "/console/login"} <= paths
    with TestClient(second) as client:  # the shared routes answer for the second too
        assert client.get("/v1/health").status_code == 200
        assert client.get("/compute/v2.1/servers").status_code == 401
        h = auth(world.admin)
        assert client.get("/v1/servers", headers=h).status_code == 200
        misspelt = client.get("/v1/servers", headers=h, params={"custmer_id": "x"})
        assert misspelt.status_code == 400 and "custmer_id" in misspelt.text  # /v1's check
