"""The `bend` command's entry point: a warm run reduces before the command line's machinery loads.

In:  the command-line arguments.
Out: for `bend --version`, and for `bend run FILE [ARGS]` or `bend run-c FILE [ARGS]` (with
     only -s, --rules, -p, -t N, --optimize-first) whose program is in the cache of compiled
     programs (bend.cache) and whose first compile showed nothing: the output bend.cli would
     give, without importing typer, rich or the compiler. Anything else goes to bend.cli.

What a warm run imports before reducing: the cache, hvm.book (to read the nets), hvm.io and
the native backend (with llvmlite, to load the cached machine code). Readback and its imports
come after. With BEND_TIMINGS=1 on, each stage's process time goes to stderr, and the moment
reduction starts (see bench/startup.py).
"""

from __future__ import annotations

import os
import sys
import time

RUN_COMMANDS = ("run", "run-c")
FLAGS = {"-s": "stats", "--stats": "stats", "--rules": "rules", "-p": "pretty", "--pretty": "pretty",
         "--optimize-first": "optimize_first", "--bend-text": "bend_text", "-q": "quiet", "--quiet": "quiet"}
MAX_THREADS = 4096  # (hvm.cli's ThreadsOpt: 1 to 4096)
BEND_VERSION = "0.2.38"  # the version of Bend whose language and command line this follows


