"""Checking the whole log against its signed checkpoints, pure: recompute every leaf from
the entry's own content, then every checkpoint's root and signature. The first problem is
named: the entry, or the checkpoint and the entries it covers."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from andromede.audit.actions import AuditAction
from andromede.audit.chain import leaf_hash, roots_at, verify_inclusion
from andromede.audit.entries import ROW_ORDER, canonical, canonical_values
from andromede.audit.retention import MIN_RETENTION

__all__ = [
    "CheckpointView",
    "Report",
    "checkpoint_message",
    "compare_with_witness",
    "verify_export",
    "verify_log",
]


# positions in a row given to verify_log: seq, leaf hash, purged_at, then ROW_ORDER
ID, AT, ACTION, TARGET_ID = (3 + ROW_ORDER.index(f) for f in ("id", "at", "action", "target_id"))
# what a purge empties: everything but the position, id, time and the action "purged"
BLANKED = tuple(3 + i for i, f in enumerate(ROW_ORDER) if f not in ("id", "at", "action"))


@dataclass(frozen=True)
class CheckpointView:
    number: int
    size: int
    root: bytes
    at: datetime
    signature: bytes


@dataclass(frozen=True)
class Report:
    ok: bool
    entries: int
    checkpoints: int
    problem: str | None = None


def checkpoint_message(size: int, root_hash: bytes, at: datetime) -> bytes:
    return f"andromede-checkpoint\n{size}\n{root_hash.hex()}\n{at.isoformat()}\n".encode()


def verify_log(
    rows: Sequence[Sequence[Any]],
    checkpoints: Sequence[CheckpointView],
    signature_ok: Callable[[bytes, bytes], bool],
) -> Report:
    """``rows`` in log order, each (seq, stored leaf hash in hex, purged_at, *the entry's
    values in ROW_ORDER with its time in ISO form)."""

    def failed(problem: str) -> Report:
        return Report(False, len(rows), len(checkpoints), problem)

    purges = _purges(rows)
    if isinstance(purges, str):
        return failed(purges)
    leaves = []
    previous = 0
    for row in rows:
        seq = row[0]
        if seq != previous + 1:
            return failed(f"entry {previous + 1} is missing (next present: {seq})")
        previous = seq
        if row[2] is not None:
            # content blanked past retention: the stored leaf stands for it, and the
            # checkpoints prove that leaf was not changed
            problem = _purge_problem(row, purges)
            if problem:
                return failed(problem)
            leaves.append(bytes.fromhex(row[1]))
            continue
        leaf = leaf_hash(canonical_values(row[3:]))
        if row[1] != leaf.hex():
            return failed(f"entry {seq} ({row[ID]}) was changed")
        leaves.append(leaf)
    roots = roots_at(leaves, [cp.size for cp in checkpoints])
    for cp in checkpoints:
        if not signature_ok(checkpoint_message(cp.size, cp.root, cp.at), cp.signature):
            return failed(f"checkpoint {cp.number} is not signed by the operator's key")
        if cp.size > len(leaves):
            return failed(
                f"log truncated: checkpoint {cp.number} covers {cp.size} entries, "
                f"{len(leaves)} remain"
            )
        if roots[cp.size] != cp.root:
            return failed(
                f"checkpoint {cp.number} does not match entries 1 to {cp.size}: "
                "entries were reordered, removed or rewritten"
            )
    return Report(True, len(rows), len(checkpoints))


def _purges(rows: Sequence[Sequence[Any]]) -> list[tuple[int, datetime]] | str:
    """(seq, before) of every purge in the log; a purge that reached into the last six
    months of its own time is a problem in itself."""
    found = []
    for row in rows:
        if row[ACTION] != AuditAction.AUDIT_PURGE or row[2] is not None:
            continue
        before = datetime.fromisoformat(str(row[TARGET_ID]).removeprefix("before "))
        if before > datetime.fromisoformat(row[AT]) - MIN_RETENTION:
            return f"entry {row[0]}: a purge reached events younger than 6 months"
        found.append((row[0], before))
    return found


def _purge_problem(row: Sequence[Any], purges: list[tuple[int, datetime]]) -> str | None:
    """A blanked entry must be blank, and a later purge in the log must cover it."""
    if any(row[i] for i in BLANKED) or row[ACTION] != "purged":
        return f"entry {row[0]} ({row[ID]}) is marked purged but holds content"
    at = datetime.fromisoformat(row[AT])
    if not any(seq > row[0] and before > at for seq, before in purges):
        return f"entry {row[0]} ({row[ID]}) was blanked without a purge covering it"
    return None


def verify_export(
    lines: Sequence[dict[str, Any]], signature_ok: Callable[[bytes, bytes], bool]
) -> Report:
    """A customer's export, checked with nothing but the operator's public key: the
    checkpoint is signed, and every entry is in the tree the checkpoint names."""
    if not lines or "checkpoint" not in lines[0]:
        return Report(False, 0, 0, "the export does not start with its checkpoint")
    cp = lines[0]["checkpoint"]
    size, head = int(cp["size"]), bytes.fromhex(cp["root"])
    at = datetime.fromisoformat(cp["at"])
    if not signature_ok(checkpoint_message(size, head, at), bytes.fromhex(cp["signature"])):
        return Report(False, len(lines) - 1, 1, "the checkpoint is not signed by the operator")
    for line in lines[1:]:
        entry = dict(line["entry"])
        entry["at"] = datetime.fromisoformat(entry["at"])
        proof = [bytes.fromhex(h) for h in line["proof"]]
        if not verify_inclusion(leaf_hash(canonical(entry)), line["index"], size, proof, head):
            return Report(
                False,
                len(lines) - 1,
                1,
                f"entry {line['index'] + 1} ({entry.get('id')}) is not in the log",
            )
    return Report(True, len(lines) - 1, 1)


def compare_with_witness(
    rows: Sequence[Sequence[Any]],
    entries: Sequence[dict[str, Any]],
    copies: Sequence[dict[str, Any]],
    stored: dict[int, tuple[int, str, str]],
) -> str | None:
    """The database against its witness copy: every entry the witness holds must be in
    the log with the same leaf, every checkpoint it holds with the same size, root and
    signature. Entries newer than the last copy are not compared (not copied yet)."""
    by_seq = {row[0]: row for row in rows}
    for line in entries:
        seq, leaf = line["seq"], line["leaf_hash"]
        if leaf_hash(canonical(line["entry"])).hex() != leaf:
            return f"the witness's copy of entry {seq} is itself altered"
        row = by_seq.get(seq)
        if row is None:
            return f"entry {seq} is gone from the database (its witness copy remains)"
        if row[1] != leaf:
            return f"entry {seq} differs from its witness copy"
    for copy in copies:
        found = stored.get(copy["number"])
        if found is None:
            return (
                f"checkpoint {copy['number']} is gone from the database (its witness copy remains)"
            )
        if found != (copy["size"], copy["root"], copy["signature"]):
            return f"checkpoint {copy['number']} differs from its witness copy"
    return None
