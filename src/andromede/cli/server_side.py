"""What the server-side commands share: the container built from the settings, the
system caller they act as, and the command line's instants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from andromede.cli.language import tr
from andromede.cli.output import fail
from andromede.config import load_settings
from andromede.kernel.collector import starting_up
from andromede.tenancy.scope import Actor, Caller, Role

if TYPE_CHECKING:
    from andromede.bootstrap import App

__all__ = ["SYSTEM_CLI", "build_container", "instant"]

SYSTEM_CLI = Caller(Actor("cli", "system:cli", Role.OPERATOR_ADMIN, system=True), "cli")


def build_container() -> App:
    """The container of a server-side command, built ``starting_up``: importing the
    server and building it make hundreds of thousands of objects that live as long as
    the process, and the collector walked them hundreds of times for nothing."""
    with starting_up():
        from andromede.bootstrap import build

        try:
            settings = load_settings()
        except ValueError as exc:
            fail(str(exc))
        return build(settings)


def instant(option: str, value: str) -> datetime:
    """An ISO 8601 date or time from the command line (its own parser, the same whatever
    the Typer version), UTC when it names no offset."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(tr("{option}: not an ISO date or time: {value!r}", option=option, value=value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
