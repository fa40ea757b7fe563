"""Learned causes in `identify`: a model trained on the verified households decides the
causes where it beat the rules out of sample, and beats them on the households nobody
verified; its file is checked (an edit, another standard, other cause rules, too few
verified households: refused with the reason); scoring gives the same on both engines."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests import postgres
from tests.funded import Trained
from tests.identification.conftest import ProfileTable

from povertycloud.access.accounts import user_named
from povertycloud.engines import BatchMap, get_engine
from povertycloud.errors import PovertyCloudError
from povertycloud.identification.active import next_to_verify
from povertycloud.identification.cause_model import (
    MIN_VERIFIED,
    CauseModelError,
    digest,
    load_cause_model,
)
from povertycloud.identification.cause_training import train_causes
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.identification.stability import changes
from povertycloud.intake.verifications import import_verifications
from povertycloud.rulefiles import shipped
from povertycloud.store import Store
from povertycloud.synth.verifications import write_verifications

CLI = str(Path(sys.executable).parent / "povertycloud")
YEAR = 2014


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)


def _accuracy(store: Store, verified: frozenset[int]) -> float:
    """The share of the truly poor nobody verified whose primary cause identify found."""
    rows = store.rows("SELECT i.household_id, i.primary_cause = t.primary_cause FROM "
                      "identification i JOIN truth_household_years t USING (household_id, "
                      "year) WHERE i.year = ? AND t.true_poor AND i.primary_cause IS NOT "
                      "NULL", [YEAR])
    unseen = [bool(hit) for household, hit in rows if household not in verified]
    assert len(unseen) > 100
    return sum(unseen) / len(unseen)


@dataclass(frozen=True)
class Identified:
    db: Path
    by_rules: float  # the rules' accuracy on the truly poor nobody verified
    learned: float  # with the model


@pytest.fixture(scope="module")
def identified(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Identified:
    db = tmp_path_factory.mktemp("identified") / "identified.duckdb"
    shutil.copy(trained.db, db)
    with Store(db) as store:
        identify(store, load_rules(), YEAR)
        by_rules = _accuracy(store, trained.verified)
        with pytest.raises(PovertyCloudError, match="came from a model"):
            next_to_verify(store, YEAR, 2)
        identify(store, load_rules(), YEAR, model=load_cause_model(trained.model))
        return Identified(db, by_rules, _accuracy(store, trained.verified))


def test_the_model_beats_the_rules_where_nobody_verified(trained: Trained,
                                                         identified: Identified) -> None:
    model = load_cause_model(trained.model)
    with Store(identified.db, read_only=True) as store:
        sources: dict[str, int] = dict(store.rows(
            "SELECT cause_source, count(*) FROM identification WHERE year = ? AND "
            "proposal <> 'not_poor' GROUP BY 1", [YEAR]))
        odd = store.scalar("SELECT count(*) FROM identification WHERE cause_source = 'model' "
                           "AND NOT (cause_confidence BETWEEN 0 AND 1 AND cause_reasons <> '' "
                           "AND list_contains(string_split(causes, ';'), primary_cause))")
        recorded = json.loads(store.value("SELECT rules FROM identification_runs "
                                          "ORDER BY run_id DESC LIMIT 1"))
    assert model.decides_primary and identified.learned > identified.by_rules + 0.05, \
        identified
    assert sources.get("model", 0) > 100 and odd == 0
    assert recorded["cause_model"].startswith(model.label)
    assert model.content["trained"]["fingerprint"][:12] in recorded["cause_model"]


def test_the_least_certain_are_verified_next(trained: Trained, identified: Identified
                                            ) -> None:
    with Store(identified.db, read_only=True) as store:
        listed = next_to_verify(store, YEAR, 2).to_pylist()
        learned = [(v, h, c) for v, h, c in store.rows(
            "SELECT village_code, household_id, round(cause_confidence, 3) FROM "
            "identification WHERE year = ? AND cause_source = 'model'", [YEAR])
            if h not in trained.verified]
    chosen = {r["household_id"] for r in listed}
    assert listed and not chosen & trained.verified
    for village in {v for v, _, _ in learned}:
        rows = [r for r in listed if r["village_code"] == village]
        left = [c for v, h, c in learned if v == village and h not in chosen]
        assert [r["rank"] for r in rows] == list(range(1, min(2, len(rows) + len(left)) + 1))
        assert [r["confidence"] for r in rows] == sorted(r["confidence"] for r in rows)
        assert not left or rows[-1]["confidence"] <= min(left)


def test_the_model_records_what_it_learnt_from(trained: Trained) -> None:
    model = load_cause_model(trained.model)
    content = model.content
    assert content["trained"]["year"] == YEAR and content["trained"]["as_of"] == "2015-03-15"
    assert content["trained"]["verified"] >= MIN_VERIFIED
    primary = content["validation"]["primary"]
    assert primary["model_accuracy"] > primary["rules_accuracy"]
    assert set(model.flags) <= set(content["validation"]["flags"])
    assert all(content["validation"]["flags"][c]["model_f1"]
               > content["validation"]["flags"][c]["rules_f1"] for c in model.flags)
    groups = content["validation"]["groups"]
    assert set(groups) == {"terrain", "ethnic_minority_area", "head_sex", "disability"}
    for values in groups.values():  # each group splits the verified households whole
        assert sum(g["households"] for g in values.values()) == content["trained"]["verified"]
        assert all(0 <= g["model_accuracy"] <= 1 for g in values.values())


@pytest.mark.slow  # a minute: a second model, two previews and two runs
def test_two_models_change_few_causes_each_explained(trained: Trained, tmp_path: Path
                                                     ) -> None:
    """A second model, trained after more households were verified, against the first:
    the households whose primary cause would change are exactly those identify changes,
    each with both models' answers and reasons; a model against itself changes none."""
    db, later = tmp_path / "second.duckdb", tmp_path / "later.csv"
    shutil.copy(trained.db, db)
    rules, first = load_rules(), load_cause_model(trained.model)
    with Store(db) as store:
        write_verifications(store, YEAR, 0.5, later, seed=2)
        later.write_text(later.read_text(encoding="utf-8").replace("2015-03-15", "2015-04-15"),
                         encoding="utf-8")
        import_verifications(store, later, user_named(store, "province_officer"))
        second = train_causes(store, rules, dt.date(2015, 4, 30), tmp_path / "second.json")
        found = changes(store, rules, YEAR, first, second.model)
        assert changes(store, rules, YEAR, first, first).table.num_rows == 0
        said = []
        for model in (first, second.model):
            identify(store, rules, YEAR, model=model)
            said.append(dict(store.rows("SELECT household_id, primary_cause FROM "
                                        "identification WHERE year = ? AND proposal <> "
                                        "'not_poor'", [YEAR])))
    assert second.verified > first.content["trained"]["verified"]
    differ = {h for h, cause in said[0].items() if said[1].get(h) != cause}
    rows = found.table.to_pylist()
    assert {r["household_id"] for r in rows} == differ
    assert 0 < len(differ) < 0.2 * found.helped and found.helped == len(said[0])
    for row in rows:
        for which in ("first", "second"):
            if row[f"cause_source_{which}"] == "model":
                assert row[f"cause_reasons_{which}"]
                assert 0 <= row[f"cause_confidence_{which}"] <= 1


