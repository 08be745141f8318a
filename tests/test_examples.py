"""Every example gives the result (and interaction count) written in its `Expected:` comment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import run_text

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").rglob("*.hvm"))


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example(path):
    text = path.read_text()
    match = re.search(r"// Expected: Result: (.*?)\s+\(- ITRS: (\d+)\)", text)
    assert match, f"{path} has no `// Expected: Result: ... (- ITRS: n)` comment"
    result_text, result = run_text(text)
    assert result_text == match.group(1)
    assert result.stats.interactions == int(match.group(2))
