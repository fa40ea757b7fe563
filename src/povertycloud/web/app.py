"""The web application: the JSON API, the pages and the public portal over one store.

    povertycloud serve --db demo/province.duckdb

Each worker process of the server builds its application with :func:`from_environment`
and opens its own handle of the store.

Errors are answered, never raised: 4xx with a clear message (JSON under /api, a page
elsewhere). Request bodies are capped; every page is sent with strict security headers.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..disclosure.complaints import ComplaintError
from ..errors import NotFound, PovertyCloudError
from ..store import StoreConflict
from .deps import LoginRequired, Platform, WebConfig, record_refusal
from .render import error_page
from .responses import PlainJSONResponse
from .routes import ROUTERS, deliveries

STATIC = resources.files(__package__).joinpath("static")
CONFIG_VARIABLE = "POVERTYCLOUD_WEB_CONFIG"  # the workers' settings, set by `serve`
FACTORY = f"{__name__}:from_environment"  # what uvicorn's workers import
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
}


UPLOADS = ("/api/jobs", "/admin/jobs")  # where a job's file is sent: up to upload_limit


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes with 413, declared or streamed; a
    department's delivery (a file) above ``delivery`` bytes, a job's file above
    ``upload`` bytes."""

    def __init__(self, app: ASGIApp, limit: int, delivery: int, upload: int) -> None:
        self.app, self.limit, self.delivery, self.upload = app, limit, delivery, upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = self.limit, f"request body above {self.limit} bytes"
        if scope["method"] == "PUT" and deliveries.PATH.fullmatch(str(scope["path"])):
            limit, refusal = self.delivery, deliveries.too_large(self.delivery)
        elif scope["method"] == "POST" and scope["path"] in UPLOADS:
            limit, refusal = self.upload, f"request body above {self.upload} bytes"
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await JSONResponse({"detail": refusal}, 413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, refusal)
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    """Send every answer with the security headers; answers of the API and pages are
    never cached. A plain ASGI wrapper of ``send``: Starlette's ``@app.middleware``
    would run each request in a task of its own on the event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope["path"]).startswith("/api")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if api or "text/html" in headers.get("content-type", ""):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(config: WebConfig) -> FastAPI:
    platform = Platform(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform.open()
        app.state.platform = platform
        at_once = platform.store.backend.at_once
        if at_once is not None:  # more requests at once wait for a thread, not the store
            to_thread.current_default_thread_limiter().total_tokens = at_once
        try:
            yield
        finally:
            platform.close()

    app = FastAPI(title="povertycloud", version=__version__, lifespan=lifespan,
                  default_response_class=PlainJSONResponse,
                  docs_url=None, redoc_url=None,  # FastAPI's pages load Swagger UI from a CDN
                  description="Targeted poverty alleviation: registry figures, household "
                              "files, search, complaints, the public portal and the "
                              "departments' deliveries of their feeds.")
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> FileResponse:
        """The API documentation: Swagger UI from the package's own files (air-gapped)."""
        return FileResponse(str(STATIC.joinpath("api-docs.html")))
    app.add_middleware(BodyLimit, limit=config.max_body, delivery=config.max_delivery,
                       upload=config.max_upload)
    app.add_middleware(SecurityHeaders)  # outermost: also on the answers of BodyLimit

    def answer(request: Request, status: int, message: str,
               headers: Mapping[str, str] | None = None) -> Response:
        if request.url.path.startswith("/api"):
            return PlainJSONResponse({"detail": message}, status, headers)
        page = error_page(request, status, message)
        page.headers.update(headers or {})
        return page

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": "log in first"}, 401)
        return RedirectResponse(f"/login?next={request.url.path}", 303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 403:
            await run_in_threadpool(record_refusal, request, str(exc.detail))
        return answer(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors())
        return answer(request, 422, problems or "invalid request")

    @app.exception_handler(ValidationError)
    async def invalid_form(request: Request, exc: ValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        return answer(request, 422, problems)

    @app.exception_handler(StoreConflict)
    async def conflict(request: Request, _: StoreConflict) -> Response:
        return answer(request, 409, "changed by someone else at the same time; try again")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return answer(request, 404, str(exc))

    @app.exception_handler(ComplaintError)
    async def bad_complaint(request: Request, exc: ComplaintError) -> Response:
        return answer(request, 400, str(exc))

    @app.exception_handler(PovertyCloudError)
    async def domain_error(request: Request, exc: PovertyCloudError) -> Response:
        return answer(request, 400, str(exc))

    return app


def from_environment() -> FastAPI:
    """The application of a worker process, with the settings `serve` left in
    ``CONFIG_VARIABLE`` (see :meth:`WebConfig.dumps`)."""
    return create_app(WebConfig.loads(os.environ[CONFIG_VARIABLE]))
