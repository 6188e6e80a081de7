"""Use cases of the catalog. Operators manage it; every authenticated user may read it."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.catalog import store
from andromede.catalog.flavor_names import catalog_entry, family_of, parse_scs_name
from andromede.catalog.store import Flavor, Host, Image, Region, Zone
from andromede.db import insert_unique, scoped_page
from andromede.kernel.clock import Clock
from andromede.kernel.errors import FieldError, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller, Permission, allowed
from andromede.tenancy.service import TenancyService

__all__ = ["CatalogService", "FlavorInput", "FlavorSpec", "HostInput", "ImageSpec"]


@dataclass(frozen=True)
class HostInput:
    name: str
    zone: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    cpu_ratio: float = 4.0
    ram_ratio: float = 1.0
    disk_ratio: float = 1.0
    traits: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FlavorInput:
    name: str
    vcpus: int
    ram_mib: int
    disk_gib: int = 0
    family: str | None = None
    size_units: int | None = None
    extra_specs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FlavorSpec:
    id: str
    name: str
    vcpus: int
    ram_mib: int
    disk_gib: int


@dataclass(frozen=True)
class ImageSpec:
    id: str
    name: str
    min_disk_gib: int


def _positive(errors: list[FieldError], **values: float) -> None:
    for name, value in values.items():
        if value is None or value <= 0:
            errors.append(FieldError(name, "must be greater than zero"))


class CatalogService:
    def __init__(self, clock: Clock, tenancy: TenancyService) -> None:
        self.clock = clock
        self.tenancy = tenancy
        # Flavors, images and regions are never updated or deleted once created, so what a
        # reference resolved to stays true for the life of the process. Only hits are kept:
        # a new flavor is found on its first use. (An update or delete API must clear this.)
        self._resolved: dict[tuple[str, str], Any] = {}

    def _cached(self, kind: str, ref: str, load: Any) -> Any:
        found = self._resolved.get((kind, ref))
        if found is None:
            found = load()
            if found is not None:
                self._resolved[(kind, ref)] = found
        return found

    def flavor_spec(self, session: Session, ref: str) -> FlavorSpec | None:
        """The boot-time view of a flavor, by id or name; cached (see __init__)."""

        def load() -> FlavorSpec | None:
            row = store.by_id_or_name(session, Flavor, ref)
            return row and FlavorSpec(row.id, row.name, row.vcpus, row.ram_mib, row.disk_gib)

        return self._cached("flavor", ref, load)  # type: ignore[no-any-return]

    def image_spec(self, session: Session, ref: str) -> ImageSpec | None:
        def load() -> ImageSpec | None:
            row = store.by_id_or_name(session, Image, ref)
            return row and ImageSpec(row.id, row.name, row.min_disk_gib)

        return self._cached("image", ref, load)  # type: ignore[no-any-return]

    def region_code(self, session: Session, ref: str) -> str:
        return self._cached("region", ref, lambda: self.region(session, ref).code)  # type: ignore[no-any-return]

    def _manage(
        self, session: Session, caller: Caller, action: str, kind: str, obj_id: str
    ) -> None:
        if not allowed(caller.actor, Permission.MANAGE_CATALOG):
            raise Forbidden("only operator administrators manage the catalog")
        self.tenancy.audit(session, caller, action, kind, obj_id, TenantRef())

    # -- regions and zones -----------------------------------------------------
    def create_region(
        self,
        session: Session,
        caller: Caller,
        *,
        code: str,
        name: str,
        country: str,
        territory: str,
        certifications: list[str],
    ) -> Region:
        errors = []
        if not code or len(code) > 30:
            errors.append(FieldError("code", "must be 1 to 30 characters"))
        if len(country or "") != 2:
            errors.append(FieldError("country", "must be an ISO 3166-1 alpha-2 code"))
        if not territory.upper().startswith(f"{(country or '').upper()}-"):
            errors.append(FieldError("territory", "must be an ISO 3166-2 code of the country"))
        if errors:
            raise ValidationFailed(errors)
        region = Region(
            id=new_id(),
            code=code,
            name=name,
            country=country.upper(),
            territory=territory.upper(),
            certifications=list(certifications),
            created_at=self.clock.now(),
        )
        self._manage(session, caller, "region.create", "region", region.id)
        insert_unique(session, region, "a region with this code exists")
        return region

    def create_zone(
        self, session: Session, caller: Caller, *, region: str, code: str, name: str
    ) -> Zone:
        found = self.region(session, region)
        zone = Zone(
            id=new_id(),
            code=code,
            region_code=found.code,
            name=name or code,
            created_at=self.clock.now(),
        )
        self._manage(session, caller, "zone.create", "zone", zone.id)
        insert_unique(session, zone, "a zone with this code exists")
        return zone

    def region(self, session: Session, ref: str) -> Region:
        found = store.by_id_or_name(session, Region, ref, "code")
        if found is None:
            raise NotFound("region", ref)
        return found  # type: ignore[no-any-return]

    def zone(self, session: Session, ref: str) -> Zone:
        found = store.by_id_or_name(session, Zone, ref, "code")
        if found is None:
            raise NotFound("zone", ref)
        return found  # type: ignore[no-any-return]

    def list_regions(self, session: Session, *, limit: int, marker: str | None) -> list[Region]:
        return scoped_page(session, Region, None, limit=limit, marker=marker)

    def list_zones(
        self, session: Session, *, limit: int, marker: str | None, region: str | None = None
    ) -> list[Zone]:
        return scoped_page(
            session, Zone, None, limit=limit, marker=marker, filters={"region_code": region}
        )

    def list_flavors(
        self, session: Session, *, limit: int, marker: str | None, family: str | None = None
    ) -> list[Flavor]:
        return scoped_page(
            session, Flavor, None, limit=limit, marker=marker, filters={"family": family}
        )

    def list_images(self, session: Session, *, limit: int, marker: str | None) -> list[Image]:
        return scoped_page(session, Image, None, limit=limit, marker=marker)

    def all_regions(self, session: Session) -> list[Region]:
        return list(session.scalars(select(Region).order_by(Region.code)))

    # -- hosts -----------------------------------------------------------------
    def create_host(self, session: Session, caller: Caller, data: HostInput) -> Host:
        errors: list[FieldError] = []
        _positive(
            errors,
            vcpus=data.vcpus,
            ram_mib=data.ram_mib,
            disk_gib=data.disk_gib,
            cpu_ratio=data.cpu_ratio,
            ram_ratio=data.ram_ratio,
            disk_ratio=data.disk_ratio,
        )
        if errors:
            raise ValidationFailed(errors)
        zone = self.zone(session, data.zone)
        host = Host(
            id=new_id(),
            name=data.name,
            region_code=zone.region_code,
            zone_code=zone.code,
            vcpus=data.vcpus,
            ram_mib=data.ram_mib,
            disk_gib=data.disk_gib,
            cpu_ratio=data.cpu_ratio,
            ram_ratio=data.ram_ratio,
            disk_ratio=data.disk_ratio,
            traits=sorted(set(data.traits)),
            enabled=True,
            maintenance=False,
            used_vcpus=0,
            used_ram_mib=0,
            used_disk_gib=0,
            instances=0,
            created_at=self.clock.now(),
        )
        self._manage(session, caller, "host.create", "host", host.id)
        insert_unique(session, host, "a host with this name exists")
        return host

    def host(self, session: Session, caller: Caller, ref: str) -> Host:
        if not allowed(caller.actor, Permission.READ_HOSTS):
            raise NotFound("host", ref)
        found = store.by_id_or_name(session, Host, ref)
        if found is None:
            raise NotFound("host", ref)
        return found  # type: ignore[no-any-return]

    def list_hosts(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        region: str | None = None,
        zone: str | None = None,
    ) -> list[Host]:
        if not allowed(caller.actor, Permission.READ_HOSTS):
            return []
        return scoped_page(
            session,
            Host,
            None,
            limit=limit,
            marker=marker,
            filters={"region_code": region, "zone_code": zone},
        )

    def update_host(
        self, session: Session, caller: Caller, ref: str, changes: dict[str, Any]
    ) -> Host:
        host = self.host(session, caller, ref)
        for flag in ("enabled", "maintenance"):
            if flag in changes:
                if not isinstance(changes[flag], bool):
                    raise ValidationFailed.one(flag, "must be true or false")
                setattr(host, flag, changes[flag])
        self._manage(session, caller, "host.update", "host", host.id)
        return host

    # -- flavors and images ----------------------------------------------------
    def create_flavor(self, session: Session, caller: Caller, data: FlavorInput) -> Flavor:
        errors: list[FieldError] = []
        _positive(errors, vcpus=data.vcpus, ram_mib=data.ram_mib)
        if data.disk_gib < 0:
            errors.append(FieldError("disk_gib", "must not be negative"))
        if data.name.startswith("SCS-") and not errors:
            errors.extend(_scs_promise(data))
        if errors:
            raise ValidationFailed(errors)
        specs = dict(data.extra_specs)
        if data.name.startswith("SCS-"):  # the specs scs-0103 checks, from the name
            specs = {**catalog_entry(data.name)["extra_specs"], **specs}  # type: ignore[dict-item]
        cpu_type = specs.get("scs:cpu-type", "shared-core")
        flavor = Flavor(
            id=new_id(),
            name=data.name,
            vcpus=data.vcpus,
            ram_mib=data.ram_mib,
            disk_gib=data.disk_gib,
            family=data.family or family_of(cpu_type, data.vcpus, data.ram_mib),
            size_units=data.size_units or data.vcpus,
            extra_specs=specs,
            is_public=True,
            created_at=self.clock.now(),
        )
        self._manage(session, caller, "flavor.create", "flavor", flavor.id)
        insert_unique(session, flavor, "a flavor with this name exists")
        return flavor

    def flavor(self, session: Session, ref: str) -> Flavor:
        found = store.by_id_or_name(session, Flavor, ref)
        if found is None:
            raise NotFound("flavor", ref)
        return found  # type: ignore[no-any-return]

    def create_image(
        self,
        session: Session,
        caller: Caller,
        *,
        name: str,
        os_distro: str,
        os_version: str,
        min_disk_gib: int,
        min_ram_mib: int,
        properties: dict[str, Any],
    ) -> Image:
        if min_disk_gib < 1:
            raise ValidationFailed.one("min_disk_gib", "must be at least 1")
        image = Image(
            id=new_id(),
            name=name,
            os_distro=os_distro,
            os_version=os_version,
            min_disk_gib=min_disk_gib,
            min_ram_mib=min_ram_mib,
            properties=dict(properties),
            created_at=self.clock.now(),
        )
        self._manage(session, caller, "image.create", "image", image.id)
        insert_unique(session, image, "image could not be stored")
        return image

    def image(self, session: Session, ref: str) -> Image:
        found = store.by_id_or_name(session, Image, ref)
        if found is None:
            raise NotFound("image", ref)
        return found  # type: ignore[no-any-return]


def _scs_promise(data: FlavorInput) -> list[FieldError]:
    """A flavor named SCS-… must parse and deliver at least what its name promises."""
    try:
        promised = parse_scs_name(data.name)
    except ValueError as exc:
        return [FieldError("name", str(exc))]
    errors = []
    if data.vcpus < promised.vcpus:
        errors.append(FieldError("vcpus", f"name promises {promised.vcpus} vCPUs"))
    if data.ram_mib < promised.ram_mib:
        errors.append(FieldError("ram_mib", f"name promises {promised.ram_mib} MiB"))
    if promised.disk_gb and data.disk_gib < promised.disk_gb:
        errors.append(FieldError("disk_gib", f"name promises {promised.disk_gb} GB"))
    return errors
