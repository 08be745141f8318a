"""Helpers shared by the tests: where the sample programs are, and running a net given as text."""

from __future__ import annotations

from pathlib import Path

from hvm.reference import ReferenceBackend
from hvm.runtime import RunResult
from hvm.syntax import parse_book, show_tree
from hvm.validate import validate

PROGRAMS = Path(__file__).parent / "programs"
HVM_PROGRAMS = PROGRAMS / "hvm"


def run_text(text: str, **options) -> tuple[str, RunResult]:
    """Parse, validate and run a book on the reference evaluator; the result's text and all of it."""
    book = parse_book(text, "<test>")
    errors = validate(book)
    assert not errors, [e.message for e in errors]
    result = ReferenceBackend().run(book, **options)
    return show_tree(result.tree), result
