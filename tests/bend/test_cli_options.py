"""The `bend` options of Bend 0.2.38: -p, -e, -v, --version, -W/-D/-A and every -O."""

from __future__ import annotations

import re
import textwrap

import pytest
from typer.testing import CliRunner

from bend import ast
from bend.cli import app
from bend.desugar.context import Options
from bend.to_hvm.pretty import show_pretty
from bend.to_hvm.readback import show
from bend.to_hvm.resugar_scott import resugar_scott
from hvm import numbers
from hvm.syntax import parse_net


runner = CliRunner()


def bend(*args):
    """As tests/bend/test_cli.py's helper: no traceback, no exception but an exit."""
    out = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    return out


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "main.bend"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write


def result(*args) -> str:
    out = bend(*args)
    assert out.exit_code == 0, out.stderr
    return out.stdout.removeprefix("Result: ").strip()


# -- --version, --help


def test_version():
    out = bend("--version")
    assert out.exit_code == 0
    assert out.stdout.startswith("bend ") and "Bend 0.2.38" in out.stdout


def test_help_names_the_options():
    top = bend("--help").stdout
    assert all(flag in top for flag in ("--verbose", "--entrypoint", "--version"))
    run = bend("run-py", "--help").stdout
    for flag in ("-O", "--warn", "--deny", "--allow", "--pretty", "--entrypoint", "adt-scott", "check-net-size"):
        assert flag in run, flag


# -- -p


RUN_PRETTY = """
    main a b =
      switch a {
        0: switch b {
          0: "ba"
          _: "ta"
        }
        _: "ata"
      }
"""


def test_pretty_result_as_bend_prints_it(write):
    out = bend("run-py", write(RUN_PRETTY), "-p")
    assert out.exit_code == 0, out.stderr
    assert out.stdout == textwrap.dedent("""\
        Result:
        λa switch a = a {
          0: λb switch b = b {
              0: "ba";
              _: "ta";
            };
          _: λ* "ata";
        }
        """)


def test_pretty_printer_on_each_kind_of_term():
    num = ast.Num(numbers.new_u24(1))
    term = ast.Lam(ast.PVar("a"), ast.Let(ast.PSup([ast.PVar("b"), ast.PVar("c")]), ast.Var("a"), ast.Tuple([
        ast.List([num, ast.Str("x")]), ast.Sup([ast.Var("b"), ast.Era()]),
        ast.Swi(ast.Var("c"), ast.Oper("+", num, ast.Ref("f")), ast.App(ast.Var("b"), ast.Link("d")))])))
    assert show_pretty(term) == textwrap.dedent("""\
        λa let {b c} = a;
        ([1 "x"], {b *}, switch c {
          0: (+ 1 f);
          _: (b $d);
        })""")


def test_desugar_pretty(write):
    out = bend("desugar", write("main = λx λy (+ x y)\n"), "-p")
    assert out.exit_code == 0, out.stderr
    assert out.stdout == "(main) =\n  λa λb (+ a b)\n"


# -- -e


ENTRY = """
    def double(x):
      return x * 2

    def answer():
      return double(21)

    def main():
      return 1
"""


def test_entrypoint_after_or_before_the_command(write):
    path = write(ENTRY)
    assert result("run-py", path) == "1"
    assert result("run-py", path, "-e", "answer") == "42"
    assert result("-e", "answer", "run-py", path) == "42"
    assert result("run-py", path, "--entrypoint", "double", "5") == "10"


def test_entrypoint_in_gen_hvm_and_check(write):
    path = write(ENTRY)
    out = bend("gen-hvm", path, "-e", "answer")
    assert out.exit_code == 0 and "@answer = " in out.stdout
    assert bend("check", path, "-e", "answer").exit_code == 0


def test_missing_entrypoint(write):
    out = bend("run-py", write(ENTRY), "-e", "nope")
    assert out.exit_code == 1
    assert "error: this program has no `nope` definition" in out.stderr


# -- -v


