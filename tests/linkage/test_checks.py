"""Conflict checks: feeds linked in the store, flags with evidence, verification and
each rule's precision."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from povertycloud.errors import PovertyCloudError
from povertycloud.feeds.checks import (
    decide,
    link_feeds,
    load_conflicts,
    raise_flags,
    report,
    review_queue,
    run_checks,
    verify,
)
from povertycloud.feeds.reviews import review_pairs
from povertycloud.feeds.signals import send_signals
from povertycloud.feeds.sources import load_sources
from povertycloud.intake import import_file, load_directory
from povertycloud.rulefiles import RuleFileError
from povertycloud.store import Store, StoreConflict
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.feeds import write_feeds


@pytest.fixture(scope="module")
def fed(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the small province with its feeds taken in and one death the
    registry does not know of; not yet checked."""
    folder = tmp_path_factory.mktemp("checks")
    write_feeds(small_province, folder / "feeds", seed=10, fault_rate=0.0)  # raises each rule below
    db = folder / "fed.duckdb"
    with Store.create(db) as store:
        load_directory(store, small_province)
        for source in load_sources().values():
            import_file(store, source.table, folder / "feeds" / f"{source.id}.parquet")
        store.execute("UPDATE people SET death_date = NULL WHERE person_id = (SELECT "
                      "min(person_id) FROM people WHERE death_date IS NOT NULL)")
    return db


@pytest.fixture(scope="module")
def checked(fed: Path) -> Path:
    """``fed``, linked and checked once."""
    db = fed.with_name("store.duckdb")
    shutil.copy(fed, db)
    sources = load_sources()
    with Store(db) as store:
        link_feeds(store, sources)
        raise_flags(store, load_conflicts(None, sources))
    return db


@pytest.fixture
def store(checked: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "store.duckdb"
    copy.write_bytes(checked.read_bytes())
    with Store(copy) as opened:
        yield opened


def test_flags_follow_the_rules_and_carry_their_evidence(store: Store) -> None:
    flags = store.execute(
        "SELECT c.rule, c.evidence, h.registration_status, p.death_date FROM conflict_flags c "
        "JOIN households h USING (household_id) JOIN people p USING (person_id)").fetchall()
    rules = {r for r, *_ in flags}
    assert {"vehicle", "death", "public_employee", "commercial_housing"} <= rules
    for rule, evidence, status, died in flags:
        record = json.loads(evidence)
        if rule == "death":
            assert died is None and record["death_date"]
            continue
        assert status in ("registered_poor", "monitored")
        if rule == "vehicle":
            assert record["value_yuan"] >= 50_000
        elif rule == "business":
            assert record["registered_capital_yuan"] >= 100_000
        elif rule == "public_employee":
            assert record["post"] != "village_cadre"
        elif rule == "commercial_housing":
            assert record["kind"] == "commercial"
        else:
            assert rule == "large_tax" and record["income_yuan"] >= 60_000
    [(deaths,)] = store.execute("SELECT count(*) FROM conflict_flags WHERE rule = "
                                "'death'").fetchall()
    assert deaths == 1


def test_running_again_raises_nothing_new(store: Store) -> None:
    before = store.execute("SELECT count(*) FROM conflict_flags").fetchone()
    assert set(raise_flags(store, load_conflicts()).values()) == {0}
    assert store.execute("SELECT count(*) FROM conflict_flags").fetchone() == before


def test_verification_gives_each_rule_its_precision(store: Store) -> None:
    ids = [r[0] for r in store.execute("SELECT flag_id FROM conflict_flags WHERE "
                                       "rule = 'vehicle' ORDER BY flag_id").fetchall()]
    assert len(ids) >= 3
    verify(store, ids[0], "confirmed", "王干部")
    verify(store, ids[1], "confirmed", "王干部")
    verify(store, ids[2], "false_alarm", "李干部")
    with pytest.raises(PovertyCloudError, match="already verified: confirmed"):
        verify(store, ids[0], "false_alarm", "x")
    with pytest.raises(PovertyCloudError, match="outcome must be one of"):
        verify(store, ids[3] if len(ids) > 3 else ids[0], "maybe", "x")
    vehicle = next(r for r in report(store) if r[0] == "vehicle")
    assert vehicle[1:4] == (len(ids), 3, 2)
    assert vehicle[4] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("source: transport_vehicles", "source: tax", "unknown source 'tax'"),
    ("value_yuan >= 50000", "price >= 50000", "price"),
])
def test_bad_rules_name_file_and_line(tmp_path: Path, old: str, new: str,
                                      message: str) -> None:
    from povertycloud.rulefiles import shipped

    path = tmp_path / "conflicts.yaml"
    path.write_text(shipped("conflicts.yaml").read_text(encoding="utf-8").replace(old, new),
                    encoding="utf-8")
    with pytest.raises(RuleFileError, match=message) as caught:
        load_conflicts(path)
    assert str(caught.value).startswith(f"{path}, line ")


