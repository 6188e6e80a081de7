"""Composition root: settings → engine, clock, drivers, services. Nothing else wires."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import andromede.leases  # noqa: F401  (its table is part of the schema the app runs on)
from andromede.alignment.service import AlignmentService
from andromede.audit import store as audit_store
from andromede.billing.invoice_service import InvoiceService
from andromede.billing.invoicing import Party
from andromede.billing.issue_service import IssueService
from andromede.billing.payment_service import PaymentService
from andromede.billing.plan_service import PlanService
from andromede.billing.rating_service import RatingService
from andromede.billing.report_service import ReportService
from andromede.billing.reservation_report_service import ReservationReports
from andromede.billing.statements import Operator
from andromede.catalog import image_store
from andromede.catalog.image_bytes import ImageBytes
from andromede.catalog.image_service import ImageService
from andromede.catalog.price_service import PriceService
from andromede.catalog.service import CatalogService
from andromede.clusters.jobs import JobService
from andromede.clusters.runtime import ClusterRuntime, LocalSpark
from andromede.clusters.service import ClusterService
from andromede.compute.console_service import ConsoleService
from andromede.compute.drivers.base import Driver
from andromede.compute.drivers.openstack import OpenStackDriver
from andromede.compute.drivers.sim import SimDriver
from andromede.compute.floating_ip_service import FloatingIpService
from andromede.compute.host_service import HostService
from andromede.compute.keypair_service import KeypairService
from andromede.compute.maintenance_service import MaintenanceService
from andromede.compute.network_service import NetworkService
from andromede.compute.port_service import PortService
from andromede.compute.quota_service import QuotaDefaults, QuotaService
from andromede.compute.reconciler import Reconciler
from andromede.compute.router_service import RouterService
from andromede.compute.security_group_service import SecurityGroupService
from andromede.compute.server_service import ServerService
from andromede.compute.tag_service import TagService
from andromede.compute.virtual_networks import Places, VirtualNetworkService
from andromede.compute.volume_attach_service import VolumeAttachService
from andromede.config import Settings
from andromede.db import UnitOfWork, make_engine, server_now
from andromede.documents.platforms import PlatformAdapter, adapter_from
from andromede.documents.service import DocumentService
from andromede.kernel.clock import Clock, MonotonicClock, SystemClock, clock_skew
from andromede.kernel.turns import Turns
from andromede.metering.service import MeteringService
from andromede.offboarding.service import OffboardingService
from andromede.prepaid.commitment_service import CommitmentService
from andromede.prepaid.reservation_pricing import default_prices
from andromede.prepaid.reservation_service import ReservationService
from andromede.schedules.environments import EnvironmentService
from andromede.schedules.scheduler import Scheduler
from andromede.schedules.service import ScheduleService
from andromede.sovereignty.access_service import AccessService
from andromede.sovereignty.certificates import Certificate, inventory
from andromede.sovereignty.egress import install as install_egress_guard
from andromede.sovereignty.key_service import KeyService
from andromede.sovereignty.kms import FileKms, Kms
from andromede.sovereignty.legal_service import LegalService
from andromede.sovereignty.service import SovereigntyService
from andromede.sovereignty.sinks import (
    Sink,
    SinkVerdict,
    host_of,
    judge_sinks,
    parse_pairs,
    without_secrets,
)
from andromede.sovereignty.staff_origin import parse_networks
from andromede.storage.backup_service import BackupService
from andromede.storage.service import StorageService
from andromede.storage.snapshot_service import SnapshotService
from andromede.storage.volume_image_service import VolumeImageService
from andromede.storage.volume_service import VolumeService
from andromede.tenancy.app_credentials import AppCredentialService
from andromede.tenancy.login_service import LoginRules, LoginService
from andromede.tenancy.passwords import Passwords
from andromede.tenancy.scope import Caller
from andromede.tenancy.secret_box import SecretBox
from andromede.tenancy.service import TenancyService
from andromede.tenancy.throttle import Window
from andromede.tenancy.user_service import UserService
from andromede.tenancy.webhook_service import WebhookService

__all__ = ["App", "build", "sim_state_path"]


@dataclass
class App:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    clock: Clock
    tenancy: TenancyService
    users: UserService
    catalog: CatalogService
    servers: ServerService
    keypairs: KeypairService
    networks: NetworkService
    security_groups: SecurityGroupService
    vnets: VirtualNetworkService
    ports: PortService
    routers: RouterService
    floating_ips: FloatingIpService
    images: ImageService
    hosts: HostService
    storage: StorageService
    volumes: VolumeService
    maintenances: MaintenanceService
    legal: LegalService
    webhooks: WebhookService
    snapshots: SnapshotService
    backups: BackupService
    volume_images: VolumeImageService
    attachments: VolumeAttachService
    driver: Driver
    reconciler: Reconciler
    metering: MeteringService
    prices: PriceService
    rating: RatingService
    issuing: IssueService
    invoices: InvoiceService
    reports: ReportService
    plans: PlanService
    sovereignty: SovereigntyService
    login: LoginService
    access: AccessService
    offboarding: OffboardingService
    reservations: ReservationService
    reservation_reports: ReservationReports
    commitments: CommitmentService
    payments: PaymentService
    documents: DocumentService
    tags: TagService
    consoles: ConsoleService
    schedules: ScheduleService
    scheduler: Scheduler
    environments: EnvironmentService
    clusters: ClusterService
    jobs: JobService
    alignment: AlignmentService
    app_credentials: AppCredentialService
    # Writing requests admitted at once in this process (``ANDROMEDE_WRITE_CONCURRENCY``).
    # Past a few, more in flight only queue inside the database, on the rows a create
    # claims (its host, its volume's pool) and on the audit log's lock, each holder
    # waiting its turn for the interpreter as well: PostgreSQL with 16 clients had a p95
    # over twice its median (about 510 against 195 ms). Admitted in turn, they wait here
    # instead, holding nothing, and in arrival order (``Turns``: a semaphore let late
    # arrivals barge ahead, which lengthened the tail).
    writes: Turns
    wall_clock: Clock = field(default_factory=SystemClock)  # the host's, even when simulating

    def clock_skew(self) -> timedelta:
        """How far this host's clock is from the database server's."""
        with self.uow(readonly=True) as session:
            before = self.wall_clock.now()
            database = server_now(session)
            after = self.wall_clock.now()
        return clock_skew(before, database, after)

    def sink_verdicts(self) -> list[SinkVerdict]:
        """Every outbound sink this deployment is configured with, and where it is."""
        return judge_configured(self.settings, configured_sinks(self.settings))

    def certificates(self) -> list[dict[str, str | None]]:
        """The certificate inventory: the configured PEM files and the OpenStack clouds'
        CA bundles, each certificate with its issuer's country."""
        store = Path(self.settings.trust_store)
        found, anchors = read_certificates(
            configured_pem_files(self.settings), [store] if store.is_file() else []
        )
        return inventory(found, self.clock.now(), anchors)

    def startup_refusals(self) -> list[str]:
        """Why serve or worker must not start: a clock off the database's, a sink outside
        the EU or of unknown country that was not waived."""
        try:
            sinks = [v for v in self.sink_verdicts() if v.refused]
        except ValueError as exc:
            return [str(exc)]
        refusals = [
            f"{v.sink.kind} {v.sink.target} is {v.where} "
            "(ANDROMEDE_SINK_COUNTRIES, or ANDROMEDE_SINK_WAIVERS to allow it knowingly)"
            for v in sinks
        ]
        clock = self.clock_refusal()
        return refusals + ([clock] if clock else [])

    def guard_egress(self) -> None:
        """With ANDROMEDE_EGRESS_GUARD: this process connects only to this machine and to
        the hosts of the sink registry (configured sinks, declared hosts)."""
        if not self.settings.egress_guard:
            return
        declared = parse_pairs(self.settings.sink_countries, "ANDROMEDE_SINK_COUNTRIES")
        configured = {s.host for s in configured_sinks(self.settings) if s.host}
        install_egress_guard(configured | set(declared))

    def hold_time_from_log(self) -> None:
        """A process that starts never writes an audit entry dated before the log's
        latest (its host's clock may lag another's by up to the allowed skew)."""
        if isinstance(self.clock, MonotonicClock):
            with self.uow(readonly=True) as session:
                latest = audit_store.latest_time(session)
            if latest is not None:
                self.clock.hold_from(latest)

    def clock_refusal(self) -> str | None:
        """Why this process must not run, if its clock is off: audit entries, tokens and
        invoices all carry its times (SecNumCloud 12.8)."""
        skew = self.clock_skew().total_seconds()
        allowed = self.settings.max_clock_skew_seconds
        if abs(skew) <= allowed:
            return None
        return (
            f"this host's clock is {skew:+.3f} s off the database server's "
            f"(allowed {allowed:g} s, ANDROMEDE_MAX_CLOCK_SKEW_SECONDS): synchronise it (NTP)"
        )


