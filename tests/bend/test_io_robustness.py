"""Bend programs whose IO cannot go as planned (issue 11): `bend run` to a full disk, a closed
stdout, a pipe closed early, from a closed stdin; a time limit over a program that keeps
printing; an argument too long for the run's memory; and input read in time linear in its
size (IO/input of a long line, read_file and stdin of a megabyte: each finishes, and gives the
right length; how fast is bench/io_read.py's to measure). The inputs are built here."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from bend.runner import run_compiled
from hvm.io import Host

PRINT = """
def main():
  with IO:
    * <- IO/print("hello\\n")
    return wrap(42)
"""

PRINT_FOREVER = """
def loop(n):
  with IO:
    * <- IO/print("a line\\n")
    return loop(n + 1)

def main():
  return loop(0)
"""

INPUT = """
def main():
  with IO:
    line <- IO/input()
    match line:
      case Result/Ok:
        (n, *) = List/length(line.val)
        return wrap(n)
      case Result/Err:
        return wrap(line.val)
"""

READ_FILE = """
def main(path):
  with IO:
    res <- IO/FS/read_file(path)
    match res:
      case Result/Ok:
        (n, *) = List/length(res.val)
        return wrap(n)
      case Result/Err:
        return wrap(res.val)
"""

READ_STDIN = """
def main():
  with IO:
    res <- IO/FS/read_to_end(IO/FS/STDIN)
    match res:
      case Result/Ok:
        (n, *) = List/length(res.val)
        return wrap(n)
      case Result/Err:
        return wrap(res.val)
"""

LENGTH = """
def len(s):
  match s:
    case String/Nil:
      return 0
    case String/Cons:
      return 1 + len(s.tail)

def main(s):
  return len(s)
"""


def bend(source: str, *args: str, tmp_path, command: str = "run-c", stdin=None, stdout=subprocess.PIPE,
         shell_tail: str = "", timeout: float = 300) -> subprocess.CompletedProcess:
    path = tmp_path / "prog.bend"
    path.write_text(source)
    line = [sys.executable, "-m", "bend", command, str(path), *args]
    if command != "run-py":
        line += ["-t", "2"]
    if shell_tail:  # e.g. `>&-`: the stream closed before the command starts
        line = ["bash", "-c", f'exec "$0" "$@" {shell_tail}', *line]
    return subprocess.run(line, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)


def result_of(completed: subprocess.CompletedProcess) -> str:
    assert completed.returncode == 0, completed.stderr.decode()
    return completed.stdout.decode().splitlines()[-1]


def done_with(text: str, value) -> bool:
    """Whether `text` shows IO/Done with the value (whatever the form Bend's readback gives it)."""
    return "IO/Done" in text and re.search(rf"(?<![\w+-]){re.escape(str(value))}(?![\w.])", text) is not None


@pytest.mark.parametrize("command", ["run-c", "run-py"])
def test_output_to_a_full_disk_is_an_error(command, tmp_path):
    with open("/dev/full", "wb") as full:
        completed = bend(PRINT, tmp_path=tmp_path, command=command, stdout=full)
    assert completed.returncode == 1
    assert completed.stderr.decode() == "error: cannot write output: No space left on device\n"


def test_output_to_a_closed_stdout_is_an_error(tmp_path):
    completed = bend(PRINT, tmp_path=tmp_path, shell_tail=">&-")
    assert completed.returncode == 1
    assert completed.stderr.decode() == "error: cannot write output: stdout is closed\n"


@pytest.mark.parametrize("command", ["run-c", "run-py"])
def test_a_closed_stdin_is_an_error_value_for_the_program(command, tmp_path):
    completed = bend(INPUT, tmp_path=tmp_path, command=command, shell_tail="<&-")
    assert done_with(result_of(completed), "+9")  # EBADF
    assert completed.stderr == b""


def test_a_pipe_closed_early_ends_quietly(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(PRINT_FOREVER)
    process = subprocess.Popen([sys.executable, "-m", "bend", "run-c", str(path), "-t", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"a line\n"
    process.stdout.close()  # as `head -1` does once it has its line
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 141  # as a C program that SIGPIPE ends (128 + 13)
    assert stderr == b""


def test_the_timeout_bounds_a_program_that_keeps_printing(tmp_path):
    completed = bend(PRINT_FOREVER, "--timeout", "2", tmp_path=tmp_path, stdout=subprocess.DEVNULL)
    assert completed.returncode == 1
    assert completed.stderr.decode() == "error: time limit reached: the run took more than 2s; raise --timeout\n"


def test_an_argument_too_long_for_the_memory_is_an_error(tmp_path):
    # (the same check stops a billion characters, before any of them is parsed)
    text = '"' + "a" * 30_000 + '"'
    completed = bend(LENGTH, text, "--mem", "1M", tmp_path=tmp_path, command="run-py")
    assert completed.returncode == 1
    assert completed.stderr.decode().startswith(
        "error: argument 1 is too long: 30002 characters, where the memory of the run (1M) holds a string of at "
        "most 21845\n")
    assert "raise --mem" in completed.stderr.decode()
    assert result_of(bend(LENGTH, text, tmp_path=tmp_path)) == "Result: 30000"


# -- reading in time linear in the input (each of these took minutes)


def test_input_reads_a_long_line(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(("é" * 500 + "x" * 1000).encode() + b"\nnext line\n")  # 2,000 bytes, 1,500 characters
    with open(path, "rb") as stdin:
        assert done_with(result_of(bend(INPUT, tmp_path=tmp_path, stdin=stdin)), 1500)


def test_read_file_reads_a_megabyte(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4096)
    assert done_with(result_of(bend(READ_FILE, f'"{path}"', tmp_path=tmp_path)), 1 << 20)


def test_stdin_is_read_to_its_end(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\xff\x00" * (3 << 19))  # 3 MiB: three chunks of IO/FS/read_to_end
    with open(path, "rb") as stdin:
        assert done_with(result_of(bend(READ_STDIN, tmp_path=tmp_path, stdin=stdin)), 3 << 20)


@pytest.mark.parametrize("backend", ["py", "c"])
def test_the_backends_agree_on_a_long_input(backend):
    from bend.compiler import compile_program, load
    from pathlib import Path

    line = b"y" * 2000 + b"\n"
    program = load(Path("<input>"), INPUT)
    compiled = compile_program(program, None, [])
    host = Host(stdin=io.BytesIO(line), stdout=io.BytesIO())
    outcome = run_compiled(compiled, backend, host=host, threads=1)
    assert done_with(outcome.text, 2000)
    # the same count on every backend; one IO call per byte, each a few hundred interactions
    assert outcome.stats.interactions == 574282


@pytest.mark.parametrize("backend", ["py", "c"])
def test_an_io_call_leaves_no_garbage_behind(backend):
    # The rest of an answered call (its name, its argument, its spine) is freed: a program that
    # prints 2,000 times needs no more memory than one that prints 200 times.
    from bend.compiler import compile_program, load
    from pathlib import Path

    def peak(times: int) -> int:
        source = f"""
def loop(n):
  if n == {times}:
    return IO/wrap(0)
  else:
    with IO:
      * <- IO/print("a line\\n")
      return loop(n + 1)

def main():
  return loop(0)
"""
        compiled = compile_program(load(Path("<loop>"), source), None, [])
        outcome = run_compiled(compiled, backend, host=Host(stdout=io.BytesIO()), threads=1)
        return outcome.stats.peak_nodes

    assert peak(2000) <= peak(200) + 100
