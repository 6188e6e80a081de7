"""Journeys per role in a real browser against a real ``andromede serve`` with demo data,
on SQLite and on PostgreSQL: nothing the browser loads comes from anywhere else, every
page passes axe-core without a serious or critical violation."""

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from andromede.cli.demo import DEMO_PASSWORD
from tests.e2e.browser import Recorded, chromium, screenshot, serious_violations
from tests.e2e.conftest import Service, start_service
from tests.integration.builders import fr_ids

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


@contextmanager
def _pg_database(server: str) -> Iterator[str]:
    """A new database's URL, dropped afterwards (each run of this module left one)."""
    name = f"andromede_console_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Service, dict[str, str]]]:
    """A served demo and the TOTP secrets of its staff (staff MFA is on)."""
    workdir = tmp_path_factory.mktemp(f"console-{request.param}")
    extra = {}
    with ExitStack() as databases:
        if request.param == "postgresql":
            server = request.getfixturevalue("postgres_server")
            extra["ANDROMEDE_DATABASE_URL"] = databases.enter_context(_pg_database(server))
            extra["ANDROMEDE_SECRETS_KEY_FILE"] = str(workdir / "secrets.key")
            extra["ANDROMEDE_SIM_STATE_PATH"] = str(workdir / "hypervisors.sqlite")  # and keys
        svc = start_service(workdir, **extra)
        _wait_for_demo_servers(extra.get("ANDROMEDE_DATABASE_URL", f"sqlite:///{svc.db_path}"))
        secrets = {}
        for staff in ("lbernard", "cmartin"):
            enrolled = svc.cli("mfa", "enrol", staff, config=svc.db_path.with_name("cli.json"))
            assert enrolled.returncode == 0, enrolled.stderr
            secrets[staff] = enrolled.stdout.split("secret:")[1].split()[0]
        yield svc, secrets
        svc.stop()


def _wait_for_demo_servers(url: str, within: float = 60.0) -> None:
    """Until the served demo's reconciler has booted every server the demo created: a
    page read before that found none running on a fast machine (PostgreSQL)."""
    engine = create_engine(url)
    deadline, statuses = time.monotonic() + within, dict[str, int]()
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                statuses = dict(
                    conn.execute(text("SELECT status, count(*) FROM servers GROUP BY status")).all()
                )
            if statuses.get("ACTIVE") and not statuses.get("BUILD"):
                return
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"the demo's servers did not all boot within {within} s: {statuses}")


@pytest.fixture
def visit(browser: Browser, site: tuple[Service, dict[str, str]]) -> Iterator[Recorded]:
    recorded = Recorded(browser, site[0].url)
    yield recorded
    recorded.close()
    assert recorded.elsewhere() == [], "the browser reached beyond the service"


def sign_in(
    page: Page, url: str, username: str, otp_secret: str | None = None, password: str = ""
) -> None:
    page.goto(f"{url}/console/login")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if otp_secret:
        expect(page.get_by_label("Code à usage unique")).to_be_visible()
        page.get_by_label("Mot de passe").fill(password or DEMO_PASSWORD)
        page.get_by_label("Code à usage unique").fill(pyotp.TOTP(otp_secret).now())
        page.get_by_role("button", name="Se connecter").click()


def checked(page: Page, name: str) -> None:
    """Every page of a journey: no serious accessibility violation, a screenshot kept."""
    assert serious_violations(page) == [], page.url
    screenshot(page, name)


