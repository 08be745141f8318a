"""The `hvm` command: run and check HVM2 nets (`.hvm` files).

In:  command-line arguments.
Out: the result and statistics on stdout, errors on stderr; exit code 0 (success),
     1 (an error in the input, or a runtime limit) or 2 (a usage error).
This module and bend/cli.py are the only places that print or exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from hvm.errors import HvmError, render

HVM2_VERSION = "2.0.22"  # the version of HVM2 whose behaviour this runtime follows

app = typer.Typer(
    name="hvm",
    help="Run HVM2 interaction nets (.hvm files). Every run command performs the program's IO as HVM2 "
         "does: a result that is an IO call (print, files, time, dynamic libraries) is carried out and the "
         "run goes on; the final result is printed.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

FileArg = Annotated[Path, typer.Argument(help="The .hvm file.", show_default=False)]
StatsOpt = Annotated[bool, typer.Option("-s", "--stats", help="Print interactions (ITRS), time and MIPS.")]
RulesOpt = Annotated[bool, typer.Option("--rules", help="Also print the interactions of each rule.")]
MemOpt = Annotated[
    str | None,
    typer.Option("--mem", help="Memory limit for nodes and variables, e.g. 64M or 2G (12 bytes per node; "
                 "past 6G, 64-bit ports: 24).",
                 show_default=False),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option("-t", "--threads", min=1, max=4096, help="Worker threads (default: every core).", show_default=False),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", min=0.001, help="Stop with an error after this many seconds.", show_default=False),
]
QuietOpt = Annotated[bool, typer.Option(
    "-q", "--quiet", help="No live status line (on a terminal, a run of over a second shows one on stderr).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Compile afresh: neither read nor write the code cache.")]
LauncherOpt = Annotated[str | None, typer.Option(
    "--launcher", help="How to reach the GPU: cuda-python, pycuda, or host (the GPU's algorithm emulated on this CPU, "
                       "slowly). Default: the first of cuda-python and pycuda that finds a GPU.", show_default=False)]
ArchOpt = Annotated[str | None, typer.Option(
    "--arch", help="The GPU architecture to build for, e.g. sm_80 or sm_90 (default: sm_80).", show_default=False)]
OptimizeFirstOpt = Annotated[bool, typer.Option(
    "--optimize-first", help="Build the optimized code before starting. By default a program not run before "
                             "starts at once on plain code and switches to the optimized code when it is ready.")]


def report(error: HvmError) -> None:
    """Print an error to stderr; `error` in bold red on a terminal, plain text when piped."""
    text = render(error)
    stderr.print(Text.assemble(("error", "bold red"), text.removeprefix("error")))


def fail(error: HvmError) -> NoReturn:
    if getattr(error, "broken_pipe", False):  # hvm.io.OutputError: the reader of our output has gone
        closed_pipe()
    report(error)
    raise typer.Exit(1)


def closed_pipe() -> NoReturn:
    """End quietly, as a C program killed by SIGPIPE would (status 128 + 13), when the reader of
    stdout has gone (`hvm run f.hvm | head -1`). What is left in stdout's buffer goes nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass
    raise typer.Exit(141)


def emit(*lines: str) -> None:
    """Print lines on stdout and flush them: a failure to write them (a full disk, a closed
    stdout) is `error: cannot write output: <reason>`, exit 1; a closed pipe ends quietly."""
    if sys.stdout is None:  # closed before we started (`>&-`)
        fail(HvmError("cannot write output: stdout is closed"))
    try:
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe()
    except OSError as err:
        fail(HvmError(f"cannot write output: {err.strerror or err}"))


def read_text(path: Path) -> str:
    """A source file's text, or an error saying why it cannot be read (hvm.source)."""
    from hvm.source import read_source

    try:
        return read_source(path)
    except HvmError as err:
        fail(err)


def load(path: Path):
    """Read, parse and validate a .hvm file; every problem found is reported before exiting."""
    from hvm.syntax import parse_book
    from hvm.validate import validate

    text = read_text(path)
    try:
        book = parse_book(text, str(path))
    except HvmError as err:
        fail(err)
    errors = validate(book)
    for err in errors[:-1]:
        report(err)
    if errors:
        fail(errors[-1])
    return book


def memory_limit(text: str | None, maximum: int | None = None) -> int | None:
    from hvm.runtime import format_size, parse_size

    if text is None:
        return None
    try:
        size = parse_size(text)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--mem") from None
    if maximum is not None and size > maximum:
        raise typer.BadParameter(f"at most {format_size(maximum)} (the most this runtime's ports address)",
                                 param_hint="--mem")
    return size


def run_with(backend_name: str, file: Path, stats: bool, memory: int | None, rules: bool = False, quiet: bool = False,
             **options) -> None:
    from hvm import progress
    from hvm.io import run_io
    from hvm.runtime import get_backend
    from hvm.syntax import show_tree

    book = load(file)
    try:
        # As HVM2 does, always through the IO loop: a net whose result is an IO call (HVM2's
        # numeric tags and IO/MAGIC) has its effects performed; any other result is printed as is.
        with progress.shown(sys.stderr, enabled=not quiet):
            result = run_io(get_backend(backend_name), book, memory=memory, **options)
    except HvmError as err:
        fail(err)
    except MemoryError:
        fail(HvmError("out of memory: Python could not allocate more", hint="lower the program's size or use --mem"))
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        raise typer.Exit(130) from None
    emit(f"Result: {show_tree(result.tree)}", *stats_lines(result.stats, stats, rules))


