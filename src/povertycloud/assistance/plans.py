"""Help plans (措施到户): for each helped household (registered poor or monitored) and year,
the help measures that answer its recommended measures, each with the office that
delivers it, the programme that pays, its cost, due date, officer and state. The system
proposes them; officers of the household's jurisdiction change, add and cancel them, and
every version is kept. Households without a plan, and measures overdue, are flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..access.accounts import User, user_named
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..funds.eligibility import eligibility_sql, identified_year
from ..sqltext import literal, literals
from ..store import Queries, Store, StoreConflict
from .catalogue import STATES, Catalogue, HelpMeasure

QUERIES = Queries(__package__)
HELPED = ("registered_poor", "monitored")
SYSTEM = "system"
# where a state may go next; verified and cancelled are final
NEXT = {"planned": ("under_way", "delivered", "cancelled"),
        "under_way": ("delivered", "cancelled"), "delivered": ("verified", "cancelled"),
        "verified": (), "cancelled": ()}
OPEN = ("planned", "under_way")  # an item in these states past its due date is overdue
CHANGEABLE = ("state", "due_date", "officer", "cost_fen", "deliverer", "note")


def stamp() -> dt.datetime:
    """The time a change is kept with: local, without a zone, as the store keeps it."""
    return dt.datetime.now().replace(tzinfo=None)


class PlanError(PovertyCloudError):
    """A change to a plan that is refused, with the reason."""


@dataclass(frozen=True)
class Proposed:
    plans: int
    items: int
    year: int  # the identification year the plans answer


def propose(store: Store, catalogue: Catalogue, year: int, starts: dt.date,
            prefix: str = "") -> Proposed:
    """Propose a plan of ``year`` (starting ``starts``) for every helped household of the
    regions under ``prefix`` (their codes' leading digits) that has none, from its
    recommended measures: each help measure it is offered, the first of an exclusive
    group, the cadre who helps it on ``starts`` responsible. A household that has a plan
    keeps it."""
    if starts.year != year:
        raise PlanError(f"a plan of {year} starts in {year}, not on {starts}")
    identified = identified_year(store, year)
    helped = (f"SELECT household_id FROM households WHERE starts_with(village_code, "
              f"{literal(prefix)}) AND registration_status IN {literals(HELPED)} AND "
              f"household_id NOT IN (SELECT household_id FROM help_plans WHERE year = "
              f"{int(year)})")
    store.execute(f"CREATE OR REPLACE TEMP TABLE _plan_households AS "
                  f"SELECT * FROM ({eligibility_sql(identified, helped)}) e")
    offers = " UNION ALL ".join(_offer_sql(m, rank, starts)
                                for rank, m in enumerate(catalogue.for_households))
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _plan_offers AS
SELECT * FROM ({offers}) o
QUALIFY grp IS NULL OR row_number() OVER (PARTITION BY household_id, grp ORDER BY rank) = 1""")
    plans, items = store.one("SELECT (SELECT count(*) FROM _plan_households), "
                             "(SELECT count(*) FROM _plan_offers)") or (0, 0)
    with store.transaction():
        start = store.draw("plan_item_ids", int(items))
        now = stamp()
        store.execute(QUERIES["insert_proposed_plans"],
                      [year, starts, catalogue.label, SYSTEM, now])
        store.execute(QUERIES["insert_proposed_items"], [start, year, SYSTEM, now])
        store.execute(QUERIES["officers_of_new_items"], [start + 1, start + int(items),
                                                         starts])
        store.execute(QUERIES["history_of_new_items"], [start + 1, start + int(items)])
        for table in ("_plan_offers", "_plan_households"):
            store.execute(f"DROP TABLE {table}")
    return Proposed(int(plans), int(items), identified)


def _offer_sql(m: HelpMeasure, rank: int, starts: dt.date) -> str:
    due = starts + dt.timedelta(days=m.due_days)
    return (f"SELECT household_id, village_code, {literal(m.id)} AS measure, "
            f"{literal(m.kind)} AS kind, {literal(m.office)} AS deliverer, "
            f"{literal(m.programme)} AS programme, CAST({m.cost_sql()} AS BIGINT) AS "
            f"cost_fen, DATE {literal(due.isoformat())} AS due_date, {rank} AS rank, "
            f"{literal(m.exclusive) if m.exclusive else 'CAST(NULL AS VARCHAR)'} AS grp "
            f"FROM _plan_households e WHERE {m.offered_sql()}")


