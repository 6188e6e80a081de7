"""Simulated hypervisors. Their state lives in a SQLite file of its own, apart from the
control-plane database, as a real hypervisor's would: a restart of the control plane
finds the VMs it had started, and ``create`` on an existing VM creates nothing."""

import hashlib
import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from andromede.compute.drivers.base import DriverError, VmSpec, VmStatus
from andromede.compute.lifecycle import DriverState
from andromede.compute.port_links import Nic, PublicAddress, SubnetLink
from andromede.compute.security_rules import GroupRules, Rule
from andromede.kernel.clock import Clock

__all__ = ["SimDriver"]

SNAPSHOT_BYTES = 256 * 1024  # a simulated disk's content after its header
CONSOLE_BYTES = 64 * 1024  # the serial log's tail a hypervisor keeps

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sim_vms (
    server_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    state TEXT NOT NULL,
    ready_at REAL NOT NULL,
    fault TEXT,
    reboots INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sim_builds (server_id TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sim_firewalls (server_id TEXT PRIMARY KEY, rules TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_public (server_id TEXT PRIMARY KEY, addresses TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_nics (server_id TEXT PRIMARY KEY, nics TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_flavors (server_id TEXT PRIMARY KEY, flavor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_rebuilds (
    server_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    image_id TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (server_id, generation)
);
CREATE TABLE IF NOT EXISTS sim_consoles (
    server_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    log TEXT NOT NULL
);
"""


class SimDriver:
    def __init__(
        self,
        path: str | Path,
        clock: Clock,
        *,
        boot_seconds: float = 0.0,
        failure_rate: float = 0.0,
        seed: int = 0,
        answer_seconds: float = 0.0,
    ) -> None:
        self._path = str(path)
        self._clock = clock
        self.boot_seconds = boot_seconds
        self.failure_rate = failure_rate
        self.answer_seconds = answer_seconds  # a slow hypervisor: the work is done, the answer late
        self._rng = random.Random(seed)
        self._local = threading.local()
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _answer(self) -> None:
        if self.answer_seconds:
            time.sleep(self.answer_seconds)

    def create(self, spec: VmSpec) -> None:
        """Built in one transaction of the hypervisor's own file: a build is whole or
        absent, and costs one disk sync."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._create(spec)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._answer()

    def _create(self, spec: VmSpec) -> None:
        conn = self._conn()
        if conn.execute("SELECT 1 FROM sim_vms WHERE server_id=?", (spec.server_id,)).fetchone():
            return
        failed = self.failure_rate > 0 and self._rng.random() < self.failure_rate
        cur = conn.execute(
            "INSERT OR IGNORE INTO sim_vms (server_id, host, state, ready_at, fault)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                spec.server_id,
                spec.host,
                "error" if failed else "building",
                self._now() + self.boot_seconds,
                f"simulated hypervisor failure on host {spec.host}" if failed else None,
            ),
        )
        if cur.rowcount == 1:
            conn.execute(
                "INSERT INTO sim_builds (server_id, at) VALUES (?, ?)",
                (spec.server_id, self._now()),
            )
            self._set_firewall(spec)
            conn.execute(
                "INSERT OR REPLACE INTO sim_nics (server_id, nics) VALUES (?, ?)",
                (spec.server_id, json.dumps([asdict(nic) for nic in spec.nics])),
            )
            self._store_flavor(spec.server_id, spec.flavor)
            conn.execute(
                "INSERT OR REPLACE INTO sim_consoles (server_id, name, log) VALUES (?, ?, '')",
                (spec.server_id, spec.name),
            )
            if not failed:
                self._boot(spec.server_id, spec.host)

    def _set_firewall(self, spec: VmSpec) -> None:
        self._store_firewall(spec.server_id, spec.firewall)
        self._store_public(spec.server_id, spec.public_addresses)

    def _store_public(self, server_id: str, addresses: tuple[PublicAddress, ...]) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO sim_public (server_id, addresses) VALUES (?, ?)",
            (server_id, json.dumps([asdict(address) for address in addresses])),
        )

    def _store_firewall(self, server_id: str, firewall: tuple[GroupRules, ...]) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO sim_firewalls (server_id, rules) VALUES (?, ?)",
            (server_id, json.dumps([asdict(group) for group in firewall])),
        )

    def _vm_exists(self, server_id: str) -> None:
        found = self._conn().execute("SELECT 1 FROM sim_vms WHERE server_id=?", (server_id,))
        if not found.fetchone():
            raise DriverError(f"no VM for server {server_id}")

    def set_firewall(self, server_id: str, firewall: tuple[GroupRules, ...]) -> None:
        self._vm_exists(server_id)
        self._store_firewall(server_id, firewall)
        self._answer()

    def _store_flavor(self, server_id: str, flavor: str) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO sim_flavors (server_id, flavor) VALUES (?, ?)",
            (server_id, flavor),
        )

    def set_flavor(self, server_id: str, flavor: str) -> None:
        """Recorded only: the restart at the new size is the reboot the resize asked for."""
        self._vm_exists(server_id)
        self._store_flavor(server_id, flavor)
        self._answer()

    def flavor(self, server_id: str) -> str | None:
        """The flavor the VM was last given (what a test checks)."""
        found = self._conn().execute(
            "SELECT flavor FROM sim_flavors WHERE server_id=?", (server_id,)
        )
        row = found.fetchone()
        return str(row[0]) if row else None

    def set_public_addresses(self, server_id: str, addresses: tuple[PublicAddress, ...]) -> None:
        self._vm_exists(server_id)
        self._store_public(server_id, addresses)
        self._answer()

    def rebuild(self, spec: VmSpec) -> None:
        """The VM boots again from the image; a generation already rebuilt is not redone."""
        conn = self._conn()
        self._vm_exists(spec.server_id)
        done = conn.execute(
            "INSERT OR IGNORE INTO sim_rebuilds (server_id, generation, image_id, at)"
            " VALUES (?, ?, ?, ?)",
            (spec.server_id, spec.generation, spec.image_id, self._now()),
        )
        if done.rowcount == 1:
            conn.execute(
                "UPDATE sim_vms SET state='building', ready_at=?, fault=NULL WHERE server_id=?",
                (self._now() + self.boot_seconds, spec.server_id),
            )
            self._set_firewall(spec)
            self._log(spec.server_id, [f"rebuild from image {spec.image_id}: disk wiped"])
            self._boot(spec.server_id, "")
        self._answer()

    def rebuilds(self, server_id: str) -> list[tuple[int, str]]:
        """(generation, image id) of each rebuild the hypervisor really did."""
        rows = self._conn().execute(
            "SELECT generation, image_id FROM sim_rebuilds WHERE server_id=? ORDER BY generation",
            (server_id,),
        )
        return [(int(g), str(i)) for g, i in rows]

    def _set_state(self, server_id: str, state: str, allowed: tuple[str, ...]) -> None:
        row = (
            self._conn()
            .execute("SELECT state FROM sim_vms WHERE server_id=?", (server_id,))
            .fetchone()
        )
        if row is None:
            raise DriverError(f"no VM for server {server_id}")
        if row[0] != state and row[0] not in allowed:
            raise DriverError(f"VM of server {server_id} is {row[0]}")
        self._conn().execute("UPDATE sim_vms SET state=? WHERE server_id=?", (state, server_id))

    def start(self, server_id: str) -> None:
        self._set_state(server_id, "running", ("stopped",))
        self._boot(server_id, "")
        self._answer()

    def stop(self, server_id: str) -> None:
        self._set_state(server_id, "stopped", ("running",))
        self._log(server_id, ["reboot: Power down"])
        self._answer()

    def reboot(self, server_id: str, hard: bool) -> None:
        self._set_state(server_id, "running", ("running", "stopped") if hard else ("running",))
        self._conn().execute(
            "UPDATE sim_vms SET reboots = reboots + 1 WHERE server_id=?", (server_id,)
        )
        self._log(server_id, ["reboot: Restarting system" if not hard else "(reset)"])
        self._boot(server_id, "")
        self._answer()

    def delete(self, server_id: str) -> None:
        tables = ("sim_vms", "sim_firewalls", "sim_public", "sim_nics", "sim_flavors")
        for table in (*tables, "sim_consoles"):
            self._conn().execute(f"DELETE FROM {table} WHERE server_id=?", (server_id,))
        self._answer()

    def _log(self, server_id: str, lines: list[str]) -> None:
        """Appends to the VM's serial log, keeping its last ``CONSOLE_BYTES``."""
        text = "".join(line + "\n" for line in lines)
        self._conn().execute(
            "UPDATE sim_consoles SET log = substr(log || ?, -?) WHERE server_id=?",
            (text, CONSOLE_BYTES, server_id),
        )

    def _boot(self, server_id: str, host: str) -> None:
        row = (
            self._conn()
            .execute("SELECT name FROM sim_consoles WHERE server_id=?", (server_id,))
            .fetchone()
        )
        name = row[0] if row else server_id
        self._log(server_id, boot_log(name, host))

    def console_output(self, server_id: str) -> str:
        row = (
            self._conn()
            .execute(
                "SELECT coalesce(c.log, '') FROM sim_vms v"
                " LEFT JOIN sim_consoles c ON c.server_id = v.server_id WHERE v.server_id=?",
                (server_id,),
            )
            .fetchone()
        )
        if row is None:
            raise DriverError(f"no VM for server {server_id}")
        return str(row[0])

    def trigger_crash_dump(self, server_id: str) -> None:
        """The guest panics on the interrupt, dumps its memory and boots again."""
        self._set_state(server_id, "running", ("running",))
        self._log(
            server_id,
            [
                "Uhhuh. NMI received for unknown reason 3d on CPU 0.",
                "Kernel panic - not syncing: NMI: Not continuing",
                "kdump: saving vmcore to /var/crash",
            ],
        )
        self._boot(server_id, "")
        self._answer()

    def get_state(self, server_id: str) -> VmStatus:
        row = (
            self._conn()
            .execute("SELECT state, ready_at, fault FROM sim_vms WHERE server_id=?", (server_id,))
            .fetchone()
        )
        if row is None:
            return VmStatus(DriverState.ABSENT)
        state, ready_at, fault = row
        if state == "building" and self._now() >= ready_at:
            self._conn().execute(
                "UPDATE sim_vms SET state='running' WHERE server_id=? AND state='building'",
                (server_id,),
            )
            state = "running"
        return VmStatus(DriverState(state), fault)

    def snapshot(self, server_id: str, name: str) -> Iterator[bytes]:
        """The simulated disk: a header naming the VM and the image it last booted, then
        ``SNAPSHOT_BYTES`` derived from them, the same on every call."""
        row = (
            self._conn()
            .execute("SELECT host, state FROM sim_vms WHERE server_id=?", (server_id,))
            .fetchone()
        )
        if row is None:
            raise DriverError(f"no VM for server {server_id}")
        if row[1] == "error":
            raise DriverError(f"the VM of server {server_id} is in error")
        rebuilt = self.rebuilds(server_id)
        booted = rebuilt[-1][1] if rebuilt else ""
        header = f"andromede-sim-disk server={server_id} image={booted} host={row[0]}\n"
        self._answer()
        return _disk(header.encode(), SNAPSHOT_BYTES)

    def firewall(self, server_id: str) -> list[GroupRules]:
        """The groups the VM's ports were given (what a test checks the driver received)."""
        row = (
            self._conn()
            .execute("SELECT rules FROM sim_firewalls WHERE server_id=?", (server_id,))
            .fetchone()
        )
        groups = json.loads(row[0]) if row else []
        return [
            GroupRules(g["group_id"], tuple(Rule(**rule) for rule in g["rules"])) for g in groups
        ]

    def nics(self, server_id: str) -> list[Nic]:
        """The ports on the customer's networks the VM was built with (what a test checks)."""
        return [Nic(**each) for each in self._linked("nics", "sim_nics", server_id)]

    def public_addresses(self, server_id: str) -> list[PublicAddress]:
        """The floating IPs the VM's ports were given (what a test checks)."""
        found = self._linked("addresses", "sim_public", server_id)
        return [PublicAddress(**each) for each in found]

    def _linked(self, column: str, table: str, server_id: str) -> list[dict[str, Any]]:
        """A JSON list of records, each with its ``subnet`` made a SubnetLink again."""
        query = f"SELECT {column} FROM {table} WHERE server_id=?"  # our own names
        row = self._conn().execute(query, (server_id,)).fetchone()
        return [
            {**each, "subnet": SubnetLink(**each["subnet"]) if each["subnet"] else None}
            for each in (json.loads(row[0]) if row else [])
        ]

    def create_count(self, server_id: str) -> int:
        """How many times the hypervisor really built this VM (tests prove it is one)."""
        row = (
            self._conn()
            .execute("SELECT count(*) FROM sim_builds WHERE server_id=?", (server_id,))
            .fetchone()
        )
        return int(row[0])

    def vm_count(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM sim_vms").fetchone()[0])


def boot_log(name: str, host: str) -> list[str]:
    """What a cloud image writes on its serial console as it boots."""
    built = f" (builder@{host})" if host else ""
    return [
        f"[    0.000000] Linux version 6.1.0-28-cloud-amd64{built} #1 SMP",
        "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=LABEL=rootfs console=ttyS0",
        "[    1.204518] EXT4-fs (vda1): mounted filesystem with ordered data mode",
        f"[    3.518822] cloud-init[412]: Cloud-init running 'init' for {name}",
        "[    5.117003] cloud-init[702]: Cloud-init finished: datasource DataSourceOpenStack",
        "",
        f"{name} login: ",
    ]


def _disk(header: bytes, size: int) -> Iterator[bytes]:
    yield header
    seed = hashlib.sha256(header).digest()
    block = 0
    left = size
    while left > 0:
        chunk = b"".join(
            hashlib.sha256(seed + (block * 1024 + i).to_bytes(8, "big")).digest()
            for i in range(min(1024, (left + 31) // 32))
        )[:left]
        block += 1
        left -= len(chunk)
        yield chunk
