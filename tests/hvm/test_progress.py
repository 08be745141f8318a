"""hvm.progress: the live status line of a long run, on a terminal only, erased when the run
ends; `-q` turns it off."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from support import HVM_PROGRAMS

from hvm import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_shows_elapsed_time_interactions_and_mips_then_goes(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "EVERY", 0.0)
    screen = Terminal()
    with progress.shown(screen):
        assert progress.watching()
        progress.report(lambda: 1_234_567)
    assert not progress.watching()
    text = screen.getvalue()
    assert "1,234,567 interactions" in text and " MIPS" in text and " s · " in text
    assert text.endswith("\r\x1b[K")  # erased


def test_no_line_when_piped_or_quiet_or_short(monkeypatch):
    piped = io.StringIO()
    with progress.shown(piped):
        assert not progress.watching()
        progress.report(lambda: 1)
    quiet = Terminal()
    with progress.shown(quiet, enabled=False):
        progress.report(lambda: 1)
    short = Terminal()
    with progress.shown(short):  # (the first second shows nothing)
        progress.report(lambda: 1)
    assert piped.getvalue() == quiet.getvalue() == short.getvalue() == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_a_long_run_on_a_terminal_shows_it_on_stderr(tmp_path, quiet):
    path = tmp_path / "fib.hvm"
    path.write_text((HVM_PROGRAMS / "fib.hvm").read_text().replace("(30 a)", "(24 a)"))
    leader, follower = os.openpty()
    try:
        run = subprocess.run([sys.executable, "-m", "hvm", "run-py", str(path), *(["-q"] if quiet else [])],
                             stdout=subprocess.PIPE, stderr=follower, timeout=600)
        os.close(follower)
        follower = None
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    assert run.returncode == 0
    assert run.stdout.decode() == "Result: 46368\n"
    assert (b" interactions \xc2\xb7 " in seen) is not quiet
