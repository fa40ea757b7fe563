"""A county's assessment report on the web: the page, the print-ready PDF from the same
template (Chinese text, fonts embedded), the Excel workbook with one sheet per table,
only within the jurisdiction, and refused while there are no returns; in a real browser
at 1400 and 400 px."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from tests.web import test_browser
from tests.web.conftest import PASSWORD, Regions, serve
from tests.web.test_browser_lists import WIDTHS, page_width

from povertycloud.access.accounts import user_named
from povertycloud.assessment.design import make_design
from povertycloud.assessment.draw import draw_sample
from povertycloud.assessment.report import SHEETS
from povertycloud.assessment.returns import import_returns
from povertycloud.assessment.rules import load_assessment_rules
from povertycloud.store import Store
from povertycloud.synth.assessment import AssessmentConfig, write_returns, write_truth
from povertycloud.web.app import WebConfig, create_app

browser = test_browser.browser  # the fixture: headless Chromium
AS_OF = dt.date(2021, 3, 1)  # after the days the other web tests judge


@pytest.fixture(scope="session")
def assessed(web_store: tuple[Path, Regions], tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, int, int]:
    """The web's province with its first county assessed (returns imported) and a second
    assessment drawn without returns: (store, assessed, not returned)."""
    db = tmp_path_factory.mktemp("assessed") / "assessed.duckdb"
    shutil.copy(web_store[0], db)
    county = web_store[1].county
    rules, config = load_assessment_rules(), AssessmentConfig()
    with Store(db) as store:
        officer = user_named(store, "province_officer")
        done = make_design(store, rules, county, AS_OF, 1, officer)
        draw_sample(store, done, ["评估员甲"], officer)
        write_truth(store, county, AS_OF, config)
        returns = db.parent / "returns.csv"
        write_returns(store, done, returns, config)
        import_returns(store, rules, done, returns, user_named(store, "assessor"))
        waiting = make_design(store, rules, county, AS_OF, 2, officer)
        draw_sample(store, waiting, ["评估员乙"], officer)
    return db, done, waiting


@pytest.fixture
def client(assessed: tuple[Path, int, int], tmp_path: Path) -> Iterator[TestClient]:
    db = tmp_path / "store.duckdb"
    shutil.copy(assessed[0], db)
    with TestClient(create_app(WebConfig(db=db))) as test_client:
        yield test_client


def _as(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/session", json={"username": username,
                                              "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_report_as_a_page_a_pdf_and_a_workbook(client: TestClient,
                                                   assessed: tuple[Path, int, int]) -> None:
    _, done, waiting = assessed
    officer = _as(client, "county_officer")
    listed = client.get("/api/assessments", headers=officer).json()
    assert {a["assessment_id"] for a in listed} == {done, waiting}
    report = client.get(f"/api/assessments/{done}/report", headers=officer).json()
    name = report["county_name"]
    assert {r["rate"] for r in report["rates"]} == {
        "wrong_exit", "missed", "misidentified", "approval", "integrated_incidence"}
    page = client.get(f"/assessments/{done}", headers=officer)
    assert page.status_code == 200 and name in page.text and "错退率" in page.text
    assert page.text.count('<svg class="interval"') == 5  # a chart of each county rate
    pdf = client.get(f"/assessments/{done}/report.pdf", headers=officer)
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert name in text and "错退率" in text and "多方退出评价" in text
    fonts = [f.get_object() for p in reader.pages
             for f in p["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"] or "/FontFile3"
                         in f["/FontDescriptor"] for f in (
                             d["/DescendantFonts"][0].get_object() if "/DescendantFonts" in d
                             else d for d in fonts))  # every font embedded
    book = load_workbook(io.BytesIO(client.get(f"/assessments/{done}/report.xlsx",
                                               headers=officer).content))
    assert book.sheetnames == list(SHEETS)
    assert book["rates"].max_row == 1 + len(report["rates"])


def test_the_report_only_in_the_jurisdiction_and_with_returns(
        client: TestClient, assessed: tuple[Path, int, int]) -> None:
    _, done, waiting = assessed
    village = _as(client, "village_officer")  # the county is not theirs
    assert client.get(f"/api/assessments/{done}/report", headers=village).status_code == 404
    assert client.get("/api/assessments", headers=village).json() == []
    officer = _as(client, "county_officer")
    refused = client.get(f"/api/assessments/{waiting}/report", headers=officer)
    assert refused.status_code == 409 and "no returns yet" in refused.text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_fits_and_draws_in_a_browser(browser: WebDriver,
                                                assessed: tuple[Path, int, int],
                                                tmp_path: Path, width: int) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(assessed[0], db)
    for url in serve(db):
        browser.set_window_size(width, 900)
        test_browser.log_in(browser, url, "county_officer")
        browser.get(f"{url}/assessments")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#assessments a")) == 2
        browser.get(f"{url}/assessments/{assessed[1]}")
        assert browser.find_element(By.ID, "assessment-title").text
        charts = browser.find_elements(By.CSS_SELECTOR, "#county-rates svg.interval rect")
        assert len(charts) == 5 and all(c.size["width"] > 0 for c in charts)
        assert page_width(browser) <= width
        browser.find_element(By.ID, "combined")


def test_the_household_file_as_pdf_is_masked_and_audited(
        client: TestClient, web_store: tuple[Path, Regions]) -> None:
    household = web_store[1].household
    with Store(web_store[0], read_only=True) as store:
        numbers = store.column("SELECT id_number FROM people WHERE household_id = ?",
                               [household])
    officer = _as(client, "county_officer")
    page = client.get(f"/households/{household}", headers=officer)
    assert f'href="/households/{household}/file.pdf"' in page.text
    pdf = client.get(f"/households/{household}/file.pdf", headers=officer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert str(household) in text and "一户一档" in text
    assert numbers and not any(n in text.replace(" ", "") for n in numbers)  # masked
    book = load_workbook(io.BytesIO(client.get(f"/households/{household}/file.xlsx",
                                               headers=officer).content))
    assert {"household", "members", "surveys", "history"} <= set(book.sheetnames)
    cells = [str(c.value) for row in book["members"].iter_rows() for c in row]
    assert not any(n in cells for n in numbers) and any("*" in c for c in cells)  # masked
    other = web_store[1].other_household  # in another county
    assert client.get(f"/households/{other}/file.pdf", headers=officer).status_code == 403
    reads = client.get("/api/audit", headers=_as(client, "admin"),
                       params={"action": "read_household"}).json()
    assert sum(1 for r in reads if r["object_id"] == str(household)) >= 3  # page, PDF, Excel
