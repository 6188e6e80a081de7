"""Demo data: three French regions, SCS flavors, images, partners, customers, servers.

Everything is created through the services, exactly as the API would, so the demo doubles
as a smoke test of the whole write path.
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from stdnum import luhn

from andromede.billing.plan_service import seed_targets
from andromede.bootstrap import App
from andromede.catalog.flavor_names import STANDARD_FLAVORS, catalog_entry
from andromede.catalog.service import FlavorInput
from andromede.compute.host_service import HostInput
from andromede.compute.server_service import ServerRequest
from andromede.kernel.errors import PolicyViolation
from andromede.prepaid.reservation_service import Purchase
from andromede.schedules.service import ScheduleInput
from andromede.sovereignty.service import PolicyInput
from andromede.storage.service import PoolInput
from andromede.tenancy.identity import fr_vat_key
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.service import CustomerInput, PartnerInput
from andromede.tenancy.vetting import Vetting

__all__ = ["DEMO_PASSWORD", "load_demo", "siren_from"]

DEMO_PASSWORD = "demo-password-2026"
# staff accounts are named for a person (SecNumCloud 9.2.b): the demo's two
DEMO_ADMIN = "cmartin"
DEMO_SUPPORT = "lbernard"
REGIONS = [
    ("fr-par-1", "Paris", "FR-IDF", ["secnumcloud", "hds", "iso27001"]),
    ("fr-rns-1", "Rennes", "FR-BRE", ["hds", "iso27001"]),
    ("fr-lyo-1", "Lyon", "FR-ARA", ["secnumcloud", "iso27001"]),
]
HOSTS_PER_ZONE = 12
IMAGES = [
    ("debian-12", "debian", "12", 4),
    ("ubuntu-24.04", "ubuntu", "24.04", 5),
    ("rocky-9", "rocky", "9", 10),
    ("cirros", "cirros", "0.6", 1),
]


def siren_from(prefix8: str) -> str:
    return prefix8 + luhn.calc_check_digit(prefix8)


def siret_of(siren: str, establishment: str = "0001") -> str:
    """The SIRET of an establishment: SIREN, 4 digits, a Luhn check digit on all 14."""
    body = siren + establishment
    return body + luhn.calc_check_digit(body)


def fr_identity(prefix8: str) -> tuple[str, str]:
    siren = siren_from(prefix8)
    return siren, f"FR{fr_vat_key(siren)}{siren}"


def _image_properties(distro: str, version: str, min_disk: int) -> dict[str, object]:
    return {
        "architecture": "x86_64",
        "os_distro": distro,
        "os_version": version,
        "min_disk": min_disk,
        "min_ram": 512,
        "hw_disk_bus": "virtio",
        "image_build_date": "2026-11-01",
        "image_original_user": distro,
        "image_source": "private",
        "image_description": f"{distro} {version} generic cloud",
        "replace_frequency": "monthly",
        "provided_until": "none",
        "uuid_validity": "none",
        "os_purpose": "generic",
    }


VOLUME_TYPES = ["ssd", "ssd-replicated"]  # a 200 TiB Ceph pool per zone serves both
POOL_GIB = 200 * 1024


def load_catalog(app: App, caller: Caller, hosts_per_zone: int = HOSTS_PER_ZONE) -> None:
    with app.uow() as s:
        for code, city, territory, certs in REGIONS:
            app.catalog.create_region(
                s,
                caller,
                code=code,
                name=city,
                country="FR",
                territory=territory,
                certifications=certs,
            )
            label = "secnumcloud" if "secnumcloud" in certs else None
            for kind in VOLUME_TYPES:
                app.storage.create_type(s, caller, region=code, name=kind, certification=label)
            for letter in "ab":
                zone = app.catalog.create_zone(
                    s, caller, region=code, code=f"{code}{letter}", name=f"{city} {letter.upper()}"
                )
                pool = PoolInput(
                    f"{zone.code}-ceph",
                    zone.code,
                    "ceph-rbd",
                    VOLUME_TYPES,
                    204_800,
                    Decimal("1.5"),
                )
                app.storage.create_pool(s, caller, pool)
                for n in range(hosts_per_zone):
                    app.hosts.create_host(
                        s,
                        caller,
                        HostInput(
                            name=f"{zone.code}-hv{n:03d}",
                            zone=zone.code,
                            vcpus=64,
                            ram_mib=512 * 1024,
                            disk_gib=4000,
                            traits=["ssd", "avx512"] if n % 3 else ["ssd"],
                        ),
                    )
        for name in STANDARD_FLAVORS:
            entry = catalog_entry(name)
            app.catalog.create_flavor(s, caller, FlavorInput(**entry))  # type: ignore[arg-type]
        for name, distro, version, min_disk in IMAGES:
            app.catalog.create_image(
                s,
                caller,
                name=name,
                os_distro=distro,
                os_version=version,
                min_disk_gib=min_disk,
                min_ram_mib=512,
                properties=_image_properties(distro, version, min_disk),
            )


PARTNERS = [
    ("Numéria Conseil", "reseller", "silver", "41287654"),
    ("Armor Infogérance", "msp", "gold", "52398765"),
    ("Logiciel Saphir", "isv", "registered", "63409876"),
    ("Andromède Direct", "house", "house", "74510987"),
]
CUSTOMERS = [  # partner index, name, SIREN prefix (None: German customer), public sector
    (0, "Brasserie Lumière SAS", "81234567", False),
    (0, "Atelier Numérique SARL", "82345678", False),
    (1, "Commune de Ploubalay", "21220203", True),
    (1, "Clinique des Tilleuls", "83456789", False),
    (2, "Bergmann Logistik GmbH", None, False),
    (3, "Nébuleuse Labs SAS", "84567890", False),
]


def load_demo(app: App) -> list[tuple[str, str, str]]:
    """Returns (username, password, role) of every demo login."""
    logins: list[tuple[str, str, str]] = []
    with app.uow() as s:
        admin = app.users.ensure_admin(
            s, app.settings.admin_username or DEMO_ADMIN, app.settings.admin_password
        )
        vetted_until = app.clock.now() + timedelta(days=365)  # the demo's staff are vetted
        caller = Caller(Actor(admin.id, "system:demo", Role.OPERATOR_ADMIN, system=True), "demo")
        app.users.vet(s, caller, admin.id, "enhanced", vetted_until, "FR")
        admin_name = admin.username
    logins.append((admin_name, app.settings.admin_password, "operator-admin"))
    load_catalog(app, caller)
    with app.uow() as s:
        app.users.create_user(
            s,
            caller,
            username=DEMO_SUPPORT,
            password=DEMO_PASSWORD,
            role="operator-support",
            org_id=None,
            vetting=Vetting("enhanced", vetted_until, "FR"),
            person=f"{DEMO_SUPPORT}@operator.example",
        )
        logins.append((DEMO_SUPPORT, DEMO_PASSWORD, "operator-support"))
        partners = []
        for name, kind, tier, prefix in PARTNERS:
            siren, vat = fr_identity(prefix)
            partner = app.tenancy.create_partner(
                s,
                caller,
                PartnerInput(
                    name=name,
                    kind=kind,
                    tier=tier,
                    country="FR",
                    address=f"1 rue {name}, France",
                    siren=siren,
                    vat_number=vat,
                    billing_mandate_accepted_on=app.clock.now().date(),
                ),
            )
            partners.append(partner)
            if kind != "house":
                user = f"{name.split()[0].lower().replace('é', 'e')}-admin"
                app.users.create_user(
                    s,
                    caller,
                    username=user,
                    password=DEMO_PASSWORD,
                    role="partner-admin",
                    org_id=partner.id,
                    person=f"{user}@partner.example",
                )
                logins.append((user, DEMO_PASSWORD, f"partner-admin of {name}"))
        customers = []
        for index, name, siren_prefix, public in CUSTOMERS:
            if siren_prefix:
                siren, vat = fr_identity(siren_prefix)
                data = CustomerInput(
                    name=name,
                    country="FR",
                    address=f"{name}, France",
                    siren=siren,
                    vat_number=vat,
                    public_sector=public,
                    # a public buyer: Chorus Pro reaches it by SIRET and wants its service
                    siret=siret_of(siren) if public else None,
                    service_code="SERVICE-FINANCES" if public else None,
                    requires_service_code=public,
                )
            else:
                data = CustomerInput(
                    name=name,
                    country="DE",
                    address="Hafenstraße 1, Hamburg",
                    vat_number="DE136695976",
                )
            customer = app.tenancy.create_customer(s, caller, partners[index].id, data)
            customers.append(customer)
            slug = name.split()[0].lower().replace("é", "e").replace("è", "e")
            for role in ("customer-admin", "customer-member", "customer-viewer"):
                username = f"{slug}-{role.split('-')[1]}"
                app.users.create_user(
                    s,
                    caller,
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    org_id=customer.id,
                    person=f"{username}@customer.example",
                )
                logins.append((username, DEMO_PASSWORD, f"{role} of {name}"))
            for project in ("production", "staging"):
                app.tenancy.create_project(s, caller, customer.id, project)
            if public:  # a local authority keeps its data in its own region (Brittany)
                app.sovereignty.set_policy(
                    s, caller, PolicyInput("customer", customer.id, allow=("in:FR-BRE",))
                )
    _demo_servers(app, caller)
    _demo_reserved(app, caller, [c.id for c in customers if c.public_sector])
    _demo_schedule(app, caller, next(c.id for c in customers if c.name.startswith("Brasserie")))
    _demo_cluster_templates(app, caller)
    _demo_reference_prices(app, caller)
    with app.uow() as s:  # the seed business plan: 10,000 servers, 200 M EUR a year
        app.plans.seed(s, seed_targets(app.clock.now().date(), 10_000, Decimal(200_000_000)))
    return logins


DEMO_CLUSTERS = {
    "spark-small": (
        "Spark standalone: a master and two workers",
        {"engine": "spark", "version": "4.0", "image": "debian-12", "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-2V-4", "count": 1},
            {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": 2}]},
    ),
    "hadoop-small": (
        "Hadoop YARN + HDFS with Spark on YARN: three core nodes, task nodes to add",
        {"engine": "hadoop", "version": "3.4", "image": "debian-12", "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-4V-16", "count": 1},
            {"name": "core", "role": "core", "flavor": "SCS-4V-16", "count": 3},
            {"name": "task", "role": "task", "flavor": "SCS-2V-4", "count": 0}]},
    ),
}  # fmt: skip


def _demo_cluster_templates(app: App, caller: Caller) -> None:
    """The operator's cluster templates, for every customer to start from."""
    with app.uow() as s:
        for name, (description, body) in DEMO_CLUSTERS.items():
            app.clusters.create_template(s, caller, name, body, description)


