"""Help plans on both stores: proposed from the recommended measures (each measure
offered, one of an exclusive group, once per household and year), changed by officers of
the jurisdiction only, forward only, every version kept and audited; households without a
plan and measures overdue flagged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.at_once import DONE, at_once
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assistance.catalogue import KINDS, load_catalogue
from povertycloud.assistance.plans import PlanError, add, change, flags, history, plan_of, propose
from povertycloud.errors import NotFound
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.standard.regions import prefix
from povertycloud.store import Store

STARTS = dt.date(2026, 3, 1)


def test_the_shipped_catalogue_has_a_measure_of_every_kind() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.for_households) >= 20 and catalogue.for_villages
    assert {m.kind for m in catalogue.measures} == set(KINDS)
    rain = catalogue["rain_plan"]
    assert (rain.cost_fen, rain.per, rain.entitlement) == (150_000, "students", True)


@pytest.mark.parametrize(("change", "message"), [
    ("programme: industry_award", "'programme': 'gold_rush' is not a fund programme"),
    ("recommends: industry_support", "'recommends': 'lottery' is not a recommended measure"),
    ("cost_yuan: 5000", "'cost_yuan': 12.5: an amount is written in yuan as text"),
    ('when: "labourers >= 1"', "'when': unknown field"),
    ("kind: industry", "'kind' must be one of industry"),
])
def test_a_wrong_catalogue_is_refused_naming_the_line(tmp_path: Path, change: str,
                                                      message: str) -> None:
    key = change.split(":")[0]
    wrong = {"programme": "programme: gold_rush", "recommends": "recommends: lottery",
             "cost_yuan": "cost_yuan: 12.5", "when": 'when: "labourers >= one"',
             "kind": "kind: charity"}[key]
    text = shipped("help_measures.yaml").read_text(encoding="utf-8")
    first = text.index("  - measure: livestock_breeding")
    at = text.index("    " + change, first)
    path = tmp_path / "help.yaml"
    path.write_text(text[:at] + "    " + wrong + text[at + 4 + len(change):], encoding="utf-8")
    with pytest.raises(RuleFileError) as refused:
        load_catalogue(path)
    assert f"{path}, line " in str(refused.value) and "livestock_breeding" in str(refused.value)
    assert message.split(":")[0] in str(refused.value)


def _helped(store: Store, prefix: str) -> int:
    return store.scalar("SELECT count(*) FROM households WHERE starts_with(village_code, ?) "
                        "AND registration_status IN ('registered_poor', 'monitored')", [prefix])


def test_plans_are_proposed_once_from_the_recommended_measures(
        funds_db: Path | str, funds_province: Province) -> None:
    p, catalogue = funds_province, load_catalogue()
    with Store(funds_db) as store:
        proposed = propose(store, catalogue, 2026, STARTS, p.county[:6])
        assert proposed.plans == _helped(store, p.county[:6]) > 0
        assert proposed.items > proposed.plans and proposed.year == 2020
        again = propose(store, catalogue, 2026, STARTS, p.county[:6])
        assert (again.plans, again.items) == (0, 0)
        # each item answers a measure recommended to its household, at most one per group
        wrong = store.scalar(
            "SELECT count(*) FROM plan_items t JOIN identification i ON i.household_id = "
            "t.household_id AND i.year = 2020 WHERE t.measure IN ('livestock_breeding', "
            "'cash_crops', 'cooperative_shares') AND NOT contains(i.measures, "
            "'industry_support')")
        assert wrong == 0
        groups = {m.id: m.exclusive for m in catalogue.measures if m.exclusive}
        per_group = store.rows("SELECT household_id, measure FROM plan_items")
        seen: set[tuple[int, str]] = set()
        for household, measure in per_group:
            if measure in groups:
                assert (household, groups[measure]) not in seen
                seen.add((household, groups[measure]))
        # the education subsidy costs 1,500 yuan per child at school
        rain = store.rows("SELECT t.cost_fen, count(*) FILTER (WHERE m.in_school) FROM "
                          "plan_items t JOIN people m USING (household_id) WHERE t.measure "
                          "= 'rain_plan' AND m.death_date IS NULL GROUP BY t.item_id, "
                          "t.cost_fen")
        assert rain and all(cost == 150_000 * students for cost, students in rain)
        assert store.scalar("SELECT count(*) FROM plan_item_history") == proposed.items
        due = store.value("SELECT due_date FROM plan_items WHERE measure = 'rain_plan' "
                          "LIMIT 1")
        assert due == STARTS + dt.timedelta(days=catalogue["rain_plan"].due_days)


def _an_item(store: Store, measure: str | None = None) -> dict[str, object]:
    where = f"WHERE measure = '{measure}'" if measure else ""
    found = store.record(f"SELECT * FROM plan_items {where} ORDER BY item_id LIMIT 1")
    assert found is not None
    return found


def test_an_item_moves_forward_only_and_every_version_is_kept(
        funds_db: Path | str, funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        propose(store, load_catalogue(), 2026, STARTS, p.county[:6])
        county, township = user_named(store, "county_officer"), user_named(store,
                                                                          "township_officer")
        item = _an_item(store)
        item_id = int(str(item["item_id"]))
        change(store, item_id, county, state="under_way", officer="county_officer")
        with pytest.raises(PlanError, match="nothing to change"):
            change(store, item_id, county, state="under_way")
        with pytest.raises(PlanError, match="it may become delivered, cancelled, not planned"):
            change(store, item_id, county, state="planned")
        change(store, item_id, county, state="delivered")
        with pytest.raises(PlanError, match="another officer verifies it"):
            change(store, item_id, county, state="verified")
        if township.covers(str(item["village_code"])):
            done = change(store, item_id, township, state="verified")
        else:
            done = change(store, item_id, user_named(store, "province_officer"),
                          state="verified")
        assert done["state"] == "verified" and done["version"] == 4
        with pytest.raises(PlanError, match="no longer changes"):
            change(store, item_id, county, note="late")
        versions = history(store, item_id)
        assert [v["state"] for v in versions] == ["planned", "under_way", "delivered",
                                                  "verified"]
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = "
                            "'change_plan_item' AND object_id = ?", [str(item_id)]) == 3
        other = user_named(store, "other_county_officer")
        with pytest.raises(NotFound, match="no plan item"):
            change(store, int(str(_an_item(store, "rain_plan")["item_id"])), other,
                   state="under_way")
        with pytest.raises(PlanError, match="needs a note"):
            change(store, int(str(_an_item(store, "rain_plan")["item_id"])), county,
                   state="cancelled")
        with pytest.raises(PlanError, match="cannot be responsible"):
            change(store, int(str(_an_item(store, "rain_plan")["item_id"])), county,
                   officer="other_county_officer")
        with pytest.raises(PlanError, match="cannot change household_id"):
            change(store, item_id, county, household_id=1)


def test_a_measure_is_added_only_where_it_is_offered(funds_db: Path | str,
                                                     funds_province: Province) -> None:
    p, catalogue = funds_province, load_catalogue()
    with Store(funds_db) as store:
        propose(store, catalogue, 2026, STARTS, p.county[:6])
        county = user_named(store, "county_officer")
        no_students = store.value(
            "SELECT household_id FROM help_plans h WHERE NOT EXISTS (SELECT 1 FROM people m "
            "WHERE m.household_id = h.household_id AND m.in_school) ORDER BY 1 LIMIT 1")
        with pytest.raises(PlanError, match="is not eligible for rain_plan"):
            add(store, catalogue, int(no_students), 2026, "rain_plan", county)
        job = store.record("SELECT household_id, measure FROM plan_items WHERE measure IN "
                           "('labour_transfer', 'poverty_workshop', 'public_welfare_job') "
                           "ORDER BY item_id LIMIT 1")
        assert job is not None
        other = "public_welfare_job" if job["measure"] != "public_welfare_job" else \
            "labour_transfer"
        with pytest.raises(PlanError, match="gets at most one of"):
            add(store, catalogue, int(job["household_id"]), 2026, other, county)
        skills = store.value(
            "SELECT household_id FROM plan_items WHERE measure IN ('labour_transfer', "
            "'poverty_workshop', 'public_welfare_job') AND household_id NOT IN (SELECT "
            "household_id FROM plan_items WHERE measure = 'skills_training') LIMIT 1")
        if skills is not None:
            item = add(store, catalogue, int(skills), 2026, "skills_training", county,
                       note="asked at the visit")
            assert plan_of(store, int(skills), 2026)["items"]  # type: ignore[index]
            assert [v["version"] for v in history(store, item)] == [1]
        with pytest.raises(NotFound, match="no plan of 2027"):
            add(store, catalogue, int(no_students), 2027, "motivation", county)


def test_households_without_a_plan_and_overdue_measures_are_flagged(
        funds_db: Path | str, funds_province: Province) -> None:
    p, catalogue = funds_province, load_catalogue()
    with Store(funds_db) as store:
        propose(store, catalogue, 2026, STARTS, p.village)
        found = flags(store, prefix(p.township), 2026, STARTS)
        missing = {f["household_id"] for f in found if f["flag"] == "no_plan"}
        assert len(missing) == _helped(store, prefix(p.township)) - _helped(store, p.village)
        assert missing
        assert not [f for f in found if f["flag"] == "overdue"]
        later = flags(store, p.village, 2026, dt.date(2027, 6, 1))
        overdue = [f for f in later if f["flag"] == "overdue"]
        assert len(overdue) == store.scalar("SELECT count(*) FROM plan_items WHERE "
                                            "starts_with(village_code, ?)", [p.village])
        item = int(overdue[0]["item_id"])
        change(store, item, user_named(store, "village_officer"), state="delivered")
        assert item not in {f["item_id"] for f in flags(store, p.village, 2026,
                                                         dt.date(2027, 6, 1))}


def test_of_two_officers_changing_one_version_only_one_succeeds(
        funds_db: Path | str, funds_province: Province) -> None:
    with Store(funds_db) as store:
        propose(store, load_catalogue(), 2026, STARTS, funds_province.county[:6])
        item = int(str(_an_item(store)["item_id"]))
        county = user_named(store, "county_officer")
        results = at_once(store, lambda cursor, note: change(  # both saw version 1
            cursor, item, county, version=1, note=note), ("a", "b"), PlanError)
        assert results.count(DONE) == 1, results
        assert "was changed by another officer" in "".join(results)
        assert [v["version"] for v in history(store, item)] == [1, 2]


def test_a_field_officer_keeps_only_the_plans_of_the_households_they_help(
        funds_db: Path | str, funds_province: Province) -> None:
    from povertycloud.assistance.officer_rules import load_officer_rules
    from povertycloud.assistance.officers import pair

    p = funds_province
    with Store(funds_db) as store:
        propose(store, load_catalogue(), 2026, STARTS, p.village)
        mine, other = store.rows("SELECT item_id, household_id FROM plan_items WHERE "
                                 "village_code = ? ORDER BY household_id, item_id",
                                 [p.village])[0], store.rows(
            "SELECT item_id, household_id FROM plan_items WHERE village_code = ? ORDER BY "
            "household_id DESC, item_id", [p.village])[0]
        assert mine[1] != other[1]
        pair(store, load_officer_rules(), "field_officer", [int(mine[1])],
             dt.date.today() - dt.timedelta(days=1), user_named(store, "village_officer"))
        field = user_named(store, "field_officer")
        assert change(store, int(mine[0]), field, state="under_way")["state"] == "under_way"
        with pytest.raises(NotFound, match="no plan item"):
            change(store, int(other[0]), field, state="under_way")
