"""Big books (hvm.llvm_cpu.table_ir): a book of tens of thousands of definitions runs, with the
results and interaction counts of compiled code, and its compile time and memory grow with it
linearly (bench/big_books.py measures them; a 30,000-definition chain once aborted inside LLVM).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import HVM_PROGRAMS, SCALED, run_text

from hvm.llvm_cpu import backend, table_ir
from hvm.llvm_cpu.backend import NativeBackend
from hvm.syntax import parse_book, show_tree


def chain(n: int) -> str:
    """`@main` calls f0, which calls f1, ... f(n-1), the identity: n definitions, each a CALL."""
    lines = ["@main = r\n  & @f0 ~ (5 r)"]
    lines += [f"@f{i} = (a b)\n  & @f{i + 1} ~ (a b)" for i in range(n - 1)]
    lines.append(f"@f{n - 1} = (a a)")
    return "\n".join(lines) + "\n"


def run_chain(tmp_path, n: int, *args: str):
    source = tmp_path / f"chain{n}.hvm"
    source.write_text(chain(n))
    env = dict(os.environ, HVM_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-m", "hvm", "run", "-s", str(source), *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, (done.returncode, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Result: 5", f"- ITRS: {2 * n + 1}"], done.stdout  # n + 1 CALLs, n ANNIs


def test_a_chain_of_3000_definitions(tmp_path):
    assert len(parse_book(chain(3000)).defs) > backend.BIG_BOOK  # (so it runs from tables)
    run_chain(tmp_path, 3000)


@pytest.mark.slow
def test_a_chain_of_30000_definitions(tmp_path):
    run_chain(tmp_path, 30_000)


@pytest.fixture
def every_book_is_big(monkeypatch):
    """Run every book from tables, as a big book runs."""
    monkeypatch.setattr(backend, "BIG_BOOK", 0)


def assert_same(text: str, threads: int):
    expected, reference = run_text(text)
    result = NativeBackend().run(parse_book(text), threads=threads)
    assert show_tree(result.tree) == expected
    assert result.stats.rules == reference.stats.rules


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", sorted(SCALED) + ["adts_and_matches"])
def test_tables_give_the_results_and_counts_of_compiled_code(every_book_is_big, name, threads):
    text = (HVM_PROGRAMS / f"{name}.hvm").read_text()
    if name in SCALED:
        text = text.replace(*SCALED[name])
    assert_same(text, threads)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_table_copies_a_safe_definition_and_expands_a_large_one(every_book_is_big, threads):
    # a safe definition met by a DUP is copied (ERAS); one with more slots than fit on the stack
    # (table_ir.SCRATCH) takes them from the heap
    big = "(x r)\n  & x ~ " + "$([+1] " * 300 + "r" + ")" * 300
    assert 300 > table_ir.SCRATCH
    assert_same(f"@big = {big}\n@main = (a (b c))\n  & @big ~ (5 a)\n  & @big ~ {{b c}}", threads)
    assert_same("@id = (a a)\n@main = (x y)\n  & @id ~ {x y}", threads)


def test_trampolines_serve_every_book(every_book_is_big):
    # a book with more definitions than a chunk of trampolines, and then a smaller one
    assert_same(chain(table_ir.CHUNK + 10), 1)
    assert_same(chain(3), 1)


def count_with_pads(n: int, pads: int) -> str:
    """A loop of n CALLs, and `pads` definitions that are never called (only erased)."""
    main = "@main = r\n  & @count ~ ({} r)".format(n) + "".join(f"\n  & @pad{i} ~ *" for i in range(pads))
    loop = "@count = (?((0 @count__C0) a) a)\n@count__C0 = (a b)\n  & @count ~ (a b)"
    return "\n".join([main, loop, *(f"@pad{i} = (a a)" for i in range(pads))]) + "\n"


@pytest.mark.parametrize("threads", [1, 2])
def test_a_big_book_specializes_the_parts_it_calls(tmp_path, monkeypatch, threads):
    from hvm import jit
    from hvm.flatbook import flatten

    monkeypatch.setenv("HVM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(backend, "BIG_BOOK", 8)
    monkeypatch.setattr(backend, "SPECIALIZED_PART", 4)
    monkeypatch.setattr(backend, "TIER_UP_AFTER", 0.0)  # (the worker starts at the first look)
    n, pads = 2_000_000, 20
    book = parse_book(count_with_pads(n, pads))
    flat = flatten(book)
    assert [d.name for d in flat.defs[:3]] == ["main", "count", "count__C0"]  # (all in the first part)
    statuses = []  # (of the workers: 0 when they wrote their parts)
    for _ in range(2):  # on tables while the worker compiles; then with its part from the cache
        result = NativeBackend().run(book, threads=threads)
        assert (show_tree(result.tree), result.stats.interactions) == ("0", 7 * n + 6 + pads)
        statuses += [worker.wait(timeout=300) for worker in list(backend._in_flight.values())]
    # (in either mode: a run on several threads may start on one thread's code)
    cached = [(parallel, fids) for parallel in {threads > 1, False}
              for path, fids in backend.specialized_parts(flat, parallel) if jit.read_cached(path) is not None]
    assert cached and all(fids == range(0, 4) for _, fids in cached), statuses  # the part called; the pads: tables
    program = backend.load_program(flat, cached[0][0])
    assert program.upgrade is not None and len(program.upgrade.parts) == len(backend.part_fids(len(flat.defs))) - 1


@pytest.mark.parametrize("name", ["fib"])
def test_a_big_book_compiled_first_by_parts(monkeypatch, name, tmp_path):
    from hvm.flatbook import flatten

    # --optimize-first: every part compiled before the run starts
    monkeypatch.setenv("HVM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(backend, "BIG_BOOK", 0)
    monkeypatch.setattr(backend, "SPECIALIZED_PART", 2)
    text = (HVM_PROGRAMS / f"{name}.hvm").read_text()
    if name in SCALED:
        text = text.replace(*SCALED[name])
    expected, reference = run_text(text)
    result = NativeBackend().run(parse_book(text), threads=2, tiered=False)
    assert (show_tree(result.tree), result.stats.rules) == (expected, reference.stats.rules)
    program = backend.load_program(flatten(parse_book(text)), True)
    assert program.upgrade is None  # (every part is in the cache now)
