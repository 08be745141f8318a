"""bend.to_hvm.compile: the nets of lambdas, applications, operators, switches, dups, sups and unscoped
variables."""

from __future__ import annotations

import pytest
from support import compile_bend
from passes_support import nets, net

from bend.diagnostics import BendError


COMPILE = """\
Id = λx x
App = λf λx (f x)
AddK = λx (+ x 1)
SubK = λx (- x 1)
KSub = λx (- 1 x)
LtK = λx (< x 3)
Mul = λx λy (* x y)
Le = λx λy (<= x y)
Ge = λx λy (>= x y)
LeK = λx (<= x 3)
AndK = λx (& x 1)
FAndK = λx (& x 1.0)
Pow = λx (** x 2)
Sw = λn switch n { 0: 1; _: 7 }
Dup = λx (x x)
Sup = {1 2}
Tup = (1, 2)
Era = λx 1
Unsc = λ$a λb $a
Early = (λ$a 1, $a)
main = 0
"""


def test_compile_lambdas_applications_and_leaves():
    out = nets(COMPILE)
    assert out["Id"] == net("(a a)")
    assert out["Era"] == net("(* 1)")
    assert out["Tup"] == net("(1 2)")
    assert nets(COMPILE, "no-eta")["App"] == net("((a b) (a b))")


def test_compile_an_operator_with_a_constant_is_one_node():
    out = nets(COMPILE)
    assert out["AddK"] == net("($([+0x0000001] a) a)")
    assert out["SubK"] == net("($([:-0x0000001] a) a)")  # the constant is the left operand: flipped
    assert out["LtK"] == net("($([>0x0000003] a) a)")
    assert out["KSub"] == net("(a b) & $(a b) ~ [-0x0000001]")
    assert out["AndK"] == net("($([&0x0000001] a) a)")


def test_compile_an_operator_without_a_constant_is_two_nodes():
    out = nets(COMPILE)
    assert out["Mul"] == net("($([*] $(a b)) (a b))")
    assert out["FAndK"] == net("($([&] $(1.0 a)) a)")  # on f24, & is atan2: not commutative
    assert out["Pow"] == net("($([^] $(2 a)) a)")


def test_compile_less_or_equal_is_equal_to_zero_of_greater():
    out = nets(COMPILE)
    assert out["Le"] == net("($([>] $(a $([=0x0000000] b))) (a b))")
    assert out["Ge"] == net("($([<] $(a $([=0x0000000] b))) (a b))")
    assert out["LeK"] == net("($([<0x0000003] $([=0x0000000] a)) a)")


def test_compile_switch_dup_sup():
    out = nets(COMPILE)
    assert out["Sw"] == net("(?((1 (* 7)) a) a)")  # the default arm takes the predecessor
    assert out["Dup"] == net("({(a b) a} b)")
    assert out["Sup"] == net("{1 2}")


def test_compile_unscoped_variables():
    out = nets(COMPILE)
    assert out["Unsc"] == net("(a (* a))")
    assert out["Early"] == net("((a 1) a)")  # used before its binder


def test_compile_unscoped_variables_bound_twice_or_never_used_are_errors():
    for src, message in [("F = λ$a 1\nmain = 0\n", "the unscoped variable `$a` is bound but never used in `F`"),
                         ("F = λx (x $b $b λ$b 1)\nmain = 0\n", "the unscoped variable `$b` is used twice in `F`"),
                         ("F = $z\nmain = 0\n", "the unscoped variable `$z` is used but never bound in `F`")]:
        with pytest.raises(BendError) as err:
            compile_bend(src)
        assert message in [d.message for d in err.value.diagnostics.errors]


def test_compile_a_vicious_cycle_is_a_diagnostic():
    with pytest.raises(BendError):
        compile_bend("main = ($a λ$a 1)\n")
