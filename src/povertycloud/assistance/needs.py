"""Help from society (社会扶贫): needs of households and villages published on the portal
(a wheelchair, tuition, seedlings, a job) without ID numbers, phones, bank accounts or
health details; companies, NGOs and individuals registered as helpers pledge against them;
the village confirms each delivery with its evidence. A need met twice, and a pledge never
delivered, are flagged."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..standard.regions import level_of
from ..store import Store
from .plans import QUERIES, stamp, villages_of

KINDS = ("equipment", "tuition", "seedlings", "livestock", "job", "housing", "other")
HELPERS = ("company", "ngo", "individual")
UNDELIVERED_DAYS = 60  # a pledge not delivered this long after it was made is flagged
# what a public text must not hold: an ID number, a phone, a bank account (long digits),
# or words of illness and disability (the need says what, never why in health terms)
_PRIVATE = (
    (re.compile(r"(?<!\d)[1-9]\d{16}[\dXx](?!\d)"), "an ID number"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "a phone number"),
    (re.compile(r"\d{12,}"), "a long number (a bank account?)"),
    (re.compile(r"病|癌|瘤|残疾|瘫|透析|艾滋|HIV|精神|抑郁|肝炎|结核|尿毒|白血|手术|住院|"
                r"化疗|智障|失明|聋哑|illness|disease|cancer|disab|HIV|surgery",
                re.IGNORECASE), "health details"),
)


class NeedError(PovertyCloudError):
    """A need, helper, pledge or confirmation refused, with the reason."""



def private_in(text: str) -> str | None:
    """What ``text`` holds that may not be published (None: nothing)."""
    for pattern, what in _PRIVATE:
        if pattern.search(text):
            return what
    return None


def publish(store: Store, village: str, kind: str, title: str, description: str,
            value_fen: int, by: User, household: int | None = None) -> int:
    """Publish a need of a village (or of one of its households); returns its id."""
    if level_of(village) != "village":
        raise NeedError(f"{village} is not a village's code")
    if not by.may("plans") or not by.covers(village):
        raise NeedError(f"{by.username} ({by.role}, {by.region_code}) may not publish needs "
                        f"of {village}")
    if kind not in KINDS:
        raise NeedError(f"the kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not title.strip() or not description.strip() or value_fen <= 0:
        raise NeedError("a need has a title, a description and a value above zero")
    for what, text in (("title", title), ("description", description)):
        found = private_in(text)
        if found:
            raise NeedError(f"the {what} holds {found}: a published need says what is needed, "
                            "never who in ID, phone, account or health terms")
    if household is not None and villages_of(store, [household]).get(household) != village:
        raise NeedError(f"household {household} is not of village {village}")
    with store.transaction():
        need = store.draw("need_ids", 1) + 1
        store.execute(QUERIES["insert_need"], [need, village, household, kind, title.strip(),
                                                description.strip(), value_fen, by.username,
                                                stamp()])
        record(store, by, "publish_need", "need", str(need), village, title)
    return need


def register_helper(store: Store, kind: str, name: str, contact: str) -> int:
    """Register a company, NGO or individual who offers help; returns its id."""
    if kind not in HELPERS:
        raise NeedError(f"a helper is one of {', '.join(HELPERS)}, not {kind!r}")
    if not name.strip() or not contact.strip():
        raise NeedError("a helper gives a name and a contact")
    with store.transaction():
        helper = store.draw("helper_ids", 1) + 1
        store.execute(QUERIES["insert_helper"], [helper, kind, name.strip(), contact.strip(),
                                                  stamp()])
    return helper


def pledge(store: Store, need_id: int, helper_id: int, value_fen: int, what: str,
           now: dt.datetime | None = None) -> int:
    """A helper's pledge against an open need; returns its id."""
    need = store.record(QUERIES["need"], [need_id])
    if need is None or need["status"] in ("met", "withdrawn"):
        raise NotFound(f"no open need {need_id}")
    if store.value(QUERIES["helper"], [helper_id]) is None:
        raise NotFound(f"no helper {helper_id}: register first")
    if value_fen <= 0 or not what.strip():
        raise NeedError("a pledge says what it gives and its value, above zero")
    with store.transaction():
        pledge_id = store.draw("pledge_ids", 1) + 1
        store.execute(QUERIES["insert_pledge"], [pledge_id, need_id, helper_id, value_fen,
                                                  what.strip(), now or stamp()])
        store.execute(QUERIES["need_pledged"], [need_id])
    return pledge_id


def confirm(store: Store, pledge_id: int, by: User, on: dt.date,
            evidence: str | None = None) -> None:
    """The village confirms a pledge delivered on ``on``, with its evidence (a photo's
    SHA-256 or a note); the need is met once what was delivered covers its value."""
    found = store.record(QUERIES["pledge"], [pledge_id])
    if found is None or not by.covers(found["village_code"]) or not by.may("plans"):
        raise NotFound(f"no pledge {pledge_id} in the jurisdiction of {by.username}")
    if found["status"] != "pledged":
        raise NeedError(f"pledge {pledge_id} is {found['status']} already")
    if not (evidence or "").strip():
        raise NeedError("a delivery is confirmed with its evidence: a photo or a note")
    with store.transaction():
        store.execute(QUERIES["pledge_delivered"], [on, by.username, stamp(), evidence,
                                                     pledge_id])
        store.execute(QUERIES["need_met"], [found["need_id"], found["need_id"]])
        record(store, by, "confirm_pledge", "pledge", str(pledge_id), found["village_code"],
               f"need {found['need_id']} on {on}")


def board(store: Store, prefix: str = "", status: str | None = "open"
          ) -> list[dict[str, Any]]:
    """The needs under ``prefix`` as the public sees them: village, kind, title,
    description, value and what is pledged; no household."""
    return store.records(QUERIES["needs_board"], [prefix, status])


def household_help(store: Store, household: int) -> list[dict[str, Any]]:
    """The help a household received from society: each delivered pledge, for its file."""
    return store.records(QUERIES["household_help"], [household])


def need_flags(store: Store, prefix: str, as_of: dt.date,
               days: int = UNDELIVERED_DAYS) -> list[dict[str, Any]]:
    """Under ``prefix``: needs met twice (delivered pledges worth more than the need, from
    more than one helper) and pledges not delivered ``days`` after they were made."""
    return store.records(QUERIES["need_flags"], [prefix, as_of, days])
