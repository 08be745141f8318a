"""The cache of compiled programs (bend/cache.py) and the warm start of `bend run` (bend/start.py):
a cached run prints what a fresh one prints (result, warnings), a change to any file the program
was built from (the main file, an imported file, the prelude) compiles it again, and a damaged
entry is rebuilt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bend import cache
from bend.cli import app
from hvm import jit

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
WARNS = "def main():\n  x = 1\n  return Helper(20) + 1\n\ndef Helper(n):\n  return n * 2\n\ndef unused(y):\n  return y\n"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path.parent / f"{tmp_path.name}-cache"  # (not in the programs' folder: its mtime counts)
    monkeypatch.setenv("HVM_CACHE_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def compiles(monkeypatch):
    """How many times the compiler ran (a cached run does not)."""
    import bend.compiler

    count = [0]
    original = bend.compiler.compile_program

    def counting(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(bend.compiler, "compile_program", counting)
    return count


def write(path: Path, text: str) -> Path:
    """Write a source file as if some time ago (a file changed while its program compiles is not cached)."""
    path.write_text(text)
    past = time.time() - 10
    os.utime(path, (past, past))
    os.utime(path.parent, (past, past))
    return path


def bend(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "programs").glob("*.prg"))


def test_a_cached_run_prints_what_a_fresh_one_prints(tmp_path, cache_dir, compiles):
    main = write(tmp_path / "main.bend", WARNS)
    first = bend("run-c", main, "-W", "all", "-t", "2")
    second = bend("run-c", main, "-W", "all", "-t", "2")
    fresh = bend("run-c", main, "-W", "all", "-t", "2", "--no-cache")
    assert compiles[0] == 2  # the first run and the --no-cache one
    assert first.exit_code == second.exit_code == fresh.exit_code == 0
    assert first.stdout == second.stdout == fresh.stdout == "Result: 41\n"
    assert "`unused` is defined but never used" in first.stderr
    assert first.stderr == second.stderr == fresh.stderr
    assert len(entries(cache_dir)) == 1


def test_the_settings_are_part_of_the_key(tmp_path, cache_dir, compiles):
    main = write(tmp_path / "main.bend", "def main(n):\n  return n * 2\n")
    assert bend("run-c", main, "5", "-t", "2").stdout == "Result: 10\n"
    assert bend("run-c", main, "6", "-t", "2").stdout == "Result: 12\n"
    assert bend("run-c", main, "6", "-t", "2", "-Ono-eta").stdout == "Result: 12\n"
    assert bend("run-c", main, "6", "-t", "2", "-Ono-eta").stdout == "Result: 12\n"
    assert compiles[0] == 3
    assert bend("run-py", main, "5").stdout == "Result: 10\n"  # (the same compile: every backend's)
    assert compiles[0] == 3


def test_a_change_to_the_main_file_compiles_again(tmp_path, cache_dir, compiles):
    main = write(tmp_path / "main.bend", "def main():\n  return 1\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 1\n"
    write(main, "def main():\n  return 2\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 2\n"
    assert bend("run-c", main, "-t", "2").stdout == "Result: 2\n"
    assert compiles[0] == 2


def test_a_change_to_an_imported_file_compiles_again(tmp_path, cache_dir, compiles):
    (tmp_path / "lib").mkdir()
    write(tmp_path / "lib" / "math.bend", "def value():\n  return 7\n")
    main = write(tmp_path / "main.bend", "from lib/math import value\n\ndef main():\n  return value()\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 7\n"
    assert bend("run-c", main, "-t", "2").stdout == "Result: 7\n"
    assert compiles[0] == 1
    write(tmp_path / "lib" / "math.bend", "def value():\n  return 8\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 8\n"
    assert compiles[0] == 2


def test_a_file_added_beside_an_import_compiles_again(tmp_path, cache_dir, compiles):
    """`from lib import math` finds lib/math.bend; with lib.bend beside it, the import means more."""
    (tmp_path / "lib").mkdir()
    write(tmp_path / "lib" / "math.bend", "def value():\n  return 7\n")
    main = write(tmp_path / "main.bend", "from lib import math\n\ndef main():\n  return math/value()\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 7\n"
    (tmp_path / "lib.bend").write_text("def other():\n  return 1\n")
    bend("run-c", main, "-t", "2")
    assert compiles[0] == 2


def test_other_files_beside_the_program_do_not_count(tmp_path, cache_dir, compiles):
    """A program's output (or any file an import cannot name) changes nothing."""
    main = write(tmp_path / "main.bend", "def main():\n  return 4\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 4\n"
    (tmp_path / "out.txt").write_text("output")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 4\n"
    assert compiles[0] == 1
    (tmp_path / "stdlib").mkdir()  # (a program's own stdlib/ wins over the installed one)
    assert bend("run-c", main, "-t", "2").stdout == "Result: 4\n"
    assert compiles[0] == 2


def test_a_change_to_the_prelude_compiles_again(tmp_path, cache_dir, compiles, monkeypatch):
    from bend.frontend import loader

    prelude = tmp_path / "prelude"
    shutil.copytree(loader.PRELUDE, prelude)
    monkeypatch.setattr(loader, "PRELUDE", prelude)
    last = sorted(prelude.glob("*.bend"))[-1]
    original = last.read_text()
    write(last, original + "\ndef Cache/test_value():\n  return 1\n")
    main = write(tmp_path / "main.bend", "def main():\n  return Cache/test_value()\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 1\n"
    assert bend("run-c", main, "-t", "2").stdout == "Result: 1\n"
    assert compiles[0] == 1
    write(last, original + "\ndef Cache/test_value():\n  return 2\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: 2\n"
    assert compiles[0] == 2


@pytest.mark.parametrize("damage", ["flip", "truncate", "not-a-pickle", "directory"])
def test_a_damaged_entry_is_rebuilt(tmp_path, cache_dir, compiles, damage):
    main = write(tmp_path / "main.bend", "def main():\n  return [1, 2]\n")
    assert bend("run-c", main, "-t", "2").stdout == "Result: [1, 2]\n"
    [entry] = entries(cache_dir)
    data = entry.read_bytes()
    if damage == "flip":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "not-a-pickle":
        jit.store(entry, b"\0" * 16 + b"not a pickle")  # (framed as a good entry: its contents are wrong)
    else:
        entry.unlink()
        entry.mkdir()
    assert bend("run-c", main, "-t", "2").stdout == "Result: [1, 2]\n"
    assert compiles[0] == 2
    assert entries(cache_dir) == [entry] and entry.is_file()
    assert bend("run-c", main, "-t", "2").stdout == "Result: [1, 2]\n"
    assert compiles[0] == 2


def test_a_file_changed_during_its_compile_is_not_cached(tmp_path, cache_dir):
    from bend.compiler import compile_program, load

    main = write(tmp_path / "main.bend", "def main():\n  return 1\n")
    started = time.time_ns()
    compiled = compile_program(load(main))
    main.write_text("def main():\n  return 1\n")  # (touched after the compile started)
    request = cache.Request(main)
    assert not cache.store(request, compiled, [], started)
    assert cache.lookup(request) is None
    assert cache.store(request, compiled, [], time.time_ns() + cache.RACE_NS)
    assert cache.lookup(request) is not None


def test_check_and_gen_hvm_do_not_use_the_cache(tmp_path, cache_dir, compiles):
    main = write(tmp_path / "main.bend", WARNS)
    assert bend("run-c", main, "-t", "2").exit_code == 0
    checked = bend("check", main)
    assert checked.exit_code == 0 and "`unused` is defined but never used" in checked.stderr
    assert "@main" in bend("gen-hvm", main).stdout
    assert compiles[0] == 3


def command(*args, env=None):
    return subprocess.run([sys.executable, "-m", "bend", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


def without_times(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("- TIME", "- MIPS"))]


def test_a_warm_run_starts_without_the_command_line_machinery(tmp_path):
    """The second run is bend.start's: no typer, and the same output as bend.cli's."""
    main = write(tmp_path / "main.bend", "def main():\n  return (1, [2, 3])\n")
    env = {"HVM_CACHE_DIR": str(tmp_path.parent / f"{tmp_path.name}-cache"), "BEND_TIMINGS": "1"}
    first = command("run-c", main, "-s", "--rules", "-t", "2", env=env)
    warm = command("run-c", main, "-s", "--rules", "-t", "2", env=env)
    full = command("run-c", main, "-s", "--rules", "-t", "2", "--no-cache", env=env)
    assert first.returncode == warm.returncode == full.returncode == 0, first.stderr + warm.stderr
    assert "timing: reduction starts" not in first.stderr + full.stderr  # (bend.cli's runs)
    assert "timing: reduction starts" in warm.stderr
    assert without_times(first.stdout) == without_times(warm.stdout) == without_times(full.stdout)
    assert warm.stdout.startswith("Result: (1, [2, 3])\n- ITRS: ")
    pretty = command("run", main, "-p", "-t", "2", env=env)
    assert pretty.stdout == command("run", main, "-p", "-t", "2", "--no-cache").stdout


def test_a_warm_run_with_warnings_shows_them(tmp_path):
    main = write(tmp_path / "main.bend", "def main():\n  return 1\n")
    env = {"HVM_CACHE_DIR": str(tmp_path.parent / f"{tmp_path.name}-cache"), "BEND_TIMINGS": "1"}
    runs = [command("run-c", main, "-t", "2", "-Ono-float-combinators", env=env) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout == "Result: 1\n"
    assert "running without the float-combinators pass" in runs[1].stderr
    assert "timing: reduction starts" not in runs[1].stderr  # (bend.cli's run: it prints the warning)


def test_version_without_typer():
    shown = command("--version")
    assert shown.returncode == 0 and shown.stdout.startswith("bend ") and "Bend 0.2.38" in shown.stdout
    assert command("-V").stdout == shown.stdout
    assert bend("--version").stdout == shown.stdout


def test_an_unwritable_cache_costs_one_warning(tmp_path):
    main = write(tmp_path / "main.bend", "def main():\n  return 3\n")
    done = command("run-c", main, "-t", "2", env={"HVM_CACHE_DIR": "/dev/null/cache", "TMPDIR": str(tmp_path)})
    assert done.returncode == 0 and done.stdout == "Result: 3\n"
    assert done.stderr.count("cannot write the code cache") == 1, done.stderr


def test_a_warm_run_of_a_number_result_prints_it_as_bend_does(tmp_path, monkeypatch):
    # bend.start prints a number result straight from the net (no readback modules): as readback would
    import subprocess
    import sys

    monkeypatch.setenv("HVM_CACHE_DIR", str(tmp_path / "cache"))
    for source, text in [("def main():\n  return 832040\n", "832040"), ("def main():\n  return -3\n", "-3"),
                         ("def main():\n  return 1.5\n", "1.500")]:
        path = tmp_path / "n.bend"
        path.write_text(source)
        outs = [subprocess.run([sys.executable, "-m", "bend", "run-c", str(path), *flags], capture_output=True,
                               text=True, timeout=120).stdout for flags in ([], [], ["-p"])]
        assert outs == [f"Result: {text}\n", f"Result: {text}\n", f"Result:\n{text}\n"]
