"""Project quotas: instances, cores, RAM and storage, each the project's own limit or the
operator's default, taken from the project's usage counters by one guarded UPDATE, so two
creates cannot both pass and a check costs the same for a project of any size."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from andromede.compute import usage_store
from andromede.kernel.errors import QuotaExceeded
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Project, TenancyService

__all__ = ["QUOTAS", "QuotaDefaults", "QuotaService"]

QUOTAS = ("instances", "cores", "ram_mib", "storage_gib")


@dataclass(frozen=True)
class QuotaDefaults:
    """Project quotas where a project has none of its own, and the largest root volume
    anyone may ask for (a volume is billed per GiB: a typo must not cost a fortune)."""

    instances: int = 20
    cores: int = 40
    ram_mib: int = 102400
    storage_gib: int = 2048
    max_volume_gib: int = 16384


class QuotaService:
    def __init__(self, tenancy: TenancyService, defaults: QuotaDefaults) -> None:
        self.tenancy = tenancy
        self.defaults = defaults

    def take(self, session: Session, project: Project, wanted: tuple[int, int, int, int]) -> None:
        """Adds ``wanted`` (instances, cores, RAM MiB, storage GiB; negative gives back) to
        the project's usage, or says which quota it would exceed."""
        limits = self.limits(project)
        ceiling = (limits["instances"], limits["cores"], limits["ram_mib"], limits["storage_gib"])
        if usage_store.take(session, project.id, wanted, ceiling):
            return
        if usage_store.make(session, project.id) and usage_store.take(
            session, project.id, wanted, ceiling
        ):
            return  # the project's first server since counters exist
        used = usage_store.usage(session, project.id)
        for name, in_use, more in zip(QUOTAS, used, wanted, strict=True):
            if more > 0 and in_use + more > limits[name]:
                raise QuotaExceeded(name, limits[name], in_use, more)
        raise AssertionError("a quota refused with every amount within its limit")

    def limits(self, project: Project) -> dict[str, int]:
        own = (
            project.quota_instances,
            project.quota_cores,
            project.quota_ram_mib,
            project.quota_storage_gib,
        )
        return {
            name: getattr(self.defaults, name) if value is None else value
            for name, value in zip(QUOTAS, own, strict=True)
        }

    def project_quota(self, session: Session, caller: Caller, project_id: str) -> dict[str, Any]:
        project = self.tenancy.get_project(session, caller, project_id)
        used = usage_store.usage(session, project.id)
        limits = self.limits(project)
        return {name: {"limit": limits[name], "in_use": used[i]} for i, name in enumerate(QUOTAS)}