def test_a_customer_admin_creates_a_server_watches_it_start_and_stops_it(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    url, page = site[0].url, visit.page
    sign_in(page, url, "brasserie-admin")
    expect(page.get_by_role("heading", name="Serveurs")).to_be_visible()
    checked(page, "customer-servers")
    page.get_by_role("link", name="Créer un serveur").click()
    page.get_by_label("Nom", exact=True).fill("browser-vm")
    page.get_by_label("SCS-1V-2", exact=False).first.check()
    checked(page, "customer-server-create")
    page.get_by_role("button", name="Créer", exact=True).click()
    expect(page.get_by_role("heading", name="browser-vm")).to_be_visible()
    status = page.locator("#status")
    expect(status).to_have_text("ACTIF", timeout=20_000)  # moved on screen, no reload
    checked(page, "customer-server-detail")
    page.get_by_role("button", name="Arrêter").click()
    expect(page.locator("#status")).to_have_text("ARRÊTÉ", timeout=20_000)
    page.get_by_role("link", name="Serveurs").first.click()
    row = page.get_by_role("row").filter(has_text="browser-vm")
    expect(row).to_contain_text("SCS-1V-2")


def test_a_customer_admin_approves_a_staff_request_and_downloads_an_invoice(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    service, secret = site
    staff = httpx.post(
        f"{service.url}/v1/tokens",
        json={
            "username": "lbernard",
            "password": DEMO_PASSWORD,
            "otp": pyotp.TOTP(secret["lbernard"]).now(),
        },
    )
    assert staff.status_code == 201, staff.text
    headers = {"authorization": f"Bearer {staff.json()['token']}"}
    customers = httpx.get(f"{service.url}/v1/customers?limit=100", headers=headers).json()["items"]
    commune = next(c for c in customers if c["name"].startswith("Commune"))
    filed = httpx.post(
        f"{service.url}/v1/access-requests",
        headers=headers,
        json={
            "customer_id": commune["id"],
            "scope": "read",
            "reason": "ticket 99: disk alarm",
            "duration_minutes": 30,
            "location": "FR",
        },
    )
    assert filed.status_code == 201, filed.text
    page = visit.page
    sign_in(page, service.url, "commune-admin")
    page.get_by_role("link", name="Souveraineté").click()
    row = page.get_by_role("row").filter(has_text="ticket 99: disk alarm")
    row.get_by_role("button", name="Approuver").click()
    expect(page.get_by_role("row").filter(has_text="ticket 99")).to_contain_text("approuvée")
    checked(page, "customer-sovereignty")
    page.get_by_role("link", name="Coûts et factures").click()
    checked(page, "customer-costs")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").first.click()
    saved = download.value.path()
    assert saved is not None and '"total_incl_vat"' in Path(saved).read_text(encoding="utf-8")


def test_a_viewer_sees_no_action(visit: Recorded, site: tuple[Service, dict[str, str]]) -> None:
    page = visit.page
    sign_in(page, site[0].url, "brasserie-viewer")
    expect(page.get_by_role("heading", name="Serveurs")).to_be_visible()
    assert page.get_by_role("link", name="Créer un serveur").count() == 0
    page.get_by_role("row").nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Historique des événements")).to_be_visible()
    for action in ("Démarrer", "Arrêter", "Redémarrer", "Supprimer", "Redimensionner"):
        assert page.get_by_role("button", name=action).count() == 0
        assert page.get_by_role("link", name=action).count() == 0


def test_the_operator_signs_in_with_totp_and_reads_the_dashboard(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    service, secret = site
    page = visit.page
    sign_in(page, service.url, "lbernard", otp_secret=secret["lbernard"])
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    assert int(page.locator("#running").inner_text().replace("\u202f", "")) > 0
    checked(page, "operator-dashboard")


def test_the_operator_admin_runs_a_price_change_dry_run(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    service, secret = site
    page = visit.page
    admin = service.env["ANDROMEDE_ADMIN_PASSWORD"]
    sign_in(page, service.url, "cmartin", otp_secret=secret["cmartin"], password=admin)
    page.get_by_role("link", name="Prix", exact=True).click()
    page.get_by_label("Référence").select_option(index=0)
    page.get_by_label("Nouveau prix catalogue par heure").fill("0.0100")
    page.get_by_role("button", name="Prévisualiser l'impact").click()
    impact = page.locator("#impact")
    expect(impact).to_contain_text("Chiffre d'affaires de l'opérateur")
    checked(page, "operator-price-dry-run")
    expect(page.get_by_role("button", name="Confirmer la modification")).to_be_visible()


def test_the_operator_admin_compares_prices_and_previews_following_their_cut(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    service, secret = site
    page = visit.page
    admin = service.env["ANDROMEDE_ADMIN_PASSWORD"]
    sign_in(page, service.url, "cmartin", otp_secret=secret["cmartin"], password=admin)
    page.get_by_role("link", name="Alignement des prix").click()
    expect(page.locator("figure.chart svg")).to_be_visible()  # the gap per family, drawn
    expect(page.locator("#lines")).to_contain_text("m6i.xlarge")
    page.get_by_label("Prix de gros").select_option("hold")
    page.get_by_role("button", name="Prévisualiser sur le mois dernier").click()
    expect(page.locator("#moves")).to_contain_text("compute:SCS-4V-16:fr-par-1")
    expect(page.locator("#impact")).to_contain_text("Chiffre d'affaires de l'opérateur")
    checked(page, "operator-price-alignment")
    expect(page.get_by_role("button", name="Appliquer le changement")).to_be_visible()


def test_the_operator_pages_pass_axe_and_show_no_customer_resource(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    service, secret = site
    page = visit.page
    admin = service.env["ANDROMEDE_ADMIN_PASSWORD"]
    sign_in(page, service.url, "cmartin", otp_secret=secret["cmartin"], password=admin)
    for name in ("Partenaires", "Régions et hôtes", "Audit", "Tableau de bord"):
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        checked(page, "operator-" + name.split()[0].lower())
        assert "web-1" not in page.content()  # the demo customers' servers: no grant


def test_a_partner_creates_a_customer_a_project_and_a_user_then_reads_margins(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    page = visit.page
    sign_in(page, site[0].url, "numeria-admin")
    ids = fr_ids("73282931")
    page.get_by_label("Raison sociale").fill("Forge Océane SAS")
    page.get_by_label("Adresse").fill("2 quai Duguay-Trouin, Saint-Malo")
    page.get_by_label("SIREN (entreprises françaises)").fill("123456789")
    expect(page.locator("#c-siren-check")).to_have_text("numéro invalide")  # as typed
    page.get_by_label("SIREN (entreprises françaises)").fill(ids["siren"])
    expect(page.locator("#c-siren-check")).to_have_text("")
    page.get_by_label("Numéro de TVA").fill(ids["vat_number"])
    page.get_by_role("button", name="Créer le client").click()
    expect(page.get_by_role("note")).to_contain_text("pour le compte de Forge Océane SAS")
    page.get_by_label("Nouveau projet").fill("recette")
    page.get_by_role("button", name="Créer le projet").click()
    expect(page.get_by_role("listitem").filter(has_text="recette")).to_be_visible()
    page.get_by_label("Nom d'utilisateur").fill("forge-admin")
    page.get_by_label("Mot de passe initial").fill("une phrase de passe assez longue")
    page.get_by_label("Rôle").select_option("customer-admin")
    page.get_by_role("button", name="Créer l'utilisateur").click()
    expect(page.get_by_role("cell", name="forge-admin")).to_be_visible()
    checked(page, "partner-customer")
    page.get_by_role("link", name="Marges").click()
    expect(page.locator("#margins")).to_be_visible()
    checked(page, "partner-margins")


def test_a_partner_reads_its_customers(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    page = visit.page
    sign_in(page, site[0].url, "numeria-admin")
    expect(page.get_by_role("cell", name="Brasserie Lumière SAS")).to_be_visible()
    assert page.get_by_role("cell", name="Commune de Ploubalay").count() == 0  # another partner's
    checked(page, "partner-customers")


def test_a_developer_signs_up_and_creates_a_server(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    page = visit.page
    page.goto(f"{site[0].url}/console/signup")
    checked(page, "signup")
    page.get_by_label("Raison sociale").fill("Quasar Studio SAS")
    page.get_by_label("Adresse").fill("8 quai de la Fosse, Nantes")
    ids = fr_ids("73282932")
    page.get_by_label("SIREN (entreprises françaises)").fill(ids["siren"])
    page.get_by_label("Numéro de TVA").fill(ids["vat_number"])
    page.get_by_label("Votre nom d'utilisateur (administrateur du compte)").fill(
        f"quasar-{uuid.uuid4().hex[:4]}"
    )
    page.get_by_label("Mot de passe (15 caractères ou plus ; une phrase de passe convient)").fill(
        "une phrase de passe assez longue"
    )
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Premiers pas")).to_be_visible()
    checked(page, "getting-started")
    page.get_by_role("link", name="Créez votre premier serveur").click()
    page.get_by_label("Nom", exact=True).fill("first-vm")
    page.locator("input[name=flavor]").first.check()
    page.get_by_role("button", name="Créer", exact=True).click()
    expect(page.locator("#status")).to_have_text("ACTIF", timeout=20_000)


def test_the_language_switch_and_every_request_stays_home(
    visit: Recorded, site: tuple[Service, dict[str, str]]
) -> None:
    page = visit.page
    sign_in(page, site[0].url, "brasserie-admin")
    pages = (
        "Paires de clés",
        "Projets et quotas",
        "Utilisateurs",
        "Coûts et factures",
        "Souveraineté",
        "Premiers pas",
        "Serveurs",
    )
    for name in pages:
        page.get_by_role("link", name=name).first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        checked(page, "customer-" + name.split()[0].lower())
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Servers")).to_be_visible()
    assert visit.requests and all(u.startswith(site[0].url) for u in visit.requests)
    assert any(u.endswith("/console/static/console.css") for u in visit.requests)
