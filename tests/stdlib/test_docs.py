"""The standard library as a whole: every definition documented, tested and type correct, and
docs/stdlib.md generated from the docstrings and current."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from support import run_bend

from bend.check import check_program, types
from bend.compiler import desugar
from bend.deep import deep
from bend.desugar.context import Options
from bend.diagnostics import Diagnostics
from bend.frontend.loader import STDLIB, load_program

ROOT = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]


def load_tool():
    spec = importlib.util.spec_from_file_location("stdlib_docs", ROOT / "tools" / "stdlib_docs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


TOOL = load_tool()
MODULES = TOOL.read_stdlib()
DEFINITIONS = [item for module in MODULES for item in module.definitions]


def test_the_tool_reads_the_library_the_loader_loads():
    assert TOOL.STDLIB.resolve() == STDLIB.resolve()


def test_at_least_200_definitions_each_with_a_docstring():
    assert len(DEFINITIONS) >= 200
    undocumented = [f"{item.name} ({module.path}:{item.line})" for module in MODULES for item in module.items
                    if not item.doc]
    assert not undocumented, undocumented
    assert all(module.doc for module in MODULES), [m.path for m in MODULES if not m.doc]


def test_names_follow_the_type_slash_function_convention():
    assert all("/" in item.name for module in MODULES if module.import_path for item in module.definitions)


def test_no_two_modules_define_one_name():
    """So that `from stdlib/a import *` and `from stdlib/b import *` never clash, and a module
    never shadows a name of the prelude (whose meaning Bend programs rely on)."""
    seen: dict[str, str] = {}
    for module in MODULES:
        for item in module.items:
            assert item.name not in seen, f"{item.name} in {module.path} and {seen[item.name]}"
            seen[item.name] = str(module.path)


def test_the_generated_doc_is_current():
    current = (ROOT / "docs" / "stdlib.md").read_text(encoding="utf-8")
    assert current == TOOL.render(MODULES), f"docs/stdlib.md is stale: run `{TOOL.COMMAND}`"


def test_every_definition_is_run_by_a_test():
    """Each definition's name occurs in a test's Bend program: the tests of this folder (which
    call every definition of the importable modules and the prelude's helpers) and the
    prelude's own tests (tests/bend/test_stdlib.py, tests/bend/test_io.py)."""
    sources = [*sorted((TESTS / "stdlib").glob("test_*.py")), TESTS / "bend" / "test_stdlib.py",
               TESTS / "bend" / "test_io.py"]
    sources.remove(Path(__file__).resolve())  # (this file names no definition on purpose)
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    used = set(re.findall(r"[A-Za-z0-9_.\-/]+", text))
    untested = [item.name for item in DEFINITIONS if item.name not in used]
    assert not untested, untested


def test_every_module_agrees_with_its_signatures():
    """The modules' annotated definitions type check (a program does not check them: they are
    builtins, as the prelude's are)."""
    source = "".join(f"from {m.import_path} import *\n" for m in MODULES if m.import_path) + "def main():\n  return 0\n"
    program = load_program(Path("all.bend"), source)
    assert not program.diagnostics.errors, [d.render() for d in program.diagnostics.errors]
    check_program(program)
    book, ctx = desugar(program, Options(type_check=False), stop_after="type_check")
    diagnostics = Diagnostics()
    deep(types.check_book, book, ctx, diagnostics, True)
    assert not diagnostics.errors, "\n".join(e.render() for e in diagnostics.errors)
    checked = [d for name, d in book.defs.items() if name.startswith("stdlib/") and types.is_checked(d, book.defs, True)]
    assert len(checked) > 150


FUN_SOURCE = """
#{
A docstring above fun-syntax rules.
#}
(Double 0) = 0
(Double n) = (+ 2 (Double (- n 1)))

#{ One above a fun signature. #}
Inc (x: u24) : u24 = (+ x 1)

#{ And above an imp definition. #}
def main():
  return [Double(4), Inc(1)]
"""


def test_docstrings_parse_in_both_syntaxes(tmp_path):
    assert run_bend(FUN_SOURCE, "py").text == "[8, 2]"
    path = tmp_path / "fun.bend"
    path.write_text(FUN_SOURCE)
    items = {item.name: item.doc for item in TOOL.read_module(path, tmp_path).items}
    assert items == {"Double": "A docstring above fun-syntax rules.", "Inc": "One above a fun signature.",
                     "main": "And above an imp definition."}


@pytest.mark.parametrize("argv, code", [(["--check"], 0)])
def test_the_check_command_passes_on_a_current_doc(argv, code):
    assert TOOL.main(argv) == code
