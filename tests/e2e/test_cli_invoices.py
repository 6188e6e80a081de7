"""E-invoices and payments from the ``andromede`` CLI against a running demo service: a
partner buys a prepaid commitment for its public customer (an invoice at once), downloads
the Factur-X and the UBL, and records the customer's payment."""

import json
from pathlib import Path

from facturx import get_xml_from_pdf

from andromede.documents.validation import validator
from tests.e2e.conftest import Service


def test_a_partner_downloads_its_einvoices_and_records_a_payment(
    service: Service, tmp_path: Path
) -> None:
    config = tmp_path / "cli.json"
    logged = service.cli(
        "login",
        "-u",
        "armor-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    assert logged.returncode == 0, logged.stderr
    customers = json.loads(service.cli("customer", "list", "-o", "json", config=config).stdout)
    commune = next(c["id"] for c in customers if c["name"] == "Commune de Ploubalay")
    bought = service.cli(
        "commitment",
        "buy",
        "--customer",
        commune,
        "--amount",
        "1000.00",
        "--months",
        "12",
        "--commitment-number",
        "EJ-2026-77",
        "-o",
        "json",
        config=config,
    )
    assert bought.returncode == 0, bought.stderr
    listed = json.loads(service.cli("invoice", "list", "-o", "json", config=config).stdout)
    # the commitment's invoice (the demo's commune also has a reservation's)
    invoice = next(
        i for i in listed if i["customer_id"] == commune and i["total_excl_vat"] == "1000.00"
    )
    number = invoice["number"]
    assert len(number) <= 20 and invoice["buyer_reference"] == "SERVICE-FINANCES"
    assert invoice["order_reference"] == "EJ-2026-77"  # the purchase's own commitment number

    pdf = tmp_path / "f.pdf"
    got = service.cli(
        "invoice", "download", number, "--format", "facturx", "--out", str(pdf), config=config
    )
    assert got.returncode == 0, got.stderr
    _, xml = get_xml_from_pdf(pdf.read_bytes(), check_xsd=False)
    assert validator().check(xml).errors == []
    ubl = service.cli(
        "invoice",
        "download",
        number,
        "--format",
        "ubl",
        "--out",
        str(tmp_path / "u.xml"),
        config=config,
    )
    assert ubl.returncode == 0 and validator().check((tmp_path / "u.xml").read_bytes()).valid

    paid = service.cli(
        "payment", "record", number, "--amount", "600.00", "--reference", "VIR-7", config=config
    )
    assert paid.returncode == 0, paid.stderr
    assert "partly_paid" in paid.stdout and "600.00 outstanding" in paid.stdout
    shown = service.cli("invoice", "show", number, config=config)
    assert shown.returncode == 0 and "partly_paid" in shown.stdout
    payments = json.loads(
        service.cli("payment", "list", "--number", number, "-o", "json", config=config).stdout
    )
    assert [p["reference"] for p in payments] == ["VIR-7"]

    for args, says in (
        (("invoice", "download", number, "--format", "docx"), "--format"),
        (("invoice", "download", "NOPE-1", "--format", "cii"), "no invoice NOPE-1"),
        (("invoice", "download", "bad number!"), "not an invoice number"),
        (("payment", "record", number, "--amount", "lots"), "--amount"),
        (("payment", "record", number, "--amount", "9999.00"), "keep_credit"),
        (("payment", "record", number, "--amount", "1.00", "--date", "03/12/2026"), "--date"),
    ):
        refused = service.cli(*args, config=config)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert says in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
    after = json.loads(service.cli("payment", "list", "-o", "json", config=config).stdout)
    assert len(after) == 1  # the refused ones changed nothing
