"""Every problem title the API can send exists in French, and French is chosen when the
client ranks it first (SecNumCloud 19.3)."""

import pytest

from andromede.api.problems import STATUS, TITLES, TITLES_FR, preferred_language, problem_body


def test_no_problem_title_is_missing_in_french() -> None:
    assert set(TITLES) == set(STATUS) == set(TITLES_FR)
    assert all(TITLES_FR[code] and TITLES_FR[code] != TITLES[code] for code in STATUS)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "en"),
        ("fr", "fr"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,fr;q=0.8", "en"),
        ("de;q=0.9,fr;q=0.95", "fr"),
        ("fr;q=0, en", "en"),  # q=0: not wanted at all
        ("fr;q=abc", "en"),
        ("*", "en"),
    ],
)
def test_the_language_follows_the_clients_ranking(header: str, language: str) -> None:
    assert preferred_language(header) == language


def test_the_title_changes_with_the_language_and_nothing_else() -> None:
    english = problem_body("not-found", 404, "server x not found", "req-1")
    french = problem_body("not-found", 404, "server x not found", "req-1", "fr")
    assert french.pop("title") == "Introuvable" and english.pop("title") == "Not found"
    assert french == english
