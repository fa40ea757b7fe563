"""A form's export as SQL reads it: yes and no as phones and people write them, and the
columns that ODK Central and KoboToolbox name by their group path."""

from __future__ import annotations

from collections.abc import Collection

from ..sqltext import literals
from ..store import Store
from .survey import field_name

YES = ("yes", "y", "1", "true", "是")
NO = ("no", "n", "0", "false", "否")


def yes_no_sql(column: str) -> str:
    """SQL of ``column`` as true, false, or NULL when it is neither."""
    value = f"lower(trim({column}))"
    return (f"CASE WHEN {value} IN {literals(YES)} THEN true "
            f"WHEN {value} IN {literals(NO)} THEN false END")


def rename_group_paths(store: Store, staged: str, columns: list[str],
                       wanted: Collection[str]) -> None:
    """Rename a staged column named by its group path ('household/members') to its last
    part, where that is one of ``wanted`` and not a column already."""
    for column in columns:
        last = field_name(column)
        if last != column and last in wanted and last not in columns:
            store.execute(f'ALTER TABLE {staged} RENAME COLUMN "{column}" TO {last}')
