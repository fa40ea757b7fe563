"""Intake: reading files in the standard, validating them and storing them as batches."""

from .batches import BatchReport, import_file
from .bulk import load_directory
from .exports import export_table, write_template

__all__ = ["BatchReport", "export_table", "import_file", "load_directory", "write_template"]
