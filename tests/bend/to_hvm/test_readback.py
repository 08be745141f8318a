"""bend.to_hvm.readback: nets read back as Bend terms, as Bend shows them."""

from __future__ import annotations

import pytest
from support import run_bend
from passes_support import rb

from bend.to_hvm.readback import show_number
from hvm import numbers


@pytest.mark.parametrize("tree, term", [
    ("(a a)", "λa a"),
    ("(* 1)", "λ* 1"),
    ("(1 2)", "(1, 2)"),
    ("((a b) (a b))", "λa λb (a b)"),
    ("((a a) 1)", "(λa a, 1)"),  # a CON whose first aux port holds a closed tree is a pair
    ("(a (b (a b)))", "λa λb λc b"),  # ... and a lambda when a wire leaves it (as Bend reads it)
    ("(a (b {a b}))", "λa λb {a b}"),
    ("{1 2}", "{1 2}"),
])
def test_readback_lambdas_pairs_applications_sups(tree, term):
    assert rb(tree) == term


@pytest.mark.parametrize("tree, term", [
    ("({a b} {{1 a} {1 b}})", "λa {{1 a} {1 a}}"),  # each copy of a duplicated value reads as the value
    ("({a b} {a b})", "λa a"),  # a superposition of a dup's two copies is what it duplicates
    ("({a b} (a b))", "λa λb a"),
])
def test_readback_dups_read_as_what_they_duplicate(tree, term):
    assert rb(tree) == term


@pytest.mark.parametrize("source, text", [
    ("main = λx switch x { 0: 0; _: (+ x-1 1) }", "λa switch a = a { 0: 0; _: (+ 1 a-1); }"),
    ("main = λx switch (+ x 1) { 0: 0; _: λy (+ y 1) }", "λa switch b = (+ 1 a) { 0: 0; _: λc (+ 1 c); }"),
])
def test_readback_switch_as_bend_shows_it(source, text):
    assert run_bend(source, "py").text == text


def test_readback_a_variable_used_outside_its_lambda_is_unscoped():
    assert rb("{(a 1) a}") == "{λ$a 1 $a}"
    assert run_bend("main = {λ$a 1 $a}", "py").text == "{λ$a 1 $a}"
    # (a pair whose first item is not closed reads as a lambda, as Bend reads it)
    assert run_bend("main = (λ$a 1, $a)", "py").text == "λa b"


@pytest.mark.parametrize("tree, term", [
    ("((@List/Cons/tag (1 (((@List/Cons/tag (2 (((@List/Nil/tag a) a) b))) b) c))) c)", "[1, 2]"),
    ("((@List/Nil/tag a) a)", "λa (a List/Nil/tag)"),  # alone, a nil is shown as Bend shows it
    ("((@String/Nil/tag a) a)", "λa (a String/Nil/tag)"),
    ("@List/Nil", "[]"),  # (a reference is shown sugared)
    ("@String/Nil", '""'),
    ("((@String/Cons/tag (104 (((@String/Nil/tag a) a) b))) b)", '"h"'),
    ("((1 (5 (((1 (6 (((0 a) a) b))) b) c))) c)", "[5, 6]"),  # built by the host: numeric tags
    ("((0 a) a)", "λa (a 0)"),
    ("((@Opt/Some/tag (2 a)) a)", "λa (a Opt/Some/tag 2)"),
])
def test_readback_strings_and_lists_are_resugared(tree, term):
    assert rb(tree) == term


def test_readback_strings_lists_and_data_from_a_run():
    src = 'type Opt = (Some v) | None\nmain = ("hi", [1, [2]], (Opt/Some "a"))\n'
    assert run_bend(src, "py").text == '("hi", ([1, [2]], λa (a Opt/Some/tag "a")))'


@pytest.mark.parametrize("numb, text_", [
    (numbers.new_u24(42), "42"), (numbers.new_u24(0xFFFFFF), "16777215"),
    (numbers.new_i24(42), "+42"), (numbers.new_i24(-3), "-3"), (numbers.new_i24(0), "+0"),
    (numbers.new_f24(1.5), "1.500"), (numbers.new_f24(-0.25), "-0.250"),
    (numbers.new_f24(float("inf")), "inf"), (numbers.new_f24(float("-inf")), "-inf"),
    (numbers.new_f24(float("nan")), "NaN"),
])
def test_readback_numbers_print_as_bend_does(numb, text_):
    assert show_number(numb) == text_


@pytest.mark.parametrize("tree, term", [
    ("($([+0x0000001] a) a)", "λa (+ 1 a)"),  # (commutative: the constant first, as Bend shows it)
    ("($([:-0x0000001] a) a)", "λa (- a 1)"),
    ("($([-0x0000001] a) a)", "λa (- 1 a)"),
    ("($([>0x0000003] a) a)", "λa (< a 3)"),
    ("($([+] $(a b)) (a b))", "λa λb (+ a b)"),
    ("($([>] $(a $([=0x0000000] b))) (a b))", "λa λb (== 0 (> a b))"),
    ("($([+] a) a)", "λa (+ a _)"),  # still waiting for its second operand
])
def test_readback_operations(tree, term):
    assert rb(tree) == term


def test_readback_operations_from_a_run():
    assert run_bend("main = (λx (- x 1), λx (- 1 x), λx λy (* x y))", "py").text == (
        "(λa (- a 1), (λb (- 1 b), λc λd (* c d)))")
