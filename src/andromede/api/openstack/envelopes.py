"""What the OpenStack face answers, as its OpenAPI document declares it: the envelope of
each body (``{"server": {...}}``, ``{"servers": [...]}``, …). The objects inside follow the
upstream API references (Nova, Keystone, Glance, Neutron) and are checked against them by
the tests (Nova's published response schemas, the openstack CLI, openstacksdk), so the
envelopes allow the extra keys those references define. Declared as documentation only:
these bodies are built for the clients that read them, not re-validated on the way out."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["declares"]

Obj = dict[str, Any]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Versions(Envelope):
    versions: list[Obj] | Obj


class Version(Envelope):
    version: Obj


class Flavors(Envelope):
    flavors: list[Obj]


class Flavor(Envelope):
    flavor: Obj


class ExtraSpecs(Envelope):
    extra_specs: dict[str, str]


class Limits(Envelope):
    limits: Obj


class AvailabilityZones(Envelope):
    availability_zone_info: list[Obj] = Field(alias="availabilityZoneInfo")


class Keypairs(Envelope):
    keypairs: list[Obj]


class Keypair(Envelope):
    keypair: Obj


class ServerGroups(Envelope):
    server_groups: list[Obj]


class ServerGroup(Envelope):
    server_group: Obj


class Tags(Envelope):
    tags: list[str]


class Servers(Envelope):
    servers: list[Obj]


class Server(Envelope):
    server: Obj


class Images(Envelope):
    images: list[Obj]


class Image(Envelope):
    """Glance answers the image itself, not wrapped."""

    id: str
    name: str


class Networks(Envelope):
    networks: list[Obj]


class Network(Envelope):
    network: Obj


class Subnets(Envelope):
    subnets: list[Obj]


class Subnet(Envelope):
    subnet: Obj


class Ports(Envelope):
    ports: list[Obj]


class Port(Envelope):
    port: Obj


class Routers(Envelope):
    routers: list[Obj]


class Router(Envelope):
    router: Obj


class RouterInterface(Envelope):
    port_id: str
    subnet_id: str | None


class NovaImages(Envelope):
    images: list[Obj]


class NovaImage(Envelope):
    image: Obj


class FloatingIps(Envelope):
    floatingips: list[Obj]


class FloatingIp(Envelope):
    floatingip: Obj


class SubnetPools(Envelope):
    subnetpools: list[Obj]


class SubnetPool(Envelope):
    subnetpool: Obj


class Token(Envelope):
    token: Obj


class Catalog(Envelope):
    catalog: list[Obj]


class Projects(Envelope):
    projects: list[Obj]


class Domains(Envelope):
    domains: list[Obj]


class Metadata(Envelope):
    metadata: Obj


class Meta(Envelope):
    meta: Obj


class VolumeAttachments(Envelope):
    volume_attachments: list[Obj] = Field(alias="volumeAttachments")


class VolumeAttachment(Envelope):
    volume_attachment: Obj = Field(alias="volumeAttachment")


class Volumes(Envelope):
    volumes: list[Obj]


class Volume(Envelope):
    volume: Obj


class VolumeTypes(Envelope):
    volume_types: list[Obj]


class VolumeType(Envelope):
    volume_type: Obj


class Snapshots(Envelope):
    snapshots: list[Obj]


class Snapshot(Envelope):
    snapshot: Obj


class Backups(Envelope):
    backups: list[Obj]


class Backup(Envelope):
    backup: Obj


class Restore(Envelope):
    restore: Obj


class Addresses(Envelope):
    """``{"addresses": {...}}``, or one network's ``{"<label>": [...]}``."""


class QuotaSet(Envelope):
    quota_set: Obj


class AppCredential(Envelope):
    application_credential: Obj


class AppCredentials(Envelope):
    application_credentials: list[Obj]


class SecurityGroups(Envelope):
    security_groups: list[Obj]


class SecurityGroup(Envelope):
    security_group: Obj


class SecurityGroupRules(Envelope):
    security_group_rules: list[Obj]


class SecurityGroupRule(Envelope):
    security_group_rule: Obj


class Member(Envelope):
    member_id: str


class Members(Envelope):
    members: list[Obj]


class Schema(Envelope):
    name: str


class InstanceActions(Envelope):
    instance_actions: list[Obj] = Field(alias="instanceActions")


class InstanceAction(Envelope):
    instance_action: Obj = Field(alias="instanceAction")


class NetworkQuota(Envelope):
    quota: Obj


class Extensions(Envelope):
    extensions: list[Obj]


BODIES: dict[str, type[Envelope]] = {
    c.__name__: c
    for c in (
        Versions,
        Version,
        Flavors,
        Flavor,
        ExtraSpecs,
        Limits,
        AvailabilityZones,
        Keypairs,
        Keypair,
        ServerGroups,
        ServerGroup,
        Servers,
        Server,
        Tags,
        InstanceActions,
        InstanceAction,
        Images,
        Image,
        Member,
        Members,
        Schema,
        Networks,
        Network,
        Subnets,
        Subnet,
        Ports,
        Port,
        Routers,
        Router,
        RouterInterface,
        SubnetPools,
        SubnetPool,
        FloatingIps,
        FloatingIp,
        NovaImages,
        NovaImage,
        NetworkQuota,
        Extensions,
        SecurityGroups,
        SecurityGroup,
        SecurityGroupRules,
        SecurityGroupRule,
        Token,
        Catalog,
        Projects,
        Domains,
        AppCredential,
        AppCredentials,
        QuotaSet,
        Addresses,
        VolumeAttachments,
        VolumeAttachment,
        Volumes,
        Volume,
        VolumeTypes,
        VolumeType,
        Snapshots,
        Snapshot,
        Backups,
        Backup,
        Restore,
        Metadata,
        Meta,
    )
}


def declares(body: str, status: int = 200) -> dict[str, Any]:
    """The route decorator's arguments that document its success body."""
    return {"responses": {status: {"model": BODIES[body], "description": "Success"}}}
