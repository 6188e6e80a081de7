"""A stand-in for the outside system clusters run on (real Spark runs in
tests/e2e/test_spark_jobs.py): it records what it is asked and answers as a test tells it,
so the integration tests drive the jobs' statuses on both databases in milliseconds."""

from andromede.bootstrap import App
from andromede.clusters.jobs import JobService
from andromede.clusters.runtime import JobFiles, JobRun


class StandInRuntime:
    def __init__(self) -> None:
        self.started: set[str] = set()
        self.stopped: list[str] = []
        self.submitted: dict[str, JobFiles] = {}
        self.outcome: dict[str, JobRun] = {}
        self.killed: list[str] = []
        self.broken: dict[str, str] = {}
        self.answers = True  # its daemons answer once started

    def start(self, cluster_id: str) -> None:
        self.started.add(cluster_id)

    def ready(self, cluster_id: str) -> bool:
        return self.answers and cluster_id in self.started

    def failure(self, cluster_id: str) -> str | None:
        return self.broken.get(cluster_id)

    def stop(self, cluster_id: str) -> None:
        self.stopped.append(cluster_id)
        self.started.discard(cluster_id)

    def submit(self, cluster_id: str, job_id: str, job: JobFiles) -> None:
        self.submitted[job_id] = job

    def poll(self, job_id: str) -> JobRun:
        return self.outcome.get(job_id, JobRun("RUNNING", None, "starting"))

    def kill(self, job_id: str) -> None:
        self.killed.append(job_id)
        self.outcome[job_id] = JobRun("KILLED", None, "killed")


def with_runtime(container: App) -> StandInRuntime:
    runtime = StandInRuntime()
    container.jobs = JobService(container.clock, container.clusters, runtime)
    container.clusters.runtime_managed = True
    return runtime
