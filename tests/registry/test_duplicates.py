"""One person registered twice: found (by ID number, then alike), merged with history
kept and audited, or kept apart; nothing proposed twice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import store_content

from povertycloud.errors import PovertyCloudError
from povertycloud.intake import load_directory
from povertycloud.registry.duplicates import find_duplicates, open_pairs
from povertycloud.registry.merge import mark_distinct, merge
from povertycloud.store import Store
from povertycloud.store.store import StoreConflict
from povertycloud.synth.duplicates import register_twice

Truth = list[tuple[int, int, str]]


@pytest.fixture(scope="module")
def twice(small_province: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, Truth]:
    db = tmp_path_factory.mktemp("registry") / "store.duckdb"
    with Store.create(db) as store:
        load_directory(store, small_province)
        truth = register_twice(store, share=0.02, seed=3)
        find_duplicates(store)
    return db, truth


@pytest.fixture
def store(twice: tuple[Path, Truth], tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "store.duckdb"
    copy.write_bytes(twice[0].read_bytes())
    with Store(copy) as opened:
        yield opened


def proposed(store: Store) -> dict[tuple[int, int], tuple[float, str]]:
    return {(int(a), int(b)): (float(p), str(on)) for a, b, p, on in store.execute(
        "SELECT person_id, duplicate_id, match_probability, matched_on "
        "FROM registry_duplicates").fetchall()}


def test_people_registered_twice_are_proposed(store: Store, twice: tuple[Path, Truth]
                                              ) -> None:
    truth = twice[1]
    kinds = {k for *_, k in truth}
    assert len(truth) >= 30 and kinds == {"same_id", "other_id"}
    found = proposed(store)
    for original, duplicate, kind in truth:
        assert (original, duplicate) in found, kind  # the first registration is kept
        expected = "id_number" if kind == "same_id" else "probabilistic"
        assert found[original, duplicate][1] == expected
    wrong = set(found) - {(a, b) for a, b, _ in truth}
    assert len(wrong) <= len(truth) // 10  # distinct people proposed: few


def test_finding_again_proposes_nothing_new(store: Store) -> None:
    before = proposed(store)
    assert find_duplicates(store).new == 0
    assert proposed(store) == before


def test_a_merge_keeps_the_row_moves_the_references_and_is_audited(
        store: Store, twice: tuple[Path, Truth]) -> None:
    keep, duplicate, _ = twice[1][0]
    store.execute("INSERT INTO events SELECT 999999, household_id, person_id, "
                  "DATE '2020-05-01', 'serious_illness', 1000, batch_id, now() "
                  "FROM people WHERE person_id = ?", [duplicate])
    row = store.execute("SELECT name, id_number FROM people WHERE person_id = ?",
                        [duplicate]).fetchone()
    merge(store, keep, duplicate, "王干部", "officer")
    assert store.execute("SELECT count(*) FROM people WHERE person_id = ?",
                         [duplicate]).fetchone() == (0,)
    assert store.execute(
        "SELECT e.person_id, e.household_id = p.household_id FROM events e JOIN people p "
        "ON p.person_id = e.person_id WHERE event_id = 999999").fetchone() == (keep, True)
    [(before, kept, by)] = store.execute(
        "SELECT before, record_id, changed_by FROM registry_changes WHERE change = 'merge'"
    ).fetchall()
    assert row is not None
    assert (json.loads(before)["name"], json.loads(before)["id_number"]) == row
    assert (kept, by) == (keep, "王干部")
    assert store.execute("SELECT decision, decided_by FROM registry_duplicates WHERE "
                         "duplicate_id = ?", [duplicate]).fetchone() == ("merged", "王干部")
    assert store.execute("SELECT username, role, action, object_id, region_code = "
                         "(SELECT village_code FROM households WHERE household_id = ?) "
                         "FROM audit_log", [json.loads(before)["household_id"]]
                         ).fetchall() == [("王干部", "officer", "merge_person",
                                               str(duplicate), True)]
    with pytest.raises(PovertyCloudError, match=f"already merged into {keep}"):
        merge(store, keep, duplicate, "王干部")
    assert all(d != duplicate for _, d, *_ in open_pairs(store))


def test_pairs_kept_apart_are_not_proposed_again(store: Store,
                                                 twice: tuple[Path, Truth]) -> None:
    keep, duplicate, _ = twice[1][1]
    mark_distinct(store, keep, duplicate, "李干部")
    find_duplicates(store)
    assert store.execute("SELECT decision FROM registry_duplicates WHERE person_id = ? "
                         "AND duplicate_id = ?", [keep, duplicate]).fetchone() == (
        "distinct",)
    with pytest.raises(PovertyCloudError, match="already decided: distinct"):
        merge(store, keep, duplicate, "x")
    with pytest.raises(PovertyCloudError, match="no person 1 in the registry"):
        merge(store, keep, 1, "x")
    with pytest.raises(PovertyCloudError, match="into itself"):
        merge(store, keep, keep, "x")


def test_the_commands(twice: tuple[Path, Truth], tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(twice[0].read_bytes())
    keep, duplicate, _ = twice[1][0]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([Path(sys.executable).parent / "povertycloud", "registry",
                               *args, "--db", str(db)], capture_output=True, text=True,
                              check=False, env={**os.environ, "COLUMNS": "250"})

    listed = run("duplicates", "--list")
    assert listed.returncode == 0 and str(duplicate) in listed.stdout
    merged = run("merge", "--keep", str(keep), "--duplicate", str(duplicate), "--by", "王干部")
    assert merged.returncode == 0, merged.stderr
    again = run("merge", "--keep", str(keep), "--duplicate", str(duplicate), "--by", "王干部")
    assert again.returncode != 0 and "already merged" in again.stderr


def test_a_merge_conflicts_with_another_touching_the_same_person(
        store: Store, twice: tuple[Path, Truth]) -> None:
    """Another transaction holding the person (merging it elsewhere, say): this merge
    fails and changes nothing."""
    keep, duplicate, _ = twice[1][2]
    other = store.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE people SET recorded_at = now() WHERE person_id = ?", [keep])
    with pytest.raises(StoreConflict):
        merge(store.cursor(), keep, duplicate, "王干部")
    other.execute("ROLLBACK")
    assert store.execute("SELECT count(*) FROM people WHERE person_id IN (?, ?)",
                         [keep, duplicate]).fetchone() == (2,)
    assert store.execute("SELECT count(*) FROM registry_changes").fetchone() == (0,)


@pytest.mark.parametrize("command", ["duplicates", "merge", "distinct"])
def test_registry_commands_killed_at_any_write_change_all_or_nothing(
        twice: tuple[Path, Truth], tmp_path: Path, command: str,
        crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """Killed at their writes (duplicates --find: only at its commit, each run links the
    registry with itself; merge: the first, a middle one and the commit; distinct: each),
    `registry duplicates`, `merge` and `distinct` leave the store as they found it; run
    again, they give what an uninterrupted run gives."""
    db, truth = twice
    keep, duplicate, _ = truth[0]
    pair = ["--keep", str(keep), "--duplicate", str(duplicate), "--by", "王干部"]
    extra = {"duplicates": ["--find"], "merge": pair, "distinct": pair}[command]
    if command == "duplicates":  # pairs to find: the first search undone
        db = tmp_path / "unfound.duckdb"
        shutil.copy(twice[0], db)
        with Store(db) as store:
            store.execute("DELETE FROM registry_duplicates")
    before, after, _ = crash_test(
        db, tmp_path, lambda d: ["registry", command, "--db", str(d), *extra], content,
        sample={"duplicates": 1, "merge": 3}.get(command))
    assert after != before


def content(db: Path) -> dict[str, Any]:
    """:func:`store_content`, the merged rows kept in registry_changes without their
    ``before`` (which holds the time the merge touched them)."""
    found: dict[str, Any] = store_content(db)
    with Store(db, read_only=True) as store:
        found["registry_changes"] = store.rows(
            "SELECT * EXCLUDE (before, changed_at) FROM registry_changes ORDER BY ALL")
    return found


def test_twins_proposed_as_one_person_are_a_contradiction(store: Store) -> None:
    """A twin given the other's ID number by a clerk (one household, one birth date, a
    name one character apart) looks like a person registered twice; the cluster check
    names it, and a person registered twice is no contradiction."""
    twin = store.record("""
SELECT p.person_id, p.name FROM people p
WHERE p.death_date IS NULL AND length(p.name) = 3 AND p.birth_date < DATE '2000-01-01'
  AND NOT EXISTS (SELECT 1 FROM registry_duplicates d
                  WHERE p.person_id IN (d.person_id, d.duplicate_id))
ORDER BY p.person_id LIMIT 1""")
    assert twin is not None
    name = str(twin["name"])
    other = name[:2] + ("涵" if name[2] != "涵" else "浩")
    store.execute("INSERT INTO people BY NAME SELECT * REPLACE (person_id + 90 AS "
                  "person_id, ? AS name) FROM people WHERE person_id = ?",
                  [other, twin["person_id"]])
    find_duplicates(store)
    pairs = {(a, b): odd for a, b, *_, odd in open_pairs(store)}
    assert pairs[twin["person_id"], twin["person_id"] + 90] == "twins"
    assert all(odd is None for (a, b), odd in pairs.items()
               if twin["person_id"] not in (a, b))
