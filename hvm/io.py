"""The host side of IO: run a program whose result is an IO action, performing its effects.

In:  a backend, a book and its entry; the streams the program's stdin, stdout and stderr are.
Out: RunResult: the final normal form (the finished action, `IO/Done`) with the statistics of
     every run added up. Raises HvmError when a run reaches a limit, or a foreign function misbehaves.

An IO value is a constructor in Bend's num-scott encoding, `λk (k tag field...)`, read from the
result tree: tag 0 is `IO/Done { magic, expr }` (finished), tag 1 is
`IO/Call { magic, func, argm, cont }`: perform the primitive named by the string `func` with
`argm`, then continue with `(cont answer)`, where the answer is `Result/Ok value` or
`Result/Err (IOError ...)`. `magic` is the pair (0xD0CA11, 0xFF1FF1): anything else is not an IO
value and is returned as it is. To continue, the backend reduces, in the same net, as HVM2
does (and so with as many interactions),

    <cont> ~ (answer ROOT)

the rest of the call is dropped (its nodes and vars freed). Only when `cont` shares a wire with
the rest (a scopeless variable can do that) does the whole result take part:

    <the result tree> ~ (λ* λ* λ* λ* λcont (cont answer)  ROOT)

References met while reading the call are expanded, and counted, as HVM2 does (see Reader).

The net stays in the backend's memory from one call to the next (a session: the backend's
`session(book, entry, ...)`, see ReferenceSession and NativeSession), as in HVM2: the host reads
the call where it lies (PortReader), writes the answer into fresh or freed slots (`layout`; a
list of bytes at once, ByteList) and resumes. So a step costs what it reads and writes, never
the size of the continuation, which holds all that the program has read so far: reading n
bytes takes time linear in n. A backend with no sessions (the GPU's) is driven by
RebootSession, which reads the continuation back and runs a new net each time.

`timeout` bounds the whole program: every run, every expansion, every effect (SLEEP, and a
READ of stdin waiting for input, stop at the deadline). The standard streams: a closed stdin reads as EBADF (an `Err` for the program);
a failure to write stdout or stderr stops the run with OutputError.

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
import select
import sys
import time
from dataclasses import dataclass, field

from array import array

from hvm import numbers, progress
from hvm.book import Book, Era, Net, Node, Num, Redex, Ref, Tag, Tree, Var
from hvm.errors import HvmError, LimitError
from hvm.ports import CON, FID_MASK, NONE, NUM, REF, VAR
from hvm.runtime import RunResult, Stats

MAGIC = (0xD0CA11, 0xFF1FF1)
MAGIC_NUMS = (Num(numbers.new_u24(MAGIC[0])), Num(numbers.new_u24(MAGIC[1])))
DONE, CALL = 0, 1
OK, ERR = 0, 1
ERROR_TYPE, ERROR_NAME, ERROR_INNER = 0, 1, 2
MAX_FILES = 256


class NotData(Exception):
    """A tree is not the data a primitive expects (the program gets `IOError/Type`)."""


class OutputError(HvmError):
    """The program's standard output or error cannot be written (a full disk, a closed stream,
    a pipe whose reader has gone: `broken_pipe`). The run stops; the CLI says so, or, for a
    closed pipe, ends quietly (as `head` expects of the programs it reads)."""

    def __init__(self, err: OSError):
        super().__init__(f"cannot write output: {err.strerror or err}")
        self.broken_pipe = isinstance(err, BrokenPipeError) or err.errno == errno.EPIPE


class ClosedStream:
    """A standard stream that was closed before the program started (`<&-`, `>&-`)."""

    def __init__(self, name: str):
        self.name = name

    def _fail(self, *args):
        raise OSError(errno.EBADF, f"{self.name} is closed")

    read = write = seek = _fail

    def flush(self) -> None:
        pass


class TextStream:
    """A standard stream that Python code replaced by one of text (an io.StringIO): bytes are
    written as UTF-8 text (an invalid sequence as U+FFFD), and read as UTF-8."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data: bytes) -> int:
        return self.stream.write(data.decode("utf-8", "replace"))

    def read(self, n: int = -1) -> bytes:
        return self.stream.read(n).encode()

    def seek(self, *args):
        raise OSError(errno.ESPIPE, "Illegal seek")

    def flush(self) -> None:
        self.stream.flush()


