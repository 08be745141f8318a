"""Bend programs that do IO (stdlib/prelude/io.bend performed by hvm/io.py): printing, files,
lines, seeking, standard input, time. The two larger programs run on the native runtime and on
the reference evaluator; the rest on the reference evaluator (IO is performed by the same host
code for both). Sources are constants and paths relative (the tests run in a temporary folder)
so that the native runtime's compiled code is reused from its cache."""

from __future__ import annotations

import io

import pytest
from support import compile_bend, run_bend

import hvm.io
from hvm.io import Host


def run(source: str, backend: str = "py", stdin: bytes = b"", **options):
    """(result text, stdout bytes, stderr bytes)"""
    host = Host(stdin=io.BytesIO(stdin), stdout=io.BytesIO(), stderr=io.BytesIO())
    outcome = run_bend(source, backend=backend, host=host, **options)
    return outcome.text, host.stdout.getvalue(), host.stderr.getvalue()


def done(value: str) -> str:
    return f"λa (a IO/Done/tag IO/MAGIC {value})"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- console: print, input, stderr

CONSOLE = """
def main():
  with IO:
    * <- IO/print("What is your name? ")
    name <- IO/input
    name = Result/unwrap(name)
    * <- IO/print("Hello, ")
    * <- IO/print(name)
    * <- IO/print("! ✓\\n")
    * <- IO/FS/write(IO/FS/STDERR, String/encode_utf8("done\\n"))
    rest <- IO/input
    eof <- IO/input
    return wrap((name, (rest, eof)))
"""


@pytest.mark.parametrize("backend", ["py", "c"])
def test_print_and_input(backend):
    text, out, err = run(CONSOLE, backend, stdin="Wörld\nsecond line".encode())
    assert out == "What is your name? Hello, Wörld! ✓\n".encode()
    assert err == b"done\n"
    # the last line has no newline; after it, input gives ""
    assert text == done('("Wörld", (λb (b Result/Ok/tag "second line"), λc (c Result/Ok/tag "")))')


def test_hello_world_result_is_bends():
    source = 'def main():\n  with IO:\n    * <- IO/print("Hello, world!\\n")\n    return wrap(0)\n'
    assert run(source) == (done("0"), b"Hello, world!\n", b"")


def test_input_decodes_utf8_and_replaces_bad_bytes():
    source = "def main():\n  with IO:\n    a <- IO/input\n    b <- IO/input\n    return wrap((a, b))\n"
    text, _, _ = run(source, stdin=b"\xf0\x9f\x8c\x8e \xff!\n\n")
    assert text == done('(λb (b Result/Ok/tag "🌎 \ufffd!"), λc (c Result/Ok/tag ""))')


# -- files

FILES = """
# Bytes as text, so that the result prints the same however the bytes were built
def text(res):
  match res:
    case Result/Ok:
      return Result/Ok(String/decode_utf8(res.val))
    case Result/Err:
      return Result/Err(res.val)

def main():
  with IO:
    w <- IO/FS/write_file("notes.txt", String/encode_utf8("first line\\nsecond\\n\\nlast: ünï"))
    all <- IO/FS/read_file("notes.txt")
    missing <- IO/FS/read_file("missing.txt")
    nodir <- IO/FS/write_file("no/such/dir.txt", [])
    fd <- IO/FS/open("notes.txt", "r")
    fd = Result/unwrap(fd)
    l1 <- IO/FS/read_line(fd)
    l2 <- IO/FS/read_line(fd)
    l3 <- IO/FS/read_line(fd)
    l4 <- IO/FS/read_line(fd)
    l5 <- IO/FS/read_line(fd)
    * <- IO/FS/seek(fd, +6, IO/FS/SEEK_SET)
    a <- IO/FS/read(fd, 4)
    * <- IO/FS/seek(fd, -3, IO/FS/SEEK_END)
    b <- IO/FS/read(fd, 10)
    * <- IO/FS/seek(fd, -9, IO/FS/SEEK_CUR)
    c <- IO/FS/read(fd, 2)
    closed <- IO/FS/close(fd)
    again <- IO/FS/close(fd)
    return wrap([w, text(all), missing, nodir, text(l1), text(l2), text(l3), text(l4), text(l5),
                 text(a), text(b), text(c), closed, again])
"""


