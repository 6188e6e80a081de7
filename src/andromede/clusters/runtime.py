"""Where a cluster's daemons and jobs really run: the protocol the cluster service drives,
and ``LocalSpark``, the simulated region's runtime.

The simulated region boots no VM, so its clusters' Spark runs as local processes: one
Spark standalone master and one worker per cluster (two cores do not hold one JVM per
node), bound to 127.0.0.1 on ports of their own, and jobs through ``spark-submit``. Every
process starts in a session of its own so that stopping a cluster or killing a job ends
its whole process tree. State lives in files under the runtime's folder (pids, ports, exit
codes, logs), so a restarted service finds its clusters and jobs where they were.

On the ``openstack`` driver the nodes are real servers configured by their cloud-init;
submitting there (over SSH to the master) is not built yet.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["ClusterRuntime", "JobFiles", "JobRun", "LocalSpark", "spark_home"]

LOG_TAIL = 60  # lines of a job's output kept with it
READY = ("I have been elected leader", "Successfully registered with master")


@dataclass(frozen=True)
class JobFiles:
    """What ``spark-submit`` gets: the application, files beside it, arguments, settings."""

    file_name: str
    content: bytes
    files: dict[str, bytes]
    args: list[str]
    conf: dict[str, str]


@dataclass(frozen=True)
class JobRun:
    state: str  # RUNNING, SUCCEEDED, FAILED, KILLED
    exit_code: int | None
    output: str  # the last lines of the driver's output


class ClusterRuntime(Protocol):
    def start(self, cluster_id: str) -> None: ...
    def ready(self, cluster_id: str) -> bool: ...
    def failure(self, cluster_id: str) -> str | None: ...
    def stop(self, cluster_id: str) -> None: ...
    def submit(self, cluster_id: str, job_id: str, job: JobFiles) -> None: ...
    def poll(self, job_id: str) -> JobRun: ...
    def kill(self, job_id: str) -> None: ...


def spark_home() -> Path | None:
    """Spark as pyspark ships it (``bin/spark-class``, ``bin/spark-submit``, the jars)."""
    try:
        import pyspark
    except ImportError:
        return None
    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return waited == 0


def _stop_group(pid: int, wait: float = 20.0) -> None:
    """SIGTERM to the process's whole session, then SIGKILL to what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if not _alive(pid):
            return