def test_verbose_prints_the_stages_and_the_net(write):
    out = bend("run-py", write("def main():\n  return 6 * 7\n"), "-v")
    assert out.exit_code == 0
    assert out.stdout == "Result: 42\n"
    for stage in ("load:", "check:", "desugar: linearize_matches", "desugar: float_combinators", "to_hvm: eta",
                  "run: py backend"):
        assert stage in out.stderr, stage
    assert "@main = " in out.stderr
    assert "desugar: literals" in bend("-v", "check", write("def main():\n  return 1\n")).stderr


# -- -W, -D, -A


WARNINGS = """
    type Opt = (Some v) | None
    Twice x = match x { Opt/Some: 1; Opt/Some: 2; Opt/None: 3 }
    Catch x = match x { y: 1; z: 2 }
    (Same a a) = a
    Unused = 5
    main = (+ (Twice Opt/None) (+ (Catch 1) (Same 1 2)))
"""


def kinds_shown(stderr: str) -> list[str]:
    return re.findall(r"^(warning|error): (.*)$", stderr, re.M)


def test_warnings_are_shown_by_check_and_hidden_by_run(write):
    path = write(WARNINGS)
    out = bend("check", path)
    assert out.exit_code == 0
    messages = "\n".join(m for _, m in kinds_shown(out.stderr))
    assert "bound twice" in messages and "never used" in messages and "never reached" in messages
    assert all(kind == "warning" for kind, _ in kinds_shown(out.stderr))
    run = bend("run-py", path)
    assert run.exit_code == 0 and run.stderr == ""


@pytest.mark.parametrize("kind, words", [
    ("repeated-bind", "bound twice"),
    ("unused-definition", "`Unused` is defined but never used"),
    ("redundant-match", "`Opt/Some` is matched before it"),
    ("irrefutable-match", "irrefutable match"),
])
def test_each_warning_can_be_allowed_denied_or_shown(write, kind, words):
    path = write(WARNINGS)
    assert words in bend("check", path).stderr
    assert words not in bend("check", path, "-A", kind).stderr
    denied = bend("check", path, "-D", kind)
    assert denied.exit_code == 1
    assert any(k == "error" and words in m for k, m in kinds_shown(denied.stderr))
    shown = bend("run-py", path, "-W", kind)
    assert shown.exit_code == 0 and words in shown.stderr
    assert len({m for _, m in kinds_shown(shown.stderr)}) == 1  # only that kind


def test_unreachable_rule(write):
    path = write("(F 0) = 1\n(F n) = 2\n(F 1) = 3\nmain = (F 1)\n")
    assert "never used" in bend("check", path).stderr
    assert bend("check", path, "-D", "unreachable-match").exit_code == 1
    assert bend("check", path, "-A", "unreachable-match").stderr == ""


def test_all_and_the_order_of_flags(write):
    path = write(WARNINGS)
    assert bend("check", path, "-A", "all").stderr == ""
    out = bend("check", path, "-D", "all", "-A", "repeated-bind")
    assert out.exit_code == 1
    shown = kinds_shown(out.stderr)
    assert not any("bound twice" in m for _, m in shown)
    assert shown and all(k == "error" for k, _ in shown)  # (the first errors stop the compiler)
    only = bend("check", path, "-A", "all", "-W", "unused-definition")
    assert [m for _, m in kinds_shown(only.stderr)] == ["`Unused` is defined but never used"]
    assert bend("check", path, "-W", "repeated-bind unused-definition").exit_code == 0  # (space-separated, as Bend)


def test_unknown_warning_is_a_usage_error(write):
    out = bend("check", write(WARNINGS), "-W", "no-such-warning")
    assert out.exit_code == 2
    assert "no warning `no-such-warning`" in out.output


def test_missing_main(write):
    path = write("def helper(x):\n  return x\n")
    assert bend("check", path).exit_code == 1
    allowed = bend("check", path, "-A", "missing-main")
    assert allowed.exit_code == 0 and "no `main`" not in allowed.stderr
    warned = bend("check", path, "-W", "missing-main")
    assert warned.exit_code == 0 and "warning: this program has no `main` definition" in warned.stderr
    assert bend("run-py", path, "-A", "missing-main").exit_code == 1  # nothing to run


