"""Use cases of leaving the cloud: terminate (21-day notice), reinstate, erase with a
signed certificate, and the whole inventory as documented JSON (docs/customer-export.md).

Erasure deletes every server (through the same lifecycle as a user's delete, so the
reconciler destroys the disks), keypair, server group, user account with its tokens and
MFA secret, notification, webhook and policy version no decision cites. What is kept
(``KEPT``): invoices (French law keeps them ten years), usage history with the project,
server and image rows it is keyed by (stripped of what the customer wrote), and the audit
log with the placement decisions and the policy versions they cite: the proof of what
happened and of where the data was allowed to live.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit import signing
from andromede.audit.actions import AuditAction
from andromede.billing.invoice_service import InvoiceService
from andromede.compute.floating_ip_service import FloatingIpService
from andromede.compute.security_group_service import RuleInput
from andromede.compute.server_service import ServerService
from andromede.compute.virtual_networks import VirtualNetworkService
from andromede.db import insert_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.offboarding import store
from andromede.offboarding.export import export_document
from andromede.offboarding.lifecycle import (
    NOTICE,
    CustomerStatus,
    check_erase,
    check_reinstate,
    check_terminate,
)
from andromede.offboarding.restore import (
    RULE_FIELDS,
    check_document,
    latest_policies,
    rule_key,
    volume_fields,
)
from andromede.offboarding.store import ErasureCertificate
from andromede.sovereignty.service import PolicyInput, SovereigntyService
from andromede.storage.volume_service import VolumeInput
from andromede.tenancy.scope import (
    Actor,
    Caller,
    OrgKind,
    Role,
    is_staff,
    note_read,
    resource_scope,
    visible,
)
from andromede.tenancy.service import Customer, TenancyService
from andromede.tenancy.user_service import UserService

__all__ = ["ErasureCertificate", "OffboardingService"]

# what erasure keeps, and why: each row left that names the customer is one of these
KEPT = [
    "invoices and the customer's legal identity (ten years, French commercial law)",
    "usage history, with the rows it is keyed by (projects, servers, images), stripped of "
    "names, metadata, tags and quotas",
    "audit log and placement decisions, with the policy versions they cite (the record "
    "of where the data was allowed to be)",
    "this certificate",
]
ERASER = Caller(Actor("system", "system:erasure", Role.OPERATOR_ADMIN, system=True))


def _ref(customer: Customer) -> TenantRef:
    return TenantRef(customer.partner_id, customer.id)


class OffboardingService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        users: UserService,
        sovereignty: SovereigntyService,
        servers: ServerService,
        invoices: InvoiceService,
        floating_ips: FloatingIpService,
        vnets: VirtualNetworkService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.users = users
        self.sovereignty = sovereignty
        self.servers = servers
        self.invoices = invoices
        self.floating_ips = floating_ips
        self.vnets = vnets

    def _contract_party(self, session: Session, caller: Caller, customer_id: str) -> Customer:
        """The operator, the customer's partner, or the customer's own admins."""
        customer = self.tenancy.get_customer(session, caller, customer_id)
        if caller.actor.role not in (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN):
            raise Forbidden(f"role {caller.actor.role} may not end a customer's contract")
        return customer

    def terminate(self, session: Session, caller: Caller, customer_id: str) -> Customer:
        customer = self._contract_party(session, caller, customer_id)
        check_terminate(customer.status)
        now = self.clock.now()
        customer.status = CustomerStatus.TERMINATED
        customer.terminated_at = now
        customer.erasure_due_at = now + NOTICE
        self.tenancy.audit(
            session, caller, AuditAction.CUSTOMER_TERMINATE, "customer", customer.id, _ref(customer)
        )
        self.tenancy.notify(
            session,
            _ref(customer),
            "erasure-notice",
            f"contract terminated; all resources, accounts and keys of {customer.name} will be "
            f"erased on {customer.erasure_due_at.isoformat()} unless reinstated before. "
            f"Export your inventory now: GET /v1/customers/{customer.id}/export",
        )
        return customer

    def reinstate(self, session: Session, caller: Caller, customer_id: str) -> Customer:
        customer = self._contract_party(session, caller, customer_id)
        check_reinstate(customer.status, customer.erasure_due_at, self.clock.now())
        customer.status = CustomerStatus.ACTIVE
        customer.terminated_at = None
        customer.erasure_due_at = None
        self.tenancy.audit(
            session, caller, AuditAction.CUSTOMER_REINSTATE, "customer", customer.id, _ref(customer)
        )
        return customer

    def erase(
        self, session: Session, caller: Caller, customer_id: str, key_file: Path | None
    ) -> ErasureCertificate:
        if caller.actor.role is not Role.OPERATOR_ADMIN:
            raise Forbidden("erasure is the operator's")
        customer = self.tenancy.get_customer(session, caller, customer_id)
        now = self.clock.now()
        check_erase(customer.status, customer.erasure_due_at, now)
        if key_file is None:
            raise Conflict("erasure certificates are signed: set ANDROMEDE_AUDIT_KEY_FILE")
        erased = self._erase_everything(session, customer)
        customer.status = CustomerStatus.ERASED
        customer.erased_at = now
        document = {
            "format": "andromede.erasure-certificate/1",
            "customer": {"id": customer.id, "partner_id": customer.partner_id},
            "terminated_at": customer.terminated_at.isoformat() if customer.terminated_at else None,
            "notice_ended_at": customer.erasure_due_at.isoformat()
            if customer.erasure_due_at
            else None,
            "erased_at": now.isoformat(),
            "erased": erased,
            "kept": KEPT,
        }
        body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        key = signing.load_private(key_file)
        certificate = ErasureCertificate(
            id=new_id(),
            partner_id=customer.partner_id,
            customer_id=customer.id,
            document=document,
            sha256=hashlib.sha256(body).hexdigest(),
            signature=signing.sign(key, body).hex(),
            public_key=signing.public_bytes(key).hex(),
            created_at=now,
        )
        insert_unique(session, certificate, "the customer already has an erasure certificate")
        # the log commits to the exact certificate through its hash
        self.tenancy.audit(
            session,
            caller,
            AuditAction.CUSTOMER_ERASE,
            "erasure_certificate",
            certificate.sha256,
            _ref(customer),
        )
        return certificate

    def _erase_everything(self, session: Session, customer: Customer) -> dict[str, list[str]]:
        servers, keypairs, groups = self.servers.customer_inventory(session, customer.id)
        for server in servers:
            if server.desired != "DELETED":
                self.servers.act(session, ERASER, server.id, "delete")
        for keypair in keypairs:
            self.servers.keypairs.delete_keypair(session, ERASER, keypair.id)
        for group in groups:
            self.servers.keypairs.delete_group(session, ERASER, group.id)
        volumes = self.servers.volumes.erase_customer(session, customer.id)
        security_groups = self.servers.security_groups.erase_customer(session, customer.id)
        images = self.servers.images.erase_customer(session, customer.id)
        networking = self.floating_ips.erase_customer(session, customer.id)
        networking += self.servers.networks.erase_customer(session, customer.id)
        keys = self.servers.volumes.crypto_erase(session, customer.id)
        _, users = self.tenancy.customer_members(session, customer.id)
        for user in users:
            self.users.delete_user(session, ERASER, user.id)
        self.servers.scrub_customer(session, customer.id)
        records = self.tenancy.erase_customer_records(session, customer.id)
        return {
            **records,
            "policies": self.sovereignty.erase_policies(session, customer.id),
            "servers": sorted(s.id for s in servers),
            "keypairs": sorted(f"{k.id} {k.fingerprint}" for k in keypairs),
            "server_groups": sorted(g.id for g in groups),
            "security_groups": security_groups,
            "volumes": volumes,
            "images": sorted(images),
            "networking": networking,
            "users": sorted(u.id for u in users),
            "keys_destroyed": sorted(keys),
        }

    def due_for_erasure(self, session: Session) -> list[str]:
        return store.due_customers(session, Customer, self.clock.now())

    def erase_as_system(self, session: Session, customer_id: str, key_file: Path) -> None:
        """The worker's erasure when the notice has ended: no person needs to be there."""
        self.erase(session, ERASER, customer_id, key_file)

    def certificate(self, session: Session, caller: Caller, customer_id: str) -> ErasureCertificate:
        customer = self.tenancy.get_customer(session, caller, customer_id)
        found = store.certificate_of(session, customer.id)
        if found is None:
            raise NotFound("erasure certificate", customer_id)
        return found

    def restore(
        self, session: Session, caller: Caller, customer_id: str, document: dict[str, Any]
    ) -> dict[str, int]:
        """Rebuilds an export's configuration in this customer, in one transaction: any
        refusal (a name taken, a quota, a policy wider than the partner's) writes nothing.
        Returns how many of each kind were made."""
        check_document(document)
        customer = self.tenancy.get_customer(session, caller, customer_id)
        self.tenancy.require_active(session, customer.id)
        try:
            return self._rebuild(session, caller, customer, document)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # a row without a field it needs, of the wrong type, or naming a project (or a
            # group) the export does not hold: refused whole, like any other refusal
            raise ValidationFailed.one("document", f"not a whole export: {exc!r}") from None

    def _rebuild(
        self, session: Session, caller: Caller, customer: Customer, document: dict[str, Any]
    ) -> dict[str, int]:
        projects = {
            p["id"]: self.tenancy.create_project(session, caller, customer.id, p["name"])
            for p in document.get("projects", [])
        }
        ids = {old: new.id for old, new in projects.items()}
        keypairs = self.servers.keypairs
        for k in document.get("keypairs", []):
            keypairs.create_keypair(session, caller, project_id=ids[k["project_id"]],
                                    name=k["name"], public_key=k["public_key"],
                                    kind="x509" if k.get("type") == "x509" else "ssh")  # fmt: skip
        for g in document.get("server_groups", []):
            keypairs.create_group(session, caller, project_id=ids[g["project_id"]],
                                  name=g["name"], policy=g["policy"])  # fmt: skip
        groups = self._restore_security_groups(session, caller, customer.id, projects, document)
        networks = self._restore_networks(session, caller, ids, document)
        volumes = [volume_fields(v, ids) for v in document.get("volumes", [])]
        for fields in volumes:
            self.servers.volumes.create_volume(session, caller, VolumeInput(**fields))
        policies = latest_policies(document.get("policies", []))
        for p in policies:
            scope_id = customer.id if p["scope_type"] == "customer" else ids[p["scope_id"]]
            self.sovereignty.set_policy(session, caller, PolicyInput(
                p["scope_type"], scope_id, tuple(p["allow"]), tuple(p["deny"]),
                p.get("min_certification"), p.get("mode", "enforce"),
            ))  # fmt: skip
        return {
            "projects": len(projects),
            "keypairs": len(document.get("keypairs", [])),
            "server_groups": len(document.get("server_groups", [])),
            "security_groups": groups,
            "networks": networks,
            "volumes": len(volumes),
            "policies": len(policies),
        }

    def _restore_security_groups(
        self,
        session: Session,
        caller: Caller,
        customer_id: str,
        projects: dict[str, Any],
        document: dict[str, Any],
    ) -> int:
        """Groups first (the default one is each project's own), then their rules, whose
        remote groups may be any of them; rules the new groups already hold are kept once."""
        service = self.servers.security_groups
        exported = document.get("security_groups", [])
        made: dict[str, str] = {}
        for g in exported:
            project = projects[g["project_id"]]
            if g["name"] == "default":
                made[g["id"]] = service.default_group(session, project).id
            else:
                made[g["id"]] = service.create_group(
                    session,
                    caller,
                    project_id=project.id,
                    name=g["name"],
                    description=g.get("description", ""),
                ).id
        held = {
            (made_id, rule_key(r, {})) for made_id, rules in (
                (g["id"], g["rules"]) for g in service.customer_groups(session, customer_id)
            ) for r in rules
        }  # fmt: skip
        for g in exported:
            for rule in g.get("rules", []):
                key = rule_key(rule, made)
                if (made[g["id"]], key) in held:
                    continue
                held.add((made[g["id"]], key))
                wanted = RuleInput(**dict(zip(RULE_FIELDS, key, strict=True)))
                service.create_rule(session, caller, made[g["id"]], wanted)
        return len(made)

    def _restore_networks(
        self, session: Session, caller: Caller, ids: dict[str, str], document: dict[str, Any]
    ) -> int:
        vnets = self.vnets
        # the network the cloud made for a project is made again on the project's first use
        networks = [n for n in document.get("networks", []) if not n.get("made_by_cloud")]
        for n in networks:
            fields = {"name": n["name"], "availability_zone_hints": [n["region"]]}
            network = vnets.create_network(session, caller, ids[n["project_id"]], fields)
            for s in n.get("subnets", []):
                pools = [{"start": a, "end": b} for a, b in s.get("allocation_pools", [])]
                vnets.create_subnet(session, caller, network.id, {
                    "cidr": s["cidr"], "ip_version": s["ip_version"],
                    "gateway_ip": s.get("gateway_ip"), "allocation_pools": pools,
                })  # fmt: skip
        return len(networks)

    def export(self, session: Session, caller: Caller, customer_id: str) -> dict[str, Any]:
        """The customer's whole inventory; staff need the customer's grant, as for any of
        its data, and among the customer's users only its admins export."""
        customer = self.tenancy.get_customer(session, caller, customer_id)
        ref = _ref(customer)
        if not visible(resource_scope(caller.actor), ref):
            raise Forbidden("the customer's inventory needs an approved access request")
        member = caller.actor.org_kind is OrgKind.CUSTOMER
        if member and caller.actor.role is not Role.CUSTOMER_ADMIN:
            raise Forbidden("only the customer's admins export its inventory")
        if is_staff(caller.actor):
            note_read(caller, ref)
        projects, users = self.tenancy.customer_members(session, customer.id)
        servers, keypairs, groups = self.servers.customer_inventory(session, customer.id)
        return export_document(
            generated_at=self.clock.now(),
            customer=customer,
            projects=projects,
            users=users,
            servers=servers,
            keypairs=keypairs,
            server_groups=groups,
            security_groups=self.servers.security_groups.customer_groups(session, customer.id),
            images=self.servers.images.customer_images(session, customer.id),
            volumes=self.servers.volumes.customer_volumes(session, customer.id),
            networking={
                **self.servers.networks.customer_networking(session, customer.id),
                "floating_ips": self.floating_ips.customer_addresses(session, customer.id),
            },
            policies=self.sovereignty.customer_policies(session, customer.id),
            invoices=self.invoices.customer_invoices(session, customer.id),
        )
