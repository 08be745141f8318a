"""Load a program: the prelude (every file of bend/stdlib), the main file and every file it
imports, as one Book.

In:  the path of the main `.bend` file.
Out: a Program: the merged Book (every item under its canonical name), for each module the
     names it can see (its namespace: visible name -> canonical name), and all diagnostics.

Canonical names: the prelude's and the main file's items keep their names; an item `x` of an
imported file `lib/math.bend` is `lib/math/x`. Imports bind visible names to them (notes §1.8):

    from lib/math import sq, cube as c     sq -> lib/math/sq, c -> lib/math/cube
    from lib/math import *                  every name of the file, as it is
    from lib import *                       (a folder) every file's names as file/name
    import lib/math                         math/sq, math/cube, ...
    import lib/math as m                    m/sq, m/cube, ...

Importing a type imports its constructors. Paths starting with `./` or `../` are relative to
the importing file, others to the main file's folder. An import cycle is an error.
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

STDLIB = Path(__file__).resolve().parent.parent / "stdlib"
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
        self.diagnostics = Diagnostics()
        self.modules: dict[str, Module] = {}
        self.loading: list[str] = []  # the import chain, to report cycles

    def load(self, main_path: Path, main_text: str | None = None) -> Program:
        prelude_book = self.load_prelude()
        prelude = Module(PRELUDE_MODULE, STDLIB, prelude_book, "")
        prelude.namespace = {name: name for name in item_names(prelude_book)}
        self.modules[PRELUDE_MODULE] = prelude

        text = main_text if main_text is not None else read_source(main_path)
        book, diagnostics = parse_file(main_path, text)
        self.diagnostics.extend(diagnostics)
        main = Module(MAIN_MODULE, main_path, book, "")
        self.modules[MAIN_MODULE] = main
        self.loading.append(MAIN_MODULE)
        self.bind_module(main)
        self.loading.pop()
        return self.merge()

    def load_prelude(self) -> ast.Book:
        """Every file of the standard library, as one module: their names are all builtins."""
        book = ast.Book()
        for path in sorted(STDLIB.glob("*.bend")):
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
        """Fill the module's namespace: the prelude, its own items, then what it imports."""
        namespace = dict(self.modules[PRELUDE_MODULE].namespace)
        for name in module.book.broken - {None}:  # a syntax error was reported there: do not repeat it
            namespace[name] = UNRESOLVED + name
        for name in item_names(module.book):
            namespace[name] = module.prefix + name
        for imp in module.book.imports:
            for visible, canonical in self.import_binds(module, imp).items():
                if visible in namespace and namespace[visible] != canonical and visible in item_names(module.book):
                    self.diagnostics.warning(f"the import of `{visible}` is shadowed by this file's own `{visible}`",
                                             imp.span)
                    continue
                namespace[visible] = canonical
        module.namespace = namespace

    def import_binds(self, module: Module, imp: ast.Import) -> dict:
        base = module.path.resolve().parent if imp.path.startswith(".") else self.root
        target = (base / imp.path).resolve()
        if not target.name:
            self.diagnostics.error(f"`{imp.path}` is not a module: it names the root of the file system", imp.span)
            return self.unresolved(imp)
        if imp.names == ["*"] and target.is_dir():
            binds = {}
            for file in sorted(target.glob("*.bend")):
                sub = self.module_at(file, imp.span)
                if sub is not None:
                    binds.update({f"{file.stem}/{n}": sub.prefix + n for n in item_names(sub.book)})
            return binds
        imported = self.module_at(target.with_suffix(".bend"), imp.span, imp.path)
        if imported is None:
            return self.unresolved(imp)
        names = item_names(imported.book)
        if imp.names is None:  # import path [as alias]
            alias = imp.alias or imp.path.rstrip("/").split("/")[-1]
            return {name if name == alias else f"{alias}/{name}": imported.prefix + name for name in names}
        if imp.names == ["*"]:
            return {name: imported.prefix + name for name in names}
        binds = {}
        for name, alias in imp.names:
            if name not in names:
                self.diagnostics.error(f"`{imp.path}` has no definition, type or constructor `{name}`", imp.span,
                                       did_you_mean(name, names))
                binds[alias or name] = UNRESOLVED + name
                continue
            binds[alias or name] = imported.prefix + name
            adt = imported.book.adts.get(name)
            for ctor in adt.ctors if adt else []:  # a type brings its constructors
                visible = (alias or name) + ctor.name[len(name):] if ctor.name.startswith(name + "/") else ctor.name
                binds[visible] = imported.prefix + ctor.name
        return binds

    @staticmethod
    def unresolved(imp: ast.Import) -> dict:
        """What a failed import would have bound, bound to nothing: its uses are not errors again."""
        if imp.names is None or imp.names == ["*"]:
            return {}
        return {alias or name: UNRESOLVED + name for name, alias in imp.names}

    def module_at(self, file: Path, span: Span | None, written: str | None = None) -> Module | None:
        """The module of `file`, parsed and bound on first use."""
        try:
            key = file.resolve().relative_to(self.root).with_suffix("").as_posix()
        except ValueError:
            key = file.resolve().with_suffix("").as_posix()
        if key in self.loading:
            cycle = " -> ".join([*self.loading[self.loading.index(key):], key])
            self.diagnostics.error(f"import cycle: {cycle}", span, hint="move what both files need into a third one")
            return None
        if key in self.modules:
            return self.modules[key]
        try:
            text = read_source(file)
        except (OSError, UnicodeDecodeError) as err:
            reason = "no such file" if isinstance(err, FileNotFoundError) else getattr(err, "strerror", None) or str(err)
            self.diagnostics.error(f"cannot import `{written or key}`: {file} ({reason})", span)
            return None
        book, diagnostics = parse_file(file, text)
        self.diagnostics.extend(diagnostics)
        module = Module(key, file, book, key + "/")
        self.modules[key] = module
        self.loading.append(key)
        self.bind_module(module)
        self.loading.pop()
        return module

    # -- the merged book

    def merge(self) -> Program:
        book = ast.Book()
        module_of: dict[str, str] = {}
        ctors: dict[str, tuple] = {}
        for module in self.modules.values():
            for table_name in ("defs", "adts", "hvm_defs"):
                target = getattr(book, table_name)
                for name, item in getattr(module.book, table_name).items():
                    canonical = module.prefix + name
                    if module.key != PRELUDE_MODULE and canonical in self.modules[PRELUDE_MODULE].namespace:
                        what = builtin_kind(self.modules[PRELUDE_MODULE].book, canonical)
                        self.diagnostics.error(f"`{name}` redefines a builtin {what}", item.span,
                                               hint="the prelude's names cannot be redefined; choose another name")
                        continue
                    target[canonical] = item
                    module_of[canonical] = module.key
                    if table_name == "adts":
                        for ctor in item.ctors:
                            module_of[module.prefix + ctor.name] = module.key
                            ctors[module.prefix + ctor.name] = (item, ctor)
        program = Program(book, self.modules, module_of, ctors, self.diagnostics)
        for module in self.modules.values():
            if module.key != PRELUDE_MODULE:
                check_builtin_ctors(module, self.modules[PRELUDE_MODULE], self.diagnostics)
            order_named_args(module.book, *visible_items(module, program), self.diagnostics)
        return program


def builtin_kind(prelude: ast.Book, name: str) -> str:
    if name in prelude.adts:
        return "type"
    if any(c.name == name for adt in prelude.adts.values() for c in adt.ctors):
        return "constructor"
    return "definition"


def check_builtin_ctors(module: Module, prelude: Module, diagnostics: Diagnostics) -> None:
    builtin_ctors = {c.name for adt in prelude.book.adts.values() for c in adt.ctors}
    for adt in module.book.adts.values():
        for ctor in adt.ctors:
            if ctor.name in builtin_ctors:
                diagnostics.error(f"`{ctor.name}` redefines a builtin constructor", ctor.span)


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
