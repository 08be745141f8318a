"""Imports (bend/frontend/loader.py), redefining the prelude's names, and cycles of strict
references (bend/to_hvm/cycles.py).

Each test writes a small project under tmp_path: the main file and a few files beside it.
Most look at what the main file sees (its namespace) and at the diagnostics; a few run.
"""

from __future__ import annotations


import pytest

from bend.check import check_program
from bend.diagnostics import BendError
from bend.frontend.loader import load_program
from bend.runner import run_compiled
from bend.compiler import compile_program


def src(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path):
    """Write {relative path: text} under tmp_path (folders made as needed); return the loader
    of a main file there: load(main_text) -> Program."""

    def write(**files):
        for name, text in files.items():
            path = tmp_path / f"{name.replace('__', '/')}.bend"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

        def load(main: str, name: str = "main.bend"):
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(main)
            program = load_program(path)
            check_program(program)
            return program

        return load

    write.root = tmp_path
    return write


def errors(program) -> list[str]:
    return [d.message for d in program.diagnostics.sorted() if d.severity == "error"]


def run(program) -> str:
    assert errors(program) == []
    return run_compiled(compile_program(program), "py").text


NUMS = src("def one():", "  return 1", "two = 2", "def three():", "  return 3")
DEFS = src("def sum(a, b):", "  return a + b")
TYPES = src("type Bool:", "  True", "  False", "type Tree = (Node ~l ~r) | (Leaf v)")


# -- each form of import


def test_from_a_file_import_names_with_and_without_aliases(project):
    load = project(lib__nums=NUMS, lib__defs=DEFS)
    program = load(src("from lib/nums import (one as One, two)", "from lib/defs import sum",
                       "def main():", "  return sum(One, two)"))
    ns = program.main.namespace
    assert (ns["One"], ns["two"], ns["sum"]) == ("lib/nums/one", "lib/nums/two", "lib/defs/sum")
    assert "one" not in ns and "three" not in ns
    assert run(program) == "3"


def test_from_a_file_import_everything(project):
    load = project(lib__nums=NUMS)
    ns = load(src("from lib/nums import *", "main = (one, two, three)")).main.namespace
    assert {n: ns[n] for n in ("one", "two", "three")} == {
        "one": "lib/nums/one", "two": "lib/nums/two", "three": "lib/nums/three"}


def test_import_a_file_whole_binds_its_names_under_its_name_or_alias(project):
    load = project(lib__nums=NUMS, lib__sq=src("def sq(x):", "  return x * x", "def cube(x):", "  return x * x * x"))
    program = load(src("import lib/nums", "import lib/sq as S", "def main():", "  return (nums/one, S(3), S/cube(2))"))
    ns = program.main.namespace
    assert ns["nums/two"] == "lib/nums/two"
    assert ns["S"] == "lib/sq/sq"  # the name the file is named after is bound as the alias itself
    assert ns["S/cube"] == "lib/sq/cube" and "S/sq" not in ns
    assert errors(program) == []


def test_import_a_list_of_paths(project):
    load = project(lib__nums=NUMS)
    ns = load(src("import (lib/nums/one, lib/nums/two as Two)", "main = (one, Two)")).main.namespace
    assert (ns["one"], ns["Two"]) == ("lib/nums/one", "lib/nums/two")


def test_from_a_folder_import_files_and_everything(project):
    load = project(lib__nums=NUMS, lib__defs=DEFS)
    ns = load(src("from lib import nums", "main = nums/one")).main.namespace
    assert ns["nums/one"] == "lib/nums/one" and "defs/sum" not in ns
    ns = load(src("from lib import *", "main = (nums/one, defs/sum)")).main.namespace
    assert (ns["nums/one"], ns["defs/sum"]) == ("lib/nums/one", "lib/defs/sum")


def test_importing_a_type_brings_its_constructors(project):
    load = project(lib__types=TYPES, lib__List=src("type List:", "  Nil", "  Cons { head, ~tail }"))
    ns = load(src("from lib/types import (Bool, Tree as T)", "from lib import List", "main = *")).main.namespace
    assert (ns["Bool"], ns["Bool/True"], ns["Bool/False"]) == ("lib/types/Bool", "lib/types/Bool/True",
                                                                "lib/types/Bool/False")
    assert (ns["T"], ns["T/Node"]) == ("lib/types/Tree", "lib/types/Tree/Node")
    # a type named like its file, imported with the file: List, List/Nil, List/Cons
    assert (ns["List"], ns["List/Cons"]) == ("lib/List/List", "lib/List/List/Cons")