def std_stream(name: str):
    stream = getattr(sys, name)
    if stream is None:
        return ClosedStream(name)
    buffer = getattr(stream, "buffer", None)
    return buffer if buffer is not None else TextStream(stream)


@dataclass
class Host:
    """The program's view of the world: open files by descriptor (0, 1, 2 are the streams)."""

    stdin: object = None
    stdout: object = None
    stderr: object = None
    files: dict = field(default_factory=dict)
    dylibs: dict = field(default_factory=dict)  # open dynamic libraries: handle (0..255) -> dlopen's handle
    deadline: float | None = None  # time.monotonic() by which the whole run must end (--timeout)
    timeout: float | None = None

    def __post_init__(self):
        self.files = {0: self.stdin or std_stream("stdin"), 1: self.stdout or std_stream("stdout"),
                      2: self.stderr or std_stream("stderr"), **self.files}

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise out_of_time(self.timeout)

    def close_all(self) -> None:
        for fd, f in list(self.files.items()):
            if fd > 2:
                f.close()
                del self.files[fd]
        if self.dylibs:
            from hvm import ffi

            ffi.close_all(self)


def run_io(backend, book: Book, entry: str = "main", host: Host | None = None, **options) -> RunResult:
    """Run `@entry`, performing its IO calls, to its final normal form (see the module's docstring)."""
    host = host or Host()
    timeout = options.pop("timeout", None)  # for the whole program: its effects, every run and expansion
    deadline = None if timeout is None else time.monotonic() + timeout
    host.deadline, host.timeout = deadline, timeout
    opener = getattr(backend, "session", None)
    session = opener(book, entry, **options) if opener is not None else RebootSession(backend, book, entry, options)
    session.deadline, session.timeout = deadline, timeout
    try:
        session.start()
        while True:
            host.check_time()
            root = session.root()
            reader = PortReader(session)
            call = reader.io_call(root)
            if call is None:
                return RunResult(session.read_tree(root), session.stats())
            func, argm, cont = call
            answer = perform(host, reader, func, argm)
            garbage = rest_of_call(session, root, cont, reader.expanded)
            if garbage is not None:  # `cont ~ (answer ROOT)`; the rest of the call is dropped
                session.free(*garbage)
                session.resume(cont, session.build(answer))
            else:  # cont shares wires with the rest: `result ~ (λ* λ* λ* λ* λcont (cont answer)  ROOT)`
                session.free(*collect(session, reader.expanded, None)[:2])  # (the runtime expands again what it meets)
                k = reader.fresh()
                handler = Node(Tag.CON, Era(), Node(Tag.CON, Era(), Node(Tag.CON, Era(), Node(
                    Tag.CON, Era(), Node(Tag.CON, Node(Tag.CON, answer, k), k)))))
                session.resume(root, session.build(handler))
    finally:
        session.close()
        host.close_all()
        for fd in (1, 2):
            try:
                host.files[fd].flush()
            except (OSError, ValueError, AttributeError):  # (a failure was reported where it happened)
                pass


def rest_of_call(session, root: int, cont: int, expanded: list[int]) -> tuple[list[int], list[int]] | None:
    """The nodes and vars of the IO call at `root` other than its continuation `cont` (and of
    the trees the reader expanded for it), to be freed once it is answered; None if `cont`
    shares a wire with them. This walks the call's spine, name and argument, never `cont`:
    linear in what the program handed over, whatever the continuation holds."""
    if cont & 7 == VAR:  # one end of a wire whose other end is in the rest
        return None
    nodes, variables, open_wires = collect(session, [root, *expanded], cont)
    return None if open_wires else (nodes, variables)


