"""Threads that never hurt (hvm.llvm_cpu.backend.NativeSession.reduce): with several threads,
the first works alone on one thread's code until it holds work to share; a sequential net
never leaves it, a parallel one goes on on every thread, with the same result and count.
More threads than the machine can use run as many as it can, with a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import HVM_PROGRAMS, fib_itrs, run_text

from hvm.llvm_cpu import backend
from hvm.llvm_cpu.backend import NativeBackend, ThreadsWarning
from hvm.syntax import parse_book, show_tree

# a sequential net: a loop that counts down (one redex at a time)
COUNTDOWN = """
@main = a
  & @loop ~ (100000 a)
@loop = (?((0 @loop_more) a) a)
@loop_more = (a b)
  & @loop ~ (a b)
"""


def phases(monkeypatch) -> list[str]:
    """Which code each stretch of the next runs reduces on: "alone" or "parallel"."""
    seen: list[str] = []
    reduce_with = backend.NativeSession.reduce_with

    def record(session, program, entry):
        seen.append("alone" if program is session.alone else "parallel")
        return reduce_with(session, program, entry)

    monkeypatch.setattr(backend.NativeSession, "reduce_with", record)
    return seen


@pytest.mark.parametrize("threads", [2, 4])
def test_a_sequential_net_runs_on_one_threads_code_to_its_end(threads, monkeypatch):
    seen = phases(monkeypatch)
    expected, reference = run_text(COUNTDOWN)
    result = NativeBackend().run(parse_book(COUNTDOWN), threads=threads, tiered=False)
    assert seen == ["alone"]
    assert show_tree(result.tree) == expected
    assert result.stats.rules == reference.stats.rules


@pytest.mark.parametrize("threads", [2, 4])
def test_a_parallel_net_goes_on_on_every_thread(threads, monkeypatch):
    seen = phases(monkeypatch)
    text = (HVM_PROGRAMS / "fib.hvm").read_text().replace("(30 a)", "(22 a)")
    result = NativeBackend().run(parse_book(text), threads=threads, tiered=False)
    assert seen == ["alone", "parallel"]
    assert show_tree(result.tree) == "17711"
    assert result.stats.interactions == fib_itrs(22)


def test_more_threads_than_the_machine_can_use_are_capped_with_a_warning(monkeypatch):
    monkeypatch.setattr(backend, "default_threads", lambda: 2)
    with pytest.warns(ThreadsWarning, match=r"-t 5000 is more threads than this machine can use \(2 cores\): "
                                           r"running 64"):
        result = NativeBackend().run(parse_book(COUNTDOWN), threads=5000)
    assert result.stats.threads == 64
    assert show_tree(result.tree) == "0"


def test_the_cli_runs_a_trivial_net_at_once_whatever_the_thread_count(tmp_path):
    path = tmp_path / "trivial.hvm"
    path.write_text("@main = 42\n")
    run = subprocess.run([sys.executable, "-m", "hvm", "run-c", str(path), "-t", "4096"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Result: 42"
    assert "warning: -t 4096 is more threads than this machine can use" in run.stderr