def test_import_shadow(write):
    write("def f(x):\n  return x + 1\n", "lib.bend")
    path = write("from lib import f\n\ndef f(x):\n  return x\n\ndef main():\n  return f(1)\n")
    assert "warning: the import of `f` is shadowed" in bend("check", path).stderr
    assert bend("check", path, "-A", "import-shadow").stderr == ""
    assert bend("check", path, "-D", "import-shadow").exit_code == 1


STRICT_LOOP = """
    A = @a match a {
      List/Cons: (A a.tail)
      List/Nil: 0
    }

    main = (A [4 4])
"""


def test_recursion_cycle(write):
    path = write(STRICT_LOOP)
    assert bend("gen-hvm", path, "-Ono-all", "-D", "recursion-cycle").exit_code == 1
    allowed = bend("gen-hvm", path, "-Ono-all", "-A", "recursion-cycle")
    assert allowed.exit_code == 0, allowed.stderr
    assert "@A = " in allowed.stdout and "cycle" not in allowed.stderr


# -- -O


def test_every_option_name_is_taken(write):
    for name in Options.NAMES:
        Options().set(name)
    path = write("def main():\n  return [1, 2]\n")
    out = bend("check", path, *(f"-O{name}" for name in Options.NAMES), "-O", "eta prune")  # (space-separated too)
    assert out.exit_code == 0, out.output
    out = bend("gen-hvm", path, "-Opre-reduce")
    assert out.exit_code == 2
    assert "unknown option `-Opre-reduce`" in out.output and "linearize-matches-alt" in out.output
    with pytest.raises(ValueError, match="did you mean `float-combinators`"):
        Options().set("float-combinator")


def test_options_settle_in_order():
    o = Options()
    for name in ("no-all", "eta", "adt-scott", "linearize-matches-alt"):
        o.set(name)
    assert (o.eta, o.prune, o.float_combinators, o.merge, o.inline) == (True, False, False, False, False)
    assert (o.linearize_matches, o.linearize_matches_alt, o.adt_encoding) == (False, True, "scott")
    o.set("all")
    assert (o.prune, o.merge, o.inline, o.linearize_matches, o.linearize_matches_alt) == (True, True, True, True, False)
    assert o.check_net_size is False and o.type_check
    o.set("no-all")
    assert o.type_check and not o.eta and not o.linearize_matches


def test_eta(write):
    path = write("id = λx x\nid_id = λx (id x)\nmain = (id_id 1)\n")
    assert "@id_id = @id" not in bend("gen-hvm", path, "-Ono-eta").stdout
    assert "@id_id = (a b)\n  & @id ~ (a b)" in bend("gen-hvm", path, "-Ono-eta").stdout
    assert "@id_id = a\n  & @id ~ a" in bend("gen-hvm", path, "-Oeta").stdout


def test_prune(write):
    path = write("id x = x\nmain = *\n")
    assert "id" in bend("desugar", path).stdout
    assert bend("desugar", path, "-Oprune").stdout == "main = *\n"


def test_float_combinators(write):
    path = write("get = @Nat (Nat @x (+ x 1) 0)\nmain = (get @s @z z)\n")
    assert "get__C0" in bend("desugar", path).stdout
    assert "get__C0" not in bend("desugar", path, "-Ono-float-combinators").stdout


def test_linearize_matches_and_its_alternative(write):
    path = write("main = λa λb λc switch a { 0: b; _: c }\n")
    assert bend("desugar", path, "-Olinearize-matches").stdout == \
        "main = λa λb λc (switch a { 0: λd λ* d; _: λ* λ* λe e } b c)\n"
    alt = write("main = λa λb switch a { 0: b; _: b }\n", "alt.bend")
    assert bend("desugar", alt, "-Olinearize-matches-alt").stdout == "main = λa switch a { 0: λb b; _: λ* λc c }\n"
    assert bend("desugar", alt, "-Ono-linearize-matches").stdout == \
        "main = λa λb let {c d} = b; switch a { 0: c; _: λ* d }\n"


