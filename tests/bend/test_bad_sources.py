"""Sources that once crashed the commands (issue 11, "No crash under any input"): each is now a
diagnostic with its place (exit 1) or, where the text is a program, its result; never a
traceback, and never a screen of text for one long line. The inputs are built here."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bend.cli import app as bend_app
from bend.diagnostics import Diagnostics
from bend.frontend.lexer import tokenize
from hvm import numbers
from hvm.cli import app as hvm_app
from hvm.errors import Span, render_message

runner = CliRunner()
LONG_LINE = 100_000
MAX_LINE = 200  # no line of a message is longer than this, whatever the source


def run(app, *args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def bend(*args):
    return run(bend_app, *args)


def hvm(*args):
    return run(hvm_app, *args)


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def failed_at(result, place: str, *words: str) -> str:
    """The run failed (exit 1) with a message that names `place` (file:line:column) and holds
    `words`, in lines of a readable length."""
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert place in err, err[:2000]
    for word in words:
        assert word in err, err[:2000]
    assert max(len(line) for line in err.splitlines()) <= MAX_LINE, err[:2000]
    return err


# -- numbers past what Python converts (4,300 digits) --


def test_a_u24_literal_of_4301_digits(tmp_path):
    path = write(tmp_path, "f.bend", "def main():\n  return " + "1" * 4301 + "\n")
    err = failed_at(bend("check", path), "f.bend:2:10", "does not fit in u24", "(4,301 characters)")
    assert "error: number literal `1111" in err


@pytest.mark.parametrize("sign", ["+", "-"])
def test_an_i24_literal_of_5000_digits(tmp_path, sign):
    path = write(tmp_path, "f.bend", "main = " + sign + "7" * 5000 + "\n")
    failed_at(bend("check", path), "f.bend:1:8", f"number literal `{sign}777", "does not fit in i24")


@pytest.mark.parametrize("literal", ["0x" + "f" * 5000, "0b" + "1" * 5000, "000" + "9" * 5000])
def test_long_literals_in_every_base(tmp_path, literal):
    path = write(tmp_path, "f.bend", f"main = {literal}\n")
    failed_at(bend("check", path), "f.bend:1:8", "does not fit in u24")


def test_a_float_literal_of_5000_digits_is_read_rounded():
    """A long fraction is a number (rounded to f24, as HVM2 reads floats): no error."""
    diagnostics = Diagnostics()
    tokens = tokenize("1." + "1" * 5000, "f.bend", diagnostics)
    assert diagnostics.items == []
    assert tokens[0].value == numbers.new_f24(1.1111111111)
    tokens = tokenize("0." + "0" * 5000 + "1", "f.bend", diagnostics)
    assert diagnostics.items == [] and tokens[0].value == numbers.new_f24(0.0)


def test_a_float_literal_past_f24_is_an_error(tmp_path):
    path = write(tmp_path, "f.bend", "def main():\n  return " + "1" * 5000 + ".5\n")
    failed_at(bend("check", path), "f.bend:2:10", "does not fit in f24")


def test_a_long_float_literal_runs(tmp_path):
    path = write(tmp_path, "f.bend", "main = (+ 1." + "2" * 5000 + " 1.0)\n")
    result = bend("run-py", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Result: 2.222\n"


def test_a_long_unicode_escape(tmp_path):
    path = write(tmp_path, "f.bend", 'main = "\\u{' + "1" * 5000 + '}"\n')
    failed_at(bend("check", path), "f.bend:1:9", "is not a unicode character")


# -- strings --


def test_a_lone_surrogate_escape_is_a_character(tmp_path):
    """`\\u{d800}` is a u24 code point like any other (Bend's chars are numbers); it prints escaped."""
    path = write(tmp_path, "f.bend", 'def main():\n  return ("\\u{d800}", \'\\u{dfff}\')\n')
    assert bend("check", path).exit_code == 0
    result = bend("run-py", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == 'Result: ("\\u{d800}", 57343)\n'


def test_a_lone_surrogate_in_an_error_line(tmp_path):
    path = write(tmp_path, "f.bend", 'def main():\n  return "\\u{d800}" + nope\n')
    failed_at(bend("check", path), "f.bend:2:23", "unbound variable `nope`")


# -- long lines --


def test_a_100000_character_line(tmp_path):
    path = write(tmp_path, "f.bend", "def main():\n  return " + "x" * LONG_LINE + "\n")
    err = failed_at(bend("check", path), "f.bend:2:10", "unbound variable", "(100,000 characters)")
    assert "…" in err


def test_an_error_at_the_end_of_a_long_line_shows_it(tmp_path):
    path = write(tmp_path, "f.bend", "def main():\n  return " + "1 + " * (LONG_LINE // 4) + "1 ?\n")
    err = failed_at(bend("check", path), f"f.bend:2:{10 + LONG_LINE + 2}", "unexpected character `?`")
    source, caret = [line for line in err.splitlines() if line.startswith(("2 |", "  |"))][-2:]
    assert source[caret.index("^")] == "?"


@pytest.mark.parametrize("column", [1, 50, 120, 5_000, LONG_LINE - 3])
def test_the_caret_stays_under_its_character_in_a_cut_line(column):
    text = "".join(chr(ord("a") + i % 26) for i in range(LONG_LINE))
    start = column - 1
    rendered = render_message("error", "here", Span("f.bend", text, start, start + 3))
    lines = rendered.splitlines()
    assert lines[1] == f" --> f.bend:1:{column}"
    source, caret = lines[3], lines[4]
    assert len(source) <= 110 and len(caret) <= 110
    at = caret.index("^")
    assert source[at:at + 3] == text[start:start + 3] and caret.count("^") == 3


# -- bytes that are not a program --


def test_nul_bytes_from_dev_zero(tmp_path):
    path = write(tmp_path, "f.bend", b"\0" * LONG_LINE)
    err = failed_at(bend("check", path), "f.bend:1:1", "unexpected character `␀`")
    assert "\0" not in err


def test_nul_bytes_after_a_program(tmp_path):
    path = write(tmp_path, "f.bend", b"def main():\n  return 1\n" + b"\0" * 1000 + b"\n")
    failed_at(bend("check", path), "f.bend:3:1", "unexpected character `␀`")


def test_nul_bytes_in_a_string_are_characters(tmp_path):
    path = write(tmp_path, "f.bend", b'def main():\n  return "a\0b"\n')
    result = bend("run-py", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == 'Result: "a\\0b"\n'


def test_control_characters_show_as_symbols(tmp_path):
    path = write(tmp_path, "f.bend", "def main():\n  return \x1b[31m 1\n")
    err = failed_at(bend("check", path), "f.bend:2:10")
    assert "\x1b" not in err and "␛" in err


def test_bytes_that_are_not_utf8(tmp_path):
    path = write(tmp_path, "f.bend", b"def main():\n  return \xff\xfe 1\n")
    failed_at(bend("check", path), "f.bend:2:10", "not UTF-8 text (byte 0xff)")


def test_a_directory(tmp_path):
    (tmp_path / "d.bend").mkdir()
    result = bend("check", tmp_path / "d.bend")
    assert result.exit_code == 1 and "it is a directory" in result.stderr


def test_a_missing_file(tmp_path):
    result = bend("check", tmp_path / "none.bend")
    assert result.exit_code == 1 and "no such file" in result.stderr


def test_an_empty_file(tmp_path):
    result = bend("check", write(tmp_path, "f.bend", ""))
    assert result.exit_code == 1 and "has no `main` definition" in result.stderr


def test_an_endless_device_is_refused_not_read_forever():
    result = bend("check", "/dev/zero")
    assert result.exit_code == 1 and "larger than 64 MiB" in result.stderr


# -- the same in .hvm files --


def test_hvm_a_u24_literal_of_4301_digits(tmp_path):
    path = write(tmp_path, "f.hvm", "@main = " + "1" * 4301 + "\n")
    failed_at(hvm("run-c", path), "f.hvm:1:9", "does not fit in u24", "(4,301 characters)")


@pytest.mark.parametrize("literal", ["+" + "1" * 5000, "-" + "1" * 5000, "0x" + "f" * 5000])
def test_hvm_long_integer_literals(tmp_path, literal):
    path = write(tmp_path, "f.hvm", f"@main = {literal}\n")
    failed_at(hvm("check", path), "f.hvm:1:9", "does not fit in")


@pytest.mark.parametrize("literal, value", [
    ("1." + "1" * 5000, 1.1111111111),
    ("0." + "0" * 5000 + "1", 0.0),
    ("1" * 5000 + ".0", float("inf")),
    ("1.5" + "0" * 5000 + "1e-" + "9" * 30, 0.0),
    ("-2." + "5" * 5000 + "e2", -255.5555555),
])
def test_hvm_long_float_literals_are_read_as_hvm2_reads_them(literal, value):
    assert numbers.parse_literal(literal) == numbers.new_f24(value)


def test_hvm_a_long_float_literal_runs(tmp_path):
    path = write(tmp_path, "f.hvm", "@main = 1." + "1" * 5000 + "\n")
    result = hvm("run-py", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Result: 1.111")


def test_hvm_a_100000_character_line(tmp_path):
    path = write(tmp_path, "f.hvm", "@main = " + "x" * LONG_LINE + "\n")
    failed_at(hvm("check", path), "f.hvm:1:9", "(100,000 characters)")


def test_hvm_nul_bytes(tmp_path):
    path = write(tmp_path, "f.hvm", b"\0" * LONG_LINE)
    failed_at(hvm("check", path), "f.hvm:1:1", "found `␀`")


def test_hvm_bytes_that_are_not_utf8(tmp_path):
    path = write(tmp_path, "f.hvm", b"@main = \xff\n")
    failed_at(hvm("check", path), "f.hvm:1:9", "not UTF-8 text")


@pytest.mark.parametrize("make, words", [
    (lambda d: d, "it is a directory"),
    (lambda d: d / "none.hvm", "no such file"),
])
def test_hvm_files_that_cannot_be_read(tmp_path, make, words):
    result = hvm("check", make(tmp_path))
    assert result.exit_code == 1 and words in result.stderr


def test_hvm_an_empty_file(tmp_path):
    result = hvm("run-c", write(tmp_path, "f.hvm", ""))
    assert result.exit_code == 1 and "no @main" in result.stderr
