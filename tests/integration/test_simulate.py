"""``andromede simulate`` on the commented example, figures checked by hand."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from facturx import get_xml_from_pdf

from andromede.cli.scenario import ScenarioError, parse_scenario
from andromede.cli.simulate import run_simulation
from andromede.documents.validation import validator
from tests.integration.einvoice_checks import amounts_match

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "october.yaml"
D = Decimal


def test_example_month_produces_hand_checked_invoices(tmp_path: Path) -> None:
    counts = run_simulation(EXAMPLE, tmp_path / "out")
    out = tmp_path / "out"
    docs = {p.stem: json.loads(p.read_text()) for p in (out / "invoices").glob("*.json")}
    assert counts["invoices"] == len(docs) == 3
    kinds = sorted(d["kind"] for d in docs.values())
    assert kinds == ["direct", "resale", "wholesale"]
    resale = next(d for d in docs.values() if d["kind"] == "resale")
    # web1: 10 h on 1 Oct + 2 Oct 08:00 -> 15 Oct = 314 h at 0.05; 15 Oct -> 1 Nov = 408 h
    # at 0.045 (markup 0); its 4 GiB root volume 736 h: 4 x 736 / 730 x 0.08 = 0.3226
    assert [(line["quantity"], line["amount"]) for line in resale["lines"]] == [
        ("314.000000", "15.70"),
        ("408.000000", "18.36"),
        ("4.032877", "0.32"),
    ]
    assert (resale["total_excl_vat"], resale["vat_total"], resale["total_incl_vat"]) == (
        "34.38",
        "6.88",
        "41.26",
    )
    wholesale = next(d for d in docs.values() if d["kind"] == "wholesale")
    # silver: 20 % off list, and the cut is followed: 314 x 0.04 + 408 x 0.036 + disk 0.064
    assert [line["amount"] for line in wholesale["lines"]] == ["12.56", "14.69", "0.26"]
    direct = next(d for d in docs.values() if d["kind"] == "direct")
    # ci1 (house customer, list price): SCS-4V-16 = 4 x 0.011 + 16 x 0.003 = 0.092/h,
    # 1 Oct 09:00 -> 10 Oct 12:00 = 219 h
    assert direct["lines"][0]["amount"] == "20.15"
    assert direct["issuer"]["name"] == "Andromède Cloud SAS"
    for doc in docs.values():
        assert all(isinstance(line["amount"], str) for line in doc["lines"])
        assert D(doc["total_excl_vat"]) == sum(D(line["amount"]) for line in doc["lines"])
    # beside each JSON, its Factur-X and its CII, valid and carrying the JSON's amounts
    for number, doc in docs.items():
        xml = (out / "einvoices" / f"{number}.xml").read_bytes()
        assert validator().check(xml).errors == []
        amounts_match(xml, doc)
        _, embedded = get_xml_from_pdf((out / "einvoices" / f"{number}.pdf").read_bytes())
        assert embedded == xml
    assert resale["recipient"]["siret"] == "55210055400013"
    with (out / "margins.csv").open() as f:
        margins = {(r["customer"], r["sku"]): r for r in csv.DictReader(f)}
    web = margins[("c1", "compute:SCS-2V-4:fr-par-1")]
    assert (web["wholesale"], web["resale"], web["margin"]) == ("27.25", "34.06", "6.81")
    with (out / "usage.csv").open() as f:
        usage = list(csv.DictReader(f))
    assert {row["server"] for row in usage} == {"web1", "ci1"}


def test_a_second_run_gives_the_same_amounts(tmp_path: Path) -> None:
    totals = []
    for run in ("a", "b"):
        run_simulation(EXAMPLE, tmp_path / run)
        docs = [json.loads(p.read_text()) for p in sorted((tmp_path / run / "invoices").iterdir())]
        totals.append(sorted((d["kind"], d["total_incl_vat"]) for d in docs))
    assert totals[0] == totals[1]


@pytest.mark.parametrize(
    ("patch", "line", "reason"),
    [
        ("customer: c1, name: web1, flavor: SCS-2V-4", 25, "unknown customer"),
        ("flavor: SCS-2V-4, region: fr-par-1}", 25, "unknown flavor"),
        ("do: stop_server, server: web1", 27, "unknown server"),
        ('list: "0.0450"', 31, "not a decimal amount"),
    ],
)
def test_bad_scenarios_name_the_line_and_write_nothing(
    tmp_path: Path, patch: str, line: int, reason: str
) -> None:
    broken = {
        "unknown customer": (
            "customer: c1, name: web1, flavor: SCS-2V-4",
            "customer: c9, name: web1, flavor: SCS-2V-4",
        ),
        "unknown flavor": (
            "flavor: SCS-2V-4, region: fr-par-1}",
            "flavor: SCS-99V-4, region: fr-par-1}",
        ),
        "unknown server": ("do: stop_server, server: web1", "do: stop_server, server: web9"),
        "not a decimal amount": ('list: "0.0450"', 'list: "cheap"'),
    }[reason]
    text = EXAMPLE.read_text()
    assert patch in text
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text.replace(*broken, 1))
    with pytest.raises(ScenarioError, match=rf"line {line}: .*{reason}"):
        run_simulation(scenario, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_floats_and_missing_zones_are_refused_before_running() -> None:
    with pytest.raises(ScenarioError, match="line 1: start is required"):
        parse_scenario("timeline: []\n")
    with pytest.raises(ScenarioError, match="not floats"):
        parse_scenario('start: 2026-10-01T00:00:00Z\nprices: {list: {"disk:fr-par-1": 0.08}}\n')
    with pytest.raises(ScenarioError, match="time zone"):
        parse_scenario("start: 2026-10-01T00:00:00\n")


def test_boot_time_delays_billing_and_hold_keeps_wholesale(tmp_path: Path) -> None:
    scenario = tmp_path / "boot.yaml"
    scenario.write_text("""
