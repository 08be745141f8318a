"""Checks on a loaded program, before any desugaring: names, patterns, entry point.

In:  a Program (bend.frontend.loader).
Out: its diagnostics, added to the program's own (from parsing and loading).
"""

from __future__ import annotations

from bend.check.names import check_names
from bend.deep import deep


def check_program(program) -> None:
    deep(check_names, program, program.diagnostics)
