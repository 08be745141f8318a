"""The `bend` command.

In:  command-line arguments.
Out: results on stdout, diagnostics on stderr; exit code 0 (success), 1 (errors in the
     program, or a runtime limit) or 2 (a usage error).

    bend run FILE [ARGS]      compile and run on every core (same as run-c)
    bend run-c FILE [ARGS]    the native parallel runtime (LLVM)
    bend run-py FILE [ARGS]   the reference evaluator (pure Python)
    bend run-cu FILE [ARGS]   the GPU runtime (CUDA)
    bend gen-cu FILE          print the PTX the GPU runs the program with
    bend gen-hvm FILE         print the HVM2 net the program compiles to
    bend desugar FILE         print the program after the desugaring passes
    bend check FILE           report every error and warning without running
    bend parse FILE           print the syntax tree in the fun syntax

Bend 0.2.38's options: -O (compiler options), -W/-D/-A (warn about, deny, allow a kind of
warning), -e (the entry point), -p (pretty result), -v (each stage, and the net), --version.
docs/cli.md describes every one.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from hvm.cli import (ArchOpt, LauncherOpt, MemOpt, NoCacheOpt, OptimizeFirstOpt, QuietOpt, RulesOpt, StatsOpt,
                     ThreadsOpt, TimeoutOpt, closed_pipe, emit, fail, gpu_memory_limit, launcher_name, memory_limit, ptx_arch,
                     read_text, stats_lines)
from bend.start import version_text
from hvm.errors import HvmError

app = typer.Typer(
    name="bend",
    help="Compile and run Bend programs (.bend files).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)
FileArg = Annotated[Path, typer.Argument(help="The .bend file.", show_default=False)]
ArgsArg = Annotated[list[str] | None, typer.Argument(
    help="Terms (in the fun syntax) to apply `main` to, e.g. 10 '[1, 2]' '\"text\"'.", show_default=False)]
OptOpt = Annotated[list[str] | None, typer.Option(
    "-O", help="Compiler option (Bend's): all, no-all, eta, no-eta, prune, no-prune, linearize-matches, "
               "linearize-matches-alt, no-linearize-matches, float-combinators, no-float-combinators, merge, "
               "no-merge, inline, no-inline, check-net-size, no-check-net-size, adt-scott, adt-num-scott, "
               "type-check, no-type-check. Repeatable; later ones win.", show_default=False)]
WARNING_NAMES = "irrefutable-match, redundant-match, unreachable-match, unused-definition, repeated-bind, " \
                "recursion-cycle, import-shadow, missing-main, all"
WarnOpt = Annotated[list[str] | None, typer.Option(
    "-W", "--warn", help=f"Show this kind of warning: {WARNING_NAMES}. Repeatable.", show_default=False)]
DenyOpt = Annotated[list[str] | None, typer.Option(
    "-D", "--deny", help="Make this kind of warning an error (exit 1). Repeatable.", show_default=False)]
AllowOpt = Annotated[list[str] | None, typer.Option(
    "-A", "--allow", help="Silence this kind of warning (or error: missing-main, recursion-cycle). Repeatable.",
    show_default=False)]
EntryOpt = Annotated[str | None, typer.Option(
    "-e", "--entrypoint", help="Start the program at this definition instead of `main`.", show_default=False)]
PrettyOpt = Annotated[bool, typer.Option("-p", "--pretty", help="Print the result over several lines, indented.")]
BendTextOpt = Annotated[bool, typer.Option(
    "--bend-text", help="Print the result as Bend does: data as its λ-encoding (`λa (a T/C/tag …)`), "
                        "not as `T/C { … }`; to compare with Bend's output.")]
VerboseOpt = Annotated[bool, typer.Option(
    "-v", "--verbose", help="Print each compiler stage as it runs, and the net, on stderr.")]
STYLES = {"error": "bold red", "warning": "bold yellow"}


@dataclass
class Settings:
    """What the options common to every command ask for."""

    opt: list[str] | None = None  # -O
    warn: list[str] | None = None  # -W
    deny: list[str] | None = None  # -D
    allow: list[str] | None = None  # -A
    entrypoint: str | None = None  # -e
    verbose: bool = False  # -v
    running: bool = False  # a run command: warnings are not shown unless -W/-D names them (as in Bend)
    cuda: bool = False  # run-cu / gen-cu
    cache: bool = False  # a run command: the compiled program may come from the cache (bend.cache)

    def trace(self, text: str) -> None:
        if self.verbose:
            stderr.print(text, markup=False)


def settings(ctx: typer.Context, opt=None, warn=None, deny=None, allow=None, entrypoint=None, verbose=False,
             running=False, cuda=False) -> Settings:
    """The command's options, with `bend -v`/`bend -e NAME` (given before the command) as defaults."""
    top = ctx.obj if isinstance(ctx.obj, dict) else {}
    return Settings(opt, warn, deny, allow, entrypoint or top.get("entrypoint"), verbose or top.get("verbose", False),
                    running, cuda)


