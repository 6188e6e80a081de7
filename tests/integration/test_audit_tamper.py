"""The tamper suite: every way of rewriting history is detected by `audit verify`."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from andromede.audit import service as audit
from andromede.audit.signing import generate_key
from andromede.audit.signing import verify as check_signature
from andromede.audit.verify import Report, checkpoint_message
from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, create_server

COLUMNS = (
    "id, at, actor, actor_id, on_behalf_of, action, target_type, target_id, "
    "tenant_path, partner_id, customer_id, outcome, request_id, leaf_hash"
)


def raw(container: App, sql: str) -> None:
    """What an attacker with database access does, triggers switched off."""
    with container.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"))
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(text(statement))
        if postgres:
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_checkpoints ENABLE TRIGGER USER"))


def checkpoint(container: App, key: Path) -> None:
    with container.uow() as session:
        audit.make_checkpoint(
            session, at=container.clock.now(), key_file=key, witness_dir=key.parent / "witness"
        )


def verify(container: App, public: bytes) -> Report:
    with container.uow(readonly=True) as session:
        return audit.verify(session, public)


@pytest.fixture
def signed(client: TestClient, container: App, world: World, tmp_path: Path) -> tuple[Path, bytes]:
    key = tmp_path / "audit.key"
    public = generate_key(key)
    create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    checkpoint(container, key)
    return key, public


def test_an_untouched_log_verifies(
    container: App, signed: tuple[Path, bytes], clock: FrozenClock
) -> None:
    report = verify(container, signed[1])
    assert report.ok and report.entries > 20 and report.checkpoints == 1
    witness = (signed[0].parent / "witness" / "checkpoints.jsonl").read_text().splitlines()
    assert len(witness) == 1


def _swap_rows(a: int, b: int) -> str:
    return (
        f"UPDATE audit_entries SET seq = -1 WHERE seq = {a};"
        f"UPDATE audit_entries SET seq = {a} WHERE seq = {b};"
        f"UPDATE audit_entries SET seq = {b} WHERE seq = -1"
    )


TAMPERS: dict[str, tuple[Callable[[Path], str], str]] = {
    "change one entry": (
        lambda _: (
            "UPDATE audit_entries SET outcome = 'success' || '' , "
            "actor = 'someone-else' WHERE seq = 5"
        ),
        "entry 5 (",
    ),
    "delete one in the middle": (
        lambda _: "DELETE FROM audit_entries WHERE seq = 7",
        "entry 7 is missing",
    ),
    "truncate the tail": (lambda _: "DELETE FROM audit_entries WHERE seq > 10", "log truncated"),
    "reorder two": (lambda _: _swap_rows(3, 4), "does not match entries"),
    "forge a checkpoint": (
        lambda _: (
            "UPDATE audit_checkpoints SET root = "
            "'00000000000000000000000000000000000000000000000000000000deadbeef'"
        ),
        "not signed",
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_tampering_is_detected(container: App, signed: tuple[Path, bytes], tamper: str) -> None:
    sql, expected = TAMPERS[tamper]
    raw(container, sql(signed[0]))
    report = verify(container, signed[1])
    assert not report.ok and report.problem is not None and expected in report.problem


def test_a_replaced_key_is_detected(
    container: App, signed: tuple[Path, bytes], tmp_path: Path
) -> None:
    intruder = tmp_path / "intruder.key"
    generate_key(intruder)
    checkpoint(container, intruder)
    report = verify(container, signed[1])
    assert not report.ok and report.problem == "checkpoint 2 is not signed by the operator's key"


def test_append_only_where_the_engine_can_hold_it(
    container: App, signed: tuple[Path, bytes]
) -> None:
    if container.engine.dialect.name == "sqlite":
        # An embedded file has no roles: a rewrite cannot be prevented, only detected.
        with container.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entries SET actor = 'x' WHERE seq = 2"))
        assert not verify(container, signed[1]).ok
        return
    for statement in (
        "UPDATE audit_entries SET actor = 'x'",
        "DELETE FROM audit_entries",
        "DELETE FROM audit_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(container, signed[1]).ok


def test_checkpoints_are_published(
    client: TestClient, container: App, world: World, signed: tuple[Path, bytes]
) -> None:
    items = client.get(
        "/v1/audit/checkpoints",
        headers={"Authorization": f"Bearer {world.a.tokens['customer-viewer']}"},
    )
    (cp,) = items.json()["items"]
    assert cp["public_key"] == signed[1].hex()
    message = checkpoint_message(
        cp["size"], bytes.fromhex(cp["root"]), datetime.fromisoformat(cp["at"])
    )
    assert check_signature(signed[1], message, bytes.fromhex(cp["signature"]))


def test_customer_export_verifies_offline(
    client: TestClient, container: App, world: World, signed: tuple[Path, bytes]
) -> None:
    from andromede.audit.verify import verify_export

    with container.uow(readonly=True) as session:
        lines = audit.export_customer(session, world.a.customer_id)
    entries = [line["entry"] for line in lines[1:]]
    assert entries and all(world.a.customer_id in e["tenant_path"] for e in entries)
    assert not any(world.b.customer_id in e["tenant_path"] for e in entries)

    def ok_signature(message: bytes, signature: bytes) -> bool:
        return check_signature(signed[1], message, signature)

    assert verify_export(lines, ok_signature).ok
    forged = [
        lines[0],
        {**lines[1], "entry": {**lines[1]["entry"], "outcome": "forged"}},
        *lines[2:],
    ]
    report = verify_export(forged, ok_signature)
    assert not report.ok and "is not in the log" in (report.problem or "")
    other_key = generate_key(signed[0].parent / "other.key")
    assert not verify_export(lines, lambda m, s: check_signature(other_key, m, s)).ok


def test_an_insider_who_re_signs_is_caught_by_the_witness(
    container: App, signed: tuple[Path, bytes]
) -> None:
    """The key holder rewrites an entry, recomputes its leaf and signs a new checkpoint:
    the log alone verifies again; its copy outside the database does not agree."""
    import json

    from andromede.audit.chain import leaf_hash
    from andromede.audit.entries import ROW_ORDER, canonical
    from andromede.audit.store import entry_tuples

    key, public = signed
    witness = key.parent / "witness"
    with container.uow(readonly=True) as session:
        assert audit.verify_against_witness(session, witness) is None
        row = entry_tuples(session)[1]
    copied = [json.loads(line) for line in (witness / "entries.jsonl").read_text().splitlines()]
    assert [c["seq"] for c in copied] == list(range(1, len(copied) + 1)) and len(copied) > 2
    forged = {**dict(zip(ROW_ORDER, row[3:], strict=True)), "actor": "someone-else"}
    leaf = leaf_hash(canonical(forged)).hex()
    raw(
        container,
        f"UPDATE audit_entries SET actor = 'someone-else', leaf_hash = '{leaf}' WHERE seq = 2;"
        "DELETE FROM audit_checkpoints",
    )
    with container.uow() as session:  # re-signed with the key, no witness this time
        audit.make_checkpoint(session, at=container.clock.now(), key_file=key, witness_dir=None)
    assert verify(container, public).ok  # the log alone is fooled
    with container.uow(readonly=True) as session:
        assert audit.verify_against_witness(session, witness) == (
            "entry 2 differs from its witness copy"
        )
    actor = row[3 + ROW_ORDER.index("actor")]
    raw(  # entry 2 put back; the tail cut instead
        container,
        f"UPDATE audit_entries SET actor = '{actor}', leaf_hash = '{row[1]}' WHERE seq = 2;"
        f"DELETE FROM audit_entries WHERE seq >= {len(copied)}",
    )
    with container.uow(readonly=True) as session:
        cut = audit.verify_against_witness(session, witness) or ""
    assert cut.startswith(f"entry {len(copied)} is gone")
    lines = (witness / "entries.jsonl").read_text().splitlines()
    altered = json.loads(lines[0])
    altered["entry"]["actor"] = "nobody"
    (witness / "entries.jsonl").write_text("\n".join([json.dumps(altered), *lines[1:]]) + "\n")
    with container.uow(readonly=True) as session:
        assert audit.verify_against_witness(session, witness) == (
            "the witness's copy of entry 1 is itself altered"
        )


def test_each_checkpoint_copies_only_the_entries_not_copied_yet(
    client: TestClient, container: App, world: World, signed: tuple[Path, bytes]
) -> None:
    import json

    key, _ = signed
    witness = key.parent / "witness"
    before = len((witness / "entries.jsonl").read_text().splitlines())
    create_server(client, world.a.tokens["customer-member"], world.a.project_id, name="two")
    checkpoint(container, key)
    checkpoint(container, key)  # nothing new: nothing copied twice
    lines = [json.loads(x) for x in (witness / "entries.jsonl").read_text().splitlines()]
    assert len(lines) > before
    assert [x["seq"] for x in lines] == list(range(1, len(lines) + 1))
    with container.uow(readonly=True) as session:
        assert audit.verify_against_witness(session, witness) is None
    assert len((witness / "checkpoints.jsonl").read_text().splitlines()) == 3