@pytest.mark.parametrize("backend", ["py", "c"])
def test_write_read_lines_seek_close(backend, in_tmp):
    text, out, _ = run(FILES, backend)
    assert out == b""
    assert (in_tmp / "notes.txt").read_bytes() == "first line\nsecond\n\nlast: ünï".encode()
    values = [
        "λb (b Result/Ok/tag *)",  # write_file
        'λc (c Result/Ok/tag "first line\\nsecond\\n\\nlast: ünï")',  # read_file
        "λd (d Result/Err/tag +2)",  # a missing file: ENOENT
        "λe (e Result/Err/tag +2)",  # writing into a missing folder
        'λf (f Result/Ok/tag "first line")',  # read_line drops the newline
        'λg (g Result/Ok/tag "second")',
        'λh (h Result/Ok/tag "")',  # an empty line
        'λi (i Result/Ok/tag "last: ünï")',  # the last line has no newline
        'λj (j Result/Ok/tag "")',  # at the end of the file
        'λk (k Result/Ok/tag "line")',  # seek 6 from the start
        'λl (l Result/Ok/tag "nï")',  # seek 3 before the end
        'λm (m Result/Ok/tag "st")',  # seek 9 back from the end
        "λn (n Result/Ok/tag *)",  # close
        "λo (o Result/Err/tag +9)",  # closing twice: EBADF
    ]
    assert text == done("[" + ", ".join(values) + "]")


def test_reading_a_missing_file_is_bends_golden_result():
    source = 'def main():\n  with IO:\n    x <- IO/FS/read_file("missing")\n    return wrap(x)\n'
    assert run(source)[0] == done("λb (b Result/Err/tag +2)")


def test_read_line_longer_than_a_chunk(in_tmp):
    (in_tmp / "long.txt").write_bytes(b"a" * 1030 + b"b\nnext\n")
    source = """
def main():
  with IO:
    fd <- IO/FS/open("long.txt", "r")
    fd = Result/unwrap(fd)
    l1 <- IO/FS/read_line(fd)
    l2 <- IO/FS/read_line(fd)
    (n, l1) = List/length(Result/unwrap(l1))
    * <- IO/FS/close(fd)
    return wrap((n, (String/decode_utf8(List/reverse(l1)), String/decode_utf8(Result/unwrap(l2)))))
"""
    text = run(source)[0]
    assert text == done('(1031, ("b' + "a" * 1030 + '", "next"))')  # 1024 + 7 bytes, in order


def test_read_to_end_from_the_middle_and_append(in_tmp):
    (in_tmp / "f.txt").write_bytes(b"0123456789")
    source = """
def main():
  with IO:
    fd <- IO/FS/open("f.txt", "a+")
    fd = Result/unwrap(fd)
    * <- IO/FS/write(fd, String/encode_utf8("AB"))
    * <- IO/FS/flush(fd)
    * <- IO/FS/seek(fd, +7, IO/FS/SEEK_SET)
    rest <- IO/FS/read_to_end(fd)
    * <- IO/FS/close(fd)
    return wrap(String/decode_utf8(Result/unwrap(rest)))
"""
    assert run(source)[0] == done('"789AB"')
    assert (in_tmp / "f.txt").read_bytes() == b"0123456789AB"