def test_the_review_queue_and_audited_decisions(store: Store) -> None:
    store.execute("UPDATE feed_links SET decision = 'review' WHERE record_id IN "
                  "(SELECT min(record_id) FROM feed_links GROUP BY source)")
    queue = review_queue(store)
    assert len(queue) == len(load_sources())  # one pair of each feed
    first, second = queue[0], queue[1]
    decide(store, str(first["source"]), int(first["record_id"]),
           int(first["person_id"]), True, "王干部")
    decide(store, str(second["source"]), int(second["record_id"]),
           int(second["person_id"]), False, "李干部")
    assert len(review_queue(store)) == len(queue) - 2
    with pytest.raises(PovertyCloudError, match="not under review"):
        decide(store, str(first["source"]), int(first["record_id"]),
               int(first["person_id"]), False, "x")
    logged = store.execute("SELECT username, action FROM audit_log ORDER BY audit_id"
                           ).fetchall()
    assert logged == [("王干部", "review_match"), ("李干部", "review_rejected")]


def test_links_keep_why_and_their_evidence(fed: Path, tmp_path: Path) -> None:
    """Linked without the ID number of a third of the vehicles, probabilistic links keep
    Splink's waterfall; ID-number links have none; a pair says why it is under review, a
    match does not."""
    shutil.copy(fed, tmp_path / "store.duckdb")
    with Store(tmp_path / "store.duckdb") as store:
        store.execute("UPDATE feed_transport_vehicles SET id_number = NULL "
                      "WHERE record_id % 3 = 0")
        link_feeds(store, {"transport_vehicles": load_sources()["transport_vehicles"]})
        links = store.records("SELECT matched_on, decision, reason, evidence "
                              "FROM feed_links")
    assert {link["matched_on"] for link in links} == {"id_number", "probabilistic"}
    for link in links:
        assert (link["evidence"] is None) == (link["matched_on"] == "id_number")
        assert (link["reason"] is None) == (link["decision"] == "match")
        if link["evidence"]:
            assert json.loads(link["evidence"])[0]["column"] == "prior"


def _rivals(store: Store) -> tuple[int, list[int]]:
    """A vehicle record under review with three candidates: its person, a member of the
    person's household and a person of another household of the village."""
    record_id, person, household, village = store.one(
        "SELECT l.record_id, l.person_id, p.household_id, h.village_code FROM feed_links l "
        "JOIN people p USING (person_id) JOIN households h USING (household_id) "
        "WHERE l.source = 'transport_vehicles' AND (SELECT count(*) FROM people m WHERE "
        "m.household_id = p.household_id) > 1 ORDER BY l.record_id LIMIT 1") or ()
    twin = store.value("SELECT min(person_id) FROM people WHERE household_id = ? AND "
                       "person_id <> ?", [household, person])
    namesake = store.value("SELECT min(p.person_id) FROM people p JOIN households h USING "
                           "(household_id) WHERE h.village_code = ? AND household_id <> ?",
                           [village, household])
    store.execute("UPDATE feed_links SET decision = 'review', reason = 'rival' WHERE "
                  "source = 'transport_vehicles' AND record_id = ?", [record_id])
    for rival in (twin, namesake):
        store.execute("INSERT INTO feed_links (source, record_id, person_id, "
                      "match_probability, matched_on, decision, linked_at, reason) VALUES "
                      "('transport_vehicles', ?, ?, 0.6, 'probabilistic', 'review', now(), "
                      "'rival')", [record_id, rival])
    return int(record_id), [int(person), int(twin), int(namesake)]


