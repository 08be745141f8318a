"""bend.to_hvm: the nets the compiler makes, compared with the reference compiler's (Bend
0.2.38's `gen-hvm -Oeta`, in tests/programs/hvm/), and the interaction counts of whole runs."""

from __future__ import annotations

import itertools
import re

import pytest
from support import HVM_PROGRAMS, PROGRAMS, compile_bend, run_bend

from hvm.book import Net, Node, Var
from hvm.syntax import parse_book, show_tree

NAMES = ["adts_and_matches", "bitonic_sort", "church_not", "fib", "list_sum", "tree_sum"]


def expected_results() -> dict[str, tuple[str, int]]:
    """program -> (its result, the reference interaction count), from EXPECTED.md."""
    out = {}
    for line in (PROGRAMS / "EXPECTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].endswith(".bend") and re.match(r"^[\d,]+( |$)", cells[4]):
            out[cells[1][:-5]] = (cells[2].strip("`"), int(cells[4].split()[0].replace(",", "")))
    return out


def shape(tree) -> str:
    """The tree's text with the wires' names erased."""
    return re.sub(r"\b[a-z]+\b", "_", show_tree(tree))


def canonical(net: Net, order) -> str:
    """The net's text with wires renamed in order of appearance, redexes in the given order."""
    names: dict[str, str] = {}

    def rename(t):
        if type(t) is Var:
            return names.setdefault(t.name, f"v{len(names)}")
        if type(t) is Node:
            return f"{t.tag.name}({rename(t.fst)} {rename(t.snd)})"
        return show_tree(t)

    parts = [rename(net.root)]
    for a, b in order:
        parts.append(f"{rename(a)} ~ {rename(b)}")
    return "; ".join(parts)


def oriented(net: Net):
    return [tuple(sorted((r.a, r.b), key=shape)) for r in net.redexes]


def isomorphic(ours: Net, theirs: Net) -> bool:
    """Equal up to the names of wires and the order (and sides) of redexes."""
    mine, target = oriented(ours), oriented(theirs)
    if sorted(shape(a) + shape(b) for a, b in mine) != sorted(shape(a) + shape(b) for a, b in target):
        return False
    want = canonical(theirs, target)
    groups: dict[str, list] = {}
    for r in mine:
        groups.setdefault(shape(r[0]) + shape(r[1]), []).append(r)
    keys = [shape(a) + shape(b) for a, b in target]
    choices = [list(itertools.permutations(groups[k])) for k in dict.fromkeys(keys)]
    for combination in itertools.islice(itertools.product(*choices), 5000):
        pools = {k: list(p) for k, p in zip(dict.fromkeys(keys), combination)}
        order = [pools[k].pop(0) for k in keys]
        if canonical(ours, order) == want:
            return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_nets_are_the_reference_compilers(name):
    compiled = compile_bend((PROGRAMS / f"{name}.bend").read_text())
    reference = parse_book((HVM_PROGRAMS / f"{name}.hvm").read_text())
    assert set(compiled.hvm.defs) == set(reference.defs)
    different = [d for d in reference.defs if not isomorphic(compiled.hvm.defs[d].net, reference.defs[d].net)]
    assert not different, different


@pytest.mark.parametrize("name", NAMES)
def test_results_and_interactions_are_the_reference_compilers(name):
    result, interactions = expected_results()[name]
    outcome = run_bend((PROGRAMS / f"{name}.bend").read_text(), "c", threads=2)
    assert outcome.text == result
    assert outcome.stats.interactions == interactions


def test_hello_io_prints_then_gives_the_finished_action():
    import io

    from hvm.io import Host

    out = io.BytesIO()
    outcome = run_bend((PROGRAMS / "hello_io.bend").read_text(), "c", host=Host(stdout=out))
    assert out.getvalue() == b"interaction nets say hi\n"
    assert outcome.text == "λa (a IO/Done/tag IO/MAGIC 42)"


SCALED = {  # small versions of the shared programs, for the reference evaluator
    "tree_sum": ("total(build(20))", "total(build(5))"),
    "bitonic_sort": ("16", "4"),
    "list_sum": ("1_000_000", "300"),
    "fib": ("(Fib 30)", "(Fib 12)"),
    "church_not": ("1_000_000", "301"),
}


@pytest.mark.parametrize("name", sorted(SCALED))
def test_native_and_reference_backends_agree_on_compiled_programs(name):
    old, new = SCALED[name]
    source = (PROGRAMS / f"{name}.bend").read_text().replace(old, new)
    native = run_bend(source, "c", threads=2)
    reference = run_bend(source, "py")
    assert native.text == reference.text
    assert native.stats.rules == reference.stats.rules


def test_a_cycle_of_calls_in_active_position_is_reported():
    from support import bend_diagnostics

    source = """
def loop(x):
  return loop(x + 1)

def ping(n):
  return pong(n)

def pong(n):
  return ping(n)

def ok(n):
  switch n:
    case 0:
      return 0
    case _:
      return ok(n-1)

def main():
  return ok(3)
"""
    errors = [d for d in bend_diagnostics(source) if d.severity == "error"]
    messages = sorted(d.message for d in errors)
    assert len(messages) == 2
    assert messages[0].endswith("strict evaluation: loop -> loop")
    assert messages[1].endswith("strict evaluation: ping -> pong -> ping")
    assert [d.span.line_col()[0] for d in sorted(errors, key=lambda d: d.message)] == [2, 5]


LONG_LITERALS = """
def f(x):
  return x + 1

def main():
  y = 7
  return (f(1), ("%s", [%s], [%s]))
""" % ("ab" * 150, ", ".join(str(i) for i in range(300)), ", ".join(["f(y)", "y", "List/Nil", "'x'", '"s"'] * 30))


def test_long_literals_make_the_same_net_as_short_ones(monkeypatch):
    # bend.desugar.literals keeps long literals of the entry point flat, and strings and lists of
    # numbers become hvm.book.Chain objects: written out, the net must be the one their chains of
    # constructor applications make (up to the order of redexes and the names of wires)
    from bend.desugar import literals
    from hvm.book import expand_chains
    from hvm.syntax import show_net

    def shapes(net) -> list[str]:  # each redex as text, its wires renamed by where they occur
        return sorted(re.sub(r"\b[a-z]+\b", "w", line) for line in show_net(net).splitlines()[1:])

    flat = compile_bend(LONG_LITERALS).hvm
    assert [len(c.numbs) for c in flat.defs["main"].net.chains] == [300, 300]
    monkeypatch.setattr(literals, "LONG", 10**9)
    chained = compile_bend(LONG_LITERALS).hvm
    assert set(flat.defs) == set(chained.defs)
    for name in flat.defs:
        assert shapes(flat.defs[name].net) == shapes(chained.defs[name].net), name
    assert len(expand_chains(flat.defs["main"].net).redexes) == len(chained.defs["main"].net.redexes)
    for backend in ("py", "c"):
        with monkeypatch.context() as m:
            m.setattr(literals, "LONG", 64)
            long = run_bend(LONG_LITERALS, backend)
        short = run_bend(LONG_LITERALS, backend)
        assert (long.text, long.stats.interactions) == (short.text, short.stats.interactions)
    result = run_bend(LONG_LITERALS)
    assert result.text.startswith('(2, ("abab') and result.text.endswith(', 8, 7, [], 120, "s"])))')


def test_a_very_long_string_and_list_compile_to_one_chain_each():
    # 200,000 characters and 20,000 numbers: each one hvm.book.Chain, not 4 trees per item
    text = "".join(chr(97 + i % 26) for i in range(200_000))
    numbers = ", ".join(str(i % 1000) for i in range(20_000))
    source = f'def main():\n  (n, *) = List/length(String/encode_ascii("{text}"))\n  return (n, List/sum([{numbers}]))\n'
    net = compile_bend(source).hvm.defs["main"].net
    assert sorted(len(c.numbs) for c in net.chains) == [20_000, 200_000]
    assert run_bend(source).text == f"(200000, {sum(i % 1000 for i in range(20_000))})"
