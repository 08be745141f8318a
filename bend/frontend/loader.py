"""Load a program: the prelude (every file of stdlib/prelude), the main file and every file it
imports, as one Book.

In:  the path of the main `.bend` file.
Out: a Program: the merged Book (every item under its canonical name), for each module the
     names it can see (its namespace: visible name -> canonical name), and all diagnostics.

Canonical names: the prelude's and the main file's items keep their names; an item `x` of an
imported file `lib/math.bend` is `lib/math/x`. Imports bind visible names to them, as Bend's do:

    from lib/math import sq, cube as c     sq -> lib/math/sq, c -> lib/math/cube
    from lib/math import *                  every name of the file, as it is
    from lib import math                    (a file of the folder) math/sq, math/cube, ...
    from lib import *                       (a folder) every file's names as file/name
    import lib/math [as m]                  = from lib import math [as m]: math/sq (m/sq), ...

A name of a file imported whole that is the file's own name is bound without the prefix
(`from types import List` binds `List` for `type List` of types/List.bend). Importing a type
imports its constructors. A file `P.bend` and a folder `P/` may both exist: `from P import`
looks in both, and a name found in both is an error. Paths starting with `./` or `../` are
relative to the importing file, others to the main file's folder. As in Bend, an imported
file's `..` stops at that folder (only the main file's own `../` may leave it), and a file is
named by its path from there with what is left of its `..` dropped.
Files may import each other; importing the main file is an error. Two imports binding one
name to different items are an error, as are two items with one canonical name.

The standard library's modules are imported by a path that starts with `stdlib/`: `from
stdlib/list import List/sort`, `from stdlib/string import *`, `import stdlib/bool` (then
`bool/Bool/and`). Such a path names the files of the installed standard library (STDLIB), unless
the main file's folder holds a `stdlib/` folder or `stdlib.bend` of its own (a Bend program
written before the library existed keeps its meaning). Their items are builtins, as the
prelude's: not type checked on each run, pruned when unused, never an unused-definition warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bend import ast
from bend.deep import deep
from bend.diagnostics import Diagnostics, did_you_mean
from bend.frontend.named_args import order_named_args
from bend.frontend.parser import Parser
from hvm.errors import Span


def find_stdlib() -> Path:
    """The standard library's folder. An installed package has it as bend/stdlib (setup.py maps
    the repository's top-level stdlib/ there); a source tree or an editable install has it
    beside the bend package."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "stdlib"
    return installed if (installed / "prelude").is_dir() else package.parent / "stdlib"


STDLIB = find_stdlib()  # the modules `import stdlib/...` names
PRELUDE = STDLIB / "prelude"  # loaded before every program
STDLIB_ROOT = "stdlib"  # the first part of the import path of a standard library module
PRELUDE_MODULE = "<builtins>"
UNRESOLVED = "<unresolved>/"  # canonical names of what could not be read: uses of them are not errors
MAIN_MODULE = "<main>"


@dataclass
class Module:
    key: str  # PRELUDE_MODULE, MAIN_MODULE, or the module path ("lib/math")
    path: Path
    book: ast.Book
    prefix: str  # prepended to its items' names to make them canonical ("" or "lib/math/")
    namespace: dict = field(default_factory=dict)  # visible name -> canonical name
    place: str = ""  # where its file is, from the main file's folder ("../x" for a file outside it)


@dataclass
class Program:
    book: ast.Book  # every item, by canonical name
    modules: dict  # key -> Module
    module_of: dict  # canonical name (of an item or a constructor) -> module key
    ctors: dict  # canonical constructor name -> (Adt, Ctor)
    diagnostics: Diagnostics

    @property
    def main(self) -> Module:
        return self.modules[MAIN_MODULE]

    def namespace(self, canonical: str) -> dict:
        return self.modules[self.module_of[canonical]].namespace


