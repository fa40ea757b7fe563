"""DuckDB's extensions, loaded from the wheels they were installed as: nothing is fetched
at run time (deployments in government networks are often air-gapped). Each wheel must
be of the very version of DuckDB installed; `pyproject.toml` pins both."""

from __future__ import annotations

from importlib import resources
from importlib.metadata import PackageNotFoundError, version

import duckdb

from ..errors import StoreError

PACKAGES = {"postgres_scanner": "duckdb-extension-postgres-scanner",
            "httpfs": "duckdb-extension-httpfs"}


def path(name: str) -> str:
    """The file of the extension ``name`` in its wheel; a clear error when the wheel is
    missing or of another DuckDB."""
    package = PACKAGES[name]
    wanted = duckdb.__version__
    try:
        installed = version(package)
    except PackageNotFoundError:
        raise StoreError(f"DuckDB's {name} extension is not installed: "
                         f"pip install {package}=={wanted}") from None
    found = resources.files(package.replace("-", "_")).joinpath(
        "extensions", f"v{wanted}", f"{name}.duckdb_extension")
    if installed != wanted or not found.is_file():
        raise StoreError(f"DuckDB's {name} extension is version {installed}, DuckDB is "
                         f"{wanted}: pip install {package}=={wanted}")
    return str(found)


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"LOAD '{path(name)}'")
