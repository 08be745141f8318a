"""The `bend` command.

In:  command-line arguments.
Out: program results on stdout, errors on stderr, exit codes 0 / 1 / 2.

The Bend compiler (frontend, checks, desugaring, net generation) is not built yet: every
command that needs it says so and exits with 1. `hvm run-py FILE.hvm` runs compiled nets today.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hvm.cli import fail
from hvm.errors import HvmError

app = typer.Typer(
    name="bend",
    help="Compile and run Bend programs (.bend files).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
FileArg = Annotated[Path, typer.Argument(help="The .bend file.", show_default=False)]


def not_built(what: str) -> None:
    fail(HvmError(f"not supported yet: {what}", hint="the Bend compiler is not built yet; `hvm run-py FILE.hvm` runs HVM2 nets"))


@app.command("run")
def run(file: FileArg) -> None:
    """Run a program on the default backend (the parallel CPU runtime)."""
    not_built("compiling Bend programs (bend run)")


@app.command("run-c")
def run_c(file: FileArg) -> None:
    """Run a program on the parallel CPU runtime."""
    not_built("compiling Bend programs (bend run-c)")


@app.command("run-cu")
def run_cu(file: FileArg) -> None:
    """Run a program on the GPU."""
    not_built("compiling Bend programs (bend run-cu)")


@app.command("check")
def check(file: FileArg) -> None:
    """Check a program for errors without running it."""
    not_built("checking Bend programs (bend check)")


@app.command("gen-hvm")
def gen_hvm(file: FileArg) -> None:
    """Print the HVM2 net a program compiles to."""
    not_built("compiling Bend programs (bend gen-hvm)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
