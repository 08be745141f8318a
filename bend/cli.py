"""The `bend` command.

In:  command-line arguments.
Out: results on stdout, diagnostics on stderr; exit code 0 (success), 1 (errors in the
     program) or 2 (a usage error).

`bend check` and `bend parse` run the frontend (parsing, imports, checks). Compiling to nets
is not built yet: `run`, `run-c`, `run-cu` and `gen-hvm` say so and exit with 1;
`hvm run FILE.hvm` runs HVM2 nets today.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from hvm.cli import fail, read_text
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
STYLES = {"error": "bold red", "warning": "bold yellow"}


def report(diagnostics) -> bool:
    """Print every diagnostic, errors and warnings in source order; True if there were errors."""
    for d in diagnostics.sorted():
        text = d.render()
        stderr.print(Text.assemble((d.severity, STYLES[d.severity]), text.removeprefix(d.severity)))
    return bool(diagnostics.errors)


def load_and_check(file: Path):
    from bend.check import check_program
    from bend.frontend.loader import load_program

    program = load_program(file, read_text(file))
    check_program(program)
    return program


@app.command("check")
def check(file: FileArg) -> None:
    """Check a program for errors without running it: syntax, names, patterns, `main`."""
    program = load_and_check(file)
    if report(program.diagnostics):
        raise typer.Exit(1)


@app.command("parse")
def parse(file: FileArg) -> None:
    """Print the program's syntax tree in the fun syntax (imp code lowered to it)."""
    from bend.frontend.printer import show_book

    program = load_and_check(file)
    if report(program.diagnostics):
        raise typer.Exit(1)
    print(show_book(program.main.book), end="")


def not_built(what: str) -> None:
    fail(HvmError(f"not supported yet: {what}",
                  hint="the compiler to nets is not built yet; `bend check` checks a program, "
                       "`hvm run FILE.hvm` runs HVM2 nets"))


@app.command("run")
def run(file: FileArg) -> None:
    """Run a program on the default backend (the parallel CPU runtime)."""
    not_built("compiling Bend programs to nets (bend run)")


@app.command("run-c")
def run_c(file: FileArg) -> None:
    """Run a program on the parallel CPU runtime."""
    not_built("compiling Bend programs to nets (bend run-c)")


@app.command("run-cu")
def run_cu(file: FileArg) -> None:
    """Run a program on the GPU."""
    not_built("compiling Bend programs to nets (bend run-cu)")


@app.command("gen-hvm")
def gen_hvm(file: FileArg) -> None:
    """Print the HVM2 net a program compiles to."""
    not_built("compiling Bend programs to nets (bend gen-hvm)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        stderr.print("interrupted", markup=False)
        sys.exit(130)