def test_a_record_under_review_shows_its_rivals_and_their_households(store: Store) -> None:
    record_id, (person, twin, namesake) = _rivals(store)
    queue = review_queue(store, "transport_vehicles")
    assert [(q["record_id"], q["reason"], q["candidates"]) for q in queue] == [
        (record_id, "rival", 3)] * 3
    [record] = review_pairs(store, "")
    assert record["record_id"] == record_id and record["candidates_in_all"] == 3
    shares = {c["person_id"]: c["shares"] for c in record["candidates"]}
    assert shares == {person: "household", twin: "household", namesake: "village"}
    first = record["candidates"][0]
    assert first["person_id"] == person and twin in {m["person_id"] for m in first["members"]}
    assert person not in {m["person_id"] for m in first["members"]}


def test_accepting_one_candidate_rejects_its_rivals(store: Store) -> None:
    """A record keeps one match: accepting a candidate rejects the others in the same
    transaction, each rejection audited; a record already matched takes no other."""
    record_id, (person, twin, namesake) = _rivals(store)
    decide(store, "transport_vehicles", record_id, person, True, "王干部", "officer")
    assert store.rows("SELECT person_id, decision FROM feed_links WHERE record_id = ? AND "
                      "source = 'transport_vehicles' ORDER BY person_id", [record_id]
                      ) == sorted([(person, "match"), (twin, "rejected"),
                                   (namesake, "rejected")])
    logged = store.rows("SELECT action, detail FROM audit_log ORDER BY audit_id")
    assert logged == [("review_match", f"person {person}")] + [
        ("review_rejected", f"person {rival}, a rival of person {person}")
        for rival in sorted((twin, namesake))]
    store.execute("UPDATE feed_links SET decision = 'review' WHERE person_id = ?", [twin])
    with pytest.raises(PovertyCloudError, match=f"already matched to person {person}"):
        decide(store, "transport_vehicles", record_id, twin, True, "王干部")
    assert decide(store, "transport_vehicles", record_id, twin, False, "王干部") == "rejected"


def test_the_cli_lists_a_records_rivals_with_why(checked: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from povertycloud.cli.common import console
    from povertycloud.cli.main import app

    monkeypatch.setattr(console, "width", 160)
    db = tmp_path / "store.duckdb"
    shutil.copy(checked, db)
    with Store(db) as store:
        record_id, people = _rivals(store)
    said = CliRunner().invoke(app, ["checks", "review", "--db", str(db)])
    assert said.exit_code == 0, said.output
    rows = [cells for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                for line in said.output.splitlines())
            if cells and cells[1] == str(record_id)]
    person, *rivals = people  # the likeliest first, then the rivals one after the other
    assert [(r[2], r[6], r[7]) for r in rows] == [
        (str(p), "rival", "3") for p in [person, *sorted(rivals)]]


def test_signals_become_events_on_the_household(small_province: Path, tmp_path: Path
                                                ) -> None:
    write_feeds(small_province, tmp_path / "feeds", seed=9, fault_rate=0.0)
    sources = load_sources()
    with Store.create(tmp_path / "store.duckdb") as store:
        load_directory(store, small_province)
        for source in sources.values():
            import_file(store, source.table, tmp_path / "feeds" / f"{source.id}.parquet")
        removed = store.execute(
            "SELECT household_id, kind, event_date, amount_yuan FROM events WHERE kind IN "
            "('serious_illness', 'disaster') ORDER BY event_id LIMIT 20").fetchall()
        store.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM events "
                      "WHERE kind IN ('serious_illness', 'disaster') ORDER BY event_id "
                      "LIMIT 20)")
        link_feeds(store, sources)
        added = send_signals(store, sources)
        assert added["medical_insurance_claims"] + added["disaster_reports"] == len(
            {(h, k, d) for h, k, d, _ in removed})
        back = store.execute(
            "SELECT household_id, kind, event_date, amount_yuan FROM events WHERE batch_id > "
            "(SELECT min(batch_id) FROM batches WHERE table_name LIKE 'feed_%') - 1 AND "
            "kind IN ('serious_illness', 'disaster') ORDER BY household_id, event_date"
            ).fetchall()
        assert set(back) <= set(removed)
        assert len(back) == added["medical_insurance_claims"] + added["disaster_reports"]
        assert set(send_signals(store, sources).values()) == {0}  # not twice


