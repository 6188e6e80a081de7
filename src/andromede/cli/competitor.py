"""The hyperscaler in a scenario: its price list on the scenario's start (a section
``competitor``), the operator's alignment policy (``alignment``), and the action
``competitor_price_cut``: their new prices published that day, followed from a later one
(after the notice) as the operator would, through the price alignment service."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from andromede.alignment.price_list import InstanceType, ReferenceList
from andromede.alignment.service import FollowInput
from andromede.bootstrap import App
from andromede.tenancy.scope import Caller

__all__ = ["Competitor", "parse_competitor", "parse_cut"]

KINDS = ("general", "compute", "memory", "burstable")


class Invalid(ValueError):
    """What is wrong, for the caller to name the line."""


def _price(value: Any, what: str) -> Decimal:
    if isinstance(value, float):
        raise Invalid(f'{what}: write amounts as strings ("0.0500"), not floats')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"{what}: {value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount <= 0:
        raise Invalid(f"{what}: must be a positive amount")
    return amount


def _fraction(value: Any, what: str) -> str:
    if isinstance(value, float):
        raise Invalid(f'{what}: write it as a string ("-0.05"), not a float')
    try:
        Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"{what}: {value!r} is not a decimal") from None
    return str(value)


def _type(name: str, spec: Any) -> InstanceType:
    if not isinstance(spec, dict):
        raise Invalid(f"competitor.types.{name}: expected {{vcpus, memory_gib, family, price}}")
    if spec.get("family") not in KINDS:
        raise Invalid(f"competitor.types.{name}.family: one of {', '.join(KINDS)}")
    try:
        vcpus, memory = int(spec["vcpus"]), Decimal(str(spec["memory_gib"]))
    except (KeyError, ValueError, InvalidOperation):
        raise Invalid(f"competitor.types.{name}: vcpus and memory_gib are numbers") from None
    return InstanceType(
        name, spec["family"], vcpus, int(memory * 1024), False, True,
        _price(spec.get("price"), f"competitor.types.{name}.price"),
    )  # fmt: skip


def parse_competitor(section: Any) -> dict[str, Any]:
    """``{region, types: {name: {vcpus, memory_gib, family, price}}, pins: {flavor: type}}``:
    prices in EUR per hour."""
    if not isinstance(section, dict) or not isinstance(section.get("types"), dict):
        raise Invalid("competitor: a mapping with types (and optionally region and pins)")
    types = {str(n): _type(str(n), spec) for n, spec in section["types"].items() if n != "__line__"}
    pins = {str(k): str(v) for k, v in (section.get("pins") or {}).items() if k != "__line__"}
    return {"region": str(section.get("region", "eu-west-3")), "types": types, "pins": pins}


def parse_alignment(section: Any) -> dict[str, Any]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise Invalid("alignment: a mapping of gap, margin_floor, notice_days")
    found: dict[str, Any] = {}
    for key in ("gap", "margin_floor"):
        if key in section:
            found[key] = _fraction(section[key], f"alignment.{key}")
    if "notice_days" in section:
        found["notice_days"] = int(section["notice_days"])
    return found


def parse_cut(args: dict[str, Any], competitor: dict[str, Any] | None) -> None:
    """Checks a ``competitor_price_cut`` in place: their new prices for listed types."""
    if competitor is None:
        raise Invalid("competitor_price_cut: the scenario has no competitor section")
    prices = args["prices"]
    if not isinstance(prices, dict):
        raise Invalid("competitor_price_cut: prices is a mapping of their type to its price")
    cut: dict[str, Decimal] = {}
    for name, value in prices.items():
        if name == "__line__":
            continue
        if name not in competitor["types"]:
            raise Invalid(f"competitor_price_cut: {name!r} is not in the competitor's types")
        cut[str(name)] = _price(value, f"prices.{name}")
    args["prices"] = cut
    if args.setdefault("wholesale", "follow") not in ("follow", "hold"):
        raise Invalid("competitor_price_cut: wholesale must be follow or hold")
    args["protect"] = bool(args.get("protect", True))
    if "gap" in args:
        args["gap"] = _fraction(args["gap"], "gap")


class Competitor:
    """Their price lists as the simulation publishes them, and the cuts it follows."""

    def __init__(self, app: App, caller: Caller, section: dict[str, Any]) -> None:
        self.app = app
        self.caller = caller
        self.region = section["region"]
        self.types: dict[str, InstanceType] = section["types"]
        self.list_id = ""

    def publish(self, session: Any, at: datetime) -> str:
        reference = ReferenceList(
            provider="aws",
            offer_code="AmazonEC2",
            region=self.region,
            version=at.strftime("%Y%m%d%H%M%S"),
            published=at,
            currency="EUR",
            rate=Decimal(1),
            rate_date=at.date(),
            types=tuple(self.types[n] for n in sorted(self.types)),
        )
        row = self.app.alignment.store_list(session, self.caller, reference, "scenario", "yaml")
        return str(row.id)

    def setup(
        self, session: Any, at: datetime, pins: dict[str, str], policy: dict[str, Any]
    ) -> None:
        self.list_id = self.publish(session, at)
        for flavor, name in pins.items():
            self.app.alignment.pin(session, self.caller, flavor, name)
        if policy:
            self.app.alignment.set_settings(session, self.caller, **policy)

    def cut(self, session: Any, at: datetime, args: dict[str, Any]) -> None:
        """Their new prices published at ``at``, followed from ``follow_at`` (after the
        notice by default)."""
        before = self.list_id
        for name, price in args["prices"].items():
            self.types[name] = replace(self.types[name], on_demand=price)
        self.list_id = self.publish(session, at)
        notice = self.app.alignment.settings(session).notice_days
        when = args.get("follow_at") or at + timedelta(days=notice)
        data = FollowInput(
            before, self.list_id, args["wholesale"], args.get("gap"), args["protect"]
        )
        self.app.alignment.apply(session, self.caller, data, when)
