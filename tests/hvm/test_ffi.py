"""hvm/ffi.py: IO/DyLib's primitives with a tiny C library built here (skipped without a C
compiler): HVM2's calling convention `Port f(Net*, Book*, Port)`, its API (readback_tup,
readback_str, inject_bytes), and the answers a program gets when a library or a name is missing."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

from hvm import ffi, numbers
from hvm.book import Era, Node, Num, Tag, Var
from hvm.errors import HvmError
from hvm.io import ERR, ERROR_INNER, ERROR_TYPE, OK, Host, Reader, perform
from hvm.syntax import parse_book

LIBRARY = r"""
#include <stdio.h>
#include <stdlib.h>
#include "hvm.h"

/* "name" -> "Hello, name!" (a list of bytes) */
Port greet(Net* net, Book* book, Port arg) {
  Str name = readback_str(net, book, arg);
  char text[300];
  int len = snprintf(text, sizeof text, "Hello, %s!", name.buf);
  free(name.buf);
  Bytes out = { (u32) len, text };
  return inject_bytes(net, &out);
}

/* (a, b) -> a + b, or * when the argument is not two numbers */
Port add(Net* net, Book* book, Port arg) {
  Tup tup = readback_tup(net, book, arg, 2);
  if (tup.elem_len != 2 || get_tag(tup.elem_buf[0]) != NUM || get_tag(tup.elem_buf[1]) != NUM) {
    return new_port(ERA, 0);
  }
  u32 a = get_u24(get_val(tup.elem_buf[0])), b = get_u24(get_val(tup.elem_buf[1]));
  return new_port(NUM, new_u24(a + b));
}

/* the bytes of a list, reversed (uses none of the API but readback_bytes and inject_bytes) */
Port reverse(Net* net, Book* book, Port arg) {
  Bytes in = readback_bytes(net, book, arg);
  for (u32 i = 0; i < in.len / 2; i++) { char c = in.buf[i]; in.buf[i] = in.buf[in.len - 1 - i]; in.buf[in.len - 1 - i] = c; }
  Port out = inject_bytes(net, &in);
  free(in.buf);
  return out;
}

Port same(Net* net, Book* book, Port arg) { return arg; }

Port forty_two(Net* net, Book* book, Port arg) { return new_port(NUM, new_u24(42)); }

Port bogus(Net* net, Book* book, Port arg) { return new_port(CON, 123456); }
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> str:
    cc = ffi.compiler()
    if cc is None:
        pytest.skip("no C compiler")
    folder = tmp_path_factory.mktemp("ffi")
    (folder / "hvm.h").write_text(ffi.HEADER)
    (folder / "demo.c").write_text(LIBRARY)
    unresolved = ["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else \
        ["-Wl,--unresolved-symbols=ignore-all"]
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(folder / "libdemo.so"), str(folder / "demo.c"), *unresolved],
                   check=True, capture_output=True)
    return str(folder / "libdemo.so")


@pytest.fixture
def host():
    h = Host(stdin=io.BytesIO(), stdout=io.BytesIO(), stderr=io.BytesIO())
    yield h
    h.close_all()


R = Reader(parse_book("@main = *"))


def string(s: str):
    return R.list_of([ord(c) for c in s])


def pair(a, b):
    return Node(Tag.CON, a, b)


def u24(n: int) -> Num:
    return Num(numbers.new_u24(n))


def answer(tree):
    """("Ok", value) or ("Err", kind, inner)."""
    tag, fields = R.constructor(tree)
    if tag == OK:
        return ("Ok", fields[0])
    assert tag == ERR
    kind, inner = R.constructor(fields[0])
    return ("Err", kind, inner[0] if inner else None)


def text_of(tree) -> str:
    return R.data(tree).decode()


def do(host, func: str, argm):
    return answer(perform(host, R, func, argm))


def open_library(host, path: str, lazy: int = 0) -> Num:
    got = do(host, "DL_OPEN", pair(string(path), u24(lazy)))
    assert got[0] == "Ok", got
    return got[1]


def call(host, handle, name: str, arg):
    return do(host, "DL_CALL", pair(handle, pair(string(name), arg)))


def test_open_call_and_close(host, library):
    handle = open_library(host, library)
    assert handle == u24(0)  # the first free slot, as HVM2
    kind, value = call(host, handle, "greet", string("Bend"))
    assert kind == "Ok" and text_of(value) == "Hello, Bend!"
    assert call(host, handle, "add", pair(u24(20), u24(22))) == ("Ok", u24(42))
    assert call(host, handle, "add", u24(1)) == ("Ok", Era())  # the library's own answer to a wrong shape
    kind, value = call(host, handle, "reverse", R.list_of(list(b"abc\xff")))
    assert kind == "Ok" and R.data(value) == b"\xffcba"  # bytes are 0..255
    assert do(host, "DL_CLOSE", handle) == ("Ok", Era())
    assert call(host, handle, "forty_two", Era()) == ("Err", ERROR_TYPE, None)  # closed
    assert do(host, "DL_CLOSE", handle) == ("Err", ERROR_TYPE, None)


