"""The `bend` command: check and parse, exit codes, diagnostics on stderr."""

from __future__ import annotations

import pytest
from support import PROGRAMS
from typer.testing import CliRunner

from bend.cli import app
from bend.frontend.parser import Parser

runner = CliRunner()
SHARED = sorted(PROGRAMS.glob("*.bend"))


def bend(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.stem)
def test_every_shared_program_checks(path):
    result = bend("check", path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.stem)
def test_parse_output_parses_again_to_the_same_tree(path, tmp_path):
    result = bend("parse", path)
    assert result.exit_code == 0
    printed = tmp_path / "printed.bend"
    printed.write_text(result.stdout)
    again = bend("parse", printed)
    assert again.exit_code == 0
    assert again.stdout == result.stdout
    book, diagnostics = Parser(result.stdout, "printed.bend").parse()
    assert diagnostics.items == []


def test_check_reports_every_error_with_its_place(tmp_path):
    path = tmp_path / "bad.bend"
    path.write_text("def main():\n  return lenght\n\ndef f(x):\n  return y\n")
    result = bend("check", path)
    assert result.exit_code == 1
    assert result.stderr.count("error:") == 2
    assert "bad.bend:2:10" in result.stderr and "bad.bend:5:10" in result.stderr
    assert "2 |   return lenght" in result.stderr


def test_warnings_do_not_fail_a_check(tmp_path):
    path = tmp_path / "warn.bend"
    path.write_text("(f x x) = x\ndef main():\n  return f(1, 2)\n")
    result = bend("check", path)
    assert result.exit_code == 0
    assert "warning: `x` is bound twice" in result.stderr


def test_missing_file(tmp_path):
    result = bend("check", tmp_path / "nope.bend")
    assert result.exit_code == 1
    assert "error: cannot read" in result.stderr


def test_run_cu_without_a_gpu_fails_at_once_with_the_reason(tmp_path, no_gpu):
    path = tmp_path / "main.bend"
    path.write_text("def main():\n  return 1\n")
    result = bend("run-cu", path)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no CUDA GPU available (")


def test_run_cu_on_the_emulated_gpu(tmp_path):
    path = tmp_path / "main.bend"
    path.write_text("def main():\n  return [1, 2 * 21]\n")
    result = bend("run-cu", path, "--launcher", "host")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Result: [1, 42]\n"
    assert ".entry hvm_gather" in bend("gen-cu", path).stdout


def test_deeply_nested_programs_do_not_hit_the_recursion_limit(tmp_path):
    # 3000 statements make a let-chain 3000 deep
    lines = ["def main():", "  x0 = 0"] + [f"  x{i} = x{i - 1} + 1" for i in range(1, 3000)] + ["  return x2999"]
    path = tmp_path / "long.bend"
    path.write_text("\n".join(lines) + "\n")
    assert bend("check", path).exit_code == 0
    assert bend("parse", path).exit_code == 0
    result = bend("run-py", path)
    assert result.exit_code == 0, result.output
    assert "Result: 2999" in result.stdout


def test_shell_completion_is_offered():
    import subprocess
    import sys

    for tool in ("bend", "hvm"):
        shown = subprocess.run([sys.executable, "-m", tool, "--show-completion", "bash"], capture_output=True,
                               text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        assert "COMP_WORDS" in shown.stdout
