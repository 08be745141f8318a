"""The native runtime's 64-bit port mode (hvm.llvm_cpu.backend.port_bits): the same results and
interaction counts as 32-bit ports, on one thread and several, for plain, specialized and big
books, IO included; and nets whose node and var indices are past what 32-bit ports address."""

from __future__ import annotations

import io

import pytest
from support import HVM_PROGRAMS

from bend.compiler import compile_source
from hvm.io import Host, run_io
from hvm.llvm_cpu import backend
from hvm.llvm_cpu.backend import MEMORY_32, NativeBackend, port_bits
from hvm.syntax import parse_book, show_tree

NETS = {
    "church": "@main = a\n  & @c2 ~ (@c2 (@c2 (@c2 (@not (@t a)))))\n"
              "@c2 = ({(a b) (b c)} (a c))\n@not = ((a (b c)) (b (a c)))\n@t = (a (* a))\n",
    "sum": "@main = a\n  & @sum ~ (18 a)\n"
           "@sum = (?((@sum__C0 @sum__C1) a) a)\n@sum__C0 = 1\n"
           "@sum__C1 = ({a b} c)\n  & @sum ~ (a $([+] $(d c)))\n  & @sum ~ (b d)\n",
    "numbers": "@main = a\n  & $(3 $(b a)) ~ [*0x0000005]\n  & $(1.5 b) ~ [+]\n",
}


def both(book, **options):
    """(tree text, interaction counts by rule) with 32-bit and with 64-bit ports."""
    runs = [NativeBackend().run(book, ports=bits, **options) for bits in (32, 64)]
    return [(show_tree(r.tree), r.stats.rules) for r in runs]


def test_the_width_follows_the_memory():
    assert port_bits(1 << 30) == 32 and port_bits(MEMORY_32) == 32
    assert port_bits(MEMORY_32 + (1 << 20)) == 64
    assert port_bits(1 << 30, 64) == 64
    with pytest.raises(ValueError, match="32 or 64"):
        port_bits(1 << 30, 48)
    with pytest.raises(ValueError, match="32 address at most 6G"):
        port_bits(8 << 30, 32)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", sorted(NETS))
def test_same_results_and_counts(name, threads):
    narrow, wide = both(parse_book(NETS[name]), threads=threads, memory=64 << 20)
    assert narrow == wide


@pytest.mark.parametrize("specialize", [True, False])
def test_plain_and_specialized_code(specialize):
    narrow, wide = both(parse_book(NETS["sum"]), threads=2, memory=64 << 20, specialize=specialize, tiered=False)
    assert narrow == wide


def test_a_big_book_on_tables(monkeypatch):
    monkeypatch.setattr(backend, "BIG_BOOK", 4)  # (every definition from hvm.llvm_cpu.table_ir)
    book = parse_book(NETS["sum"] + "".join(f"@pad{i} = (a a)\n" for i in range(8)))
    narrow, wide = both(book, threads=2, memory=64 << 20)
    assert narrow == wide


def test_a_large_definition_from_its_template():
    # a definition of more than defs_ir.LARGE nodes is copied from a table by a loop
    items = "".join(f"({i} " for i in range(300)) + "*" + ")" * 300
    book = parse_book(f"@main = a\n  & @big ~ (* a)\n@big = (* {items})\n")
    narrow, wide = both(book, threads=1, memory=64 << 20)
    assert narrow == wide and narrow[0].startswith("(0 (1 (2")


def test_past_32_bit_addresses():
    """Every node and var the run makes has an index past 2^29 (what a 32-bit port holds): the
    session's cursors start there. Pages are backed when touched, so this costs little."""
    book = parse_book(NETS["sum"])
    expected = NativeBackend().run(book, threads=2, memory=64 << 20)
    start = (1 << 29) + 12345
    session = NativeBackend().session(book, threads=2, memory=(start + (1 << 20)) * 24)
    try:
        assert session.wide
        session.net.node_top = session.net.vars_top = start
        session.start()
        root = session.root()
        tree = session.read_tree(root)
        stats = session.stats()
    finally:
        session.close()
    assert show_tree(tree) == show_tree(expected.tree) and stats.rules == expected.stats.rules


IO_PROGRAM = '''
def main() -> IO(u24):
  with IO:
    line <- IO/input()
    match line:
      case Result/Ok:
        * <- IO/print(String/concat("got: ", String/concat(line.val, "\\n")))
        return wrap(7)
      case Result/Err:
        return wrap(0)
'''


@pytest.mark.parametrize("threads", [1, 2])
def test_io_in_the_64_bit_mode(threads):
    book = compile_source(IO_PROGRAM, "io.bend").hvm
    outputs = []
    for bits in (32, 64):
        host = Host(stdin=io.BytesIO(b"a b c d\n"), stdout=io.BytesIO(), stderr=io.BytesIO())
        result = run_io(NativeBackend(), book, host=host, threads=threads, memory=64 << 20, ports=bits)
        outputs.append((host.stdout.getvalue(), show_tree(result.tree), result.stats.rules))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == b"got: a b c d\n"


READ_FILE = '''
def main():
  with IO:
    res <- IO/FS/read_file("PATH")
    match res:
      case Result/Ok:
        return wrap(res.val)
      case Result/Err:
        return wrap([])
'''


def test_a_large_read_in_the_64_bit_mode(tmp_path):
    """A file's bytes are an answer large enough to be written natively (bytes_ir)."""
    data = tmp_path / "data.bin"
    data.write_bytes(bytes(range(256)) * 8)
    book = compile_source(READ_FILE.replace("PATH", str(data)), "read.bend").hvm
    runs = [run_io(NativeBackend(), book, threads=2, memory=64 << 20, ports=bits) for bits in (32, 64)]
    narrow, wide = ((show_tree(r.tree), r.stats.rules) for r in runs)
    assert narrow == wide and narrow[0].count("255") >= 8


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bitonic_sort", "tree_sum", "list_sum", "adts_and_matches"])
def test_shared_programs(name):
    book = parse_book((HVM_PROGRAMS / f"{name}.hvm").read_text())
    narrow, wide = both(book, threads=2)
    assert narrow == wide