def report(diagnostics, warnings: bool = True, shown: list | None = None) -> bool:
    """Print the diagnostics (errors and, unless told not to, warnings: those `-W` asks for are
    shown anyway) in source order, each also appended to `shown`; True if there were errors."""
    for d in diagnostics.sorted():
        if d.severity == "warning" and not warnings and diagnostics.levels.get(d.kind) != "warning":
            continue
        show_diagnostic(d)
        if shown is not None:
            shown.append(d)
    return bool(diagnostics.errors)


def show_diagnostic(d) -> None:
    stderr.print(Text.assemble((d.severity, STYLES[d.severity]), d.render().removeprefix(d.severity)))


def warning_levels(s: Settings) -> dict[str, str]:
    """kind -> "warning" | "error" | "allow", from -W, -D and -A. `all` first, then each name:
    a name given to two of them gets the strongest (-D over -W over -A). A run shows no
    warning unless asked (Bend's default for its run commands)."""
    from bend.diagnostics import KINDS

    levels = {k: "allow" for k in KINDS if k not in ("missing-main", "recursion-cycle")} if s.running else {}
    given = [("allow", s.allow), ("warning", s.warn), ("error", s.deny)]
    for flag, level, names in [("-A", *given[0]), ("-W", *given[1]), ("-D", *given[2])]:
        for name in split_names(names):
            if name != "all" and name not in KINDS:
                raise typer.BadParameter(f"no warning `{name}`; the warnings: {WARNING_NAMES}", param_hint=flag)
    for wanted_all in (True, False):
        for level, names in given:
            for name in split_names(names):
                if (name == "all") == wanted_all:
                    for kind in (k for k in KINDS if k != "missing-main") if name == "all" else [name]:
                        levels[kind] = level
    return levels


def split_names(values: list[str] | None) -> list[str]:
    return [name for value in values or [] for name in value.replace(",", " ").split()]


def load_and_check(file: Path, s: Settings | None = None):
    from bend.compiler import load

    s = s or Settings()
    return load(file, read_text(file), s.entrypoint, warning_levels(s), s.trace)


def options_from(flags: list[str] | None, s: Settings | None = None):
    from bend.desugar.context import Options

    options = Options()
    for flag in flags or []:
        for name in flag.split():
            try:
                options.set(name)
            except ValueError as err:
                raise typer.BadParameter(str(err), param_hint="-O") from None
    if s is not None and s.verbose:
        stage = {"started": time.perf_counter()}

        def trace(name: str) -> None:  # told each stage's name as it starts
            now = time.perf_counter()
            if "name" in stage:
                s.trace(f"{stage['name']} ({(now - stage['started']) * 1000:.0f} ms)")
            stage["name"], stage["started"] = name, now

        options.trace = trace
    return options


def parse_args(args: list[str] | None) -> list:
    from bend.diagnostics import Diagnostics
    from bend.frontend.parser import parse_term_text

    terms, diagnostics = [], Diagnostics()
    for i, text in enumerate(args or []):
        term, found = parse_term_text(text, f"<argument {i + 1}>")
        diagnostics.extend(found)
        terms.append(term)
    if report(diagnostics):
        raise typer.Exit(1)
    return terms


def compile_file(file: Path, s: Settings, args: list[str] | None = None, shown: list | None = None):
    """Load, check and compile `file`; every problem found is reported before exiting (and
    each diagnostic shown is appended to `shown`)."""
    from bend.compiler import compile_program

    if s.cache and not s.verbose:
        return compile_cached(file, s, args)
    from bend.diagnostics import BendError

    options = options_from(s.opt, s)
    terms = parse_args(args)
    program = load_and_check(file, s)
    if report(program.diagnostics, not s.running, shown):
        raise typer.Exit(1)
    before = len(program.diagnostics.items)
    try:
        compiled = compile_program(program, options, terms)
    except BendError as err:
        err.diagnostics.items = err.diagnostics.items[before:]
        report(err.diagnostics, not s.running)
        raise typer.Exit(1) from None
    finally:
        if options.trace is not None:
            options.trace("")
    program.diagnostics.items = program.diagnostics.items[before:]
    if report(program.diagnostics, not s.running, shown):  # (a warning `-D` made an error, where nothing stops)
        raise typer.Exit(1)
    if s.verbose:
        from hvm.syntax import show_book

        stderr.print(f"the net ({len(compiled.hvm.defs)} definitions):", markup=False)
        stderr.print(show_book(compiled.hvm), end="", markup=False)
    return compiled


