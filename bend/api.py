"""Bend from Python: compile a program once and call its definitions with Python values.

    >>> import bend
    >>> bend.run("def main(n):\\n  return n * 2\\n", 21)
    42
    >>> prog = bend.compile("sum.bend")                  # a path, or source text
    >>> prog.sum_tree(20), prog.call("sum_tree", 20)     # any definition; `/` names via call()
    (1048576, 1048576)
    >>> prog.Tree.Node(left=prog.Tree.Leaf(1), right=prog.Tree.Leaf(2))   # the program's types

In:  source text or a path; Python arguments (bend.values lists the conversions): int (u24, or
     i24 when negative or declared so), float (f24), str, list, tuple, dict with int keys (Map),
     bool (where the program has a Bool type), the dataclasses of the program's types, and a
     bend.Term a call of the same program returned (a function, passed back).
Out: the result as a Python value, the same conversions backwards; a bend.Term for what has no
     Python form (a function); an IO action's value once its effects are done.
Errors: CompileError (every diagnostic, each with its file, line and column), RuntimeLimit (out
     of memory, out of time, an argument longer than the run's memory holds), ValueError for
     an argument with no Bend value, TypeError for an argument of the wrong type or count,
     AttributeError (KeyError for call()) for a name the program does not define. Nothing here
     exits the process or prints; IO (`IO/print`, files) goes to Python's sys.stdout and files.

`compile` runs the compiler (bend.compiler: load, check, desugar, nets) once, keeping every
definition of the program (and every constructor's tag, to build arguments with). A call then
reduces a starting net on the backend, `& @name ~ (arg1 (arg2 ... r))` with the arguments as
trees (bend.values), through bend.runner.run_net (hvm.io.run_io: so IO is performed); the native
backend finds the book's machine code in its cache (the book does not change between calls), so
a second call builds no LLVM code. `run(source, *args)` is `compile(source).main(*args)`.

The `bend` command is built on this module: its run commands compile (with their diagnostics
and the cache of compiled programs, bend.cache) and then call `run_compiled`, which gives the
result as Bend text with the statistics; the command only prints it. It is bend.runner's, the
one run path, which a warm run of a cached program (bend.start) calls too.
"""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path

from bend import ast, runner
from bend.diagnostics import BendError, Diagnostics
from bend.values import (I24_MIN, U24_MAX, Data, DataTypes, Decoder, Encoder, Maybe, Nat, NotData, Result,
                         Tree_ as Tree, attribute_name, ctor_net, no_gc, plain_type, rename_wires)
from hvm import numbers
from hvm.book import Definition, Era, Net, Node, Num, Redex, Ref, Tag, Var
from hvm.errors import HvmError, LimitError

__all__ = ["run", "run_file", "compile", "Program", "Function", "Term", "CompileError", "RuntimeLimit",
           "UnknownName", "Data", "Maybe", "Result", "Nat", "Tree", "U24_MAX", "I24_MIN", "run_compiled",
           "Outcome"]

ROOTS = "<python api>"  # the book's entry for the runtimes: it names every definition, so every
#                         call flattens the same book (and the native backend's code is cached)
BACKENDS = ("c", "py", "cu")
DEFAULT_BACKEND = "c"  # what `backend=None` means (the tests of the documentation set "py")


class CompileError(Exception):
    """The program has errors: `.diagnostics` holds every one; the message shows them as
    `bend check` does (file:line:column, the line, a caret)."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics.sorted() if d.severity == "error"))


class RuntimeLimit(Exception):
    """The run reached a limit (memory, time): the message names it and how to raise it."""


class UnknownName(AttributeError, KeyError):
    """A name the program does not define (`prog.nope`, `prog.call("nope")`): an AttributeError
    and a KeyError, whose message says what is close."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Term:
    """A result with no Python form (a function, a partial application): prints as Bend prints
    it; `.term` is the read-back syntax tree (bend.ast). A term that a program's call returned
    can be called (`f(1, 2)`) and passed back to that program's definitions."""

    def __init__(self, term, tree=None, program: "Program | None" = None):
        self.term = term
        self.tree = tree  # its net (hvm.book tree), where it can be given back
        self.program = program

    def __str__(self) -> str:
        from bend.to_hvm.readback import show

        return show(self.term)

    def __repr__(self) -> str:
        return f"bend.Term({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Term) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __call__(self, *args, stats: bool = False):
        """Apply the term to `args` on the program it came from."""
        if self.program is None or self.tree is None:
            raise TypeError(f"this term cannot be called here: `{self}`")
        return self.program._apply(self.program._passed(self), args, f"`{self}`", None, stats)