def test_linearize_matches_alt_keeps_what_the_scrutinee_needs(write):
    path = write("main = λa λb let c = (+ b 1); switch c { 0: a; _: a }\n")
    out = bend("desugar", path, "-Olinearize-matches-alt", "--stop-after", "linearize_match_binds").stdout
    # `b` and `c` stay (the scrutinee needs them), so `a`, bound before them, stays too
    assert out.startswith("main = λa λb let c = (+ b 1); switch c")
    run = write("f = λa λb λc switch a { 0: b; _: (+ c a) }\nmain = ((f 0 1 2), (f 3 1 2))\n", "run.bend")
    assert result("run-py", run, "-Olinearize-matches-alt") == result("run-py", run) == "(1, 5)"


def test_merge(write):
    path = write("F = @t @f f\nZ = @s @z z\nmain = (F Z)\n")
    out = bend("desugar", path, "-Omerge")
    assert "F__M_Z = λ* λa a" in out.stdout
    assert "main = (F__M_Z F__M_Z)" in out.stdout
    assert result("run-py", path, "-Omerge") == result("run-py", path) == "λa a"


def test_inline(write):
    path = write("(Num) = 42\n(Era) = *\n(RefToRef) = (Era)\n(Main) = (Era Num RefToRef)\n")
    out = bend("gen-hvm", path, "-Oinline")
    assert "@main = a\n  & * ~ (42 (* a))" in out.stdout
    assert "@RefToRef = *" in out.stdout
    assert "@main = a\n  & @Era ~ (@Num (@RefToRef a))" in bend("gen-hvm", path).stdout


def test_inline_of_a_reference_cycle(write):
    out = bend("gen-hvm", write("A = B\nB = A\nmain = A\n"), "-Oinline", "-Ono-float-combinators",
               "-A", "recursion-cycle")
    assert out.exit_code == 1
    assert "infinite reference cycle" in out.stderr


def test_check_net_size(write, monkeypatch):
    from bend.to_hvm import net_size

    monkeypatch.setattr(net_size, "MAX_NET_SIZE", 40)  # (Bend's is 4095: a test program that large is slow)
    path = write("def main():\n  return " + " + ".join(["1"] * 50) + "\n")
    out = bend("gen-hvm", path, "-Ocheck-net-size")
    assert out.exit_code == 1
    assert "error: definition `main` is too large for HVM C (size=49, max size=40)" in out.stderr
    assert bend("gen-hvm", path).exit_code == 0  # off by default here (our runtimes run any size)
    assert net_size.count_nodes(parse_net("(a {b $(c d)})")) == 3


def test_type_check(write):
    path = write("def main() -> u24:\n  return \"s\"\n")
    assert bend("check", path).exit_code == 1
    assert bend("check", path, "-Ono-type-check").exit_code == 0


def test_all(write):
    path = write("""
        type Pair
          = (Pair fst snd)

        Pair.get f (Pair/Pair fst snd) = (f fst snd)

        main = (Pair.get @x @y (+ x y) (Pair/Pair 40 2))
    """)
    out = bend("gen-hvm", path, "-Oall")
    assert "@Pair/Pair = (a (b ((0 (a (b c))) c)))" in out.stdout  # inlined tag
    assert "@Pair/Pair/tag" not in out.stdout  # then pruned
    assert result("run-py", path, "-Oall") == result("run-py", path, "-Ono-all") == "42"


# -- -Oadt-scott