def compile_cached(file: Path, s: Settings, args: list[str] | None):
    """compile_file through the cache of compiled programs (bend.cache): a program compiled
    before shows the diagnostics its compile showed, and is not compiled again."""
    from bend import cache

    request = cache.Request(file, list(args or []), list(s.opt or []), list(s.warn or []), list(s.deny or []),
                            list(s.allow or []), s.entrypoint)
    found = cache.lookup(request)
    if found is not None:
        for d in found.shown():
            show_diagnostic(d)
        return found.compiled()
    shown: list = []
    started = time.time_ns()
    s.cache = False
    compiled = compile_file(file, s, args, shown)
    cache.store(request, compiled, shown, started)
    return compiled


def check_argument_sizes(args: list[str] | None, backend: str, memory: int | None) -> None:
    """An argument too long for the run's memory is an error before anything is parsed (a
    string of a billion characters would be billions of nodes, and gigabytes in the parser)."""
    from bend.runner import argument_room, run_memory, too_long

    memory = run_memory(backend, memory)
    if memory is None:
        return  # (the GPU's memory is known once a device is found; the runtime says when it is short)
    most = argument_room(memory)
    for i, text in enumerate(args or []):
        if len(text) > most:
            fail(too_long(f"argument {i + 1}", len(text), memory))


def run_with(backend: str, file: Path, args, s: Settings, stats: bool, rules: bool, pretty: bool, bend_text: bool,
             quiet: bool, **options) -> None:
    """A run command: compile (or find in the cache), then run through the Python API
    (bend.api.run_compiled), and print what it gives."""
    from bend.api import run_compiled
    from bend.runner import problems

    check_argument_sizes(args, backend, options.get("memory"))
    s.running = True
    s.cache = options.get("use_cache", True)
    compiled = compile_file(file, s, args)
    for severity, message in problems(compiled.hvm.defs, compiled.ctx.entry, compiled.ctx.options):
        stderr.print(Text.assemble((severity, STYLES[severity]), f": {message}"))
        if severity == "error":
            raise typer.Exit(1)
    if sys.stdout is not None:
        emit()  # (what is already on stdout goes before the program's output)
    started = time.perf_counter()
    try:
        outcome = run_compiled(compiled, backend, as_data=not bend_text, progress=not quiet, **options)
    except HvmError as err:
        fail(err)
    s.trace(f"run: {backend} backend, readback ({(time.perf_counter() - started) * 1000:.0f} ms)")
    emit(outcome.result_text(pretty), *stats_lines(outcome.stats, stats, rules))


def run_native(file, args, s, stats, rules, pretty, bend_text, quiet, mem, threads, timeout, no_cache,
               optimize_first) -> None:
    from hvm.llvm_cpu.backend import MAX_MEMORY

    run_with("c", file, args, s, stats, rules, pretty, bend_text, quiet, memory=memory_limit(mem, MAX_MEMORY), threads=threads,
             timeout=timeout, use_cache=not no_cache, tiered=not optimize_first)


def show_version(value: bool) -> None:
    if value:
        print(version_text())
        raise typer.Exit()


@app.callback()
def common(ctx: typer.Context, verbose: VerboseOpt = False, entrypoint: EntryOpt = None,
           version: Annotated[bool, typer.Option("--version", "-V", callback=show_version, is_eager=True,
                                                 help="Print the version and exit.")] = False) -> None:
    """Compile and run Bend programs (.bend files). -v and -e work before the command or after it."""
    ctx.obj = {"verbose": verbose, "entrypoint": entrypoint}


def run_c(ctx: typer.Context, file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False,
          mem: MemOpt = None, threads: ThreadsOpt = None, timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False,
          optimize_first: OptimizeFirstOpt = False, opt: OptOpt = None, pretty: PrettyOpt = False,
          bend_text: BendTextOpt = False, quiet: QuietOpt = False, entrypoint: EntryOpt = None,
          verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Run a program on the native runtime (LLVM), on every core."""
    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose)
    run_native(file, args, s, stats, rules, pretty, bend_text, quiet, mem, threads, timeout, no_cache, optimize_first)


app.command("run", help="Run a program on the default backend: the parallel native runtime (as run-c).")(run_c)
app.command("run-c")(run_c)


@app.command("run-py")
def run_py(ctx: typer.Context, file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False,
           mem: MemOpt = None, timeout: TimeoutOpt = None, opt: OptOpt = None, pretty: PrettyOpt = False,
           bend_text: BendTextOpt = False, quiet: QuietOpt = False, entrypoint: EntryOpt = None,
           verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Run a program on the reference evaluator (pure Python, one thread): slow, the specification."""
    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose)
    run_with("py", file, args, s, stats, rules, pretty, bend_text, quiet, memory=memory_limit(mem), timeout=timeout)


