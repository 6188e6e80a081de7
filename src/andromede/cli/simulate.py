"""``andromede simulate``: months of business in seconds, on the real services.

A fresh database in a temporary directory, the default catalog, a clock that jumps from
one timeline action to the next (and to each boot's end when servers take time to boot).
Outputs are written to a staging directory and moved into place only when the whole
scenario ran: a scenario that fails writes nothing.
"""

import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rich.progress import Progress

from andromede.billing.exports import USAGE_COLUMNS, csv_text, usage_rows
from andromede.bootstrap import App, build
from andromede.cli.competitor import Competitor
from andromede.cli.demo import load_catalog
from andromede.cli.language import tr
from andromede.cli.scenario import Action, Scenario, ScenarioError, parse_scenario
from andromede.clusters.service import ClusterInput
from andromede.compute.server_service import ServerRequest
from andromede.config import load_settings
from andromede.documents.production import produce
from andromede.kernel.clock import FrozenClock
from andromede.kernel.errors import AndromedeError
from andromede.prepaid.reservation_service import Purchase
from andromede.schedules.environments import EnvironmentInput
from andromede.schedules.service import ScheduleInput
from andromede.schema import upgrade
from andromede.tenancy.identity import fr_vat_key
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.service import CustomerInput, PartnerInput
from andromede.worker.jobs import (
    advance_clusters,
    close_month,
    issue_prepaid_charges,
    run_environments,
    run_schedules,
)


class _Bought(Protocol):
    id: str


P = TypeVar("P", bound=_Bought)

__all__ = ["run_simulation"]

OPERATOR = Caller(
    Actor("simulator", "system:simulator", Role.OPERATOR_ADMIN, system=True), "simulate"
)
# The cost-and-usage columns, with the scenario's names for customers and servers.
SIM_USAGE_COLUMNS = ["month", "customer", "project", "server", *USAGE_COLUMNS[3:]]
# Per reservation and closed month; coverage is the customer's (all its reservations).
RESERVATION_COLUMNS = [
    "month",
    "customer",
    "number",
    "flavor",
    "region",
    "count",
    "purchased_unit_hours",
    "used_unit_hours",
    "utilization",
    "effective_hourly_rate",
    "cost",
    "savings",
    "unused_cost",
    "coverage",
]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _identity(entry: dict[str, Any]) -> dict[str, Any]:
    country = str(entry.get("country", "FR"))
    siren = str(entry["siren"]) if entry.get("siren") else None
    vat = entry.get("vat_number") or (
        f"FR{fr_vat_key(siren)}{siren}" if country == "FR" and siren and siren.isdigit() else None
    )
    address = str(entry.get("address") or f"{entry['name']}, {country}")
    return {"country": country, "siren": siren, "vat_number": vat, "address": address}


DEV_AND_TEST = (
    "create_schedule",
    "tag_server",
    "create_environment",
    "start_environment",
    "stop_environment",
)


CLUSTERS = ("create_cluster", "scale_cluster", "delete_cluster")


