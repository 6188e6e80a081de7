"""Recording audit entries, inside the caller's transaction so they commit or vanish with it."""

import gc
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit import signing, store
from andromede.audit.actions import AuditAction
from andromede.audit.chain import leaf_hash, levels, path, root
from andromede.audit.entries import OPTIONAL_FIELDS, ROW_ORDER, canonical
from andromede.audit.retention import check_purge
from andromede.audit.store import AuditEntry
from andromede.audit.verify import (
    CheckpointView,
    Report,
    checkpoint_message,
    compare_with_witness,
    verify_log,
)
from andromede.kernel.errors import NotFound
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import Scope, TenantRef

__all__ = [
    "AuditEntry",
    "backward_steps",
    "checkpoints",
    "export_customer",
    "list_entries",
    "make_checkpoint",
    "purge",
    "record",
    "staff_access_entries",
    "verify",
]


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    actor_id: str | None,
    action: AuditAction,
    target_type: str,
    target_id: str | None,
    ref: TenantRef,
    outcome: str = "success",
    on_behalf_of: str | None = None,
    request_id: str | None = None,
    grant_id: str | None = None,
    realm: str | None = None,
    source: str | None = None,
) -> None:
    values = {
        "id": new_id(),
        "at": store.in_order(session, at),
        "actor": actor,
        "actor_id": actor_id,
        "on_behalf_of": on_behalf_of,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "tenant_path": ref.path,
        "partner_id": ref.partner_id,
        "customer_id": ref.customer_id,
        "outcome": outcome,
        "request_id": request_id,
        "grant_id": grant_id,
        "realm": realm,
        "source": source,
    }
    values["leaf_hash"] = leaf_hash(canonical(values)).hex()
    store.append(session, values)