def collect(session, roots: list[int], keep: int | None) -> tuple[list[int], list[int], set[int]]:
    """(nodes, vars, open wires) of the trees at `roots` in a session's memory, leaving out the
    tree at the port `keep`. A wire whose two ends are both in these trees ends at a var that
    no end has reached (NONE) and is met twice; one met once leads out of them (to `keep`).
    A var that one end has already reached is met once, on the way from the other."""
    nodes: list[int] = []
    variables: list[int] = []
    once: set[int] = set()
    stack = list(roots)
    node_of, var_of = session.node, session.var
    none = getattr(session, "none", NONE)  # (a native session's 64-bit mode has its own)
    while stack:
        p = stack.pop()
        while p & 7 == VAR:
            v = p >> 3
            q = var_of(v)
            if q == none:
                if v in once:
                    once.discard(v)
                    variables.append(v)
                else:
                    once.add(v)
                break
            if v == 0:  # ROOT is never freed
                p = q
                continue
            variables.append(v)
            p = q
        if p == keep or p & 7 < CON:
            continue
        nodes.append(p >> 3)
        stack += node_of(p >> 3)
    return nodes, variables, once


def out_of_time(timeout: float) -> LimitError:
    return LimitError(f"time limit reached: the run took more than {timeout:g}s; raise --timeout")


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
        return integer(t.numb, signed)

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
            if not fields or not self.is_magic(fields[0]):
                return None
            if tag == CALL and len(fields) == 4:
                return self.text(fields[1]), fields[2], fields[3]
        except NotData:
            return None
        return None

    def is_magic(self, t: Tree) -> bool:
        return type(t) is Node and t.tag == Tag.CON and (t.fst, t.snd) == MAGIC_NUMS

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


