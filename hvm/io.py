"""The host side of IO: run a program whose result is an IO action, performing its effects.

In:  a backend, a book and its entry; the streams the program's stdin, stdout and stderr are.
Out: RunResult: the final normal form (the finished action, `IO/Done`) with the statistics of
     every run added up. Raises HvmError when a run reaches a limit, or a foreign function misbehaves.

An IO value is a constructor in Bend's num-scott encoding, `λk (k tag field...)`, read from the
result tree: tag 0 is `IO/Done { magic, expr }` (finished), tag 1 is
`IO/Call { magic, func, argm, cont }`: perform the primitive named by the string `func` with
`argm`, then continue with `(cont answer)`, where the answer is `Result/Ok value` or
`Result/Err (IOError ...)`. `magic` is the pair (0xD0CA11, 0xFF1FF1): anything else is not an IO
value and is returned as it is. To continue, the backend reduces a new net, as HVM2 does (and
so with as many interactions),

    @resume = r   & <cont> ~ (answer r)

the rest of the call is dropped. Only when `cont` shares a wire with the rest (a scopeless
variable can do that) does the whole result take part:

    @resume = r   & <the result tree> ~ (λ* λ* λ* λ* λcont (cont answer)  r)

References met while reading the call are expanded, and counted, as HVM2 does (see Reader).

Primitives (notes/bend-language.md §4): READ (fd, n), WRITE (fd, bytes), OPEN (path, mode),
CLOSE fd, FLUSH fd, SEEK (fd, (offset, whence)), GET_TIME * (monotonic nanoseconds as a pair of
u24, high and low), SLEEP (hi, lo) nanoseconds. Tuples are right-nested pairs. Answers:
`Result/Ok value`; `Result/Err (IOError/Inner errno)` when the system refuses (errno as an i24,
e.g. +2 for a missing file, +9 for a descriptor that is not open, +22 for an unknown mode);
`Result/Err IOError/Type` for an argument of the wrong shape; `Result/Err IOError/Name` for an
unknown primitive. Descriptors 0, 1, 2 are the host's streams: closing them does nothing.
DL_OPEN (path, lazy), DL_CALL (handle, (name, arg)) and DL_CLOSE handle open, call and close
dynamic libraries with HVM2's C calling convention (hvm/ffi.py).
"""

from __future__ import annotations

import errno
import io
import sys
import time
from dataclasses import dataclass, field

from hvm import numbers
from hvm.book import Book, Era, Net, Node, Num, Redex, Ref, Tag, Tree, Var
from hvm.errors import LimitError
from hvm.runtime import RunResult, Stats

MAGIC = (0xD0CA11, 0xFF1FF1)
MAGIC_NUMS = (Num(numbers.new_u24(MAGIC[0])), Num(numbers.new_u24(MAGIC[1])))
DONE, CALL = 0, 1
OK, ERR = 0, 1
ERROR_TYPE, ERROR_NAME, ERROR_INNER = 0, 1, 2
MAX_FILES = 256


class NotData(Exception):
    """A tree is not the data a primitive expects (the program gets `IOError/Type`)."""


@dataclass
class Host:
    """The program's view of the world: open files by descriptor (0, 1, 2 are the streams)."""

    stdin: object = None
    stdout: object = None
    stderr: object = None
    files: dict = field(default_factory=dict)
    dylibs: dict = field(default_factory=dict)  # open dynamic libraries: handle (0..255) -> dlopen's handle

    def __post_init__(self):
        self.files = {0: self.stdin or sys.stdin.buffer, 1: self.stdout or sys.stdout.buffer,
                      2: self.stderr or sys.stderr.buffer, **self.files}

    def close_all(self) -> None:
        for fd, f in list(self.files.items()):
            if fd > 2:
                f.close()
                del self.files[fd]
        if self.dylibs:
            from hvm import ffi

            ffi.close_all(self)