def beside_database(settings: Settings, suffix: str) -> Path | None:
    """A file next to the SQLite database (``andromede.db`` → ``andromede-<suffix>``), or
    None when the database is not a SQLite file."""
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        db = Path(url.removeprefix("sqlite:///"))
        return db.with_name(f"{db.stem}-{suffix}")
    return None


def cluster_runtime(settings: Settings) -> ClusterRuntime | None:
    """Where clusters' daemons and jobs run: nowhere (their nodes are configured by their
    user data, jobs are refused), or local Spark processes for the simulated region."""
    if settings.cluster_runtime != "local-spark":
        return None
    folder = settings.cluster_runtime_path or str(
        beside_database(settings, "spark") or Path("andromede-spark")
    )
    return LocalSpark(Path(folder))


def sim_state_path(settings: Settings) -> Path:
    """The simulated hypervisors keep their disks beside the SQLite database, or in the
    working directory when the control plane runs on PostgreSQL."""
    if settings.sim_state_path:
        return Path(settings.sim_state_path)
    return beside_database(settings, "hypervisors.sqlite") or Path("andromede-hypervisors.sqlite")


def image_store_path(settings: Settings) -> Path:
    """Customers' image bytes, a folder per region, beside the SQLite database (or in the
    working directory on PostgreSQL) unless configured."""
    if settings.image_store_path:
        return Path(settings.image_store_path)
    return beside_database(settings, "images") or Path("andromede-images")