class ByteList:
    """An answer's list of bytes, `[b0, b1, ...]` in the num-scott encoding, not yet written out:
    a session lays it out in memory at once (layout), four nodes and one var a byte. In a
    tree it stands where the list's tree would."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


class PortReader(Reader):
    """The Reader over a session's memory (see run_io): the trees it reads are ports, their
    references are expanded in place (`session.expand`, counted as HVM2 counts them), and the
    trees it expanded are listed in `expanded` (to be freed with the call). Answers are trees,
    byte lists ByteLists; `session.build` writes them."""

    def __init__(self, session):
        super().__init__(session.book)
        self.session = session
        self.expanded: list[int] = []

    def expand(self, p: int) -> int:
        s = self.session
        p = s.resolve(p)
        for _ in range(1 << 20):
            if p & 7 != REF:
                return p
            if s.deadline is not None and time.monotonic() > s.deadline:  # (a reference that expands forever)
                raise out_of_time(s.timeout)
            p = s.expand(p)
            self.expanded.append(p)
        return p

    def constructor(self, p: int) -> tuple[int, list[int]]:
        node = self.session.node
        t = self.expand(p)
        if t & 7 != CON:
            raise NotData
        _, k = node(t >> 3)
        app = self.expand(node(t >> 3)[0])
        if app & 7 != CON:
            raise NotData
        head, rest = node(app >> 3)
        tag = self.number(head)
        fields = []
        while True:
            nxt = self.expand(rest)
            if nxt & 7 != CON:
                break
            head, rest = node(nxt >> 3)
            fields.append(self.expand(head))
        if nxt != self.session.resolve(k):
            raise NotData
        return tag, fields

    def number(self, p: int, signed: bool = False) -> int:
        t = self.expand(p)
        if t & 7 != NUM:
            raise NotData
        return integer(t >> 3, signed)

    def pair(self, p: int) -> tuple[int, int]:
        t = self.expand(p)
        if t & 7 != CON:
            raise NotData
        fst, snd = self.session.node(t >> 3)
        return self.expand(fst), self.expand(snd)

    def is_magic(self, p: int) -> bool:
        if p & 7 != CON:
            return False
        s = self.session
        fst, snd = s.node(p >> 3)
        return (s.resolve(fst), s.resolve(snd)) == MAGIC_PORTS

    def list_of(self, values) -> ByteList:
        return ByteList(bytes(values))

    def tree_reader(self) -> Reader:
        """A Reader of trees whose references are expanded in this session (for hvm/ffi.py)."""
        s = self.session

        def run_ref(name: str) -> Tree | None:
            fid = s.flat.fids.get(name)
            if fid is None:
                return None
            p = s.expand((fid << 3) | REF)
            self.expanded.append(p)
            return s.read_tree(p)

        return Reader(self.book, run_ref)


def integer(numb: int, signed: bool) -> int:
    """The integer a u24 or i24 number word holds (a u24 read as signed when asked). Raises NotData."""
    tag = numbers.tag_of(numb)
    if tag == numbers.I24:
        return numbers.get_i24(numb)
    if tag == numbers.U24:
        value = numbers.payload_of(numb)
        return value - (1 << 24) if signed and value & 0x800000 else value
    raise NotData


MAGIC_PORTS = tuple((m.numb << 3) | NUM for m in MAGIC_NUMS)
BYTE_PORTS = [(numbers.new_u24(b) << 3) | NUM for b in range(256)]


def layout_size(tree) -> tuple[int, int]:
    """(nodes, vars) that `layout` writes for an answer."""
    nodes, names, stack = 0, set(), [tree]
    extra_vars = 0
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls is Node:
            nodes += 1
            stack += (t.fst, t.snd)
        elif cls is Var:
            names.add(t.name)
        elif cls is ByteList:
            nodes += 4 * len(t.data) + 2
            extra_vars += len(t.data) + 1
    return nodes, len(names) + extra_vars


def layout(tree, node_base: int, var_base: int, fids: dict[str, int], lists: list | None = None,
           code: str = "I") -> tuple[array, int]:
    """(ports, root): an answer's nodes as (fst, snd) pairs of ports, numbered from `node_base`
    in pre-order, its wires as vars from `var_base` (each Var name one var: both ends hold its
    port); and the port of its root. Nothing in it reduces: it is data. Given `lists`, the
    bytes of each ByteList are left for the caller to write (natively): their nodes stay zero
    here, and (data, first node, first var) goes on `lists`; its Nil is written here. `code`:
    the ports' array type ("Q" for a runtime's 64-bit ports)."""
    size, _ = layout_size(tree)
    ports = array(code, bytes(2 * array(code).itemsize * size))
    var_ids: dict[str, int] = {}
    next_node, next_var = node_base, var_base
    root = [0]
    stack = [(tree, root, 0)]  # (tree, where its port goes, at which index)
    while stack:
        t, dest, at = stack.pop()
        cls = type(t)
        if cls is Node:
            i = next_node
            next_node += 1
            dest[at] = (i << 3) | int(t.tag)
            k = 2 * (i - node_base)
            stack.append((t.snd, ports, k + 1))
            stack.append((t.fst, ports, k))
        elif cls is ByteList:
            n = len(t.data)
            k = 2 * (next_node - node_base)
            if lists is None:
                ports[k:k + 8 * n + 4] = byte_list_ports(t.data, next_node, next_var, code)
            else:
                ports[k + 8 * n:k + 8 * n + 4] = byte_list_ports(b"", next_node + 4 * n, next_var + n, code)
                lists.append((t.data, next_node, next_var))
            dest[at] = (next_node << 3) | CON
            next_node += 4 * n + 2
            next_var += n + 1
        elif cls is Var:
            v = var_ids.get(t.name)
            if v is None:
                v = var_ids[t.name] = next_var
                next_var += 1
            dest[at] = v << 3
        elif cls is Num:
            dest[at] = (t.numb << 3) | NUM
        elif cls is Ref:
            dest[at] = (fids[t.name] << 3) | REF
        else:  # Era
            dest[at] = int(Tag.ERA)
    return ports, root[0]


SMALL_ANSWER = 64  # nodes: an answer this small goes into freed slots, a larger one into fresh ones


def relocate(ports, root: int, node_slots: list[int], var_slots: list[int]) -> tuple[list[int], int]:
    """`layout`'s ports (numbered from 0) moved to the given slots."""
    def move(p: int) -> int:
        tag = p & 7
        if tag == VAR:
            return var_slots[p >> 3] << 3
        if tag >= CON:
            return (node_slots[p >> 3] << 3) | tag
        return p

    return [move(p) for p in ports], move(root)


