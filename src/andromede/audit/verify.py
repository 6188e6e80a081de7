"""Checking the whole log against its signed checkpoints, pure: recompute every leaf from
the entry's own content, then every checkpoint's root and signature. The first problem is
named: the entry, or the checkpoint and the entries it covers."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from andromede.audit.chain import leaf_hash, root, verify_inclusion
from andromede.audit.entries import canonical

__all__ = [
    "CheckpointView",
    "Report",
    "checkpoint_message",
    "verify_export",
    "verify_log",
]


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
    leaves = []
    previous = 0
    for entry in entries:
        if entry["seq"] != previous + 1:
            return Report(
                False,
                len(entries),
                len(checkpoints),
                f"entry {previous + 1} is missing (next present: {entry['seq']})",
            )
        previous = entry["seq"]
        leaf = leaf_hash(canonical(entry))
        if entry.get("leaf_hash") != leaf.hex():
            return Report(
                False,
                len(entries),
                len(checkpoints),
                f"entry {entry['seq']} ({entry['id']}) was changed",
            )
        leaves.append(leaf)
    for cp in checkpoints:
        if not signature_ok(checkpoint_message(cp.size, cp.root, cp.at), cp.signature):
            return Report(
                False,
                len(entries),
                len(checkpoints),
                f"checkpoint {cp.number} is not signed by the operator's key",
            )
        if cp.size > len(leaves):
            return Report(
                False,
                len(entries),
                len(checkpoints),
                f"log truncated: checkpoint {cp.number} covers {cp.size} entries, "
                f"{len(leaves)} remain",
            )
        if root(leaves[: cp.size]) != cp.root:
            return Report(
                False,
                len(entries),
                len(checkpoints),
                f"checkpoint {cp.number} does not match entries 1 to {cp.size}: "
                "entries were reordered, removed or rewritten",
            )
    return Report(True, len(entries), len(checkpoints))


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
