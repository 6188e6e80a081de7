"""Neutron security groups and rules on both databases: the default group as Neutron makes
it, a group opening port 22, Neutron's refusals (400 for a malformed rule, 409 for a twin,
the default group kept, a group in use kept), another project's group not found; Nova's
``security_groups`` on create and its add/remove actions; the driver receives the rules."""

from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.compute.security_rules import Packet, admits
from tests.integration.builders import World, ok, sim
from tests.integration.test_openstack_face import V21, boot, h, keystone

NET = "/network/v2.0"


def _group(client: TestClient, token: str, name: str) -> Any:
    body = {"security_group": {"name": name, "description": f"{name} servers"}}
    return ok(client.post(f"{NET}/security-groups", headers=h(token), json=body), 201)[
        "security_group"
    ]


def _rule(client: TestClient, token: str, group_id: str, **fields: Any) -> Any:
    body = {"security_group_rule": {"security_group_id": group_id, **fields}}
    return client.post(f"{NET}/security-group-rules", headers=h(token), json=body)


SSH = {"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}


def test_the_default_group_as_neutron_makes_it(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    groups = ok(client.get(f"{NET}/security-groups", headers=h(token)))["security_groups"]
    assert [g["name"] for g in groups] == ["default"]
    again = ok(client.get(f"{NET}/security-groups", headers=h(token)))["security_groups"]
    assert [g["id"] for g in again] == [groups[0]["id"]]  # made once
    rules = groups[0]["security_group_rules"]
    assert sorted((r["direction"], r["ethertype"], r["remote_group_id"]) for r in rules) == [
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
        ("ingress", "IPv4", groups[0]["id"]),
        ("ingress", "IPv6", groups[0]["id"]),
    ]
    gid = groups[0]["id"]
    assert client.delete(f"{NET}/security-groups/{gid}", headers=h(token)).status_code == 409
    rename = {"security_group": {"name": "renamed"}}
    assert (
        client.put(f"{NET}/security-groups/{gid}", headers=h(token), json=rename).status_code == 409
    )
    twin = {"security_group": {"name": "default"}}
    assert client.post(f"{NET}/security-groups", headers=h(token), json=twin).status_code == 409


def test_a_group_opening_ssh(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    web = _group(client, token, "web")
    assert {(r["direction"], r["ethertype"]) for r in web["security_group_rules"]} == {
        ("egress", "IPv4"),
        ("egress", "IPv6"),
    }  # a new group admits nothing in
    made = ok(_rule(client, token, web["id"], remote_ip_prefix="0.0.0.0/0", **SSH), 201)
    rule = made["security_group_rule"]
    assert (rule["protocol"], rule["port_range_min"], rule["ethertype"]) == ("tcp", 22, "IPv4")
    assert _rule(client, token, web["id"], remote_ip_prefix="0.0.0.0/0", **SSH).status_code == 409
    shown = ok(client.get(f"{NET}/security-group-rules/{rule['id']}", headers=h(token)))
    assert shown["security_group_rule"]["security_group_id"] == web["id"]
    listed = ok(
        client.get(f"{NET}/security-group-rules?security_group_id={web['id']}", headers=h(token))
    )["security_group_rules"]
    assert len(listed) == 3
    by_name = ok(client.get(f"{NET}/security-groups?name=web", headers=h(token)))
    assert [g["id"] for g in by_name["security_groups"]] == [web["id"]]
    renamed = {"security_group": {"name": "frontend", "description": "the front"}}
    updated = ok(client.put(f"{NET}/security-groups/{web['id']}", headers=h(token), json=renamed))
    assert updated["security_group"]["name"] == "frontend"
    assert (
        client.delete(f"{NET}/security-group-rules/{rule['id']}", headers=h(token)).status_code
        == 204
    )
    assert (
        client.get(f"{NET}/security-group-rules/{rule['id']}", headers=h(token)).status_code == 404
    )


def test_malformed_rules_are_refused_and_change_nothing(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    web = _group(client, token, "web")
    for bad in (
        {"direction": "sideways"},
        {"direction": "ingress", "ethertype": "IPv5"},
        {"direction": "ingress", "protocol": "tcpx"},
        {"direction": "ingress", "protocol": "300"},
        {"direction": "ingress", "port_range_min": 22, "port_range_max": 22},  # no protocol
        {"direction": "ingress", "protocol": "gre", "port_range_min": 22},
        {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 22},
        {"direction": "ingress", "protocol": "tcp", "port_range_min": 0, "port_range_max": 22},
        {"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 70000},
        {"direction": "ingress", "protocol": "tcp", "port_range_min": "x", "port_range_max": 1},
        {"direction": "ingress", "remote_ip_prefix": "::/0"},  # IPv6 prefix, IPv4 rule
        {"direction": "ingress", "ethertype": "IPv6", "remote_ip_prefix": "10.0.0.0/8"},
        {"direction": "ingress", "remote_ip_prefix": "10.0.0.300/8"},
        {"direction": "ingress", "remote_ip_prefix": "10.0.0.0/8", "remote_group_id": web["id"]},
        {"direction": "ingress", "protocol": "icmpv6"},  # ICMPv6 in an IPv4 rule
        {"direction": "ingress", "protocol": "icmp", "port_range_max": 0},  # a code, no type
        {"direction": "ingress", "colour": "blue"},
    ):
        refused = _rule(client, token, web["id"], **bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json()["NeutronError"]["type"] == "BadRequest"
    ghost = _rule(client, token, web["id"], direction="ingress", remote_group_id="nope")
    assert ghost.status_code == 404
    no_group = client.post(
        f"{NET}/security-group-rules", headers=h(token), json={"security_group_rule": {}}
    )
    assert no_group.status_code == 400
    kept = ok(client.get(f"{NET}/security-groups/{web['id']}", headers=h(token)))
    assert len(kept["security_group"]["security_group_rules"]) == 2
    bare = client.post(f"{NET}/security-groups", headers=h(token), json={"name": "x"})
    assert bare.status_code == 400


def test_another_projects_group_is_not_found(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    web = _group(client, token, "web")
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    url = f"{NET}/security-groups/{web['id']}"
    assert client.get(url, headers=h(other)).status_code == 404
    assert client.delete(url, headers=h(other)).status_code == 404
    renamed = {"security_group": {"name": "mine"}}
    assert client.put(url, headers=h(other), json=renamed).status_code == 404
    assert _rule(client, other, web["id"], direction="ingress").status_code == 404
    theirs = ok(client.get(f"{NET}/security-groups", headers=h(other)))["security_groups"]
    assert web["id"] not in {g["id"] for g in theirs}
    rules = ok(client.get(f"{NET}/security-group-rules", headers=h(other)))
    assert web["id"] not in {r["security_group_id"] for r in rules["security_group_rules"]}
    assert ok(client.get(url, headers=h(token)))["security_group"]["name"] == "web"
    viewer = keystone(client, "a-customer-viewer", {"id": world.a.project_id})
    assert _rule(client, viewer, web["id"], direction="ingress").status_code == 403


def test_servers_in_groups_and_their_firewall(
    client: TestClient, world: World, container: App
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    web = _group(client, token, "web")
    ok(_rule(client, token, web["id"], remote_ip_prefix="0.0.0.0/0", **SSH), 201)
    groups = [{"name": "web"}, {"name": "default"}]
    made = boot(client, token, security_groups=groups)
    assert made.status_code == 202, made.text
    sid = made.json()["server"]["id"]
    assert made.json()["server"]["security_groups"] == groups
    shown = ok(client.get(f"{V21}/servers/{sid}", headers=h(token)))["server"]
    assert sorted(g["name"] for g in shown["security_groups"]) == ["default", "web"]
    while container.reconciler.run_once():
        pass
    received = sim(container).firewall(sid)
    assert sorted(len(g.rules) for g in received) == [3, 4]  # web: 2 egress + ssh; default
    firewall = [rule for group in received for rule in group.rules]
    ssh_in = Packet("ingress", "IPv4", 6, 22, "198.51.100.7")
    assert admits(firewall, ssh_in)
    assert not admits(firewall, Packet("ingress", "IPv4", 6, 80, "198.51.100.7"))
    https = {**SSH, "port_range_min": 443, "port_range_max": 443}
    opened = ok(_rule(client, token, web["id"], remote_ip_prefix="0.0.0.0/0", **https), 201)
    https_in = Packet("ingress", "IPv4", 6, 443, "198.51.100.7")
    assert not admits([r for g in sim(container).firewall(sid) for r in g.rules], https_in)
    while container.reconciler.run_once():  # the change reaches the running server
        pass
    assert admits([r for g in sim(container).firewall(sid) for r in g.rules], https_in)
    rule_url = f"{NET}/security-group-rules/{opened['security_group_rule']['id']}"
    assert client.delete(rule_url, headers=h(token)).status_code == 204
    while container.reconciler.run_once():
        pass
    assert not admits([r for g in sim(container).firewall(sid) for r in g.rules], https_in)
    in_use = client.delete(f"{NET}/security-groups/{web['id']}", headers=h(token))
    assert in_use.status_code == 409
    remove = {"removeSecurityGroup": {"name": "web"}}
    act = f"{V21}/servers/{sid}/action"
    assert client.post(act, headers=h(token), json=remove).status_code == 202
    assert client.post(act, headers=h(token), json=remove).status_code == 400  # not in it
    listed = ok(client.get(f"{V21}/servers/detail", headers=h(token)))["servers"]
    assert [g["name"] for g in listed[0]["security_groups"]] == ["default"]
    while container.reconciler.run_once():  # leaving the group closes ssh at once
        pass
    assert not admits([r for g in sim(container).firewall(sid) for r in g.rules], ssh_in)
    add = {"addSecurityGroup": {"name": web["id"]}}
    assert client.post(act, headers=h(token), json=add).status_code == 202
    while container.reconciler.run_once():
        pass
    assert admits([r for g in sim(container).firewall(sid) for r in g.rules], ssh_in)
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.post(act, headers=h(other), json=add).status_code == 404
    unknown = boot(client, token, name="vm2", security_groups=[{"name": "nope"}])
    assert unknown.status_code == 400
    assert client.post(act, headers=h(token), json={"addSecurityGroup": {}}).status_code == 400
    assert len(ok(client.get(f"{V21}/servers", headers=h(token)))["servers"]) == 1
    assert client.delete(f"{V21}/servers/{sid}", headers=h(token)).status_code == 204
    while container.reconciler.run_once():
        pass
    freed = client.delete(f"{NET}/security-groups/{web['id']}", headers=h(token))
    assert freed.status_code == 204  # a deleted server leaves its groups
    assert sim(container).firewall(sid) == []


def test_security_group_quotas(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    for n in range(9):  # with the default group, ten
        _group(client, token, f"g{n}")
    eleventh = client.post(
        f"{NET}/security-groups", headers=h(token), json={"security_group": {"name": "g9"}}
    )
    assert eleventh.status_code == 403 and "security_groups" in eleventh.text
    detail = ok(client.get(f"{V21}/os-quota-sets/{world.a.project_id}/detail", headers=h(token)))
    assert detail["quota_set"]["security_groups"] == {"limit": 10, "in_use": 10, "reserved": 0}
    assert detail["quota_set"]["security_group_rules"]["in_use"] == 4 + 9 * 2
    limits = ok(client.get(f"{V21}/limits", headers=h(token)))["limits"]["absolute"]
    assert limits["totalSecurityGroupsUsed"] == 10 and limits["maxSecurityGroupRules"] == 100
    groups = ok(client.get(f"{NET}/security-groups", headers=h(token)))["security_groups"]
    target = next(g["id"] for g in groups if g["name"] == "g0")
    answers = [
        _rule(client, token, target, direction="ingress", protocol="tcp", port_range_min=1000 + n)
        for n in range(100)
    ]
    made = sum(1 for r in answers if r.status_code == 201)
    assert made == 100 - (4 + 9 * 2)
    assert {r.status_code for r in answers[made:]} == {403}


def test_neutron_quotas_and_extensions(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    assert boot(client, token).status_code == 202
    _group(client, token, "web")
    url = f"{NET}/quotas/{world.a.project_id}"
    quota = ok(client.get(url, headers=h(token)))["quota"]
    assert quota["security_group"] == 10 and quota["floatingip"] == 50
    detail = ok(client.get(f"{url}/details", headers=h(token)))["quota"]
    assert detail["security_group"] == {"limit": 10, "used": 2, "reserved": 0}
    # the server's network: the project's own in its region, made for it
    assert detail["port"]["used"] == 1 and detail["network"]["used"] == 1
    ok(client.get(f"{NET}/networks", headers=h(token)))  # and in each region, on first look
    detail = ok(client.get(f"{url}/details", headers=h(token)))["quota"]
    assert detail["network"] == {"limit": quota["network"], "used": 2, "reserved": 0}  # 2 regions
    assert detail["subnet"]["used"] == 2 and quota["router"] == 10
    assert ok(client.get(f"{url}/default", headers=h(token)))["quota"] == quota
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.get(url, headers=h(other)).status_code == 404
    aliases = {
        e["alias"] for e in ok(client.get(f"{NET}/extensions", headers=h(token)))["extensions"]
    }
    assert {"security-group", "quotas", "router", "extraroute", "subnet_allocation"} <= aliases