class LocalSpark:
    def __init__(self, folder: Path, home: Path | None = None, java_home: str | None = None):
        self.folder = folder
        self.home = home or spark_home()
        self.java_home = java_home or os.environ.get("JAVA_HOME") or _java_home()

    # -- clusters ---------------------------------------------------------------------
    def start(self, cluster_id: str) -> None:
        """Starts the master, then the worker; again after a start is a no-op."""
        place = self._cluster(cluster_id)
        if (place / "state.json").exists():
            return
        place.mkdir(parents=True, exist_ok=True)
        port, master_ui, worker_ui = _free_port(), _free_port(), _free_port()
        master = self._spawn(
            ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(port), "--webui-port", str(master_ui)],
            place / "master.log", place,
        )  # fmt: skip
        worker = self._spawn(
            ["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
             "--memory", "1g", "--webui-port", str(worker_ui), "--work-dir", str(place / "work"),
             f"spark://127.0.0.1:{port}"],
            place / "worker.log", place,
        )  # fmt: skip
        state = {"port": port, "pids": [master, worker]}
        (place / "state.json").write_text(json.dumps(state))

    def ready(self, cluster_id: str) -> bool:
        place = self._cluster(cluster_id)
        logs = [place / "master.log", place / "worker.log"]
        return all(
            log.exists() and needle in log.read_text(errors="replace")
            for log, needle in zip(logs, READY, strict=True)
        )

    def failure(self, cluster_id: str) -> str | None:
        """Why the cluster's daemons will never answer (one of them died), if so."""
        place = self._cluster(cluster_id)
        pids = self._state(cluster_id).get("pids", [])
        for pid, log in zip(pids, ("master", "worker")[: len(pids)], strict=True):
            if not _alive(int(pid)):
                lines = _tail(place / f"{log}.log").splitlines() or ["no output"]
                return f"the Spark {log} stopped: {lines[-1][:300]}"
        return None

    def stop(self, cluster_id: str) -> None:
        """Kills the cluster's jobs, worker and master; nothing of it is left running."""
        place = self._cluster(cluster_id)
        for job in (place / "jobs").glob("*/pid") if place.exists() else []:
            _stop_group(int(job.read_text()))
        for pid in self._state(cluster_id).get("pids", []):
            _stop_group(int(pid))
        shutil.rmtree(place, ignore_errors=True)

    # -- jobs -------------------------------------------------------------------------
    def submit(self, cluster_id: str, job_id: str, job: JobFiles) -> None:
        """Runs ``spark-submit`` in the job's own folder, where its files are written."""
        place = self._cluster(cluster_id) / "jobs" / job_id
        if (place / "pid").exists():
            return  # submitted already: a retry must not run it twice
        place.mkdir(parents=True, exist_ok=True)
        (self.folder / "jobs").mkdir(parents=True, exist_ok=True)
        (self.folder / "jobs" / job_id).write_text(str(place))  # where to find it by id
        for name, data in job.files.items():
            (place / Path(name).name).write_bytes(data)
        app = place / Path(job.file_name).name
        app.write_bytes(job.content)
        port = self._state(cluster_id)["port"]
        settings = [f"--conf={k}={v}" for k, v in sorted(job.conf.items())]
        command = [
            str(self._bin("spark-submit")), "--master", f"spark://127.0.0.1:{port}",
            "--conf", "spark.ui.enabled=false", *settings, str(app), *job.args,
        ]  # fmt: skip
        script = " ".join(_quote(c) for c in command)
        wrapped = f"{script}; echo $? > {_quote(str(place / 'exit'))}"
        # the program's output apart from Spark's own log: two writers on one file cut
        # each other's lines
        pid = self._spawn_shell(wrapped, place / "output.log", place, place / "spark.log")
        (place / "pid").write_text(str(pid))

    def poll(self, job_id: str) -> JobRun:
        place = self._job(job_id)
        output = _tail(place / "output.log")
        if (place / "killed").exists():
            return JobRun("KILLED", None, output)
        if (place / "exit").exists():
            text = (place / "exit").read_text().strip()
            code = int(text) if text.lstrip("-").isdigit() else 1
            if code != 0:  # why it failed is in Spark's log
                output = "\n".join(filter(None, (output, _tail(place / "spark.log"))))
            return JobRun("SUCCEEDED" if code == 0 else "FAILED", code, output)
        pid = place / "pid"
        if pid.exists() and _alive(int(pid.read_text())):
            return JobRun("RUNNING", None, output)
        return JobRun("FAILED", None, output + "\n(the job's process is gone without an exit code)")

    def kill(self, job_id: str) -> None:
        place = self._job(job_id)
        (place / "killed").touch()
        if (place / "pid").exists():
            _stop_group(int((place / "pid").read_text()))

    # -- inside -----------------------------------------------------------------------
    def _cluster(self, cluster_id: str) -> Path:
        return self.folder / "clusters" / cluster_id

    def _job(self, job_id: str) -> Path:
        return Path((self.folder / "jobs" / job_id).read_text())

    def _state(self, cluster_id: str) -> dict[str, Any]:
        path = self._cluster(cluster_id) / "state.json"
        return dict(json.loads(path.read_text())) if path.exists() else {}

    def _bin(self, name: str) -> Path:
        if self.home is None:
            raise RuntimeError("pyspark is not installed: no local Spark to run clusters")
        return self.home / "bin" / name

    def _env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "SPARK_HOME": str(self.home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
        }
        if self.java_home:
            env["JAVA_HOME"] = self.java_home
        return env

    def _spawn(self, args: list[str], log: Path, cwd: Path) -> int:
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(self._bin("spark-class")), *args], stdout=out, stderr=subprocess.STDOUT,
                cwd=cwd, env=self._env(), start_new_session=True,
            )  # fmt: skip
        return process.pid

    def _spawn_shell(self, script: str, log: Path, cwd: Path, errors: Path) -> int:
        with log.open("wb") as out, errors.open("wb") as err:
            process = subprocess.Popen(
                ["/bin/sh", "-c", script], stdout=out, stderr=err,
                cwd=cwd, env=self._env(), start_new_session=True,
            )  # fmt: skip
        return process.pid


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _tail(path: Path) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-LOG_TAIL:])


def _java_home() -> str | None:
    java = shutil.which("java")
    if java is None:
        return None
    return str(Path(os.path.realpath(java)).parent.parent)
