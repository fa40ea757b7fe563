"""Pages as print-ready PDF (WeasyPrint): the page's own template and its print style
sheet, the fonts it uses embedded (Chinese included). Only the package's static files
are read; nothing is fetched from a network, so a report is the same air-gapped."""

from __future__ import annotations

from importlib import resources
from typing import Any

STATIC = resources.files(__package__).joinpath("static")
LOCAL = "file:///static/"  # where the pages' /static/ links resolve with base_url "/"
TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def pdf_of(html: str) -> bytes:
    """The page ``html`` (a rendered template) as PDF."""
    from weasyprint import HTML  # loads with the first document

    return bytes(HTML(string=html, base_url="/", url_fetcher=_static()).write_pdf())


def _static() -> Any:
    """A fetcher that serves the package's static files and refuses any other address."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Static(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if not url.startswith(LOCAL) or ".." in url:
                raise ValueError(f"a report reads only the package's static files, not {url}")
            name = url[len(LOCAL):].split("?")[0]
            suffix = name[name.rfind("."):]
            return URLFetcherResponse(url, body=STATIC.joinpath(name).read_bytes(), headers={
                "Content-Type": TYPES.get(suffix, "text/plain")})

    return Static()
