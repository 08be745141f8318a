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
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from hvm.cli import (ArchOpt, LauncherOpt, MemOpt, NoCacheOpt, OptimizeFirstOpt, RulesOpt, StatsOpt, ThreadsOpt,
                     TimeoutOpt, fail, gpu_memory_limit, launcher_name, memory_limit, print_stats, ptx_arch, read_text)
from hvm.errors import HvmError

app = typer.Typer(
    name="bend",
    help="Compile and run Bend programs (.bend files).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)
FileArg = Annotated[Path, typer.Argument(help="The .bend file.", show_default=False)]
ArgsArg = Annotated[list[str] | None, typer.Argument(
    help="Terms (in the fun syntax) to apply `main` to, e.g. 10 '[1, 2]' '\"text\"'.", show_default=False)]
OptOpt = Annotated[list[str] | None, typer.Option(
    "-O", help="Compiler option: eta, float-combinators, linearize-matches, prune, type-check, all; no-<name> turns one off. "
               "Repeatable.", show_default=False)]
STYLES = {"error": "bold red", "warning": "bold yellow"}


def report(diagnostics, warnings: bool = True) -> bool:
    """Print the diagnostics (errors and, unless told not to, warnings) in source order;
    True if there were errors."""
    for d in diagnostics.sorted():
        if d.severity == "warning" and not warnings:
            continue
        text = d.render()
        stderr.print(Text.assemble((d.severity, STYLES[d.severity]), text.removeprefix(d.severity)))
    return bool(diagnostics.errors)


def load_and_check(file: Path):
    from bend.check import check_program
    from bend.frontend.loader import load_program

    program = load_program(file, read_text(file))
    check_program(program)
    return program


def options_from(flags: list[str] | None):
    from bend.desugar.context import Options

    options = Options()
    for flag in flags or []:
        for name in flag.split():
            try:
                options.set(name)
            except ValueError as err:
                raise typer.BadParameter(str(err), param_hint="-O") from None
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


def compile_file(file: Path, flags: list[str] | None, args: list[str] | None = None, warnings: bool = True):
    """Load, check and compile `file`; every problem found is reported before exiting."""
    from bend.diagnostics import BendError
    from bend.to_hvm import compile_program

    options = options_from(flags)
    terms = parse_args(args)
    program = load_and_check(file)
    if report(program.diagnostics, warnings):
        raise typer.Exit(1)
    before = len(program.diagnostics.items)
    try:
        compiled = compile_program(program, options, terms)
    except BendError as err:
        err.diagnostics.items = err.diagnostics.items[before:]
        report(err.diagnostics, warnings)
        raise typer.Exit(1) from None
    program.diagnostics.items = program.diagnostics.items[before:]
    report(program.diagnostics, warnings)
    return compiled


def run_with(backend: str, file: Path, args, flags, stats: bool, rules: bool, **options) -> None:
    from bend.runner import run_compiled

    compiled = compile_file(file, flags, args, warnings=False)
    sys.stdout.flush()
    try:
        outcome = run_compiled(compiled, backend, **options)
    except HvmError as err:
        fail(err)
    except MemoryError:
        fail(HvmError("out of memory: Python could not allocate more", hint="lower the program's size or use --mem"))
    print(f"Result: {outcome.text}")
    print_stats(outcome.stats, stats, rules)


def run_native(file, args, flags, stats, rules, mem, threads, timeout, no_cache, optimize_first) -> None:
    from hvm.llvm_cpu.backend import MAX_MEMORY

    run_with("c", file, args, flags, stats, rules, memory=memory_limit(mem, MAX_MEMORY), threads=threads,
             timeout=timeout, use_cache=not no_cache, tiered=not optimize_first)


@app.command("run")
def run(file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False, mem: MemOpt = None,
        threads: ThreadsOpt = None, timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False,
        optimize_first: OptimizeFirstOpt = False, opt: OptOpt = None) -> None:
    """Run a program on the default backend: the parallel native runtime (as run-c)."""
    run_native(file, args, opt, stats, rules, mem, threads, timeout, no_cache, optimize_first)


@app.command("run-c")
def run_c(file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False, mem: MemOpt = None,
          threads: ThreadsOpt = None, timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False,
          optimize_first: OptimizeFirstOpt = False, opt: OptOpt = None) -> None:
    """Run a program on the native runtime (LLVM), on every core."""
    run_native(file, args, opt, stats, rules, mem, threads, timeout, no_cache, optimize_first)


@app.command("run-py")
def run_py(file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False, mem: MemOpt = None,
           timeout: TimeoutOpt = None, opt: OptOpt = None) -> None:
    """Run a program on the reference evaluator (pure Python, one thread): slow, the specification."""
    run_with("py", file, args, opt, stats, rules, memory=memory_limit(mem), timeout=timeout)


@app.command("run-cu")
def run_cu(file: FileArg, args: ArgsArg = None, stats: StatsOpt = False, rules: RulesOpt = False, mem: MemOpt = None,
           timeout: TimeoutOpt = None, launcher: LauncherOpt = None, opt: OptOpt = None) -> None:
    """Run a program on the GPU (CUDA). Without a GPU: an error, at once."""
    run_with("cu", file, args, opt, stats, rules, memory=gpu_memory_limit(mem), timeout=timeout,
             launcher=launcher_name(launcher))


@app.command("gen-cu")
def gen_cu(file: FileArg, arch: ArchOpt = None, opt: OptOpt = None) -> None:
    """Print the PTX the GPU runs a program with (the same kernels for every program; its definitions are data)."""
    from hvm.cuda.backend import gen_cu as render

    print(render(compile_file(file, opt).hvm, ptx_arch(arch), "main"), end="")


@app.command("gen-hvm")
def gen_hvm(file: FileArg, opt: OptOpt = None) -> None:
    """Print the HVM2 net a program compiles to (`hvm run` runs it)."""
    from hvm.syntax import show_book

    print(show_book(compile_file(file, opt).hvm), end="")


@app.command("desugar")
def desugar_cmd(file: FileArg, opt: OptOpt = None, stop_after: Annotated[str | None, typer.Option(
        "--stop-after", help="Stop after this pass (see bend/desugar/pipeline.py).", show_default=False)] = None
                ) -> None:
    """Print the program after the desugaring passes (core terms, in the fun syntax)."""
    from bend.desugar.pipeline import PASSES, desugar
    from bend.diagnostics import BendError
    from bend.frontend.printer import show_definition

    if stop_after is not None and stop_after not in PASSES:
        raise typer.BadParameter(f"no pass `{stop_after}`; the passes: {', '.join(PASSES)}", param_hint="--stop-after")
    program = load_and_check(file)
    if report(program.diagnostics):
        raise typer.Exit(1)
    try:
        book, _ = desugar(program, options_from(opt), stop_after)
    except BendError as err:
        report(err.diagnostics)
        raise typer.Exit(1) from None
    for d in book.defs.values():
        if not d.builtin:
            print(show_definition(readable(d)))


def readable(d):
    """The definition with its variables named a, b, c, ... in binding order."""
    from types import SimpleNamespace

    from bend.desugar.unique_names import Namer

    if len(d.rules) == 1 and not d.rules[0].patterns:
        d.rules[0].body = Namer(SimpleNamespace(var_order={})).rename(d.rules[0].body, {})
    return d


@app.command("check")
def check(file: FileArg, opt: OptOpt = None) -> None:
    """Check a program for errors without running it: syntax, names, patterns, `main`."""
    compile_file(file, opt)


@app.command("parse")
def parse(file: FileArg) -> None:
    """Print the program's syntax tree in the fun syntax (imp code lowered to it)."""
    from bend.frontend.printer import show_book

    program = load_and_check(file)
    if report(program.diagnostics):
        raise typer.Exit(1)
    print(show_book(program.main.book), end="")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        sys.exit(130)