def test_handles_are_slots(host, library):
    first, second = open_library(host, library), open_library(host, library, lazy=1)
    assert (first, second) == (u24(0), u24(1))
    assert call(host, second, "forty_two", Era()) == ("Ok", u24(42))
    do(host, "DL_CLOSE", first)
    assert open_library(host, library) == u24(0)


def test_a_part_of_the_argument_comes_back_with_fresh_wires(host, library):
    handle = open_library(host, library)
    arg = Node(Tag.CON, Var("a"), Var("a"))  # λa a
    kind, value = call(host, handle, "same", arg)
    assert kind == "Ok" and type(value) is Node and value.fst == value.snd and value.fst != Var("a")


def test_a_missing_library_is_an_err_with_the_loaders_message(host):
    kind, error, message = do(host, "DL_OPEN", pair(string("./no_such_library.so"), u24(0)))
    assert (kind, error) == ("Err", ERROR_INNER)
    assert "no_such_library.so" in text_of(message)
    assert not host.dylibs


def test_a_missing_function_is_an_err_with_the_loaders_message(host, library):
    handle = open_library(host, library)
    kind, error, message = call(host, handle, "no_such_function", Era())
    assert (kind, error) == ("Err", ERROR_INNER)
    assert "no_such_function" in text_of(message)


def test_arguments_of_the_wrong_shape_are_type_errors(host, library):
    assert do(host, "DL_OPEN", string("x")) == ("Err", ERROR_TYPE, None)
    assert do(host, "DL_CALL", pair(u24(9), pair(string("f"), Era()))) == ("Err", ERROR_TYPE, None)  # not open
    assert do(host, "DL_CLOSE", Era()) == ("Err", ERROR_TYPE, None)


def test_a_port_the_runtime_did_not_hand_out_stops_the_run(host, library):
    handle = open_library(host, library)
    with pytest.raises(HvmError, match="`bogus` returned the port"):
        call(host, handle, "bogus", Era())


def test_an_error_while_the_library_reads_stops_the_run(host, library, monkeypatch):
    handle = open_library(host, library)

    def fail(self, p):
        raise HvmError("time limit reached")

    monkeypatch.setattr(ffi.PortTable, "readback_bytes", fail)
    with pytest.raises(HvmError, match="time limit reached"):
        call(host, handle, "greet", string("x"))


def test_the_run_closes_its_libraries(host, library):
    open_library(host, library)
    host.close_all()
    assert not host.dylibs


def test_without_a_c_compiler_there_is_no_shim(monkeypatch):
    monkeypatch.setenv("CC", "/no/such/compiler")
    assert ffi.compiler() is None and ffi.shim_path() is None


def test_a_bend_program_calls_the_library(library):
    """The shape of Bend's docs/ffi.md example."""
    from support import run_bend

    source = f"""
def main():
  with IO:
    dl <- IO/DyLib/open("{library}", 0)
    dl = Result/unwrap(dl)
    greeting <- IO/DyLib/call(dl, "greet", "Bend")
    * <- IO/print(String/decode_utf8(Result/unwrap(greeting)))
    sum <- IO/DyLib/call(dl, "add", (40, 2))
    * <- IO/DyLib/close(dl)
    missing <- IO/DyLib/open("./no_such_library.so", 1)
    match missing:
      case Result/Ok:
        status = 1
      case Result/Err:
        status = 0
    return wrap((Result/unwrap(sum), status))
"""
    host = Host(stdout=io.BytesIO(), stderr=io.BytesIO())
    outcome = run_bend(source, backend="py", host=host)
    assert host.stdout.getvalue() == b"Hello, Bend!"
    assert outcome.text == "λa (a IO/Done/tag IO/MAGIC (42, 0))"


@pytest.mark.skipif(shutil.which("nm") is None, reason="no nm")
def test_the_shim_exports_hvm2s_api():
    path = ffi.shim_path()
    if path is None:
        pytest.skip("no C compiler")
    symbols = subprocess.run(["nm", "-D", str(path)], capture_output=True, text=True).stdout
    for name in ("readback_tup", "readback_str", "readback_bytes", "inject_bytes"):
        assert f" T {name}" in symbols or f" T _{name}" in symbols
