"""Schema migrations of the store, applied in order; the store records how many ran.

Each migration is a SQL file in ``sql/``, numbered. A released migration is never edited:
a change to the standard adds a file. A test checks that a new store has exactly the
standard's columns, so the standard cannot change without its migration.
"""

from __future__ import annotations

from importlib import resources

MIGRATIONS: tuple[str, ...] = (
    "0001_standard_1_0_0.sql",
    "0002_web.sql",
    "0003_feed_checks.sql",
    "0004_quarantine_resolved.sql",
    "0005_registry_changes.sql",
    "0006_dynamic.sql",
    "0007_identification_runs.sql",
    "0008_feed_history.sql",
    "0009_duplicate_contradictions.sql",
    "0010_feed_link_evidence.sql",
    "0011_rate_limits.sql",
    "0012_deliveries.sql",
    "0013_jobs.sql",
    "0014_sealed_columns.sql",
    "0015_funds.sql",
    "0016_help_plans.sql",
    "0017_allocations.sql",
    "0018_officers.sql",
    "0019_projects.sql",
    "0020_products_and_needs.sql",
    "0021_contacts_sealed.sql",
    "0022_assessments.sql",
    "0023_plans_and_effects.sql",
    "0024_field_verifications.sql",
)
SCHEMA_VERSION = len(MIGRATIONS)


def migration_sql(name: str) -> str:
    """The statements of the migration file ``name``."""
    return resources.files(__package__).joinpath("sql", name).read_text("utf-8")
