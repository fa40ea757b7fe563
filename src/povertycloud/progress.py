"""How long work reports its progress, for the command line's progress bars (and any
other caller): plain callables, so the domain never imports a user interface."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]  # the name of the step now under way
Counter = Callable[[int, int], None]  # units done, of the units in all
