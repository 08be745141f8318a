"""bend.to_hvm.data_view: `bend run` shows a constructor's value as the constructor
(`T/C { field: value }`), Bend's text with --bend-text, and -p a field a line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import compile_bend

from bend.runner import run_compiled
from bend.to_hvm.data_view import as_data
from bend.to_hvm.readback import show

DATA = """
type T:
  Node { ~left, ~right }
  Leaf { value }

def main():
  return (T/Node(T/Node(T/Leaf(1), T/Leaf(2)), T/Leaf(3)), Maybe/Some([Result/Ok(1), Result/Err("no")]),
          Maybe/None, Nat/Succ(Nat/Zero), lambda x: x)
"""
AS_DATA = ("(T/Node { left: T/Node { left: T/Leaf { value: 1 }, right: T/Leaf { value: 2 } }, "
           "right: T/Leaf { value: 3 } }, (Maybe/Some { value: [Result/Ok { val: 1 }, Result/Err { val: \"no\" }] }, "
           "(Maybe/None, (Nat/Succ { pred: Nat/Zero }, λa a))))")
AS_BEND = ("(λa (a T/Node/tag λb (b T/Node/tag λc (c T/Leaf/tag 1) λd (d T/Leaf/tag 2)) λe (e T/Leaf/tag 3)), "
           "(λf (f Maybe/Some/tag [λg (g Result/Ok/tag 1), λh (h Result/Err/tag \"no\")]), "
           "(λi (i Maybe/None/tag), (λj (j Nat/Succ/tag Nat/Zero), λk k))))")


@pytest.mark.parametrize("backend", ["py", "c"])
def test_constructor_values_read_as_data(backend):
    compiled = compile_bend(DATA)
    options = {"threads": 1} if backend == "c" else {}
    assert run_compiled(compiled, backend, as_data=True, **options).text == AS_DATA
    assert run_compiled(compiled, backend, **options).text == AS_BEND  # (Bend's text: the library's default)


def test_what_only_looks_like_a_constructor_stays_as_it_is():
    from bend import ast
    from hvm.numbers import new_u24

    compiled = compile_bend("type T:\n  A { x }\n\ndef main():\n  return 0\n")
    two_fields = ast.Lam(ast.PVar("k"), ast.App(ast.App(ast.App(ast.Var("k"), ast.Ref("T/A/tag")), ast.Num(new_u24(1))),
                                                ast.Num(new_u24(2))))
    number_tag = ast.Lam(ast.PVar("j"), ast.App(ast.App(ast.Var("j"), ast.Num(new_u24(7))), ast.Num(new_u24(1))))
    unknown = ast.Lam(ast.PVar("i"), ast.App(ast.Var("i"), ast.Ref("U/B/tag")))
    term = as_data(ast.Tuple([two_fields, ast.Tuple([number_tag, unknown])]), compiled.core.adts)
    assert show(term) == "(λa (a T/A/tag 1 2), (λb (b 7 1), λc (c U/B/tag)))"


def test_a_deep_value_reads_as_data_without_recursion():
    compiled = compile_bend("type N:\n  Z\n  S { pred }\n\ndef main():\n  return 0\n")
    from bend import ast

    term = ast.Ref("N/Z")
    for i in range(100_000):
        term = ast.Lam(ast.PVar(f"k{i}"), ast.App(ast.App(ast.Var(f"k{i}"), ast.Ref("N/S/tag")), term))
    data = as_data(term, compiled.core.adts)
    assert show(data).startswith("N/S { pred: N/S { pred: ") and show(data).endswith("N/Z" + " }" * 100_000)


def bend_cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bend", *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_cli_shows_data_and_bend_text_on_request(tmp_path):
    path = tmp_path / "data.bend"
    path.write_text(DATA)
    assert bend_cli("run-py", str(path)) == f"Result: {AS_DATA}\n"
    assert bend_cli("run-py", str(path), "--bend-text") == f"Result: {AS_BEND}\n"
    assert bend_cli("run-c", str(path), "--bend-text", "-t", "1") == f"Result: {AS_BEND}\n"
    pretty = bend_cli("run-py", str(path), "-p")
    assert pretty.startswith("Result:\n(T/Node {\n  left: T/Node {\n    left: T/Leaf { value: 1 },\n")