class Simulation:
    def __init__(self, scenario: Scenario, workdir: Path) -> None:
        self.scenario = scenario
        url = f"sqlite:///{workdir / 'simulation.db'}"
        upgrade(url)
        self.clock = FrozenClock(scenario.start)
        self.app: App = build(
            load_settings(
                env={},
                database_url=url,
                argon2_time_cost=1,
                argon2_memory_kib=1024,
                sim_boot_seconds=scenario.boot_seconds,
                sim_state_path=str(workdir / "hypervisors.sqlite"),
                quota_instances=100_000,
                quota_cores=1_000_000,
                quota_ram_mib=10**9,
            ),
            clock=self.clock,
        )
        self.partners: dict[str, str] = {}
        self.customers: dict[str, tuple[str, str]] = {}  # key -> (customer id, project id)
        self.servers: dict[str, str] = {}
        self.wakeups: list[datetime] = []
        self.closed: list[str] = []
        self.reservations: list[str] = []
        self.environments: dict[str, str] = {}
        self.clusters: dict[str, str] = {}
        self.competitor: Competitor | None = None

    def _write(self, line: int | None, work: Callable[[Any], Any]) -> Any:
        try:
            with self.app.uow() as session:
                return work(session)
        except AndromedeError as exc:
            raise ScenarioError(line, exc.detail) from None

    def setup(self) -> None:
        load_catalog(self.app, OPERATOR, hosts_per_zone=4)
        for p in self.scenario.partners:
            # a partner signs the billing mandate with its partner agreement, unless the
            # scenario says when
            accepted = p.get("mandate_accepted_on", self.scenario.start.date())
            partner = PartnerInput(
                name=p["name"],
                kind=p["kind"],
                tier=p["tier"],
                invoice_prefix=p.get("invoice_prefix"),
                billing_mandate_accepted_on=_day(accepted),
                vat_on_debits=bool(p.get("vat_on_debits")),
                **_identity(p),
            )
            self.partners[p["key"]] = self._write(p.get("__line__"), self._partner(partner))
        for c in self.scenario.customers:
            customer = CustomerInput(
                name=c["name"],
                public_sector=bool(c.get("public_sector")),
                siret=_text(c.get("siret")),
                service_code=_text(c.get("service_code")),
                commitment_number=_text(c.get("commitment_number")),
                requires_service_code=bool(c.get("requires_service_code")),
                requires_commitment_number=bool(c.get("requires_commitment_number")),
                **_identity(c),
            )
            self.customers[c["key"]] = self._write(
                c.get("__line__"), self._customer(self.partners[c["partner"]], customer)
            )
        self._write(None, self._prices)
        if self.scenario.competitor is not None:
            competitor = Competitor(self.app, OPERATOR, self.scenario.competitor)
            pins, policy = self.scenario.competitor["pins"], self.scenario.alignment
            self._write(None, lambda s: competitor.setup(s, self.scenario.start, pins, policy))
            self.competitor = competitor

    def _partner(self, data: PartnerInput) -> Callable[[Any], str]:
        return lambda session: self.app.tenancy.create_partner(session, OPERATOR, data).id

    def _customer(self, partner_id: str, data: CustomerInput) -> Callable[[Any], tuple[str, str]]:
        def create(session: Any) -> tuple[str, str]:
            customer = self.app.tenancy.create_customer(session, OPERATOR, partner_id, data)
            project = self.app.tenancy.create_project(session, OPERATOR, customer.id, "default")
            return customer.id, project.id

        return create

    def _prices(self, session: Any) -> None:
        prices, start = self.app.prices, self.scenario.start
        for sku, value in self.scenario.list_prices.items():
            prices.set_price(
                session,
                OPERATOR,
                layer="list",
                kind="price",
                scope="",
                sku=sku,
                value=str(value),
                effective_from=start,
            )
        for rules, layer, scope_of in (
            (self.scenario.wholesale, "wholesale", lambda key: key),
            (self.scenario.resale, "resale", lambda key: self.partners[key]),
        ):
            for key, rule in rules.items():
                for kind in ("discount", "markup"):
                    if kind in rule:
                        prices.set_price(
                            session,
                            OPERATOR,
                            layer=layer,
                            kind=kind,
                            scope=scope_of(key),
                            sku="",
                            value=str(rule[kind]),
                            effective_from=start,
                        )
                for sku, value in rule.get("prices", {}).items():
                    prices.set_price(
                        session,
                        OPERATOR,
                        layer=layer,
                        kind="price",
                        scope=scope_of(key),
                        sku=sku,
                        value=str(value),
                        effective_from=start,
                    )

    def advance(self, when: datetime) -> None:
        """Lets every boot that ends before ``when`` finish and every schedule act at its
        boundaries (a worker passing right then), then stops the clock there."""
        with self.app.uow(readonly=True) as session:
            now = self.clock.now()
            boundaries = {
                *self.app.scheduler.boundaries(session, now, when),
                *self.app.environments.due_instants(session, now, when),
            }
        wakes = sorted(w for w in self.wakeups if w <= when)
        for instant in sorted({*wakes, *boundaries}):
            self.clock.set(instant)
            self._settle()
            if instant in boundaries:
                run_schedules(self.app)
                run_environments(self.app)
                self._settle()
        self.wakeups = [w for w in self.wakeups if w > when]
        self.clock.set(when)
        self._settle()

    def _settle(self) -> None:
        """Boots and deletions done, clusters moved on (each step can start the next)."""
        while True:
            while self.app.reconciler.run_once():
                pass
            if not advance_clusters(self.app):
                break
        issue_prepaid_charges(self.app)

    def _buy_reservation(self, action: Action) -> None:
        args = action.args
        customer_id, _ = self.customers[args["customer"]]
        purchase = Purchase(
            customer_id,
            str(args["flavor"]),
            str(args["region"]),
            int(args["count"]),
            str(args["term"]),
            str(args["payment"]),
            args.get("starts_at"),
        )
        number = self._write(
            action.line,
            lambda s: self._bought(s, self.app.reservations.buy(s, OPERATOR, purchase)).number,
        )
        self.reservations.append(number)

    def _bought(self, session: Any, purchase: P) -> P:
        """A purchase is invoiced with itself when it starts now, as through the API."""
        self.app.issuing.issue_prepaid(session, purchase.id)
        return purchase

    def perform(self, action: Action) -> None:
        self.advance(action.at)
        args = action.args
        if action.do in DEV_AND_TEST:
            self._dev_and_test(action)
        elif action.do in CLUSTERS:
            self._clusters(action)
        elif action.do == "create_server":
            _, project_id = self.customers[args["customer"]]
            request = ServerRequest(
                project_id=project_id,
                name=args["name"],
                flavor=args["flavor"],
                image=args.get("image", "debian-12"),
                region=args["region"],
                zone=args.get("zone"),
            )
            self.servers[args["name"]] = self._write(
                action.line, lambda s: self.app.servers.create_server(s, OPERATOR, request).id
            )
            self.wakeups.append(action.at + timedelta(seconds=self.scenario.boot_seconds))
        elif action.do == "resize_server":
            self._write(
                action.line,
                lambda s: self.app.servers.resize(
                    s, OPERATOR, self.servers[args["server"]], str(args["flavor"])
                ),
            )
        elif action.do == "buy_reservation":
            self._buy_reservation(action)
        elif action.do == "buy_commitment":
            customer_id, _ = self.customers[args["customer"]]
            self._write(
                action.line,
                lambda s: self._bought(
                    s,
                    self.app.commitments.buy(
                        s,
                        OPERATOR,
                        customer_id=customer_id,
                        amount=str(args["amount"]),
                        months=int(args["months"]),
                        bonus=str(args["bonus"]),
                    ),
                ),
            )
        elif action.do.endswith("_server"):
            verb = action.do.removesuffix("_server")
            self._write(
                action.line,
                lambda s: self.app.servers.act(
                    s, OPERATOR, self.servers[args["server"]], verb, args.get("type", "SOFT")
                ),
            )
        elif action.do == "price_change":
            self._write(
                action.line,
                lambda s: self.app.prices.price_change(
                    s,
                    OPERATOR,
                    sku=args["sku"],
                    list_price=str(args["list"]),
                    effective_from=action.at,
                    wholesale=args["wholesale"],
                ),
            )
        elif action.do == "competitor_price_cut" and self.competitor is not None:
            competitor = self.competitor
            self._write(action.line, lambda s: competitor.cut(s, action.at, args))
        elif action.do == "close_month":
            try:
                close_month(self.app, str(args["month"]))
            except AndromedeError as exc:
                raise ScenarioError(action.line, exc.detail) from None
            self.closed.append(str(args["month"]))
        self._settle()
        run_schedules(self.app)  # the worker's next pass: options that act between boundaries
        self._settle()

    def _dev_and_test(self, action: Action) -> None:
        args = action.args
        if action.do == "create_schedule":
            self._create_schedule(action)
        elif action.do == "tag_server":
            tags = [str(t) for t in args["tags"]]
            server_id = self.servers[args["server"]]
            self._write(action.line, lambda s: self.app.tags.set_tags(s, OPERATOR, server_id, tags))
        elif action.do == "create_environment":
            self._create_environment(action)
        else:
            env_id = self.environments[args["environment"]]
            envs = self.app.environments
            power = envs.start if action.do == "start_environment" else envs.stop
            self._write(action.line, lambda s: power(s, OPERATOR, env_id))

    def _clusters(self, action: Action) -> None:
        args = action.args
        clusters = self.app.clusters
        if action.do == "create_cluster":
            _, project_id = self.customers[args["customer"]]
            data = ClusterInput(
                project_id=project_id,
                name=str(args["name"]),
                region=str(args["region"]),
                zone=args.get("zone"),
                template=args.get("template"),
                body=args.get("shape"),
            )
            self.clusters[args["name"]] = self._write(
                action.line, lambda s: clusters.create(s, OPERATOR, data).id
            )
        elif action.do == "scale_cluster":
            cluster_id = self.clusters[args["cluster"]]
            groups = dict(args["groups"])
            self._write(action.line, lambda s: clusters.scale(s, OPERATOR, cluster_id, groups))
        else:
            cluster_id = self.clusters[args["cluster"]]
            self._write(action.line, lambda s: clusters.delete(s, OPERATOR, cluster_id))
        self._name_nodes()
        self.wakeups.append(action.at + timedelta(seconds=self.scenario.boot_seconds))

    def _name_nodes(self) -> None:
        """A cluster's nodes are named in the usage file by their server names."""
        with self.app.uow(readonly=True) as session:
            for cluster_id in self.clusters.values():
                try:
                    state = self.app.clusters.get(session, OPERATOR, cluster_id)
                except AndromedeError:
                    continue  # deleted
                self.servers.update({n.name: n.server_id for n in state.nodes})

    def _create_environment(self, action: Action) -> None:
        args = action.args
        _, project_id = self.customers[args["customer"]]
        keys: tuple[str, ...] = ("region", "members", "server_group", "zone")
        template = {k: args[k] for k in keys if k in args}
        data = EnvironmentInput(
            project_id=project_id,
            name=str(args["name"]),
            template=template,
            ttl_hours=args.get("ttl_hours", 8),
            expires_at=args.get("expires_at"),
        )

        def create(session: Any) -> str:
            env = self.app.environments.create(session, OPERATOR, data)
            for member in self.app.environments.state(session, env).members:
                if member.server_id:  # its servers are named in the usage file
                    self.servers[f"{env.name}-{member.slot}"] = member.server_id
            return env.id

        self.environments[args["name"]] = self._write(action.line, create)

    def _create_schedule(self, action: Action) -> None:
        args = action.args
        customer_id, _ = self.customers[args["customer"]]
        data = ScheduleInput(
            name=str(args["name"]),
            periods=args["periods"],
            timezone=str(args.get("timezone", "Europe/Paris")),
            holidays=args.get("holidays"),
            skip_dates=[str(d) for d in args.get("skip_dates", [])],
            enforced=bool(args.get("enforced")),
            retain_running=bool(args.get("retain_running")),
            stop_new=bool(args.get("stop_new")),
        )
        self._write(
            action.line,
            lambda s: self.app.schedules.create(s, OPERATOR, data, customer_id=customer_id),
        )

    def write(self, out: Path) -> dict[str, int]:
        (out / "invoices").mkdir(parents=True)
        with self.app.uow(readonly=True) as session:
            documents = self.app.invoices.all_documents(session)
            usage = {m: self.app.reports.usage(session, OPERATOR, m) for m in self.closed}
            margins = {m: self.app.reports.margin_report(session, OPERATOR, m) for m in self.closed}
            reports = [
                (
                    key,
                    self.app.reservation_reports.report(
                        session, OPERATOR, ids[0], m, recommendations=False
                    ),
                )
                for m in self.closed
                for key, ids in self.customers.items()
            ]
        for doc in documents:
            (out / "invoices" / f"{doc['number']}.json").write_text(
                json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        write_einvoices(out / "einvoices", documents)
        customer = {ids[0]: key for key, ids in self.customers.items()}
        partner = {pid: key for key, pid in self.partners.items()}
        server = {sid: name for name, sid in self.servers.items()}
        usage_lines = [
            [
                month,
                customer[row["customer_id"]],
                "default",
                server[row["server_id"]],
                *(row[c] for c in USAGE_COLUMNS[3:]),
            ]
            for month, rated in usage.items()
            for row in usage_rows(rated)
        ]
        margin_rows = [
            [
                month,
                partner[m.partner_id],
                customer[m.customer_id],
                m.sku,
                f"{m.wholesale:f}",
                f"{m.resale:f}",
                f"{m.margin:f}",
            ]
            for month, items in margins.items()
            for m in items
        ]
        _csv(out / "usage.csv", SIM_USAGE_COLUMNS, usage_lines)
        _csv(
            out / "reservations.csv",
            RESERVATION_COLUMNS,
            [
                [
                    report["month"],
                    key,
                    *(r[c] for c in RESERVATION_COLUMNS[2:-1]),
                    report["coverage"] or "",
                ]
                for key, report in reports
                for r in report["reservations"]
            ],
        )
        _csv(
            out / "margins.csv",
            ["month", "partner", "customer", "sku", "wholesale", "resale", "margin"],
            margin_rows,
        )
        return {"invoices": len(documents), "segments": len(usage_lines)}


def write_einvoices(folder: Path, documents: list[dict[str, Any]]) -> None:
    """Each invoice's Factur-X (``<number>.pdf``) and CII (``<number>.xml``) beside the
    JSON, with a progress bar: a PDF takes a few tens of milliseconds."""
    folder.mkdir(parents=True)
    with Progress(transient=True) as progress:
        task = progress.add_task(tr("e-invoices"), total=len(documents))
        for doc in documents:
            made = produce(doc)
            (folder / f"{made.number}.pdf").write_bytes(made.facturx)
            (folder / f"{made.number}.xml").write_bytes(made.cii)
            progress.advance(task)


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.write_text(
        csv_text(header, [dict(zip(header, r, strict=True)) for r in rows]), encoding="utf-8"
    )


def run_simulation(scenario_file: Path, out: Path) -> dict[str, int]:
    """Raises ScenarioError (with the scenario line) and leaves ``out`` untouched on error."""
    scenario = parse_scenario(scenario_file.read_text(encoding="utf-8"))
    if out.exists() and any(out.iterdir()):
        raise ScenarioError(None, f"{out} is not empty")
    with tempfile.TemporaryDirectory(prefix="andromede-sim-") as tmp:
        work = Path(tmp)
        simulation = Simulation(scenario, work)
        try:
            simulation.setup()
            for action in scenario.timeline:
                simulation.perform(action)
            staged = work / "out"
            counts = simulation.write(staged)
        finally:
            simulation.app.engine.dispose()
        out.mkdir(parents=True, exist_ok=True)
        for item in staged.iterdir():
            shutil.move(str(item), out / item.name)
    return counts