def image_bytes(settings: Settings, uow: UnitOfWork, keys: KeyService) -> ImageBytes:
    """The image store, which seals a customer's image with its data key, unwrapped by
    the KMS when its bytes are written or read."""

    def key_of(image_id: str) -> bytes | None:
        with uow(readonly=True) as session:
            found = image_store.wrapped_key_of(session, image_id)
        return keys.unwrap(*found) if found else None

    return ImageBytes(image_store_path(settings), key_of)


def kms_of(settings: Settings) -> Kms:
    if settings.kms == "pkcs11":
        from andromede.sovereignty.pkcs11_kms import Pkcs11Kms

        return Pkcs11Kms(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin_file)
    return FileKms(kms_path(settings))


def kms_path(settings: Settings) -> Path:
    """The file KMS's folder: the configured one, beside the SQLite database, or
    ``andromede-kms`` in the working directory (set ANDROMEDE_KMS_DIR on PostgreSQL)."""
    if settings.kms_dir:
        return Path(settings.kms_dir)
    return beside_database(settings, "kms") or Path("andromede-kms")


def secrets_key_path(settings: Settings) -> Path | None:
    """The key that seals TOTP seeds: the configured file, or one beside the SQLite
    database (the embedded default); on PostgreSQL it must be configured."""
    if settings.secrets_key_file:
        return Path(settings.secrets_key_file)
    return beside_database(settings, "secrets.key")


def login_rules(settings: Settings) -> LoginRules:
    return LoginRules(
        token_ttl=timedelta(hours=settings.token_ttl_hours),
        staff_mfa_required=settings.staff_mfa == "required",
        max_failures=settings.login_max_failures,
        lock_for=timedelta(minutes=settings.login_lock_minutes),
        per_source=Window(settings.limit_logins_per_source, timedelta(minutes=1)),
        per_account=Window(settings.limit_logins_per_account, timedelta(minutes=1)),
        signups=Window(settings.limit_signups_per_source, timedelta(hours=1)),
        codes=Window(settings.limit_codes_per_account, timedelta(minutes=5)),
    )