start: 2026-10-01T00:00:00Z
boot_seconds: 600
prices:
  list: {"compute:SCS-2V-4:fr-par-1": "0.0500"}
  wholesale: {silver: {discount: "0.20"}}
partners:
  - {key: p1, name: Breizh, kind: reseller, tier: silver, siren: "732829320", country: FR}
customers:
  - {key: c1, partner: p1, name: Ville, siren: "552100554", country: FR}
timeline:
  - {at: 2026-10-01T08:00:00Z, do: create_server, customer: c1, name: web1,
     flavor: SCS-2V-4, region: fr-par-1}
  - {at: 2026-10-01T18:00:00Z, do: stop_server, server: web1}
  - {at: 2026-10-15T00:00:00Z, do: price_change, sku: "compute:SCS-2V-4:fr-par-1",
     list: "0.0450", wholesale: hold}
  - {at: 2026-10-20T08:00:00Z, do: start_server, server: web1}
  - {at: 2026-10-20T18:00:00Z, do: delete_server, server: web1}
  - {at: 2026-11-01T00:00:00Z, do: close_month, month: 2026-10}
""")
    run_simulation(scenario, tmp_path / "out")
    with (tmp_path / "out" / "usage.csv").open() as f:
        compute = [r for r in csv.DictReader(f) if r["sku"].startswith("compute")]
    assert [D(r["quantity"]).quantize(D("0.000001")) for r in compute] == [
        D("9.833333"),
        D("10.000000"),
    ]  # ACTIVE at 08:10, not 08:00
    assert [D(r["wholesale_unit_price"]) for r in compute] == [D("0.04"), D("0.04")]
    assert [D(r["list_unit_price"]) for r in compute] == [D("0.05"), D("0.045")]


YEAR = Path(__file__).resolve().parents[2] / "examples" / "reserved-year.yaml"


def test_a_reserved_year_with_a_resize_and_a_commitment_running_out(tmp_path: Path) -> None:
    run_simulation(YEAR, tmp_path / "out")
    out = tmp_path / "out"
    docs = [json.loads(p.read_text()) for p in (out / "invoices").glob("*.json")]
    resale = sorted(
        (d for d in docs if d["kind"] == "resale"), key=lambda d: (d["period_start"], d["number"])
    )
    upfront = [d for d in docs if any(":upfront" in ln["sku"] for ln in d["lines"])]
    # the upfront part once, on both streams: 240.00 to the customer, 192.00 (silver) wholesale
    assert sorted(d["total_excl_vat"] for d in upfront) == ["192.00", "240.00"]
    months = [d for d in resale if d["period_start"] != d["period_end"]]
    assert [d["period_start"][:7] for d in months] == [f"2026-{m:02d}" for m in range(1, 13)]

    def compute(doc: dict, covered: bool) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [
            (ln["quantity"], ln["amount"])
            for ln in doc["lines"]
            if ln["sku"].startswith("compute:")
            and ("couvert par la réservation" in ln["description"]) is covered
        ]

    # January: 744 h of SCS-2V-4, all covered at zero; nothing on demand
    assert compute(months[0], True) == [("744.000000", "0.00")]
    assert compute(months[0], False) == []
    # July, after the resize to SCS-4V-8 (4 units): the 2-unit reservation covers half
    # of each hour, the other half at 0.068 EUR/h: 372 h × 0.068 = 25.30
    assert compute(months[6], True) == [("372.000000", "0.00")]
    assert compute(months[6], False) == [("372.000000", "25.30")]
    # the 60.00 prepaid + 5 % bonus = 63.00 is drawn month after month until it runs out
    draws = [
        sum((D(ln["amount"]) for ln in d["lines"] if ln["sku"].startswith("commitment:")), D(0))
        for d in months
    ]
    assert sum(draws) == D("-63.00")
    assert draws[9:] == [D(0), D(0), D(0)]  # nothing left from October on
    assert [D(d["total_excl_vat"]) for d in months[:8]] == [D("0.00")] * 8
    assert D(months[8]["total_excl_vat"]) > 0  # September: the balance covered part of it
    with (out / "reservations.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12
    assert {r["utilization"] for r in rows} == {"1.0000"}
    assert [r["coverage"] for r in rows] == ["1.0000"] * 6 + ["0.5000"] * 6
    assert rows[0]["effective_hourly_rate"] == "0.027397"  # 240.00 / 8,760 h


def test_a_bad_reservation_action_stops_the_simulation_and_writes_nothing(tmp_path: Path) -> None:
    text = YEAR.read_text().replace("term: 1y", "term: 2y")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError, match="term"):
        run_simulation(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(ScenarioError, match="unknown customer"):
        parse_scenario(
            YEAR.read_text().replace(
                "do: buy_commitment, customer: c1", "do: buy_commitment, customer: c9"
            )
        )


OFFICE_HOURS = EXAMPLE.with_name("office-hours.yaml")


def test_a_server_on_office_hours_with_a_holiday_is_billed_its_working_hours(
    tmp_path: Path,
) -> None:
    """November 2026 in Paris: the server is made Monday 2 at 08:00, runs Mon-Fri 08:00-19:00
    except Wednesday 11 (Armistice Day): 20 days x 11 h = 220 h at 0.05 = 11.00. A review
    environment lives 16-20 November, 8 hours from each of its two starts: 16 h at 0.025 =
    0.40. Disk: 4 GiB x 689 h + 4 GiB x 87 h over 730 = 4.252055 GiB-month at 0.08 = 0.34."""
    run_simulation(OFFICE_HOURS, tmp_path / "out")
    (invoice,) = [json.loads(p.read_text()) for p in (tmp_path / "out/invoices").glob("*.json")]
    assert [(line["sku"], line["quantity"], line["amount"]) for line in invoice["lines"]] == [
        ("compute:SCS-1V-2:fr-par-1", "16.000000", "0.40"),
        ("compute:SCS-2V-4:fr-par-1", "220.000000", "11.00"),
        ("disk:fr-par-1", "4.252055", "0.34"),
    ]
    assert (invoice["total_excl_vat"], invoice["total_incl_vat"]) == ("11.74", "14.09")
    with (tmp_path / "out/usage.csv").open() as f:
        rows = [row for row in csv.DictReader(f) if row["unit"] == "hour"]
    days = {row["start"][:10] for row in rows if row["server"] == "devbox"}
    assert "2026-11-11" not in days and "2026-11-07" not in days
    assert len(days) == 20
    review = [(row["start"], row["end"]) for row in rows if row["server"] == "review-7-web-1"]
    assert review == [
        ("2026-11-16T09:00:00+00:00", "2026-11-16T17:00:00+00:00"),
        ("2026-11-17T09:00:00+00:00", "2026-11-17T17:00:00+00:00"),
    ]


def test_bad_schedule_actions_name_their_line() -> None:
    base = "start: 2026-11-01T00:00:00Z\ncustomers: []\ntimeline:\n"
    bad_period = base + (
        "  - {at: 2026-11-01T00:00:00Z, do: create_schedule, customer: c, name: s,"
        " periods: [8h-19h]}\n"
    )
    with pytest.raises(ScenarioError, match="line 4: create_schedule: '8h-19h'"):
        parse_scenario(bad_period)
    bad_tags = base + "  - {at: 2026-11-01T00:00:00Z, do: tag_server, server: x, tags: a}\n"
    with pytest.raises(ScenarioError, match="line 4: tag_server: tags is a list"):
        parse_scenario(bad_tags)


SPARK_CLUSTER = EXAMPLE.with_name("spark-cluster.yaml")


def test_a_cluster_is_billed_its_nodes_and_its_fee_per_vcpu_hour(tmp_path: Path) -> None:
    """January 2026: a Spark master and two workers (SCS-2V-4, 2 vCPUs) from the 5th 10:00;
    one worker let go on the 10th 10:00; the cluster deleted on the 15th 10:00. Servers:
    240 + 240 + 120 = 600 h at 0.05 = 30.00. Fee: 2 vCPUs x 600 h = 1,200 vCPU-hours at
    0.01 = 12.00, on a line naming the cluster. Disks: 4 GiB x 600 h / 730 = 3.287671
    GiB-month at 0.08 = 0.26. 42.26 excl. VAT, 50.71 incl."""
    run_simulation(SPARK_CLUSTER, tmp_path / "out")
    (invoice,) = [json.loads(p.read_text()) for p in (tmp_path / "out/invoices").glob("*.json")]
    lines = [(x["description"], x["quantity"], x["amount"]) for x in invoice["lines"]]
    assert lines == [
        ("Cluster etl, région fr-par-1 (vCPU-hour)", "1200.000000", "12.00"),
        ("Serveur virtuel SCS-2V-4, région fr-par-1 (hour)", "600.000000", "30.00"),
        ("Stockage disque, région fr-par-1 (GiB-month)", "3.287671", "0.26"),
    ]
    assert (invoice["total_excl_vat"], invoice["total_incl_vat"]) == ("42.26", "50.71")
    with (tmp_path / "out/usage.csv").open() as f:
        fees = {r["server"]: r["quantity"] for r in csv.DictReader(f) if r["unit"] == "vCPU-hour"}
    assert fees == {"etl-master-0": "480", "etl-workers-0": "480", "etl-workers-1": "240"}


def test_bad_cluster_actions_name_their_line() -> None:
    base = "start: 2026-01-01T00:00:00Z\ncustomers: []\ntimeline:\n"
    at = "  - {at: 2026-01-02T00:00:00Z, "
    no_shape = base + at + "do: create_cluster, customer: c, name: k, region: r}\n"
    with pytest.raises(ScenarioError, match="line 4: create_cluster: give a shape or a template"):
        parse_scenario(no_shape)
    bad_shape = base + (
        "  - {at: 2026-01-02T00:00:00Z, do: create_cluster, customer: c, name: k, region: r,"
        " shape: {engine: flink}}\n"
    )
    with pytest.raises(ScenarioError, match="line 4: create_cluster: engine"):
        parse_scenario(bad_shape)
    unknown = base + "  - {at: 2026-01-02T00:00:00Z, do: delete_cluster, cluster: nope}\n"
    with pytest.raises(ScenarioError, match="line 4: unknown cluster 'nope'"):
        parse_scenario(unknown)
    bad_groups = base + at + "do: scale_cluster, cluster: k, groups: 3}\n"
    with pytest.raises(ScenarioError, match="line 4: scale_cluster: groups"):
        parse_scenario(bad_groups)


PRICE_CUT = EXAMPLE.with_name("price-cut.yaml")


def test_a_followed_price_cut_with_a_partner_protected_by_its_margin_floor(
    tmp_path: Path,
) -> None:
    """Their cut on 1 March, followed on the 15th (5 % under), wholesale held except for
    the partner whose margin would fall under 12 %: both streams by hand (see the file)."""
    run_simulation(PRICE_CUT, tmp_path / "out")
    invoices = {}
    for path in (tmp_path / "out/invoices").glob("*.json"):
        doc = json.loads(path.read_text())
        rows = [(x["quantity"], x["unit_price"], x["amount"]) for x in doc["lines"]]
        invoices[(doc["kind"], doc["total_excl_vat"])] = rows
    gib_months = "4.076712"
    assert invoices == {
        ("wholesale", "59.78"): [  # Breizh Numérique: held at 0.08
            ("744.000000", "0.08000000", "59.52"),
            (gib_months, "0.06400000", "0.26"),
        ],
        ("wholesale", "61.93"): [  # Nord Services: protected from the 15th
            ("336.000000", "0.09000000", "30.24"),
            ("408.000000", "0.07695000", "31.40"),
            (gib_months, "0.07200000", "0.29"),
        ],
        ("resale", "89.45"): [  # Ville de Rennes: 0.13, then 0.0855 x 1.30
            ("336.000000", "0.13000000", "43.68"),
            ("408.000000", "0.11115000", "45.35"),
            (gib_months, "0.10400000", "0.42"),
        ],
        ("resale", "72.25"): [  # Atelier Lille: 0.105, then 0.0855 x 1.05
            ("336.000000", "0.10500000", "35.28"),
            ("408.000000", "0.08977500", "36.63"),
            (gib_months, "0.08400000", "0.34"),
        ],
    }


def test_bad_competitor_cuts_name_their_line() -> None:
    base = "start: 2026-01-01T00:00:00Z\ncustomers: []\ntimeline:\n"
    cut = "  - {at: 2026-01-02T00:00:00Z, do: competitor_price_cut, prices: {m6i.large: '0.09'}}\n"
    with pytest.raises(ScenarioError, match=r"line 4: .*no competitor section"):
        parse_scenario(base + cut)
    competitor = (
        "competitor:\n  types:\n    m6i.large: {vcpus: 2, memory_gib: 8, family: general,"
        " price: '0.1'}\n"
    )
    unknown = base.replace("timeline:\n", competitor + "timeline:\n") + cut.replace(
        "m6i.large", "m5.large"
    )
    with pytest.raises(ScenarioError, match=r"line 7: .*'m5\.large' is not in the competitor"):
        parse_scenario(unknown)
    floats = competitor.replace("'0.1'", "0.1")
    with pytest.raises(ScenarioError, match="not floats"):
        parse_scenario(base.replace("timeline:\n", floats + "timeline:\n"))
