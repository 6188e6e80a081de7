"""A user whose locale is French gets the CLI's messages in French, and the API's
problems titled in French (SecNumCloud 19.3); the same commands in English otherwise."""

import subprocess
from pathlib import Path

from tests.e2e.conftest import Service, cli_server


def _run(
    service: Service, config: Path, locale: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {**service.env, "ANDROMEDE_CLI_CONFIG": str(config), "LANG": locale}
    env.pop("ANDROMEDE_LANG")
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return cli_server().run(list(args), env, timeout=120)


def test_a_french_locale_gets_french_messages_and_problem_titles(
    service: Service, tmp_path: Path
) -> None:
    config = tmp_path / "cli.json"
    login = ("login", "-u", "armor-admin", "-p", "demo-password-2026", "--url", service.url)
    logged = _run(service, config, "fr_FR.UTF-8", *login)
    assert logged.returncode == 0, logged.stderr
    assert "connecté en tant que armor-admin" in logged.stdout

    unknown = _run(service, config, "fr_FR.UTF-8", "network", "delete", "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("erreur : aucun objet de type réseau nommé 'nope'")

    refused = _run(service, config, "fr_FR.UTF-8", "server", "show", "no-such-server")
    assert refused.returncode == 2
    assert refused.stderr.startswith("erreur : Introuvable : ")  # the API's title, in French
    assert "(HTTP 404)" in refused.stderr

    english = _run(service, config, "en_GB.UTF-8", "server", "show", "no-such-server")
    assert english.returncode == 2
    assert english.stderr.startswith("error: ") and "Introuvable" not in english.stderr

    wrong = _run(service, config, "fr_FR.UTF-8", "invoice", "download", "X", "--format", "odt")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("erreur : --format vaut l'un de facturx, ")