def test_deaths_and_births_update_the_registry(store: Store, tmp_path: Path) -> None:
    """The death the registry missed is recorded, with the row before; the births of
    2021 join their mothers' households; births it has, and a second run, add nothing."""
    [(alive_dead,)] = store.execute(
        "SELECT f.person_id FROM feed_links f JOIN people p USING (person_id) WHERE "
        "f.source = 'public_security_deaths' AND p.death_date IS NULL").fetchall()
    people = store.execute("SELECT count(*) FROM people").fetchone()
    new = store.execute("SELECT child_id_number, child_name, child_birth_date, l.person_id "
                        "FROM feed_public_security_births f JOIN feed_links l ON "
                        "l.source = 'public_security_births' AND l.record_id = f.record_id "
                        "WHERE child_birth_date >= DATE '2021-01-01'").fetchall()
    assert new and people
    added = send_signals(store, load_sources())
    assert added["public_security_births"] == len(new)
    children = store.execute(
        "SELECT c.id_number, c.name, c.birth_date, m.person_id, c.relation, "
        "c.person_id // 100 = c.household_id FROM people c JOIN people m ON "
        "m.household_id = c.household_id AND m.person_id <> c.person_id "
        "WHERE c.birth_date >= DATE '2021-01-01'").fetchall()
    assert {c[:4] for c in children} >= set(new)
    assert {c[4] for c in children} <= {"child", "grandchild"} and all(c[5] for c in children)
    assert store.execute("SELECT count(*) FROM people").fetchone() == (people[0] + len(new),)
    [(died, before)] = store.execute(
        "SELECT p.death_date, r.before FROM registry_changes r JOIN people p USING "
        "(person_id) WHERE r.change = 'death'").fetchall()
    assert died is not None and json.loads(before)["person_id"] == alive_dead
    assert json.loads(before)["death_date"] is None
    assert store.execute("SELECT count(*) FROM registry_changes WHERE change = 'birth'"
                         ).fetchone() == (len(new),)
    assert set(send_signals(store, load_sources()).values()) == {0}


def test_a_death_before_the_registered_birth_is_not_applied(store: Store) -> None:
    """The death the registry missed, dated (by the department) before the person's
    registered birth: the link or the date is wrong, so neither the death date nor a
    death event is written."""
    store.execute("UPDATE feed_public_security_deaths f SET death_date = p.birth_date - 1 "
                  "FROM feed_links l, people p WHERE l.source = 'public_security_deaths' "
                  "AND l.record_id = f.record_id AND p.person_id = l.person_id "
                  "AND p.death_date IS NULL")
    events = store.count("events")
    send_signals(store, {"public_security_deaths": load_sources()["public_security_deaths"]})
    assert store.count("registry_changes") == 0 and store.count("events") == events


def test_of_two_decisions_on_a_pair_at_once_one_wins(store: Store) -> None:
    store.execute("UPDATE feed_links SET decision = 'review' WHERE source = "
                  "'transport_vehicles' AND record_id = (SELECT min(record_id) FROM "
                  "feed_links WHERE source = 'transport_vehicles')")
    [pair] = review_queue(store, "transport_vehicles")
    first = store.cursor()
    first.execute("BEGIN TRANSACTION")
    first.execute("UPDATE feed_links SET decision = 'match' WHERE source = ? AND "
                  "record_id = ? AND decision = 'review'", [pair["source"], pair["record_id"]])
    with pytest.raises(StoreConflict):
        decide(store.cursor(), str(pair["source"]), int(pair["record_id"]),
               int(pair["person_id"]), False, "李干部")
    first.execute("COMMIT")
    assert store.execute("SELECT count(*) FROM audit_log").fetchone() == (0,)


def test_of_two_rivals_accepted_at_once_one_wins(store: Store) -> None:
    """Two officers accepting two candidates of one record at once: one wins, the other
    finds a conflict, and the record keeps one match."""
    record_id, (person, twin, _) = _rivals(store)
    first = store.cursor()
    with first.transaction():  # the first decision, not yet committed
        decide(first, "transport_vehicles", record_id, person, True, "王干部")
        with pytest.raises(StoreConflict):
            decide(store.cursor(), "transport_vehicles", record_id, twin, True, "李干部")
    assert store.rows("SELECT person_id FROM feed_links WHERE source = 'transport_vehicles' "
                      "AND record_id = ? AND decision = 'match'", [record_id]) == [(person,)]


