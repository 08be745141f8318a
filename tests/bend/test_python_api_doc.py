"""Every ```python example of docs/python-api.md runs as written (on the reference evaluator)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"


def examples() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_page_has_examples():
    assert len(examples()) >= 8


def test_every_example_runs(monkeypatch, capsys):
    from bend import api

    monkeypatch.setattr(api, "DEFAULT_BACKEND", "py")  # (the same results, without building native code)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for i, code in enumerate(examples()):
        try:
            exec(compile(code, f"{DOC.name} example {i + 1}", "exec"), namespace)
        except Exception as err:  # (say which example)
            pytest.fail(f"example {i + 1} of {DOC.name} fails: {type(err).__name__}: {err}\n{code}")
    assert "hello, bend" in capsys.readouterr().out
