"""Their price list read from small files in the real format, JSON and CSV alike."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from andromede.alignment.price_list import PriceListRefused, parse_price_list
from tests.price_files import Kind, aws_csv, aws_json

KINDS = [
    Kind(
        "m6i.large",
        2,
        "8",
        "General purpose",
        "0.1120",
        reserved={
            ("1yr", "No Upfront"): ("0", "0.0700"),
            ("3yr", "All Upfront"): ("1314", "0"),
        },
    ),
    Kind("c6i.xlarge", 4, "8", "Compute optimized", "0.2020"),
    Kind("r6i.large", 2, "16", "Memory optimized", "0.1480"),
    Kind("t3.micro", 2, "1", "General purpose", "0.0118"),
    Kind("m7g.large", 2, "8", "General purpose", "0.0950", processor="AWS Graviton3 Processor"),
    Kind("i4i.large", 2, "16", "Storage optimized", "0.1900"),
    Kind("x2iedn.xlarge", 4, "128", "Memory optimized", "1.0000", current="No"),
    Kind("u-6tb1.56xlarge", 224, "6,144", "Memory optimized", "50.0000"),
]
RATE = Decimal("0.9200")


def parse(data: bytes, region: str = "eu-west-3"):  # type: ignore[no-untyped-def]
    return parse_price_list(data, region=region, rate=RATE, rate_date=date(2026, 11, 30))


@pytest.mark.parametrize("make", [aws_json, aws_csv])
def test_both_formats_read_the_same_types_converted_to_eur(make) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(make(KINDS))
    by_name = {t.name: t for t in parsed.types}
    # storage-optimised types have no counterpart among our flavors; Windows is left out
    assert sorted(by_name) == [
        "c6i.xlarge",
        "m6i.large",
        "m7g.large",
        "r6i.large",
        "t3.micro",
        "u-6tb1.56xlarge",
        "x2iedn.xlarge",
    ]
    m6i = by_name["m6i.large"]
    assert (m6i.kind, m6i.vcpus, m6i.ram_mib, m6i.arm) == ("general", 2, 8192, False)
    assert m6i.on_demand == Decimal("0.103040")  # 0.1120 USD x 0.92
    # 1 year no upfront: 0.0700 x 0.92; 3 years all upfront: 1314 / 26280 h x 0.92
    assert m6i.reserved == {
        ("1y", "no-upfront"): Decimal("0.064400"),
        ("3y", "all-upfront"): Decimal("0.046000"),
    }
    assert by_name["t3.micro"].kind == "burstable"
    assert by_name["m7g.large"].arm
    assert not by_name["x2iedn.xlarge"].current
    assert by_name["u-6tb1.56xlarge"].ram_mib == 6144 * 1024  # "6,144 GiB"
    assert parsed.published == datetime(2026, 11, 1, tzinfo=UTC)
    assert (parsed.version, parsed.region, parsed.rate) == ("20261101000000", "eu-west-3", RATE)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (aws_json(KINDS, offer_code="AmazonRDS"), "not the EC2 price list"),
        (aws_csv(KINDS, offer_code="AmazonS3"), "not the EC2 price list"),
        (aws_json(KINDS, region="us-east-1"), "for region 'eu-west-3'"),
        (aws_csv(KINDS, region="eu-west-1"), "for region 'eu-west-3'"),
        (aws_json(KINDS, published=""), "no publication date"),
        (aws_json(KINDS, published="last tuesday"), "not an ISO 8601 time"),
        (aws_json(KINDS, currency="CNY"), "no price in USD"),
        (b'{"formatVersion": "v1.0"}', "no products section"),
        (b"{not json", "not JSON"),
        (b"just,a,csv\n1,2,3\n", "first five rows"),
        (aws_json(KINDS)[:-40], "not JSON"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_with_its_reason(
    data: bytes, reason: str
) -> None:
    with pytest.raises(PriceListRefused, match=reason):
        parse(data)


def test_a_price_that_is_not_a_number_is_refused() -> None:
    data = aws_json([Kind("m6i.large", 2, "8", "General purpose", "free")])
    with pytest.raises(PriceListRefused, match="not a number"):
        parse(data)


def test_a_non_positive_rate_is_refused() -> None:
    with pytest.raises(PriceListRefused, match="rate must be positive"):
        parse_price_list(
            aws_json(KINDS), region="eu-west-3", rate=Decimal(0), rate_date=date(2026, 11, 30)
        )