def plan_of(store: Store, household_id: int, year: int) -> dict[str, Any] | None:
    """The household's plan of ``year`` with its items (cancelled ones too), or None."""
    plan = store.record(QUERIES["plan"], [household_id, year])
    if plan is None:
        return None
    plan["items"] = store.records(QUERIES["plan_items"], [household_id, year])
    return plan


def history(store: Store, item_id: int) -> list[dict[str, Any]]:
    """Every version of a plan item, the first first."""
    return store.records(QUERIES["item_history"], [item_id])


def change(store: Store, item_id: int, by: User, version: int | None = None,
           **changes: Any) -> dict[str, Any]:
    """Change a plan item as ``by`` (an officer of its village's jurisdiction): its
    state (forward only; verified by another than who marked it delivered), due date,
    officer, cost, deliverer or note. Kept as a new version, audited. ``version``: the
    one the officer saw; refused if another officer changed it since (and of two at once,
    only one succeeds)."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise PlanError(f"cannot change {', '.join(sorted(unknown))}; a plan item's "
                        f"changeable fields are {', '.join(CHANGEABLE)}")
    item = _item_for(store, item_id, by)
    if version is not None and version != item["version"]:
        raise _changed_since(item)
    new = {**item, **{k: v for k, v in changes.items() if v is not None}}
    if all(str(new[k]) == str(item[k]) for k in CHANGEABLE):
        raise PlanError(f"nothing to change in plan item {item_id}: it is so already")
    _check_change(store, item, new, by)
    now = stamp()
    try:
        with store.transaction():
            changed = store.execute(QUERIES["update_item"], [
                new["state"], new["due_date"], new["officer"], new["cost_fen"],
                new["deliverer"], new["note"], by.username, now, item_id,
                item["version"]]).fetchone()
            if changed is not None and not changed[0]:
                raise _changed_since(store.record(QUERIES["item"], [item_id]) or item)
            store.execute(QUERIES["history_of_item"], [item_id])
            record(store, by, "change_plan_item", "plan_item", str(item_id),
                   item["village_code"], _described(item, new))
    except StoreConflict:
        raise _changed_since(item) from None
    return dict(store.record(QUERIES["item"], [item_id]) or {})


def _changed_since(item: dict[str, Any]) -> PlanError:
    return PlanError(f"plan item {item['item_id']} was changed by another officer "
                     f"(version {item['version']}, {item['changed_by']}) since it was "
                     "read: look again and retry")


def _item_for(store: Store, item_id: int, by: User) -> dict[str, Any]:
    item = store.record(QUERIES["item"], [item_id])
    if item is None or not sees(store, by, item["village_code"], item["household_id"]):
        raise NotFound(f"no plan item {item_id} in the jurisdiction of {by.username}")
    if not by.may("plans"):
        raise PlanError(f"{by.username} is a {by.role}: only officers change help plans")
    return item


def villages_of(store: Store, households: list[int]) -> dict[int, str]:
    """The village of each household of the list that is in the registry."""
    return {int(h): str(v) for h, v in store.rows(QUERIES["villages_of"], [households])}


def sees(store: Store, by: User, village: str, household: int,
         on: dt.date | None = None) -> bool:
    """Whether ``by`` may see and keep the household's help: its village in their
    jurisdiction, and for a field officer, a household they help (on ``on``, today)."""
    if not by.covers(village):
        return False
    return by.role != "field_officer" or store.value(
        QUERIES["active_pair"], [by.username, household, on or dt.date.today()]) is not None


def _check_change(store: Store, old: dict[str, Any], new: dict[str, Any], by: User) -> None:
    if new["state"] not in STATES:
        raise PlanError(f"state must be one of {', '.join(STATES)}, not {new['state']!r}")
    if new["state"] != old["state"]:
        if new["state"] not in NEXT[old["state"]]:
            allowed = ", ".join(NEXT[old["state"]]) or "nothing: it is final"
            raise PlanError(f"plan item {old['item_id']} is {old['state']}: it may become "
                            f"{allowed}, not {new['state']}")
        if new["state"] == "verified" and old["changed_by"] == by.username:
            raise PlanError(f"{by.username} marked plan item {old['item_id']} delivered: "
                            "another officer verifies it")
        if new["state"] == "cancelled" and not new.get("note"):
            raise PlanError("a cancelled measure needs a note saying why")
    elif old["state"] in ("verified", "cancelled"):
        raise PlanError(f"plan item {old['item_id']} is {old['state']}: it no longer changes")
    if int(new["cost_fen"]) < 0:
        raise PlanError("the cost cannot be below zero")
    if new["officer"] and new["officer"] != old["officer"]:
        officer = user_named(store, new["officer"])
        if not officer.covers(old["village_code"]) or not officer.may("plans"):
            raise PlanError(f"{officer.username} ({officer.role}, {officer.region_code}) "
                            f"cannot be responsible for a household of village "
                            f"{old['village_code']}")


def _described(old: dict[str, Any], new: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {old[k]} -> {new[k]}" for k in CHANGEABLE
                     if str(old[k]) != str(new[k])) or "no change"


def add(store: Store, catalogue: Catalogue, household_id: int, year: int, measure: str,
        by: User, officer: str | None = None, note: str | None = None) -> int:
    """Add a help measure to a household's plan of ``year`` as ``by``: refused unless
    the household is offered it (recommended, eligible) and has no open measure of its
    exclusive group. Returns the new item's id."""
    m = catalogue[measure]
    if m.scope != "household":
        raise PlanError(f"{measure} is a village project, not a household's measure")
    plan = store.record(QUERIES["plan"], [household_id, year])
    if plan is None or not sees(store, by, plan["village_code"], household_id):
        raise NotFound(f"household {household_id} has no plan of {year} in the "
                       f"jurisdiction of {by.username}: propose plans first")
    if not by.may("plans"):
        raise PlanError(f"{by.username} is a {by.role}: only officers change help plans")
    offered = store.record(
        f"SELECT {m.offered_sql()} AS offered, CAST({m.cost_sql()} AS BIGINT) AS cost_fen "
        f"FROM ({eligibility_sql(identified_year(store, year), str(int(household_id)))}) e")
    if offered is None or not offered["offered"]:
        raise PlanError(f"household {household_id} is not eligible for {measure}: "
                        f"{_why_not(m)}")
    _check_exclusive(store, catalogue, m, household_id, year)
    starts = plan["starts"]
    item = store.draw("plan_item_ids", 1) + 1
    now = stamp()
    with store.transaction():
        store.execute(QUERIES["insert_item"], [
            item, household_id, year, plan["village_code"], m.id, m.kind, m.office,
            m.programme, offered["cost_fen"], starts + dt.timedelta(days=m.due_days),
            officer, by.username, now, note])
        store.execute(QUERIES["history_of_item"], [item])
        record(store, by, "add_plan_item", "plan_item", str(item), plan["village_code"],
               f"{m.id} for household {household_id}")
    return item


def _why_not(m: HelpMeasure) -> str:
    parts = [f"it is not recommended {m.recommends}"] if m.recommends else []
    if m.when_sql != "true":
        parts.append(f"or does not meet {m.id}'s condition")
    return " ".join(parts) + " (by its registry and identification)"


def _check_exclusive(store: Store, catalogue: Catalogue, m: HelpMeasure, household_id: int,
                     year: int) -> None:
    if m.exclusive is None:
        return
    group = [g.id for g in catalogue.measures if g.exclusive == m.exclusive]
    taken = store.value(QUERIES["open_item_of_group"], [household_id, year, group])
    if taken is not None:
        raise PlanError(f"household {household_id} has {taken} already, and a household "
                        f"gets at most one of {', '.join(group)}: cancel it first")


def flags(store: Store, prefix: str, year: int, as_of: dt.date) -> list[dict[str, Any]]:
    """Under ``prefix``: each helped household without a plan of ``year`` (or with no
    measure left), and each open measure past its due date on ``as_of``."""
    return store.records(QUERIES["plan_flags"],
                         [year, prefix, list(HELPED), year, prefix, year, as_of, list(OPEN)])