def byte_list_ports(data: bytes, base: int, vbase: int, code: str = "I") -> array:
    """The nodes of `[b0, b1, ...]` at node `base`, its vars from `vbase`: for byte j, at node
    e = base + 4j, `((1 (b_j (tail k))) k)` as the four nodes e: (e+1, k), e+1: (1, e+2),
    e+2: (b_j, e+3), e+3: (e+4, k); then Nil, `((0 k) k)`. Built a column at a time (`code`:
    as layout's)."""
    n = len(data)
    out = array(code, bytes(2 * array(code).itemsize * (4 * n + 2)))
    if n:
        end = 8 * n

        def column(first_node: int) -> array:  # CON ports of nodes first_node, first_node + 4, ...
            start = (first_node << 3) | CON
            return array(code, range(start, start + 32 * n, 32))

        ks = array(code, range(vbase << 3, (vbase + n) << 3, 8))
        out[0:end:8] = column(base + 1)
        out[1:end:8] = ks
        out[2:end:8] = array(code, [BYTE_PORTS[1]]) * n
        out[3:end:8] = column(base + 2)
        out[4:end:8] = array(code, map(BYTE_PORTS.__getitem__, data))
        out[5:end:8] = column(base + 3)
        out[6:end:8] = column(base + 4)
        out[7:end:8] = ks
    nil, k = base + 4 * n, (vbase + n) << 3
    out[8 * n:8 * n + 4] = array(code, [((nil + 1) << 3) | CON, k, BYTE_PORTS[0], k])
    return out


class RebootSession:
    """A session for a backend that can only run a net from its start to its normal form (the
    GPU's): each resume reads the continuation back and runs `cont ~ (answer ROOT)` as a new
    net, as this runtime first did. The result between runs lives in a reference Machine,
    never reduced, which reads and builds as the in-place sessions do. Resuming costs time in
    the size of the continuation, so a long input is slow here."""

    def __init__(self, backend, book: Book, entry: str, options: dict):
        from hvm.flatbook import flatten

        self.backend, self.book, self.entry, self.options = backend, book, entry, options
        self.flat = flatten(book, entry)
        self.total = Stats(threads=options.get("threads") or 1)
        self.deadline = self.timeout = None
        self.store = self.new_store()

    def new_store(self):
        from hvm.reference import Machine

        return Machine(self.flat, max_nodes=1 << 40)

    def run(self, boot: Net | None) -> Tree:
        options = dict(self.options)
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise out_of_time(self.timeout)
            options["timeout"] = left
        try:
            result = self.backend.run(self.book, self.entry, boot=boot, **options)
        except LimitError as err:
            if self.timeout is not None and err.message.startswith("time limit reached"):
                raise out_of_time(self.timeout) from None
            raise
        add_stats(self.total, result.stats)
        return result.tree

    def start(self) -> None:
        self.root_port = self.store.build(self.run(None), self.flat.fids)

    def root(self) -> int:
        return self.root_port

    def node(self, i: int) -> tuple[int, int]:
        return self.store.node(i)

    def var(self, v: int) -> int:
        return self.store.var(v)

    def resolve(self, p: int) -> int:
        return self.store.resolve(p)

    def expand(self, p: int) -> int:
        d = self.book.defs[self.flat.name_of((p >> 3) & FID_MASK)]
        self.total.rules["CALL"] = self.total.rules.get("CALL", 0) + 1  # `@name ~ ROOT`
        reducible = d.net.redexes or getattr(d.net, "chains", None)
        tree = self.run(d.net) if reducible else d.net.root
        return self.store.build(tree, self.flat.fids)

    def build(self, tree) -> int:
        return self.store.build(tree, self.flat.fids)

    def free(self, nodes: list[int], variables: list[int]) -> None:
        self.store.free(nodes, variables)

    def resume(self, a: int, b: int) -> None:
        store = self.store
        (r,) = store.alloc_vars(1)
        pair = store.new_node(a, (store.new_node(b, r << 3) << 3) | CON)
        both = store.read_back((pair << 3) | CON)
        redex, root = both.fst, both.snd.snd
        boot = Net(root, [Redex(redex, Node(Tag.CON, both.snd.fst, root))])
        self.store = self.new_store()
        self.root_port = self.store.build(self.run(boot), self.flat.fids)

    def read_tree(self, p: int) -> Tree:
        return self.store.read_back(p)

    def stats(self) -> Stats:
        return self.total

    def close(self) -> None:
        pass