def test_an_imported_type_in_patterns_signatures_and_folds(project):
    load = project(lib__types=TYPES, lib__xor=src("from lib/types import Bool",
                                                 "(xor Bool/True Bool/False) = Bool/True",
                                                 "(xor Bool/False Bool/True) = Bool/True",
                                                 "(xor * *) = Bool/False"))
    program = load(src(
        "from lib/types import (Bool, Tree)",
        "from lib import xor",
        "is_true : Bool -> u24",
        "is_true (Bool/True) = 1",
        "is_true (Bool/False) = 0",
        "def all(t):",
        "  fold t:",
        "    case Tree/Node:",
        "      return xor(t.l, t.r)",
        "    case Tree/Leaf:",
        "      return t.v",
        "main = (is_true (all (Tree/Node (Tree/Leaf Bool/True) (Tree/Leaf Bool/False))))"))
    assert run(program) == "1"


def test_a_file_and_a_folder_of_one_name_share_the_import(project):
    load = project(lib__fd=src("x = 1", "w = 2"), lib__fd__y=src("y = 3", "z = 4"), lib__fd__w=src("w = 5"))
    program = load(src("from lib/fd import (x, y)", "def main():", "  return (x, y, y/z)"))
    ns = program.main.namespace
    assert (ns["x"], ns["y"], ns["y/z"]) == ("lib/fd/x", "lib/fd/y/y", "lib/fd/y/z")
    assert run(program) == "(1, (3, 4))"


def test_a_name_in_both_the_file_and_the_folder_is_an_error(project):
    load = project(lib__fd=src("x = 1", "w = 2"), lib__fd__w=src("w = 5"))
    for line in ("from lib/fd import *", "from lib/fd import w"):
        program = load(src(line, "def main():", "  return w"))
        [message] = errors(program)  # and not a second one for the use of `w`
        assert "both the file `lib/fd.bend` and the folder `lib/fd/` contain `w`" in message


# -- paths


def test_relative_paths_and_dots_past_the_main_folder(project):
    load = project(lib__a=src("import ./b", "import ../top", "f = (b/g, top/t)"), lib__b=src("g = 1"),
                   top=src("t = 2"), lib__deep__c=src("import ../../../../../top", "h = top/t"))
    program = load(src("from lib import a", "from lib/deep import c", "main = (a/f, c/h)"))
    assert errors(program) == []
    assert program.modules["lib/a"].namespace["b/g"] == "lib/b/g"
    assert program.modules["lib/deep/c"].namespace["top/t"] == "top/t"


def test_the_main_files_own_dots_may_leave_its_folder(project):
    load = project(shared__x=src("import ./y", "x = y"), shared__y=src("y = 7"))
    program = load(src("from ../shared/x import x", "main = x"), name="app/main.bend")
    assert program.main.namespace["x"] == "shared/x/x"  # named as Bend names it: the `..` dropped
    assert run(program) == "7"


def test_files_may_import_each_other(project):
    load = project(a=src("from b import g", "def f(x):", "  return g(x)"), b=src("from a import f", "g = λx x"))
    program = load(src("from a import f", "def main():", "  return f(2)"))
    assert run(program) == "2"


@pytest.mark.parametrize("line", ["import main", "import ../../main", "import ../../../../main", "from main import f"])
def test_importing_the_main_file_is_an_error(project, line):
    load = project(lib__sub__entry=src(line, "x = 1"))
    program = load(src("import lib/sub/entry", "f = 1", "main = *"))
    [d] = program.diagnostics.errors
    assert "it is the program's entry point, the main file `main.bend`" in d.message
    assert d.span.path == str(project.root / "lib" / "sub" / "entry.bend") and d.span.line_col() == (1, 1)


def test_missing_files_and_names(project):
    load = project(lib__nums=NUMS)
    assert errors(load(src("from lib/nums import four", "main = *"))) == [
        "`lib/nums` has no definition, type or constructor `four`"]
    [message] = errors(load(src("import lib/nope", "main = *")))
    assert message.startswith("cannot import `lib/nope`: ") and message.endswith("nope.bend (no such file)")


# -- shadowing and conflicts