def _openstack_driver(
    clouds_file: str, cloud: str, read_image: Callable[[str, str], Iterator[bytes]]
) -> Driver:
    """A region backed by an OpenStack cloud: the connection is made on first use;
    customers' images are sent to it from our store."""

    def connect() -> object:
        import openstack.config
        import openstack.connection

        config = openstack.config.OpenStackConfig(
            config_files=[clouds_file] if clouds_file else None
        )
        return openstack.connection.Connection(config=config.get_one(cloud=cloud))

    return OpenStackDriver(connect, read_image=read_image)


def configured_sinks(settings: Settings) -> list[Sink]:
    """What the settings send data to (the OpenStack clouds through their clouds.yaml)."""
    sinks = [
        Sink("database", without_secrets(settings.database_url), host_of(settings.database_url))
    ]
    clouds = _clouds_yaml(settings.openstack_clouds_file)
    for region, cloud in sorted(settings.openstack_region_clouds.items()):
        auth_url = str(clouds.get(cloud, {}).get("auth", {}).get("auth_url", ""))
        host = host_of(auth_url) if auth_url else f"cloud:{cloud}"
        sinks.append(Sink("openstack-cloud", f"{region}: {auth_url or cloud}", host))
    for kind, value in (
        ("einvoice-platform", settings.einvoice_platform),
        ("chorus-pro", settings.einvoice_chorus),
        ("audit-witness", settings.audit_witness_dir),
        ("mail-relay", settings.smtp_url),
    ):
        if value:
            sinks.append(Sink(kind, without_secrets(value), host_of(value)))
    return sinks


def judge_configured(settings: Settings, sinks: list[Sink]) -> list[SinkVerdict]:
    """The sinks judged against the countries and waivers the operator declared."""
    waived = frozenset(w.strip().lower() for w in settings.sink_waivers.split(",") if w.strip())
    declared = parse_pairs(settings.sink_countries, "ANDROMEDE_SINK_COUNTRIES")
    return judge_sinks(sinks, settings.operator_country, declared, waived)


def webhook_refusal(settings: Settings, url: str) -> str | None:
    """A webhook is an outbound sink: on this machine, or declared in the EU, and never
    in clear text off this machine. A ``mailto:`` goes through the mail relay, a sink
    judged when serve and worker start."""
    if url.startswith("mailto:"):
        return None if settings.smtp_url else "this deployment mails nothing (ANDROMEDE_SMTP_URL)"
    host = host_of(url)
    if host is not None and url.startswith("http://"):
        return "a webhook off this machine is https"
    (verdict,) = judge_configured(settings, [Sink("webhook", without_secrets(url), host)])
    return f"{host} is {verdict.where} (ANDROMEDE_SINK_COUNTRIES)" if verdict.refused else None


def configured_pem_files(settings: Settings) -> list[Path]:
    files = [Path(p.strip()) for p in settings.certificates.split(",") if p.strip()]
    clouds = _clouds_yaml(settings.openstack_clouds_file)
    files += [
        Path(str(c["cacert"])) for c in clouds.values() if isinstance(c, dict) and c.get("cacert")
    ]
    return files


def read_certificates(
    files: list[Path], trust_store: list[Path] | None = None
) -> tuple[list[Certificate], list[Certificate]]:
    """Every certificate in the files (a bundle holds several) and in the trust store,
    each linked to the one among them whose key signed it; an unreadable file is itself
    an entry, so that nothing configured is silently left out."""
    configured, anchors = _load_pem(files), _load_pem(trust_store or [])
    signers = [(c, _fingerprint(c)) for _, c in configured + anchors if not isinstance(c, str)]

    def entries(loaded: list[tuple[str, Any]]) -> list[Certificate]:
        return [_entry(source, cert, signers) for source, cert in loaded]

    return entries(configured), entries(anchors)


def _load_pem(files: list[Path]) -> list[tuple[str, Any]]:
    """(file, certificate) for each certificate, (file, why) for each unreadable file."""
    import warnings

    from cryptography import x509
    from cryptography.utils import CryptographyDeprecationWarning

    loaded: list[tuple[str, Any]] = []
    for path in files:
        try:
            with warnings.catch_warnings():  # old roots of trust stores: negative serials
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                certs = x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            loaded.append((str(path), f"unreadable: {exc}"))
            continue
        loaded += [(str(path), c) for c in certs]
    return loaded