def stats_lines(s, stats: bool, rules: bool = False) -> list[str]:
    """The lines HVM2 prints after the result with `-s` (and one per rule with `--rules`)."""
    lines = []
    if stats:
        lines += [f"- ITRS: {s.interactions}", f"- TIME: {s.seconds:.2f}s", f"- MIPS: {s.mips:.2f}"]
    if rules:
        lines += [f"- {rule}: {count}" for rule, count in s.rules.items() if rule != "LINK"]
        lines += [f"- {name.upper()}: {count}" for name, count in s.extra.items()]  # a backend's own (GPU: LEAKS, TURNS)
    return lines


def print_stats(s, stats: bool, rules: bool = False) -> None:
    emit(*stats_lines(s, stats, rules))


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bend-hvm")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def show_version(value: bool) -> None:
    if value:
        print(f"hvm {package_version()} (bend-hvm, a Python implementation of HVM2 {HVM2_VERSION})")
        raise typer.Exit()


@app.callback()
def options(version: Annotated[bool, typer.Option(
        "--version", "-V", callback=show_version, is_eager=True, help="Print the version and exit.")] = False) -> None:
    """Run HVM2 interaction nets (.hvm files)."""


@app.command("run-py")
def run_py(file: FileArg, stats: StatsOpt = False, mem: MemOpt = None, rules: RulesOpt = False,
           timeout: TimeoutOpt = None, quiet: QuietOpt = False) -> None:
    """Run a net on the reference evaluator (pure Python, one thread): the specification."""
    run_with("py", file, stats, memory_limit(mem), rules, quiet, timeout=timeout)


def run_native(file: Path, stats: bool, mem: str | None, rules: bool, threads: int | None, timeout: float | None,
               no_cache: bool, optimize_first: bool, quiet: bool) -> None:
    from hvm.llvm_cpu.backend import MAX_MEMORY

    run_with("c", file, stats, memory_limit(mem, MAX_MEMORY), rules, quiet, threads=threads, timeout=timeout,
             use_cache=not no_cache, tiered=not optimize_first)


@app.command("run-c")
def run_c(file: FileArg, stats: StatsOpt = False, mem: MemOpt = None, rules: RulesOpt = False,
          threads: ThreadsOpt = None, timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False,
          optimize_first: OptimizeFirstOpt = False, quiet: QuietOpt = False) -> None:
    """Run a net on the native runtime (LLVM), on every core."""
    run_native(file, stats, mem, rules, threads, timeout, no_cache, optimize_first, quiet)


@app.command("run")
def run(file: FileArg, stats: StatsOpt = False, mem: MemOpt = None, rules: RulesOpt = False,
        threads: ThreadsOpt = None, timeout: TimeoutOpt = None, no_cache: NoCacheOpt = False,
        optimize_first: OptimizeFirstOpt = False, quiet: QuietOpt = False) -> None:
    """Run a net on the default backend: the native runtime (as run-c)."""
    run_native(file, stats, mem, rules, threads, timeout, no_cache, optimize_first, quiet)


@app.command("gen-llvm")
def gen_llvm(file: FileArg, threads: ThreadsOpt = None) -> None:
    """Print the LLVM IR the native runtime runs for a net (the runtime, then the definitions)."""
    from hvm.flatbook import flatten
    from hvm.llvm_cpu.backend import default_threads, ir_texts

    book = load(file)
    core, defs = ir_texts(flatten(book), (threads or default_threads()) > 1)
    print(core)
    print(defs)


def launcher_name(name: str | None) -> str | None:
    from hvm.cuda.launch import LAUNCHERS

    if name is not None and name not in LAUNCHERS:
        raise typer.BadParameter(f"`{name}` is not a launcher (choose from: {', '.join(LAUNCHERS)})",
                                 param_hint="--launcher")
    return name


def gpu_memory_limit(mem: str | None) -> int | None:
    from hvm.cuda.backend import MAX_MEMORY

    return memory_limit(mem, MAX_MEMORY)


@app.command("run-cu")
def run_cu(file: FileArg, stats: StatsOpt = False, mem: MemOpt = None, rules: RulesOpt = False,
           timeout: TimeoutOpt = None, launcher: LauncherOpt = None, quiet: QuietOpt = False) -> None:
    """Run a net on the GPU (CUDA). Without a GPU: an error, at once."""
    run_with("cu", file, stats, gpu_memory_limit(mem), rules, quiet, timeout=timeout,
             launcher=launcher_name(launcher))


def ptx_arch(arch: str | None) -> str:
    from hvm.cuda.ptx import ARCHS, DEFAULT_ARCH

    if arch is not None and arch not in ARCHS:
        raise typer.BadParameter(f"`{arch}` is not an architecture the kernels are built for "
                                 f"(choose from: {', '.join(ARCHS)})", param_hint="--arch")
    return arch or DEFAULT_ARCH


@app.command("gen-cu")
def gen_cu(file: FileArg, arch: ArchOpt = None) -> None:
    """Print the PTX the GPU runs a net with (the same kernels for every net; its definitions are data)."""
    from hvm.cuda.backend import gen_cu as render

    book = load(file)
    print(render(book, ptx_arch(arch)), end="")


@app.command("ffi-header")
def ffi_header() -> None:
    """Print hvm.h: the C API (HVM2's) that a dynamic library for IO/DyLib/call is written against."""
    from hvm.ffi import HEADER

    print(HEADER, end="")


@app.command("check")
def check(file: FileArg) -> None:
    """Parse and validate a net: syntax, variables used exactly twice, @refs defined, @main."""
    book = load(file)
    print(f"{file}: ok ({len(book.defs)} definitions)")


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """How a warning of the runtime (the code cache's: hvm.jit.CacheWarning) reaches a user."""
    stderr.print(Text.assemble(("warning", "bold yellow"), f": {message}"))


def main() -> None:
    import warnings

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
