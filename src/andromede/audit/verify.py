"""Checking the whole log against its signed checkpoints, pure: recompute every leaf from
the entry's own content, then every checkpoint's root and signature. The first problem is
named: the entry, or the checkpoint and the entries it covers."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from andromede.audit.chain import leaf_hash, roots_at, verify_inclusion
from andromede.audit.entries import FIELDS, OPTIONAL_FIELDS, canonical
from andromede.audit.retention import MIN_RETENTION

__all__ = [
    "CheckpointView",
    "Report",
    "checkpoint_message",
    "verify_export",
    "verify_log",
]


# what a purge empties: everything but the position, id, time and the action "purged"
BLANKED = tuple(f for f in FIELDS + OPTIONAL_FIELDS if f not in ("id", "at", "action"))


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
    entries: Sequence[dict[str, Any]],
    checkpoints: Sequence[CheckpointView],
    signature_ok: Callable[[bytes, bytes], bool],
) -> Report:
    """``entries`` in log order, each with its ``seq`` and stored ``leaf_hash`` (hex)."""

    def failed(problem: str) -> Report:
        return Report(False, len(entries), len(checkpoints), problem)

    purges = _purges(entries)
    if isinstance(purges, str):
        return failed(purges)
    leaves = []
    previous = 0
    for entry in entries:
        if entry["seq"] != previous + 1:
            return failed(f"entry {previous + 1} is missing (next present: {entry['seq']})")
        previous = entry["seq"]
        if entry.get("purged_at") is not None:
            # content blanked past retention: the stored leaf stands for it, and the
            # checkpoints prove that leaf was not changed
            problem = _purge_problem(entry, purges)
            if problem:
                return failed(problem)
            leaves.append(bytes.fromhex(entry["leaf_hash"]))
            continue
        leaf = leaf_hash(canonical(entry))
        if entry.get("leaf_hash") != leaf.hex():
            return failed(f"entry {entry['seq']} ({entry['id']}) was changed")
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
    return Report(True, len(entries), len(checkpoints))


def _purges(entries: Sequence[dict[str, Any]]) -> list[tuple[int, datetime]] | str:
    """(seq, before) of every purge in the log; a purge that reached into the last six
    months of its own time is a problem in itself."""
    found = []
    for entry in entries:
        if entry["action"] != "audit.purge" or entry.get("purged_at") is not None:
            continue
        before = datetime.fromisoformat(str(entry["target_id"]).removeprefix("before "))
        if before > entry["at"] - MIN_RETENTION:
            return f"entry {entry['seq']}: a purge reached events younger than 6 months"
        found.append((entry["seq"], before))
    return found


def _purge_problem(entry: dict[str, Any], purges: list[tuple[int, datetime]]) -> str | None:
    """A blanked entry must be blank, and a later purge in the log must cover it."""
    if any(entry.get(name) for name in BLANKED) or entry["action"] != "purged":
        return f"entry {entry['seq']} ({entry['id']}) is marked purged but holds content"
    if not any(seq > entry["seq"] and before > entry["at"] for seq, before in purges):
        return f"entry {entry['seq']} ({entry['id']}) was blanked without a purge covering it"
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