def test_two_imports_of_one_name_are_an_error(project):
    load = project(lib__nums=NUMS, lib__myFun=src("def myFun(a):", "  return 1"),
                   lib__folder__myFun=src("def myFun(a):", "  return a"))
    program = load(src("from lib/nums import (one as A, two as A)", "main = A"))
    assert errors(program) == ["the import of `lib/nums/two` as `A` shadows the imported name `lib/nums/one`"]
    program = load(src("from lib/folder import myFun", "from lib import myFun", "main = myFun"))
    [d] = program.diagnostics.errors
    assert d.message == "the import of `lib/myFun/myFun` as `myFun` shadows the imported name `lib/folder/myFun/myFun`"
    assert d.span.line_col() == (2, 1)
    # one item imported twice is fine
    assert errors(load(src("from lib/nums import one", "from lib/nums import *", "main = one"))) == []


def test_an_imported_item_is_also_seen_by_its_full_name(project):
    load = project(lib__nums=NUMS)
    assert run(load(src("from lib/nums import two", "main = (+ two lib/nums/two)"))) == "4"


def test_an_own_definition_wins_over_an_import_with_a_warning(project):
    load = project(lib__nums=NUMS)
    program = load(src("from lib/nums import one", "one = 10", "main = one"))
    assert [d.message for d in program.diagnostics.warnings] == ["the import of `one` is shadowed by this file's own `one`"]
    assert run(program) == "10"


def test_a_local_name_that_is_an_imported_full_name_is_a_conflict(project):
    load = project(lib__a=src("type b = C"), lib__a__b=src("C = *"))
    program = load(src("from lib/a/b import C", "from lib/a import b/C", "lib/a/b/C = *", "main = *"))
    messages = errors(program)
    assert len(messages) == 2
    assert "the imported definition `C` of `lib/a/b.bend` conflicts with the definition `lib/a/b/C` here" in messages[0]
    assert "the imported constructor `b/C` of `lib/a.bend` conflicts" in messages[1]
    assert {d.span.line_col() for d in program.diagnostics.errors} == {(3, 1)}


# -- the prelude's names


def test_the_main_file_cannot_redefine_the_prelude(project):
    load = project()
    program = load(src("type Map:", "  Leaf", "def String/concat(a, b):", "  return a", "main = *"))
    assert errors(program) == ["`Map` redefines a builtin type", "`String/concat` redefines a builtin definition"]
    rendered = program.diagnostics.sorted()[0].render()
    assert "main.bend:1:1" in rendered and "^" in rendered


def test_an_imported_file_may_reuse_the_prelude_names(project):
    load = project(lib__x=src(
        "type Map:", "  Leaf", "  Node { val, ~l, ~r }",
        "type Maybe:", "  Some { v }", "  None",
        "def String/concat(a, b):", "  return a + b",
        "def size(m):", "  fold m:", "    case Map/Leaf:", "      return 0", "    case Map/Node:",
        "      return 1 + m.l + m.r"))
    program = load(src(
        "from lib/x import (size, Map, Maybe, String/concat)",
        "def main():",
        "  return (size(Map/Node(1, Map/Leaf, Map/Leaf)), String/concat(2, 3), Maybe/Some(7), List/length([1, 2]))"))
    assert program.main.namespace["Map"] == "lib/x/Map"
    assert run(program) == "(1, (5, (λa (a lib/x/Maybe/Some/tag 7), (2, [1, 2]))))"


# -- cycles of strict references


def compile_errors(program) -> list:
    assert errors(program) == []
    with pytest.raises(BendError) as raised:
        compile_program(program)
    return raised.value.diagnostics.errors


def test_cycles_of_strict_references_are_errors_with_their_chain(project):
    load = project()
    program = load(src(
        "Foo = Foo",
        "(A) = (B)",
        "(B) = (C)",
        "(C) = (A)",
        "(N x) = (x (N x))",
        "(if_ 0 then else) = else",
        "(if_ _ then else) = then",
        "(isOdd n) = (if_ (== n 0) 0 (isEven (- n 1)))",
        "(isEven n) = (if_ (== n 0) 1 (isOdd (- n 1)))",
        "def lazy(n):",
        "  switch n:",
        "    case 0:",
        "      return 0",
        "    case _:",
        "      return lazy(n-1)",
        "main = (lazy 3)"))
    found = {d.message.rsplit(": ", 1)[1]: d for d in compile_errors(program)}
    assert set(found) == {"Foo -> Foo", "A -> B -> C -> A", "N -> N", "isEven -> isOdd -> isEven"}
    assert all(d.message.startswith("recursive cycle incompatible with HVM's strict evaluation")
               for d in found.values())
    assert found["A -> B -> C -> A"].span.line_col() == (2, 1)
    assert "lazy" in found["Foo -> Foo"].hint
