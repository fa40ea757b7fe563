"""The sample design and the draw: sizes from the margins, strata merged and shared,
villages drawn with probability proportional to size, households within, the same seed
drawing the same sample, and a frame that changed refused."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pyarrow as pa
import pytest
from tests.conftest import store_state
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assessment.design import (
    DesignError,
    design_of,
    make_design,
    merged,
    needed,
    strata_villages,
)
from povertycloud.assessment.draw import draw_sample, sample
from povertycloud.assessment.frame import Frame, frame_of
from povertycloud.assessment.rules import load_assessment_rules
from povertycloud.rulefiles import RuleFileError
from povertycloud.store import Store

RULES = load_assessment_rules()
AS_OF = dt.date(2021, 3, 1)


def test_the_sizes_follow_the_margins_with_the_design_effect() -> None:
    counts = {"registered": 10**6, "exited": 10**6, "not_registered": 10**6}
    sizes = needed(RULES, counts)
    z = 1.959964
    for rate in RULES.rates:
        if rate.group == "all":
            continue
        n0 = RULES.design_effect * z * z * rate.anticipated * (1 - rate.anticipated) \
            / rate.margin ** 2
        assert sizes[rate.group] == math.ceil(n0 / (1 + (n0 - 1) / 10**6))
    # a small group: the finite-population correction keeps it under what it has
    small = needed(RULES, {"registered": 30, "exited": 10**6, "not_registered": 10**6})
    assert 25 <= small["registered"] < 30


def _frame(strata: dict[str, int]) -> Frame:
    villages = [{"village_code": f"52012110{k:04d}", "stratum": s, "households": 100 + k}
                for k, s in enumerate(s for s, n in strata.items() for _ in range(n))]
    return Frame("520121000000", AS_OF, 2020, pa.Table.from_pylist(villages),
                 pa.table({"household_id": [1], "village_code": ["x"], "grp": ["exited"],
                           "members": [1]}))


def test_strata_too_small_are_merged_and_each_draws_two_villages() -> None:
    frame = _frame({"poor/mountain": 30, "poor/hill": 1, "other/plain": 12,
                    "other/hill": 1, "other/plateau": 1})
    drawn = strata_villages(RULES, frame)
    assert set(drawn) == {"poor/mountain+poor/hill", "other/plain",
                          "other/plateau+other/hill"}
    assert sum(drawn.values()) == RULES.villages and min(drawn.values()) >= 2
    # the last of a kind joins another kind
    rows = _frame({"poor/mountain": 1, "other/plain": 5}).villages.to_pylist()
    assert set(merged(rows, 2)) == {"other/plain+poor/mountain"}


def test_a_county_is_designed_and_drawn_reproducibly(funds_db: Path | str,
                                                     funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        officer = user_named(store, "province_officer")
        frame = frame_of(store, p.county, AS_OF)
        counts = frame.counts()
        assert sum(counts.values()) == frame.households.num_rows > 0
        first = make_design(store, RULES, p.county, AS_OF, 5, officer)
        design = design_of(store, first)
        assert design["frame_version"] == frame.version and design["status"] == "designed"
        drawn = draw_sample(store, first, ["a1", "a2"], officer)
        villages = store.records("SELECT * FROM assessment_villages WHERE assessment_id = ?",
                                 [first])
        assert sum(1 for v in villages if v["assessor"] == "a1") == math.ceil(len(villages) / 2)
        homes = store.records("SELECT * FROM assessment_households WHERE assessment_id = ?",
                              [first])
        assert len(homes) == drawn
        sizes = design["sizes"]
        by_village = {v["village_code"]: v for v in villages}
        in_frame = {}
        for h in frame.households.to_pylist():
            key = (h["village_code"], h["grp"])
            in_frame[key] = in_frame.get(key, 0) + 1
        for h in homes:  # drawn village x within: m of M in its group
            taken = sum(1 for o in homes if (o["village_code"], o["grp"])
                        == (h["village_code"], h["grp"]))
            whole = in_frame[(h["village_code"], h["grp"])]
            assert taken == min(whole, sizes.per_village[h["grp"]])
            assert h["probability"] == pytest.approx(
                by_village[h["village_code"]]["probability"] * taken / whole)
        # the same seed on the same frame draws the same sample
        again = make_design(store, RULES, p.county, AS_OF, 5, officer)
        draw_sample(store, again, ["a1", "a2"], officer)
        ids = "SELECT household_id FROM assessment_households WHERE assessment_id = ? ORDER BY 1"
        assert store.column(ids, [again]) == store.column(ids, [first])
        other = make_design(store, RULES, p.county, AS_OF, 6, officer)
        draw_sample(store, other, ["a1"], officer)
        assert store.column(ids, [other]) != store.column(ids, [first])
        with pytest.raises(DesignError, match="drawn once"):
            draw_sample(store, first, ["a1"], officer)


def test_a_frame_that_changed_since_the_design_is_refused(funds_db: Path | str,
                                                          funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        officer = user_named(store, "province_officer")
        assessment = make_design(store, RULES, p.county, AS_OF, 1, officer)
        household = store.value("SELECT min(household_id) FROM households WHERE "
                                "starts_with(village_code, ?) AND registration_status = "
                                "'not_registered'", [p.county[:6]])
        store.execute("INSERT INTO status_changes (household_id, effective_date, status, "
                      "reason, batch_id, recorded_at) VALUES (?, ?, 'registered_poor', "
                      "'late entry', 0, current_timestamp)",
                      [household, AS_OF - dt.timedelta(days=1)])
    before = store_state(funds_db) if isinstance(funds_db, Path) else None
    with Store(funds_db) as store, pytest.raises(DesignError, match="changed since"):
        draw_sample(store, assessment, ["a1"], officer)
    if before is not None:
        assert store_state(funds_db) == before


def test_only_officers_of_the_county_design_it(funds_db: Path | str,
                                               funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        for who, why in (("other_county_officer", "may not design"),
                         ("auditor", "may not design")):
            with pytest.raises(DesignError, match=why):
                make_design(store, RULES, p.county, AS_OF, 1, user_named(store, who))
        with pytest.raises(DesignError, match="not a county"):
            make_design(store, RULES, p.village, AS_OF, 1, user_named(store, "province_officer"))


def test_the_sample_alone_is_a_pure_function_of_frame_and_seed(
        funds_db: Path | str, funds_province: Province) -> None:
    with Store(funds_db) as store:
        frame = frame_of(store, funds_province.county, AS_OF)
    from povertycloud.assessment.design import plan_sizes

    sizes = plan_sizes(RULES, frame)
    one, two = sample(frame, sizes, 9, ["x"]), sample(frame, sizes, 9, ["x"])
    assert one[1].equals(two[1]) and one[0].equals(two[0])


@pytest.mark.parametrize(("change", "message"), [
    ("confidence: 0.95", "confidence: 1.5"),
    ("sampled: 20", "sampled: 1"),
    ("wrong_exit: {group: exited", "wrong_exit: {group: exit"),
    ("interval: korn-graubard", "interval: wald"),
    ("design_effect: 2.0", "design_effect: 2.0\nbogus: 1"),
])
def test_a_wrong_rule_file_is_refused_naming_its_line(tmp_path: Path, change: str,
                                                      message: str) -> None:
    from povertycloud.rulefiles import shipped

    text = shipped("assessment.yaml").read_text(encoding="utf-8")
    assert change in text
    path = tmp_path / "assessment.yaml"
    path.write_text(text.replace(change, message), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"assessment.yaml, line \d+"):
        load_assessment_rules(path)
