"""One household, one file: members, the latest survey, the identification with its score
breakdown, causes and measures, the status history and the events. Sensitive values are
masked unless the reader asked to see them and may, and with them whatever tells of a
member's health or disability (access/privacy.py), alike for every household; the caller
audits the reading."""

from __future__ import annotations

from typing import Any

from ..access.privacy import (
    HEALTH_EVENTS,
    HEALTH_IDENTIFICATION,
    HEALTH_SURVEY_FIELDS,
    HIDDEN,
    mask_id_number,
    mask_phone,
    reveals_health,
)
from ..dynamic.timeline import timeline
from ..errors import NotFound
from ..identification.guarantees import detail_parts
from ..identification.scorecard import Scorecard
from ..intake.exports import workbook
from ..standard.tables import TABLES
from ..store import Store

SENSITIVE_PEOPLE = tuple(f.name for f in TABLES["people"].fields if f.sensitive)


def village_of(store: Store, household_id: int) -> str:
    found = store.value("SELECT village_code FROM households WHERE household_id = ?",
                        [household_id])
    if found is None:
        raise NotFound(f"no household {household_id}")
    return str(found)


def household_file(store: Store, household_id: int, card: Scorecard,
                   unmasked: bool = False) -> dict[str, Any]:
    """Everything the platform knows of one household, sensitive values masked unless
    ``unmasked``."""
    household = store.record(
        "SELECT h.*, g.name AS village_name FROM households h JOIN regions g "
        "ON g.code = h.village_code WHERE household_id = ?", [household_id])
    if household is None:
        raise NotFound(f"no household {household_id}")
    members = store.records(
        "SELECT * EXCLUDE (batch_id, recorded_at) FROM people WHERE household_id = ? "
        "ORDER BY relation <> 'head', birth_date", [household_id])
    if not unmasked:
        household["phone"] = mask_phone(household["phone"])
        household["address"] = HIDDEN if household["address"] else household["address"]
        for m in members:
            m["id_number"] = mask_id_number(m["id_number"])
            for name in SENSITIVE_PEOPLE:
                if name != "id_number":
                    m[name] = HIDDEN
    surveys = store.records(
        "SELECT * EXCLUDE (batch_id, recorded_at) FROM household_years "
        "WHERE household_id = ? ORDER BY year DESC", [household_id])
    identification = _identification(store, household_id, card, unmasked)
    history = store.records(
        "SELECT effective_date, status, reason FROM status_changes WHERE household_id = ? "
        "ORDER BY effective_date", [household_id])
    events = store.records(
        "SELECT event_date, kind, person_id, amount_yuan FROM events WHERE household_id = ? "
        "ORDER BY event_date", [household_id])
    if not unmasked:
        events = [e for e in events if e["kind"] not in HEALTH_EVENTS]
        for survey in surveys:
            survey.update(dict.fromkeys(HEALTH_SURVEY_FIELDS, HIDDEN))
    household.pop("batch_id", None)
    household.pop("recorded_at", None)
    return {"household": household, "members": members, "surveys": surveys,
            "identification": identification, "history": history, "events": events,
            "timeline": timeline(store, household_id, unmasked), "unmasked": unmasked}


def _identification(store: Store, household_id: int, card: Scorecard, unmasked: bool
                    ) -> dict[str, Any] | None:
    """The latest identification with its breakdown; unless ``unmasked``, the points of
    the indicators over health or disability, of their sets, the total, the causes and
    the measures are hidden."""
    if not store.has_table("identification"):
        return None
    result = store.record("SELECT * FROM identification WHERE household_id = ? "
                          "ORDER BY year DESC LIMIT 1", [household_id])
    if result is None:
        return None
    health = set() if unmasked else {
        i.id for i in card.indicators if any(reveals_health(lv.when) for lv in i.levels)}
    sets = []
    for set_id, label in card.sets:
        indicators = [{"id": i.id, "label": i.label, "max": i.max,
                       "points": HIDDEN if i.id in health else result.get(i.column)}
                      for i in card.indicators_of(set_id)]
        hidden = any(i["points"] == HIDDEN for i in indicators)
        sets.append({"id": set_id, "label": label,
                     "points": HIDDEN if hidden else result.get(f"s_{set_id}"),
                     "max": sum(i.max for i in card.indicators_of(set_id)),
                     "indicators": indicators})
    core = {k: v for k, v in result.items() if not k.startswith(("i_", "s_"))}
    if not unmasked:
        core.update(dict.fromkeys(HEALTH_IDENTIFICATION, HIDDEN))
    return core | {"sets": sets, "guarantees": detail_parts(core.get("guarantees_detail"))}


def file_workbook(record: dict[str, Any]) -> bytes:
    """A household file (:func:`household_file`, masked as it was read) as an Excel
    workbook, one sheet per table: the household, its members, surveys, identification,
    status history, events and timeline."""
    tables = {key: value if isinstance(value, list) else [value] for key, value in
              record.items() if isinstance(value, list | dict)}
    return workbook(tables)
