"""Every route that can change a placement asks the residency evaluator first.

Two checks. Dynamically: every mutating route of the API (read from the OpenAPI
document, so a new route without an entry here fails the test) is called with the
placement function and the policy evaluator instrumented; whenever a request placed a
server, the evaluator ran in that same request and a decision was recorded. Statically:
the placement function and the host claim are called from one method only, the one that
takes the zones the evaluator allowed.
"""

import ast
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import andromede.sovereignty.service as sovereignty_service
from andromede.bootstrap import App
from andromede.compute import claim_service, server_service
from andromede.compute.placement import place
from andromede.sovereignty.policy import evaluate
from andromede.sovereignty.store import PolicyDecision
from andromede.storage import service as storage_service
from andromede.storage import volume_service
from andromede.storage.pool_placement import place_volume
from tests.integration.builders import PASSWORD, SSH_KEY, World, auth
from tests.integration.test_volumes import storage

Ctx = dict[str, str]
Call = tuple[str, Callable[[Ctx], str], Callable[[Ctx], dict[str, Any] | None]]


def server_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "project_id": ctx["project"],
        "name": "instrumented",
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "region": "fr-par-1",
    }


SPARK_TINY = {
    "engine": "spark",
    "version": "4.0",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-1V-2", "count": 1},
        {"name": "workers", "role": "task", "flavor": "SCS-1V-2", "count": 1},
    ],
}


def fixed(path: str) -> Callable[[Ctx], str]:
    return lambda ctx: path.format(**ctx)


def body(value: dict[str, Any] | None) -> Callable[[Ctx], dict[str, Any] | None]:
    return lambda ctx: value


