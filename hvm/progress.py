"""A live status line for long runs: elapsed time, interactions so far and MIPS.

In:  reports from the backends while they reduce (`report(count)`: a function that gives the
     interactions so far, called from the native backend's wait loop and every 16,384 steps of
     the reference evaluator), inside `shown(...)`, which the command line opens around a run.
Out: one line on stderr, redrawn in place at most four times a second from the first second of
     the run on, and erased when the run ends: only when stderr is a terminal (never when it is
     piped or redirected), and not with `-q`. Outside `shown`, a report costs one global lookup.

    ⠿ 3.2 s · 1,234,567,890 interactions · 385 MIPS
"""

from __future__ import annotations

import time
from contextlib import contextmanager

DELAY = 1.0  # seconds of a run before the line appears
EVERY = 0.25  # seconds between redraws


class StatusLine:
    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.shown = False

    def report(self, count) -> None:
        now = time.monotonic()
        seconds = now - self.started
        if seconds < DELAY or now - self.drawn_at < EVERY:
            return
        self.drawn_at = now
        interactions = count()
        self.write(f"\r⠿ {seconds:.1f} s · {interactions:,} interactions · {interactions / seconds / 1e6:,.0f} MIPS\x1b[K")
        self.shown = True

    def erase(self) -> None:
        if self.shown:
            self.write("\r\x1b[K")
            self.shown = False

    def write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # (a terminal that went away: the run goes on without its line)
            pass


_current: StatusLine | None = None


@contextmanager
def shown(stream, enabled: bool = True):
    """Show the status line of the runs inside, on `stream` if it is a terminal and `enabled`."""
    global _current
    try:
        terminal = enabled and stream is not None and stream.isatty()
    except (OSError, ValueError):
        terminal = False
    if not terminal:
        yield
        return
    saved, _current = _current, StatusLine(stream)
    try:
        yield
    finally:
        _current.erase()
        _current = saved


def watching() -> bool:
    """Whether a status line is open (the reference evaluator then reports as it goes)."""
    return _current is not None


def report(count) -> None:
    """The run goes on: `count()` gives the interactions so far (called only when a line is drawn)."""
    if _current is not None:
        _current.report(count)


def erase() -> None:
    """Before the run prints (its IO): take the line away (it comes back at the next report)."""
    if _current is not None:
        _current.erase()
