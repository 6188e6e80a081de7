"""What /v1 answers, as models: the OpenAPI document describes every success body from
these, Schemathesis checks each response against them, and a client generated from the
document parses them. The views stay plain functions building JSON values (fast on a page
of 1,000); single objects are validated against their model on the way out, pages are
documented by ``Page[...]`` and checked by the contract tests.

Instants are ISO 8601 strings with their offset; amounts and rates are decimal strings,
never floats (see invoice_json). Fields a caller's role does not see are absent, never
null: those models mark them optional and their routes exclude unset fields.
"""

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AccessRequestOut",
    "AccessRightsOut",
    "AuditEntryOut",
    "CertificateOut",
    "CheckpointOut",
    "ClusterNodeOut",
    "ClusterOut",
    "ClusterTemplateOut",
    "ConsoleOut",
    "CustomerOut",
    "DataLocationOut",
    "EntriesOut",
    "EnvironmentOut",
    "FlavorOut",
    "GovernmentRequestOut",
    "GroupOut",
    "HealthOut",
    "HostOut",
    "HostUsage",
    "ImageOut",
    "Items",
    "JobOut",
    "KeypairOut",
    "LegalChangeOut",
    "MaintenanceOut",
    "MfaActiveOut",
    "MfaSecretOut",
    "NodeConfigurationOut",
    "NotificationOut",
    "Page",
    "PartnerOut",
    "PolicyDecisionOut",
    "PolicyFindingOut",
    "PolicyOut",
    "PolicySetOut",
    "ProjectOut",
    "ProjectScheduleOut",
    "QuotaUse",
    "QuotasOut",
    "RegionOut",
    "ScheduleOut",
    "SchedulePreviewOut",
    "ScheduleSavingsOut",
    "ServerOut",
    "SignupOut",
    "StoragePoolOut",
    "StorageQuotaOut",
    "SubprocessorOut",
    "TagsOut",
    "TokenOut",
    "TokenUser",
    "UserOut",
    "UserRightsOut",
    "VolumeAttachmentOut",
    "VolumeBackupOut",
    "VolumeOut",
    "VolumeSnapshotOut",
    "VolumeTypeOut",
    "WebhookOut",
    "ZoneOut",
    "answers",
]

T = TypeVar("T")
Instant = str  # ISO 8601 with offset
Amount = str  # a decimal as a string


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Page(Out, Generic[T]):
    """A page of a list: pass ``next_marker`` as ``marker`` for the next one."""

    items: list[T]
    next_marker: str | None


class PartnerOut(Out):
    id: str
    name: str
    kind: str
    tier: str
    country: str
    siren: str | None
    vat_number: str | None
    address: str
    created_at: Instant
    invoice_prefix: str | None
    billing_mandate_accepted_on: str | None
    vat_on_debits: bool


class CustomerOut(Out):
    id: str
    partner_id: str
    name: str
    country: str
    siren: str | None
    vat_number: str | None
    address: str
    public_sector: bool
    created_at: Instant
    status: str
    erasure_due_at: Instant | None
    siret: str | None
    service_code: str | None
    commitment_number: str | None
    requires_service_code: bool
    requires_commitment_number: bool
    counts: dict[str, int] | None = None  # on a single customer only


class ProjectOut(Out):
    id: str
    customer_id: str
    partner_id: str
    name: str
    quota_instances: int | None
    quota_cores: int | None
    quota_ram_mib: int | None
    quota_storage_gib: int | None
    created_at: Instant


class UserOut(Out):
    id: str
    username: str
    role: str
    org_kind: str
    org_id: str
    partner_id: str | None
    customer_id: str | None
    created_at: Instant
    mfa_active: bool
    locked_until: Instant | None
    vetting_level: str | None  # staff: basic or enhanced
    vetted_until: Instant | None
    office_country: str | None  # staff: the declared office's country
    person: str | None  # who the account belongs to, when given


class AddressOut(Out):
    address: str
    mac: str
    kind: str  # fixed or floating


class ServerOut(Out):
    id: str
    name: str
    status: str
    desired_status: str
    fault: str | None
    project_id: str
    customer_id: str
    flavor_id: str
    image_id: str
    region: str
    zone: str
    host_id: str | None
    server_group_id: str | None
    key_name: str | None
    vcpus: int
    ram_mib: int
    disk_gib: int
    root_volume_gib: int | None
    locked: bool
    locked_reason: str | None
    description: str | None = None
    created_at: Instant
    updated_at: Instant
    tags: list[str] | None = None  # on a single server
    security_groups: list[str] | None = None  # names, on a single server
    addresses: dict[str, list[AddressOut]] | None = None  # by network, on a single server


class ConsoleOut(Out):
    output: str


class TagsOut(Out):
    tags: list[str]


