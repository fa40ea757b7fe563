"""The multi-party evaluation of an exit: each party's score from the data, combined by
checked weights with the parts shown; other weights replayed on the same parts; weights
that do not sum to one refused naming the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.assessment.test_returns_and_rates import AS_OF, RULES, _drawn, _returns
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assessment.evaluation import (
    PARTIES,
    Weights,
    combine,
    evaluate,
    load_weights,
    party_scores,
)
from povertycloud.assessment.returns import import_returns
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store

DAY = dt.date(2021, 6, 1)


def _weights(**shares: float) -> Weights:
    base = load_weights()
    return Weights("replay", "1", base.effective, base.path, passing=80,
                   weights={p: shares.get(p, 0.0) for p in PARTIES})


def test_the_parts_are_combined_and_missing_parties_share_their_weight() -> None:
    scores = {p: {"score": s, "basis": 1, "source": "x", "note": ""}
              for p, s in zip(PARTIES, (90.0, 70.0, None, 100.0, 60.0), strict=True)}
    result = combine(scores, _weights(households=0.4, villagers=0.1, project_supervisors=0.2,
                                      third_party=0.2, departments=0.1))
    used = {p["party"]: p["weight_used"] for p in result["parts"]}
    assert used["project_supervisors"] == 0 and sum(used.values()) == pytest.approx(1)
    assert used["households"] == pytest.approx(0.5)
    assert result["score"] == pytest.approx(0.5 * 90 + 0.125 * 70 + 0.25 * 100 + 0.125 * 60)
    # a party with a weight and no data: a provisional score, neither passed nor failed
    assert result["passed"] is None and "incomplete" in result["note"]
    assert "project_supervisors" in result["note"]
    scores["project_supervisors"]["score"] = 50.0
    assert combine(scores, _weights(households=0.5, project_supervisors=0.5))["passed"] is False
    scores["project_supervisors"]["score"] = None
    assert combine(scores, _weights(households=1.0))["passed"] is True


def test_an_exit_is_evaluated_by_every_party_and_replayed(
        funds_db: Path | str, funds_province: Province, tmp_path: Path) -> None:
    p = funds_province
    with Store(funds_db) as store:
        assessment = _drawn(store, p)
        import_returns(store, RULES, assessment, _returns(store, assessment, tmp_path),
                       user_named(store, "third_party"))
        scores = party_scores(store, p.county, DAY, 2020)
        helped = store.record("""
SELECT sum(h.weight) FILTER (r.satisfied_policy <= 2 AND r.satisfied_help <= 2 AND
    coalesce(r.satisfied_exit, 1) <= 2 AND r.satisfied_cadres <= 2) / sum(h.weight) AS share
FROM assessment_returns r JOIN assessment_households h USING (assessment_id, household_id)
WHERE h.grp <> 'not_registered' AND r.assessment_id = ?""", [assessment])
        only_third = _weights(third_party=1.0)
        found = evaluate(store, p.county, DAY, 2020, [load_weights(), only_third])
        before = party_scores(store, p.county, AS_OF - dt.timedelta(days=1), 2020)
    assert helped is not None
    assert scores["households"]["score"] == pytest.approx(100 * helped["share"])
    assert 0 <= scores["villagers"]["score"] <= 100
    assert scores["third_party"]["basis"] == 4 and scores["departments"]["basis"] > 0
    # no project of the county was due (none entered): no data, said so
    assert scores["project_supervisors"]["score"] is None
    first, replay = found["results"]
    assert [p["score"] for p in first["parts"]] == [p["score"] for p in replay["parts"]]
    assert replay["score"] == pytest.approx(scores["third_party"]["score"])
    assert first["passed"] is None and replay["passed"] is not None  # no project was due
    assert first["weights"] != replay["weights"]
    # before the assessment's frame, the sampled parties have no data
    assert before["households"]["score"] is None and before["third_party"]["score"] is None


@pytest.mark.parametrize(("change", "message"), [
    ("households: 0.30", "households: 0.35"),  # sums to 1.05
    ("departments: 0.15", "departmnts: 0.15"),
    ("pass: 80", "pass: 180"),
])
def test_wrong_weights_are_refused_naming_the_line(tmp_path: Path, change: str,
                                                   message: str) -> None:
    text = shipped("exit_evaluation.yaml").read_text(encoding="utf-8")
    assert change in text
    path = tmp_path / "weights.yaml"
    path.write_text(text.replace(change, message), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"weights.yaml, line \d+"):
        load_weights(path)
    if "0.35" in message:
        with pytest.raises(RuleFileError, match=r"sum to 1\.05, not 1"):
            load_weights(path)