def test_file_errors_are_errnos():
    source = """
def errno(res):
  match res:
    case Result/Ok:
      return +0
    case Result/Err:
      return res.val

def main():
  with IO:
    a <- IO/FS/open("x.txt", "nonsense")
    b <- IO/FS/read(99, 1)
    c <- IO/FS/write(99, [])
    d <- IO/FS/seek(99, +0, IO/FS/SEEK_SET)
    e <- IO/FS/flush(99)
    f <- IO/FS/open(".", "w")
    return wrap([errno(a), errno(b), errno(c), errno(d), errno(e), errno(f)])
"""
    # EINVAL (a bad mode), EBADF x 4 (not open), EISDIR
    assert run(source)[0] == done("[+22, +9, +9, +9, +9, +21]")


# -- the core: call, bind, map, unwrap_inner, errors of the IO layer

CORE = """
def kind(res):
  match res:
    case Result/Ok:
      return 0
    case Result/Err:
      match e = res.val:
        case IOError/Type:
          return 10
        case IOError/Name:
          return 11
        case IOError/Inner:
          return 12

def main():
  with IO:
    a <- IO/call("NO_SUCH_CALL", *)
    b <- IO/call("OPEN", 5)
    c <- IO/call("READ", (0, 1.5))
    d <- IO/call("SEEK", (1, (+0, +7)))
    e <- IO/call("OPEN", ("missing", "r"))
    f <- IO/call("FLUSH", 1)
    g <- IO/map(IO/wrap(20), lambda x: x + 1)
    h <- IO/unwrap_inner(IO/call("OPEN", ("missing", "r")))
    i <- IO/bind(IO/wrap(3), defer(lambda x: IO/wrap(x * 2)))
    j = IOError/unwrap_inner(IOError/Inner(+7))
    k <- IO/map(IO/FS/read_file("missing"), lambda r: Result/map_err(r, lambda e: e + +100))
    return wrap([kind(a), kind(b), kind(c), kind(d), kind(e), kind(f), g, Result/unwrap(h), i, j, Result/unwrap(k)])
"""


def test_call_bind_map_and_the_kinds_of_error():
    text = run(CORE)[0]
    # Name, Type x 3, Inner, Ok; map; the inner errno; bind; IOError/unwrap_inner; map over a file error
    assert text == done("[11, 10, 10, 10, 12, 0, 21, +2, 6, +7, +102]")


def test_constants():
    source = """
def main():
  return [IO/FS/STDIN + 0, IO/FS/STDOUT + 0, IO/FS/STDERR + 0,
          IO/FS/SEEK_SET + +0, IO/FS/SEEK_CUR + +0, IO/FS/SEEK_END + +0]
"""
    assert run(source)[0] == "[0, 1, 2, +0, +1, +2]"
    magic = "def main():\n  (a, b) = IO/MAGIC\n  return (a == 0xD0CA11, b == 0xFF1FF1)\n"
    assert run(magic)[0] == "(1, 1)"


def test_a_program_without_io_calls():
    assert run("def main():\n  return IO/wrap(5)\n")[0] == done("5")
    assert run("def main():\n  return 5\n")[0] == "5"


# -- sequencing: recursion, fun syntax, folds, free variables across binds


def test_recursive_io_in_both_syntaxes():
    source = """
def countdown(n):
  with IO:
    if n == 0:
      return wrap(0)
    else:
      * <- IO/print(u24/to_string(n))
      r <- countdown(n - 1)
      return wrap(r + n)

(Loop 0) = (IO/wrap 0)
(Loop n) = with IO {
  ask * = (IO/print ".")
  ask r = (Loop (- n 1))
  (wrap (+ r 1))
}

def print_all(xs):
  fold xs:
    case List/Nil:
      return IO/wrap(0)
    case List/Cons:
      with IO:
        * <- IO/print(xs.head)
        n <- xs.tail
        return wrap(n + 1)

main = with IO {
  ask a = (countdown 3)
  ask b = (Loop 4)
  ask c = (print_all ["x", "y"])
  (wrap (a, (b, c)))
}
"""
    assert run(source)[:2] == (done("(6, (4, 2))"), b"321....xy")


