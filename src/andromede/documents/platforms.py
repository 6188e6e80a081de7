"""Where e-invoices go: an approved platform (plateforme agréée) for businesses, Chorus Pro
for public buyers. The product never calls a platform's API itself; an adapter hands the
Factur-X over and reads back lifecycle statuses.

- ``DirectoryPlatform`` writes ``outgoing/<number>.pdf`` in a folder that the operator's
  platform connector picks up, and reads the statuses the connector drops in
  ``statuses/*.json`` (``{"number", "status", "code", "detail"}``), moving each read file
  to ``statuses/read/``.
- ``SimulatedPlatform`` keeps everything in memory: it rejects a document whose buyer has
  no electronic address and accepts the rest, which the buyer then "receives" at the next
  poll. Tests and demos use it; nothing leaves the process.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from andromede.documents import lifecycle

__all__ = [
    "DirectoryPlatform",
    "PlatformAdapter",
    "SimulatedPlatform",
    "StatusUpdate",
    "Submission",
    "adapter_from",
]


@dataclass(frozen=True)
class Submission:
    status: str  # submitted | refused
    reference: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    number: str
    status: str
    code: str | None = None
    detail: str | None = None


class PlatformAdapter(Protocol):
    name: str

    def submit(self, number: str, facturx: bytes) -> Submission: ...

    def updates(self) -> list[StatusUpdate]: ...


class DirectoryPlatform:
    def __init__(self, folder: Path, name: str = "directory") -> None:
        self.name = name
        self.outgoing = folder / "outgoing"
        self.statuses = folder / "statuses"
        self.outgoing.mkdir(parents=True, exist_ok=True)
        (self.statuses / "read").mkdir(parents=True, exist_ok=True)

    def submit(self, number: str, facturx: bytes) -> Submission:
        """Written under a temporary name, then renamed: the connector never picks up
        half a file, and handing the same document twice writes the same file."""
        target = self.outgoing / f"{number}.pdf"
        partial = self.outgoing / f".{number}.pdf.part"
        partial.write_bytes(facturx)
        os.replace(partial, target)
        return Submission(lifecycle.SUBMITTED, reference=str(target.name))

    def updates(self) -> list[StatusUpdate]:
        found = []
        for path in sorted(self.statuses.glob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                update = StatusUpdate(
                    str(raw["number"]), str(raw["status"]), raw.get("code"), raw.get("detail")
                )
            except (ValueError, KeyError, TypeError):
                update = None  # left for a person to look at; never read twice
            os.replace(path, self.statuses / "read" / path.name)
            if update is not None and update.status in lifecycle.STATUSES:
                found.append(update)
        return found


class SimulatedPlatform:
    def __init__(self, name: str = "simulated") -> None:
        self.name = name
        self.received: dict[str, bytes] = {}
        self.pending: list[str] = []

    def submit(self, number: str, facturx: bytes) -> Submission:
        if b"URIUniversalCommunication" not in _xml_of(facturx):
            return Submission(lifecycle.REFUSED, detail="213: no electronic address for the buyer")
        self.received[number] = facturx
        self.pending.append(number)
        return Submission(lifecycle.SUBMITTED, reference=f"SIM-{len(self.received):06d}")

    def updates(self) -> list[StatusUpdate]:
        done, self.pending = self.pending, []
        return [StatusUpdate(n, lifecycle.RECEIVED, "202", "made available") for n in done]


def _xml_of(facturx: bytes) -> bytes:
    from facturx import get_xml_from_pdf

    _, xml = get_xml_from_pdf(facturx, check_xsd=False)
    return bytes(xml or b"")


def adapter_from(setting: str, name: str) -> PlatformAdapter | None:
    """``dir:PATH``, ``simulated``, or empty (documents wait in the outbox)."""
    if not setting:
        return None
    if setting == "simulated":
        return SimulatedPlatform(name)
    if setting.startswith("dir:"):
        return DirectoryPlatform(Path(setting[4:]), name)
    raise ValueError(f"e-invoice platform {setting!r}: dir:PATH or simulated")