# (method path) -> (who, concrete path, body). Order matters: the server is created first.
ROUTES: dict[tuple[str, str], Call] = {
    ("POST", "/v1/servers"): ("member", fixed("/v1/servers"), server_body),
    ("POST", "/v1/schedules"): (
        "customer",
        fixed("/v1/schedules"),
        body({"name": "office", "periods": [{"begin": "08:00", "end": "19:00"}]}),
    ),
    ("PATCH", "/v1/schedules/{schedule_id}"): (
        "customer",
        fixed("/v1/schedules/none"),
        body({"enforced": True}),
    ),
    ("DELETE", "/v1/schedules/{schedule_id}"): (
        "customer",
        fixed("/v1/schedules/none"),
        body(None),
    ),
    ("PUT", "/v1/projects/{project_id}/schedule"): (
        "customer",
        fixed("/v1/projects/{project}/schedule"),
        body({"schedule_id": None}),
    ),
    ("PUT", "/v1/servers/{server_id}/tags"): (
        "member",
        fixed("/v1/servers/{server}/tags"),
        body({"tags": ["schedule=office"]}),
    ),
    ("POST", "/v1/environments"): (
        "member",
        fixed("/v1/environments"),
        lambda ctx: {
            "project_id": ctx["project"],
            "name": "env",
            "region": "fr-par-1",
            "members": [{"name": "web", "flavor": "SCS-1V-2", "image": "debian-12"}],
        },
    ),
    ("POST", "/v1/environments/{environment_id}/actions"): (
        "member",
        fixed("/v1/environments/none/actions"),
        body({"action": "retry"}),
    ),
    ("DELETE", "/v1/environments/{environment_id}"): (
        "member",
        fixed("/v1/environments/none"),
        body(None),
    ),
    ("POST", "/v1/cluster-templates"): (
        "admin",
        fixed("/v1/cluster-templates"),
        body({"name": "spark-tiny", "body": SPARK_TINY}),
    ),
    ("DELETE", "/v1/cluster-templates/{template_id}"): (
        "admin",
        fixed("/v1/cluster-templates/spark-tiny"),
        body(None),
    ),
    ("POST", "/v1/price-alignment/imports"): (
        "admin",
        fixed("/v1/price-alignment/imports?region=eu-west-3&rate=0.92&rate_date=2026-10-01"),
        body({"not": "a price list"}),
    ),
    ("PUT", "/v1/price-alignment/pins/{flavor}"): (
        "admin",
        fixed("/v1/price-alignment/pins/SCS-2V-4"),
        body({"instance_type": "c6i.large"}),
    ),
    ("DELETE", "/v1/price-alignment/pins/{flavor}"): (
        "admin",
        fixed("/v1/price-alignment/pins/SCS-2V-4"),
        body(None),
    ),
    ("PUT", "/v1/price-alignment/settings"): (
        "admin",
        fixed("/v1/price-alignment/settings"),
        body({"notice_days": 7}),
    ),
    ("POST", "/v1/price-alignment/proposals"): (
        "admin",
        fixed("/v1/price-alignment/proposals"),
        body({"before": "none", "after": "none"}),
    ),
    ("POST", "/v1/price-alignment/changes"): (
        "admin",
        fixed("/v1/price-alignment/changes"),
        body({"before": "none", "after": "none", "effective_from": "2027-01-01T00:00:00Z"}),
    ),
    ("POST", "/v1/clusters"): (
        "member",
        fixed("/v1/clusters"),
        lambda ctx: {
            "project_id": ctx["project"],
            "name": "etl",
            "region": "fr-par-1",
            "body": SPARK_TINY,
        },
    ),
    ("POST", "/v1/clusters/{cluster_id}/scale"): (
        "member",
        fixed("/v1/clusters/none/scale"),
        body({"groups": {"workers": 2}}),
    ),
    ("DELETE", "/v1/clusters/{cluster_id}"): ("member", fixed("/v1/clusters/none"), body(None)),
    ("POST", "/v1/clusters/{cluster_id}/jobs"): (
        "member",
        fixed("/v1/clusters/none/jobs"),
        body({"file_name": "job.py", "content_base64": "cHJpbnQoMSk="}),
    ),
    ("POST", "/v1/clusters/{cluster_id}/jobs/{job_id}/kill"): (
        "member",
        fixed("/v1/clusters/none/jobs/none/kill"),
        body(None),
    ),
    ("PATCH", "/v1/servers/{server_id}"): (
        "member",
        fixed("/v1/servers/{server}"),
        body({"name": "renamed"}),
    ),
    ("POST", "/v1/servers/{server_id}/actions"): (
        "member",
        fixed("/v1/servers/{server}/actions"),
        body({"action": "stop"}),
    ),
    ("DELETE", "/v1/servers/{server_id}"): ("member", fixed("/v1/servers/{server}"), body(None)),
    ("POST", "/compute/v2.1/servers"): (
        "os",
        fixed("/compute/v2.1/servers"),
        lambda ctx: {
            "server": {"name": "os-vm", "flavorRef": "SCS-1V-2", "imageRef": ctx["image"]}
        },
    ),
    ("PUT", "/compute/v2.1/servers/{server_id}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}"),
        body({"server": {"name": "os-renamed"}}),
    ),
    ("PUT", "/compute/v2.1/servers/{server_id}/metadata"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/metadata"),
        body({"metadata": {"a": "1"}}),
    ),
    ("POST", "/compute/v2.1/servers/{server_id}/metadata"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/metadata"),
        body({"metadata": {"b": "2"}}),
    ),
    ("PUT", "/compute/v2.1/servers/{server_id}/metadata/{key}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/metadata/c"),
        body({"meta": {"c": "3"}}),
    ),
    ("DELETE", "/compute/v2.1/servers/{server_id}/metadata/{key}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/metadata/c"),
        body(None),
    ),
    ("PUT", "/compute/v2.1/servers/{server_id}/tags"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/tags"),
        body({"tags": ["a"]}),
    ),
    ("DELETE", "/compute/v2.1/servers/{server_id}/tags"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/tags"),
        body(None),
    ),
    ("PUT", "/compute/v2.1/servers/{server_id}/tags/{tag}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/tags/b"),
        body(None),
    ),
    ("DELETE", "/compute/v2.1/servers/{server_id}/tags/{tag}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/tags/b"),
        body(None),
    ),
    ("POST", "/compute/v2.1/servers/{server_id}/action"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/action"),
        body({"os-stop": None}),
    ),
    ("DELETE", "/compute/v2.1/servers/{server_id}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}"),
        body(None),
    ),
    ("POST", "/compute/v2.1/os-keypairs"): (
        "os",
        fixed("/compute/v2.1/os-keypairs"),
        body({"keypair": {"name": "os-k", "public_key": SSH_KEY}}),
    ),
    ("DELETE", "/compute/v2.1/os-keypairs/{name}"): (
        "os",
        fixed("/compute/v2.1/os-keypairs/os-k"),
        body(None),
    ),
    ("POST", "/compute/v2.1/os-server-groups"): (
        "os",
        fixed("/compute/v2.1/os-server-groups"),
        body({"server_group": {"name": "os-g", "policies": ["affinity"]}}),
    ),
    ("DELETE", "/compute/v2.1/os-server-groups/{group_id}"): (
        "os",
        fixed("/compute/v2.1/os-server-groups/none"),
        body(None),
    ),
    ("POST", "/identity/v3/auth/tokens"): (
        "anonymous",
        fixed("/identity/v3/auth/tokens"),
        lambda ctx: {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": "a-customer-member", "password": PASSWORD}},
                },
                "scope": {"project": {"id": ctx["project"]}},
            }
        },
    ),
    ("DELETE", "/identity/v3/auth/tokens"): ("os", fixed("/identity/v3/auth/tokens"), body(None)),
    ("POST", "/identity/v3/users/{user_id}/password"): (
        "anonymous",
        fixed("/identity/v3/users/nobody/password"),
        body({"user": {"password": "a new passphrase 2026", "original_password": "wrong"}}),
    ),
    ("POST", "/identity/v3/users/{user_id}/application_credentials"): (
        "os",
        fixed("/identity/v3/users/nobody/application_credentials"),
        body({"application_credential": {"name": "instrumented"}}),
    ),
    ("DELETE", "/identity/v3/users/{user_id}/application_credentials/{cred_id}"): (
        "os",
        fixed("/identity/v3/users/nobody/application_credentials/none"),
        body(None),
    ),
    ("POST", "/v1/users/me/password"): (
        "member",
        fixed("/v1/users/me/password"),
        body({"current_password": "not-it", "new_password": "a new passphrase 2026"}),
    ),
    ("PUT", "/image/v2/images/{image_id}/tags/{tag}"): (
        "os",
        fixed("/image/v2/images/none/tags/t"),
        body(None),
    ),
    ("DELETE", "/image/v2/images/{image_id}/tags/{tag}"): (
        "os",
        fixed("/image/v2/images/none/tags/t"),
        body(None),
    ),
    ("POST", "/image/v2/images"): (
        "os",
        fixed("/image/v2/images"),
        body({"name": "own-image", "disk_format": "raw", "container_format": "bare"}),
    ),
    ("PATCH", "/image/v2/images/{image_id}"): (
        "os",
        fixed("/image/v2/images/none"),
        body({"op": "replace", "path": "/name", "value": "x"}),  # not a patch: refused
    ),
    ("DELETE", "/image/v2/images/{image_id}"): (
        "os",
        fixed("/image/v2/images/none"),
        body(None),
    ),
    ("PUT", "/image/v2/images/{image_id}/file"): (
        "os",
        fixed("/image/v2/images/none/file"),
        body(None),
    ),
    ("POST", "/image/v2/images/{image_id}/actions/deactivate"): (
        "os",
        fixed("/image/v2/images/none/actions/deactivate"),
        body(None),
    ),
    ("POST", "/image/v2/images/{image_id}/actions/reactivate"): (
        "os",
        fixed("/image/v2/images/none/actions/reactivate"),
        body(None),
    ),
    ("POST", "/image/v2/images/{image_id}/members"): (
        "os",
        fixed("/image/v2/images/none/members"),
        body({"member": "p"}),
    ),
    ("PUT", "/image/v2/images/{image_id}/members/{member_id}"): (
        "os",
        fixed("/image/v2/images/none/members/p"),
        body({"status": "accepted"}),
    ),
    ("DELETE", "/image/v2/images/{image_id}/members/{member_id}"): (
        "os",
        fixed("/image/v2/images/none/members/p"),
        body(None),
    ),
    ("POST", "/network/v2.0/security-groups"): (
        "os",
        fixed("/network/v2.0/security-groups"),
        body({"security_group": {"name": "os-sg"}}),
    ),
    ("PUT", "/network/v2.0/security-groups/{group_id}"): (
        "os",
        fixed("/network/v2.0/security-groups/none"),
        body({"security_group": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/security-groups/{group_id}"): (
        "os",
        fixed("/network/v2.0/security-groups/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/security-group-rules"): (
        "os",
        fixed("/network/v2.0/security-group-rules"),
        body({"security_group_rule": {"security_group_id": "none", "direction": "ingress"}}),
    ),
    ("DELETE", "/network/v2.0/security-group-rules/{rule_id}"): (
        "os",
        fixed("/network/v2.0/security-group-rules/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/networks"): (
        "os",
        fixed("/network/v2.0/networks"),
        body({"network": {"name": "os-net"}}),
    ),
    ("PUT", "/network/v2.0/networks/{network_id}"): (
        "os",
        fixed("/network/v2.0/networks/none"),
        body({"network": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/networks/{network_id}"): (
        "os",
        fixed("/network/v2.0/networks/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/subnets"): (
        "os",
        fixed("/network/v2.0/subnets"),
        body({"subnet": {"network_id": "none", "cidr": "10.9.0.0/24"}}),
    ),
    ("PUT", "/network/v2.0/subnets/{subnet_id}"): (
        "os",
        fixed("/network/v2.0/subnets/none"),
        body({"subnet": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/subnets/{subnet_id}"): (
        "os",
        fixed("/network/v2.0/subnets/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/ports"): (
        "os",
        fixed("/network/v2.0/ports"),
        body({"port": {"network_id": "none"}}),
    ),
    ("PUT", "/network/v2.0/ports/{port_id}"): (
        "os",
        fixed("/network/v2.0/ports/none"),
        body({"port": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/ports/{port_id}"): (
        "os",
        fixed("/network/v2.0/ports/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/routers"): (
        "os",
        fixed("/network/v2.0/routers"),
        body({"router": {"name": "os-router"}}),
    ),
    ("PUT", "/network/v2.0/routers/{router_id}"): (
        "os",
        fixed("/network/v2.0/routers/none"),
        body({"router": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/routers/{router_id}"): (
        "os",
        fixed("/network/v2.0/routers/none"),
        body(None),
    ),
    ("PUT", "/network/v2.0/routers/{router_id}/add_router_interface"): (
        "os",
        fixed("/network/v2.0/routers/none/add_router_interface"),
        body({"subnet_id": "none"}),
    ),
    ("PUT", "/network/v2.0/routers/{router_id}/remove_router_interface"): (
        "os",
        fixed("/network/v2.0/routers/none/remove_router_interface"),
        body({"subnet_id": "none"}),
    ),
    ("POST", "/network/v2.0/subnetpools"): (
        "os",
        fixed("/network/v2.0/subnetpools"),
        body({"subnetpool": {"name": "p", "prefixes": ["1.0.0.0/16"]}}),
    ),
    ("PUT", "/network/v2.0/subnetpools/{pool_id}"): (
        "os",
        fixed("/network/v2.0/subnetpools/none"),
        body({"subnetpool": {"name": "x"}}),
    ),
    ("DELETE", "/network/v2.0/subnetpools/{pool_id}"): (
        "os",
        fixed("/network/v2.0/subnetpools/none"),
        body(None),
    ),
    ("POST", "/v1/networks"): (
        "member",
        fixed("/v1/networks"),
        lambda ctx: {"project_id": ctx["project"], "name": "v1-net"},
    ),
    ("PATCH", "/v1/networks/{network_id}"): (
        "member",
        fixed("/v1/networks/none"),
        body({"name": "x"}),
    ),
    ("DELETE", "/v1/networks/{network_id}"): (
        "member",
        fixed("/v1/networks/none"),
        body(None),
    ),
    ("POST", "/v1/networks/{network_id}/subnets"): (
        "member",
        fixed("/v1/networks/none/subnets"),
        body({"cidr": "10.9.0.0/24"}),
    ),
    ("PATCH", "/v1/subnets/{subnet_id}"): (
        "member",
        fixed("/v1/subnets/none"),
        body({"name": "x"}),
    ),
    ("DELETE", "/v1/subnets/{subnet_id}"): (
        "member",
        fixed("/v1/subnets/none"),
        body(None),
    ),
    ("POST", "/v1/ports"): (
        "member",
        fixed("/v1/ports"),
        lambda ctx: {"project_id": ctx["project"], "network_id": "none"},
    ),
    ("DELETE", "/v1/ports/{port_id}"): (
        "member",
        fixed("/v1/ports/none"),
        body(None),
    ),
    ("POST", "/v1/routers"): (
        "member",
        fixed("/v1/routers"),
        lambda ctx: {"project_id": ctx["project"], "name": "v1-router"},
    ),
    ("PATCH", "/v1/routers/{router_id}"): (
        "member",
        fixed("/v1/routers/none"),
        body({"name": "x"}),
    ),
    ("DELETE", "/v1/routers/{router_id}"): (
        "member",
        fixed("/v1/routers/none"),
        body(None),
    ),
    ("POST", "/v1/routers/{router_id}/interfaces"): (
        "member",
        fixed("/v1/routers/none/interfaces"),
        body({"subnet_id": "none"}),
    ),
    ("DELETE", "/v1/routers/{router_id}/interfaces/{port_id}"): (
        "member",
        fixed("/v1/routers/none/interfaces/none"),
        body(None),
    ),
    ("POST", "/v1/subnet-pools"): (
        "member",
        fixed("/v1/subnet-pools"),
        lambda ctx: {"project_id": ctx["project"], "name": "p", "prefixes": ["1.0.0.0/16"]},
    ),
    ("DELETE", "/v1/subnet-pools/{pool_id}"): (
        "member",
        fixed("/v1/subnet-pools/none"),
        body(None),
    ),
    ("POST", "/v1/floating-ips"): (
        "member",
        fixed("/v1/floating-ips"),
        lambda ctx: {"project_id": ctx["project"], "network_id": "none"},
    ),
    ("PATCH", "/v1/floating-ips/{floating_id}"): (
        "member",
        fixed("/v1/floating-ips/none"),
        body({"port_id": None}),
    ),
    ("DELETE", "/v1/floating-ips/{floating_id}"): (
        "member",
        fixed("/v1/floating-ips/none"),
        body(None),
    ),
    ("POST", "/network/v2.0/floatingips"): (
        "os",
        fixed("/network/v2.0/floatingips"),
        body({"floatingip": {"floating_network_id": "none"}}),
    ),
    ("PUT", "/network/v2.0/floatingips/{floating_id}"): (
        "os",
        fixed("/network/v2.0/floatingips/none"),
        body({"floatingip": {"port_id": None}}),
    ),
    ("DELETE", "/network/v2.0/floatingips/{floating_id}"): (
        "os",
        fixed("/network/v2.0/floatingips/none"),
        body(None),
    ),
    ("POST", "/v1/servers/{server_id}/snapshots"): (
        "member",
        fixed("/v1/servers/none/snapshots"),
        body({"name": "snap"}),
    ),
    ("DELETE", "/compute/v2.1/images/{image_id}"): (
        "os",
        fixed("/compute/v2.1/images/none"),
        body(None),
    ),
    ("POST", "/v1/security-groups"): (
        "member",
        fixed("/v1/security-groups"),
        lambda ctx: {"project_id": ctx["project"], "name": "v1-sg"},
    ),
    ("PATCH", "/v1/security-groups/{group_id}"): (
        "member",
        fixed("/v1/security-groups/none"),
        body({"name": "x"}),
    ),
    ("DELETE", "/v1/security-groups/{group_id}"): (
        "member",
        fixed("/v1/security-groups/none"),
        body(None),
    ),
    ("POST", "/v1/security-groups/{group_id}/rules"): (
        "member",
        fixed("/v1/security-groups/none/rules"),
        body({"direction": "ingress"}),
    ),
    ("DELETE", "/v1/security-group-rules/{rule_id}"): (
        "member",
        fixed("/v1/security-group-rules/none"),
        body(None),
    ),
    ("POST", "/v1/servers/{server_id}/security-groups"): (
        "member",
        fixed("/v1/servers/{server}/security-groups"),
        body({"security_group": "default"}),
    ),
    ("DELETE", "/v1/servers/{server_id}/security-groups/{group}"): (
        "member",
        fixed("/v1/servers/{server}/security-groups/default"),
        body(None),
    ),
    ("POST", "/v1/projects/{project_id}/images"): (
        "member",
        fixed("/v1/projects/{project}/images"),
        body({"name": "v1-image"}),
    ),
    ("PUT", "/v1/images/{image_id}/file"): ("member", fixed("/v1/images/none/file"), body(None)),
    ("DELETE", "/v1/images/{image_id}"): ("member", fixed("/v1/images/none"), body(None)),
    ("POST", "/v1/keypairs"): (
        "member",
        fixed("/v1/keypairs"),
        lambda ctx: {"project_id": ctx["project"], "name": "k", "public_key": SSH_KEY},
    ),
    ("DELETE", "/v1/keypairs/{keypair_id}"): ("member", fixed("/v1/keypairs/none"), body(None)),
    ("POST", "/v1/server-groups"): (
        "member",
        fixed("/v1/server-groups"),
        lambda ctx: {"project_id": ctx["project"], "name": "g", "policy": "affinity"},
    ),
    ("DELETE", "/v1/server-groups/{group_id}"): (
        "member",
        fixed("/v1/server-groups/none"),
        body(None),
    ),
    ("POST", "/v1/tokens"): (
        "anonymous",
        fixed("/v1/tokens"),
        body({"username": "x", "password": "y"}),
    ),
    ("POST", "/v1/users/me/mfa"): ("member", fixed("/v1/users/me/mfa"), body({})),
    ("POST", "/v1/users/me/mfa/activate"): (
        "member",
        fixed("/v1/users/me/mfa/activate"),
        body({"code": "000000"}),
    ),
    ("POST", "/v1/signup"): ("anonymous", fixed("/v1/signup"), body({})),
    ("POST", "/v1/partners"): ("admin", fixed("/v1/partners"), body({})),
    ("PATCH", "/v1/partners/{partner_id}"): ("admin", fixed("/v1/partners/none"), body({})),
    ("POST", "/v1/customers"): ("partner", fixed("/v1/customers"), body({})),
    ("PATCH", "/v1/customers/{customer_id}"): (
        "partner",
        fixed("/v1/customers/{customer}"),
        body({"name": "Renamed"}),
    ),
    ("DELETE", "/v1/customers/{customer_id}"): ("partner", fixed("/v1/customers/none"), body(None)),
    ("POST", "/v1/projects"): (
        "partner",
        fixed("/v1/projects"),
        lambda ctx: {"customer_id": ctx["customer"], "name": "p2"},
    ),
    ("PATCH", "/v1/projects/{project_id}"): (
        "partner",
        fixed("/v1/projects/{project}"),
        body({"quota_instances": 30}),
    ),
    ("DELETE", "/v1/projects/{project_id}"): ("partner", fixed("/v1/projects/none"), body(None)),
    ("POST", "/v1/users"): ("partner", fixed("/v1/users"), body({})),
    ("PATCH", "/v1/users/{user_id}"): ("partner", fixed("/v1/users/none"), body({})),
    ("DELETE", "/v1/users/{user_id}"): ("partner", fixed("/v1/users/none"), body(None)),
    ("PUT", "/v1/users/{user_id}/vetting"): ("admin", fixed("/v1/users/none/vetting"), body({})),
    ("POST", "/v1/regions"): ("admin", fixed("/v1/regions"), body({})),
    ("POST", "/v1/zones"): ("admin", fixed("/v1/zones"), body({})),
    ("POST", "/v1/maintenances"): ("admin", fixed("/v1/maintenances"), body({})),
    ("PUT", "/v1/notification-webhook"): ("customer", fixed("/v1/notification-webhook"), body({})),
    ("POST", "/v1/customers/{customer_id}/import"): (
        "partner",
        fixed("/v1/customers/{customer}/import"),
        body({"format": "other"}),
    ),
    ("POST", "/v1/subprocessors"): ("admin", fixed("/v1/subprocessors"), body({})),
    ("POST", "/v1/legal-changes"): ("admin", fixed("/v1/legal-changes"), body({})),
    ("POST", "/v1/government-requests"): ("admin", fixed("/v1/government-requests"), body({})),
    ("POST", "/v1/hosts"): ("admin", fixed("/v1/hosts"), body({})),
    ("PATCH", "/v1/hosts/{ref}"): ("admin", fixed("/v1/hosts/none"), body({"enabled": False})),
    ("POST", "/v1/flavors"): ("admin", fixed("/v1/flavors"), body({})),
    ("POST", "/v1/volume-types"): ("admin", fixed("/v1/volume-types"), body({})),
    ("POST", "/v1/storage-pools"): ("admin", fixed("/v1/storage-pools"), body({})),
    ("PATCH", "/v1/storage-pools/{ref}"): (
        "admin",
        fixed("/v1/storage-pools/none"),
        body({"enabled": False}),
    ),
    ("POST", "/v1/volumes"): (
        "member",
        fixed("/v1/volumes"),
        lambda ctx: {"project_id": ctx["project"], "size_gib": 1},
    ),
    ("PATCH", "/v1/volumes/{volume_id}"): ("member", fixed("/v1/volumes/none"), body({})),
    ("POST", "/v1/volumes/{volume_id}/extend"): (
        "member",
        fixed("/v1/volumes/none/extend"),
        body({"size_gib": 2}),
    ),
    ("POST", "/v1/volumes/{volume_id}/retype"): (
        "member",
        fixed("/v1/volumes/none/retype"),
        body({"volume_type": "ssd"}),
    ),
    ("POST", "/v1/volumes/{volume_id}/transfer"): (
        "member",
        fixed("/v1/volumes/none/transfer"),
        lambda ctx: {"project_id": ctx["project"]},
    ),
    ("DELETE", "/v1/volumes/{volume_id}"): ("member", fixed("/v1/volumes/none"), body(None)),
    ("POST", "/v1/volumes/{volume_id}/image"): (
        "member",
        fixed("/v1/volumes/none/image"),
        body({"name": "copy"}),
    ),
    ("POST", "/v1/volume-snapshots"): (
        "member",
        fixed("/v1/volume-snapshots"),
        body({"volume_id": "none"}),
    ),
    ("DELETE", "/v1/volume-snapshots/{snapshot_id}"): (
        "member",
        fixed("/v1/volume-snapshots/none"),
        body(None),
    ),
    ("POST", "/v1/volume-backups"): (
        "member",
        fixed("/v1/volume-backups"),
        body({"volume_id": "none"}),
    ),
    ("POST", "/v1/volume-backups/{backup_id}/restore"): (
        "member",
        fixed("/v1/volume-backups/none/restore"),
        body({}),
    ),
    ("DELETE", "/v1/volume-backups/{backup_id}"): (
        "member",
        fixed("/v1/volume-backups/none"),
        body(None),
    ),
    ("POST", "/v1/servers/{server_id}/volumes"): (
        "member",
        fixed("/v1/servers/{server}/volumes"),
        body({"volume_id": "none"}),
    ),
    ("DELETE", "/v1/servers/{server_id}/volumes/{volume_id}"): (
        "member",
        fixed("/v1/servers/{server}/volumes/none"),
        body(None),
    ),
    ("PUT", "/v1/projects/{project_id}/storage-quotas"): (
        "admin",
        fixed("/v1/projects/{project}/storage-quotas"),
        body({"volumes": 5}),
    ),
    ("POST", "/compute/v2.1/servers/{server_id}/os-volume_attachments"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/os-volume_attachments"),
        body({"volumeAttachment": {"volumeId": "00000000-0000-4000-8000-000000000000"}}),
    ),
    ("DELETE", "/compute/v2.1/servers/{server_id}/os-volume_attachments/{volume_id}"): (
        "os",
        fixed("/compute/v2.1/servers/{os_server}/os-volume_attachments/none"),
        body(None),
    ),
    ("POST", "/block-storage/v3/volumes"): (
        "os",
        fixed("/block-storage/v3/volumes"),
        body({"volume": {"size": 1}}),
    ),
    ("PUT", "/block-storage/v3/volumes/{volume_id}"): (
        "os",
        fixed("/block-storage/v3/volumes/none"),
        body({"volume": {"name": "renamed"}}),
    ),
    ("POST", "/block-storage/v3/volumes/{volume_id}/action"): (
        "os",
        fixed("/block-storage/v3/volumes/none/action"),
        body({"os-extend": {"new_size": 2}}),
    ),
    ("DELETE", "/block-storage/v3/volumes/{volume_id}"): (
        "os",
        fixed("/block-storage/v3/volumes/none"),
        body(None),
    ),
    ("POST", "/block-storage/v3/snapshots"): (
        "os",
        fixed("/block-storage/v3/snapshots"),
        body({"snapshot": {"volume_id": "none"}}),
    ),
    ("PUT", "/block-storage/v3/snapshots/{snapshot_id}"): (
        "os",
        fixed("/block-storage/v3/snapshots/none"),
        body({"snapshot": {"name": "renamed"}}),
    ),
    ("DELETE", "/block-storage/v3/snapshots/{snapshot_id}"): (
        "os",
        fixed("/block-storage/v3/snapshots/none"),
        body(None),
    ),
    ("POST", "/block-storage/v3/backups"): (
        "os",
        fixed("/block-storage/v3/backups"),
        body({"backup": {"volume_id": "none"}}),
    ),
    ("POST", "/block-storage/v3/backups/{backup_id}/restore"): (
        "os",
        fixed("/block-storage/v3/backups/none/restore"),
        body({"restore": {}}),
    ),
    ("DELETE", "/block-storage/v3/backups/{backup_id}"): (
        "os",
        fixed("/block-storage/v3/backups/none"),
        body(None),
    ),
    ("POST", "/block-storage/v3/volumes/{obj_id}/metadata"): (
        "os",
        fixed("/block-storage/v3/volumes/none/metadata"),
        body({"metadata": {"k": "v"}}),
    ),
    ("PUT", "/block-storage/v3/volumes/{obj_id}/metadata"): (
        "os",
        fixed("/block-storage/v3/volumes/none/metadata"),
        body({"metadata": {"k": "v"}}),
    ),
    ("PUT", "/block-storage/v3/volumes/{obj_id}/metadata/{key}"): (
        "os",
        fixed("/block-storage/v3/volumes/none/metadata/k"),
        body({"meta": {"k": "v"}}),
    ),
    ("DELETE", "/block-storage/v3/volumes/{obj_id}/metadata/{key}"): (
        "os",
        fixed("/block-storage/v3/volumes/none/metadata/k"),
        body(None),
    ),
    ("POST", "/block-storage/v3/snapshots/{obj_id}/metadata"): (
        "os",
        fixed("/block-storage/v3/snapshots/none/metadata"),
        body({"metadata": {"k": "v"}}),
    ),
    ("PUT", "/block-storage/v3/snapshots/{obj_id}/metadata"): (
        "os",
        fixed("/block-storage/v3/snapshots/none/metadata"),
        body({"metadata": {"k": "v"}}),
    ),
    ("PUT", "/block-storage/v3/snapshots/{obj_id}/metadata/{key}"): (
        "os",
        fixed("/block-storage/v3/snapshots/none/metadata/k"),
        body({"meta": {"k": "v"}}),
    ),
    ("DELETE", "/block-storage/v3/snapshots/{obj_id}/metadata/{key}"): (
        "os",
        fixed("/block-storage/v3/snapshots/none/metadata/k"),
        body(None),
    ),
    ("POST", "/v1/images"): ("admin", fixed("/v1/images"), body({})),
    ("POST", "/v1/prices"): ("admin", fixed("/v1/prices"), body({})),
    ("POST", "/v1/price-changes"): ("admin", fixed("/v1/price-changes"), body({})),
    ("POST", "/v1/credit-notes"): ("admin", fixed("/v1/credit-notes"), body({})),
    ("POST", "/v1/invoices/{invoice_id}/payments"): (
        "admin",
        fixed("/v1/invoices/none/payments"),
        body({"amount": "1.00"}),
    ),
    ("POST", "/v1/partners/{partner_id}/billing-mandate"): (
        "partner",
        fixed("/v1/partners/none/billing-mandate"),
        body({}),
    ),
    ("POST", "/v1/reservations"): (
        "customer",
        fixed("/v1/reservations"),
        body({"flavor": "SCS-1V-2", "region": "fr-par-1", "term": "1y", "payment": "no-upfront"}),
    ),
    ("POST", "/v1/commitments"): (
        "customer",
        fixed("/v1/commitments"),
        body({"amount": "10.00", "months": 1}),
    ),
    ("POST", "/v1/policies"): (
        "customer",
        fixed("/v1/policies"),
        lambda ctx: {"scope_type": "customer", "scope_id": ctx["customer"], "allow": ["in:fr"]},
    ),
    ("POST", "/v1/access-requests"): ("admin", fixed("/v1/access-requests"), body({})),
    ("POST", "/v1/supervisions"): ("admin", fixed("/v1/supervisions"), body({})),
    ("POST", "/v1/supervisions/{supervision_id}/end"): (
        "admin",
        fixed("/v1/supervisions/none/end"),
        body(None),
    ),
    ("POST", "/v1/access-requests/{request_id}/approve"): (
        "customer",
        fixed("/v1/access-requests/none/approve"),
        body(None),
    ),
    ("POST", "/v1/access-requests/{request_id}/deny"): (
        "customer",
        fixed("/v1/access-requests/none/deny"),
        body(None),
    ),
    ("POST", "/v1/access-requests/{request_id}/revoke"): (
        "customer",
        fixed("/v1/access-requests/none/revoke"),
        body(None),
    ),
    ("POST", "/v1/customers/{customer_id}/reinstate"): (
        "customer",
        fixed("/v1/customers/{customer}/reinstate"),
        body(None),
    ),
    ("POST", "/v1/customers/{customer_id}/erase"): (
        "admin",
        fixed("/v1/customers/{customer}/erase"),
        body(None),
    ),
    ("POST", "/v1/customers/{customer_id}/terminate"): (
        "customer",
        fixed("/v1/customers/{customer}/terminate"),
        body(None),
    ),
    ("DELETE", "/v1/tokens/current"): ("member", fixed("/v1/tokens/current"), body(None)),
}


def mutating_routes(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/v1/openapi.json").json()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method not in ("get", "head")
    }


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"place": 0, "evaluate": 0}

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(claim_service, "place", spy("place", place))
    monkeypatch.setattr(storage_service, "place_volume", spy("place", place_volume))
    monkeypatch.setattr(sovereignty_service, "evaluate", spy("evaluate", evaluate))
    return counts


def decisions(container: App) -> int:
    with container.uow(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(PolicyDecision)) or 0)


def test_every_placing_route_evaluates_residency_first(
    client: TestClient, container: App, world: World, counters: dict[str, int]
) -> None:
    assert mutating_routes(client) == set(ROUTES), "a new mutating route needs an entry here"
    storage(client, world)  # volumes are placed too, on pools
    tokens = {
        "admin": world.admin,
        "partner": world.a.tokens["partner-admin"],
        "customer": world.a.tokens["customer-admin"],
        "member": world.a.tokens["customer-member"],
    }
    tokens["os"] = client.post(
        "/identity/v3/auth/tokens",
        json=ROUTES[("POST", "/identity/v3/auth/tokens")][2]({"project": world.a.project_id}),
    ).headers["X-Subject-Token"]
    images = client.get("/image/v2/images", headers={"X-Auth-Token": tokens["os"]}).json()
    ctx = {
        "project": world.a.project_id,
        "customer": world.a.customer_id,
        "image": images["images"][0]["id"],
    }
    placing = []
    for (method, template), (who, path, make_body) in ROUTES.items():
        counters.update(place=0, evaluate=0)
        recorded = decisions(container)
        headers = {} if who == "anonymous" else auth(tokens[who])
        if who == "os":
            headers = {"X-Auth-Token": tokens["os"]}
        response = client.request(
            method,
            path(ctx),
            headers=headers,
            json=make_body(ctx) if make_body(ctx) is not None else None,
        )
        assert response.status_code < 500, (method, template, response.text)
        if template in ("/v1/servers", "/compute/v2.1/servers") and method == "POST":
            created = response.json()
            ctx["server" if template == "/v1/servers" else "os_server"] = (
                created.get("id") or created["server"]["id"]
            )
            while container.reconciler.run_once():
                pass
        if counters["place"]:
            placing.append((method, template))
            assert counters["evaluate"] > 0, (method, template)
            assert decisions(container) > recorded, (method, template)
    # the instruments do see placements, on both faces
    assert {
        ("POST", "/v1/servers"),
        ("POST", "/compute/v2.1/servers"),
        ("POST", "/v1/environments"),
        ("POST", "/v1/clusters"),
        ("POST", "/v1/volumes"),
        ("POST", "/block-storage/v3/volumes"),
    } <= set(placing)


def _callers(module: object, names: set[str]) -> dict[str, set[str]]:
    """name called → the functions of ``module`` that call it."""
    found: dict[str, set[str]] = {name: set() for name in names}
    for fn in ast.walk(ast.parse(inspect.getsource(module))):  # type: ignore[arg-type]
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in found:
                    found[name].add(fn.name)
    return found


def test_placement_and_claims_happen_in_one_method_fed_by_the_evaluator() -> None:
    claims = _callers(claim_service, {"place", "claim"})
    assert claims == {"place": {"place_and_claim"}, "claim": {"place_and_claim"}}
    # region_for asks the evaluator too (to pick a region), but never places; the one
    # caller of place_and_claim got the allowed zones from the evaluator
    servers = _callers(server_service, {"place_and_claim", "allowed_zones"})
    assert servers["place_and_claim"] == {"create_server"}
    assert servers["place_and_claim"] <= servers["allowed_zones"]
    pools = _callers(storage_service, {"place_volume"})
    assert pools == {"place_volume": {"place_and_claim"}}
    # a volume's pool: where the evaluator allowed, or (a root volume) in the zone its
    # server was placed in, which the evaluator allowed
    volumes = _callers(volume_service, {"place_and_claim", "allowed_zones"})
    assert volumes["place_and_claim"] - volumes["allowed_zones"] == {"create_root"}