def read_source(path: Path) -> str:
    """The file's text. Raises OSError or UnicodeDecodeError (the callers say which file)."""
    return path.read_text(encoding="utf-8")


def parse_file(path: Path, text: str, builtin: bool = False) -> tuple[ast.Book, Diagnostics]:
    book, diagnostics = Parser(text, str(path)).parse()
    if builtin:
        for table in (book.defs, book.adts, book.hvm_defs):
            for item in table.values():
                item.builtin = True
    return book, diagnostics


class Loader:
    def __init__(self, main_path: Path):
        self.root = main_path.resolve().parent
        # a program with a `stdlib` of its own next to it imports that one (see the module's docstring)
        own = self.root / STDLIB_ROOT
        self.own_stdlib = (own.exists() and own.resolve() != STDLIB.resolve()) or own.with_suffix(".bend").exists()
        self.entry = main_path.stem  # the main file as a module path: importing it is an error
        self.diagnostics = Diagnostics()
        self.modules: dict[str, Module] = {}

    def load(self, main_path: Path, main_text: str | None = None) -> Program:
        prelude_book = self.load_prelude()
        prelude = Module(PRELUDE_MODULE, PRELUDE, prelude_book, "")
        prelude.namespace = {name: name for name in item_names(prelude_book)}
        self.modules[PRELUDE_MODULE] = prelude

        text = main_text if main_text is not None else read_source(main_path)
        book, diagnostics = parse_file(main_path, text)
        self.diagnostics.extend(diagnostics)
        main = Module(MAIN_MODULE, main_path, book, "")
        self.modules[MAIN_MODULE] = main
        self.bind_module(main)
        return self.merge()

    def load_prelude(self) -> ast.Book:
        """Every file of the standard library, as one module: their names are all builtins."""
        book = ast.Book()
        for path in sorted(PRELUDE.glob("*.bend")):
            part, diagnostics = parse_file(path, read_source(path), builtin=True)
            self.diagnostics.extend(diagnostics)
            for table in ("defs", "adts", "hvm_defs"):
                for name, item in getattr(part, table).items():
                    if name in getattr(book, table):
                        self.diagnostics.error(f"`{name}` is defined twice in the standard library", item.span)
                    getattr(book, table)[name] = item
        return book

    # -- modules and their namespaces

    def bind_module(self, module: Module) -> None:
        """Fill the module's namespace: the prelude, its own items, then what it imports.

        A name two imports bind to different items is an error (which would a use mean?); an
        import of a name the file defines itself gives way to the file's own, with a warning.
        """
        namespace = dict(self.modules[PRELUDE_MODULE].namespace)
        for name in module.book.broken - {None}:  # a syntax error was reported there: do not repeat it
            namespace[name] = UNRESOLVED + name
        own = set(item_names(module.book))
        for name in own:
            namespace[name] = module.prefix + name
        imported: dict[str, str] = {}  # visible name -> canonical name, by this module's imports
        full_names = set()
        for imp in module.book.imports:
            for visible, canonical in self.import_binds(module, imp):
                if visible in own:
                    if namespace[visible] != canonical:
                        self.diagnostics.warning(f"the import of `{visible}` is shadowed by this file's own `{visible}`",
                                                 imp.span)
                    continue
                earlier = imported.get(visible)
                if earlier not in (None, canonical) and not is_unresolved(earlier) and not is_unresolved(canonical):
                    # (an error; if made a warning, as Bend's -W import-shadow does, the later one wins)
                    self.diagnostics.error(
                        f"the import of `{canonical}` as `{visible}` shadows the imported name `{earlier}`",
                        imp.span, hint=f"import one of them under another name (`... import {visible} as other`), "
                                       "or write its full name")
                imported[visible] = canonical
                namespace[visible] = canonical
                full_names.add(canonical)
        for canonical in full_names - set(namespace):  # what it imports, by full name too
            if not is_unresolved(canonical):
                namespace[canonical] = canonical
        module.namespace = namespace

    def import_binds(self, module: Module, imp: ast.Import) -> list[tuple[str, str]]:
        """(visible name, canonical name) for each name the import binds, in order.

        `import a/b [as c]` is `from a import b [as c]`. `from P import n` looks for `n` among
        the names of the file P.bend and for a file n.bend in the folder P.
        """
        if imp.names is None:
            folder, _, last = imp.path.rstrip("/").rpartition("/")
            names = [(last, imp.alias)]
        else:
            folder, names = imp.path, imp.names
        if names != ["*"] and any(name in ("", ".", "..") for name, _ in names):
            self.diagnostics.error(f"`{imp.path}` is not a module: it names a folder, not a file", imp.span,
                                   hint="import a file (`import lib/math`) or names from one (`from lib/math import sq`)")
            return unresolved(names)
        relative = imp.path.startswith(".")
        key = normalize(f"{module_folder(module.key)}/{folder}" if relative else folder)
        # where it is: as in Bend, the main file's `../` may leave its folder (the name stays `key`)
        place = key
        if relative and (module.key == MAIN_MODULE or module.place.startswith("..")):
            place = normalize(f"{module.place.rpartition('/')[0]}/{folder}", keep_up=True)
        if self.in_stdlib(place) and (place + "/").startswith(f"{STDLIB_ROOT}/prelude/"):
            self.diagnostics.error(f"`{imp.path}` is the prelude: it is loaded with every program", imp.span,
                                   hint="its names need no import")
            return unresolved(names)
        file = None
        if key and self.is_module(key, place):
            file = self.module_at(key, imp.span, imp.path, place)
            if file is None:
                return unresolved(names)
        folder_path = self.base(place) / place
        in_folder = folder_path.is_dir()
        if file is None and not in_folder:
            missing = self.file_of(place if imp.names is not None else normalize(f"{place}/{names[0][0]}", True))
            self.diagnostics.error(f"cannot import `{imp.path}`: {missing} (no such file)", imp.span)
            return unresolved(names)
        file_names = item_names(file.book) if file else []
        both = f"both the file `{key}.bend` and the folder `{key}/`"

        if names == ["*"]:
            stems = sorted(p.stem for p in folder_path.glob("*.bend")) if in_folder else []
            clashes = [stem for stem in stems if stem in file_names]
            binds = []
            for stem in clashes:
                self.diagnostics.error(f"{both} contain `{stem}`: `from {imp.path} import *` cannot take both",
                                       imp.span, hint=f"rename one of the two `{stem}`")
                binds.append((stem, UNRESOLVED + stem))
            binds += [(name, file.prefix + name) for name in file_names if name not in clashes] if file else []
            for stem in stems:
                sub = None if stem in clashes else self.module_at(normalize(f"{key}/{stem}"), imp.span, None,
                                                                  normalize(f"{place}/{stem}", True))
                if sub is not None:
                    binds += whole_file_binds(sub, stem, None)
            return binds

        binds = []
        for name, alias in names:
            sub_key, sub_place = normalize(f"{key}/{name}"), normalize(f"{place}/{name}", True)
            in_sub_file = in_folder and self.is_module(sub_key, sub_place)
            if in_sub_file and name in file_names:
                self.diagnostics.error(f"{both} contain `{name}`: which one this imports is ambiguous", imp.span,
                                       hint=f"rename `{name}` in `{key}.bend` or the file `{sub_key}.bend`")
                binds.append((alias or name, UNRESOLVED + name))
            elif in_sub_file:
                sub = self.module_at(sub_key, imp.span, sub_key, sub_place)
                binds += whole_file_binds(sub, name, alias) if sub else [(alias or name, UNRESOLVED + name)]
            elif name in file_names:
                binds += item_binds(file, name, alias or name)
            else:
                if file is not None:
                    self.diagnostics.error(f"`{imp.path}` has no definition, type or constructor `{name}`",
                                           imp.span, did_you_mean(name, file_names))
                else:
                    what = f"`{imp.path}`" if imp.names is None else f"`{name}` from the folder `{imp.path}`"
                    self.diagnostics.error(f"cannot import {what}: {self.file_of(sub_place)} (no such file)", imp.span)
                binds.append((alias or name, UNRESOLVED + name))
        return binds

    def file_of(self, key: str) -> Path:
        return self.base(key) / f"{key}.bend"

    def in_stdlib(self, place: str) -> bool:
        """Whether the module path `place` names the standard library's files."""
        return not self.own_stdlib and place.partition("/")[0] == STDLIB_ROOT

    def base(self, place: str) -> Path:
        """The folder the module path `place` starts from."""
        return STDLIB.parent if self.in_stdlib(place) else self.root

    def is_module(self, key: str, place: str) -> bool:
        return key == self.entry or self.file_of(place).is_file()

    def module_at(self, key: str, span: Span | None, written: str | None = None,
                  place: str | None = None) -> Module | None:
        """The module `key` (its path from the main file's folder, without `.bend`; its file is
        at `place`, the same but for the main file's `../`), parsed and bound on first use; None
        (reported) if it cannot be read or is the main file. Files may import each other: a
        module is known by its names before its own imports are bound."""
        if key == self.entry:
            self.diagnostics.error(f"cannot import `{written or key}`: it is the program's entry point, "
                                   f"the main file `{key}.bend`", span,
                                   hint="move what both files need into another file and import that")
            return None
        if key in self.modules:
            return self.modules[key]
        file = self.file_of(key if place is None else place)
        try:
            text = read_source(file)
        except (OSError, UnicodeDecodeError) as err:
            reason = "no such file" if isinstance(err, FileNotFoundError) else getattr(err, "strerror", None) or str(err)
            self.diagnostics.error(f"cannot import `{written or key}`: {file} ({reason})", span)
            return None
        book, diagnostics = parse_file(file, text, builtin=self.in_stdlib(key if place is None else place))
        self.diagnostics.extend(diagnostics)
        module = Module(key, file, book, key + "/", place=key if place is None else place)
        self.modules[key] = module
        self.bind_module(module)
        return module

    # -- the merged book

    def merge(self) -> Program:
        """Every module's items under their canonical names. Two items with one canonical name
        (`lib/a/b/C` written in the main file, and `C` of lib/a/b.bend) are an error, as is an
        item of the main file named like one of the prelude's (an imported file may reuse the
        prelude's names: its items are prefixed). Types have a namespace of their own;
        definitions, native definitions and constructors share one."""
        book = ast.Book()
        module_of: dict[str, str] = {}
        ctors: dict[str, tuple] = {}
        owners: dict[tuple, tuple] = {}  # (namespace, canonical) -> (module, kind, its name there, span)
        for module in self.modules.values():
            for table_name in ("defs", "adts", "hvm_defs"):
                target = getattr(book, table_name)
                for name, item in getattr(module.book, table_name).items():
                    if not self.claim(owners, module, KINDS[table_name], name, item.span):
                        continue
                    canonical = module.prefix + name
                    target[canonical] = item
                    module_of[canonical] = module.key
                    if table_name == "adts":
                        for ctor in item.ctors:
                            if self.claim(owners, module, "constructor", ctor.name, ctor.span):
                                module_of[module.prefix + ctor.name] = module.key
                                ctors[module.prefix + ctor.name] = (item, ctor)
        program = Program(book, self.modules, module_of, ctors, self.diagnostics)
        for module in self.modules.values():
            order_named_args(module.book, *visible_items(module, program), self.diagnostics)
        return program

    def claim(self, owners: dict, module: Module, kind: str, name: str, span: Span | None) -> bool:
        """Give `module`'s item `name` its canonical name; False (and an error) if it is taken."""
        canonical = module.prefix + name
        key = ("type" if kind == "type" else "value", canonical)
        if key not in owners:
            owners[key] = (module, kind, name, span)
            return True
        first, first_kind, first_name, first_span = owners[key]
        if first.key == PRELUDE_MODULE:
            self.diagnostics.error(f"`{name}` redefines a builtin {first_kind}", span,
                                   hint="the prelude's names cannot be redefined; choose another name")
        elif first.key != module.key:  # (a name repeated in one file is reported by the parser)
            self.diagnostics.error(
                f"the {describe(module, kind, name)} conflicts with the {describe(first, first_kind, first_name)}: "
                f"both are named `{canonical}`", first_span if first.key == MAIN_MODULE else span,
                hint="an imported file's names are prefixed with its path; rename one of the two")
        return False


