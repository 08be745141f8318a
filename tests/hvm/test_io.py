"""hvm.io at the level of nets: the Reader on hand-written trees, each primitive on temporary
files and in-memory streams, the errors a program gets back, and the IO loop (run_io) on the
reference and the native backends."""

from __future__ import annotations

import io
import os

import pytest

from hvm import numbers
from hvm.book import Era, Num, Ref, closed
from hvm.io import (CALL, DONE, ERROR_INNER, ERROR_NAME, ERROR_TYPE, ERR, MAGIC, OK, Host, NotData, Reader, perform,
                    run_io)
from hvm.runtime import get_backend
from hvm.syntax import parse_book, parse_tree, show_tree

MAGIC_TEXT = f"({MAGIC[0]} {MAGIC[1]})"


class Text:
    """Writes data as HVM text in Bend's num-scott encoding, with fresh variable names."""

    def __init__(self):
        self.count = 0

    def var(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def ctor(self, tag: int, *fields: str) -> str:
        """`λk (k tag fields...)`"""
        k = self.var()
        chain = k
        for f in reversed([str(tag), *fields]):
            chain = f"({f} {chain})"
        return f"({chain} {k})"

    def items(self, values: list[str]) -> str:
        t = self.ctor(0)
        for v in reversed(values):
            t = self.ctor(1, v, t)
        return t

    def string(self, s: str) -> str:
        return self.items([str(ord(c)) for c in s])

    def data(self, b: bytes) -> str:
        return self.items([str(x) for x in b])

    def done(self, value: str) -> str:
        return self.ctor(DONE, MAGIC_TEXT, value)

    def call(self, func: str, argm: str, then: str | None = None) -> str:
        """IO/Call func argm, continuing with `then` (another IO, the answer erased) or, by
        default, with `λx IO/Done x`."""
        if then is None:
            x = self.var()
            cont = f"({x} {self.done(x)})"
        else:
            cont = f"(* {then})"
        return self.ctor(CALL, MAGIC_TEXT, self.string(func), argm, cont)


def tree(text: str):
    return parse_tree(text)


def reader(book_text: str = "@main = *") -> Reader:
    return Reader(parse_book(book_text))


def do(host: Host, func: str, argm: str):
    """Performs one primitive; its answer as ("Ok", value tree) or ("Err", kind, inner tree)."""
    r = reader()
    return decode(r, perform(host, r, func, tree(argm)))


def decode(r: Reader, answer):
    tag, fields = r.constructor(answer)
    if tag == OK:
        return ("Ok", fields[0])
    assert tag == ERR
    kind, inner = r.constructor(fields[0])
    return ("Err", kind, inner[0] if inner else None)


def inner(errno: int):
    return ("Err", ERROR_INNER, Num(numbers.new_i24(errno)))


ERR_TYPE = ("Err", ERROR_TYPE, None)
OK_ERA = ("Ok", Era())
T = Text()


@pytest.fixture
def host():
    h = Host(stdin=io.BytesIO(b"ab\ncd"), stdout=io.BytesIO(), stderr=io.BytesIO())
    yield h
    h.close_all()


# -- the Reader


def test_reader_constructor_and_numbers():
    r = reader()
    assert r.constructor(tree("((7 (5 (+3 k))) k)")) == (7, [Num(numbers.new_u24(5)), Num(numbers.new_i24(3))])
    assert r.constructor(tree("((0 k) k)")) == (0, [])
    assert r.number(tree("+5")) == 5 and r.number(tree("-5")) == -5
    assert r.number(tree("0xFFFFFF")) == 0xFFFFFF
    assert r.number(tree("0xFFFFFF"), signed=True) == -1
    assert r.pair(tree("(1 2)")) == (Num(numbers.new_u24(1)), Num(numbers.new_u24(2)))


@pytest.mark.parametrize("text", [
    "*",  # not a lambda
    "7",
    "(k k)",  # no tag applied
    "((1 (2 j)) k)",  # the application does not end in the lambda's variable
    "{(1 k) k}",  # a DUP, not a CON
    "((1.5 k) k)",  # a float tag
])
def test_reader_rejects_what_is_not_a_constructor(text):
    with pytest.raises(NotData):
        reader().constructor(tree(text))


@pytest.mark.parametrize("method, text", [("number", "1.5"), ("number", "(1 2)"), ("number", "*"),
                                          ("pair", "5"), ("pair", "*"), ("pair", "{1 2}")])
def test_reader_rejects_wrong_shapes(method, text):
    with pytest.raises(NotData):
        getattr(reader(), method)(tree(text))


def test_reader_strings_bytes_and_lists():
    r = reader()
    assert r.text(tree(T.string("héllo 🌎"))) == "héllo 🌎"
    assert r.text(tree(T.string(""))) == ""
    assert r.data(tree(T.items(["104", "105", "0x1FF"]))) == b"hi\xff"  # a byte is the low 8 bits
    with pytest.raises(NotData):
        r.items(tree(T.ctor(2, "1")))  # neither Nil nor Cons
    with pytest.raises(NotData):
        r.items(tree(T.ctor(1, "1")))  # a Cons without a tail
    with pytest.raises(NotData):
        r.text(tree(T.items(["1.5"])))


def test_reader_looks_through_references():
    book = f"""
        @main = *
        @tag = 1
        @magic = {MAGIC_TEXT}
        @name = {T.string("WRITE")}
        @nil = ((@zero k) k)
        @zero = 0
        @io = ((@tag (@magic (@name (5 (* k))))) k)
    """
    r = reader(book)
    assert r.io_call(Ref("io")) == ("WRITE", Num(numbers.new_u24(5)), Era())
    assert r.items(Ref("nil")) == []
    assert r.number(Ref("zero")) == 0


def test_reader_io_call_recognises_calls_only():
    r = reader()
    func, argm, cont = r.io_call(tree(T.call("READ", "(0 10)")))
    assert func == "READ" and show_tree(argm) == "(0 10)"
    assert show_tree(cont).startswith("(") and closed(cont)  # λx (IO/Done x)
    assert r.io_call(tree(T.done("42"))) is None  # finished
    assert r.io_call(tree("42")) is None  # not an IO value
    wrong_magic = T.ctor(CALL, "(1 2)", T.string("READ"), "*", "(x x)")
    assert r.io_call(tree(wrong_magic)) is None
    short = T.ctor(CALL, MAGIC_TEXT, T.string("READ"))
    assert r.io_call(tree(short)) is None


def test_reader_builds_answers_it_can_read():
    r = reader()
    assert decode(r, r.ok(Num(numbers.new_u24(3)))) == ("Ok", Num(numbers.new_u24(3)))
    assert decode(r, r.error(ERROR_NAME)) == ("Err", ERROR_NAME, None)
    assert decode(r, r.errno(OSError(2, "missing"))) == inner(2)
    assert r.data(r.list_of([1, 2, 255])) == b"\x01\x02\xff"
    assert r.items(r.list_of([])) == []


# -- each primitive


def test_write_to_the_streams(host):
    assert do(host, "WRITE", f"(1 {T.data('€ ok'.encode())})") == OK_ERA
    assert do(host, "WRITE", f"(2 {T.data(b'err')})") == OK_ERA
    assert host.stdout.getvalue() == "€ ok".encode()
    assert host.stderr.getvalue() == b"err"


def test_read_from_stdin(host):
    r = reader()
    kind, value = do(host, "READ", "(0 2)")
    assert kind == "Ok" and r.data(value) == b"ab"
    kind, value = do(host, "READ", "(0 100)")
    assert r.data(value) == b"\ncd"
    kind, value = do(host, "READ", "(0 100)")
    assert kind == "Ok" and r.items(value) == []  # at the end: no bytes, no error


def test_open_write_close_then_read(host, tmp_path):
    path = str(tmp_path / "file.txt")
    kind, fd = do(host, "OPEN", f"({T.string(path)} {T.string('w')})")
    assert kind == "Ok" and fd == Num(numbers.new_u24(3))  # 0, 1, 2 are the streams
    content = T.data(b"line one\nline two")
    assert do(host, "WRITE", f"(3 {content})") == OK_ERA
    assert do(host, "FLUSH", "3") == OK_ERA
    assert do(host, "CLOSE", "3") == OK_ERA
    assert 3 not in host.files
    assert open(path, "rb").read() == b"line one\nline two"

    assert do(host, "OPEN", f"({T.string(path)} {T.string('r')})") == ("Ok", Num(numbers.new_u24(3)))
    r = reader()
    assert r.data(do(host, "READ", "(3 4)")[1]) == b"line"
    assert do(host, "SEEK", "(3 (-3 +2))") == OK_ERA  # 3 before the end
    assert r.data(do(host, "READ", "(3 100)")[1]) == b"two"
    assert do(host, "SEEK", "(3 (+4 +0))") == OK_ERA  # from the start
    assert do(host, "SEEK", "(3 (+1 +1))") == OK_ERA  # from here
    assert r.data(do(host, "READ", "(3 3)")[1]) == b"one"
    assert do(host, "SEEK", "(3 (2 0))") == OK_ERA  # u24 offsets and whence work too
    assert r.data(do(host, "READ", "(3 3)")[1]) == b"ne "
    assert do(host, "CLOSE", "3") == OK_ERA


def test_open_modes(host, tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    for mode, fd in [("a", 3), ("r+", 4), ("rb", 5)]:
        assert do(host, "OPEN", f"({T.string(str(path))} {T.string(mode)})") == ("Ok", Num(numbers.new_u24(fd)))
    assert do(host, "WRITE", f"(3 {T.data(b'd')})") == OK_ERA
    assert do(host, "CLOSE", "3") == OK_ERA
    assert reader().data(do(host, "READ", "(5 10)")[1]) == b"abcd"
    # the lowest free descriptor is taken again
    assert do(host, "OPEN", f"({T.string(str(path))} {T.string('w+')})") == ("Ok", Num(numbers.new_u24(3)))


def test_read_an_i24_count_as_u24(tmp_path, host):
    path = tmp_path / "f.txt"
    path.write_bytes(b"xyz")
    do(host, "OPEN", f"({T.string(str(path))} {T.string('r')})")
    assert reader().data(do(host, "READ", "(3 -1)")[1]) == b"xyz"


def test_closing_a_stream_keeps_it(host):
    assert do(host, "CLOSE", "1") == OK_ERA
    assert do(host, "WRITE", f"(1 {T.data(b'still here')})") == OK_ERA
    assert host.stdout.getvalue() == b"still here"


def test_get_time_and_sleep(host, monkeypatch):
    import hvm.io

    monkeypatch.setattr(hvm.io.time, "monotonic_ns", lambda: (5 << 24) + 1234 + (1 << 48))
    r = reader()
    kind, value = do(host, "GET_TIME", "*")
    hi, lo = r.pair(value)
    assert (r.number(hi), r.number(lo)) == (5, 1234)  # a u48 as (high, low) u24s

    slept = []
    monkeypatch.setattr(hvm.io.time, "sleep", slept.append)
    assert do(host, "SLEEP", "(1 500)") == OK_ERA
    assert slept == [((1 << 24) + 500) / 1e9]


def test_get_time_is_monotonic(host):
    r = reader()
    times = []
    for _ in range(3):
        hi, lo = r.pair(do(host, "GET_TIME", "*")[1])
        times.append((r.number(hi) << 24) | r.number(lo))
    assert times == sorted(times)


# -- errors


def test_missing_file_is_errno_2(host, tmp_path):
    assert do(host, "OPEN", f"({T.string(str(tmp_path / 'missing'))} {T.string('r')})") == inner(2)
    assert do(host, "OPEN", f"({T.string(str(tmp_path / 'no/dir/f'))} {T.string('w')})") == inner(2)
    assert 3 not in host.files


@pytest.mark.parametrize("func, argm", [
    ("READ", "(42 10)"),
    ("WRITE", "(42 ((0 k) k))"),
    ("CLOSE", "42"),
    ("FLUSH", "200"),
    ("SEEK", "(42 (+0 +0))"),
])
def test_a_descriptor_that_is_not_open_is_errno_9(host, func, argm):
    assert do(host, func, argm) == inner(9)


def test_using_a_file_against_its_mode(host, tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    do(host, "OPEN", f"({T.string(str(path))} {T.string('w')})")
    assert do(host, "READ", "(3 1)") == inner(9)  # EBADF, as C's fread on a write-only FILE
    h = Host(stdin=open(os.devnull, "rb"))  # a stdin open for reading only
    try:
        assert do(h, "WRITE", f"(0 {T.data(b'x')})") == inner(9)
    finally:
        h.stdin.close()


def test_bad_mode_seek_and_path_are_einval(host, tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    assert do(host, "OPEN", f"({T.string(str(path))} {T.string('rw')})") == inner(22)
    assert do(host, "OPEN", f"({T.string(str(path))} {T.string('')})") == inner(22)
    assert do(host, "OPEN", f"({T.string('a' + chr(0) + 'b')} {T.string('r')})") == inner(22)
    do(host, "OPEN", f"({T.string(str(path))} {T.string('r')})")
    assert do(host, "SEEK", "(3 (-1 +0))") == inner(22)  # before the start


def test_seeking_a_pipe_is_espipe(host):
    r, w = os.pipe()
    with os.fdopen(r, "rb") as pipe, os.fdopen(w, "wb"):
        h = Host(stdin=pipe)
        assert do(h, "SEEK", "(0 (+1 +1))") == inner(29)


def test_too_many_open_files_is_emfile(tmp_path):
    h = Host(files={fd: io.BytesIO() for fd in range(3, 256)})
    path = tmp_path / "f.txt"
    path.write_bytes(b"")
    assert do(h, "OPEN", f"({T.string(str(path))} {T.string('r')})") == inner(24)


@pytest.mark.parametrize("func, argm", [
    ("READ", "0"),  # not a pair
    ("READ", "(0 1.5)"),  # a float count
    ("READ", "(* 1)"),  # no descriptor
    ("WRITE", "(1 5)"),  # not a list
    ("WRITE", "(1 ((1 (1.0 ((0 k) k))) j))"),  # a malformed list
    ("OPEN", "(5 ((0 k) k))"),  # the path is not a string
    ("OPEN", "(((0 k) k) 5)"),  # the mode is not a string
    ("CLOSE", "(3 4)"),
    ("FLUSH", "*"),
    ("SEEK", "(1 +2)"),  # offset and whence not in a pair
    ("SEEK", "(1 (+0 +3))"),  # whence must be 0, 1 or 2
    ("SEEK", "(1 (+0 -1))"),
    ("SEEK", "(1 (1.0 +0))"),
    ("SLEEP", "5"),
    ("SLEEP", "(1 *)"),
])
def test_a_malformed_argument_is_a_type_error(host, func, argm):
    assert do(host, func, argm) == ERR_TYPE


@pytest.mark.parametrize("func", ["PRINT", "read", "", "GET_TIMES"])
def test_an_unknown_primitive_is_a_name_error(host, func):
    assert do(host, func, "*") == ("Err", ERROR_NAME, None)


@pytest.mark.parametrize("func", ["DL_OPEN", "DL_CALL", "DL_CLOSE"])
def test_a_dynamic_library_call_of_the_wrong_shape_is_a_type_error(host, func):
    assert do(host, func, "*") == ERR_TYPE  # (the calls themselves: tests/hvm/test_ffi.py)


# -- the loop


def two_writes() -> str:
    """WRITE "a" to stdout, then WRITE "b" to stderr, then finish with the last answer."""
    second = T.call("WRITE", f"(2 {T.data(b'b')})")
    first = T.call("WRITE", f"(1 {T.data(b'a')})", then=second)
    return f"@main = {first}"


@pytest.mark.parametrize("backend", ["py", "c"])
def test_run_io_performs_calls_in_order(backend):
    out, err = io.BytesIO(), io.BytesIO()
    book = parse_book(two_writes())
    result = run_io(get_backend(backend), book, host=Host(stdout=out, stderr=err), threads=1)
    assert (out.getvalue(), err.getvalue()) == (b"a", b"b")
    r = Reader(book)
    tag, (magic, answer) = r.constructor(result.tree)
    assert tag == DONE and decode(r, answer) == OK_ERA
    single = get_backend("py").run(book)
    assert result.stats.interactions > single.stats.interactions  # the runs' statistics add up


def test_run_io_answers_reach_the_continuation(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x7f\xff")
    read = T.call("READ", "(3 10)")
    argm = f"({T.string(str(path))} {T.string('r')})"
    book = parse_book(f"@main = {T.call('OPEN', argm, then=read)}")
    host = Host()
    result = run_io(get_backend("py"), book, host=host)
    r = Reader(book)
    _, (_, answer) = r.constructor(result.tree)
    kind, value = decode(r, answer)
    assert kind == "Ok" and r.data(value) == b"\x00\x7f\xff"
    assert host.files.get(3) is None  # files left open are closed at the end


def test_run_io_returns_other_results_as_they_are():
    for text in ["@main = 42", f"@main = {T.done('7')}", f"@main = {T.ctor(CALL, '(1 2)', '*', '*', '*')}"]:
        book = parse_book(text)
        assert run_io(get_backend("py"), book).tree == get_backend("py").run(book).tree


@pytest.mark.parametrize("backend", ["py", "c"])
def test_run_io_counts_the_references_it_expands_as_hvm2_does(backend):
    # HVM2 expands a reference met where it reads an IO value by reducing `@ref ~ ROOT`: a CALL,
    # plus the interactions of the definition's redexes. The same call written out in full
    # needs none of them.
    def run(book_text):
        out = io.BytesIO()
        result = run_io(get_backend(backend), parse_book(book_text), host=Host(stdout=out), threads=1)
        assert out.getvalue() == b"" and show_tree(result.tree) == f"((0 ({MAGIC_TEXT} (7 a))) a)"  # IO/Done 7
        return result.stats.interactions

    done = T.done("7")
    cont = f"(* {done})"
    argm = f"(1 {T.data(b'')})"
    inline = run(f"@main = {T.ctor(CALL, MAGIC_TEXT, T.string('WRITE'), argm, cont)}")
    with_refs = run(f"""
        @main = ((@call_tag (@magic (@name ((1 @bytes) ({cont} k))))) k)
        @call_tag = 1
        @magic = {MAGIC_TEXT}
        @name = s0
          & @cons ~ (87 (s1 s0))
          & @cons ~ (82 (s2 s1))
          & @cons ~ (73 (s3 s2))
          & @cons ~ (84 (s4 s3))
          & @cons ~ (69 (@nil s4))
        @cons = (h (t ((1 (h (t k))) k)))
        @nil = ((@zero k) k)
        @zero = 0
        @bytes = @nil
    """)
    # @call_tag, @magic: 1 each; @name: 1 + 5 * (CALL + 2 ANNI), then its @nil and @zero: 1 each;
    # the argument's @bytes, @nil, @zero: 1 each
    assert with_refs - inline == 2 + 16 + 2 + 3


def test_run_io_answers_a_call_of_the_wrong_shape_and_goes_on():
    book = parse_book(f"@main = {T.call('DL_OPEN', '*')}")
    result = run_io(get_backend("py"), book, host=Host(stdout=io.BytesIO()))
    assert Reader(book).constructor(result.tree)[0] == DONE
