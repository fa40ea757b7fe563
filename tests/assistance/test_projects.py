"""Projects on both stores: entered into the library, planned for a year, households of
the registry linked, progress reported with photos whose EXIF is checked (no EXIF, no GPS,
far from the site, out of time: kept and flagged), milestones done, accepted by the
county, the money the ledger booked to the project shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assistance.photos import PhotoError, photo_content, read_photo
from povertycloud.assistance.projects import (
    Draft,
    ProjectError,
    Report,
    accept,
    add_beneficiaries,
    add_project,
    project_file,
    project_flags,
    projects_in,
    report,
    schedule,
)
from povertycloud.errors import NotFound
from povertycloud.funds.programmes import load_programmes
from povertycloud.store import Store
from povertycloud.synth.photos import jpeg

SITE = (26.90, 106.92)
NOW = dt.datetime(2026, 8, 1, 12, 0)


def _draft(p: Province, **changes: object) -> Draft:
    values: dict[str, object] = {
        "county": p.county, "village": p.village, "name": "通组硬化路（3.2 公里）",
        "kind": "road", "budget_fen": 800_000_00, "programmes": ("integrated_agriculture",),
        "lat": SITE[0], "lon": SITE[1], "starts": dt.date(2026, 4, 1),
        "ends": dt.date(2026, 10, 31), "contractor": "县路桥公司", "radius_km": 2.0,
        "milestones": (("路基", dt.date(2026, 6, 30)), ("路面硬化", dt.date(2026, 9, 30)))}
    values.update(changes)
    return Draft(**values)  # type: ignore[arg-type]


def _photo(taken: dt.datetime | None, lat: float | None = SITE[0],
           lon: float | None = SITE[1]) -> tuple[bytes, object]:
    content = jpeg(taken, lat, lon)
    return content, read_photo(content, "photo.jpg")


def test_a_project_from_the_library_to_its_acceptance(funds_db: Path | str,
                                                      funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        county, village = user_named(store, "county_officer"), user_named(store,
                                                                          "village_officer")
        project = add_project(store, _draft(p), load_programmes(), county)
        assert project_file(store, project)["status"] == "library"  # type: ignore[index]
        with pytest.raises(ProjectError, match="no progress to report"):
            report(store, project, village, Report(10))
        schedule(store, project, 2026, county)
        households = [int(h) for h in store.column(
            "SELECT household_id FROM households WHERE village_code = ? ORDER BY 1 LIMIT 4",
            [p.village])]
        assert add_beneficiaries(store, project, households, village) == 4
        assert add_beneficiaries(store, project, households[:2], village) == 0
        outside = store.value("SELECT min(household_id) FROM households WHERE "
                              "village_code <> ?", [p.village])
        with pytest.raises(ProjectError, match="outside the project's"):
            add_beneficiaries(store, project, [int(outside)], county)
        done = report(store, project, village, Report(100, "路基完成", 1, done=True),
                      _photo(dt.datetime(2026, 6, 20, 10)), NOW)  # type: ignore[arg-type]
        assert done["flag"] is None and done["km_from_site"] < 0.01
        report(store, project, village, Report(100, "路面完成", 2, done=True),
               _photo(dt.datetime(2026, 7, 30, 15)), NOW)  # type: ignore[arg-type]
        found = project_file(store, project)
        assert found is not None and found["status"] == "completed"
        assert [str(m["done_on"]) for m in found["milestones"]] == ["2026-06-20",
                                                                    "2026-07-30"]
        with pytest.raises(ProjectError, match="accepted by the county or above"):
            accept(store, project, village, "checked")
        accept(store, project, county, "县级验收：路面宽 4.5 米，厚 20 厘米")
        assert project_file(store, project)["status"] == "accepted"  # type: ignore[index]
        [listed] = projects_in(store, p.county[:6], 2026)
        assert (listed["progress"], listed["households"], listed["milestones_done"]) == (
            100, 4, 2)
        sha = found["reports"][0]["photo"]
        content = photo_content(store, sha)
        assert content is not None and content[1] == "image/jpeg"
        assert store.scalar("SELECT count(*) FROM audit_log WHERE object_kind = 'project'") \
            == 6


@pytest.mark.parametrize(("taken", "where", "flag", "reason"), [
    (None, (None, None), "no_exif", "no EXIF time"),
    (dt.datetime(2026, 6, 1, 9), (None, None), "no_gps", "no GPS position"),
    (dt.datetime(2026, 6, 1, 9), (SITE[0] + 0.1, SITE[1]), "far_from_site",
     "taken 11.1 km from the site"),
    (dt.datetime(2025, 6, 1, 9), SITE, "out_of_time", "outside the project's 2026-04-01"),
    (dt.datetime(2026, 12, 1, 9), SITE, "out_of_time", "taken 2026-12-01 09:00"),
])
def test_a_doubtful_photo_is_kept_and_flagged(
        funds_db: Path | str, funds_province: Province, taken: dt.datetime | None,
        where: tuple[float | None, float | None], flag: str, reason: str) -> None:
    p = funds_province
    with Store(funds_db) as store:
        county = user_named(store, "county_officer")
        project = add_project(store, _draft(p, year=2026), load_programmes(), county)
        done = report(store, project, county, Report(30, milestone=1, done=True),
                      _photo(taken, *where), dt.datetime(2026, 12, 20))  # type: ignore[arg-type]
        assert done["flag"] == flag and reason in done["flag_reason"]
        [found] = [f for f in project_flags(store, p.village, dt.date(2026, 1, 1))
                   if f["flag"] == f"photo_{flag}"]
        assert found["project_id"] == project
        # a flagged photo marks the milestone done on the day of the report, not the photo's
        assert project_file(store, project)["milestones"][0]["done_on"] == dt.date(  # type: ignore[index]
            2026, 12, 20)


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "palace"}, "the kind must be one of road"),
    ({"programmes": ("lottery",)}, "lottery is none"),
    ({"budget_fen": 0}, "the budget must be above zero"),
    ({"ends": dt.date(2026, 1, 1)}, "ends (2026-01-01) before it starts"),
    ({"milestones": (("x", dt.date(2027, 1, 1)),)}, "outside the project's"),
    ({"village": "520121100299"}, None),
])
def test_a_wrong_project_is_refused_with_the_reason(
        funds_db: Path | str, funds_province: Province, changes: dict[str, object],
        message: str | None) -> None:
    p = funds_province
    with Store(funds_db) as store:
        county = user_named(store, "county_officer")
        if message is None:  # a village of another county
            changes = {"village": p.other_county[:6] + "100200"}
            message = "is not a village of county"
        with pytest.raises(ProjectError, match=message.replace("(", r"\(").replace(")", r"\)")):
            add_project(store, _draft(p, **changes), load_programmes(), county)
        with pytest.raises(ProjectError, match="may not enter projects"):
            add_project(store, _draft(p), load_programmes(),
                        user_named(store, "other_county_officer"))
        with pytest.raises(NotFound, match="no project 99"):
            schedule(store, 99, 2026, county)


def test_milestones_overdue_and_money_beyond_the_budget_are_flagged(
        funds_db: Path | str, funds_province: Province) -> None:
    p = funds_province
    with Store(funds_db) as store:
        county = user_named(store, "county_officer")
        project = add_project(store, _draft(p, year=2026, budget_fen=100),
                              load_programmes(), county)
        store.execute("INSERT INTO fund_entries VALUES (9001, 'test', 1, 'disbursement', "
                      "'integrated_agriculture', DATE '2026-05-01', NULL, NULL, NULL, 'x', "
                      "now(), '', '')")
        store.execute("INSERT INTO fund_postings VALUES (9001, 1, ?, 500), "
                      "(9001, 2, 'region:' || ?, -500)",
                      [f"project:{p.village}/{project}", p.village])
        flags = {f["flag"]: f for f in project_flags(store, p.county[:6],
                                                      dt.date(2026, 7, 15))}
        assert flags["milestone_overdue"]["reason"] == "路基 was due 2026-06-30"
        assert "booked 5" in flags["over_budget"]["reason"]
        assert project_file(store, project)["spent_fen"] == 500  # type: ignore[index]


def test_a_file_that_is_not_a_photo_is_refused() -> None:
    with pytest.raises(PhotoError, match=r"report\.pdf: not a photo"):
        read_photo(b"%PDF-1.4 not an image", "report.pdf")