def run_io(backend, book: Book, entry: str = "main", host: Host | None = None, **options) -> RunResult:
    host = host or Host()
    total = Stats(threads=options.get("threads") or 1)
    boot = None
    timeout = options.pop("timeout", None)  # for the whole program: its effects, every run and expansion
    deadline = None if timeout is None else time.monotonic() + timeout

    def run(boot: Net | None) -> RunResult:
        if deadline is None:
            result = backend.run(book, entry, boot=boot, **options)  # (the code compiled for `entry` serves)
        else:
            out_of_time = LimitError(f"time limit reached: the run took more than {timeout:g}s; raise --timeout")
            left = deadline - time.monotonic()
            if left <= 0:
                raise out_of_time
            try:
                result = backend.run(book, entry, boot=boot, timeout=left, **options)
            except LimitError as err:
                raise (out_of_time if err.message.startswith("time limit reached") else err) from None
        add_stats(total, result.stats)
        return result

    def run_ref(name: str) -> Tree | None:  # (see Reader)
        d = book.defs.get(name)
        if d is None:
            return None
        total.rules["CALL"] = total.rules.get("CALL", 0) + 1  # `@name ~ ROOT`
        if not d.net.reducible:
            return d.net.root
        return run(d.net).tree

    try:
        while True:
            result = run(boot)
            reader = Reader(book, run_ref)
            call = reader.io_call(result.tree)
            if call is None:
                return RunResult(result.tree, total)
            func, argm, cont = call
            answer = perform(host, reader, func, argm)
            r = reader.fresh()
            if is_closed(cont):
                boot = Net(r, [Redex(cont, Node(Tag.CON, answer, r))])
            else:
                k = reader.fresh()
                handler = Node(Tag.CON, Era(), Node(Tag.CON, Era(), Node(Tag.CON, Era(), Node(
                    Tag.CON, Era(), Node(Tag.CON, Node(Tag.CON, answer, k), k)))))
                boot = Net(r, [Redex(result.tree, Node(Tag.CON, handler, r))])
    finally:
        host.close_all()
        for stream in (host.files.get(1), host.files.get(2)):
            if stream is not None and hasattr(stream, "flush"):
                stream.flush()


def is_closed(t: Tree) -> bool:
    """Whether every wire in `t` has both its ends in `t`."""
    open_ends: set[str] = set()
    stack = [t]
    while stack:
        x = stack.pop()
        if type(x) is Var:
            open_ends ^= {x.name}
        elif type(x) is Node:
            stack += (x.fst, x.snd)
    return not open_ends


def add_stats(total: Stats, s: Stats) -> None:
    for rule, n in s.rules.items():
        total.rules[rule] = total.rules.get(rule, 0) + n
    total.seconds += s.seconds
    total.peak_nodes = max(total.peak_nodes, s.peak_nodes)
    total.threads = s.threads


