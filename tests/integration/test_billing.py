"""A month of business closed into invoices, every figure computed by hand."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.kernel.money import round_cents
from andromede.worker.jobs import close_month
from tests.integration.builders import World, auth, create_server, grant_access, ok

D = Decimal
SKU = "compute:SCS-2V-4:fr-par-1"


def at(day: int, hour: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def october(
    client: TestClient, container: App, clock: FrozenClock, world: World, policy: str
) -> str:
    """Prices from 1 Oct, a list cut on 15 Oct, one server: 10 h on 1 Oct, stopped until
    20 Oct, 10 h more, deleted. Returns the server id."""
    admin = auth(world.admin)
    clock.set(at(30, 12, month=9))
    ok(
        client.post(
            "/v1/prices",
            headers=admin,
            json={
                "layer": "list",
                "sku": SKU,
                "value": "0.0500",
                "effective_from": at(1, 0).isoformat(),
            },
        ),
        201,
    )
    ok(
        client.post(
            "/v1/prices",
            headers=auth(world.a.tokens["partner-admin"]),
            json={
                "layer": "resale",
                "kind": "markup",
                "scope": world.a.partner_id,
                "value": "0.10",
                "effective_from": at(1, 0).isoformat(),
            },
        ),
        201,
    )
    ok(
        client.post(
            "/v1/price-changes",
            headers=admin,
            json={
                "sku": SKU,
                "list": "0.0450",
                "effective_from": at(15, 0).isoformat(),
                "wholesale": policy,
            },
        ),
        201,
    )
    member = world.a.tokens["customer-member"]
    clock.set(at(1, 8))
    server = ok(create_server(client, member, world.a.project_id, flavor="SCS-2V-4"), 202)
    settle(container)
    for when, action in ((at(1, 18), "stop"), (at(20, 8), "start")):
        clock.set(when)
        ok(
            client.post(
                f"/v1/servers/{server['id']}/actions", headers=auth(member), json={"action": action}
            ),
            202,
        )
        settle(container)
    clock.set(at(20, 18))
    client.delete(f"/v1/servers/{server['id']}", headers=auth(member))
    settle(container)
    clock.set(at(1, 6, month=11))
    return str(server["id"])


def invoices(client: TestClient, token: str) -> dict[str, dict]:  # type: ignore[type-arg]
    items = ok(client.get("/v1/invoices", headers=auth(token)))["items"]
    return {
        i["kind"]: ok(client.get(f"/v1/invoices/{i['id']}", headers=auth(token))) for i in items
    }


# Disk: the 4 GiB root volume exists from 1 Oct 08:00 to 20 Oct 18:00 = 466 h.
DISK_GIB_MONTHS = D(4) * D(466) / D(730)


@pytest.mark.parametrize(
    ("policy", "wholesale_lines", "wholesale_total"),
    [
        # follow: gold keeps its 25 % off the new list price after 15 Oct
        ("follow", [("0.037500", "10.000000", "0.38"), ("0.033750", "10.000000", "0.34")], "0.87"),
        # hold: gold keeps 0.0375 after the cut, so the 20 hours share one line
        ("hold", [("0.037500", "20.000000", "0.75")], "0.90"),
    ],
)
def test_month_with_a_list_cut_mid_month(
    client: TestClient,
    container: App,
    clock: FrozenClock,
    world: World,
    policy: str,
    wholesale_lines: list[tuple[str, str, str]],
    wholesale_total: str,
) -> None:
    october(client, container, clock, world, policy)
    report = close_month(container, "2026-10")
    assert len(report.issued) == 2  # wholesale to partner A, resale to its customer
    partner = invoices(client, world.a.tokens["partner-admin"])
    wholesale = partner["wholesale"]
    compute = [
        (D(line["unit_price"]), line["quantity"], line["amount"])
        for line in wholesale["lines"]
        if line["sku"] == SKU
    ]
    assert compute == [(D(p), q, a) for p, q, a in wholesale_lines]
    disk = next(line for line in wholesale["lines"] if line["sku"] == "disk:fr-par-1")
    assert D(disk["amount"]) == (DISK_GIB_MONTHS * D("0.06")).quantize(D("0.01"))  # 0.15
    assert wholesale["total_excl_vat"] == wholesale_total
    assert D(wholesale["vat_total"]) == (D(wholesale_total) * D("0.2")).quantize(D("0.01"))
    assert wholesale["recipient"]["siren"] is not None and wholesale["issuer"]["siren"]
    resale = invoices(client, world.a.tokens["customer-admin"])["resale"]
    # resale = list + 10 %: 10 h x 0.055 = 0.55, 10 h x 0.0495 = 0.495 -> 0.50, disk 0.22
    assert [line["amount"] for line in resale["lines"]] == ["0.55", "0.50", "0.22"]
    assert (resale["total_excl_vat"], resale["vat_total"], resale["total_incl_vat"]) == (
        "1.27",
        "0.25",
        "1.52",
    )
    assert resale["issuer"]["name"] == "Partner a"
    assert any("mandat de facturation" in m for m in resale["mentions"])
    assert any("40 EUR" in m for m in resale["mentions"])
    assert resale["due_date"] == "2026-12-01" and resale["period_end"] == "2026-10-31"


def test_stopped_server_pays_disk_not_compute(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    usage = ok(
        client.get(
            "/v1/usage", headers=auth(world.a.tokens["customer-admin"]), params={"month": "2026-10"}
        )
    )["items"]
    compute_hours = sum(D(u["quantity"]) for u in usage if u["sku"] == SKU)
    assert compute_hours == D(20)
    assert "wholesale_amount" not in usage[0]  # a customer sees its own price only
    partner_view = ok(
        client.get(
            "/v1/usage", headers=auth(world.a.tokens["partner-admin"]), params={"month": "2026-10"}
        )
    )["items"]
    assert "wholesale_amount" in partner_view[0]
    assert (
        ok(
            client.get(
                "/v1/usage",
                headers=auth(world.b.tokens["partner-admin"]),
                params={"month": "2026-10"},
            )
        )["items"]
        == []
    )


def test_invoices_are_walled_and_immutable(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    close_month(container, "2026-10")
    mine = invoices(client, world.a.tokens["partner-admin"])
    assert set(mine) == {"wholesale", "resale"}
    assert set(invoices(client, world.a.tokens["customer-viewer"])) == {"resale"}
    for outsider in (
        world.b.tokens["partner-admin"],
        world.b.tokens["customer-admin"],
        world.a2_token,
    ):
        for invoice in mine.values():
            response = client.get(f"/v1/invoices/{invoice['id']}", headers=auth(outsider))
            assert response.status_code == 404
    wholesale = mine["wholesale"]
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.request(
            method,
            f"/v1/invoices/{wholesale['id']}",
            headers=auth(world.admin),
            json={"total_excl_vat": "0"},
        )
        assert response.status_code == 405
    again = close_month(container, "2026-10")
    assert (again.issued, again.already) == ([], 2)


def test_credit_note_cites_the_original(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    close_month(container, "2026-10")
    resale = invoices(client, world.a.tokens["customer-admin"])["resale"]
    refused = client.post(
        "/v1/credit-notes",
        headers=auth(world.a.tokens["customer-admin"]),
        json={"invoice_id": resale["id"], "reason": "wrong"},
    )
    assert refused.status_code == 403
    note = ok(
        client.post(
            "/v1/credit-notes",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"invoice_id": resale["id"], "reason": "goodwill"},
        ),
        201,
    )
    assert note["kind"] == "credit_note" and note["total_excl_vat"] == "-1.27"
    assert note["mentions"][0] == (
        f"Avoir sur la facture n° {resale['number']} du {resale['issue_date']}."
    )
    assert note["number"] != resale["number"]
    assert note["number"].rsplit("-", 1)[0] == resale["number"].rsplit("-", 1)[0]
    twice = client.post(
        "/v1/credit-notes",
        headers=auth(world.a.tokens["partner-admin"]),
        json={"invoice_id": resale["id"], "reason": "again"},
    )
    assert twice.status_code == 409


def test_concurrent_closes_number_without_gaps(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    clock.set(at(1, 8))
    for tenant in (world.a, world.b):
        ok(create_server(client, tenant.tokens["customer-member"], tenant.project_id), 202)
    ok(create_server(client, world.a2_token, world.a2_project_id), 202)
    settle(container)
    clock.set(at(1, 6, month=11))
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(lambda _: close_month(container, "2026-10"), range(3)))
    numbers = [n for r in reports for n in r.issued]
    assert len(numbers) == len(set(numbers)) == 5  # 2 wholesale + 3 resale, once each
    operator = sorted(n for n in numbers if n.startswith("AND-"))
    assert operator == ["AND-2026-000001", "AND-2026-000002"]
    for partner in {n.rsplit("-", 1)[0] for n in numbers if not n.startswith("AND-")}:
        sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(partner))
        assert sequence == list(range(1, len(sequence) + 1))


def test_month_to_date_and_forecast(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    clock.set(at(30, 12, month=9))
    ok(
        client.post(
            "/v1/prices",
            headers=auth(world.admin),
            json={
                "layer": "list",
                "sku": SKU,
                "value": "0.0500",
                "effective_from": at(1, 0).isoformat(),
            },
        ),
        201,
    )
    clock.set(at(1, 0))
    ok(
        create_server(
            client,
            world.a.tokens["customer-member"],
            world.a.project_id,
            flavor="SCS-2V-4",
            root_volume_gib=4,
        ),
        202,
    )
    settle(container)
    clock.set(at(11, 0))  # 240 h of 744
    summary = ok(
        client.get(
            "/v1/usage/summary",
            headers=auth(world.a.tokens["customer-admin"]),
            params={"month": "2026-10"},
        )
    )
    compute = D("240") * D("0.0500")
    disk = D(4) * D(240) / D(730) * D("0.08")
    assert summary["to_date"] == str((compute + disk).quantize(D("0.01")))
    expected = ((compute + disk).quantize(D("0.01")) * D(744) / D(240)).quantize(D("0.01"))
    assert summary["forecast"] == str(expected)


def test_bad_prices_and_months_are_refused(
    client: TestClient, clock: FrozenClock, world: World
) -> None:
    admin = auth(world.admin)
    past = client.post(
        "/v1/prices",
        headers=admin,
        json={
            "layer": "list",
            "sku": SKU,
            "value": "0.05",
            "effective_from": "2020-01-01T00:00:00Z",
        },
    )
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "effective_from"
    negative = client.post(
        "/v1/prices", headers=admin, json={"layer": "list", "sku": SKU, "value": "-1"}
    )
    assert negative.status_code == 400
    partner = client.post(
        "/v1/prices",
        headers=auth(world.a.tokens["partner-admin"]),
        json={"layer": "list", "sku": SKU, "value": "0.01"},
    )
    assert partner.status_code == 403
    other = client.post(
        "/v1/prices",
        headers=auth(world.a.tokens["partner-admin"]),
        json={"layer": "resale", "kind": "markup", "scope": world.b.partner_id, "value": "0.5"},
    )
    assert other.status_code == 404
    unknown = client.post(
        "/v1/price-changes",
        headers=admin,
        json={
            "sku": "compute:SCS-99V-1:fr-par-1",
            "list": "0.01",
            "effective_from": "2027-01-01T00:00:00Z",
        },
    )
    assert unknown.status_code == 400
    assert client.get("/v1/usage", headers=admin, params={"month": "2026-13"}).status_code == 400


def test_cost_and_usage_and_reconciliation_exports(
    client: TestClient, container: App, clock: FrozenClock, world: World, tmp_path: Path
) -> None:
    import io

    import pyarrow.parquet as pq

    from andromede.billing.exports import write_exports
    from andromede.kernel.months import month_bounds

    october(client, container, clock, world, "follow")
    close_month(container, "2026-10")
    params = {"month": "2026-10", "format": "parquet"}
    refused = client.get("/v1/usage", headers=auth(world.admin), params=params)
    assert refused.status_code == 403  # usage detail: only with the customer's approval
    grant_access(client, world.admin, world.a.customer_id, world.a.tokens["customer-admin"])
    raw = client.get("/v1/usage", headers=auth(world.admin), params=params)
    assert raw.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(raw.content)).to_pylist()
    compute = [r for r in table if r["sku"] == SKU]
    assert sum(r["quantity"] for r in compute) == D(20)
    assert sum(r["resale_amount"] for r in compute) == D("1.045")  # exact, unrounded
    text = client.get(
        "/v1/usage", headers=auth(world.admin), params={**params, "format": "csv"}
    ).text
    assert text.splitlines()[0].startswith("customer_id,project_id,server_id,sku")
    assert len(text.splitlines()) == len(table) + 1
    refused = client.get(
        "/v1/usage",
        headers=auth(world.a.tokens["partner-admin"]),
        params={**params, "format": "csv"},
    )
    assert refused.status_code == 403
    with container.uow(readonly=True) as session:
        rated = container.rating.rated(session, *month_bounds("2026-10"))
        documents = container.invoices.month_documents(session, "2026-10")
    files = write_exports(tmp_path, "2026-10", rated, documents)
    assert sorted(f.name for f in files) == [
        "reconciliation-2026-10.csv",
        "usage-2026-10.csv",
        "usage-2026-10.parquet",
    ]
    lines = (tmp_path / "reconciliation-2026-10.csv").read_text().splitlines()
    assert len(lines) == 1 + sum(len(d["lines"]) for d in documents) == 1 + 6


@pytest.mark.parametrize(
    ("policy", "wholesale_after"),
    [
        ("follow", D("0.03") * 10 + D("0.03375") * 10),  # 25 % off 0.04, then off 0.045
        ("hold", D("0.0375") * 20),  # gold pinned where it stood on 1 Oct
    ],
)
def test_price_change_dry_run_on_last_month(
    client: TestClient,
    container: App,
    clock: FrozenClock,
    world: World,
    policy: str,
    wholesale_after: Decimal,
) -> None:
    october(client, container, clock, world, "follow")
    with container.uow(readonly=True) as session:
        result = container.reports.price_change_impact(
            session, sku=SKU, list_price="0.0400", wholesale=policy, month="2026-10"
        )
    disk_wholesale = DISK_GIB_MONTHS * D("0.06")
    disk_resale = DISK_GIB_MONTHS * D("0.088")
    wholesale_before = D("0.0375") * 10 + D("0.03375") * 10 + disk_wholesale
    resale_before = D("0.055") * 10 + D("0.0495") * 10 + disk_resale
    resale_after = D("0.044") * 10 + D("0.0495") * 10 + disk_resale  # the 15 Oct cut stays
    after = wholesale_after + disk_wholesale
    assert result.operator_revenue == (round_cents(wholesale_before), round_cents(after))
    assert result.customer_bill[world.a.customer_id] == (
        round_cents(resale_before),
        round_cents(resale_after),
    )
    assert result.partner_margin[world.a.partner_id] == (
        round_cents(resale_before - wholesale_before),
        round_cents(resale_after - after),
    )


def test_price_lists_are_scoped(client: TestClient, clock: FrozenClock, world: World) -> None:
    admin, partner_a = auth(world.admin), auth(world.a.tokens["partner-admin"])
    ok(
        client.post(
            "/v1/prices",
            headers=admin,
            json={"layer": "wholesale", "kind": "discount", "scope": "gold", "value": "0.30"},
        ),
        201,
    )
    ok(
        client.post(
            "/v1/prices",
            headers=partner_a,
            json={
                "layer": "resale",
                "kind": "markup",
                "scope": world.a.partner_id,
                "value": "0.15",
            },
        ),
        201,
    )
    ok(
        client.post(
            "/v1/price-changes",
            headers=admin,
            json={"sku": SKU, "list": "0.0450", "effective_from": "2027-01-01T00:00:00Z"},
        ),
        201,
    )

    def layers(token: str) -> list[str]:
        items = ok(client.get("/v1/prices", headers=auth(token)))["items"]
        return sorted(p["layer"] for p in items)

    assert layers(world.admin) == ["list", "resale", "wholesale"]
    assert layers(world.a.tokens["partner-admin"]) == ["list", "resale", "wholesale"]
    assert layers(world.b.tokens["partner-admin"]) == ["list", "wholesale"]  # also gold
    assert layers(world.a.tokens["customer-admin"]) == ["list"]
    changes = ok(client.get("/v1/price-changes", headers=auth(world.b.tokens["customer-viewer"])))
    assert [c["value"] for c in changes["items"]] == ["0.04500000"]


def test_a_close_that_died_half_way_finishes_without_gaps(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    clock.set(at(1, 8))
    for tenant in (world.a, world.b):
        ok(create_server(client, tenant.tokens["customer-member"], tenant.project_id), 202)
    settle(container)
    clock.set(at(1, 6, month=11))
    with container.uow(readonly=True) as session:
        drafts = container.issuing.plan(session, "2026-10")
    with container.uow() as session:  # the first invoice made it before the crash
        first = container.issuing.issue(session, drafts[0])
        assert first is not None
    report = close_month(container, "2026-10")
    assert report.already == 1 and len(report.issued) == len(drafts) - 1
    operator = sorted(n for n in [first.number, *report.issued] if n.startswith("AND-"))
    assert operator == ["AND-2026-000001", "AND-2026-000002"]


def test_worker_closes_the_previous_month_once(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    from andromede.worker.jobs import close_previous_month

    clock.set(at(1, 8))
    ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    settle(container)
    clock.set(at(15, 3))
    with pytest.raises(Exception, match="not over yet"):
        close_month(container, "2026-10")
    clock.set(at(1, 1, month=11))
    first = close_previous_month(container)
    assert first is not None and len(first.issued) == 2
    clock.set(at(1, 2, month=11))
    assert close_previous_month(container) is None  # closed: the hourly run stops there


def test_margin_report_per_partner(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    report = ok(
        client.get(
            "/v1/reports/margins",
            headers=auth(world.a.tokens["partner-admin"]),
            params={"month": "2026-10"},
        )
    )
    compute = next(r for r in report["items"] if r["sku"] == SKU)
    # resale 0.55 + 0.495 = 1.045 -> 1.05; wholesale 0.375 + 0.3375 = 0.7125 -> 0.71
    assert (compute["resale"], compute["wholesale"], compute["margin"]) == ("1.05", "0.71", "0.34")
    other = ok(
        client.get(
            "/v1/reports/margins",
            headers=auth(world.b.tokens["partner-admin"]),
            params={"month": "2026-10"},
        )
    )
    assert other["items"] == []
    refused = client.get(
        "/v1/reports/margins",
        headers=auth(world.a.tokens["customer-admin"]),
        params={"month": "2026-10"},
    )
    assert refused.status_code == 403


def test_partner_reconciliation_file(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    october(client, container, clock, world, "follow")
    close_month(container, "2026-10")
    text = client.get(
        "/v1/reports/reconciliation",
        headers=auth(world.a.tokens["partner-admin"]),
        params={"month": "2026-10"},
    ).text.splitlines()
    assert text[0].startswith("invoice_number,kind,issue_date,issuer,recipient")
    assert len(text) == 1 + 3 + 3  # wholesale and resale: two compute lines and disk each
    assert {row.split(",")[1] for row in text[1:]} == {"wholesale", "resale"}
    other = client.get(
        "/v1/reports/reconciliation",
        headers=auth(world.b.tokens["partner-admin"]),
        params={"month": "2026-10"},
    ).text.splitlines()
    assert len(other) == 1
