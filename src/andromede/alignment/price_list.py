"""A hyperscaler's public on-demand price list, read from the file the operator
downloaded (the AWS Price List bulk offer file for EC2, JSON or CSV). Pure.

Only what a comparison with our flavors needs is kept: Linux, shared tenancy, no
pre-installed software, instances in use (``capacitystatus`` Used), for one region; per
instance type its size, its family, its on-demand hourly price and, where the file has
them, the effective hourly price of its standard 1- and 3-year reservations for each
payment option. Prices are converted to EUR at the rate the operator gives.

A file that is not what it claims is refused whole, with the reason
(``PriceListRefused``): not EC2, no publication date, nothing for the region, prices in
another currency than the one converted from.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "InstanceType",
    "PriceListRefused",
    "ReferenceList",
    "kind_of_family",
    "parse_price_list",
]

EUR_RATE = Decimal("0.000001")  # prices kept to the micro-euro per hour
TERMS = {"1yr": ("1y", 8760), "3yr": ("3y", 26280)}
PAYMENTS = {
    "No Upfront": "no-upfront",
    "Partial Upfront": "partial-upfront",
    "All Upfront": "all-upfront",
}
# their instance family -> our kind; other families (storage, GPU, FPGA...) have no
# counterpart among our flavors and are not kept
FAMILIES = {
    "General purpose": "general",
    "Compute optimized": "compute",
    "Memory optimized": "memory",
}
KEEP = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}
# CSV column -> the JSON attribute name it carries
CSV_ATTRIBUTES = {
    "Instance Type": "instanceType",
    "Instance Family": "instanceFamily",
    "vCPU": "vcpu",
    "Memory": "memory",
    "Physical Processor": "physicalProcessor",
    "Current Generation": "currentGeneration",
    "Operating System": "operatingSystem",
    "Tenancy": "tenancy",
    "Pre Installed S/W": "preInstalledSw",
    "CapacityStatus": "capacitystatus",
    "Region Code": "regionCode",
}


class PriceListRefused(ValueError):
    """The file is not a price list we can trust for what was asked; nothing is kept."""


@dataclass(frozen=True)
class InstanceType:
    name: str  # m6i.large
    kind: str  # general | burstable | compute | memory
    vcpus: int
    ram_mib: int
    arm: bool
    current: bool
    on_demand: Decimal  # EUR per hour
    # (term 1y|3y, payment) -> effective EUR per hour, upfront spread over the term
    reserved: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceList:
    provider: str
    offer_code: str
    region: str
    version: str
    published: datetime
    currency: str
    rate: Decimal  # EUR per unit of ``currency``
    rate_date: date
    types: tuple[InstanceType, ...]


def kind_of_family(family: str, name: str) -> str | None:
    """Burstable types (t2, t3, t4g…) are general purpose to them, crowded cores to us."""
    kind = FAMILIES.get(family)
    if kind == "general" and name.startswith("t"):
        return "burstable"
    return kind


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise PriceListRefused(f"{what}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise PriceListRefused(f"{what}: {value!r} is not a price")
    return number


def _memory_mib(text: str, name: str) -> int:
    number, _, unit = str(text).strip().partition(" ")
    if unit != "GiB":
        raise PriceListRefused(f"{name}: memory {text!r} is not in GiB")
    return int(_decimal(number, f"{name} memory") * 1024)


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise PriceListRefused(f"publication date {text!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)


@dataclass
class _Collected:
    """Products and prices as read, before conversion: one shape for JSON and CSV."""

    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # sku -> attributes
    on_demand: dict[str, Decimal] = field(default_factory=dict)  # sku -> per hour
    # (sku, offer term code) -> {"Hrs": x, "Quantity": y, "term": .., "payment": ..}
    reserved: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def _keep(attributes: Mapping[str, str], region: str) -> bool:
    return attributes.get("regionCode") == region and all(
        attributes.get(k) == v for k, v in KEEP.items()
    )


def _price_of(per_unit: Mapping[str, Any], currency: str, where: str) -> Decimal:
    if currency not in per_unit:
        raise PriceListRefused(f"{where}: no price in {currency} (has {', '.join(per_unit)})")
    return _decimal(per_unit[currency], where)


def _add_reserved(
    found: _Collected, key: tuple[str, str], terms: Mapping[str, str], unit: str, price: Decimal
) -> None:
    if terms.get("OfferingClass") != "standard" or terms.get("LeaseContractLength") not in TERMS:
        return
    if terms.get("PurchaseOption") not in PAYMENTS:
        return
    entry = found.reserved.setdefault(
        key,
        {"term": terms["LeaseContractLength"], "payment": PAYMENTS[terms["PurchaseOption"]]},
    )
    entry[unit] = price


def _read_json(data: bytes, region: str, currency: str) -> tuple[dict[str, Any], _Collected]:
    try:
        offer = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PriceListRefused(f"not JSON: {exc}") from None
    if not isinstance(offer, dict) or not isinstance(offer.get("products"), dict):
        raise PriceListRefused("no products section: not a price list offer file")
    found = _Collected()
    for sku, product in offer["products"].items():
        attributes = product.get("attributes") or {}
        if product.get("productFamily") == "Compute Instance" and _keep(attributes, region):
            found.attributes[sku] = attributes
    terms = offer.get("terms") or {}
    for sku, code, _, dim in _dimensions(terms.get("OnDemand"), found):
        if dim.get("unit") == "Hrs":
            found.on_demand[sku] = _price_of(dim.get("pricePerUnit", {}), currency, code)
    for sku, code, term, dim in _dimensions(terms.get("Reserved"), found):
        price = _price_of(dim.get("pricePerUnit", {}), currency, code)
        _add_reserved(
            found, (sku, code), term.get("termAttributes", {}), dim.get("unit", ""), price
        )
    return offer, found


def _dimensions(
    terms: Any, found: _Collected
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(sku, offer term code, term, price dimension) of the products kept."""
    for sku, offers in (terms or {}).items():
        if sku not in found.attributes:
            continue
        for code, term in offers.items():
            for dim in term.get("priceDimensions", {}).values():
                yield sku, code, term, dim


