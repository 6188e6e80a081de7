"""Scenario files of ``andromede simulate``: parsed and checked before anything runs.

Every error names the line of the scenario it comes from; a scenario with one error is
refused whole, so a simulation never writes half its output.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from andromede.cli.competitor import Invalid, parse_alignment, parse_competitor, parse_cut
from andromede.clusters.template_spec import parse_template
from andromede.kernel.errors import ValidationFailed
from andromede.schedules.environment_spec import member_from_text
from andromede.schedules.spec import period_from_text

__all__ = ["Action", "Scenario", "ScenarioError", "parse_scenario"]

ACTIONS: dict[str, tuple[set[str], set[str]]] = {  # action: (required keys, optional keys)
    "create_server": ({"customer", "name", "flavor", "region"}, {"image", "zone"}),
    "stop_server": ({"server"}, set()),
    "start_server": ({"server"}, set()),
    "reboot_server": ({"server"}, {"type"}),
    "delete_server": ({"server"}, set()),
    "resize_server": ({"server", "flavor"}, set()),
    "buy_reservation": (
        {"customer", "flavor", "region", "count", "term", "payment"},
        {"starts_at"},
    ),
    "buy_commitment": ({"customer", "amount", "months"}, {"bonus"}),
    "price_change": ({"sku", "list"}, {"wholesale"}),
    "close_month": ({"month"}, set()),
    "create_schedule": (
        {"customer", "name", "periods"},
        {"timezone", "holidays", "skip_dates", "enforced", "retain_running", "stop_new"},
    ),
    "tag_server": ({"server", "tags"}, set()),
    "create_environment": (
        {"customer", "name", "region", "members"},
        {"ttl_hours", "expires_at", "server_group", "zone"},
    ),
    "start_environment": ({"environment"}, set()),
    "stop_environment": ({"environment"}, set()),
    "create_cluster": ({"customer", "name", "region"}, {"template", "shape", "zone"}),
    "scale_cluster": ({"cluster", "groups"}, set()),
    "delete_cluster": ({"cluster"}, set()),
    "competitor_price_cut": ({"prices"}, {"wholesale", "protect", "follow_at", "gap"}),
}


class ScenarioError(ValueError):
    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass(frozen=True)
class Action:
    line: int
    at: datetime
    do: str
    args: dict[str, Any]


@dataclass
class Scenario:
    start: datetime
    boot_seconds: float = 0.0
    list_prices: dict[str, Decimal] = field(default_factory=dict)
    wholesale: dict[str, dict[str, Any]] = field(default_factory=dict)
    resale: dict[str, dict[str, Any]] = field(default_factory=dict)
    partners: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[Action] = field(default_factory=list)
    competitor: dict[str, Any] | None = None  # their price list on the start, and pins
    alignment: dict[str, Any] = field(default_factory=dict)  # the operator's policy


class _LineLoader(yaml.SafeLoader):  # type: ignore[misc]
    """Records the line of every mapping under the key ``__line__``."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = dict(loader.construct_mapping(node, deep=True))
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _time(value: Any, line: int, what: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(line, f"{what}: {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ScenarioError(line, f"{what}: give the time zone (e.g. Z for UTC)")
    return parsed.astimezone(UTC)


def _money(value: Any, line: int, what: str) -> Decimal:
    if isinstance(value, float):
        raise ScenarioError(line, f'{what}: write amounts as strings ("0.0500"), not floats')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ScenarioError(line, f"{what}: {value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount < 0:
        raise ScenarioError(line, f"{what}: must be a non-negative amount")
    return amount


def _rules(section: Any, line: int, what: str) -> dict[str, dict[str, Any]]:
    """``{key: {discount|markup: "0.2"}}`` or ``{key: {prices: {sku: "0.04"}}}``."""
    rules: dict[str, dict[str, Any]] = {}
    for key, rule in (section or {}).items():
        if key == "__line__":
            continue
        if not isinstance(rule, dict):
            raise ScenarioError(line, f"{what}.{key}: expected a mapping")
        at = rule.get("__line__", line)
        parsed: dict[str, Any] = {}
        for name, value in rule.items():
            if name == "__line__":
                continue
            if name in ("discount", "markup"):
                parsed[name] = _money(value, at, f"{what}.{key}.{name}")
            elif name == "prices":
                parsed[name] = {
                    s: _money(v, at, f"{what}.{key}.prices.{s}")
                    for s, v in value.items()
                    if s != "__line__"
                }
            else:
                raise ScenarioError(at, f"{what}.{key}: unknown rule {name!r}")
        rules[str(key)] = parsed
    return rules


def _action(item: Any, index: int, competitor: dict[str, Any] | None) -> Action:
    if not isinstance(item, dict):
        raise ScenarioError(None, f"timeline entry {index + 1}: expected a mapping")
    line = int(item.get("__line__", 0))
    do = item.get("do")
    if do not in ACTIONS:
        raise ScenarioError(line, f"unknown action {do!r} (known: {', '.join(ACTIONS)})")
    required, optional = ACTIONS[do]
    args = {k: v for k, v in item.items() if k not in ("__line__", "at", "do")}
    missing = required - set(args)
    if missing:
        raise ScenarioError(line, f"{do}: missing {', '.join(sorted(missing))}")
    unknown = set(args) - required - optional
    if unknown:
        raise ScenarioError(line, f"{do}: unknown field {', '.join(sorted(unknown))}")
    if do == "buy_commitment":
        args["amount"] = _money(args["amount"], line, "amount")
        args["bonus"] = _money(args.get("bonus", "0"), line, "bonus")
    if do == "buy_reservation" and "starts_at" in args:
        args["starts_at"] = _time(args["starts_at"], line, "starts_at")
    _dev_and_test(do, args, line)
    _clusters(do, args, line)
    if do == "competitor_price_cut":
        try:
            parse_cut(args, competitor)
        except Invalid as exc:
            raise ScenarioError(line, str(exc)) from None
        if "follow_at" in args:
            args["follow_at"] = _time(args["follow_at"], line, "follow_at")
    if do == "price_change":
        args["list"] = _money(args["list"], line, "list")
        if args.setdefault("wholesale", "follow") not in ("follow", "hold"):
            raise ScenarioError(line, "price_change: wholesale must be follow or hold")
    return Action(line, _time(item.get("at"), line, "at"), do, args)


def _dev_and_test(do: str, args: dict[str, Any], line: int) -> None:
    """Schedules, tags and environments, written as people write them."""
    if do == "create_schedule":
        args["periods"] = _periods(args["periods"], line)
    if do == "create_environment":
        args["members"] = _members(args["members"], line)
        if "expires_at" in args:
            args["expires_at"] = _time(args["expires_at"], line, "expires_at")
    if do == "tag_server" and not (
        isinstance(args["tags"], list) and all(isinstance(t, str) for t in args["tags"])
    ):
        raise ScenarioError(line, "tag_server: tags is a list of words (schedule=<name>)")


def _clusters(do: str, args: dict[str, Any], line: int) -> None:
    """A cluster's shape is written as the API takes it (engine, version, image,
    node_groups, config); checked here, so a bad one names its line."""
    if do == "create_cluster":
        if ("shape" in args) == ("template" in args):
            raise ScenarioError(line, "create_cluster: give a shape or a template")
        if "shape" in args:
            args["shape"] = _plain(args["shape"])
            try:
                parse_template(args["shape"])
            except ValidationFailed as exc:
                raise ScenarioError(line, f"create_cluster: {exc.detail}") from None
    if do == "scale_cluster":
        groups = _plain(args["groups"])
        if not isinstance(groups, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in groups.values()
        ):
            raise ScenarioError(line, "scale_cluster: groups is a mapping like {core: 4}")
        args["groups"] = groups


def _plain(value: Any) -> Any:
    """The value without the line numbers the loader records in every mapping."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _periods(value: Any, line: int) -> list[dict[str, Any]]:
    """``["mon-fri 08:00-19:00"]``, as people write periods."""
    if not isinstance(value, list) or not value:
        raise ScenarioError(line, "create_schedule: periods is a list like ['mon-fri 08:00-19:00']")
    try:
        return [period_from_text(str(p)) for p in value]
    except ValueError as exc:
        raise ScenarioError(line, f"create_schedule: {exc}") from None


def _members(value: Any, line: int) -> list[dict[str, Any]]:
    """``["web=SCS-1V-2:debian-12x2"]``, as people write an environment's members."""
    if not isinstance(value, list) or not value:
        raise ScenarioError(
            line, "create_environment: members is a list like ['web=SCS-1V-2:debian-12x2']"
        )
    try:
        return [member_from_text(str(m)) for m in value]
    except ValueError as exc:
        raise ScenarioError(line, f"create_environment: {exc}") from None


def parse_scenario(text: str) -> Scenario:
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ScenarioError(mark.line + 1 if mark else None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(
            None, "a scenario is a mapping with start, partners, customers, timeline"
        )
    line = int(data.get("__line__") or 1)
    if "start" not in data:
        raise ScenarioError(line, "start is required")
    prices: dict[str, Any] = data.get("prices") or {}
    at = int(prices.get("__line__") or line)
    competitor, alignment = _competitor(data)
    scenario = Scenario(
        start=_time(data["start"], line, "start"),
        boot_seconds=float(data.get("boot_seconds", 0)),
        list_prices={
            k: _money(v, at, f"prices.list.{k}")
            for k, v in (prices.get("list") or {}).items()
            if k != "__line__"
        },
        wholesale=_rules(prices.get("wholesale"), at, "wholesale"),
        resale=_rules(prices.get("resale"), at, "resale"),
        partners=list(data.get("partners") or []),
        customers=list(data.get("customers") or []),
        timeline=[
            _action(item, i, competitor) for i, item in enumerate(data.get("timeline") or [])
        ],
        competitor=competitor,
        alignment=alignment,
    )
    _check_references(scenario)
    return scenario


def _competitor(data: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    section = data.get("competitor")
    try:
        competitor = None if section is None else parse_competitor(section)
        return competitor, parse_alignment(data.get("alignment"))
    except Invalid as exc:
        where = section if isinstance(section, dict) else data
        raise ScenarioError(int(where.get("__line__") or 0) or None, str(exc)) from None


def _check_references(scenario: Scenario) -> None:
    partners = _check_parties(scenario)
    customers = {c.get("key") for c in scenario.customers}
    for key in scenario.resale:
        if key not in partners:
            raise ScenarioError(None, f"resale: unknown partner {key!r}")
    _check_timeline(scenario, customers)


def _check_cluster(action: Action, clusters: set[str]) -> None:
    if action.do == "create_cluster":
        if action.args["name"] in clusters:
            raise ScenarioError(action.line, f"cluster {action.args['name']!r} exists already")
        clusters.add(str(action.args["name"]))
    elif "cluster" in action.args and action.args["cluster"] not in clusters:
        raise ScenarioError(action.line, f"unknown cluster {action.args['cluster']!r}")


def _check_parties(scenario: Scenario) -> set[str]:
    partners = set()
    for p in scenario.partners:
        for key in ("key", "name", "kind", "tier"):
            if not p.get(key):
                raise ScenarioError(p.get("__line__"), f"partner: {key} is required")
        partners.add(str(p["key"]))
    for c in scenario.customers:
        if c.get("partner") not in partners:
            raise ScenarioError(
                c.get("__line__"), f"customer: unknown partner {c.get('partner')!r}"
            )
        if not c.get("key") or not c.get("name"):
            raise ScenarioError(c.get("__line__"), "customer: key and name are required")
    return partners


def _check_timeline(scenario: Scenario, customers: set[Any]) -> None:
    servers: set[str] = set()
    clusters: set[str] = set()
    previous = scenario.start
    for action in scenario.timeline:
        if action.at < previous:
            raise ScenarioError(action.line, "timeline: actions must be in time order")
        previous = action.at
        if "customer" in action.args and action.args["customer"] not in customers:
            raise ScenarioError(action.line, f"unknown customer {action.args['customer']!r}")
        if action.do == "create_server":
            if action.args["customer"] not in customers:
                raise ScenarioError(action.line, f"unknown customer {action.args['customer']!r}")
            if action.args["name"] in servers:
                raise ScenarioError(action.line, f"server {action.args['name']!r} exists already")
            servers.add(action.args["name"])
        elif "server" in action.args and action.args["server"] not in servers:
            raise ScenarioError(action.line, f"unknown server {action.args['server']!r}")
        _check_cluster(action, clusters)
