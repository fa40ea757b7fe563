"""The routes by noun: no two of them can match one URL (so the order the routers are
included in never decides which answers), and the application answers the same with its
routers included in reverse order."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.convertors import CONVERTOR_TYPES

from povertycloud.web import app as web_app
from povertycloud.web.app import create_app
from povertycloud.web.deps import WebConfig
from povertycloud.web.routes import ROUTERS

PARAMETER = re.compile(r"{(\w+)(?::(\w+))?}")
PASSWORD = "correct horse battery"


def _segment_pattern(segment: str) -> str:
    """The regular expression a path segment matches ({name} or {name:convertor})."""
    out, at = "", 0
    for found in PARAMETER.finditer(segment):
        out += re.escape(segment[at:found.start()])
        out += CONVERTOR_TYPES[found.group(2) or "str"].regex
        at = found.end()
    return out + re.escape(segment[at:])


def _literal(segment: str) -> bool:
    return PARAMETER.search(segment) is None


def can_overlap(a: str, b: str) -> bool:
    """Whether some URL matches both paths: segment by segment, a literal must match the
    other's pattern; two parameters may always meet."""
    one, other = a.strip("/").split("/"), b.strip("/").split("/")
    if len(one) != len(other):
        return False
    for x, y in zip(one, other, strict=True):
        if _literal(x) and _literal(y):
            if x != y:
                return False
        elif _literal(x) or _literal(y):
            literal, pattern = (x, y) if _literal(x) else (y, x)
            if not re.fullmatch(_segment_pattern(pattern), literal):
                return False
    return True


def routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute)]


def test_no_two_routes_match_one_url() -> None:
    app = create_app(WebConfig(db=Path("unused")))
    clashes = [(a.path, b.path) for a, b in itertools.combinations(routes(app), 2)
               if a.methods & b.methods and can_overlap(a.path, b.path)]
    assert clashes == []


def test_the_check_sees_a_clash() -> None:
    assert can_overlap("/api/regions/{code}", "/api/regions/status")
    assert not can_overlap("/api/regions/{code:digits}", "/api/regions/status")
    assert can_overlap("/api/regions/{code:digits}/trend", "/api/regions/1/{x}")


def test_routers_in_reverse_order_answer_the_same(
        web_store: tuple[Path, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(web_store[0], db)
    config = WebConfig(db=db)
    answers = []
    for order in (ROUTERS, ROUTERS[::-1]):
        monkeypatch.setattr(web_app, "ROUTERS", order)
        with TestClient(create_app(config)) as client:
            login = client.post("/api/session", json={"username": "admin",
                                                      "password": PASSWORD})
            bearer = {"Authorization": f"Bearer {login.json()['token']}"}
            code = login.json()["user"]["region_code"]
            answers.append([
                (path, response.status_code, response.text if response.status_code != 200
                 or path.startswith("/api") else "")
                for path in (f"/api/regions/{code}", "/api/regions/status", "/api/regions/12",
                             f"/api/public/regions/{code}", "/api/proposals",
                             "/api/households/1", "/portal", "/regions/status", "/api/nothing")
                for response in [client.get(path, headers=bearer, follow_redirects=False)]])
    assert answers[0] == answers[1]
    statuses = {path: status for path, status, _ in answers[0]}
    assert statuses["/api/regions/status"] == 200 and statuses["/api/regions/12"] == 422
