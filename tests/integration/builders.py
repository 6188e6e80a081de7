"""Builds a small two-partner world through the HTTP API, as a user would."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from stdnum import luhn

from andromede.bootstrap import App
from andromede.compute.drivers.sim import SimDriver
from andromede.tenancy.identity import fr_vat_key
from andromede.tenancy.scope import Actor, Caller, Role

PASSWORD = "correct-horse-battery"
SSH_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGgcoDxUZOXS1nE2c0Kb1H3bGgq2H2qBvL2XG0x7d1lC test@host"
)


def fr_ids(prefix8: str) -> dict[str, str]:
    siren = prefix8 + luhn.calc_check_digit(prefix8)
    return {"siren": siren, "vat_number": f"FR{fr_vat_key(siren)}{siren}", "country": "FR"}


def sim(container: App) -> SimDriver:
    """The simulated hypervisors behind the test app, to look inside them."""
    assert isinstance(container.driver, SimDriver)
    return container.driver


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/v1/tokens", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@dataclass
class Tenant:
    partner_id: str
    customer_id: str
    project_id: str
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    admin: str
    a: Tenant
    b: Tenant
    a2_customer_id: str
    a2_project_id: str
    a2_token: str
    support: str


def add_catalog(
    client: TestClient, admin: str, hosts_per_zone: int = 2, vcpus: int = 16, ram_mib: int = 65536
) -> None:
    h = auth(admin)
    for code, territory in (("fr-par-1", "FR-IDF"), ("fr-rns-1", "FR-BRE")):
        ok(
            client.post(
                "/v1/regions",
                headers=h,
                json={
                    "code": code,
                    "name": code,
                    "country": "FR",
                    "territory": territory,
                    "certifications": ["secnumcloud"],
                },
            ),
            201,
        )
        for letter in "ab":
            ok(
                client.post(
                    "/v1/zones", headers=h, json={"region": code, "code": f"{code}{letter}"}
                ),
                201,
            )
            for n in range(hosts_per_zone):
                ok(
                    client.post(
                        "/v1/hosts",
                        headers=h,
                        json={
                            "name": f"{code}{letter}-hv{n}",
                            "zone": f"{code}{letter}",
                            "vcpus": vcpus,
                            "ram_mib": ram_mib,
                            "disk_gib": 1000,
                            "cpu_ratio": 1.0,
                        },
                    ),
                    201,
                )
    for name, vcpus_f, ram, disk in (
        ("SCS-1V-2", 1, 2048, 0),
        ("SCS-2V-4", 2, 4096, 0),
        ("SCS-2V-4-20s", 2, 4096, 20),
        ("SCS-4V-16", 4, 16384, 0),
    ):
        ok(
            client.post(
                "/v1/flavors",
                headers=h,
                json={"name": name, "vcpus": vcpus_f, "ram_mib": ram, "disk_gib": disk},
            ),
            201,
        )
    ok(
        client.post(
            "/v1/images",
            headers=h,
            json={
                "name": "debian-12",
                "os_distro": "debian",
                "os_version": "12",
                "min_disk_gib": 4,
            },
        ),
        201,
    )


def add_house(client: TestClient, admin: str) -> None:
    """The operator's own partner, under which the direct web channel signs customers up."""
    body = {"name": "House", "kind": "house", "tier": "house", "address": "HQ"}
    ok(client.post("/v1/partners", headers=auth(admin), json={**body, **fr_ids("99887766")}), 201)


def add_partner(client: TestClient, admin: str, name: str, prefix: str, kind: str = "msp") -> str:
    body = {
        "name": name,
        "kind": kind,
        "tier": "gold",
        "address": "1 rue de la Paix, Paris",
        "billing_mandate_accepted_on": "2026-01-05",  # signed with the partner agreement
        **fr_ids(prefix),
    }
    return str(ok(client.post("/v1/partners", headers=auth(admin), json=body), 201)["id"])