# -- the entry points

# The run of a compiled program's entry point, its result as Bend text (`Outcome`: term, text,
# stats): what the `bend` command's run commands call and print, and what a warm `bend run` of
# a cached program calls (bend.start, through bend.runner.execute). Raises hvm.errors.HvmError.
run_compiled = runner.run_compiled
Outcome = runner.Outcome


def run(source: str, *args, backend: str | None = None, threads: int | None = None, mem: int | None = None,
        timeout: float | None = None, stats: bool = False, path: str = "<source>"):
    """Compile `source` and call `main` with `args`: the result as a Python value (and the run's
    statistics, hvm.runtime.Stats, when `stats`). `backend`: "c" (native, every core), "py" (the
    reference evaluator) or "cu" (the GPU); `mem`: bytes; `timeout`: seconds."""
    program = _compile(Path(path), source, backend, threads, mem, timeout, need_main=True)
    return program.call(program.entry, *args, stats=stats)


def run_file(path, *args, backend: str | None = None, threads: int | None = None, mem: int | None = None,
             timeout: float | None = None, stats: bool = False):
    """As `run`, for a .bend file (its imports are found next to it)."""
    path = Path(path)
    program = _compile(path, read(path), backend, threads, mem, timeout, need_main=True)
    return program.call(program.entry, *args, stats=stats)


def compile(source_or_path, *, backend: str | None = None, threads: int | None = None, mem: int | None = None,
            timeout: float | None = None, path: str | None = None) -> "Program":
    """Compile a program once, to call its definitions many times. `source_or_path`: a
    pathlib.Path (or os.PathLike), a str ending in `.bend` with no line break (a file), or
    source text (then `path` names it in messages). A program needs no `main`. The settings are
    those of `run`, used by every call."""
    import os

    if isinstance(source_or_path, os.PathLike) or (
            isinstance(source_or_path, str) and source_or_path.endswith(".bend") and "\n" not in source_or_path):
        file = Path(source_or_path)
        return _compile(file, read(file), backend, threads, mem, timeout, need_main=False)
    if not isinstance(source_or_path, str):
        raise TypeError(f"bend.compile takes source text or a path, not a {type(source_or_path).__name__}")
    return _compile(Path(path or "<source>"), source_or_path, backend, threads, mem, timeout, need_main=False)


def read(path: Path) -> str:
    from hvm.source import read_source

    try:
        return read_source(path)
    except HvmError as err:
        raise FileNotFoundError(err.message) from None


def _compile(path: Path, text: str, backend: str, threads, mem, timeout, need_main: bool) -> "Program":
    from bend.compiler import compile_program, load

    backend = backend or DEFAULT_BACKEND
    if backend not in BACKENDS:
        raise ValueError(f"no backend `{backend}`: the backends are {', '.join(BACKENDS)}")
    program = load(path, text, levels=None if need_main else {"missing-main": "allow"})
    if program.diagnostics.errors:
        raise CompileError(program.diagnostics)
    signatures = definition_signatures(program)
    try:
        compiled = compile_program(program)
    except BendError as err:
        raise CompileError(err.diagnostics) from None
    return Program(compiled, program, signatures, path, backend, threads, mem, timeout)


# -- a compiled program


class Signature:
    """What is known of a definition's parameters: how many (None: not known, as for `f = λx
    ...`), their names and declared types (None: any)."""

    def __init__(self, arity: int | None, names: list, types: list):
        self.arity, self.names, self.types = arity, names, types


