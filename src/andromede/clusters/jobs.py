"""Jobs on clusters, and the runtime's pass: a Spark application (a Python file or a JAR,
with files beside it, arguments and ``spark.*`` settings) submitted to a cluster runs
``PENDING → RUNNING → SUCCEEDED | FAILED | KILLED``; its last output lines and duration
are kept.

The pass is three steps, as the worker runs them: ``plan`` reads what the runtime must do
(in a transaction), ``perform`` does it (no transaction held while processes start),
``record`` writes what happened (in another). A cluster whose nodes are up is started on
the runtime and becomes ACTIVE once its daemons answer; a cluster being deleted or in
error is stopped there; a transient cluster deletes itself once its jobs are over.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from andromede.clusters import store
from andromede.clusters.runtime import ClusterRuntime, JobFiles, JobRun
from andromede.clusters.service import ClusterService, Status, acting
from andromede.clusters.store import Cluster, ClusterJob, ClusterRun
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, FieldError, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.scope import Caller

__all__ = ["ClusterJob", "JobInput", "JobService", "JobStatus", "RuntimeWork"]

MAX_BYTES = 512 * 1024  # an application and its files, together (base64 in a request)
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CONF_KEY = re.compile(r"^spark\.[A-Za-z0-9._-]{1,100}$")
RESERVED_CONF = {"spark.master", "spark.submit.deployMode"}


class JobStatus:
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    KILLED = "KILLED"
    OVER = ("SUCCEEDED", "FAILED", "KILLED")
    ALL = ("PENDING", "RUNNING", *OVER)


@dataclass(frozen=True)
class JobInput:
    name: str
    file_name: str
    content: bytes
    files: dict[str, bytes] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    conf: dict[str, str] = field(default_factory=dict)


@dataclass
class RuntimeWork:
    start: list[str] = field(default_factory=list)  # clusters whose nodes are up
    stop: list[str] = field(default_factory=list)  # clusters deleted or failed
    submit: list[tuple[str, str, JobFiles]] = field(default_factory=list)  # cluster, job
    poll: list[str] = field(default_factory=list)  # running jobs
    kill: list[str] = field(default_factory=list)


@dataclass
class RuntimeDone:
    ready: list[str] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)  # cluster -> why it cannot start
    stopped: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    runs: dict[str, JobRun] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # job -> why it could not start


class JobService:
    def __init__(
        self, clock: Clock, clusters: ClusterService, runtime: ClusterRuntime | None
    ) -> None:
        self.clock = clock
        self.clusters = clusters
        self.runtime = runtime

    # -- jobs -----------------------------------------------------------------------------
    def submit(
        self, session: Session, caller: Caller, cluster_id: str, data: JobInput
    ) -> ClusterJob:
        cluster = self.clusters.for_write(session, caller, cluster_id)
        if self.runtime is None:
            raise Conflict("this deployment runs no cluster runtime: jobs cannot run here")
        if cluster.status == Status.ERROR:
            raise Conflict("the cluster is in ERROR: delete it and make another")
        _check(data)
        job = ClusterJob(
            id=new_id(),
            cluster_id=cluster.id,
            partner_id=cluster.partner_id,
            customer_id=cluster.customer_id,
            project_id=cluster.project_id,
            name=data.name.strip()[:80] or data.file_name,
            file_name=data.file_name,
            content=data.content,
            files={k: base64.b64encode(v).decode() for k, v in data.files.items()},
            args=list(data.args),
            conf=dict(data.conf),
            status=JobStatus.PENDING,
            output="",
            submitted_at=self.clock.now(),
        )
        session.add(job)
        return job

    def list_jobs(self, session: Session, caller: Caller, cluster_id: str) -> list[ClusterJob]:
        cluster = self.clusters.get(session, caller, cluster_id).cluster
        return store.jobs_of(session, cluster.id)

    def get_job(self, session: Session, caller: Caller, cluster_id: str, job_id: str) -> ClusterJob:
        for job in self.list_jobs(session, caller, cluster_id):
            if job.id == job_id:
                return job
        raise NotFound("job", job_id)

    def kill(self, session: Session, caller: Caller, cluster_id: str, job_id: str) -> ClusterJob:
        self.clusters.for_write(session, caller, cluster_id)
        job = self.get_job(session, caller, cluster_id, job_id)
        if job.status in JobStatus.OVER:
            raise Conflict(f"the job is {job.status} already")
        if job.status == JobStatus.PENDING:
            self._finish(job, JobRun(JobStatus.KILLED, None, job.output))
        else:
            job.kill_asked = True  # the runtime's next pass kills it
        return job

    # -- the runtime's pass -------------------------------------------------------------
    def plan(self, session: Session) -> RuntimeWork:
        work = RuntimeWork()
        if self.runtime is None:
            return work
        runs = {r.cluster_id: r for r in store.all_runs(session)}
        moving = (Status.CONFIGURING, Status.DELETING, Status.ERROR)
        for cluster in store.in_status(session, moving):
            run = runs.get(cluster.id)
            if cluster.status == Status.CONFIGURING:
                work.start.append(cluster.id)
            elif run is not None and run.started:
                work.stop.append(cluster.id)
        active = {c.id for c in store.in_status(session, (Status.ACTIVE, Status.SCALING))}
        for job in store.jobs_in(session, (JobStatus.PENDING, JobStatus.RUNNING)):
            if job.status == JobStatus.RUNNING:
                (work.kill if job.kill_asked else work.poll).append(job.id)
            elif job.cluster_id in active:
                work.submit.append((job.cluster_id, job.id, _files_of(job)))
        return work

    def perform(self, work: RuntimeWork) -> RuntimeDone:
        done = RuntimeDone()
        runtime = self.runtime
        if runtime is None:
            return done
        for cluster_id in work.start:
            try:
                runtime.start(cluster_id)
            except (OSError, RuntimeError) as exc:
                done.broken[cluster_id] = str(exc)[:300]
                continue
            if runtime.ready(cluster_id):
                done.ready.append(cluster_id)
            elif why := runtime.failure(cluster_id):
                done.broken[cluster_id] = why
        for cluster_id in work.stop:
            runtime.stop(cluster_id)
            done.stopped.append(cluster_id)
        for cluster_id, job_id, files in work.submit:
            try:
                runtime.submit(cluster_id, job_id, files)
            except (OSError, RuntimeError) as exc:
                done.failed[job_id] = str(exc)[:500]
                continue
            done.submitted.append(job_id)
        for job_id in work.kill:
            runtime.kill(job_id)
        for job_id in [*work.poll, *work.kill]:
            done.runs[job_id] = runtime.poll(job_id)
        return done

    def record(self, session: Session, done: RuntimeDone) -> None:
        self._record_clusters(session, done)
        self._record_jobs(session, done)
        self._end_transient(session)

    def _record_clusters(self, session: Session, done: RuntimeDone) -> None:
        for cluster_id in [*done.ready, *done.stopped]:
            started = session.get(ClusterRun, cluster_id)
            if started is not None:
                started.started = cluster_id in done.ready
        for cluster_id in done.ready:
            cluster = session.get(Cluster, cluster_id)
            if cluster is not None and cluster.status == Status.CONFIGURING:
                self.clusters.set_status(cluster, Status.ACTIVE)
        for cluster_id, why in done.broken.items():
            cluster = session.get(Cluster, cluster_id)
            if cluster is not None and cluster.status == Status.CONFIGURING:
                self.clusters.fail(session, cluster, why)

    def _record_jobs(self, session: Session, done: RuntimeDone) -> None:
        now = self.clock.now()
        for job_id in done.submitted:
            job = session.get(ClusterJob, job_id)
            if job is not None and job.status == JobStatus.PENDING:
                job.status, job.started_at = JobStatus.RUNNING, now
        for job_id, why in done.failed.items():
            job = session.get(ClusterJob, job_id)
            if job is not None:
                self._finish(job, JobRun(JobStatus.FAILED, None, why))
        for job_id, outcome in done.runs.items():
            job = session.get(ClusterJob, job_id)
            if job is None:
                continue
            job.output = outcome.output
            if outcome.state != JobStatus.RUNNING:
                self._finish(job, outcome)

    # -- inside ---------------------------------------------------------------------------
    def _finish(self, job: ClusterJob, run: JobRun) -> None:
        job.status = run.state
        job.exit_code = run.exit_code
        job.output = run.output
        job.finished_at = self.clock.now()

    def _end_transient(self, session: Session) -> None:
        """A transient cluster with jobs, all of them over, deletes itself."""
        for run in store.all_runs(session):
            if not run.transient:
                continue
            cluster = session.get(Cluster, run.cluster_id)
            if cluster is None or cluster.status not in (Status.ACTIVE, Status.SCALING):
                continue
            jobs = store.jobs_of(session, cluster.id)
            if jobs and all(j.status in JobStatus.OVER for j in jobs):
                self.clusters.delete(session, acting(cluster), cluster.id)


def _files_of(job: ClusterJob) -> JobFiles:
    files = {k: base64.b64decode(v) for k, v in (job.files or {}).items()}
    return JobFiles(job.file_name, job.content, files, list(job.args), dict(job.conf))


def _check(data: JobInput) -> None:
    errors: list[FieldError] = []
    if not FILE_NAME.match(data.file_name) or not data.file_name.endswith((".py", ".jar")):
        errors.append(FieldError("file_name", "a .py or .jar file name (letters, digits . _ -)"))
    for name in data.files:
        if not FILE_NAME.match(name):
            errors.append(FieldError("files", f"a plain file name: {name[:40]!r}"))
    size = len(data.content) + sum(len(v) for v in data.files.values())
    if not data.content or size > MAX_BYTES:
        errors.append(FieldError("content", f"1 byte to {MAX_BYTES} bytes with its files"))
    if len(data.args) > 50 or any(len(a) > 1000 or "\x00" in a for a in data.args):
        errors.append(FieldError("args", "at most 50 arguments of 1,000 characters"))
    for key, value in data.conf.items():
        if not CONF_KEY.match(key) or key in RESERVED_CONF:
            errors.append(FieldError(f"conf.{key[:60]}", "a spark.* setting the job may set"))
        elif not value or len(value) > 200 or not value.isprintable():
            errors.append(FieldError(f"conf.{key[:60]}", "a printable value of 1-200 characters"))
    if errors:
        raise ValidationFailed(errors)
