"""The `povertycloud` command."""

from __future__ import annotations

import sys

import typer

from .. import __version__
from ..errors import PovertyCloudError
from . import (
    allocate,
    analysis,
    assess,
    backup,
    checks,
    data,
    demo,
    docs,
    dynamic,
    funds,
    identify,
    keys,
    link,
    officers,
    plans,
    products,
    projects,
    regions,
    registry,
    synth,
    targeting,
    verification,
    warn,
    web,
)
from .common import errors, log_statements

app = typer.Typer(
    name="povertycloud",
    help="An open platform for targeted poverty alleviation: a registry in a published "
         "data standard, a synthetic province, batch analytics on DuckDB or Spark.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)
app.command()(demo.demo)
app.command()(synth.synth)
app.command("import")(data.import_)
app.command()(data.intake)
app.command("sources")(data.sources_)
app.command()(data.export)
app.command()(data.template)
app.command()(analysis.pipeline)
app.command()(analysis.rollup)
app.command()(identify.identify)
app.command()(identify.whatif)
app.command()(identify.explain)
app.command()(allocate.allocate)
app.command()(docs.docs)
app.command()(backup.backup)
app.command()(backup.restore)
app.command()(web.serve)
app.command("link")(link.link_command)
app.command("reevaluate")(dynamic.reevaluate_command)
data.store_app.command("copy")(backup.store_copy)
app.add_typer(data.store_app, name="store")
app.add_typer(web.users_app, name="users")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(checks.checks_app, name="checks")
app.add_typer(registry.registry_app, name="registry")
app.add_typer(regions.regions_app, name="regions")
app.add_typer(verification.verification_app, name="verification")
app.add_typer(data.quarantine_app, name="quarantine")
app.add_typer(data.survey_app, name="survey")
app.add_typer(identify.rules_app, name="rules")
app.add_typer(targeting.targeting_app, name="targeting")
app.add_typer(warn.warn_app, name="warn")
app.add_typer(dynamic.workflow_app, name="workflow")
app.add_typer(dynamic.history_app, name="history")
app.add_typer(funds.funds_app, name="funds")
app.add_typer(plans.plans_app, name="plans")
app.add_typer(projects.projects_app, name="projects")
app.add_typer(products.products_app, name="products")
app.add_typer(products.needs_app, name="needs")
app.add_typer(officers.officers_app, name="officers")
app.add_typer(officers.visits_app, name="visits")
app.add_typer(assess.assess_app, name="assess")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povertycloud {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit."),
          log_sql: bool = typer.Option(
              False, "--log-sql", help="Log every statement the store runs, with its time "
              "(never its parameters), to standard error. Statements slower than "
              "POVERTYCLOUD_SLOW_STATEMENT_MS (default 10000) are always logged.")) -> None:
    """An open platform for targeted poverty alleviation."""
    log_statements(verbose=log_sql)


def main() -> None:
    """Run the CLI, turning the errors a user can act on into a message and exit code 1."""
    try:
        app()
    except PovertyCloudError as exc:
        _refuse(exc)
    except OSError as exc:  # a file or folder the system refused: full, forbidden...
        _refuse(PovertyCloudError(f"{exc.filename}: {exc.strerror}" if exc.filename
                                  else str(exc)))
    except Exception as exc:
        found = _store_error(exc)
        if found is None:
            raise
        _refuse(found)


def _refuse(exc: PovertyCloudError) -> None:
    errors.print(f"[bold red]error:[/] {exc}", highlight=False)
    sys.exit(1)


def _store_error(exc: Exception) -> PovertyCloudError | None:
    """What a DuckDB error from outside the store's door (an engine's statement) means
    for the user: out of memory, a folder that cannot be written, a lock."""
    if "povertycloud.store.store" not in sys.modules:  # no store opened: not a DuckDB error
        return None
    from ..store.failures import translated

    return translated(exc)
