"""The `hvm` and `bend` commands: output format, exit codes, and errors without tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support import GROWING_TREE, HVM_PROGRAMS
from typer.testing import CliRunner

from hvm.cli import app

runner = CliRunner()


def hvm(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_run_py_prints_the_result():
    result = hvm("run-py", HVM_PROGRAMS / "adts_and_matches.hvm")
    assert result.exit_code == 0
    assert result.stdout.startswith("Result: (24 (12 ((@String/Cons/tag (109 ")


def test_stats_lines(tmp_hvm):
    result = hvm("run-py", tmp_hvm("@main = r\n  & 3 ~ $([+4] r)\n"), "-s")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Result: 7"
    assert lines[1] == "- ITRS: 2"
    assert re.fullmatch(r"- TIME: \d+\.\d\ds", lines[2])
    assert re.fullmatch(r"- MIPS: \d+\.\d\d", lines[3])


def test_rules_lines(tmp_hvm):
    result = hvm("run-py", tmp_hvm("@main = r\n  & 3 ~ $([+4] r)\n"), "--rules")
    assert result.stdout.splitlines() == [
        "Result: 7", "- CALL: 1", "- VOID: 0", "- ERAS: 0", "- ANNI: 0", "- COMM: 0", "- OPER: 1", "- SWIT: 0",
    ]


def test_run_uses_the_native_backend(tmp_hvm):
    result = hvm("run", tmp_hvm("@main = r\n  & @id ~ (3 r)\n@id = (a a)\n"), "-s", "-t", "1")
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Result: 3", "- ITRS: 3"]


@pytest.mark.parametrize("threads", ["1", "2"])
def test_run_c(tmp_hvm, threads):
    result = hvm("run-c", HVM_PROGRAMS / "adts_and_matches.hvm", "-s", "-t", threads)
    assert result.exit_code == 0
    assert result.stdout.startswith("Result: (24 (12 ((@String/Cons/tag (109 ")
    assert "- ITRS: 204\n" in result.stdout


def test_run_c_memory_limit(tmp_hvm):
    result = hvm("run-c", tmp_hvm(GROWING_TREE), "--mem", "64M", "-t", "1")  # 16M nodes: more than 64M holds
    assert result.exit_code == 1
    assert "error: out of memory: " in result.stderr
    assert "(--mem 64M); raise --mem" in result.stderr


def test_gen_llvm(tmp_hvm):
    result = hvm("gen-llvm", tmp_hvm("@main = (a a)"), "-t", "1")
    assert result.exit_code == 0
    assert '@"hvm_run"' in result.stdout and '@"hvm_def_0"' in result.stdout


def test_bad_threads_and_memory_are_usage_errors(tmp_hvm):
    path = tmp_hvm("@main = *")
    assert hvm("run-c", path, "-t", "0").exit_code == 2
    result = hvm("run-c", path, "--mem", "96G")
    assert result.exit_code == 2 and "at most 95G" in result.output


def test_memory_past_32_bit_ports_runs_on_64_bit_ports(tmp_hvm):
    path = tmp_hvm("@main = a\n  & @id ~ (1 a)\n@id = (x x)\n")
    result = hvm("run-c", path, "--mem", "7G", "-s")
    assert result.exit_code == 0 and result.stdout.startswith("Result: 1")


def test_check_ok(tmp_hvm):
    path = tmp_hvm("@main = a\n  & @id ~ (1 a)\n@id = (x x)\n")
    result = hvm("check", path)
    assert result.exit_code == 0
    assert "ok (2 definitions)" in result.stdout


@pytest.mark.parametrize(
    "text, message, place",
    [
        ("@main = (a b", "expected `)` to close the `(` opened at 1:9", ":1:13"),
        ("@main = @nope", "@nope is not defined", ":1:9"),
        ("@main = (a b)", "variable `a` occurs only once in @main", ":1:10"),
        ("@main = (a {a a})", "variable `a` occurs 3 times in @main", ":1:15"),
        ("@other = *", "the book has no @main definition", "net.hvm"),
    ],
)
@pytest.mark.parametrize("command", ["check", "run-py"])
def test_bad_input_is_reported_with_its_place(tmp_hvm, command, text, message, place):
    result = hvm(command, tmp_hvm(text))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"error: {message}" in result.stderr
    assert place in result.stderr


def test_errors_show_the_line_and_a_caret(tmp_hvm):
    result = hvm("check", tmp_hvm("@main = *\n  & @nope ~ *\n"))
    lines = result.stderr.splitlines()
    assert lines[0] == "error: @nope is not defined"
    assert lines[1].endswith("net.hvm:2:5")
    assert lines[3] == "2 |   & @nope ~ *"
    assert lines[4] == "  |     ^^^^^"


def test_every_problem_is_reported(tmp_hvm):
    result = hvm("check", tmp_hvm("@main = (a b)\n"))
    assert result.stderr.count("error:") == 2


def test_missing_file(tmp_path):
    result = hvm("run-py", tmp_path / "nope.hvm")
    assert result.exit_code == 1
    assert "error: cannot read" in result.stderr and "no such file" in result.stderr


def test_directory_and_binary_files(tmp_path):
    assert "it is a directory" in hvm("check", tmp_path).stderr
    binary = tmp_path / "b.hvm"
    binary.write_bytes(b"\xff\xfe\x00")
    result = hvm("check", binary)
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_memory_limit_message(tmp_hvm):
    source = (HVM_PROGRAMS / "list_sum.hvm").read_text()
    result = hvm("run-py", tmp_hvm(source), "--mem", "64K")
    assert result.exit_code == 1
    assert "error: out of memory: " in result.stderr
    assert "(--mem 64K); raise --mem" in result.stderr


def test_usage_errors_exit_with_2(tmp_hvm):
    assert hvm("run-py", tmp_hvm("@main = *"), "--mem", "lots").exit_code == 2
    assert hvm("run-py").exit_code == 2
    assert hvm("frobnicate").exit_code == 2


def test_run_cu_without_a_gpu_fails_at_once_with_the_reason(tmp_hvm, no_gpu):
    result = hvm("run-cu", tmp_hvm("@main = *"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no CUDA GPU available (")
    assert "--launcher host" in result.stderr


def test_run_cu_on_the_emulated_gpu(tmp_hvm):
    result = hvm("run-cu", tmp_hvm("@main = r\n  & @id ~ (42 r)\n@id = (x x)\n"), "--launcher", "host", "-s")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["Result: 42", "- ITRS: 3"]


def test_gen_cu_prints_the_kernels_ptx(tmp_hvm):
    result = hvm("gen-cu", tmp_hvm("@main = r\n  & @id ~ (42 r)\n@id = (x x)\n"), "--arch", "sm_90")
    assert result.exit_code == 0
    assert "//   @id: fid 1, 1 nodes, 0 redexes, 1 vars, safe" in result.stdout
    assert ".target sm_90" in result.stdout and ".entry hvm_turn" in result.stdout
    assert hvm("gen-cu", tmp_hvm("@main = *"), "--arch", "sm_12").exit_code == 2
    assert hvm("run-cu", tmp_hvm("@main = *"), "--launcher", "opencl").exit_code == 2


def test_installed_command_runs(tmp_hvm):
    # the console script's entry point, as a separate process
    path = tmp_hvm("@main = r\n  & @id ~ (42 r)\n@id = (x x)\n")
    code = "import sys; from hvm.cli import main; sys.argv = ['hvm', 'run-py', sys.argv[1], '-s']; main()"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["Result: 42", "- ITRS: 3"]


LOOP = "@loop = (a b)\n  & @loop ~ (a b)\n@main = r\n  & @loop ~ (1 r)\n"


@pytest.mark.parametrize("command", ["run-c", "run-py"])
def test_timeout(tmp_hvm, command):
    result = hvm(command, tmp_hvm(LOOP), "--timeout", "0.5")
    assert result.exit_code == 1
    assert "error: time limit reached: the run took more than 0.5s; raise --timeout" in result.stderr


def test_ctrl_c_stops_a_native_run(tmp_hvm):
    # a process of its own, interrupted as a terminal would do it, once it is reducing: then
    # it has the Python thread that calls the runtime (a sequential net, as this one, runs on
    # that one thread: the others start only when there is work to share)
    import signal
    import time as clock
    from pathlib import Path

    path = tmp_hvm(LOOP)
    proc = subprocess.Popen([sys.executable, "-m", "hvm", "run-c", str(path), "-t", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    status = Path(f"/proc/{proc.pid}/status")
    deadline = clock.monotonic() + 60
    while clock.monotonic() < deadline and proc.poll() is None:
        threads = int(next(line for line in status.read_text().splitlines() if line.startswith("Threads:")).split()[1])
        if threads >= 2:
            break
        clock.sleep(0.05)
    clock.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