def _fingerprint(cert: Any) -> str:
    from cryptography.hazmat.primitives import hashes

    return str(cert.fingerprint(hashes.SHA256()).hex())


def _entry(source: str, cert: Any, signers: list[tuple[Any, str]]) -> Certificate:
    from cryptography.x509.oid import NameOID

    if isinstance(cert, str):
        never = datetime.min.replace(tzinfo=UTC)  # reads as expired: a finding
        return Certificate(source, cert, "", None, never)
    country = cert.issuer.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return Certificate(
        source,
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
        str(country[0].value) if country else None,
        cert.not_valid_after_utc,
        next(f for c, f in signers if c is cert),  # computed once, with the signers
        next((f for c, f in signers if _signed_by(cert, c)), None),
    )


def _signed_by(cert: Any, issuer: Any) -> bool:
    if cert.issuer != issuer.subject:
        return False
    from cryptography.exceptions import InvalidSignature

    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _clouds_yaml(path: str) -> dict[str, Any]:
    if not path or not Path(path).is_file():
        return {}
    import yaml

    loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    clouds = loaded.get("clouds", {}) if isinstance(loaded, dict) else {}
    return clouds if isinstance(clouds, dict) else {}


def platforms(settings: Settings) -> dict[str, PlatformAdapter | None]:
    """Where e-invoices go: businesses' through the approved platform, public buyers'
    through Chorus Pro (the platform's when no Chorus channel is set)."""
    platform = adapter_from(settings.einvoice_platform, "platform")
    chorus = adapter_from(settings.einvoice_chorus, "chorus") if settings.einvoice_chorus else None
    return {"platform": platform, "chorus": chorus or platform}


def operator_issuer(settings: Settings) -> Operator:
    return Operator(operator_party(settings), "AND", settings.operator_vat_on_debits)


def operator_party(settings: Settings) -> Party:
    """The operator as the issuer of its invoices, from its settings."""
    return Party(
        settings.operator_name,
        settings.operator_country,
        settings.operator_address,
        settings.operator_siren,
        settings.operator_vat_number,
        settings.operator_legal_details,
    )


