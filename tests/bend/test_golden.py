"""Golden tests: whole Bend programs and what they print.

tests/golden/run/NAME.bend with NAME.out beside it: the program is compiled and run on the native
backend (one thread) and the `Result: ...` line it prints must be NAME.out exactly. It runs again
on several threads (PARALLEL_THREADS; the parallel workloads par_*.bend on PAR_THREADS), which
must print the same line after the same number of interactions. When the first run needed few
interactions (REFERENCE_LIMIT), the program also runs on the pure-Python reference evaluator,
which must agree in the same way.

  - A first line `# args: A B ...` gives arguments for `main` (fun-syntax terms, split like a shell
    command line: `# args: 6 "[1, 2]" '"text"'`).
  - Programs import helper modules from subfolders (tests/golden/run/lib/); a .bend file with no
    .out is not a test.
  - `pytest --update-golden` rewrites every .out from what the native backend prints (for when the
    output format changes on purpose); review the diff before committing it.

tests/golden/errors/NAME.bend with NAME.err: `bend check NAME.bend` must exit with 1, print no
Python traceback, and its stderr must hold every (non-empty) line of NAME.err.

The expected outputs were decided from Bend's semantics (../shared/notes/bend-language.md), not
copied from this implementation. Programs on which this implementation is wrong are listed in
XFAIL (strict: a fix makes them pass, and then they must leave the list).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from support import compile_bend
from typer.testing import CliRunner

from bend.cli import app
from bend.runner import run_compiled

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
RUN = GOLDEN / "run"
ERRORS = GOLDEN / "errors"

RUN_CASES = sorted(p for p in RUN.glob("*.bend") if p.with_suffix(".out").exists())
ERROR_CASES = sorted(p for p in ERRORS.glob("*.bend") if p.with_suffix(".err").exists())

# Run on the reference evaluator too when the native run took at most this many interactions.
REFERENCE_LIMIT = 30_000
# Every program also runs on several threads (par_*.bend, the parallel workloads, on more):
# same result, same interaction count.
PARALLEL_THREADS = 2
PAR_THREADS = 4
TIMEOUT = 120  # seconds, per run

# name -> why it fails (bugs found by these programs; see each program's comment for what it checks)
XFAIL: dict[str, str] = {}

_native: dict[str, tuple] = {}  # name -> (compiled program, native Outcome), reused by the reference test


def marks(name: str):
    return [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []


def params(paths):
    return [pytest.param(p, id=p.stem, marks=marks(p.stem)) for p in paths]


def args_of(source: str) -> list[str]:
    first = source.split("\n", 1)[0]
    if first.startswith("# args:"):
        return shlex.split(first.removeprefix("# args:"))
    return []


def compile_file(path: Path):
    source = path.read_text()
    return compile_bend(source, path=str(path), args=args_of(source))


def run(compiled, backend: str, threads: int = 1):
    options = {"threads": threads} if backend == "c" else {}
    return run_compiled(compiled, backend, timeout=TIMEOUT, **options)


def native_run(path: Path):
    """(compiled, Outcome) of the single-thread native run, from test_native when it ran."""
    if path.stem not in _native:
        compiled = compile_file(path)
        _native[path.stem] = (compiled, run(compiled, "c"))
    return _native[path.stem]


def expected(path: Path) -> str:
    return path.with_suffix(".out").read_text().strip()


def test_there_are_golden_programs():
    assert len(RUN_CASES) >= 50
    assert len(ERROR_CASES) >= 12


def test_xfail_names_exist():
    names = {p.stem for p in RUN_CASES + ERROR_CASES}
    assert set(XFAIL) <= names, set(XFAIL) - names


@pytest.mark.parametrize("path", params(RUN_CASES))
def test_native(path, request):
    compiled = compile_file(path)
    outcome = run(compiled, "c")
    got = f"Result: {outcome.text}"
    if request.config.getoption("--update-golden"):
        if got != expected(path):
            path.with_suffix(".out").write_text(got + "\n")
        return
    _native[path.stem] = (compiled, outcome)
    assert got == expected(path)


@pytest.mark.parametrize("path", params(RUN_CASES))
def test_reference_agrees(path, request):
    if request.config.getoption("--update-golden"):
        pytest.skip("updating the golden files")
    compiled, native = native_run(path)
    if native.stats.interactions > REFERENCE_LIMIT:
        pytest.skip(f"{native.stats.interactions} interactions: too many for the reference evaluator")
    reference = run(compiled, "py")
    assert f"Result: {reference.text}" == expected(path)
    assert reference.stats.interactions == native.stats.interactions


@pytest.mark.parametrize("path", params(RUN_CASES))
def test_parallel_agrees(path, request):
    if request.config.getoption("--update-golden"):
        pytest.skip("updating the golden files")
    compiled, native = native_run(path)
    parallel = run(compiled, "c", threads=PAR_THREADS if path.stem.startswith("par_") else PARALLEL_THREADS)
    assert f"Result: {parallel.text}" == expected(path)
    assert parallel.stats.interactions == native.stats.interactions


runner = CliRunner()


def test_unbound_variable_in_an_argument_is_reported(tmp_path):
    path = tmp_path / "main.bend"
    path.write_text("def main(x):\n  return x\n")
    result = runner.invoke(app, ["run-c", str(path), "a"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "`a`" in result.stderr


@pytest.mark.parametrize("path", params(ERROR_CASES))
def test_error(path):
    result = runner.invoke(app, ["check", str(path)])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, output
    for line in path.with_suffix(".err").read_text().splitlines():
        if line.strip():
            assert line.strip() in result.stderr, result.stderr
