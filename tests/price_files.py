"""Small price list files in the AWS Price List bulk format (EC2 offer file, JSON and
CSV), built from a few instance types for the importer's tests and the e2e ones."""

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Kind", "aws_csv", "aws_json"]


@dataclass(frozen=True)
class Kind:
    name: str  # m6i.large
    vcpu: int
    memory_gib: str  # "8"
    family: str  # General purpose | Compute optimized | Memory optimized | Storage optimized
    usd: str  # on-demand per hour
    processor: str = "Intel Xeon 8375C (Ice Lake)"
    current: str = "Yes"
    # (LeaseContractLength, PurchaseOption) -> (upfront USD, hourly USD)
    reserved: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def _attributes(k: Kind, region: str, os: str = "Linux") -> dict[str, str]:
    return {
        "servicecode": "AmazonEC2",
        "location": "EU (Paris)",
        "locationType": "AWS Region",
        "instanceType": k.name,
        "currentGeneration": k.current,
        "instanceFamily": k.family,
        "vcpu": str(k.vcpu),
        "physicalProcessor": k.processor,
        "memory": f"{k.memory_gib} GiB",
        "storage": "EBS only",
        "tenancy": "Shared",
        "operatingSystem": os,
        "licenseModel": "No License required",
        "usagetype": f"EUW3-BoxUsage:{k.name}",
        "operation": "RunInstances",
        "capacitystatus": "Used",
        "preInstalledSw": "NA",
        "regionCode": region,
        "servicename": "Amazon Elastic Compute Cloud",
    }


def _skus(kinds: list[Kind]) -> list[tuple[str, Kind, str]]:
    """Each type as Linux (kept) and as Windows (which the importer must leave out)."""
    rows = []
    for i, k in enumerate(kinds):
        rows.append((f"LNX{i:04d}ABCDEFGH", k, "Linux"))
        rows.append((f"WIN{i:04d}ABCDEFGH", k, "Windows"))
    return rows


def _price(usd: str, os: str) -> str:
    """Windows costs more; a price that is not a number stays as it is (refusal tests)."""
    if os == "Linux" or not usd.replace(".", "").isdigit():
        return usd
    return str(Decimal(usd) * 2)


def aws_json(
    kinds: list[Kind],
    *,
    region: str = "eu-west-3",
    published: str = "2026-11-01T00:00:00Z",
    version: str = "20261101000000",
    offer_code: str = "AmazonEC2",
    currency: str = "USD",
) -> bytes:
    products: dict[str, object] = {}
    on_demand: dict[str, object] = {}
    reserved: dict[str, object] = {}
    for sku, k, os in _skus(kinds):
        products[sku] = {
            "sku": sku,
            "productFamily": "Compute Instance",
            "attributes": _attributes(k, region, os),
        }
        code = f"{sku}.JRTCKXETXF"
        on_demand[sku] = {
            code: {
                "offerTermCode": "JRTCKXETXF",
                "sku": sku,
                "effectiveDate": published,
                "priceDimensions": {
                    f"{code}.6YS6EN2CT7": {
                        "rateCode": f"{code}.6YS6EN2CT7",
                        "description": f"On Demand {os} {k.name} Instance Hour",
                        "beginRange": "0",
                        "endRange": "Inf",
                        "unit": "Hrs",
                        "pricePerUnit": {currency: _price(k.usd, os)},
                        "appliesTo": [],
                    }
                },
                "termAttributes": {},
            }
        }
        terms = {}
        for n, ((length, option), (upfront, hourly)) in enumerate(sorted(k.reserved.items())):
            rcode = f"{sku}.R{n:03d}"
            terms[rcode] = {
                "offerTermCode": f"R{n:03d}",
                "sku": sku,
                "effectiveDate": published,
                "priceDimensions": {
                    f"{rcode}.H": {"unit": "Hrs", "pricePerUnit": {currency: hourly}},
                    f"{rcode}.U": {
                        "unit": "Quantity",
                        "description": "Upfront Fee",
                        "pricePerUnit": {currency: upfront},
                    },
                },
                "termAttributes": {
                    "LeaseContractLength": length,
                    "OfferingClass": "standard",
                    "PurchaseOption": option,
                },
            }
        if terms:
            reserved[sku] = terms
    offer = {
        "formatVersion": "v1.0",
        "disclaimer": "Test data in the price list format.",
        "offerCode": offer_code,
        "version": version,
        "publicationDate": published,
        "products": products,
        "terms": {"OnDemand": on_demand, "Reserved": reserved},
    }
    return json.dumps(offer, indent=1).encode()


CSV_COLUMNS = [
    "SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
    "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "LeaseContractLength",
    "PurchaseOption", "OfferingClass", "Product Family", "serviceCode", "Location",
    "Location Type", "Instance Type", "Current Generation", "Instance Family", "vCPU",
    "Physical Processor", "Memory", "Storage", "Tenancy", "Operating System", "License Model",
    "usageType", "operation", "CapacityStatus", "Pre Installed S/W", "Region Code",
]  # fmt: skip


def aws_csv(
    kinds: list[Kind],
    *,
    region: str = "eu-west-3",
    published: str = "2026-11-01T00:00:00Z",
    version: str = "20261101000000",
    offer_code: str = "AmazonEC2",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["FormatVersion", "v1.0"])
    writer.writerow(["Disclaimer", "Test data in the price list format."])
    writer.writerow(["Publication Date", published])
    writer.writerow(["Version", version])
    writer.writerow(["OfferCode", offer_code])
    writer.writerow(CSV_COLUMNS)
    for sku, k, os in _skus(kinds):
        a = _attributes(k, region, os)
        product = [
            "Compute Instance", "AmazonEC2", a["location"], a["locationType"], k.name,
            k.current, k.family, str(k.vcpu), k.processor, a["memory"], a["storage"], "Shared",
            os, a["licenseModel"], a["usagetype"], "RunInstances", "Used", "NA", region,
        ]  # fmt: skip
        writer.writerow(
            [sku, "JRTCKXETXF", f"{sku}.JRTCKXETXF.6YS6EN2CT7", "OnDemand",
             f"On Demand {os} {k.name} Instance Hour", published, "0", "Inf", "Hrs",
             _price(k.usd, os), "USD", "", "", "", *product]
        )  # fmt: skip
        for n, ((length, option), (upfront, hourly)) in enumerate(sorted(k.reserved.items())):
            for unit, value in (("Hrs", hourly), ("Quantity", upfront)):
                writer.writerow(
                    [sku, f"R{n:03d}", f"{sku}.R{n:03d}.{unit}", "Reserved", "", published,
                     "", "", unit, value, "USD", length, option, "standard", *product]
                )  # fmt: skip
    return out.getvalue().encode()