@pytest.fixture(scope="module")
def small_fed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 1,000 people with two feeds taken in (deaths and vehicles) and one
    death the registry does not know of, not yet checked: small, for the crash tests."""
    folder = tmp_path_factory.mktemp("small_fed")
    generate(SynthConfig(people=1_000, seed=7), folder / "province")
    write_feeds(folder / "province", folder / "feeds", seed=9, fault_rate=0.0)
    sources = load_sources()
    with Store.create(folder / "fed.duckdb") as store:
        load_directory(store, folder / "province")
        for source in ("public_security_deaths", "transport_vehicles"):
            import_file(store, sources[source].table,
                        folder / "feeds" / f"{source}.parquet")
        store.execute("UPDATE people SET death_date = NULL WHERE person_id = (SELECT "
                      "min(person_id) FROM people WHERE death_date IS NOT NULL)")
        return store.path


def test_checks_run_killed_at_any_write_keeps_links_and_flags_together(
        small_fed: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """Killed at its first write and at its last (each run links with Splink, so not at
    every one), `checks run` leaves the links and flags as they were; run again, it
    gives what an uninterrupted run gives (before, each feed's links were kept in a
    transaction of their own, so a kill left links without flags)."""
    from tests.conftest import store_content

    before, after, writes = crash_test(
        small_fed, tmp_path, lambda db: ["checks", "run", "--db", str(db)], store_content,
        sample=2)
    assert after["feed_links"][0] > before["feed_links"][0] == 0
    assert after["conflict_flags"][0] > 0 and writes > 4


@pytest.fixture(scope="module")
def small_checked(small_fed: Path) -> tuple[Path, dict[str, int]]:
    """``small_fed`` checked, with one of its vehicle links put under review beside a
    rival (the next person): the store, a flag and that pair."""
    db = small_fed.with_name("checked.duckdb")
    shutil.copy(small_fed, db)
    sources = load_sources()
    with Store(db) as store:
        run_checks(store, sources, load_conflicts(None, sources))
        pair = store.record("SELECT source, record_id, person_id FROM feed_links "
                            "WHERE source = 'transport_vehicles' ORDER BY ALL LIMIT 1")
        assert pair is not None
        store.execute("UPDATE feed_links SET decision = 'review' WHERE source = ? AND "
                      "record_id = ?", [pair["source"], pair["record_id"]])
        store.execute("INSERT INTO feed_links SELECT source, record_id, (SELECT "
                      "min(p.person_id) FROM people p WHERE p.person_id > l.person_id), 0.6, "
                      "matched_on, 'review', linked_at, 'rival', NULL FROM feed_links l "
                      "WHERE source = ? AND record_id = ?", [pair["source"], pair["record_id"]])
        return db, {"flag": store.scalar("SELECT min(flag_id) FROM conflict_flags"), **pair}


@pytest.mark.parametrize("command", ["signals", "verify", "review"])
def test_checks_killed_at_any_write_change_all_or_nothing(
        small_checked: tuple[Path, dict[str, Any]], tmp_path: Path, command: str,
        crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """Killed at its writes (verify: its one; review: the first and the commit;
    signals: the first, a middle one and the commit), `checks signals`, `checks verify`
    and `checks review --accept` (which rejects the pair's rival) leave the store as it
    was; run again, they give what an uninterrupted run gives."""
    from tests.conftest import store_content

    db, of = small_checked
    extra = {"signals": [],
             "verify": ["--flag", str(of["flag"]), "--outcome", "confirmed", "--by", "me"],
             "review": ["--source", of["source"], "--record", str(of["record_id"]),
                        "--person", str(of["person_id"]), "--accept", "--by", "me"]}
    before, after, writes = crash_test(
        db, tmp_path, lambda d: ["checks", command, "--db", str(d), *extra[command]],
        store_content, sample={"signals": 3, "review": 2}.get(command))
    assert after != before and writes >= 1


def test_the_report_lists_the_flags_to_verify_with_their_ids(
        checked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`checks report` shows the ids `checks verify --flag` takes, whole at 80 columns."""
    from typer.testing import CliRunner

    from povertycloud.cli.common import console
    from povertycloud.cli.main import app

    monkeypatch.setattr(console, "width", 80)
    with Store(checked, read_only=True) as store:
        waiting = store.column("SELECT flag_id FROM conflict_flags WHERE outcome IS NULL "
                               "ORDER BY flag_id")
        villages = set(store.column("SELECT village_code FROM households"))
    said = CliRunner().invoke(app, ["checks", "report", "--db", str(checked)])
    assert said.exit_code == 0, said.output
    first_cells = {line.split("│")[1].strip() for line in said.output.splitlines()
                   if line.startswith("│")}
    assert waiting and {str(f) for f in waiting[:200]} <= first_cells
    assert f"Flags to verify ({len(waiting):,})" in said.output
    assert any(v in said.output for v in villages)  # the village codes whole, not "5201…"
