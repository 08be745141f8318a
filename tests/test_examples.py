"""Every example gives the result written in its `Expected:` comment (and, for a net, the
interaction count)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import run_bend, run_text

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").rglob("*.hvm"))
BEND_EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.bend"))


def test_there_are_examples():
    assert EXAMPLES and BEND_EXAMPLES


@pytest.mark.parametrize("path", BEND_EXAMPLES, ids=lambda p: p.stem)
def test_bend_example(path):
    import io

    from hvm.io import Host

    text = path.read_text()
    match = re.search(r"# Expected: Result: (.*)", text)
    assert match, f"{path} has no `# Expected: Result: ...` comment"
    out = run_bend(text, "c", host=Host(stdout=io.BytesIO()), as_data=True)  # (as `bend run` prints it)
    assert out.text == match.group(1).strip()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example(path):
    text = path.read_text()
    match = re.search(r"// Expected: Result: (.*?)\s+\(- ITRS: (\d+)\)", text)
    assert match, f"{path} has no `// Expected: Result: ... (- ITRS: n)` comment"
    result_text, result = run_text(text)
    assert result_text == match.group(1)
    assert result.stats.interactions == int(match.group(2))