def list_entries(
    session: Session,
    scope: Scope,
    *,
    limit: int,
    before_seq: int | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> list[AuditEntry]:
    return store.list_entries(
        session, scope, limit=limit, before_seq=before_seq, action=action, actor=actor
    )


def entries_of(session: Session, target_type: str, target_id: str) -> list[AuditEntry]:
    """What was done to one object, oldest first (a server's history of actions)."""
    return store.entries_of(session, target_type, target_id)


def staff_access_entries(
    session: Session, customer_id: str, *, limit: int, before_seq: int | None = None
) -> list[AuditEntry]:
    """Staff requests for a customer's data, their decisions, and what staff did or read
    under a grant: the customer's transparency feed."""
    return store.staff_access_entries(session, customer_id, limit=limit, before_seq=before_seq)


def make_checkpoint(
    session: Session, *, at: datetime, key_file: Path, witness_dir: Path | None
) -> store.Checkpoint:
    """Signs the current tree head and keeps a copy outside the database (the witness)."""
    key = signing.load_private(key_file)
    leaves = [bytes.fromhex(h or "") for h in store.leaf_hashes(session)]
    head = root(leaves)
    signature = signing.sign(key, checkpoint_message(len(leaves), head, at))
    checkpoint = store.Checkpoint(
        size=len(leaves),
        root=head.hex(),
        at=at,
        signature=signature.hex(),
        public_key=signing.public_bytes(key).hex(),
    )
    session.add(checkpoint)
    session.flush()
    if witness_dir is not None:
        _witness(session, witness_dir, checkpoint, at)
    return checkpoint


def _witness(
    session: Session, witness_dir: Path, checkpoint: store.Checkpoint, at: datetime
) -> None:
    """A copy outside the database of the checkpoint and of every entry it covers not
    copied yet (SecNumCloud 12.7): an insider who rewrites the database and re-signs the
    checkpoints with the key still disagrees with the witness."""
    witness_dir.mkdir(parents=True, exist_ok=True)
    copied = witness_dir / "entries.next"
    first = int(copied.read_text(encoding="utf-8")) if copied.exists() else 1
    rows = [r for r in store.entry_tuples(session, first) if r[0] <= checkpoint.size]
    with (witness_dir / "entries.jsonl").open("a", encoding="utf-8") as out:
        for row in rows:
            entry = dict(zip(ROW_ORDER, row[3:], strict=True))
            out.write(json.dumps({"seq": row[0], "leaf_hash": row[1], "entry": entry}) + "\n")
    copied.write_text(str(max(first, checkpoint.size + 1)), encoding="utf-8")
    line = {
        "number": checkpoint.id,
        "size": checkpoint.size,
        "root": checkpoint.root,
        "at": at.isoformat(),
        "signature": checkpoint.signature,
    }
    with (witness_dir / "checkpoints.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def verify_against_witness(session: Session, witness_dir: Path) -> str | None:
    """What differs between the log and its witness copy, or None."""
    entries = [json.loads(line) for line in _lines(witness_dir / "entries.jsonl")]
    copies = [json.loads(line) for line in _lines(witness_dir / "checkpoints.jsonl")]
    rows = store.entry_tuples(session)
    stored = {c.id: (c.size, c.root, c.signature) for c in store.checkpoints(session)}
    return compare_with_witness(rows, entries, copies, stored)


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def export_customer(session: Session, customer_id: str) -> list[dict[str, Any]]:
    """JSON Lines for a customer: the latest checkpoint, then each of the customer's
    entries it covers with the inclusion proof that ties the entry to it."""
    signed = store.checkpoints(session)
    if not signed:
        raise NotFound("checkpoint", "latest")
    cp = signed[-1]
    rows = store.entry_tuples(session)[: cp.size]
    tree = levels([bytes.fromhex(r[1] or "") for r in rows])
    header = {
        "customer_id": customer_id,
        "checkpoint": {
            "number": cp.id,
            "size": cp.size,
            "root": cp.root,
            "at": cp.at.isoformat(),
            "signature": cp.signature,
            "public_key": cp.public_key,
        },
    }
    lines: list[dict[str, Any]] = [header]
    for seq in store.seqs_of_customer(session, customer_id):
        index = seq - 1
        if index >= len(rows):
            break  # after the checkpoint: in the next export
        entry = dict(zip(ROW_ORDER, rows[index][3:], strict=True))
        for name in OPTIONAL_FIELDS:  # absent when unset, as in the canonical bytes
            if entry[name] is None:
                del entry[name]
        lines.append(
            {"index": index, "entry": entry, "proof": [h.hex() for h in path(tree, index)]}
        )
    return lines


def purge(session: Session, *, before: datetime, now: datetime) -> int:
    """Blanks entries older than ``before`` (refused under six months); the purge itself
    is an entry of the log."""
    check_purge(before, now)
    count = store.purge(session, before, now)
    record(
        session,
        at=now,
        actor="system:retention",
        actor_id=None,
        action=AuditAction.AUDIT_PURGE,
        target_type="audit_log",
        target_id=f"before {before.isoformat()}"[:100],
        ref=TenantRef(),
        outcome=f"success: {count} entries blanked",
    )
    return count


def backward_steps(session: Session) -> list[tuple[int, datetime, datetime]]:
    """Where the log's time goes back (a clock stepped back): the first ten."""
    return store.backward_steps(session)


def checkpoints(session: Session) -> list[store.Checkpoint]:
    return store.checkpoints(session)


def latest_checkpoints(session: Session, count: int) -> list[store.Checkpoint]:
    """The newest ``count`` signed tree heads, newest first (one is made a minute)."""
    return store.latest_checkpoints(session, count)


def verify(session: Session, public_key: bytes) -> Report:
    """The whole log in memory, checked once. The collector is paused meanwhile: a million
    young objects would otherwise trigger full collections that walk them all again."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _verify(session, public_key)
    finally:
        if gc_was_enabled:
            gc.enable()


def _verify(session: Session, public_key: bytes) -> Report:
    entries = store.entry_tuples(session)
    views = [
        CheckpointView(c.id, c.size, bytes.fromhex(c.root), c.at, bytes.fromhex(c.signature))
        for c in store.checkpoints(session)
    ]
    return verify_log(entries, views, lambda message, sig: signing.verify(public_key, message, sig))
