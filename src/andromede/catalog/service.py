"""Use cases of the catalog. Operators manage it; every authenticated user may read it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog import store
from andromede.catalog.flavor_names import catalog_entry, family_of, parse_scs_name
from andromede.catalog.image_store import PUBLIC
from andromede.catalog.store import Flavor, Image, Region, Zone
from andromede.db import insert_unique, scoped_page
from andromede.kernel.bounds import positive
from andromede.kernel.clock import Clock
from andromede.kernel.errors import FieldError, Forbidden, NotFound, ValidationFailed
from andromede.kernel.eu import EU_COUNTRIES
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller, Permission, allowed
from andromede.tenancy.service import TenancyService

__all__ = [
    "CatalogService",
    "Flavor",
    "FlavorInput",
    "FlavorSpec",
    "Image",
    "ImageSpec",
    "Region",
    "Zone",
]

T = TypeVar("T")


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


class CatalogService:
    def __init__(self, clock: Clock, tenancy: TenancyService, operator_name: str = "") -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.operator_name = operator_name  # who runs a region unless told otherwise
        # Flavors, images and regions are never updated or deleted once created, so what a
        # reference resolved to stays true for the life of the process. Only hits are kept:
        # a new flavor is found on its first use. (An update or delete API must clear this.)
        self._resolved: dict[tuple[str, str], Any] = {}

    def _cached(self, kind: str, ref: str, load: Callable[[], T | None]) -> T | None:
        found: T | None = self._resolved.get((kind, ref))
        if found is None:
            found = load()
            if found is not None:
                self._resolved[(kind, ref)] = found
        return found

    def flavor_spec(self, session: Session, ref: str) -> FlavorSpec | None:
        """The boot-time view of a flavor, by id or name; cached (see __init__)."""

        def load() -> FlavorSpec | None:
            row = store.by_id_or_name(session, Flavor, ref)
            if row is None:
                return None
            return FlavorSpec(row.id, row.name, row.vcpus, row.ram_mib, row.disk_gib)

        return self._cached("flavor", ref, load)

    def image_spec(self, session: Session, ref: str) -> ImageSpec | None:
        def load() -> ImageSpec | None:
            row = store.by_id_or_name(session, Image, ref, where=PUBLIC)
            return None if row is None else ImageSpec(row.id, row.name, row.min_disk_gib)

        return self._cached("image", ref, load)

    def image_name(self, session: Session, image_id: str) -> str:
        """Any image's name by id, the catalog's or a customer's (what a driver is told
        to boot; not cached: a customer's image may be renamed)."""
        found = self.image_record(session, image_id)
        return found.name if found is not None else ""

    def image_record(self, session: Session, image_id: str) -> Image | None:
        """Any image by id, the catalog's or a customer's, as it is now."""
        return session.get(Image, image_id)

    def region_code(self, session: Session, ref: str) -> str:
        code = self._cached("region", ref, lambda: self.region(session, ref).code)
        assert code is not None  # region() raises NotFound rather than answer None
        return code

    def manage(
        self, session: Session, caller: Caller, action: AuditAction, kind: str, obj_id: str
    ) -> None:
        """Only operator administrators change what the cloud is made of (regions, zones,
        hosts, flavors, images); every change is audited."""
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
        legal_entity: str | None = None,
        jurisdiction: str | None = None,
        sovereign: bool = True,
    ) -> Region:
        """A region states who runs it and whose law applies; one outside the EU exists
        only flagged non-sovereign, and a non-sovereign region claims no SecNumCloud."""
        country, jurisdiction = (country or "").upper(), (jurisdiction or country or "").upper()
        errors = _region_errors(code, country, territory, jurisdiction)
        if len(legal_entity or "") > 200:
            errors.append(FieldError("legal_entity", "must be at most 200 characters"))
        well_formed = len(jurisdiction) == 2 and jurisdiction.isalpha()
        if (
            sovereign
            and well_formed
            and country in EU_COUNTRIES
            and jurisdiction not in EU_COUNTRIES
        ):
            errors.append(FieldError("jurisdiction", "a sovereign region is under EU law"))
        if sovereign and len(country) == 2 and country not in EU_COUNTRIES:
            errors.append(
                FieldError("country", "outside the EU: only a region with sovereign false")
            )
        if not sovereign and "secnumcloud" in certifications:
            errors.append(FieldError("certifications", "a non-sovereign region cannot hold it"))
        if errors:
            raise ValidationFailed(errors)
        region = Region(
            id=new_id(),
            code=code,
            name=name,
            country=country,
            territory=territory.upper(),
            certifications=list(certifications),
            created_at=self.clock.now(),
            legal_entity=(legal_entity or self.operator_name).strip(),
            jurisdiction=jurisdiction,
            sovereign=sovereign,
        )
        self.manage(session, caller, AuditAction.REGION_CREATE, "region", region.id)
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
        self.manage(session, caller, AuditAction.ZONE_CREATE, "zone", zone.id)
        insert_unique(session, zone, "a zone with this code exists")
        return zone

    def region(self, session: Session, ref: str) -> Region:
        found = store.by_id_or_name(session, Region, ref, "code")
        if found is None:
            raise NotFound("region", ref)
        return found

    def zone(self, session: Session, ref: str) -> Zone:
        found = self.find_zone(session, ref)
        if found is None:
            raise NotFound("zone", ref)
        return found

    def find_zone(self, session: Session, ref: str) -> Zone | None:
        """By id or code; None lets the caller name the field that was wrong."""
        found: Zone | None = store.by_id_or_name(session, Zone, ref, "code")
        return found

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
        return scoped_page(session, Image, None, limit=limit, marker=marker, where=(PUBLIC,))

    def all_regions(self, session: Session) -> list[Region]:
        return list(session.scalars(select(Region).order_by(Region.code)))

    def region_ordinal(self, session: Session, code: str) -> int:
        """The region's place among the regions in the order they were opened: stable
        while regions are added, the same in two deployments that opened the same ones."""
        opened = session.scalars(select(Region.code).order_by(Region.created_at, Region.code))
        return next((k for k, found in enumerate(opened) if found == code), 0)

    def all_flavors(self, session: Session) -> list[Flavor]:
        """Every flavor, for prices, reports and the OpenStack face's own paging: the
        catalog's own size, not a page."""
        return list(session.scalars(select(Flavor).order_by(Flavor.id)))

    def all_images(self, session: Session) -> list[Image]:
        """The operator's catalog images (customers' own are the image service's)."""
        return list(session.scalars(select(Image).where(PUBLIC).order_by(Image.id)))

    def zones_with_regions(self, session: Session) -> list[tuple[Zone, Region]]:
        """Each zone with its region, in one query."""
        query = select(Zone, Region).join(Region, Region.code == Zone.region_code)
        return [(z, r) for z, r in session.execute(query.order_by(Zone.id))]

    def zone_places(
        self, session: Session, region: str
    ) -> list[tuple[str, str, str, str, list[str]]]:
        """(region, zone, country, territory, certifications) of each of the region's
        zones, as plain values: what a create's residency check weighs, read by a statement
        built once."""
        rows = session.execute(_ZONE_PLACES, {"region": region})
        return [(r, z, c, t, list(certs or [])) for r, z, c, t, certs in rows]

    def all_zones(self, session: Session, region: str | None = None) -> list[Zone]:
        query = select(Zone).order_by(Zone.id)
        if region is not None:
            query = query.where(Zone.region_code == region)
        return list(session.scalars(query))

    # -- flavors and images ----------------------------------------------------
    def create_flavor(self, session: Session, caller: Caller, data: FlavorInput) -> Flavor:
        errors: list[FieldError] = []
        positive(errors, vcpus=data.vcpus, ram_mib=data.ram_mib)
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
        self.manage(session, caller, AuditAction.FLAVOR_CREATE, "flavor", flavor.id)
        insert_unique(session, flavor, "a flavor with this name exists")
        return flavor

    def flavor(self, session: Session, ref: str) -> Flavor:
        found = store.by_id_or_name(session, Flavor, ref)
        if found is None:
            raise NotFound("flavor", ref)
        return found

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
        self.manage(session, caller, AuditAction.IMAGE_CREATE, "image", image.id)
        insert_unique(session, image, "image could not be stored")
        return image

    def image(self, session: Session, ref: str) -> Image:
        found = store.by_id_or_name(session, Image, ref, where=PUBLIC)
        if found is None:
            raise NotFound("image", ref)
        return found


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


def _region_errors(code: str, country: str, territory: str, jurisdiction: str) -> list[FieldError]:
    errors = []
    if not code or len(code) > 30:
        errors.append(FieldError("code", "must be 1 to 30 characters"))
    if len(country) != 2:
        errors.append(FieldError("country", "must be an ISO 3166-1 alpha-2 code"))
    if not territory.upper().startswith(f"{country}-"):
        errors.append(FieldError("territory", "must be an ISO 3166-2 code of the country"))
    if len(jurisdiction) != 2 or not jurisdiction.isalpha():
        errors.append(FieldError("jurisdiction", "must be an ISO 3166-1 alpha-2 code"))
    return errors


_ZONE_PLACES = (
    select(Zone.region_code, Zone.code, Region.country, Region.territory, Region.certifications)
    .join(Region, Region.code == Zone.region_code)
    .where(Zone.region_code == bindparam("region"))
    .order_by(Zone.id)
)
