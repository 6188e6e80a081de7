"""Use cases of residency: set a policy (versioned, narrow-only), the chain in force for a
project, the zones a project may use in a region, decisions and compliance findings."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit import signing
from andromede.audit.actions import AuditAction
from andromede.catalog.service import CatalogService
from andromede.db import scoped_page
from andromede.kernel.clock import Clock
from andromede.kernel.errors import FieldError, Forbidden, PolicyViolation, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import Scope, TenantRef
from andromede.sovereignty import store
from andromede.sovereignty.attestation import (
    Held,
    Lifetime,
    attestation_body,
    canonical_document,
)
from andromede.sovereignty.compliance import report_body, results_from_junit
from andromede.sovereignty.offer import Site, offer_document
from andromede.sovereignty.policy import (
    Decision,
    Place,
    Policy,
    evaluate,
    leaves_the_eu,
    parse_term,
)
from andromede.sovereignty.policy import widening_terms as widening
from andromede.sovereignty.requirements import REQUIREMENTS
from andromede.sovereignty.store import Finding, PolicyDecision, PolicyRow
from andromede.tenancy.scope import (
    Caller,
    Permission,
    Role,
    customer_data_scope,
    note_reads,
    require,
)
from andromede.tenancy.service import Project, TenancyService

__all__ = [
    "ROOT_POLICY",
    "Finding",
    "PolicyDecision",
    "PolicyInput",
    "PolicyRow",
    "SovereigntyService",
]

ROOT_POLICY = Policy("operator", allow=("in:eu",), version="operator-default")
SCOPE_TYPES = ("operator", "partner", "customer", "project")
WHO_SETS = {
    "operator": {Role.OPERATOR_ADMIN},
    "partner": {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN},
    "customer": {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN},
    "project": {Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN},
}


@dataclass(frozen=True)
class PolicyInput:
    scope_type: str
    scope_id: str
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    min_certification: str | None = None
    mode: str = "enforce"


def version_label(row: PolicyRow) -> str:
    return f"{row.scope_type}:{row.scope_id}:v{row.version}"


def to_policy(row: PolicyRow) -> Policy:
    return Policy(
        row.scope_type,
        tuple(row.allow),
        tuple(row.deny),
        row.min_certification,
        row.mode,
        version_label(row),
    )


class SovereigntyService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        certification_order: Sequence[str],
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.order = tuple(certification_order)

    # -- the places and the chain ---------------------------------------------------
    def places(self, session: Session, region: str | None = None) -> list[Place]:
        if region is not None:
            return [
                Place(code, zone, country, territory, frozenset(certs))
                for code, zone, country, territory, certs in self.catalog.zone_places(
                    session, region
                )
            ]
        return [
            Place(z.region_code, z.code, r.country, r.territory, frozenset(r.certifications))
            for z, r in self.catalog.zones_with_regions(session)
        ]

    def chain(self, session: Session, ref: TenantRef, at: datetime | None = None) -> list[Policy]:
        """Operator first; a level without a policy allows everything below its parent.
        With ``at``: the versions that were in force then."""
        scopes = [("operator", "operator")] + [
            (level, scope_id)
            for level, scope_id in (
                ("partner", ref.partner_id),
                ("customer", ref.customer_id),
                ("project", ref.project_id),
            )
            if scope_id
        ]
        rows = store.latest_of(session, scopes, at)
        operator = rows.get(("operator", "operator"))
        chain = [to_policy(operator) if operator else ROOT_POLICY]
        chain += [to_policy(rows[scope]) for scope in scopes[1:] if scope in rows]
        return chain

    def _parent_ref(self, scope_type: str, ref: TenantRef) -> TenantRef:
        keep = SCOPE_TYPES.index(scope_type)
        return TenantRef(
            *(
                v if i < keep else None
                for i, v in enumerate((ref.partner_id, ref.customer_id, ref.project_id), start=1)
            )
        )

    # -- setting a policy ------------------------------------------------------------
    def set_policy(self, session: Session, caller: Caller, data: PolicyInput) -> PolicyRow:
        ref = self._scope_ref(session, caller, data.scope_type, data.scope_id)
        if caller.actor.role not in WHO_SETS[data.scope_type]:
            raise Forbidden(f"role {caller.actor.role} may not set a {data.scope_type} policy")
        self._validate(data)
        parent = self.chain(session, self._parent_ref(data.scope_type, ref))
        candidate = Policy(
            data.scope_type, data.allow, data.deny, data.min_certification, data.mode
        )
        if data.scope_type == "operator":
            outside = leaves_the_eu(candidate, self.places(session))
            if outside:
                raise ValidationFailed([FieldError(f, message) for f, message in outside])
        wider = widening(
            parent if data.scope_type != "operator" else [],
            candidate,
            self.places(session),
            self.order,
        )
        if wider:
            raise ValidationFailed.one(
                "allow", f"{', '.join(wider)} would widen the policy above; a child only narrows"
            )
        row = PolicyRow(
            id=new_id(),
            scope_type=data.scope_type,
            scope_id=data.scope_id,
            version=store.next_version(session, data.scope_type, data.scope_id),
            allow=list(data.allow),
            deny=list(data.deny),
            min_certification=data.min_certification,
            mode=data.mode,
            partner_id=ref.partner_id,
            customer_id=ref.customer_id,
            created_at=self.clock.now(),
            created_by=caller.actor.username,
        )
        session.add(row)
        session.flush()
        self.tenancy.audit(session, caller, AuditAction.POLICY_SET, "policy", row.id, ref)
        return row

    def _validate(self, data: PolicyInput) -> None:
        errors = []
        for field_name, terms in (("allow", data.allow), ("deny", data.deny)):
            for term in terms:
                try:
                    parse_term(term)
                except ValueError as exc:
                    errors.append(FieldError(field_name, str(exc)))
        if data.mode not in ("enforce", "audit"):
            errors.append(FieldError("mode", "must be enforce or audit"))
        if data.min_certification is not None and data.min_certification not in self.order:
            errors.append(
                FieldError("min_certification", f"must be one of {', '.join(self.order)}")
            )
        if errors:
            raise ValidationFailed(errors)

    def _scope_ref(
        self, session: Session, caller: Caller, scope_type: str, scope_id: str
    ) -> TenantRef:
        if scope_type == "operator":
            if scope_id != "operator":
                raise ValidationFailed.one("scope_id", "the operator policy's scope_id is operator")
            return TenantRef()
        if scope_type == "partner":
            return TenantRef(self.tenancy.get_partner(session, caller, scope_id).id)
        if scope_type == "customer":
            customer = self.tenancy.get_customer(session, caller, scope_id)
            return TenantRef(customer.partner_id, customer.id)
        if scope_type == "project":
            project = self.tenancy.get_project(session, caller, scope_id)
            return TenantRef(project.partner_id, project.customer_id, project.id)
        raise ValidationFailed.one("scope_type", f"must be one of {', '.join(SCOPE_TYPES)}")

    # -- placement ---------------------------------------------------------------------
    def allowed_places(self, session: Session, ref: TenantRef) -> list[Place]:
        """Where a project may put a server today: what forms offer (the create path
        checks again and records its decision)."""
        chain = self.chain(session, ref)
        return [p for p in self.places(session) if evaluate(chain, p, self.order).allowed]

    def allowed_zones(
        self, session: Session, project: Project, region: str, zone: str | None
    ) -> tuple[frozenset[str], dict[str, Any]]:
        """The zones of ``region`` the project may use, and the decision to record; raises
        PolicyViolation (with that decision) when none is allowed."""
        ref = TenantRef(project.partner_id, project.customer_id, project.id)
        chain = self.chain(session, ref)
        decisions = {
            p.zone: evaluate(chain, p, self.order)
            for p in self.places(session, region)
            if zone in (None, p.zone)
        }
        allowed = frozenset(z for z, d in decisions.items() if d.allowed)
        record = self._record_values(ref, region, zone, decisions, allowed)
        if not allowed:
            raise PolicyViolation(
                f"residency policy refuses region {region}"
                + (f" zone {zone}" if zone else "")
                + f" ({record['code']})",
                record,
            )
        return allowed, record

    def _record_values(
        self,
        ref: TenantRef,
        region: str,
        zone: str | None,
        decisions: dict[str, Decision],
        allowed: frozenset[str],
    ) -> dict[str, Any]:
        first = next(iter(sorted(decisions.items())), None)
        chosen = next((d for z, d in sorted(decisions.items()) if z in allowed), None)
        decision = chosen or (first[1] if first else Decision(False, "denied:no-zone", ()))
        return {
            "partner_id": ref.partner_id,
            "customer_id": ref.customer_id,
            "project_id": ref.project_id,
            "region": region,
            "zone": zone,
            "allowed": bool(allowed),
            "code": decision.code,
            "versions": list(decision.versions),
        }

    def erase_policies(self, session: Session, customer_id: str) -> list[str]:
        """Erasure: the customer's and its projects' policy versions go, except those a
        placement decision cites: with the audit log, the record of where its data was
        allowed to be (attestations of past months rest on them)."""
        cited = store.versions_cited(session, customer_id)
        erased = []
        for row in store.policies_of_customer(session, customer_id):
            if version_label(row) not in cited:
                session.delete(row)
                erased.append(version_label(row))
        return sorted(erased)

    def record_decision(
        self, session: Session, action: AuditAction, server_id: str | None, values: dict[str, Any]
    ) -> None:
        session.add(
            PolicyDecision(
                id=new_id(), at=self.clock.now(), action=action, server_id=server_id, **values
            )
        )

    def locate(
        self, session: Session, servers: Sequence[Any], held: Sequence[Held] = ()
    ) -> list[dict[str, Any]]:
        """Where each resource is now: region, zone, country, territory, certifications.
        A backup has no zone: its region's store is where its first zone is."""
        places = {p.zone: p for p in self.places(session)}
        located = [
            ("server", s.id, s.name, s.project_id, s.status, places[s.zone_code], s.zone_code)
            for s in servers
        ] + [
            (h.kind, h.id, h.name, h.project_id, h.status, _place_of(places, h), h.zone)
            for h in held
        ]
        return [
            {
                "resource_type": kind,
                "id": obj_id,
                "name": name,
                "project_id": project_id,
                "status": status,
                "region": place.region,
                "zone": zone,
                "country": place.country,
                "territory": place.territory,
                "certifications": sorted(place.certifications),
            }
            for kind, obj_id, name, project_id, status, place, zone in located
        ]

    def attestation(
        self,
        session: Session,
        customer_ref: TenantRef,
        servers: Sequence[Any],
        period: tuple[datetime, datetime],
        key_file: Path,
        held: Sequence[Held] = (),
    ) -> dict[str, Any]:
        """A residency attestation for a customer and a period, signed with the operator's
        key: verifiable offline with the public key alone."""
        places = {p.zone: p for p in self.places(session)}
        lives = [
            Lifetime(s.id, s.name, s.project_id, places[s.zone_code], s.created_at, s.deleted_at)
            for s in servers
        ] + [
            Lifetime(h.id, h.name, h.project_id, _place_of(places, h), h.start, h.end, h.kind)
            for h in held
        ]
        scopes = [
            ("operator", "operator"),
            ("partner", customer_ref.partner_id or ""),
            ("customer", customer_ref.customer_id or ""),
            *(("project", life.project_id) for life in lives),
        ]

        def decide(life: Lifetime, at: datetime) -> Decision:
            ref = TenantRef(customer_ref.partner_id, customer_ref.customer_id, life.project_id)
            return evaluate(self.chain(session, ref, at), life.place, self.order)

        body = attestation_body(
            customer_ref.customer_id or "",
            period,
            lives,
            store.change_times(session, scopes),
            decide,
            self.clock.now(),
        )
        key = signing.load_private(key_file)
        return {
            "attestation": body,
            "signature": signing.sign(key, canonical_document(body)).hex(),
            "public_key": signing.public_bytes(key).hex(),
        }

    # -- what an auditor and a prospect read ---------------------------------------------
    def offer(
        self,
        session: Session,
        provider: Mapping[str, str],
        subprocessors: Sequence[Mapping[str, Any]],
    ) -> dict[str, Any]:
        """The offer document, from the live catalog, the operator's policy and the
        subprocessor registry."""
        regions: dict[str, Any] = {}
        zones: dict[str, list[str]] = {}
        for zone, region in self.catalog.zones_with_regions(session):
            regions[region.code] = region
            zones.setdefault(region.code, []).append(zone.code)
        sites = [
            Site(
                r.code,
                r.name,
                r.country,
                r.territory,
                r.legal_entity,
                r.jurisdiction,
                r.sovereign,
                tuple(r.certifications),
                tuple(zones[r.code]),
            )
            for r in regions.values()
        ]
        root = self.chain(session, TenantRef())[0]
        return offer_document(provider, sites, root.allow, self.clock.now(), subprocessors)

    def compliance_report(
        self,
        caller: Caller,
        results_file: Path,
        key_file: Path,
        deployment: Mapping[str, Any],
        live: Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, Any]:
        """R1-R22 with their evidence: the last test run's results, read from its JUnit
        report; signed like attestations, so it verifies offline."""
        require(caller, Permission.READ_COMPLIANCE)
        run = None
        if results_file.is_file():
            text = results_file.read_text(encoding="utf-8")
            run = results_from_junit(text, str(results_file))
        body = report_body(REQUIREMENTS, run, self.clock.now(), deployment, live)
        key = signing.load_private(key_file)
        return {
            "report": body,
            "signature": signing.sign(key, canonical_document(body)).hex(),
            "public_key": signing.public_bytes(key).hex(),
        }

    # -- reading -------------------------------------------------------------------------
    def customer_policies(self, session: Session, customer_id: str) -> list[PolicyRow]:
        """Every version of the customer's own and its projects' policies."""
        return store.policies_of_customer(session, customer_id)

    def list_policies(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[PolicyRow]:
        return note_reads(
            caller, scoped_page(session, PolicyRow, _scope(caller), limit=limit, marker=marker)
        )

    def list_decisions(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[PolicyDecision]:
        rows = scoped_page(session, PolicyDecision, _scope(caller), limit=limit, marker=marker)
        return note_reads(caller, rows)

    def list_findings(
        self, session: Session, caller: Caller, *, limit: int, marker: str | None
    ) -> list[Finding]:
        return note_reads(
            caller, scoped_page(session, Finding, _scope(caller), limit=limit, marker=marker)
        )

    def scan(
        self,
        session: Session,
        policy: PolicyRow,
        servers: Sequence[Any],
        held: Sequence[tuple[TenantRef, Held]] = (),
    ) -> list[Finding]:
        """After a policy change: every live server, volume, snapshot and backup it covers
        that no longer complies (a backup is where its region's store is)."""
        places = {p.zone: p for p in self.places(session)}
        located = [
            ("server", s.id, TenantRef(s.partner_id, s.customer_id, s.project_id),
             places[s.zone_code], s.zone_code)
            for s in servers
        ] + [
            (h.kind, h.id, TenantRef(ref.partner_id, ref.customer_id, h.project_id),
             _place_of(places, h), h.zone or "")
            for ref, h in held
        ]  # fmt: skip
        findings = []
        for kind, resource_id, ref, place, zone in located:
            decision = evaluate(self.chain(session, ref), place, self.order)
            if decision.code != "allowed":
                finding = Finding(
                    id=new_id(),
                    at=self.clock.now(),
                    policy_id=policy.id,
                    server_id=resource_id,
                    resource_type=kind,
                    partner_id=ref.partner_id,
                    customer_id=ref.customer_id,
                    project_id=ref.project_id,
                    region=place.region,
                    zone=zone,
                    code=decision.code,
                )
                session.add(finding)
                findings.append(finding)
        self._notify_findings(session, policy, findings)
        return findings

    def _notify_findings(
        self, session: Session, policy: PolicyRow, findings: Sequence[Finding]
    ) -> None:
        """Each customer with resources out of policy hears of it (and, through the
        scoped notification list, its partner and the operator)."""
        per_customer: dict[TenantRef, list[Finding]] = {}
        for f in findings:
            per_customer.setdefault(TenantRef(f.partner_id, f.customer_id), []).append(f)
        for ref, found in sorted(per_customer.items(), key=lambda i: i[0].customer_id or ""):
            names = ", ".join(
                sorted({f"{f.resource_type} {f.server_id} in {f.zone or f.region} ({f.code})"
                        for f in found})
            )  # fmt: skip
            self.tenancy.notify(
                session,
                ref,
                "compliance-finding",
                f"{len(found)} resource(s) no longer comply with residency policy "
                f"{policy.scope_type}:{policy.scope_id} v{policy.version}: {names}",
            )


def _scope(caller: Caller) -> Scope:
    """Policies, decisions and findings say where a customer's data may be and is: staff
    see them only under the customer's grant."""
    return customer_data_scope(caller.actor)


def _place_of(places: dict[str, Place], held: Held) -> Place:
    if held.zone is not None:
        return places[held.zone]
    return next(p for z, p in sorted(places.items()) if p.region == held.region)
