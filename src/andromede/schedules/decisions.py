"""What a scheduler pass does to the servers of one schedule, from the timetable, the
schedule's options, the instant of the last pass and each server's state.

At a period boundary that passed since the last pass, the servers are brought to the state
the schedule wants from then on; when several boundaries passed (the worker was down),
only the last one counts, and the decision says how late it is. Between boundaries,
nothing is touched unless the schedule is ``enforced`` (then any server in the other state
is brought back) or a server was created outside the periods and ``stop_new`` is set.
``retain_running``: a server already running when its period began (started by hand
before it) is left running when that period ends, and after (even when enforced), until a
period begins with it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from andromede.schedules.timetable import Timetable, running_at, transitions

__all__ = ["Decision", "Options", "Pass", "ServerState", "Why", "decide"]


@dataclass(frozen=True)
class Options:
    enforced: bool = False
    retain_running: bool = False
    stop_new: bool = True


class ServerState(NamedTuple):  # a tuple: a pass builds one per server, 100,000 of them
    id: str
    running: bool  # on, or on its way on
    settled: bool  # not between two states: an action can be asked now
    created_at: datetime
    retained: bool = False  # running since before its period began (retain_running)


class Why(StrEnum):
    PERIOD_BEGINS = "period begins"
    PERIOD_ENDS = "period ends"
    ENFORCED = "enforced"
    NEW_OUTSIDE = "new server outside the periods"


class Decision(NamedTuple):
    server_id: str
    start: bool  # start it (else stop it)
    why: Why
    due_at: datetime  # the boundary it answers, or the pass instant

    def late_by(self, now: datetime) -> timedelta:
        return now - self.due_at


@dataclass(frozen=True)
class Pass:
    decisions: tuple[Decision, ...]
    retain: frozenset[str]  # servers to remember as started by hand before the period
    release: frozenset[str]  # servers to forget (a period began with them stopped)
    boundary: datetime | None  # the last boundary that passed, if any
    missed: int  # boundaries that passed while nobody looked, before the last one


def decide(
    table: Timetable,
    options: Options,
    last: datetime,
    now: datetime,
    servers: list[ServerState],
) -> Pass:
    changes = transitions(table, last, now)
    if changes:
        return _at_boundary(options, changes[-1].at, changes[-1].running, servers, len(changes))
    wanted = running_at(table, now)
    decisions = []
    for server in servers:
        if not server.settled or server.running == wanted:
            continue
        if options.enforced and not (server.retained and server.running):
            decisions.append(Decision(server.id, wanted, Why.ENFORCED, now))
        elif options.stop_new and server.running and server.created_at > last:
            decisions.append(Decision(server.id, False, Why.NEW_OUTSIDE, now))
    return Pass(tuple(decisions), frozenset(), frozenset(), None, 0)


def _at_boundary(
    options: Options, at: datetime, wanted: bool, servers: list[ServerState], passed: int
) -> Pass:
    why = Why.PERIOD_BEGINS if wanted else Why.PERIOD_ENDS
    decisions = []
    retain: set[str] = set()
    release: set[str] = set()
    for server in servers:
        if wanted:  # who is on already, by hand, is remembered until the next begin
            if server.running and options.retain_running and server.created_at < at:
                retain.add(server.id)
            elif server.retained:
                release.add(server.id)
        elif server.retained:
            continue
        if server.settled and server.running != wanted:
            decisions.append(Decision(server.id, wanted, why, at))
    return Pass(tuple(decisions), frozenset(retain), frozenset(release), at, passed - 1)