class PeriodOut(Out):
    begin: str
    end: str
    weekdays: list[str]
    monthdays: list[int] | None = None
    months: list[int] | None = None


class LastPassOut(Out):
    at: Instant
    boundary: Instant | None
    started: int
    stopped: int
    failed: int
    late_seconds: int
    missed_boundaries: int


class ScheduleOut(Out):
    id: str
    name: str
    partner_id: str
    customer_id: str | None
    template: bool
    description: str
    timezone: str
    periods: list[PeriodOut]
    enforced: bool
    retain_running: bool
    stop_new: bool
    holidays: str | None
    skip_dates: list[str]
    created_at: Instant
    updated_at: Instant
    last_pass: LastPassOut | None


class TransitionOut(Out):
    at: Instant
    local: str  # the same instant in the schedule's time zone
    action: str  # start or stop


class SchedulePreviewOut(Out):
    schedule_id: str
    timezone: str
    now: Instant
    running_now: bool
    servers: int
    transitions: list[TransitionOut]


class ServerSavingsOut(Out):
    server_id: str
    schedule: str
    flavor: str
    region: str
    hours_on: Amount
    hours_off: Amount
    paid: Amount
    saved: Amount
    covered_by_reservation: bool
    reserved_instead: Amount | None  # every hour it existed on a 1-year no-upfront reservation


class ScheduleSavingsOut(Out):
    month: str
    customer_id: str
    currency: str
    hours_off: Amount
    saved: Amount
    servers: list[ServerSavingsOut]
    notes: list[str]


class EnvironmentMemberOut(Out):
    slot: str
    server_id: str | None
    status: str | None  # the server's, while it exists
    error: str | None  # why it could not be made (retry makes it)


class JobOut(Out):
    id: str
    cluster_id: str
    name: str
    file_name: str
    args: list[str]
    conf: dict[str, str]
    status: str  # PENDING, RUNNING, SUCCEEDED, FAILED, KILLED
    exit_code: int | None
    submitted_at: Instant
    started_at: Instant | None
    finished_at: Instant | None
    duration_seconds: float | None
    output: str  # the driver's last lines


class ClusterTemplateOut(Out):
    id: str
    name: str
    description: str
    partner_id: str | None  # None: the operator's, seen by everyone
    body: dict[str, Any]
    created_at: Instant


class NodeConfigurationOut(Out):
    files: dict[str, str]  # path -> content, as the cluster's layout is now


class ClusterNodeOut(Out):
    name: str
    group: str
    role: str  # master, core or task
    server_id: str
    address: str | None
    status: str | None  # the server's
    draining: bool


class ClusterOut(Out):
    id: str
    name: str
    project_id: str
    customer_id: str
    template_id: str | None
    body: dict[str, Any]
    region: str
    zone: str | None
    status: str  # CREATING, CONFIGURING, ACTIVE, SCALING, DELETING, ERROR
    reason: str | None
    replication: int
    server_group_id: str | None
    created_at: Instant
    updated_at: Instant
    nodes: list[ClusterNodeOut]


class EnvironmentOut(Out):
    id: str
    name: str
    project_id: str
    customer_id: str
    status: str  # ACTIVE, or PARTIAL while a member could not be made
    running: bool
    template: dict[str, Any]
    server_group_id: str | None
    ttl_hours: int | None
    started_at: Instant | None
    stop_at: Instant | None
    expires_at: Instant | None
    created_at: Instant
    members: list[EnvironmentMemberOut]


class ProjectScheduleOut(Out):
    project_id: str
    schedule_id: str | None


class KeypairOut(Out):
    id: str
    name: str
    project_id: str
    type: str
    public_key: str
    fingerprint: str
    created_at: Instant


class GroupOut(Out):
    id: str
    name: str
    project_id: str
    policy: str
    max_per_host: int | None  # anti-affinity: members one host may take (None: one)
    created_at: Instant
    members: list[str] | None = None  # on a single group only


class SecurityGroupRuleOut(Out):
    id: str
    security_group_id: str
    direction: str
    ethertype: str
    protocol: str | None
    port_range_min: int | None
    port_range_max: int | None
    remote_ip_prefix: str | None
    remote_group_id: str | None
    description: str
    created_at: Instant


class SecurityGroupOut(Out):
    id: str
    name: str
    description: str
    project_id: str
    is_default: bool
    rules: list[SecurityGroupRuleOut]
    created_at: Instant
    updated_at: Instant


class AddressRange(Out):
    start: str
    end: str


class RouteOut(Out):
    destination: str
    nexthop: str


class SubnetOut(Out):
    id: str
    network_id: str
    name: str
    ip_version: int
    cidr: str
    gateway_ip: str | None
    enable_dhcp: bool
    allocation_pools: list[AddressRange]
    dns_nameservers: list[str]
    host_routes: list[RouteOut]
    subnetpool_id: str | None


