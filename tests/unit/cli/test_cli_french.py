"""Every message the CLI prints exists in French with the same fields (SecNumCloud 19.3),
and none is printed without passing through the catalogue."""

import ast
import string
from collections.abc import Iterator
from importlib.resources import files

import pytest
import typer
from typer import rich_utils

from andromede.cli.french import FRENCH
from andromede.cli.french_help import FRENCH_HELP
from andromede.cli.language import (
    TYPER_WORDS,
    CommandTree,
    cli_language,
    help_in_french,
    tr,
)
from andromede.cli.main import app

CLI = files("andromede.cli")
# calls that put words in front of the user: their literal arguments must go through tr()
# the same words in both languages
SPELT_ALIKE = {
    *("volume", "cluster {id}", "--period {error}", "--member {error}", "id", "version"),
    "types",
}
HELP_SPELT_ALIKE = {
    "Images",
    "web=SCS-1V-2:debian-12x2",
    "transfer, direct_debit, card, cheque, other",
}
SHOWN = {"fail", "echo", "print", "add_task", "Table", "add_row", "getpass"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in CLI.iterdir():
        if path.name.endswith(".py"):
            yield path.name, ast.parse(path.read_text(encoding="utf-8"))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def templates() -> dict[str, str]:
    """Each template given to tr() as a literal, with the module it is in."""
    found = {}
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == "tr" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{name}: tr() of a non-literal"
                assert isinstance(first.value, str)
                found[first.value] = name
    return found


def _words(node: ast.expr) -> bool:
    """A literal with a letter in it: a word the user reads, not bare punctuation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_words(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _words(node.left) or _words(node.right)
    return False


def _fields(template: str) -> set[tuple[str, str | None, str]]:
    return {
        (field, conversion, spec or "")
        for _, field, spec, conversion in string.Formatter().parse(template)
        if field is not None
    }


def test_every_message_printed_goes_through_the_catalogue() -> None:
    untranslated = [
        f"{name}:{node.lineno} {_called(node)}"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _called(node) in SHOWN
        and any(_words(arg) for arg in node.args)
    ]
    assert untranslated == []


def test_every_template_has_a_french_entry_with_the_same_fields() -> None:
    used = templates()
    assert sorted(set(used) - set(FRENCH)) == []
    assert sorted(set(FRENCH) - set(used)) == []  # nothing stale kept
    differing = [t for t in used if _fields(t) != _fields(FRENCH[t])]
    assert differing == []
    same = {t for t in used if FRENCH[t] == t and any(c.isalpha() for c in t)}
    assert same == SPELT_ALIKE  # copied, not translated


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "C", "LC_MESSAGES": "fr_BE.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8", "ANDROMEDE_LANG": "fr"}, "fr"),
        ({}, "en"),
    ],
)
def test_the_language_follows_the_locale(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name in ("ANDROMEDE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli_language() == expected


def test_a_message_is_filled_in_the_chosen_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROMEDE_LANG", "fr")
    assert tr("no file {path}", path="a.qcow2") == "aucun fichier a.qcow2"
    monkeypatch.setenv("ANDROMEDE_LANG", "en")
    assert tr("no file {path}", path="a.qcow2") == "no file a.qcow2"


def _helps(command: CommandTree) -> Iterator[str]:
    if command.help:
        yield command.help
    yield from (p.help for p in command.params if getattr(p, "help", None))
    for sub in getattr(command, "commands", {}).values():
        yield from _helps(sub)


def test_every_help_text_has_a_french_version() -> None:
    english = set(_helps(typer.main.get_command(app)))
    assert len(english) > 300
    assert sorted(english - set(FRENCH_HELP)) == []
    assert sorted(set(FRENCH_HELP) - english) == []  # nothing stale kept
    assert {e for e in english if FRENCH_HELP[e] == e} == HELP_SPELT_ALIKE


def test_the_help_is_shown_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TYPER_WORDS:  # put back after the test; a Typer upgrade must keep them
        monkeypatch.setattr(rich_utils, name, getattr(rich_utils, name))
    command = typer.main.get_command(app)
    help_in_french(command)
    assert set(_helps(command)) <= set(FRENCH_HELP.values())
    assert rich_utils.REQUIRED_LONG_STRING == "[requis]"
