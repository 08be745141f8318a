"""docs/guide.md stays true: every example it marks is run, in order, and its output compared.

The guide's convention (an HTML comment on the line before a fenced block, invisible once rendered):

- `<!-- file: NAME -->` before a ```bend block: the block is saved as NAME in the working folder
  (one temporary folder for the whole guide, so later examples use earlier files).
- `<!-- run -->` before a ```console block: each `$ COMMAND` line is run in that folder and must
  print the lines under it (stdout and stderr together), exactly, except the numbers of the `- TIME:`
  and `- MIPS:` lines of `-s`, which depend on the machine. `bend ...` commands run in this process
  (the same code as the `bend` command, without its start-up); others run in bash.
- `<!-- run -->` before a ```python block: the block runs in that folder (on the reference
  evaluator, for speed: same results), and each `print(...)  # TEXT` line must print TEXT.

Every ```bend and ```python block of the guide is marked: an unmarked one would go unchecked.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bend.cli import app

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
BLOCK = re.compile(r"^(?:<!-- (?P<mark>[^>]*?) -->\n)?```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.S | re.M)
VARIES = re.compile(r"^(- (?:TIME|MIPS): ).*$", re.M)


def blocks() -> list[tuple[str, str, str]]:
    return [(m["mark"] or "", m["lang"], m["body"]) for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))]


def commands(body: str) -> list[tuple[str, str]]:
    """The `$ command` lines of a console block, each with the output shown under it."""
    runs: list[tuple[str, str]] = []
    for line in body.splitlines(keepends=True):
        if line.startswith("$ "):
            runs.append((line[2:].strip(), ""))
        else:
            assert runs, f"output before any command in:\n{body}"
            runs[-1] = (runs[-1][0], runs[-1][1] + line)
    return runs


def normal(text: str) -> str:
    return VARIES.sub(r"\1…", text.strip("\n"))


def run_command(command: str, folder: Path) -> str:
    if command.startswith("bend "):
        result = CliRunner().invoke(app, shlex.split(command)[1:])
        assert "Traceback" not in result.output, result.output
        return result.output
    done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def test_every_example_is_marked():
    found = blocks()
    assert sum(lang == "bend" for _, lang, _ in found) >= 10
    for mark, lang, body in found:
        if lang == "bend":
            assert mark.startswith("file: "), f"a ```bend block with no `<!-- file: NAME -->`:\n{body}"
        if lang == "python":
            assert mark == "run", f"a ```python block with no `<!-- run -->`:\n{body}"
        if mark.startswith("file: "):
            assert lang == "bend", mark


def test_every_example_gives_the_output_shown(tmp_path, monkeypatch):
    from bend import api

    monkeypatch.setattr(api, "DEFAULT_BACKEND", "py")
    monkeypatch.chdir(tmp_path)
    checked = 0
    for mark, lang, body in blocks():
        if mark.startswith("file: "):
            (tmp_path / mark.removeprefix("file: ").strip()).write_text(body, encoding="utf-8")
        elif mark == "run" and lang == "console":
            for command, shown in commands(body):
                got = run_command(command, tmp_path)
                assert normal(got) == normal(shown), f"`{command}` in {GUIDE.name} printed:\n{got}"
                checked += 1
        elif mark == "run" and lang == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(body, f"{GUIDE.name} python example", "exec"), {})
            for expected in re.findall(r"^print\(.*\)  # (.*)$", body, flags=re.M):
                assert expected in out.getvalue().splitlines(), f"{expected!r} not printed:\n{out.getvalue()}"
            checked += 1
    assert checked >= 15