class Reader:
    """Reads data out of result trees: constructors, numbers, strings, byte lists; and builds
    the trees of answers.

    A reference met where data is read is expanded as HVM2 expands it (`@ref ~ ROOT`, reduced:
    its interactions count): `run_ref(name)` runs it (see run_io), and a definition that is a
    plain tree (a constructor, a tag, IO/MAGIC) is looked up and counts its CALL. HVM2 expands
    a constructor's lambda, each node of its application spine, its tag and each field, each
    item of a tuple, and nothing else (not IO/MAGIC's numbers); so does this reader, so that
    a program with IO needs as many interactions here as in HVM2. With no `run_ref`, only plain
    trees are looked through, and nothing is counted."""

    def __init__(self, book: Book, run_ref=None):
        self.book = book
        self.run_ref = run_ref
        self.count = 0

    def fresh(self) -> Var:
        self.count += 1
        return Var(f"%io{self.count}")

    def expand(self, t: Tree) -> Tree:
        for _ in range(1 << 20):
            if type(t) is not Ref:
                return t
            if self.run_ref is not None:
                expanded = self.run_ref(t.name)
                if expanded is None:
                    return t
                t = expanded
                continue
            d = self.book.defs.get(t.name)
            if d is None or d.net.reducible:
                return t
            t = d.net.root
        return t

    def constructor(self, t: Tree) -> tuple[int, list[Tree]]:
        """(tag, fields) of `λk (k tag fields...)`, each field expanded. Raises NotData."""
        t = self.expand(t)
        if type(t) is not Node or t.tag != Tag.CON:
            raise NotData
        app = self.expand(t.fst)
        if type(app) is not Node or app.tag != Tag.CON:
            raise NotData
        tag = self.number(app.fst)
        fields = []
        while True:
            nxt = self.expand(app.snd)
            if type(nxt) is not Node or nxt.tag != Tag.CON:
                break
            app = nxt
            fields.append(self.expand(app.fst))
        if nxt != t.snd:
            raise NotData
        return tag, fields

    def number(self, t: Tree, signed: bool = False) -> int:
        t = self.expand(t)
        if type(t) is not Num:
            raise NotData
        tag = numbers.tag_of(t.numb)
        if tag == numbers.I24:
            return numbers.get_i24(t.numb)
        if tag == numbers.U24:
            value = numbers.payload_of(t.numb)
            return value - (1 << 24) if signed and value & 0x800000 else value
        raise NotData

    def pair(self, t: Tree) -> tuple[Tree, Tree]:
        t = self.expand(t)
        if type(t) is not Node or t.tag != Tag.CON:
            raise NotData
        return self.expand(t.fst), self.expand(t.snd)

    def items(self, t: Tree) -> list[Tree]:
        """The elements of a List or String."""
        out = []
        for _ in range(1 << 26):
            tag, fields = self.constructor(t)
            if tag == 0 and not fields:
                return out
            if tag != 1 or len(fields) != 2:
                raise NotData
            out.append(fields[0])
            t = fields[1]
        raise NotData

    def text(self, t: Tree) -> str:
        return "".join(chr(self.number(c) % 0x110000) for c in self.items(t))

    def data(self, t: Tree) -> bytes:
        return bytes(self.number(b) & 0xFF for b in self.items(t))

    def io_call(self, tree: Tree) -> tuple[str, Tree, Tree] | None:
        """(func, argm, cont) if `tree` is an IO/Call; None if it is IO/Done or not an IO value."""
        try:
            tag, fields = self.constructor(tree)
            magic = fields[0] if fields else None
            if type(magic) is not Node or magic.tag != Tag.CON or (magic.fst, magic.snd) != MAGIC_NUMS:
                return None
            if tag == CALL and len(fields) == 4:
                return self.text(fields[1]), fields[2], fields[3]
        except NotData:
            return None
        return None

    # -- answers

    def ctor(self, tag: int, *fields: Tree) -> Tree:
        k = self.fresh()
        app = k
        for f in reversed([Num(numbers.new_u24(tag)), *fields]):
            app = Node(Tag.CON, f, app)
        return Node(Tag.CON, app, k)

    def ok(self, value: Tree) -> Tree:
        return self.ctor(OK, value)

    def error(self, kind: int, value: Tree | None = None) -> Tree:
        inner = self.ctor(kind) if value is None else self.ctor(kind, value)
        return self.ctor(ERR, inner)

    def errno(self, err: OSError) -> Tree:
        return self.error(ERROR_INNER, Num(numbers.new_i24(err.errno or errno.EIO)))

    def list_of(self, values: list[int]) -> Tree:
        t = self.ctor(0)
        for v in reversed(values):
            t = self.ctor(1, Num(numbers.new_u24(v)), t)
        return t


def u24(n: int) -> Num:
    return Num(numbers.new_u24(n))