def definition_signatures(program) -> dict[str, Signature]:
    """Read before compiling (the passes rewrite the definitions): each definition's and
    constructor's parameters."""
    signatures = {}
    for name, d in program.book.defs.items():
        patterns = d.rules[0].patterns if d.rules else []
        arity = len(patterns) if patterns or d.syntax == "imp" else None
        names = [p.name if type(p) is ast.PVar and p.name else None for p in patterns]
        types, t = [], d.typ
        for _ in range(arity or 0):
            if type(t) is ast.TArrow:
                types.append(plain_type(t.arg))
                t = t.result
            else:
                types.append(None)
        signatures[name] = Signature(arity, names, types)
    for name in program.book.hvm_defs:  # (native nets: nothing is known of their parameters)
        signatures[name] = Signature(None, [], [])
    for adt in program.book.adts.values():
        for c in adt.ctors:
            signatures[c.name] = Signature(len(c.fields), [f.name for f in c.fields],
                                           [plain_type(f.typ) for f in c.fields])
    return signatures


class Program:
    """A compiled program (bend.compile). Call a definition: `prog.call("name", *args)`, or
    `prog.name(*args)` where the name is a Python identifier (`__` stands for `/`:
    `prog.Shape__area` is `Shape/area`); `prog(*args)` calls `main`. The program's types:
    `prog.Shape` (a class; its constructors `prog.Shape.Circle`, frozen dataclasses), or
    `prog.types["lib/Shape"]`. `prog.definitions`: the names that can be called."""

    def __init__(self, compiled, program, signatures: dict, path: Path, backend: str, threads, mem, timeout):
        self.compiled, self.path = compiled, path
        self.backend, self.threads, self.mem, self.timeout = backend, threads, mem, timeout
        self.diagnostics = program.diagnostics
        self.entry = compiled.ctx.entry
        self._namespace = dict(program.main.namespace)
        self._data = DataTypes.of(compiled.core.adts)
        book = compiled.hvm
        for info in self._data.ctors.values():  # every tag, so that any constructor can be an argument
            if info.tag not in book.defs:
                book.defs[info.tag] = Definition(info.tag, Net(Num(numbers.new_u24(info.index))))
        for name in ("String/Cons", "String/Nil", "List/Cons", "List/Nil"):  # (what long arguments' chains call)
            if name not in book.defs and name in self._data.ctors:
                book.defs[name] = Definition(name, ctor_net(self._data.ctors[name]))
        self.definitions = sorted(n for n in book.defs if ast.is_user(n) and n in signatures or n == self.entry)
        self._signatures = signatures
        if self.entry not in signatures and self.entry in book.defs:
            self._signatures[self.entry] = Signature(None, [], [])
        roots: object = Era()
        for name in reversed(list(book.defs)):
            roots = Node(Tag.CON, Ref(name), roots)
        book.defs[ROOTS] = Definition(ROOTS, Net(roots))
        self.types = {name: cls for name, cls in self._data.classes.items()}
        self._passes = itertools.count()

    # -- names

    def _resolve(self, name: str) -> str:
        """The canonical name of a definition the program can call; UnknownName otherwise."""
        if name in self._signatures and name in self.compiled.hvm.defs and ast.is_user(name):
            return name
        if name == "Main" and self.entry == "main" and "main" in self.compiled.hvm.defs:
            return "main"
        canonical = self._namespace.get(name)
        if canonical is not None and canonical in self.compiled.hvm.defs and canonical in self._signatures:
            return canonical
        raise UnknownName(self._unknown(name))

    def _unknown(self, name: str) -> str:
        known = [*self.definitions, *(n for n in self._namespace if self._namespace[n] in self.definitions)]
        close = difflib.get_close_matches(name, list(dict.fromkeys(known + list(self.types))), n=3)
        if name in self._namespace or name in self._signatures:
            message = (f"`{name}` is not in the compiled program: the prelude's definitions the program does "
                       "not use are left out")
        else:
            message = f"the program has no definition `{name}`"
        if close:
            message += " (did you mean " + " or ".join(f"`{c}`" for c in close) + "?)"
        elif name == "main":
            message += "; call one of: " + ", ".join(self.definitions[:10])
        return message

    def __getattr__(self, attribute: str):
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        types = self.__dict__.get("types", {})
        canonical_type = self.__dict__.get("_namespace", {}).get(attribute, attribute)
        if canonical_type in types:
            return types[canonical_type]
        name = attribute.replace("__", "/")
        return Function(self, self._resolve(name))

    def __dir__(self):
        names = {n for n in self.definitions if n.isidentifier()}
        names |= {n.replace("/", "__") for n in self.definitions if n.replace("/", "__").isidentifier()}
        names |= {n for n, c in self._namespace.items() if c in self.types and n.isidentifier()}
        return sorted(set(super().__dir__()) | names)

    def __repr__(self) -> str:
        own = [n for n in self.definitions if n in self.compiled.ctx.own_defs]
        shown = ", ".join(own[:6]) + (", ..." if len(own) > 6 else "")
        return f"<bend.Program {self.path}: {shown}>"

    # -- calls

    def __call__(self, *args, stats: bool = False):
        """Call `main`."""
        return self.call(self._resolve(self.entry) if self.entry in self.compiled.hvm.defs else "main", *args,
                         stats=stats)

    def call(self, name: str, *args, stats: bool = False):
        """Call the definition `name` with `args` (Python values): its result as a Python value
        (with the run's hvm.runtime.Stats when `stats`). KeyError (UnknownName) for a name the
        program does not define; TypeError for a wrong count of arguments."""
        canonical = self._resolve(name)
        signature = self._signatures[canonical]
        if signature.arity is not None and len(args) != signature.arity:
            params = ", ".join(n or "_" for n in signature.names)
            raise TypeError(f"`{canonical}` takes {signature.arity} argument{'s' if signature.arity != 1 else ''} "
                            f"({params}), not {len(args)}")
        return self._apply(Ref(canonical), args, f"`{canonical}`", signature, stats)

    def _apply(self, head, args: tuple, what: str, signature: Signature | None, stats: bool):
        """Reduce `head` (a tree: a reference, a function) applied to `args`."""
        with no_gc():  # (the arguments and the result can be millions of objects, without cycles)
            return self._apply_now(head, args, what, signature, stats)

    def _apply_now(self, head, args: tuple, what: str, signature: Signature | None, stats: bool):
        encoder = Encoder(self._data, self._passed, chains=True, too_long=self._too_long())
        trees = []
        for i, a in enumerate(args):
            typ = signature.types[i] if signature is not None and i < len(signature.types) else None
            param = signature.names[i] if signature is not None and i < len(signature.names) else None
            where = f"argument {i + 1}" + (f" (`{param}`)" if param else "") + f" of {what}"
            try:
                trees.append(encoder.tree(a, typ, where))
            except LimitError as err:
                raise RuntimeLimit(f"{err.message} ({err.hint})") from None
        if not trees:  # nothing to apply: a definition's own net (as `@name ~ ROOT` expands it)
            boot = self.compiled.hvm.defs[head.name].net if type(head) is Ref else Net(head)
        else:
            r = Var("<result>")
            app = r
            for t in reversed(trees):
                app = Node(Tag.CON, t, app)
            boot = Net(r, [Redex(head, app)], encoder.chains)
        tree, run_stats = self._run(boot)
        try:
            value = Decoder(self._data, self.compiled.hvm.defs, self._term, self._constant).result(tree)
        except NotData:
            from bend.to_hvm.readback import readback

            value = to_python(readback(tree, self.compiled.core))
        return (value, run_stats) if stats else value

    def _too_long(self):
        """The check of an argument's length against the run's memory (bend.runner.too_long):
        a string of a billion characters is refused before it is built, not built in gigabytes."""
        memory = runner.memory_bound(self.backend, self.mem)
        most = runner.argument_room(memory)

        def check(where: str, length: int, kind: str):
            if length <= most:
                return None
            return runner.too_long(where[0].upper() + where[1:], length, memory, kind, "the `mem` setting")

        return check

    def _run(self, boot: Net):
        from hvm.io import add_stats

        options = {"timeout": self.timeout, "memory": self.mem}
        if self.backend in ("c", "cu") or self.threads is not None:
            options["threads"] = self.threads
        options = {k: v for k, v in options.items() if v is not None}
        total = None
        for _ in range(100):  # a result that is a reference to a computation is run in turn
            try:
                result = runner.run_net(self.compiled.hvm, ROOTS, self.backend, boot=boot, **options)
            except LimitError as err:
                raise RuntimeLimit(err.message + (f" ({err.hint})" if err.hint else "")) from None
            except HvmError as err:
                raise RuntimeError(err.message) from None
            if total is None:
                total = result.stats
            else:
                add_stats(total, result.stats)
            tree = result.tree
            d = self.compiled.hvm.defs.get(tree.name) if type(tree) is Ref else None
            if d is None or not d.net.reducible or tree.name in self._data.ctors:
                break
            boot = d.net
        return tree, total

    def _constant(self, name: str):
        """The result tree of `name` where it is a user's definition with no parameters that has
        work to do (not a function, whose net has redexes under its lambdas), else None."""
        d = self.compiled.hvm.defs.get(name)
        signature = self._signatures.get(name)
        if d is None or not d.net.reducible or signature is None or name in self._data.ctors:
            return None
        if signature.arity is None:
            core = self.compiled.core.defs.get(name)
            if core is None or not core.rules or type(core.rules[0].body) is ast.Lam:
                return None
        elif signature.arity:
            return None
        return self._run(d.net)[0]

    def _term(self, tree) -> Term:
        from bend.to_hvm.readback import readback

        return Term(readback(tree, self.compiled.core), tree, self)

    def _passed(self, value):
        """The tree of a Term given back as an argument (None for anything else)."""
        if not isinstance(value, Term):
            return None
        if value.program is not self or value.tree is None:
            raise ValueError(f"a bend.Term is given back only to the program whose call made it (`{value}`)")
        return rename_wires(value.tree, f"<passed {next(self._passes)}>")