def main() -> None:
    import gc
    import warnings

    gc.disable()  # (start-up makes thousands of objects, modules and the cached nets, and no garbage)
    warnings.showwarning = show_warning  # (as bend.cli shows them: a cache that cannot be written)
    try:
        code = start(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    finally:
        gc.enable()
    if code is not None:
        exit_now(code)
    from bend.cli import main as full

    full()


def exit_now(code: int) -> None:
    """Exit with `code` once the output is flushed and the atexit functions have run, without
    the interpreter's teardown (freeing every module, and the native code loaded: about 15 ms
    of a warm run). A thread that is not a daemon and still runs, or output that cannot be
    flushed, gets the ordinary exit (which waits for the thread, and reports the output's error)."""
    import threading

    current = threading.current_thread()
    if any(t is not current and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def start(argv: list[str]) -> int | None:
    """The exit status of what this module does itself; None for what bend.cli does."""
    if argv in (["--version"], ["-V"]):
        return emit([version_text()])
    run = plain_run(argv)
    return None if run is None else warm_run(run)


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("bend-hvm")
    except PackageNotFoundError:  # a source tree that is not installed
        ours = "unknown"
    return (f"bend {ours} (bend-hvm: Bend {BEND_VERSION} and HVM2 in Python; "
            f"the language and command line of Bend {BEND_VERSION})")


def plain_run(argv: list[str]) -> dict | None:
    """The options of `bend run[-c] FILE [ARGS]` when they are all ones this module knows;
    None for anything else (bend.cli then parses it, and says what is wrong)."""
    if not argv or argv[0] not in RUN_COMMANDS:
        return None
    run = {"stats": False, "rules": False, "pretty": False, "optimize_first": False, "bend_text": False, "quiet": False,
           "threads": None,
           "positional": []}
    rest = argv[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in FLAGS:
            run[FLAGS[token]] = True
        elif token in ("-t", "--threads") or token.startswith("--threads="):
            if "=" in token:
                value = token.partition("=")[2]
            elif i + 1 < len(rest):
                i += 1
                value = rest[i]
            else:
                return None
            try:
                threads = int(value)
            except ValueError:
                return None
            if not 1 <= threads <= MAX_THREADS:
                return None
            run["threads"] = threads
        elif token.startswith("-"):  # (any other option; `--`; `-`; a negative number)
            return None
        else:
            run["positional"].append(token)
        i += 1
    if not run["positional"]:
        return None
    return run


def warm_run(run: dict) -> int | None:
    """Run a cached program: the exit status; None when it is not cached as a plain run (then
    nothing has been printed, and bend.cli takes over)."""
    from pathlib import Path

    timings = Timings() if os.environ.get("BEND_TIMINGS") else None
    from bend import cache

    file, args = Path(run["positional"][0]), run["positional"][1:]
    found = cache.lookup(cache.Request(file, args))
    if found is None or not found.quiet:
        return None
    from types import SimpleNamespace

    from bend.runner import problems

    if problems(found.hvm.defs, found.entry, SimpleNamespace(**found.options)):
        return None
    if timings is not None:
        timings.mark("cache: the compiled program read and checked")
    # (no check of the arguments' lengths against memory, as bend.cli makes: a command line's
    # argument, at most 128 KiB, always fits the default memory)
    return execute(found, run, timings)


def execute(found, run: dict, timings) -> int:
    """Run the cached program `found` as bend.api.run_compiled runs a compiled one (the same
    function: bend.runner.execute), and print its result as bend.cli does."""
    from bend.runner import execute as run_program
    from hvm.errors import HvmError
    from hvm.runtime import get_backend

    get_backend("c")
    if timings is not None:
        timings.mark("imports: the native backend, llvmlite")
        timings.hook_reduction()
    import gc

    gc.enable()  # (the run's own objects, as in any run: an IO program's included)
    try:
        outcome = run_program(found.hvm, found.entry, "c", found.compiled, as_data=not run["bend_text"],
                              progress=not run["quiet"], threads=run["threads"], use_cache=True,
                              tiered=not run["optimize_first"])
    except HvmError as err:
        return cli_failure(err)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    if timings is not None:
        timings.mark("run: reduction and readback")
    code = emit([outcome.result_text(run["pretty"])] + stats_lines(outcome.stats, run["stats"], run["rules"]))
    if timings is not None:
        timings.report()
    return code


def stats_lines(s, stats: bool, rules: bool) -> list[str]:
    """As hvm.cli.stats_lines: the lines HVM2 prints after the result with -s (and --rules)."""
    lines = []
    if stats:
        lines += [f"- ITRS: {s.interactions}", f"- TIME: {s.seconds:.2f}s", f"- MIPS: {s.mips:.2f}"]
    if rules:
        lines += [f"- {rule}: {count}" for rule, count in s.rules.items() if rule != "LINK"]
        lines += [f"- {name.upper()}: {count}" for name, count in s.extra.items()]
    return lines


def emit(lines: list[str]) -> int:
    """Print the lines on stdout; a failure to is what hvm.cli.emit makes of it."""
    try:
        if sys.stdout is None:
            raise OSError("stdout is closed")
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
        return 0
    except OSError:
        return cli_exit(lambda cli: cli.emit(*lines))


def cli_failure(err) -> int:
    return cli_exit(lambda cli: cli.fail(err))


def cli_exit(act) -> int:
    """Let hvm.cli report (it exits with typer.Exit): its exit status."""
    import hvm.cli

    try:
        act(hvm.cli)
    except Exception as done:  # typer.Exit
        return getattr(done, "exit_code", 1)
    return 0


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from hvm.cli import show_warning as show

    show(message, category, filename, lineno, file, line)


class Timings:
    """BEND_TIMINGS=1: the process time (CPU, since the process started) at each stage, on stderr."""

    def __init__(self):
        self.marks = [("python start-up and imports", time.process_time(), time.time())]
        self.reduction: tuple[float, float] | None = None

    def mark(self, stage: str) -> None:
        self.marks.append((stage, time.process_time(), time.time()))

    def hook_reduction(self) -> None:
        """Note when the native backend starts reducing (its first call of NativeBackend.reduce)."""
        from hvm.llvm_cpu.backend import NativeBackend

        original = NativeBackend.reduce

        def reduce(*args, **kwargs):
            if self.reduction is None:
                self.reduction = (time.process_time(), time.time())
                self.marks.append(("load: flatten, machine code from the code cache", *self.reduction))
            return original(*args, **kwargs)

        NativeBackend.reduce = staticmethod(reduce)

    def report(self) -> None:
        before, clock = 0.0, None
        for stage, at, now in self.marks:
            wall = "" if clock is None else f", {(now - clock) * 1000:.1f} ms of wall clock"
            sys.stderr.write(f"timing: {stage}: {(at - before) * 1000:.1f} ms of process time{wall} "
                             f"(at {at * 1000:.1f} ms)\n")
            before, clock = at, now
        if self.reduction is not None:
            sys.stderr.write(f"timing: reduction starts: process time {self.reduction[0] * 1000:.1f} ms, "
                             f"clock {self.reduction[1]:.6f}\n")