def add_customer(client: TestClient, token: str, partner_id: str, name: str, prefix: str) -> str:
    body = {"partner_id": partner_id, "name": name, "address": "2 quai, Rennes", **fr_ids(prefix)}
    return str(ok(client.post("/v1/customers", headers=auth(token), json=body), 201)["id"])


def add_user(client: TestClient, token: str, username: str, role: str, org_id: str | None) -> str:
    body = {"username": username, "password": PASSWORD, "role": role, "org_id": org_id}
    body["person"] = f"{username}@example.test"  # as the operator's staff must, when they make it
    ok(client.post("/v1/users", headers=auth(token), json=body), 201)
    return login(client, username)


def add_project(client: TestClient, token: str, customer_id: str, name: str) -> str:
    body = {"customer_id": customer_id, "name": name}
    return str(ok(client.post("/v1/projects", headers=auth(token), json=body), 201)["id"])


def tenant(client: TestClient, admin: str, tag: str, prefix: int) -> Tenant:
    partner_id = add_partner(client, admin, f"Partner {tag}", f"{prefix}1234567"[:8])
    p_admin = add_user(client, admin, f"{tag}-partner-admin", "partner-admin", partner_id)
    customer_id = add_customer(
        client, p_admin, partner_id, f"Customer {tag}", f"{prefix}2345678"[:8]
    )
    project_id = add_project(client, p_admin, customer_id, "production")
    t = Tenant(partner_id, customer_id, project_id)
    t.tokens["partner-admin"] = p_admin
    t.tokens["partner-user"] = add_user(
        client, p_admin, f"{tag}-partner-user", "partner-user", partner_id
    )
    for role in ("customer-admin", "customer-member", "customer-viewer"):
        t.tokens[role] = add_user(client, p_admin, f"{tag}-{role}", role, customer_id)
    return t


def make_world(client: TestClient, container: App) -> World:
    admin = login(client, "cmartin", container.settings.admin_password)
    add_catalog(client, admin)
    a = tenant(client, admin, "a", 4)
    b = tenant(client, admin, "b", 5)
    a2_customer = add_customer(
        client, a.tokens["partner-admin"], a.partner_id, "Customer A2", "61234567"
    )
    a2_project = add_project(client, a.tokens["partner-admin"], a2_customer, "production")
    a2_token = add_user(
        client, a.tokens["partner-admin"], "a2-admin", "customer-admin", a2_customer
    )
    support = add_user(client, admin, "lbernard", "operator-support", None)
    vet_staff(container, ("cmartin", "lbernard"))
    return World(admin, a, b, a2_customer, a2_project, a2_token, support)


def vet_staff(container: App, usernames: tuple[str, ...], level: str = "enhanced") -> None:
    """Staff use a customer's grant only while vetted (SecNumCloud 7.1.b): the world's
    are, for a year, recorded as the server-side command does."""
    system = Caller(Actor("system", "system:cli", Role.OPERATOR_ADMIN, system=True))
    with container.uow() as session:
        until = container.clock.now() + timedelta(days=365)
        for username in usernames:
            user = container.users.find_by_username(session, username)
            container.users.vet(session, system, user.id, level, until, "FR")


def create_server(
    client: TestClient, token: str, project_id: str, name: str = "vm", **extra: Any
) -> Any:
    body = {
        "project_id": project_id,
        "name": name,
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "region": "fr-par-1",
        **extra,
    }
    return client.post("/v1/servers", headers=auth(token), json=body)


def grant_access(
    client: TestClient,
    staff: str,
    customer_id: str,
    approver: str,
    scope: str = "read",
    minutes: int = 60,
) -> str:
    """Staff ask, the customer's admin approves: returns the request (= grant) id."""
    body = {
        "customer_id": customer_id,
        "scope": scope,
        "reason": "ticket 4242: customer reports a boot loop",
        "duration_minutes": minutes,
        "location": "FR",
    }
    request_id = str(
        ok(client.post("/v1/access-requests", headers=auth(staff), json=body), 201)["id"]
    )
    approved = ok(client.post(f"/v1/access-requests/{request_id}/approve", headers=auth(approver)))
    assert approved["status"] == "approved"
    return request_id