def build(settings: Settings, clock: Clock | None = None, engine: Engine | None = None) -> App:
    clock = clock or MonotonicClock()
    engine = engine or make_engine(settings.database_url)
    uow = UnitOfWork(engine)
    passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
    rules = login_rules(settings)
    tenancy = TenancyService(clock, passwords, rules.staff_mfa_required)
    secrets = SecretBox(secrets_key_path(settings))
    users = UserService(tenancy)
    login = LoginService(clock, passwords, tenancy, rules, secrets)
    access = AccessService(clock, tenancy, users, parse_networks(settings.staff_networks))
    catalog = CatalogService(clock, tenancy, settings.operator_name)
    quotas = QuotaDefaults(
        settings.quota_instances,
        settings.quota_cores,
        settings.quota_ram_mib,
        settings.quota_storage_gib,
        settings.max_volume_gib,
    )
    sovereignty = SovereigntyService(
        clock, tenancy, catalog, settings.certification_order.split(",")
    )

    def region_for(session: Session, caller: Caller, project_id: str) -> str:
        """Where a project's images, networks and routers live: the first region its
        residency policy allows."""
        return servers.region_for(session, caller, project_id, None)

    def check_region(session: Session, caller: Caller, project_id: str, region: str) -> None:
        """A region a customer names for its image's bytes, checked against its policy."""
        servers.check_region(session, caller, project_id, region)

    keys = KeyService(clock, kms_of(settings))
    images = ImageService(
        clock,
        tenancy,
        image_bytes(settings, uow, keys),
        region_for,
        settings.image_quota_bytes,
        check_region,
        keys.new_data_key,
    )
    storage = StorageService(clock, catalog)
    volumes = VolumeService(clock, tenancy, catalog, sovereignty, storage, images, keys)
    servers = ServerService(
        clock, tenancy, catalog, sovereignty, QuotaService(tenancy, quotas), images, volumes
    )
    places = Places(region_for, servers.check_region)
    vnets = VirtualNetworkService(clock, tenancy, servers.networks, places)
    ports = PortService(clock, tenancy, servers.networks, vnets, servers.security_groups)
    floating_ips = FloatingIpService(clock, tenancy, vnets, ports)
    driver = SimDriver(
        sim_state_path(settings),
        clock,
        boot_seconds=settings.sim_boot_seconds,
        failure_rate=settings.sim_failure_rate,
        seed=settings.sim_seed,
        answer_seconds=settings.sim_answer_seconds,
    )

    remote = {
        region: _openstack_driver(settings.openstack_clouds_file, cloud, images.bytes.read)
        for region, cloud in settings.openstack_region_clouds.items()
    }

    def driver_for(region: str) -> Driver:
        return remote.get(region, driver)

    reconciler = Reconciler(uow, clock, driver_for, catalog, images)
    attachments = VolumeAttachService(servers, volumes)
    servers.on_delete.append(attachments.server_deleted)
    metering = MeteringService(servers, floating_ips, volumes)
    prices = PriceService(
        clock, tenancy, catalog, rules=(default_prices,), volume_types=storage.sold_types
    )
    reservations = ReservationService(clock, tenancy, catalog, prices)
    commitments = CommitmentService(clock, tenancy)
    rating = RatingService(tenancy, catalog, prices, metering, reservations)
    invoices = InvoiceService()
    issuing = IssueService(
        clock, operator_issuer(settings), tenancy, rating, reservations, commitments
    )
    payments = PaymentService(clock, tenancy)
    documents = DocumentService(clock, invoices, platforms(settings))
    issuing.on_issue.append(documents.on_issue)
    payments.on_paid.append(documents.on_paid)
    offboarding = OffboardingService(
        clock, tenancy, users, sovereignty, servers, invoices, floating_ips, vnets
    )
    tags = TagService(clock, tenancy, servers)
    runtime = cluster_runtime(settings)
    clusters = ClusterService(
        clock, tenancy, catalog, servers, metering, runtime_managed=runtime is not None
    )
    schedules = ScheduleService(clock, tenancy, tags, rating, reservations)
    reports = ReportService(clock, tenancy, rating)
    return App(
        settings=settings,
        writes=Turns(settings.write_concurrency),
        engine=engine,
        uow=uow,
        clock=clock,
        tenancy=tenancy,
        users=users,
        catalog=catalog,
        servers=servers,
        keypairs=servers.keypairs,
        networks=servers.networks,
        security_groups=servers.security_groups,
        vnets=vnets,
        ports=ports,
        routers=RouterService(clock, tenancy, vnets, ports, places),
        floating_ips=floating_ips,
        images=images,
        hosts=HostService(clock, catalog),
        storage=storage,
        volumes=volumes,
        maintenances=MaintenanceService(clock, tenancy, catalog, volumes),
        legal=LegalService(clock, tenancy),
        webhooks=WebhookService(clock, tenancy, partial(webhook_refusal, settings)),
        snapshots=SnapshotService(volumes),
        backups=BackupService(volumes),
        volume_images=VolumeImageService(volumes),
        attachments=attachments,
        driver=driver,
        reconciler=reconciler,
        metering=metering,
        plans=PlanService(clock, tenancy, metering, rating),
        prices=prices,
        rating=rating,
        issuing=issuing,
        invoices=invoices,
        reports=reports,
        alignment=AlignmentService(clock, tenancy, catalog, prices, reports),
        sovereignty=sovereignty,
        tags=tags,
        consoles=ConsoleService(servers, driver_for),
        schedules=schedules,
        scheduler=Scheduler(schedules, servers, tenancy),
        environments=EnvironmentService(clock, tenancy, servers),
        clusters=clusters,
        jobs=JobService(clock, clusters, runtime),
        login=login,
        app_credentials=AppCredentialService(clock, passwords, tenancy, login),
        access=access,
        offboarding=offboarding,
        reservations=reservations,
        reservation_reports=ReservationReports(reservations, rating),
        commitments=commitments,
        payments=payments,
        documents=documents,
    )
