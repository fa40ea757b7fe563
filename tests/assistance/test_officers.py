"""Officers on both stores: a work team formed in a village; cadres paired with helped
households up to the limit; visits logged and refused (future, not theirs, no place) or
flagged (far from the village, too fast after the visit before); the indicators and who
is behind schedule, with the reason; calls-in and recalls recorded, a recall ending the
cadre's pairs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape
from tests.funded import PASSWORD, Province

from povertycloud.access.accounts import create_user, user_named
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.kpis import behind_schedule, officer_kpis, team_kpis
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.assistance.officers import (
    OfficerError,
    act,
    actions,
    form_team,
    households_of,
    pair,
    unpair,
)
from povertycloud.assistance.plans import change, propose
from povertycloud.assistance.visits import log_visit
from povertycloud.errors import NotFound, ValidationFailed
from povertycloud.store import Store

DAY = dt.date(2026, 6, 1)
RULES = load_officer_rules()


def _helped(store: Store, village: str, n: int) -> list[int]:
    found = [int(h) for h in store.column(
        "SELECT household_id FROM households WHERE village_code = ? AND registration_status "
        "IN ('registered_poor', 'monitored') ORDER BY 1 LIMIT ?", [village, n])]
    assert len(found) == n, f"village {village} has {len(found)} helped households"
    return found


def _busy_village(store: Store, county: str) -> str:
    return str(store.value(
        "SELECT village_code FROM households WHERE starts_with(village_code, ?) AND "
        "registration_status IN ('registered_poor', 'monitored') GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 1", [county[:6]]))


def _inside(store: Store, village: str) -> tuple[float, float]:
    """A point inside the village: (lat, lon)."""
    point = shape(json.loads(str(store.value("SELECT boundary FROM regions WHERE code = ?",
                                             [village])))).representative_point()
    return point.y, point.x


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def cadres(funds_db: Path | str, funds_province: Province) -> tuple[Path | str, str]:
    with Store(funds_db) as store:
        village = _busy_village(store, funds_province.county)
        for name in ("cadre_a", "cadre_b", "cadre_c"):
            create_user(store, name, PASSWORD, "field_officer", village)
    return funds_db, village


def test_a_cadre_helps_at_most_the_limit_and_one_cadre_a_household(
        cadres: tuple[Path | str, str], funds_province: Province) -> None:
    db, village = cadres
    with Store(db) as store:
        county = user_named(store, "county_officer")
        households = _helped(store, village, RULES.max_households + 1)
        assert pair(store, RULES, "cadre_a", households[:3], DAY, county) == 3
        with pytest.raises(OfficerError, match=f"would be {RULES.max_households + 1}"):
            pair(store, RULES, "cadre_a", households[3:], DAY, county)
        with pytest.raises(OfficerError, match="is helped by cadre_a already"):
            pair(store, RULES, "cadre_b", households[:1], DAY, county)
        with pytest.raises(OfficerError, match="cannot work in village"):
            pair(store, RULES, "other_county_officer", households[3:4], DAY, county)
        not_helped = store.value("SELECT min(household_id) FROM households WHERE "
                                 "village_code = ? AND registration_status = "
                                 "'not_registered'", [village])
        if not_helped is not None:
            with pytest.raises(OfficerError, match="is not_registered"):
                pair(store, RULES, "cadre_b", [int(not_helped)], DAY, county)
        unpair(store, "cadre_a", households[0], DAY + dt.timedelta(days=10), county)
        assert [h["household_id"] for h in households_of(
            store, "cadre_a", DAY + dt.timedelta(days=10))] == sorted(households[1:3])
        with pytest.raises(NotFound, match="is not paired"):
            unpair(store, "cadre_a", households[5], DAY, county)
        team = form_team(store, village, "省财政厅驻村工作队", "省财政厅", "cadre_a",
                         ["cadre_b"], DAY, county)
        assert team == 1
        with pytest.raises(OfficerError, match="not a member as well"):
            form_team(store, village, "x", "y", "cadre_a", ["cadre_a"], DAY, county)


def test_visits_are_refused_or_flagged_with_the_reason(cadres: tuple[Path | str, str]
                                                       ) -> None:
    db, village = cadres
    with Store(db) as store:
        county = user_named(store, "county_officer")
        mine, theirs = _helped(store, village, 3)[:2], _helped(store, village, 3)[2]
        pair(store, RULES, "cadre_a", mine, DAY, county)
        cadre = user_named(store, "cadre_a")
        lat, lon = _inside(store, village)
        done = log_visit(store, RULES, cadre, mine[0], _at(9), lat, lon, "checked the pigs",
                         "vet on Friday")
        assert (done.visits, done.far_away, done.too_fast) == (1, 0, 0)
        # a minute later, another household: too fast
        fast = log_visit(store, RULES, cadre, mine[1], _at(9, 3), lat, lon, "talked")
        assert fast.too_fast == 1
        # far away: a degree north is ~110 km
        far = log_visit(store, RULES, cadre, mine[1], _at(15), lat + 1, lon, "talked")
        assert far.far_away == 1
        flags = {r["flag"]: r["flag_reason"] for r in store.records(
            "SELECT flag, flag_reason FROM visits WHERE flag IS NOT NULL")}
        assert "min after a visit of another household" in flags["too_fast"]
        assert f"km outside village {village}" in flags["far_away"]
        assert 100 < float(str(store.value("SELECT max(km_outside) FROM visits"))) < 115
        refused = {
            "not theirs": (theirs, _at(16), lat, lon, "x", "cadre_a does not help household"),
            "the future": (mine[0], dt.datetime.now() + dt.timedelta(days=2), lat, lon, "x",
                           "the visit is in the future"),
            "no place": (mine[0], _at(17), None, None, "x", "no position"),
            "nothing done": (mine[0], _at(18), lat, lon, " ", "what was done is missing"),
        }
        for household, when, la, lo, what, message in refused.values():
            with pytest.raises(ValidationFailed, match=message):
                log_visit(store, RULES, cadre, household, when, la, lo, what)
        assert store.scalar("SELECT count(*) FROM visits") == 3
        assert shapely.__version__  # the flags were computed with shapely


def test_the_indicators_say_who_is_behind_schedule_and_why(
        cadres: tuple[Path | str, str], funds_province: Province) -> None:
    db, village = cadres
    with Store(db) as store:
        county = user_named(store, "county_officer")
        propose(store, load_catalogue(), 2026, dt.date(2026, 3, 1), village)
        a_households, b_households = _helped(store, village, 4)[:2], _helped(store,
                                                                             village, 4)[2:]
        pair(store, RULES, "cadre_a", a_households, DAY, county)
        pair(store, RULES, "cadre_b", b_households, DAY, county)
        form_team(store, village, "驻村工作队", "县财政局", "cadre_a", ["cadre_b"], DAY, county)
        lat, lon = _inside(store, village)
        for k, h in enumerate(a_households):  # cadre_a visits both, cadre_b one of two
            log_visit(store, RULES, user_named(store, "cadre_a"), h, _at(9 + 2 * k), lat, lon,
                      "visited")
        log_visit(store, RULES, user_named(store, "cadre_b"), b_households[0], _at(10), lat,
                  lon, "visited")
        items = store.column("SELECT item_id FROM plan_items WHERE household_id = ? ORDER "
                             "BY item_id", [b_households[0]])
        for item in items:  # cadre_b's items, none delivered
            change(store, int(item), county, officer="cadre_b")
        as_of = dt.date(2027, 1, 15)
        found = {r["username"]: r for r in officer_kpis(store, RULES, village, DAY)}
        assert found["cadre_a"]["visits_on_schedule"] == 1.0
        assert found["cadre_b"]["visits_on_schedule"] == 0.5
        assert "households visited in 30 days 50.0% < 90%" in found["cadre_b"]["behind"]
        later = {r["username"]: r for r in behind_schedule(store, RULES, village, as_of)}
        assert set(later) >= {"cadre_a", "cadre_b"}  # no visit for 7 months
        assert any(reason.startswith("plan items delivered on time 0.0%")
                   for reason in later["cadre_b"]["behind"])
        [team] = team_kpis(store, RULES, village, DAY)
        assert (team["first_secretary"], team["members"], team["households"]) == (
            "cadre_a", 2, 4)
        assert team["visits_on_schedule"] == 0.75


def test_a_recall_ends_the_pairs_and_is_recorded(cadres: tuple[Path | str, str]) -> None:
    db, village = cadres
    with Store(db) as store:
        county = user_named(store, "county_officer")
        households = _helped(store, village, 2)
        pair(store, RULES, "cadre_c", households, DAY, county)
        form_team(store, village, "驻村工作队", "县农业农村局", "cadre_c", [], DAY, county)
        act(store, "cadre_c", "call_in", "visits behind schedule", county, DAY)
        act(store, "cadre_c", "recall", "behind schedule after the call-in", county,
            DAY + dt.timedelta(days=30))
        assert households_of(store, "cadre_c", DAY + dt.timedelta(days=31)) == []
        assert len(households_of(store, "cadre_c", DAY + dt.timedelta(days=29))) == 2
        assert [a["kind"] for a in actions(store, village[:6])] == ["recall", "call_in"]
        with pytest.raises(OfficerError, match="needs its reason"):
            act(store, "cadre_c", "warning", " ", county)
        with pytest.raises(OfficerError, match="may not act on officers"):
            act(store, "cadre_c", "warning", "late", user_named(store, "other_county_officer"))
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = "
                            "'act_on_officer' AND detail LIKE 'recall:%'") == 1
