"""How a program names the standard library's modules (bend/frontend/loader.py): `stdlib/...`
import paths, what they bind, a program's own `stdlib`, and that importing costs nothing unused."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import bend_diagnostics, compile_bend, run_bend

from bend.compiler import load
from bend.frontend.loader import PRELUDE, STDLIB
from bend.runner import run_compiled


def run_file(path: Path) -> str:
    from bend.compiler import compile_program

    program = load(path, path.read_text())
    assert not program.diagnostics.errors, [d.render() for d in program.diagnostics.errors]
    return run_compiled(compile_program(program), "py").text


def errors(source: str) -> list[str]:
    return [d.message for d in bend_diagnostics(source) if d.severity == "error"]


def test_the_library_is_the_top_level_stdlib_folder():
    root = Path(__file__).resolve().parents[2]
    assert STDLIB.resolve() == (root / "stdlib").resolve()
    assert {p.name for p in PRELUDE.glob("*.bend")} == {"builtins.bend", "io.bend", "math.bend"}


@pytest.mark.parametrize("source, result", [
    ("from stdlib/list import List/sort\ndef main():\n  return List/sort([3, 1, 2])", "[1, 2, 3]"),
    ("from stdlib/list import (List/sort, List/head)\ndef main():\n  return List/sort([3, 1, 2])", "[1, 2, 3]"),
    ("from stdlib/list import List/sort as sort\ndef main():\n  return sort([3, 1, 2])", "[1, 2, 3]"),
    ("from stdlib/list import *\ndef main():\n  return List/sort([3, 1, 2])", "[1, 2, 3]"),
    ("import stdlib/list\ndef main():\n  return list/List/sort([3, 1, 2])", "[1, 2, 3]"),
    ("import stdlib/list as L\ndef main():\n  return L/List/sort([3, 1, 2])", "[1, 2, 3]"),
    ("from stdlib import list\ndef main():\n  return list/List/sort([3, 1, 2])", "[1, 2, 3]"),
    # a type brings its constructors
    ("from stdlib/bool import Bool, Bool/to_u24\ndef main():\n  return Bool/to_u24(Bool/True)", "1"),
    # the prelude's names stay as they are beside an imported module
    ("from stdlib/string import *\ndef main():\n  return (String/split(\"a,b\", ','), String/split_on(\"a,b\", \",\"))",
     '(["a", "b"], ["a", "b"])'),
    # fun syntax
    ("from stdlib/math import Math/max\nmain = (Math/max 3 7)", "7"),
])
def test_import_forms(source, result):
    assert run_bend(source, "py").text == result


def test_a_module_imports_another_by_a_relative_path():
    # stdlib/string.bend imports ./char; stdlib/number.bend too; stdlib/tree.bend imports ./list
    source = "from stdlib/number import u24/parse\nfrom stdlib/maybe import Maybe/default\n" \
             "def main():\n  return Maybe/default(u24/parse(\"42\"), 0)"
    assert run_bend(source, "py").text == "42"


def test_imported_names_are_prefixed_with_the_module_path():
    program = load(Path("t.bend"), "from stdlib/list import List/head\ndef main():\n  return List/head([1])")
    assert "stdlib/list/List/head" in program.book.defs
    assert program.main.namespace["List/head"] == "stdlib/list/List/head"
    assert program.book.defs["stdlib/list/List/head"].builtin


def test_unused_definitions_of_an_imported_module_are_pruned_and_not_warned_about():
    source = "from stdlib/list import *\nfrom stdlib/string import *\ndef main():\n  return List/head([1])"
    compiled = compile_bend(source)
    names = set(compiled.hvm.defs)
    assert "stdlib/list/List/head" in names
    assert not any(name.startswith(("stdlib/string/", "stdlib/list/List/sort")) for name in names)
    assert not [d for d in bend_diagnostics(source) if d.severity == "warning"]


def test_a_program_with_its_own_stdlib_folder_imports_that(tmp_path):
    (tmp_path / "stdlib").mkdir()
    (tmp_path / "stdlib" / "list.bend").write_text("def List/sort(xs):\n  return 42\n")
    main = tmp_path / "main.bend"
    main.write_text("from stdlib/list import List/sort\ndef main():\n  return List/sort([2, 1])\n")
    assert run_file(main) == "42"


def test_a_program_with_its_own_stdlib_file_imports_that(tmp_path):
    (tmp_path / "stdlib.bend").write_text("def answer():\n  return 7\n")
    main = tmp_path / "main.bend"
    main.write_text("from stdlib import answer\ndef main():\n  return answer\n")
    assert run_file(main) == "7"


def test_the_library_is_found_from_any_folder(tmp_path):
    main = tmp_path / "deep" / "er" / "main.bend"
    main.parent.mkdir(parents=True)
    main.write_text("from stdlib/list import List/last\nfrom stdlib/maybe import Maybe/default\n"
                    "def main():\n  return Maybe/default(List/last([1, 2, 3]), 0)\n")
    assert run_file(main) == "3"


def test_a_missing_module_or_name_is_reported():
    assert any("cannot import `stdlib/nope`" in e and "no such file" in e
               for e in errors("from stdlib/nope import x\ndef main():\n  return 0"))
    assert any("has no definition, type or constructor `List/nope`" in e
               for e in errors("from stdlib/list import List/nope\ndef main():\n  return 0"))


def test_the_prelude_is_not_imported():
    for source in ("from stdlib/prelude/builtins import List/map\ndef main():\n  return 0",
                   "import stdlib/prelude/builtins\ndef main():\n  return 0"):
        assert any("is the prelude" in e for e in errors(source)), errors(source)


def test_a_bend_program_may_still_define_the_names_of_the_modules():
    # List/sort, Bool, String/length... are not in the prelude: a program's own keep working
    source = ("type Bool:\n  True\n  False\n\ndef List/sort(xs):\n  return xs\n\n"
              "def String/length(s):\n  return 5\n\ndef main():\n  return (List/sort([2, 1]), String/length(\"\"))")
    assert run_bend(source, "py").text == "([2, 1], 5)"


def test_an_own_definition_shadows_a_star_import_of_the_same_name():
    source = "from stdlib/list import *\ndef List/head(xs):\n  return 9\ndef main():\n  return List/head([1])"
    assert run_bend(source, "py").text == "9"