def _csv_rows(text: str) -> tuple[dict[str, str], Iterator[dict[str, str]]]:
    lines = io.StringIO(text)
    meta_reader = csv.reader(lines)
    meta: dict[str, str] = {}
    for _ in range(5):
        row = next(meta_reader, None)
        if not row or len(row) < 2:
            raise PriceListRefused("the first five rows of a price list CSV are its metadata")
        meta[row[0]] = row[1]
    return meta, csv.DictReader(lines)


def _read_csv(data: bytes, region: str, currency: str) -> tuple[dict[str, Any], _Collected]:
    try:
        meta, rows = _csv_rows(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PriceListRefused(f"not a CSV price list: {exc}") from None
    offer = {
        "offerCode": meta.get("OfferCode"),
        "version": meta.get("Version"),
        "publicationDate": meta.get("Publication Date"),
    }
    found = _Collected()
    for row in rows:
        if row.get("Product Family") != "Compute Instance":
            continue
        attributes = {CSV_ATTRIBUTES[k]: v for k, v in row.items() if k in CSV_ATTRIBUTES}
        if not _keep(attributes, region):
            continue
        sku = row["SKU"]
        found.attributes[sku] = attributes
        if row.get("Currency") != currency:
            raise PriceListRefused(f"{sku}: price in {row.get('Currency')}, not {currency}")
        price = _decimal(row.get("PricePerUnit"), sku)
        if row.get("TermType") == "OnDemand" and row.get("Unit") == "Hrs":
            found.on_demand[sku] = price
        elif row.get("TermType") == "Reserved":
            terms = {
                "OfferingClass": row.get("OfferingClass", ""),
                "LeaseContractLength": row.get("LeaseContractLength", ""),
                "PurchaseOption": row.get("PurchaseOption", ""),
            }
            _add_reserved(found, (sku, row["OfferTermCode"]), terms, row.get("Unit", ""), price)
    return offer, found


def _eur(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(EUR_RATE, ROUND_HALF_UP)


def _reserved_of(found: _Collected, sku: str, rate: Decimal) -> dict[tuple[str, str], Decimal]:
    prices: dict[tuple[str, str], Decimal] = {}
    for (of_sku, _), entry in found.reserved.items():
        if of_sku != sku:
            continue
        term, hours = TERMS[entry["term"]]
        effective = entry.get("Hrs", Decimal(0)) + entry.get("Quantity", Decimal(0)) / hours
        prices[(term, entry["payment"])] = _eur(effective, rate)
    return prices


def _is_arm(name: str, processor: str) -> bool:
    """Graviton: the processor says so, or the family's letters after its generation hold
    a ``g`` (m7g, c6gn, t4g)."""
    match = _FAMILY.match(name)
    return "Graviton" in processor or bool(match and "g" in match["letters"])


_FAMILY = re.compile(r"^[a-z]+\d+(?P<letters>[a-z-]*)\.")


def _types(found: _Collected, rate: Decimal) -> Iterable[InstanceType]:
    """One per instance type name (the first of its SKUs in SKU order, if several)."""
    seen: set[str] = set()
    for sku, attributes in sorted(found.attributes.items()):
        name = attributes.get("instanceType", "")
        kind = kind_of_family(attributes.get("instanceFamily", ""), name)
        if kind is None or sku not in found.on_demand or name in seen:
            continue
        seen.add(name)
        yield InstanceType(
            name=name,
            kind=kind,
            vcpus=int(_decimal(attributes.get("vcpu"), f"{name} vCPU")),
            ram_mib=_memory_mib(attributes.get("memory", ""), name),
            arm=_is_arm(name, attributes.get("physicalProcessor", "")),
            current=attributes.get("currentGeneration", "Yes") == "Yes",
            on_demand=_eur(found.on_demand[sku], rate),
            reserved=_reserved_of(found, sku, rate),
        )


def parse_price_list(
    data: bytes, *, region: str, rate: Decimal, rate_date: date, currency: str = "USD"
) -> ReferenceList:
    """The EC2 offer file (JSON, or CSV when it does not start with ``{``) for ``region``,
    its prices converted at ``rate`` EUR per ``currency``."""
    if rate <= 0:
        raise PriceListRefused("the exchange rate must be positive")
    is_json = data.lstrip()[:1] == b"{"
    offer, found = (_read_json if is_json else _read_csv)(data, region, currency)
    if offer.get("offerCode") != "AmazonEC2":
        raise PriceListRefused(f"offer code {offer.get('offerCode')!r}: not the EC2 price list")
    if not offer.get("publicationDate"):
        raise PriceListRefused("no publication date")
    published = _instant(str(offer["publicationDate"]))
    types = tuple(sorted(_types(found, rate), key=lambda t: t.name))
    if not types:
        raise PriceListRefused(
            f"no on-demand Linux shared-tenancy instance prices for region {region!r}"
        )
    return ReferenceList(
        provider="aws",
        offer_code="AmazonEC2",
        region=region,
        version=str(offer.get("version") or published.strftime("%Y%m%d%H%M%S")),
        published=published,
        currency=currency,
        rate=rate,
        rate_date=rate_date,
        types=types,
    )