EXAMPLE_PRICE_LISTS = Path(__file__).resolve().parents[3] / "examples" / "price-lists"


# Paris list prices 5 % under their November m6i prices, so their December cut moves them
DEMO_ALIGNED = {"compute:SCS-2V-8:fr-par-1": "0.0979", "compute:SCS-4V-16:fr-par-1": "0.1958"}


def _demo_reference_prices(app: App, caller: Caller) -> None:
    """Their price lists before and after a cut (illustrative prices in their format),
    when the examples are beside the code (a checkout)."""
    for name in ("ec2-eu-west-3-2026-11.json", "ec2-eu-west-3-2026-12.csv"):
        path = EXAMPLE_PRICE_LISTS / name
        if path.is_file():
            with app.uow() as s:
                app.alignment.import_list(
                    s, caller, path.read_bytes(), region="eu-west-3", rate="0.92",
                    rate_date=date(2026, 10, 30),
                )  # fmt: skip
    with app.uow() as s:
        for sku, value in DEMO_ALIGNED.items():
            app.prices.set_price(
                s, caller, layer="list", kind="price", scope="", sku=sku, value=value,
                effective_from=None,
            )  # fmt: skip


def _demo_schedule(app: App, caller: Caller, customer_id: str) -> None:
    """A Dev & Test habit: the brewery's test server (web-3) runs on office hours."""
    office = ScheduleInput(
        name="office-hours",
        periods=[
            {"begin": "08:00", "end": "19:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}
        ],
        holidays="FR",
        description="test servers: on during office hours only",
    )
    with app.uow() as s:
        app.schedules.create(s, caller, office, customer_id=customer_id)
        servers, _, _ = app.servers.customer_inventory(s, customer_id)
        test_server = next(x.id for x in servers if x.name == "web-3")
        app.tags.set_tags(s, caller, test_server, ["schedule=office-hours", "env=test"])


def _demo_reserved(app: App, caller: Caller, public: list[str]) -> None:
    """A local authority buys up front: a one-year reservation covering its SCS-2V-4
    server, and a prepaid commitment with its partner's 3 % bonus."""
    with app.uow() as s:
        for customer_id in public:
            servers, _, _ = app.servers.customer_inventory(s, customer_id)
            region = next(x.region_code for x in servers if x.name == "web-1")
            purchase = Purchase(customer_id, "SCS-2V-4", region, 1, "1y", "all-upfront")
            reservation = app.reservations.buy(s, caller, purchase)
            commitment = app.commitments.buy(
                s, caller, customer_id=customer_id, amount="5000.00", months=12, bonus="0.03"
            )
            for bought in (reservation.id, commitment.id):  # invoiced with the purchase
                app.issuing.issue_prepaid(s, bought)


def _demo_servers(app: App, caller: Caller) -> None:
    plan = [("SCS-2V-4", "debian-12"), ("SCS-4V-16", "ubuntu-24.04"), ("SCS-2V-4-20s", "cirros")]
    with app.uow() as s:
        projects = app.tenancy.list_projects(s, caller, limit=100, marker=None)
        for i, project in enumerate(sorted(projects, key=lambda p: (p.customer_id, p.name))):
            if project.name != "production":
                continue
            region = REGIONS[i % len(REGIONS)][0]
            try:
                app.sovereignty.allowed_zones(s, project, region, None)
            except PolicyViolation:  # the customer's policy keeps it elsewhere
                region = app.servers.region_for(s, caller, project.id, None)
            for j, (flavor, image) in enumerate(plan):
                app.servers.create_server(
                    s,
                    caller,
                    ServerRequest(
                        project_id=project.id,
                        name=f"web-{j + 1}",
                        flavor=flavor,
                        image=image,
                        region=region,
                    ),
                )