ADT_PROGRAMS = {
    "option": """
        type Opt = (Some x) | None
        Opt/map = @opt @f match opt { Opt/Some: (Opt/Some (f opt.x)); Opt/None: Opt/None }
        inc = @x (+ x 1)
        main = let opt = (Opt/Some 1); (Opt/map opt inc)
    """,
    "shapes": """
        type Shape:
          Circle { radius }
          Rect { w, h }
          Tri { a, b, c }

        def area(s):
          match s:
            case Shape/Circle:
              return s.radius * s.radius * 3
            case Shape/Rect:
              return s.w * s.h
            case Shape/Tri:
              return s.a + s.b + s.c

        def main():
          return [area(Shape/Circle(2)), area(Shape/Rect(3, 4)), area(Shape/Tri(1, 2, 3))]
    """,
    "fold_bend": """
        type MyTree:
          Node { ~left, ~right }
          Leaf { value }

        def main():
          bend x = 0, d = 5:
            when d > 0:
              t = MyTree/Node(fork(x * 2, d - 1), fork(x * 2 + 1, d - 1))
            else:
              t = MyTree/Leaf(x)
          fold t:
            case MyTree/Node:
              return t.left + t.right
            case MyTree/Leaf:
              return t.value
    """,
    "nat_rules": """
        type N = (Z) | (S pred)
        (ToNum N/Z) = 0
        (ToNum (N/S p)) = (+ 1 (ToNum p))
        (FromNum 0) = N/Z
        (FromNum n) = (N/S (FromNum (- n 1)))
        (Add N/Z b) = b
        (Add (N/S a) b) = (N/S (Add a b))
        main = (ToNum (Add (FromNum 10) (FromNum 7)))
    """,
    "strings_and_lists": """
        def main():
          return (String/concat("ab", "cd"), [1, 2, 3], List/reverse([4, 5]), ["x", "", [[]]])
    """,
}


@pytest.mark.parametrize("name", sorted(ADT_PROGRAMS))
def test_scott_and_num_scott_give_the_same_values(write, name):
    path = write(ADT_PROGRAMS[name])
    scott = result("run-py", path, "-Oadt-scott")
    num_scott = result("run-py", path, "-Oadt-num-scott")
    if name == "option":  # a constructor in the result reads back in its own encoding (as in Bend)
        assert num_scott == "Opt/Some { x: 2 }"  # (as data: bend.to_hvm.data_view)
        assert result("run-py", path, "-Oadt-num-scott", "--bend-text") == "λa (a Opt/Some/tag 2)"
        assert scott == "λa λ* (a 2)"
    else:
        assert scott == num_scott


def test_scott_on_the_native_runtime(write):
    path = write(ADT_PROGRAMS["shapes"])
    assert result("run-c", path, "-Oadt-scott", "-t", "1") == "[12, 12, 6]"


def test_scott_constructors(write):
    path = write("type Boolean = True | False\nmain = Boolean/True\n")
    out = bend("desugar", path, "-Oadt-scott").stdout
    assert "Boolean/True = λa λ* a" in out and "Boolean/False = λ* λa a" in out
    assert "Boolean/True/tag" not in out
    assert "Boolean/True/tag = 0" in bend("desugar", path).stdout


def test_scott_refuses_io(write):
    out = bend("run-py", write('def main():\n  return IO/print("hi")\n'), "-Oadt-scott")
    assert out.exit_code == 1
    assert "needs the num-scott encoding" in out.stderr


def test_scott_strings_and_lists_read_back():
    def cons(head, tail):
        return ast.Lam(ast.PEra(), ast.Lam(ast.PVar("k"), ast.App(ast.App(ast.Var("k"), head), tail)))

    def num(n):
        return ast.Num(numbers.new_u24(n))

    assert resugar_scott(cons(num(104), cons(num(105), ast.Str("")))) == ast.Str("hi")
    assert resugar_scott(cons(num(1), cons(ast.Var("x"), ast.List([])))) == ast.List([num(1), ast.Var("a")])
    kept = resugar_scott(cons(num(1), ast.Var("x")))  # not ending in a nil: stays as it is
    assert kept == cons(num(1), ast.Var("x"))
    tail = resugar_scott(cons(ast.Str("ab"), cons(num(99), ast.Str(""))))  # its tail of characters is a string
    assert show(tail) == 'λ* λa (a "ab" "c")'  # (its variables named again)