KINDS = {"defs": "definition", "adts": "type", "hvm_defs": "definition"}


def describe(module: Module, kind: str, name: str) -> str:
    if module.key == MAIN_MODULE:
        return f"{kind} `{name}` here"
    return f"imported {kind} `{name}` of `{module.key}.bend`"


def is_unresolved(canonical: str) -> bool:
    return canonical.startswith(UNRESOLVED)


def unresolved(names: list) -> list[tuple[str, str]]:
    """What a failed import would have bound, bound to nothing: its uses are not errors again."""
    if names == ["*"]:
        return []
    return [(alias or name, UNRESOLVED + name) for name, alias in names]


def normalize(path: str, keep_up: bool = False) -> str:
    """A module path with `.` and `..` resolved; `..` stops at the main file's folder unless
    `keep_up` (then what is left of them leads the path: `../x`)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif keep_up:
                parts.append(part)
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def module_folder(key: str) -> str:
    """The folder, as a module path, that a module's `./` and `../` imports start from."""
    return "" if key == MAIN_MODULE else key.rpartition("/")[0]


def item_binds(module: Module, name: str, visible: str) -> list[tuple[str, str]]:
    """`name` of `module` bound as `visible`; a type brings its constructors (`visible/Ctor`)."""
    binds = [(visible, module.prefix + name)]
    adt = module.book.adts.get(name)
    for ctor in adt.ctors if adt else []:
        if ctor.name.startswith(name + "/"):
            binds.append((visible + ctor.name[len(name):], module.prefix + ctor.name))
    return binds


