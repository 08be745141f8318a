"""bend.to_hvm.eta: eta-reduction of nets, and the option that switches it on in the compiler."""

from __future__ import annotations

import pytest
from passes_support import nets, net

from bend.to_hvm.eta import eta_reduce
from hvm.syntax import parse_net, show_net


@pytest.mark.parametrize("before, after", [
    ("(a b) & @f ~ (a b)", "a & @f ~ a"),
    ("{a b} & @f ~ {a b}", "a & @f ~ a"),
    ("((a b) c) & @f ~ ((a b) c)", "a & @f ~ a"),  # repeated until none is left
    ("((a b) (a b))", "(a a)"),
    ("(a {* *})", "(a *)"),
    ("(* *)", "*"),
])
def test_eta_reduces(before, after):
    assert show_net(eta_reduce(parse_net(before))) == net(after)


@pytest.mark.parametrize("unchanged", ["(a b) & @f ~ (b a)", "{a b} & @f ~ (a b)", "(a a)"])
def test_eta_leaves_crossed_wires_and_different_kinds(unchanged):
    assert show_net(eta_reduce(parse_net(unchanged))) == net(unchanged)


def test_eta_in_compile_follows_the_option():
    src = "(F x) = (+ x 1)\n(G x) = (F x)\nmain = (G 1)\n"
    assert nets(src)["G"] == net("a & @F ~ a")
    assert nets(src, "no-eta")["G"] == net("(a b) & @F ~ (a b)")