class Function:
    """A definition of a compiled program, to call: `prog.sum_tree(20)`."""

    def __init__(self, program: Program, name: str):
        self.program, self.name = program, name
        signature = program._signatures[name]
        self.arity = signature.arity
        self.__name__ = name.replace("/", "__")
        params = ", ".join(n or "_" for n in signature.names) if signature.arity is not None else "..."
        self.__doc__ = f"The Bend definition `{name}({params})`."
        if signature.arity is not None:  # (for help() and editors)
            import inspect

            names = [attribute_name(n) if n else f"arg{i + 1}" for i, n in enumerate(signature.names)]
            if len(set(names)) == len(names):
                self.__signature__ = inspect.Signature(
                    [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names])

    def __call__(self, *args, stats: bool = False):
        return self.program.call(self.name, *args, stats=stats)

    def __repr__(self) -> str:
        return f"<bend definition {self.name}" + (f"/{self.arity}>" if self.arity is not None else ">")


# -- a read-back term to Python values (where the result is not data throughout)


def to_python(t):
    """A read-back term as a Python value: numbers, strings, lists, tuples; a Term where there
    is none. (Used only where a result is not data all through: see bend.values.Decoder.)"""
    cls = type(t)
    if cls is ast.Num:
        value = numbers.python_value(t.numb)
        return Term(t) if value is None else value
    if cls is ast.Str:
        return t.text
    if cls is ast.List:
        return [to_python(x) for x in t.items]
    if cls is ast.Tuple:
        items = []
        while type(t) is ast.Tuple and len(t.items) == 2:  # right-nested pairs: (a, (b, c)) is (a, b, c)
            items.append(to_python(t.items[0]))
            t = t.items[1]
        items.append(to_python(t))
        return tuple(items)
    return Term(t)
