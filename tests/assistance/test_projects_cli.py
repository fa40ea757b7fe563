"""`povertycloud projects` as a county office runs it: a project entered, planned, its
households linked, progress reported with a photo (a doubtful one flagged), accepted,
shown on the map; bad input refused in one line, the store as it was."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from tests.conftest import CLI, Refusal
from tests.funded import Province

from povertycloud.synth.photos import jpeg


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "220"})


def test_a_project_from_entry_to_acceptance(funds_province: Province, tmp_path: Path,
                                            refuse: Refusal) -> None:
    p = funds_province
    db = tmp_path / "projects.duckdb"
    db.write_bytes(p.db.read_bytes())
    added = _cli("projects", "add", "--db", db, "--as", "county_officer", "--county",
                 p.county, "--village", p.village, "--name", "集中供水工程", "--kind", "water",
                 "--budget-yuan", "150000", "--programme", "integrated_agriculture", "--lat",
                 "26.9", "--lon", "106.9", "--starts", "2026-04-01", "--ends", "2026-10-31",
                 "--milestone", "管网=2026-07-31", "--milestone", "通水=2026-10-15")
    assert added.returncode == 0, added.stderr
    assert "Project 1: 集中供水工程 (library)" in added.stdout
    assert _cli("projects", "schedule", "1", "--db", db, "--as", "county_officer", "--year",
                "2026").returncode == 0
    on_site = tmp_path / "site.jpg"
    on_site.write_bytes(jpeg(dt.datetime(2026, 7, 20, 10), 26.9, 106.9))
    elsewhere = tmp_path / "elsewhere.jpg"
    elsewhere.write_bytes(jpeg(dt.datetime(2026, 9, 1, 10), 27.5, 106.9))
    first = _cli("projects", "report", "1", "--db", db, "--as", "village_officer",
                 "--progress", "100", "--milestone", "1", "--done", "--photo", on_site)
    assert first.returncode == 0 and "flagged" not in first.stdout, first.stderr
    second = _cli("projects", "report", "1", "--db", db, "--as", "village_officer",
                  "--progress", "60", "--milestone", "2", "--photo", elsewhere)
    assert "photo flagged far_from_site: taken 66.7 km from the site" in second.stdout
    refuse("an acceptance before every milestone is done",
           ["projects", "accept", "1", "--db", str(db), "--as", "county_officer", "--note",
            "checked"], ("milestone '通水' is not done",), db)
    assert _cli("projects", "report", "1", "--db", db, "--as", "village_officer",
                "--progress", "100", "--milestone", "2", "--done", "--photo",
                on_site).returncode == 0
    accepted = _cli("projects", "accept", "1", "--db", db, "--as", "county_officer",
                    "--note", "通水试验合格")
    assert accepted.returncode == 0, accepted.stderr
    shown = _cli("projects", "show", "1", "--db", db)
    assert "accepted" in shown.stdout and "far_from_site" in shown.stdout
    listed = _cli("projects", "list", "--db", db, "--year", "2026", "--geojson",
                  tmp_path / "projects.geojson")
    assert "集中供水工程" in listed.stdout
    [feature] = json.loads((tmp_path / "projects.geojson").read_text(encoding="utf-8")
                           )["features"]
    assert feature["geometry"]["coordinates"] == [106.9, 26.9]
    assert feature["properties"]["status"] == "accepted"
    flags = _cli("projects", "flags", "--db", db, "--on", "2026-12-31")
    assert "photo_far_from_site" in flags.stdout


def test_bad_projects_are_refused_in_one_line(funds_province: Province, tmp_path: Path,
                                              refuse: Refusal) -> None:
    p = funds_province
    db = tmp_path / "projects.duckdb"
    db.write_bytes(p.db.read_bytes())
    base = ["projects", "add", "--db", str(db), "--as", "county_officer", "--county",
            p.county, "--name", "x", "--kind", "road", "--budget-yuan", "1000",
            "--programme", "integrated_agriculture", "--lat", "26.9", "--lon", "106.9",
            "--starts", "2026-04-01", "--ends", "2026-10-31"]
    refuse("a milestone after the project's end", [*base, "--milestone", "x=2027-01-01"],
           ("milestone 'x' is due 2027-01-01, outside the project's",), db)
    refuse("a budget of three decimals", [*base[:13], "1000.005", *base[14:]],
           ("'1000.005' is not an amount in yuan",), db)
    refuse("a project of another county", [*base[:5], "other_county_officer", *base[6:]],
           ("may not enter projects of",), db)
    not_photo = tmp_path / "report.pdf"
    not_photo.write_bytes(b"%PDF-1.4")
    assert _cli(*base).returncode == 0
    refuse("a file that is not a photo",
           ["projects", "report", "1", "--db", str(db), "--as", "county_officer",
            "--progress", "10", "--photo", str(not_photo)], ("report.pdf: not a photo",), db)
