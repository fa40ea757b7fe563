"""Officers sent to villages and paired with households: resident work teams and their
first secretaries (因村派人), cadres paired with helped households (结对帮扶, a cadre
helps up to a configured number at once), and the record of officers called in, warned,
commended or recalled (a recall ends their pairs and their team membership)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..access.accounts import User, user_named
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..standard.regions import level_of
from ..store import Store
from .officer_rules import OfficerRules
from .plans import HELPED, QUERIES, stamp

ACTIONS = ("call_in", "warning", "recall", "commendation")
WORKERS = ("officer", "field_officer")  # the roles that work in villages


class OfficerError(PovertyCloudError):
    """A team, pair or action refused, with the reason."""



def _worker(store: Store, username: str, village: str) -> User:
    user = user_named(store, username)
    if user.role not in WORKERS or not user.covers(village):
        raise OfficerError(f"{username} ({user.role}, {user.region_code}) cannot work in "
                           f"village {village}: an officer or field officer whose "
                           "jurisdiction holds it can")
    return user


def _over(by: User, region: str, doing: str) -> None:
    if not by.may("plans") or not by.covers(region):
        raise OfficerError(f"{by.username} ({by.role}, {by.region_code}) may not {doing} "
                           f"in {region}")


def form_team(store: Store, village: str, name: str, sent_by: str, secretary: str,
              members: Sequence[str], starts: dt.date, by: User) -> int:
    """A resident work team in ``village``: its first secretary and members (officers or
    field officers of the village's jurisdiction), from ``starts``. Returns its id."""
    if level_of(village) != "village":
        raise OfficerError(f"{village} is not a village's code")
    _over(by, village, "send a work team")
    for username in (secretary, *members):
        _worker(store, username, village)
    if secretary in members:
        raise OfficerError(f"{secretary} is the first secretary: not a member as well")
    with store.transaction():
        team = store.draw("work_team_ids", 1) + 1
        store.execute(QUERIES["insert_team"], [team, village, name, sent_by, starts,
                                                by.username, stamp()])
        for username, role in ((secretary, "first_secretary"),
                               *((m, "member") for m in members)):
            store.execute(QUERIES["insert_team_member"], [team, username, role, starts])
        record(store, by, "form_work_team", "work_team", str(team), village,
               f"{name}; first secretary {secretary}; {len(members)} members")
    return team


def pair(store: Store, rules: OfficerRules, username: str, households: Sequence[int],
         on: dt.date, by: User) -> int:
    """Pair a cadre with helped households from ``on``: each in the cadre's and ``by``'s
    jurisdiction, not paired with another cadre, and the cadre helping at most
    ``rules.max_households`` at once. All or none; returns how many were paired."""
    found = store.records(QUERIES["households_to_pair"], [list(households), on])
    missing = set(households) - {r["household_id"] for r in found}
    if missing:
        raise NotFound(f"no household {min(missing)} in the registry")
    for r in found:
        _over(by, r["village_code"], "pair cadres")
        _worker(store, username, r["village_code"])
        if r["registration_status"] not in HELPED:
            raise OfficerError(f"household {r['household_id']} is "
                               f"{r['registration_status']}: cadres help registered poor "
                               "and monitored households")
        if r["paired_with"] is not None:
            raise OfficerError(f"household {r['household_id']} is helped by "
                               f"{r['paired_with']} already: end that pair first")
    helping = store.scalar(QUERIES["households_of_cadre"], [username, on])
    if helping + len(found) > rules.max_households:
        raise OfficerError(f"{username} helps {helping} households; with "
                           f"{len(found)} more that would be {helping + len(found)}, and a "
                           f"cadre helps at most {rules.max_households} ({rules.label})")
    with store.transaction():
        for r in found:
            store.execute(QUERIES["insert_pair"], [username, r["household_id"],
                                                    r["village_code"], on, by.username])
        record(store, by, "pair_cadre", "user", username, found[0]["village_code"],
               "households " + ", ".join(str(r["household_id"]) for r in found))
    return len(found)


def unpair(store: Store, username: str, household: int, on: dt.date, by: User) -> None:
    """End a cadre's pair with a household on ``on``."""
    village = store.value(QUERIES["active_pair"], [username, household, on])
    if village is None or not by.covers(str(village)):
        raise NotFound(f"{username} is not paired with household {household} on {on} in "
                       f"the jurisdiction of {by.username}")
    _over(by, str(village), "end pairs")
    with store.transaction():
        store.execute(QUERIES["end_pair"], [on, username, household])
        record(store, by, "unpair_cadre", "user", username, str(village),
               f"household {household}")


def households_of(store: Store, username: str, on: dt.date) -> list[dict[str, Any]]:
    """The households a cadre helps on ``on``, with their last visit and open plan items."""
    return store.records(QUERIES["households_of"], [on, username])


def act(store: Store, username: str, kind: str, reason: str, by: User,
        on: dt.date | None = None) -> int:
    """Record an action on an officer (``by``'s jurisdiction must hold theirs): a call-in,
    a warning, a commendation, or a recall, which also ends their pairs and their team
    membership on ``on`` (today). Returns the action's id."""
    if kind not in ACTIONS:
        raise OfficerError(f"the action must be one of {', '.join(ACTIONS)}, not {kind!r}")
    if not reason.strip():
        raise OfficerError("an action on an officer needs its reason")
    officer = user_named(store, username)
    _over(by, officer.region_code, "act on officers")
    if officer.username == by.username:
        raise OfficerError("an officer does not act on themselves")
    day = on or dt.date.today()
    with store.transaction():
        action = store.draw("officer_action_ids", 1) + 1
        store.execute(QUERIES["insert_action"], [action, username, officer.region_code, kind,
                                                  reason, by.username, stamp()])
        if kind == "recall":
            store.execute(QUERIES["end_pairs_of"], [day, username])
            store.execute(QUERIES["end_memberships_of"], [day, username])
        record(store, by, "act_on_officer", "user", username, officer.region_code,
               f"{kind}: {reason}")
    return action


def actions(store: Store, prefix: str) -> list[dict[str, Any]]:
    """The actions on the officers of regions under ``prefix``, the latest first."""
    return store.records(QUERIES["actions_in"], [prefix])
