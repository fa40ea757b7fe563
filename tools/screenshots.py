"""Retake the screenshots of docs/web.md: the demo's pages in headless Chromium, at a
desktop width (1400 px) and a phone's (400 px), in Chinese, as the users who use them.

    ./dev screenshots [--dir demo-shots] [--people 20000]

Builds the demo province in ``--dir`` when it is missing (``povertycloud demo --no-serve``),
serves it on a free port, signs in with the demo accounts of ``accounts.txt`` and writes
``docs/images/<page>-<width>.png``.
"""

from __future__ import annotations

import argparse
import base64
import io
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from povertycloud.synth.assistance import PASSWORD as CADRE_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "povertycloud"
IMAGES = ROOT / "docs" / "images"
WIDTHS = {"desktop": 1400, "phone": 400}
HEIGHTS = {"desktop": 1000, "phone": 860}
MAX_HEIGHT = 1800  # a page taller than this is cut: its top tells the story


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([str(CLI), "serve", "--db", str(store), "--port", str(port)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/portal", timeout=5)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the server on port {port} did not answer within 120 s")


def browser(width: int, height: int) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}",
                 "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(
        shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.implicitly_wait(5)
    return driver


def log_in(driver: WebDriver, url: str, username: str, password: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    driver.find_element(By.ID, "logout")


def first_link(driver: WebDriver, url: str, page: str, prefix: str) -> str:
    """The first link on ``page`` whose path starts with ``prefix``."""
    driver.get(url + page)
    found = driver.find_elements(By.CSS_SELECTOR, f"a[href^='{prefix}']")
    if not found:
        raise SystemExit(f"no link to {prefix}… on {page}")
    return str(found[0].get_attribute("href")).removeprefix(url)


def shoot(driver: WebDriver, name: str, kind: str) -> Path:
    """The page as shown, as tall as its content (at most MAX_HEIGHT), in 256 colours (PNG)."""
    time.sleep(1.0)  # charts animate in
    height = min(MAX_HEIGHT, int(driver.execute_script(
        "return document.documentElement.scrollHeight")))
    driver.set_window_size(WIDTHS[kind], max(height, HEIGHTS[kind]))
    time.sleep(0.5)
    shot: dict[str, Any] = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": False})
    path = IMAGES / f"{name}-{kind}.png"
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    driver.set_window_size(WIDTHS[kind], HEIGHTS[kind])
    return path


# (image name, account, page); a page "first:<list>:<prefix>" is the first such link there
PAGES = [
    ("portal", None, "/portal"),
    ("dashboard-county", "county_officer", "/dashboard/{county}"),
    ("dashboard-village", "village_officer", "/dashboard/{village}"),
    ("households", "village_officer", "/regions/{village}/households"),
    ("household", "village_officer", "first:/monitoring:/households/"),
    ("household-masked", "auditor", "first:/monitoring:/households/"),
    ("monitoring", "county_officer", "/monitoring"),
    ("inbox", "county_officer", "/inbox"),
    ("proposal", "township_officer", "first:/inbox:/proposals/"),
    ("complaints", "county_officer", "/complaints"),
    ("region-status", "county_officer", "/regions/status"),
    ("flags", "field_officer", "/flags"),
    ("reviews", "county_officer", "/reviews"),
    ("audit", "auditor", "/audit"),
    ("funds", "county_officer", "/funds/regions/{county}"),
    ("fund-flags", "county_officer", "/funds/flags"),
    ("fund-batch", "county_officer", "first:/funds/batches:/funds/batches/"),
    ("portal-funds", None, "/portal/regions/{village}/funds"),
    ("officer-work", "cadre", "/officers/me"),
    ("officer-kpis", "county_officer", "/officers/kpis?on=2026-12-28"),
    ("projects", "county_officer", "/projects?year=2026"),
    ("project", "county_officer", "first:/projects?year=2026:/projects/"),
    ("assessments", "county_officer", "/assessments"),
    ("assessment", "county_officer", "first:/assessments:/assessments/"),
    ("portal-products", None, "/portal/products"),
    ("portal-needs", None, "/portal/needs"),
]


def accounts(folder: Path) -> dict[str, tuple[str, str]]:
    """username: (password, region code), from the demo's accounts.txt."""
    rows = (line.split("\t") for line in (folder / "accounts.txt").read_text().splitlines())
    return {r[0]: (r[1], r[3]) for r in rows if len(r) >= 4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "demo-shots")
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    store = args.dir / "province.duckdb"
    if not store.exists():
        subprocess.run([str(CLI), "demo", "--people", str(args.people), "--dir",
                        str(args.dir), "--no-serve"], check=True)
    users = accounts(args.dir)
    codes = {"county": users["county_officer"][1], "village": users["village_officer"][1]}
    # the village's first cadre, made by the synthetic assistance with its password
    users["cadre"] = (CADRE_PASSWORD, codes["village"])
    names = {"cadre": f"c{codes['village']}_1"}
    IMAGES.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(store, port)
    url = f"http://127.0.0.1:{port}"
    try:
        for kind, width in WIDTHS.items():
            driver = browser(width, HEIGHTS[kind])
            try:
                for name, user, page in PAGES:
                    if user:
                        log_in(driver, url, names.get(user, user), users[user][0])
                    if page.startswith("first:"):
                        _, listing, prefix = page.split(":")
                        page = first_link(driver, url, listing, prefix)
                    driver.get(url + page.format(**codes))
                    print(shoot(driver, name, kind).relative_to(ROOT))
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