class NetworkOut(Out):
    id: str
    name: str
    description: str
    project_id: str | None
    region: str
    shared: bool
    external: bool
    admin_state_up: bool
    subnets: list[SubnetOut]


class PortOut(Out):
    id: str
    network_id: str
    project_id: str | None
    name: str
    subnet_id: str | None
    address: str | None
    mac: str
    device_owner: str
    device_id: str | None
    admin_state_up: bool
    security_groups: list[str]


class RouterOut(Out):
    id: str
    name: str
    description: str
    project_id: str
    region: str
    admin_state_up: bool
    external_network_id: str | None
    gateway_addresses: list[str]
    routes: list[RouteOut]
    interfaces: list[PortOut]


class FloatingIpOut(Out):
    id: str
    project_id: str
    address: str
    region: str
    network_id: str
    port_id: str | None
    fixed_ip_address: str | None
    router_id: str | None
    description: str
    allocated_at: Instant


class SubnetPoolOut(Out):
    id: str
    name: str
    project_id: str
    ip_version: int
    prefixes: list[str]
    default_prefixlen: int
    min_prefixlen: int
    max_prefixlen: int


class PrincipalOut(Out):
    user_id: str
    username: str
    role: str
    realm: str
    access: str  # read or read-write
    why: str
    grant_id: str | None
    until: Instant | None


class AccessRightsOut(Out):
    customer_id: str
    project_id: str | None
    principals: list[PrincipalOut]
    hidden_accounts: int  # the customer's accounts, counted only, for staff without a grant


class HeldGrantOut(Out):
    grant_id: str
    customer_id: str
    scope: str
    until: Instant


class UserRightsOut(Out):
    user_id: str
    username: str
    role: str
    realm: str
    permissions: list[str]
    data: str
    grants: list[HeldGrantOut]


class WebhookOut(Out):
    id: str
    url: str
    partner_id: str
    customer_id: str | None
    created_at: Instant


class SubprocessorOut(Out):
    id: str
    name: str
    country: str
    jurisdiction: str
    purpose: str
    data_categories: list[str]
    technical_access: bool


class LegalChangeOut(Out):
    id: str
    summary: str
    effective_at: Instant
    created_at: Instant


class GovernmentRequestOut(Out):
    id: str
    customer_id: str
    authority: str
    country: str
    received_at: Instant
    scope: str
    legal_assessment: str
    notified: bool
    bar_reason: str
    created_at: Instant


class MaintenanceOut(Out):
    id: str
    region: str
    zone: str | None
    starts_at: Instant
    ends_at: Instant
    nature: str
    impact: str  # none, degraded, outage
    contact: str
    notified_customers: int
    notified_partners: int
    created_at: Instant


class HealthOut(Out):
    status: str  # ok, or clock-skew (503)
    version: str
    clock_skew_seconds: float  # this host's clock ahead of the database server's


class RegionOut(Out):
    id: str
    code: str
    name: str
    country: str
    territory: str
    certifications: list[str]
    legal_entity: str
    jurisdiction: str
    sovereign: bool


class ZoneOut(Out):
    id: str
    code: str
    region: str
    name: str


class HostUsage(Out):
    vcpus: int
    ram_mib: int
    disk_gib: int
    instances: int


class HostOut(Out):
    id: str
    name: str
    region: str
    zone: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    cpu_ratio: float
    ram_ratio: float
    disk_ratio: float
    traits: list[str]
    enabled: bool
    maintenance: bool
    used: HostUsage


class VolumeTypeOut(Out):
    id: str
    region: str
    name: str
    description: str
    certification: str | None
    multiattach: bool


class VolumeAttachmentOut(Out):
    volume_id: str
    server_id: str
    device: str
    delete_on_termination: bool
    attached_at: Instant


class VolumeOut(Out):
    id: str
    project_id: str
    name: str
    description: str
    status: str
    region: str
    zone: str
    volume_type: str
    size_gib: int
    bootable: bool
    multiattach: bool
    source: str | None  # kind:id of what it was made from
    image_id: str | None
    metadata: dict[str, str]
    attachments: list[VolumeAttachmentOut]
    created_at: Instant
    updated_at: Instant


class VolumeSnapshotOut(Out):
    id: str
    project_id: str
    volume_id: str
    name: str
    description: str
    status: str
    region: str
    volume_type: str
    size_gib: int
    metadata: dict[str, str]
    created_at: Instant


class VolumeBackupOut(Out):
    id: str
    project_id: str
    volume_id: str
    snapshot_id: str | None
    name: str
    description: str
    status: str
    region: str
    backup_store: str
    volume_type: str
    size_gib: int
    created_at: Instant


class StorageQuotaOut(Out):
    project_id: str
    limits: dict[str, int]
    in_use: dict[str, int]


