from andromede.sovereignty.egress import EgressGuard


def test_only_this_machine_and_the_registrys_hosts_are_reached() -> None:
    guard = EgressGuard(["192.0.2.7", "DB.Example.FR"])
    assert guard.refusal("127.0.0.1") is None and guard.refusal("::1") is None
    assert guard.refusal("localhost") is None
    assert guard.refusal("192.0.2.7") is None  # declared (its address)
    assert guard.refusal("db.example.fr") is None  # declared (its name)
    assert "not a host of the sink registry" in (guard.refusal("192.0.2.8") or "")
    assert "not a host of the sink registry" in (guard.refusal("telemetry.example.com") or "")
