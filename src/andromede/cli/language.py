"""The language the CLI speaks: French or English, from the user's locale.

SecNumCloud 19.3 asks for the service's interfaces in French. A command-line tool follows
the locale its user set (``LANG=fr_FR.UTF-8``), as every POSIX tool does;
``ANDROMEDE_LANG`` overrides it for one command. Messages are written in English in the
code, as templates with named fields, and looked up in the French catalogue; a unit test
holds every template the CLI uses to a French entry with the same fields."""

import os

from andromede.cli.french import FRENCH

__all__ = ["cli_language", "tr"]

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