class StoragePoolOut(Out):
    id: str
    name: str
    region: str
    zone: str
    backend: str
    volume_types: list[str]
    total_gib: int
    ratio: str  # a decimal, as text: over-subscription
    allocated_gib: int
    enabled: bool


class FlavorOut(Out):
    id: str
    name: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    family: str
    size_units: int
    extra_specs: dict[str, str]
    is_public: bool


class ImageOut(Out):
    id: str
    name: str
    os_distro: str
    os_version: str
    min_disk_gib: int
    min_ram_mib: int
    properties: dict[str, Any]


class OwnImageOut(Out):
    id: str
    name: str
    project_id: str | None  # None: the operator's catalog
    status: str
    visibility: str
    disk_format: str
    container_format: str
    size: int | None
    checksum: str | None  # MD5, as Glance's
    sha512: str | None
    region: str | None  # where its bytes are stored
    min_disk_gib: int
    min_ram_mib: int
    protected: bool
    properties: dict[str, Any]
    created_at: Instant


class NotificationOut(Out):
    id: str
    kind: str
    message: str
    partner_id: str | None
    customer_id: str | None
    created_at: Instant


class PolicyOut(Out):
    id: str
    scope_type: str
    scope_id: str
    version: int
    allow: list[str]
    deny: list[str]
    min_certification: str | None
    mode: str
    created_at: Instant
    created_by: str


class PolicyFindingOut(Out):
    id: str
    at: Instant
    policy_id: str
    server_id: str  # the resource's id (a server's, a volume's, a snapshot's, a backup's)
    resource_type: str
    customer_id: str | None
    project_id: str | None
    region: str
    zone: str
    code: str


class PolicyDecisionOut(Out):
    id: str
    at: Instant
    action: str
    server_id: str | None
    project_id: str | None
    customer_id: str | None
    region: str
    zone: str | None
    allowed: bool
    code: str
    versions: list[str]


class AuditEntryOut(Out):
    seq: int
    id: str
    at: Instant
    actor: str
    actor_id: str | None
    on_behalf_of: str | None
    action: str
    target_type: str
    target_id: str | None
    tenant_path: str
    outcome: str
    request_id: str | None
    grant_id: str | None
    realm: str | None  # staff, partner, customer, system; none before it was recorded
    source: str | None  # the client's address


class Items(Out, Generic[T]):
    """A whole list, not paged (it is short by nature)."""

    items: list[T]


def answers(model: Any) -> dict[str, Any]:
    """The decorator arguments that declare a route's success body."""
    return {"response_model": model, "response_model_exclude_unset": True}


# -- accounts ------------------------------------------------------------------
class TokenUser(Out):
    id: str | None
    username: str
    role: str
    partner_id: str | None
    customer_id: str | None


class TokenOut(Out):
    token: str
    expires_at: Instant
    user: TokenUser


class MfaSecretOut(Out):
    secret: str
    otpauth_uri: str
    active: bool


class MfaActiveOut(Out):
    active: bool
    enabled_at: Instant | None


class SignupOut(Out):
    customer: CustomerOut
    project: ProjectOut
    user: UserOut


class QuotaUse(Out):
    limit: int
    in_use: int


class QuotasOut(Out):
    instances: QuotaUse
    cores: QuotaUse
    ram_mib: QuotaUse
    storage_gib: QuotaUse


# -- staff access and the audit log --------------------------------------------
class SupervisionOut(Out):
    id: str
    staff_id: str
    staff: str
    supervisor: str
    reason: str
    starts_at: Instant
    ends_at: Instant
    active: bool


class AccessRequestOut(Out):
    id: str
    customer_id: str
    partner_id: str
    requester: str
    scope: str
    reason: str
    duration_minutes: int
    location: str
    status: str
    created_at: Instant | None
    expires_at: Instant | None
    approved_at: Instant | None
    grant_ends_at: Instant | None
    denied_at: Instant | None
    revoked_at: Instant | None
    decided_by: str | None


class EntriesOut(Out):
    """Newest first; pass ``next_before`` as ``before`` to page further back."""

    items: list[AuditEntryOut]
    next_before: int | None


class CheckpointOut(Out):
    number: int
    size: int
    root: str
    at: Instant
    signature: str
    public_key: str


class PolicySetOut(PolicyOut):
    findings: list[PolicyFindingOut]


class DataLocationOut(Out):
    customer_id: str
    as_of: Instant
    resources: list[dict[str, Any]]  # servers, volumes, snapshots, backups, networks, images
    technical_data: list[dict[str, Any]]  # what the control plane keeps, and where


# -- offboarding -----------------------------------------------------------------
class CertificateOut(Out):
    certificate: dict[str, Any]
    sha256: str
    signature: str
    public_key: str
