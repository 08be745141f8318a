"""hvm.reference: the sequential evaluator, rule by rule, on the sample programs, and its
independence from the order in which redexes are reduced."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import HVM_PROGRAMS, fib_itrs, run_text

from hvm.errors import LimitError
from net_strategies import HELPER_NAMES, main_with_helpers, nets, small_numbs


def counts(result) -> dict[str, int]:
    """Per-rule interactions, leaving out the rules that did not happen."""
    return {rule: n for rule, n in result.stats.rules.items() if n}


# -- each rule on its own. The boot redex `@main ~ ROOT` is always one CALL.


@pytest.mark.parametrize(
    "text, expected, rules",
    [
        # ANNI: (x r) ~ (5 x)  ==>  x ~ 5, r ~ x
        ("@main = r\n  & (x r) ~ (5 x)", "5", {"CALL": 1, "ANNI": 1}),
        # ERAS: * ~ {a b}  ==>  a ~ *, b ~ *
        ("@main = (a b)\n  & * ~ {a b}", "(* *)", {"CALL": 1, "ERAS": 1}),
        # ERAS copies a number: 7 ~ {a b}
        ("@main = (a b)\n  & 7 ~ {a b}", "(7 7)", {"CALL": 1, "ERAS": 1}),
        # VOID: nullary meets nullary
        ("@main = 1\n  & * ~ 2", "1", {"CALL": 1, "VOID": 1}),
        # COMM: (a b) ~ {c d}  ==>  a ~ {x y}, b ~ {z w}, c ~ (x z), d ~ (y w)
        ("@main = (a (b (c d)))\n  & (a b) ~ {c d}", "({a b} ({c d} ((a c) (b d))))", {"CALL": 1, "COMM": 1}),
        # CALL: a definition is copied and its root linked
        ("@id = (a a)\n@main = r\n  & @id ~ (7 r)", "7", {"CALL": 2, "ANNI": 1}),
        # REF~DUP on a safe definition copies the reference (an ERAS)
        ("@id = (a a)\n@main = (a b)\n  & @id ~ {a b}", "(@id @id)", {"CALL": 1, "ERAS": 1}),
        # ... and on an unsafe one (it holds a DUP) expands it
        ("@dup = ({a b} (a b))\n@main = (a b)\n  & @dup ~ {a b}", None, {"CALL": 2, "COMM": 2, "ANNI": 1}),
        # ERA~REF drops the reference without expanding it (this one would never end)
        ("@loop = (a b)\n  & @loop ~ (a b)\n@main = 1\n  & * ~ @loop", "1", {"CALL": 1, "VOID": 1}),
        # OPER: [+4] ~ $(3 r): the operator's payload is the left operand
        ("@main = r\n  & 3 ~ $([+4] r)", "7", {"CALL": 1, "OPER": 1}),
        ("@main = r\n  & 3 ~ $([-10] r)", "7", {"CALL": 1, "OPER": 1}),
        ("@main = r\n  & 3 ~ $([:-10] r)", "16777209", {"CALL": 1, "OPER": 1}),
        # OPER with an operand still to come swaps: [*3] ~ $(a r) ==> a ~ $([*3] r); counted twice
        ("@four = 4\n@main = r\n  & [*3] ~ $(a r)\n  & @four ~ a", "12", {"CALL": 2, "OPER": 2}),
        # SWIT on 0: 0 ~ ?((10 S) r) ==> (r *) ~ (10 S)
        ("@main = r\n  & 0 ~ ?((10 @s) r)\n@s = *", "10", {"CALL": 1, "SWIT": 1, "ANNI": 1, "VOID": 1}),
        # SWIT on n+1: 4 ~ ?((Z S) r) ==> (* (3 r)) ~ (Z S); here S doubles the predecessor
        (
            "@main = r\n  & 4 ~ ?((10 ($([*2] y) y)) r)",
            "6",
            {"CALL": 1, "SWIT": 1, "ANNI": 2, "VOID": 1, "OPER": 1},
        ),
        # SWIT reads the 24-bit payload whatever the type: +0 is 0
        ("@main = r\n  & +0 ~ ?((10 @s) r)\n@s = *", "10", {"CALL": 1, "SWIT": 1, "ANNI": 1, "VOID": 1}),
    ],
)
def test_rules(text, expected, rules):
    result_text, result = run_text(text)
    if expected is not None:
        assert result_text == expected
    assert counts(result) == rules
    assert result.stats.interactions == sum(rules.values())


def test_unsafe_dup_expansion_result():
    # the two copies of @dup stay entangled through the DUP they each contain (worked by hand:
    # COMM of the root, ANNI of the two DUPs, COMM of the inner pair)
    text, _ = run_text("@dup = ({a b} (a b))\n@main = (a b)\n  & @dup ~ {a b}")
    assert text == "(({a b} (a c)) ({c d} (b d)))"


def test_dangling_result_wire_gets_a_name():
    text, _ = run_text("@main = (a a)")
    assert text == "(a a)"


def test_result_is_a_reference():
    text, _ = run_text("@main = @f\n@f = *")
    assert text == "@f"


def test_a_deep_result_reads_back_without_recursion():
    # @list n builds (n (n-1 (... (1 *)))) by recursion through SWI
    depth = 30_000
    book = f"""
    @main = r
      & @list ~ ({depth} r)
    @list = (?((* @list/s) r) r)
    @list/s = ({{n $([+1] m)}} (m l))
      & @list ~ (n l)
    """
    text, result = run_text(book)
    assert text.startswith(f"({depth} ({depth - 1} ")
    assert text.count("(") == depth


# -- the sample programs: result and exact ITRS, full size for the quick ones, scaled down for
# the big ones. The scaled counts come from closed forms in the program size; each closed form
# is anchored by giving exactly HVM2's count (EXPECTED.md) at the full size.


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


SCALED = {
    # name: (full size, size in tests, text to replace, (size -> text), (size -> result), (size -> ITRS))
    "tree_sum": (20, 10, "@build ~ (20 a)", lambda n: f"@build ~ ({n} a)",
                 lambda d: str(sum(range(2**d, 2 ** (d + 1))) % 2**24), lambda d: 78 * 2**d - 44),
    "bitonic_sort": (16, 8, "(16 ", lambda n: f"({n} ",
                     lambda d: str(sum(i * i for i in range(2**d)) % 2**24),
                     lambda d: 2**d * (41 * d * d + 81 * d + 286) // 4 - 45),
    "list_sum": (1_000_000, 5_000, "1000000", str, lambda n: str(sum(range(n)) % 2**24), lambda n: 42 * n + 29),
    "fib": (30, 18, "(30 a)", lambda n: f"({n} a)", lambda n: str(fib(n)), fib_itrs),
    "church_not": (1_000_000, 5_000, "1000000", str, lambda n: "(a (* a))" if n % 2 == 0 else "(* (a a))",
                   lambda n: 17 * n + 9),
}


def expected_table() -> dict[str, tuple[str, int]]:
    table = {}
    for line in (HVM_PROGRAMS / "EXPECTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].endswith(".hvm"):
            table[cells[1][:-4]] = (cells[2].strip("`"), int(cells[3].replace(",", "")))
    return table


EXPECTED = expected_table()


def test_expected_table_is_read():
    assert set(EXPECTED) == {"tree_sum", "bitonic_sort", "list_sum", "fib", "church_not", "adts_and_matches"}


@pytest.mark.parametrize("name", sorted(SCALED))
def test_closed_forms_give_hvm2_counts_at_full_size(name):
    full, _, _, _, result_of, itrs_of = SCALED[name]
    result, itrs = EXPECTED[name]
    assert itrs_of(full) == itrs
    assert result_of(full) == result


@pytest.mark.parametrize("name", sorted(SCALED))
def test_scaled_programs(name):
    full, small, pattern, replace, result_of, itrs_of = SCALED[name]
    source = (HVM_PROGRAMS / f"{name}.hvm").read_text()
    assert pattern in source
    text, result = run_text(source.replace(pattern, replace(small)))
    assert text == result_of(small)
    assert result.stats.interactions == itrs_of(small)


def test_scaled_sizes_follow_the_closed_forms():
    # several sizes per program, small enough to be quick
    for name, (_, _, pattern, replace, result_of, itrs_of) in SCALED.items():
        source = (HVM_PROGRAMS / f"{name}.hvm").read_text()
        for size in (1, 2, 3, 5):
            text, result = run_text(source.replace(pattern, replace(size)))
            assert (name, size, text, result.stats.interactions) == (name, size, result_of(size), itrs_of(size))


def test_adts_and_matches_at_full_size():
    expected, itrs = EXPECTED["adts_and_matches"]
    text, result = run_text((HVM_PROGRAMS / "adts_and_matches.hvm").read_text())
    assert text == expected
    assert result.stats.interactions == itrs


# -- independence from scheduling


def small_programs():
    for name, (_, _, pattern, replace, _, _) in sorted(SCALED.items()):
        yield name, (HVM_PROGRAMS / f"{name}.hvm").read_text().replace(pattern, replace(3))
    yield "adts_and_matches", (HVM_PROGRAMS / "adts_and_matches.hvm").read_text()


@pytest.mark.parametrize("name, source", list(small_programs()), ids=lambda v: v if len(v) < 40 else "")
@given(seed=st.integers(0, 2**32))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_shuffled_scheduling_gives_the_same_result_and_counts(name, source, seed):
    text, result = run_text(source)
    shuffled_text, shuffled = run_text(source, seed=seed)
    assert shuffled_text == text
    assert shuffled.stats.rules == result.stats.rules




@pytest.mark.slow
@given(net=nets(HELPER_NAMES, numbs=small_numbs, max_redexes=4, max_leaves=8), seed=st.integers(0, 2**32))
@settings(max_examples=300, deadline=None)
def test_random_nets_are_independent_of_scheduling(net, seed):
    text = main_with_helpers(net)
    try:
        result_text, result = run_text(text, max_interactions=2_000)
    except LimitError:
        assume(False)
    shuffled_text, shuffled = run_text(text, seed=seed, max_interactions=2_000)
    assert shuffled_text == result_text
    assert shuffled.stats.rules == result.stats.rules


# -- limits


def test_memory_limit_stops_with_a_message():
    source = (HVM_PROGRAMS / "list_sum.hvm").read_text()
    with pytest.raises(LimitError) as info:
        run_text(source, memory=64 << 10)
    assert info.value.message.startswith("out of memory: ")
    assert "(--mem 64K); raise --mem" in info.value.message


def test_interaction_limit_stops_a_loop():
    with pytest.raises(LimitError, match="interaction limit"):
        run_text("@loop = (a b)\n  & @loop ~ (a b)\n@main = r\n  & @loop ~ (1 r)", max_interactions=100_000)


def test_backend_reports_time_and_peak_memory():
    _, result = run_text((HVM_PROGRAMS / "fib.hvm").read_text().replace("(30 a)", "(10 a)"))
    assert result.stats.seconds > 0
    assert result.stats.mips > 0
    assert 0 < result.stats.peak_nodes < 1000
    assert result.stats.rules["LINK"] == 0