def _edited(trained: Trained, tmp_path: Path, change: Any, keep_checksum: bool = False
            ) -> Path:
    content = json.loads(trained.model.read_text(encoding="utf-8"))
    change(content)
    if not keep_checksum:
        content["checksum"] = digest(content)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_an_edited_model_is_refused(trained: Trained, tmp_path: Path) -> None:
    def nudge(content: dict[str, Any]) -> None:
        content["decides"]["flags"].append("disability")

    with pytest.raises(CauseModelError, match="changed after training"):
        load_cause_model(_edited(trained, tmp_path, nudge, keep_checksum=True))


def test_a_model_of_another_standard_is_refused(trained: Trained, tmp_path: Path) -> None:
    def older(content: dict[str, Any]) -> None:
        content["standard"] = "1.1.0"

    with pytest.raises(CauseModelError, match=r"version 1\.1\.0 of the data standard"):
        load_cause_model(_edited(trained, tmp_path, older))


def test_a_model_beside_other_cause_rules_is_refused(trained: Trained, tmp_path: Path) -> None:
    causes = tmp_path / "causes.yaml"
    causes.write_text(shipped("causes.yaml").read_text(encoding="utf-8")
                      .replace("min_strength: 0.1", "min_strength: 0.2"), encoding="utf-8")
    db = tmp_path / "copy.duckdb"
    shutil.copy(trained.db, db)
    with Store(db) as store, pytest.raises(CauseModelError, match="trained beside the cause"):
        identify(store, load_rules(causes=causes), YEAR, model=load_cause_model(trained.model))


