"""The language the CLI speaks: French or English, from the user's locale.

SecNumCloud 19.3 asks for the service's interfaces in French. A command-line tool follows
the locale its user set (``LANG=fr_FR.UTF-8``), as every POSIX tool does;
``ANDROMEDE_LANG`` overrides it for one command. Messages are written in English in the
code, as templates with named fields, and looked up in the French catalogue; a unit test
holds every template the CLI uses to a French entry with the same fields."""

import os
from typing import Any, Protocol

from andromede.cli.french import FRENCH
from andromede.cli.french_help import FRENCH_HELP

__all__ = ["CommandTree", "cli_language", "help_in_french", "tr"]


class CommandTree(Protocol):
    """What Typer builds from the app: a command, its parameters, its subcommands."""

    help: str | None
    params: list[Any]


# the words Typer puts around a command's help (click's "Usage:" stays as it is)
TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[requis]",
    "DEPRECATED_STRING": "(obsolète) ",
    "ABORTED_TEXT": "Abandon.",
    "RICH_HELP": "Essayez [blue]'{command_path} {help_option}'[/] pour l'aide.",
}

# POSIX: LC_ALL overrides LC_MESSAGES, which overrides LANG
_LOCALE_VARIABLES = ("ANDROMEDE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language() -> str:
    """``fr`` or ``en``; read on each call so a test can switch it within one process."""
    for name in _LOCALE_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def tr(template: str, /, **fields: object) -> str:
    """The message in the user's language, its ``{fields}`` filled in."""
    chosen = FRENCH.get(template, template) if cli_language() == "fr" else template
    return chosen.format(**fields) if fields else chosen


def help_in_french(command: CommandTree) -> None:
    """Every help text of the command tree replaced by its French version, in place."""
    from typer import rich_utils  # what Typer loads itself only to print help or an error

    for name, words in TYPER_WORDS.items():
        setattr(rich_utils, name, words)
    _translate(command)


def _translate(command: CommandTree) -> None:
    if command.help:
        command.help = FRENCH_HELP.get(command.help, command.help)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = FRENCH_HELP.get(text, text)
    for sub in getattr(command, "commands", {}).values():
        _translate(sub)