def test_free_variables_cross_binds():
    source = """
def main():
  a = [1, 2, 3]
  b = 7
  with IO:
    x <- IO/wrap(b)
    (n, a) = List/length(a)
    x <- IO/wrap(x + n)
    {p, q} = x
    z <- IO/map(IO/wrap(q), lambda y: y + p)
    return wrap((a, (b, (x, z))))
"""
    assert run(source)[0] == done("([1, 2, 3], (7, (10, 20)))")


# -- time


def test_get_time_and_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(hvm.io.time, "sleep", slept.append)
    source = """
def main():
  with IO:
    t0 <- IO/get_time
    * <- IO/sleep(0.25)
    * <- IO/nanosleep((1, 5))
    t1 <- IO/get_time
    return wrap((t0, t1))
"""
    text = run(source)[0]
    assert slept[1] == ((1 << 24) + 5) / 1e9
    assert abs(slept[0] - 0.25) < 0.001  # f24 seconds to nanoseconds
    pairs = text.removeprefix("λa (a IO/Done/tag IO/MAGIC ((").removesuffix(")))").split("), (")
    (h0, l0), (h1, l1) = (map(int, p.split(", ")) for p in pairs)
    assert (h0 << 24 | l0) <= (h1 << 24 | l1)


# -- the rest of the library compiles; a dynamic library that is not there


def test_the_whole_library_compiles():
    names = ["IO/MAGIC", "IO/wrap", "IO/bind", "IO/call", "IO/map", "IO/unwrap_inner", "IOError/unwrap_inner",
             "IO/get_time", "IO/nanosleep", "IO/sleep", "IO/FS/open", "IO/FS/close", "IO/FS/read",
             "IO/FS/write", "IO/FS/seek", "IO/FS/flush", "IO/FS/STDIN", "IO/FS/STDOUT", "IO/FS/STDERR",
             "IO/FS/SEEK_SET", "IO/FS/SEEK_CUR", "IO/FS/SEEK_END", "IO/FS/read_file", "IO/FS/read_to_end",
             "IO/FS/read_line", "IO/FS/write_file", "IO/print", "IO/input", "IO/DyLib/open", "IO/DyLib/call",
             "IO/DyLib/close"]
    compiled = compile_bend("def main():\n  return [" + ", ".join(names) + "]\n")
    # small definitions are inlined into main; the loops stay
    loops = {"IO/FS/read_line.read_chunks", "IO/FS/read_to_end.read_chunks", "IO/input.go", "IO/bind"}
    assert loops <= set(compiled.hvm.defs)


def test_opening_a_missing_dynamic_library_is_an_err_with_the_loaders_message():
    source = 'def main():\n  with IO:\n    r <- IO/DyLib/open("./no_such_lib.so", 0)\n    return wrap(r)\n'
    text = run(source)[0]  # (calls into a library: tests/hvm/test_ffi.py)
    assert text.startswith("λa (a IO/Done/tag IO/MAGIC λb (b Result/Err/tag [")
    message = bytes(int(b) for b in text.split("[")[1].split("]")[0].split(", "))
    assert b"no_such_lib.so" in message


def test_branches_ending_with_a_bind_bind_the_branching_statement():
    source = """
def main():
  with IO:
    if 0:
      x <- IO/wrap(1)
    else:
      x <- IO/wrap(2)
    return wrap(x)
"""
    assert run(source)[0] == done("2")


@pytest.mark.parametrize("backend", ["py", "c"])
def test_the_timeout_covers_a_result_that_keeps_expanding(backend):
    # each run ends at once with a reference at the root, whose expansion gives another one:
    # the time limit is for the whole program, not for each run
    from hvm.errors import LimitError

    with pytest.raises(LimitError, match=r"time limit reached: the run took more than 0\.5s"):
        run("f x = switch x { 0: (f 1); _: (f 0) }\nmain = (f 0)\n", backend, timeout=0.5)
