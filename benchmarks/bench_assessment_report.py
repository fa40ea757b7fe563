"""Time to produce a county's assessment report, as PDF and as Excel, on the 10-million-
person province, beside the same report on a small province in the same run.

    .venv/bin/python benchmarks/bench_assessment_report.py [--db STORE] [--small STORE]
        [--runs 3] [--write]

STORE is an identified synthetic province (default benchmarks/out/rollups-10000000.duckdb,
made by bench_rollups.py; --small: benchmarks/out/assessment-200000.duckdb, made by
bench_assessment.py). Each gets, once, an assessment of its largest county through the
product's own way (design, draw, synthetic returns, import). Then the report is produced
``--runs`` times in this process: the figures (design, rates, the multi-party
evaluation, the ranking of every county on its indicators this year and the year before,
the signs of faked figures), the page's template rendered to PDF, and the workbook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, write_section
from povertycloud.access.accounts import create_user, user_named, username_taken
from povertycloud.assessment.design import designs, make_design
from povertycloud.assessment.draw import draw_sample
from povertycloud.assessment.evaluation import load_weights
from povertycloud.assessment.ranking import load_ranking_rules
from povertycloud.assessment.report import county_report, report_workbook
from povertycloud.assessment.returns import import_returns
from povertycloud.assessment.rules import load_assessment_rules
from povertycloud.store import Store
from povertycloud.synth.assessment import AssessmentConfig, write_returns, write_truth
from povertycloud.web.pdf import pdf_of
from povertycloud.web.render import page_text

OUT = ROOT / "benchmarks" / "out"
PASSWORD = "benchmark password"


def assessed(store: Store) -> tuple[int, float]:
    """The store's assessment with returns (made once: its largest county); and the
    seconds making it took (0 when it was there)."""
    done = [d for d in designs(store) if d["returned"]]
    if done:
        return int(done[0]["assessment_id"]), 0.0
    started = time.perf_counter()
    province = str(store.value("SELECT min(code) FROM regions WHERE level = 'province'"))
    for name, role in (("province_officer", "officer"), ("third_party", "assessor")):
        if not username_taken(store, name):
            create_user(store, name, PASSWORD, role, province)
    county = str(store.value(
        "SELECT substr(village_code, 1, 6) || '000000' FROM households GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 1"))
    year = store.latest_year("identification") or 0
    as_of, rules, config = dt.date(year + 1, 3, 1), load_assessment_rules(), AssessmentConfig()
    officer = user_named(store, "province_officer")
    assessment = make_design(store, rules, county, as_of, 1, officer)
    draw_sample(store, assessment, ["a1", "a2", "a3"], officer)
    write_truth(store, county, as_of, config)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "returns.csv"
        write_returns(store, assessment, path, config)
        import_returns(store, rules, assessment, path, user_named(store, "third_party"))
    return assessment, time.perf_counter() - started


def timed(db: Path, runs: int) -> dict[str, float]:
    """Median seconds of the report's figures, its PDF and its workbook; the people."""
    weights, ranking = load_weights(), load_ranking_rules()
    figures, pdf, xlsx = [], [], []
    with Store(db) as store:
        assessment, made = assessed(store)
        people = store.count("people")
        for _ in range(runs):
            started = time.perf_counter()
            report = county_report(store, assessment, weights, ranking)
            figures.append(time.perf_counter() - started)
            started = time.perf_counter()
            document = pdf_of(page_text("assessment.html", "zh", "/", report=report))
            pdf.append(time.perf_counter() - started)
            started = time.perf_counter()
            book = report_workbook(report)
            xlsx.append(time.perf_counter() - started)
    assert document.startswith(b"%PDF") and book[:2] == b"PK"
    return {"people": people, "made": made, "figures": statistics.median(figures),
            "pdf": statistics.median(pdf), "xlsx": statistics.median(xlsx),
            "counties": len(report["ranking"]), "pages": document.count(b"/Type /Page\n")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=OUT / "rollups-10000000.duckdb")
    ap.add_argument("--small", type=Path, default=OUT / "assessment-200000.duckdb")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="Write into docs/benchmarks.md.")
    args = ap.parse_args()
    small, large = timed(args.small, args.runs), timed(args.db, args.runs)
    rows = []
    for r in (small, large):
        total_pdf, total_xlsx = r["figures"] + r["pdf"], r["figures"] + r["xlsx"]
        rows.append(f"| {r['people']:,} people, {r['counties']} counties | "
                    f"{r['figures']:.1f} s | {r['pdf']:.1f} s | {total_pdf:.1f} s | "
                    f"{r['xlsx']:.2f} s | {total_xlsx:.1f} s |")
    ratio = (large["figures"] + large["pdf"]) / (small["figures"] + small["pdf"])
    command = ".venv/bin/python benchmarks/bench_assessment_report.py --runs " + str(args.runs)
    body = "\n".join([
        "## Assessment: a county's report, PDF and Excel", "",
        f"`{command}` ({machine()}, {dt.date.today()}); medians of {args.runs} runs in one "
        "process: the report's figures (design, rates, multi-party evaluation, the ranking "
        "of every county on its indicators this year and the year before, the signs of "
        "faked figures), the page's template rendered to PDF with its fonts, the workbook.",
        "", "| province | figures | PDF rendering | report as PDF | workbook | report as "
        "Excel |", "|---|---|---|---|---|---|", *rows, "",
        f"The 10-million-person report as PDF takes {ratio:.1f} times the small province's "
        "in the same run; the figures grow with the province (the ranking reads every "
        "county's households twice), the rendering with the ranking's rows (a line a "
        "county). On this 2-core machine DuckDB "
        "uses both cores for the figures; WeasyPrint renders on one."])
    print(body)
    if args.write:
        write_section("assessment-report", body)


if __name__ == "__main__":
    main()
