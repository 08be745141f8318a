"""Shared by the standard library's tests: run many checks of one module as one Bend program.

Each test module lists (Bend expression, expected printed result) pairs; `run_checks` puts the
expressions in one list returned by `main`, runs it once on the reference evaluator (one
compilation, a fraction of a second) and compares item by item, so a failure names the
expression that went wrong. Results that hold a Maybe or a Bool are turned into lists and
numbers first (Maybe/to_list, Bool/to_u24), so that the checks do not depend on how
constructor values are printed.
"""

from __future__ import annotations

import pytest
from support import run_bend


def split_items(text: str) -> list[str]:
    """The top-level items of a printed list: `[1, (2, 3), "a, b"]` -> ['1', '(2, 3)', '"a, b"']."""
    assert text.startswith("[") and text.endswith("]"), text
    items, depth, start, in_string, i = [], 0, 1, False, 1
    while i < len(text) - 1:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
        i += 1
    last = text[start:-1].strip()
    return items + [last] if last or items else items


def run_checks(imports: str, cases: list[tuple[str, str]], extra: str = "", backend: str = "py") -> None:
    """Run every expression of `cases` in one program (after `imports` and the definitions in
    `extra`) and assert that each prints as expected."""
    body = ",\n".join(f"    {expr}" for expr, _ in cases)
    source = f"{imports}\n{extra}\ndef main():\n  return [\n{body}\n  ]\n"
    got = split_items(run_bend(source, backend).text)
    assert len(got) == len(cases), (len(got), len(cases), got)
    wrong = [f"{expr}\n    expected {want}\n    got      {have}" for (expr, want), have in zip(cases, got) if want != have]
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def check():
    return run_checks