def test_too_few_verified_households_are_refused(trained: Trained, tmp_path: Path) -> None:
    with Store(trained.db, read_only=True) as store:
        village = str(store.scalar("SELECT min(village_code) FROM households"))
        with pytest.raises(CauseModelError, match=f"needs {MIN_VERIFIED} at least"):
            train_causes(store, load_rules(), dt.date(2015, 3, 15), tmp_path / "m.json",
                         prefix=village)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("engine", [
    "duckdb", pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.slow])])  # 30 s
def test_scoring_in_batches_is_the_same_on_both_engines(
        trained: Trained, make_profile: ProfileTable, engine: str) -> None:
    """The scorer ships to Spark's workers (pickled) and maps their Arrow batches."""
    model = load_cause_model(trained.model)
    rows = [{"household_id": i, "medical_expense": 900 * i, "seriously_ill": i % 3,
             "disabled": i % 2, "land_per_capita": i / 10} | {f"c_{c}": (i % 4) / 4
                                                               for c in _causes(model)}
            for i in range(1, 41)]
    profile = make_profile(rows)
    expected = model.scorer()(profile.to_batches()[0]).to_pylist()
    runner = get_engine(engine)
    try:
        runner.register_arrow("profile", profile)
        runner.map_batches("scored", "SELECT * FROM profile",
                           BatchMap(model.scorer(), model.schema(), rows=7))
        got = runner.query("SELECT * FROM scored ORDER BY household_id").to_pylist()
    finally:
        runner.close()
    assert got == expected and len(got) == 40
    assert {r["m_primary"] for r in got} <= set(model.content["primary"]["classes"])


def _causes(model: Any) -> list[str]:
    return [name[2:] for name, _ in model.content["features"] if name.startswith("c_")]


@pytest.mark.slow  # 20 s: four commands; the same functions are tested above
def test_train_identify_explain_and_list_from_the_cli(trained: Trained, tmp_path: Path
                                                      ) -> None:
    db, out = tmp_path / "cli.duckdb", tmp_path / "model.json"
    shutil.copy(trained.db, db)
    made = _cli("rules", "train-causes", "--db", db, "--as-of", "2015-03-15", "--out", out)
    assert made.returncode == 0, made.stderr
    assert "Primary cause" in made.stdout and f"Wrote {out}" in made.stdout.replace("\n", "")
    again = _cli("rules", "train-causes", "--db", db, "--as-of", "2015-03-15", "--out", out)
    assert again.returncode != 0 and "--overwrite" in again.stderr + again.stdout
    done = _cli("identify", "--db", db, "--year", YEAR, "--cause-model", out)
    assert done.returncode == 0, done.stderr
    assert "cause model" in done.stdout and "from the model" in done.stdout
    with Store(db, read_only=True) as store:
        household = store.scalar("SELECT min(household_id) FROM identification WHERE "
                                 "cause_source = 'model'")
    why = _cli("explain", "--db", db, "--household", household, "--year", YEAR)
    assert why.returncode == 0 and "primary cause from: the model" in why.stdout
    listed = _cli("verification", "next", "--db", db, "--capacity", 1, "--out",
                  tmp_path / "next.csv")
    assert listed.returncode == 0, listed.stderr
    assert "Verify next (2014, 1 a village)" in listed.stdout
    assert (tmp_path / "next.csv").read_text(encoding="utf-8").startswith("village_code,")


@pytest.mark.slow  # the DuckDB twin runs by default
def test_identify_with_a_model_on_postgresql(trained: Trained) -> None:
    """The operational store: the scores go through DuckDB's process into PostgreSQL."""
    server = postgres.server()
    url = server.copy_of(trained.db)
    try:
        with Store(url) as store:
            identify(store, load_rules(), YEAR, model=load_cause_model(trained.model))
            learned = store.scalar("SELECT count(*) FROM identification WHERE year = ? AND "
                                   "cause_source = 'model' AND cause_reasons <> ''", [YEAR])
        assert learned > 100
    finally:
        server.drop(url)


def test_a_model_that_learnt_every_cause_decides(trained: Trained, tmp_path: Path) -> None:
    """With no cause left to the rules (a large verified set learns them all), the model
    still decides: the list of causes kept for the rules was empty, and NOT IN () of
    nothing held for no household."""
    def learnt_all(content: dict[str, Any]) -> None:
        content["unlearned"] = []

    db = tmp_path / "all.duckdb"
    shutil.copy(trained.db, db)
    with Store(db) as store:
        identify(store, load_rules(), YEAR,
                 model=load_cause_model(_edited(trained, tmp_path, learnt_all)))
        learned = store.scalar("SELECT count(*) FROM identification WHERE year = ? AND "
                               "cause_source = 'model'", [YEAR])
    assert learned > 100