@app.command("run-cu")
def run_cu(ctx: typer.Context, file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False,
           mem: MemOpt = None, timeout: TimeoutOpt = None, launcher: LauncherOpt = None, opt: OptOpt = None,
           pretty: PrettyOpt = False, bend_text: BendTextOpt = False, quiet: QuietOpt = False,
           entrypoint: EntryOpt = None, verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None,
           allow: AllowOpt = None) -> None:
    """Run a program on the GPU (CUDA). Without a GPU: an error, at once."""
    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose, cuda=True)
    run_with("cu", file, args, s, stats, rules, pretty, bend_text, quiet, memory=gpu_memory_limit(mem), timeout=timeout,
             launcher=launcher_name(launcher))


@app.command("gen-cu")
def gen_cu(ctx: typer.Context, file: FileArg, arch: ArchOpt = None, opt: OptOpt = None, entrypoint: EntryOpt = None,
           verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Print the PTX the GPU runs a program with (the same kernels for every program; its definitions are data)."""
    from hvm.cuda.backend import gen_cu as render

    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose, cuda=True)
    compiled = compile_file(file, s)
    print(render(compiled.hvm, ptx_arch(arch), compiled.ctx.entry), end="")


@app.command("gen-hvm")
def gen_hvm(ctx: typer.Context, file: FileArg, opt: OptOpt = None, entrypoint: EntryOpt = None,
            verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Print the HVM2 net a program compiles to (`hvm run` runs it)."""
    from hvm.syntax import show_book

    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose)
    print(show_book(compile_file(file, s).hvm), end="")


@app.command("desugar")
def desugar_cmd(ctx: typer.Context, file: FileArg, opt: OptOpt = None, stop_after: Annotated[str | None, typer.Option(
        "--stop-after", help="Stop after this pass (see bend/compiler.py).", show_default=False)] = None,
                pretty: PrettyOpt = False, entrypoint: EntryOpt = None, verbose: VerboseOpt = False,
                warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Print the program after the desugaring passes (core terms, in the fun syntax)."""
    from bend.compiler import desugar, readable, stages
    from bend.diagnostics import BendError
    from bend.frontend.printer import show_definition

    if stop_after is not None and stop_after not in stages():
        raise typer.BadParameter(f"no pass `{stop_after}`; the passes: {', '.join(stages())}", param_hint="--stop-after")
    s = settings(ctx, opt, warn, deny, allow, entrypoint, verbose)
    options = options_from(s.opt, s)
    program = load_and_check(file, s)
    if report(program.diagnostics):
        raise typer.Exit(1)
    before = len(program.diagnostics.items)
    try:
        book, _ = desugar(program, options, stop_after)
    except BendError as err:
        err.diagnostics.items = err.diagnostics.items[before:]
        report(err.diagnostics)
        raise typer.Exit(1) from None
    finally:
        if options.trace is not None:
            options.trace("")
    program.diagnostics.items = program.diagnostics.items[before:]
    if report(program.diagnostics):
        raise typer.Exit(1)
    shown = [readable(d) for d in book.defs.values() if not d.builtin]
    if pretty and all(len(d.rules) == 1 and not d.rules[0].patterns for d in shown):
        from bend.to_hvm.pretty import show_pretty

        print("\n\n".join(f"({d.name}) =\n  {show_pretty(d.rules[0].body, 2)}" for d in shown))
        return
    for d in shown:
        print(show_definition(d))


@app.command("check")
def check(ctx: typer.Context, file: FileArg, opt: OptOpt = None, entrypoint: EntryOpt = None,
          verbose: VerboseOpt = False, warn: WarnOpt = None, deny: DenyOpt = None, allow: AllowOpt = None) -> None:
    """Check a program for errors without running it: syntax, names, patterns, `main`."""
    compile_file(file, settings(ctx, opt, warn, deny, allow, entrypoint, verbose))


@app.command("parse")
def parse(file: FileArg) -> None:
    """Print the program's syntax tree in the fun syntax (imp code lowered to it)."""
    from bend.frontend.printer import show_book

    program = load_and_check(file)
    if report(program.diagnostics):
        raise typer.Exit(1)
    print(show_book(program.main.book), end="")


def main() -> None:
    import warnings

    from hvm.cli import show_warning

    warnings.showwarning = show_warning
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        sys.exit(130)
    except BrokenPipeError:  # (help or other text to a pipe closed early)
        try:
            closed_pipe()
        except typer.Exit as done:
            sys.exit(done.exit_code)
