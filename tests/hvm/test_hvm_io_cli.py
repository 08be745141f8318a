"""The `hvm` command performs a net's IO as HVM2 does (a net that `bend gen-hvm` wrote, with no
Bend names left to go by), and prints its version."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hvm.cli import HVM2_VERSION, app

runner = CliRunner()

HELLO = """
def main():
  with IO:
    * <- IO/print("Hello, world!\\n")
    * <- IO/FS/write(IO/FS/STDERR, String/encode_utf8("to stderr\\n"))
    return wrap(7)
"""


def hvm(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def hello_hvm(tmp_path_factory):
    """The net `bend gen-hvm` makes of a program that prints."""
    from bend.cli import app as bend_app

    folder = tmp_path_factory.mktemp("hello")
    (folder / "hello.bend").write_text(HELLO)
    result = runner.invoke(bend_app, ["gen-hvm", str(folder / "hello.bend")])
    assert result.exit_code == 0, result.output
    path = folder / "hello.hvm"
    path.write_text(result.stdout)
    assert "IO/Call" in result.stdout  # the names of the tags are only names: the loop reads numbers
    return path


@pytest.mark.parametrize("command", [["run-py"], ["run-c", "-t", "1"], ["run", "-t", "1"]])
def test_run_performs_the_io_of_a_generated_net(hello_hvm, command):
    result = hvm(*command, hello_hvm, "-s")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Hello, world!"
    assert lines[1] == "Result: ((@IO/Done/tag (@IO/MAGIC (7 a))) a)"
    assert lines[2].startswith("- ITRS: ")
    assert result.stderr == "to stderr\n"


def test_the_backends_count_the_same_interactions_for_the_io(hello_hvm):
    native = hvm("run-c", hello_hvm, "-s", "-t", "1").stdout.splitlines()[2]
    reference = hvm("run-py", hello_hvm, "-s").stdout.splitlines()[2]
    assert native == reference


MAGIC = "(13683217 16719857)"


def ctor(tag: int, *fields: str, k: str) -> str:
    """`λk (k tag fields...)`, with `k` as the name of its variable."""
    chain = k
    for f in reversed([str(tag), *fields]):
        chain = f"({f} {chain})"
    return f"({chain} {k})"


def items(values, prefix: str) -> str:
    """A λ-encoded list of numbers (a String or bytes)."""
    out = ctor(0, k=f"{prefix}0")
    for i, v in enumerate(reversed(values), 1):
        out = ctor(1, str(v), out, k=f"{prefix}{i}")
    return out


def test_io_by_numbers_alone(tmp_hvm):
    """A hand-written IO/Call (tag 1, IO/MAGIC, "WRITE", (1, "hi\\n"), λx IO/Done x): no names at all."""
    done = ctor(0, MAGIC, "x", k="d")
    text = items(list(b"hi\n"), "b")
    write = ctor(1, MAGIC, items([ord(c) for c in "WRITE"], "s"), f"(1 {text})", f"(x {done})", k="c")
    result = hvm("run-py", tmp_hvm(f"@main = {write}\n"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "hi"
    assert lines[1].startswith(f"Result: ((0 ({MAGIC} ")  # IO/Done (Result/Ok *)


def test_a_net_that_is_not_io_prints_its_result(tmp_hvm):
    result = hvm("run-py", tmp_hvm("@main = ((1 (2 k)) k)\n"))  # tag 1, but no IO/MAGIC
    assert result.stdout == "Result: ((1 (2 a)) a)\n"


def test_version():
    from importlib.metadata import version

    result = hvm("--version")
    assert result.exit_code == 0
    assert result.stdout == f"hvm {version('bend-hvm')} (bend-hvm, a Python implementation of HVM2 {HVM2_VERSION})\n"
    assert HVM2_VERSION == "2.0.22"
    assert hvm("-V").stdout == result.stdout


def test_help_says_that_io_is_performed():
    result = hvm("--help")
    assert result.exit_code == 0
    assert "IO" in result.stdout and "--version" in result.stdout
