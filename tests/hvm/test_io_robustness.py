"""IO that cannot go as planned (issue 11): output to a full disk, a closed stdout or a pipe
closed early, input from a closed stdin, a time limit over a program that keeps printing; and
input of any size read in time linear in it (the net stays in memory between IO calls: a
resume costs what it changes, not the size of the continuation).

The commands run in a subprocess, as a user runs them (`> /dev/full`, `>&-`, `<&-`, `| head`);
the inputs are built here."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from hvm.io import Host, PortReader, run_io
from hvm.runtime import get_backend
from hvm.syntax import parse_book, show_tree

MAGIC = "(13683217 16719857)"


def ctor(tag: int, *fields: str, k: str) -> str:
    chain = k
    for f in reversed([str(tag), *fields]):
        chain = f"({f} {chain})"
    return f"({chain} {k})"


def string(text: str, prefix: str) -> str:
    t = ctor(0, k=f"{prefix}n")
    for i, c in reversed(list(enumerate(text))):
        t = ctor(1, str(ord(c)), t, k=f"{prefix}{i}")
    return t


def call(func: str, argm: str, cont: str, prefix: str) -> str:
    """IO/Call func argm cont, in HVM2's numeric encoding."""
    return ctor(1, MAGIC, string(func, prefix + "f"), argm, cont, k=f"{prefix}k")


def done(value: str, prefix: str) -> str:
    return ctor(0, MAGIC, value, k=f"{prefix}k")


def write_net(text: bytes, then: str) -> str:
    """@main: WRITE `text` to stdout, then `then` (a reference to the next IO)."""
    data = ctor(0, k="dn")
    for i, b in reversed(list(enumerate(text))):
        data = ctor(1, str(b), data, k=f"d{i}")
    return call("WRITE", f"(1 {data})", f"(* {then})", "w")


# @main prints "hello\n" and ends with 42; @loop prints forever; @read reads 3 bytes of stdin
HELLO = f"@main = {write_net(b'hello' + bytes([10]), '@end')}\n@end = {done('42', 'e')}\n"
LOOP = f"@main = {write_net(b'line' + bytes([10]), '@main')}\n"
READ = f"@main = {call('READ', '(0 3)', '(x ' + done('x', 'r') + ')', 'c')}\n"


def hvm(*args: str, net: str, tmp_path, stdin=None, stdout=subprocess.PIPE, shell_tail: str = "",
        timeout: float = 120) -> subprocess.CompletedProcess:
    path = tmp_path / "net.hvm"
    path.write_text(net)
    command = [sys.executable, "-m", "hvm", *args, str(path)]
    if shell_tail:  # e.g. `>&-`: the stream closed before the command starts
        command = ["bash", "-c", f'exec "$0" "$@" {shell_tail}', *command]
    return subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)