def whole_file_binds(module: Module, stem: str, alias: str | None) -> list[tuple[str, str]]:
    """Every name of a file imported whole, as `alias/name`; the one named like the file as `alias`.

    `import lib/nums as n`: one -> n/one, two -> n/two. `from types import List`, with
    `type List` in types/List.bend: List -> types/List/List, List/Nil -> types/List/List/Nil.
    """
    alias = alias or stem
    names = item_names(module.book)
    binds = [(f"{alias}/{name}", module.prefix + name) for name in names if name != stem]
    if stem in names:
        binds += item_binds(module, stem, alias)
    return binds


def item_names(book: ast.Book) -> list[str]:
    """The names a file defines: its definitions, types, their constructors, native definitions."""
    names = [*book.defs, *book.adts, *book.hvm_defs]
    names += [ctor.name for adt in book.adts.values() for ctor in adt.ctors]
    return names


def visible_items(module: Module, program: Program) -> tuple[dict, dict]:
    """(definitions, constructors) as `module` sees them: visible name -> Definition / Ctor."""
    defs, ctors = {}, {}
    for visible, canonical in module.namespace.items():
        if canonical in program.book.defs:
            defs[visible] = program.book.defs[canonical]
        if canonical in program.ctors:
            ctors[visible] = program.ctors[canonical][1]
    return defs, ctors


def load_program(path: Path, text: str | None = None) -> Program:
    """Load `path` with everything it imports. Raises OSError / UnicodeDecodeError for the main file."""
    return deep(Loader(path).load, path, text)