def perform(host: Host, reader: Reader, func: str, argm: Tree) -> Tree:
    """The answer to one IO call (a Result tree)."""
    primitive = PRIMITIVES.get(func)
    if primitive is None:
        return reader.error(ERROR_NAME)
    try:
        return primitive(host, reader, argm)
    except NotData:
        return reader.error(ERROR_TYPE)
    except io.UnsupportedOperation:  # reading a file open for writing, seeking a pipe, ...
        return reader.errno(OSError(errno.ESPIPE if func == "SEEK" else errno.EBADF, func))
    except OSError as err:
        return reader.errno(err)
    except ValueError:  # a NUL in a path, a seek before the start of a file
        return reader.errno(OSError(errno.EINVAL, func))


def file_of(host: Host, reader: Reader, t: Tree):
    fd = reader.number(t)
    f = host.files.get(fd)
    if f is None:
        raise OSError(errno.EBADF, "bad file descriptor")
    return fd, f


def do_read(host, reader, argm):
    fd_t, n_t = reader.pair(argm)
    _, f = file_of(host, reader, fd_t)
    n = reader.number(n_t) & 0xFFFFFF  # a u24 (HVM reads an i24 -1 as 0xFFFFFF too)
    data = f.read(n)
    return reader.ok(reader.list_of(list(data or b"")))


def do_write(host, reader, argm):
    fd_t, bytes_t = reader.pair(argm)
    fd, f = file_of(host, reader, fd_t)
    f.write(reader.data(bytes_t))
    if fd in (1, 2):
        f.flush()
    return reader.ok(Era())


def do_open(host, reader, argm):
    path_t, mode_t = reader.pair(argm)
    path, mode = reader.text(path_t), reader.text(mode_t)
    mode = mode.replace("b", "")  # fopen's "rb", "r+b", ...: files are always binary here
    if mode not in ("r", "w", "a", "r+", "w+", "a+"):
        raise OSError(errno.EINVAL, "invalid mode")  # as fopen
    fd = next((i for i in range(3, MAX_FILES) if i not in host.files), None)
    if fd is None:
        raise OSError(errno.EMFILE, "too many open files")
    host.files[fd] = open(path, mode + "b")  # noqa: SIM115 (closed by CLOSE or at the end)
    return reader.ok(u24(fd))


def do_close(host, reader, argm):
    fd, f = file_of(host, reader, argm)
    if fd > 2:
        f.close()
        del host.files[fd]
    return reader.ok(Era())


def do_flush(host, reader, argm):
    _, f = file_of(host, reader, argm)
    f.flush()
    return reader.ok(Era())


def do_seek(host, reader, argm):
    fd_t, rest = reader.pair(argm)
    offset_t, whence_t = reader.pair(rest)
    _, f = file_of(host, reader, fd_t)
    whence = reader.number(whence_t, signed=True)
    if whence not in (0, 1, 2):
        raise NotData
    f.seek(reader.number(offset_t, signed=True), whence)
    return reader.ok(Era())


def do_get_time(host, reader, argm):
    ns = time.monotonic_ns() & ((1 << 48) - 1)
    return reader.ok(Node(Tag.CON, u24(ns >> 24), u24(ns & 0xFFFFFF)))


def do_sleep(host, reader, argm):
    hi_t, lo_t = reader.pair(argm)
    time.sleep(((reader.number(hi_t) << 24) | reader.number(lo_t)) / 1e9)
    return reader.ok(Era())


def do_dl_open(host, reader, argm):
    from hvm import ffi

    return ffi.dl_open(host, reader, argm)


def do_dl_call(host, reader, argm):
    from hvm import ffi

    return ffi.dl_call(host, reader, argm)


def do_dl_close(host, reader, argm):
    from hvm import ffi

    return ffi.dl_close(host, reader, argm)


PRIMITIVES = {
    "READ": do_read, "WRITE": do_write, "OPEN": do_open, "CLOSE": do_close, "FLUSH": do_flush,
    "SEEK": do_seek, "GET_TIME": do_get_time, "SLEEP": do_sleep,
    "DL_OPEN": do_dl_open, "DL_CALL": do_dl_call, "DL_CLOSE": do_dl_close,  # hvm/ffi.py
}