def u24(n: int) -> Num:
    return Num(numbers.new_u24(n))


def perform(host: Host, reader: Reader, func: str, argm: Tree) -> Tree:
    """The answer to one IO call (a Result tree)."""
    progress.erase()  # (the program's output goes where the status line was)
    primitive = PRIMITIVES.get(func)
    if primitive is None:
        return reader.error(ERROR_NAME)
    if func.startswith("DL_") and isinstance(reader, PortReader):  # hvm/ffi.py reads and builds trees
        argm = reader.session.read_tree(argm)
        reader = reader.tree_reader()
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
    fd, f = file_of(host, reader, fd_t)
    n = reader.number(n_t) & 0xFFFFFF  # a u24 (HVM reads an i24 -1 as 0xFFFFFF too)
    data = read_in_time(host, f, n) if fd == 0 and host.deadline is not None else f.read(n)
    return reader.ok(reader.list_of(data or b""))


def read_in_time(host: Host, f, n: int) -> bytes:
    """`f.read(n)` (n bytes, fewer only at the end), waiting for them no later than the run's
    deadline: stdin may be a terminal or a pipe that never delivers. Reads go to the stream
    under the buffer, which then stays empty all the run (this is the only reader of stdin)."""
    raw = getattr(f, "raw", None)
    try:
        fd = raw.fileno()
    except (AttributeError, OSError, ValueError):
        return f.read(n)
    out = bytearray()
    while len(out) < n:
        left = host.deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise out_of_time(host.timeout)
        chunk = raw.read(n - len(out))
        if chunk == b"":
            break
        out += chunk or b""
    return bytes(out)


def do_write(host, reader, argm):
    fd_t, bytes_t = reader.pair(argm)
    fd, f = file_of(host, reader, fd_t)
    data = reader.data(bytes_t)
    if fd not in (1, 2):
        f.write(data)
        return reader.ok(Era())
    try:  # the standard streams: a failure stops the run (OutputError), it is no answer
        f.write(data)
        f.flush()
    except OSError as err:
        raise OutputError(err) from None
    except ValueError:  # (a stream closed under us)
        raise OutputError(OSError(errno.EBADF, "Bad file descriptor")) from None
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
    seconds = ((reader.number(hi_t) << 24) | reader.number(lo_t)) / 1e9
    if host.deadline is not None and time.monotonic() + seconds > host.deadline:
        time.sleep(max(0.0, host.deadline - time.monotonic()))
        raise out_of_time(host.timeout)
    time.sleep(seconds)
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