COMMANDS = [["run-py"], ["run-c", "-t", "2"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_full_disk_is_an_error(command, tmp_path):
    for net in (HELLO, "@main = 42\n"):  # a print, or only the result
        with open("/dev/full", "wb") as full:
            result = hvm(*command, net=net, tmp_path=tmp_path, stdout=full)
        assert result.returncode == 1
        assert result.stderr.decode() == "error: cannot write output: No space left on device\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_output_to_a_closed_stdout_is_an_error(command, tmp_path):
    for net in (HELLO, "@main = 42\n"):  # HVM2's runner exits 0 here, and the result is lost
        result = hvm(*command, net=net, tmp_path=tmp_path, shell_tail=">&-")
        assert result.returncode == 1
        assert result.stderr.decode() == "error: cannot write output: stdout is closed\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_stdin_is_an_error_value_for_the_program(command, tmp_path):
    result = hvm(*command, net=READ, tmp_path=tmp_path, shell_tail="<&-")
    assert result.returncode == 0 and result.stderr == b""
    # Result/Err (IOError/Inner 9): EBADF
    assert result.stdout == f"Result: ((0 ({MAGIC} (((1 (((2 (+9 a)) a) b)) b) c))) c)\n".encode()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_pipe_closed_early_ends_quietly(command, tmp_path):
    path = tmp_path / "net.hvm"
    path.write_text(LOOP)
    process = subprocess.Popen([sys.executable, "-m", "hvm", *command, str(path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"line\n"
    process.stdout.close()  # as `head -1` does once it has its line
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141  # as a C program that SIGPIPE ends (128 + 13)
    assert stderr == b""


@pytest.mark.parametrize("command", COMMANDS)
def test_the_timeout_bounds_a_program_that_keeps_printing(command, tmp_path):
    # each run between two prints is short: the limit is for the whole program
    result = hvm(*command, "--timeout", "1", net=LOOP, tmp_path=tmp_path, stdout=subprocess.DEVNULL)
    assert result.returncode == 1
    assert result.stderr.decode() == "error: time limit reached: the run took more than 1s; raise --timeout\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_timeout_bounds_a_wait_for_input(command, tmp_path):
    # stdin is a pipe whose writer never writes (nor closes it): the read waits, up to the limit
    path = tmp_path / "net.hvm"
    path.write_text(READ)
    read_end, write_end = os.pipe()
    try:
        result = subprocess.run([sys.executable, "-m", "hvm", *command, "--timeout", "1", str(path)],
                                stdin=read_end, capture_output=True, timeout=120)
    finally:
        os.close(read_end)
        os.close(write_end)
    stderr = result.stderr
    assert result.returncode == 1 and result.stdout == b""
    assert stderr.decode() == "error: time limit reached: the run took more than 1s; raise --timeout\n"


def test_the_timeout_bounds_a_sleep():
    sleep = f"@main = {call('SLEEP', '(60 0)', '(x ' + done('x', 'r') + ')', 'c')}\n"  # 60 * 2^24 ns: 1007 s
    from hvm.errors import LimitError

    with pytest.raises(LimitError, match="time limit reached: the run took more than 0.2s"):
        run_io(get_backend("py"), parse_book(sleep), host=Host(stdout=io.BytesIO()), timeout=0.2)


# -- reading in time linear in the input


def read_all(n: int) -> str:
    """@main reads `n` bytes of stdin in one READ and ends with the list of them."""
    return f"@main = {call('READ', f'(0 {n})', '(x ' + done('x', 'r') + ')', 'c')}\n"


@pytest.mark.parametrize("backend", ["py", "c"])
def test_a_large_read_is_laid_out_in_memory_at_once(backend):
    data = bytes(range(256)) * 4096  # 1 MiB
    host = Host(stdin=io.BytesIO(data), stdout=io.BytesIO())
    result = run_io(get_backend(backend), parse_book(read_all(len(data))), host=host, threads=1)
    from hvm.io import Reader

    r = Reader(parse_book("@main = *"))
    _, (_, answer) = r.constructor(result.tree)
    tag, (value,) = r.constructor(answer)
    assert tag == 0 and r.data(value) == data


def test_the_backends_count_the_same_interactions_for_a_large_read():
    data = b"x" * 5000
    counts = []
    for backend in ("py", "c"):
        host = Host(stdin=io.BytesIO(data), stdout=io.BytesIO())
        book = parse_book(read_all(len(data)))
        counts.append(run_io(get_backend(backend), book, host=host, threads=1).stats.rules)
    assert counts[0] == counts[1]


def test_the_reader_reads_ports_in_place():
    # (a unit test of the session interface: the call's function name is read without a tree)
    from hvm.reference import ReferenceBackend

    session = ReferenceBackend().session(parse_book(HELLO))
    session.start()
    reader = PortReader(session)
    func, _, _ = reader.io_call(session.root())
    assert func == "WRITE"


def test_a_continuation_that_shares_a_wire_with_the_call_gets_the_whole_result():
    # argm is `x`, and the continuation `λ* (IO/Done x)` holds its other end: the call's rest
    # cannot be dropped, so the result meets `(λ* λ* λ* λ* λcont (cont answer) ROOT)`, which
    # erases the argument (x becomes `*`); as the IO loop did when it read the net back each time
    net = "@main = " + call("GET_TIME", "x", f"(* {done('x', 'd')})", "c") + "\n"
    results = []
    for backend in ("py", "c"):
        result = run_io(get_backend(backend), parse_book(net), host=Host(stdout=io.BytesIO()), threads=1)
        results.append((show_tree(result.tree), result.stats.rules))
    assert results[0] == results[1]
    assert results[0][0] == f"((0 ({MAGIC} (* a))) a)" and sum(results[0][1].values()) - results[0][1]["LINK"] == 80


def test_a_stdout_of_text_gets_the_output_as_text(monkeypatch):
    # Python code that replaced sys.stdout by an io.StringIO (no byte buffer under it)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    run_io(get_backend("py"), parse_book(HELLO))
    assert out.getvalue() == "hello\n"


def test_a_closed_stdout_in_process_is_an_output_error(monkeypatch):
    from hvm.io import OutputError

    monkeypatch.setattr(sys, "stdout", None)  # (what Python makes of a closed fd 1)
    with pytest.raises(OutputError, match="cannot write output: stdout is closed"):
        run_io(get_backend("py"), parse_book(HELLO))
