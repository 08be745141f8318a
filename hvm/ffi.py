"""Dynamic libraries: the IO primitives DL_OPEN, DL_CALL and DL_CLOSE, with HVM2's C calling convention.

In:  the argument tree of an IO call (hvm.io calls `dl_open`, `dl_call`, `dl_close`), the Host
     whose table of open libraries it uses, and the Reader that reads and builds trees.
Out: the answer, a Result tree, as HVM2's run.c builds it:

    DL_OPEN  (path, lazy)           Ok handle (0..255)    Err (IOError/Inner "dlerror text")
    DL_CALL  (handle, (name, arg))  Ok (name net book arg)  Err (IOError/Inner "dlerror text")
    DL_CLOSE handle                 Ok *                  Err IOError/Type (not an open handle)

A foreign function has HVM2's C signature, `Port name(Net* net, Book* book, Port arg)`. Here
`Net*` and `Book*` are opaque to the library, and the Ports it sees are HVM2's 32-bit words:
`(value << 3) | tag`. Numbers, erasers and references carry their value (a NUM port is
`new_port(NUM, new_u24(n))`, as in HVM2); the port of a node is an index into the table of
trees this call has handed out (a PortTable), which only this runtime reads. A library reads
and builds data with HVM2's API (hvm.h): `readback_tup`, `readback_bytes`, `readback_str`,
`inject_bytes`. Those four symbols come from a small shim library (SHIM_SOURCE), compiled
once with the C compiler ($CC, else `cc`) into the code cache and loaded with RTLD_GLOBAL
before the program's first library, so that a library built as HVM2 asks (with its HVM
symbols left unresolved) finds them. Without a C compiler, libraries that use only the
inline helpers of hvm.h (new_port, get_u24, ...) still work.

Differences from HVM2 2.0.22, where it misbehaves: DL_CLOSE closes the library (HVM2
registers DL_CLOSE as DL_OPEN); DL_CALL with a handle that is not open answers IOError/Type
(HVM2 then looks the name up in every loaded object); inject_bytes makes each byte a u24 in
0..255 (HVM2 sign-extends bytes >= 0x80 where `char` is signed); a path is encoded as UTF-8
(HVM2 keeps the low byte of each character). As in HVM2, readback_str and readback_bytes keep
the low byte of each element.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hvm import numbers
from hvm.book import Era, Node, Num, Ref, Tag, Tree, Var
from hvm.errors import HvmError

MAX_DYLIBS = 256

HEADER = r"""/* hvm.h: the C API a dynamic library for HVM2 programs is written against, as in HVM2 2.0.22
   (the same types, layouts and names; bend-hvm's `hvm ffi-header` prints this file).

   A foreign function:  Port name(Net* net, Book* book, Port arg);
   Build it with:       cc -shared -fPIC -o libname.so name.c -Wl,--unresolved-symbols=ignore-all
   (on macOS: -undefined dynamic_lookup instead of the -Wl option). */
#ifndef hvm_h_INCLUDED
#define hvm_h_INCLUDED

#include <stdint.h>
#include <stdbool.h>
#include <string.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t  i32;
typedef uint64_t u64;
typedef float    f32;
typedef double   f64;

typedef u8  Tag;   /* 3 bits */
typedef u32 Val;   /* 29 bits */
typedef u32 Port;  /* Val << 3 | Tag */
typedef u64 Pair;  /* two Ports */
typedef u32 Numb;  /* a number: payload << 5 | type */

#define VAR 0x0
#define REF 0x1
#define ERA 0x2
#define NUM 0x3
#define CON 0x4
#define DUP 0x5
#define OPR 0x6
#define SWI 0x7

#define TY_SYM 0x00
#define TY_U24 0x01
#define TY_I24 0x02
#define TY_F24 0x03

typedef struct Net Net;    /* opaque */
typedef struct Book Book;  /* opaque */

static inline Port new_port(Tag tag, Val val) { return (val << 3) | tag; }
static inline Tag  get_tag(Port port) { return port & 7; }
static inline Val  get_val(Port port) { return port >> 3; }

static inline Pair new_pair(Port fst, Port snd) { return ((u64)snd << 32) | fst; }
static inline Port get_fst(Pair pair) { return pair & 0xFFFFFFFF; }
static inline Port get_snd(Pair pair) { return pair >> 32; }

static inline Numb new_sym(u32 val) { return (val << 5) | TY_SYM; }
static inline u32  get_sym(Numb word) { return word >> 5; }
static inline Numb new_u24(u32 val) { return (val << 5) | TY_U24; }
static inline u32  get_u24(Numb word) { return word >> 5; }
static inline Numb new_i24(i32 val) { return ((u32)val << 5) | TY_I24; }
static inline i32  get_i24(Numb word) { return ((i32)word) << 3 >> 8; }
static inline Tag  get_typ(Numb word) { return word & 0x1F; }
static inline f32  get_f24(Numb word) {
  u32 bits = (word << 3) & 0xFFFFFF00;
  f32 f; memcpy(&f, &bits, sizeof f); return f;
}
static inline Numb new_f24(f32 val) {
  u32 bits; memcpy(&bits, &val, sizeof bits);
  u32 shifted = bits >> 8, lost = bits & 0xFF;
  bool nan = val != val;
  shifted += (!nan) & ((lost - ((lost >> 7) & !shifted)) >> 7);  /* round half to even */
  shifted |= nan;  /* a NaN stays a NaN */
  return (shifted << 5) | TY_F24;
}

/* A tuple: right-nested CON nodes, (a (b (c ...))). */
typedef struct Tup { u32 elem_len; Port elem_buf[8]; } Tup;
/* A string: the low byte of each character, NUL-terminated; free `buf` with free(). */
typedef struct Str { u32 len; char *buf; } Str;
/* A list of bytes; free `buf` with free(). */
typedef struct Bytes { u32 len; char *buf; } Bytes;

/* The first `size - 1` elements of a tuple, and the rest as the last element (at most 8). */
extern Tup readback_tup(Net* net, Book* book, Port port, u32 size);
/* A λ-encoded String (List of characters). */
extern Str readback_str(Net* net, Book* book, Port port);
/* A λ-encoded List of bytes. */
extern Bytes readback_bytes(Net* net, Book* book, Port port);
/* A new λ-encoded List of bytes, for the program. */
extern Port inject_bytes(Net* net, Bytes *bytes);

#endif
"""

SHIM_SOURCE = r"""#include <stdlib.h>
#include <string.h>
#include "hvm.h"

/* HVM2's API for dynamic libraries, answered by the Python host (hvm/ffi.py) through callbacks. */
typedef void (*TupFn)(Net*, Book*, Port, u32, Tup*);
typedef const char* (*BytesFn)(Net*, Book*, Port, u32*);
typedef Port (*InjectFn)(Net*, const char*, u32);

static TupFn tup_fn;
static BytesFn bytes_fn;
static InjectFn inject_fn;

void hvm_ffi_install(TupFn tup, BytesFn bytes, InjectFn inject) {
  tup_fn = tup; bytes_fn = bytes; inject_fn = inject;
}

Tup readback_tup(Net* net, Book* book, Port port, u32 size) {
  Tup tup;
  memset(&tup, 0, sizeof tup);
  tup_fn(net, book, port, size, &tup);
  return tup;
}

/* As HVM2: the buffer holds at least one byte more than the data, and at least 256. */
Bytes readback_bytes(Net* net, Book* book, Port port) {
  u32 len = 0;
  const char* data = bytes_fn(net, book, port, &len);
  Bytes bytes;
  bytes.len = len;
  bytes.buf = malloc(len + 1 > 256 ? len + 1 : 256);
  if (len) memcpy(bytes.buf, data, len);
  bytes.buf[len] = 0;
  return bytes;
}

Str readback_str(Net* net, Book* book, Port port) {
  Bytes bytes = readback_bytes(net, book, port);
  Str str = { bytes.len, bytes.buf };
  return str;
}

Port inject_bytes(Net* net, Bytes* bytes) {
  return inject_fn(net, bytes->buf, bytes->len);
}
"""


class Tup(ctypes.Structure):
    _fields_ = [("elem_len", ctypes.c_uint32), ("elem_buf", ctypes.c_uint32 * 8)]


FOREIGN = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32)
TUP_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32,
                          ctypes.POINTER(Tup))
BYTES_FN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32,
                            ctypes.POINTER(ctypes.c_uint32))
INJECT_FN = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32)


def port(tag: int, val: int) -> int:
    return ((val << 3) | tag) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# The net a foreign function sees


class PortTable:
    """The Ports of one foreign call: trees handed to the library, and trees it built.

    A NUM, ERA or REF port carries its value (a reference by HVM2's function id: @main is 0,
    the others 1.. in byte-wise name order); a VAR port numbers a wire; a node's port is
    `new_port(tag, i)` for the i-th tree in `nodes` (from 1: HVM2 never hands out index 0)."""

    def __init__(self, book, reader):
        self.book = book
        self.reader = reader
        self.nodes: list[Tree | None] = [None]
        self.var_ids: dict[str, int] = {}
        self.var_names: list[str] = []
        self.buffers: list = []  # bytes handed to the library: alive until the call returns
        self.error: BaseException | None = None  # raised by a callback, re-raised after the call
        self._fids: dict[str, int] | None = None
        self._names: list[str] | None = None

    def fids(self) -> dict[str, int]:
        if self._fids is None:
            names = sorted((n for n in self.book.defs if n != "main"), key=lambda n: n.encode())
            self._names = ["main", *names]
            self._fids = {n: i for i, n in enumerate(self._names)}
        return self._fids

    def to_port(self, t: Tree) -> int:
        kind = type(t)
        if kind is Num:
            return port(Tag.NUM, t.numb)
        if kind is Era:
            return port(Tag.ERA, 0)
        if kind is Ref:
            return port(Tag.REF, self.fids().get(t.name, 0))
        if kind is Var:
            if t.name not in self.var_ids:
                self.var_ids[t.name] = len(self.var_names) + 1
                self.var_names.append(t.name)
            return port(Tag.VAR, self.var_ids[t.name])
        self.nodes.append(t)
        return port(t.tag, len(self.nodes) - 1)

    def to_tree(self, p: int, who: str) -> Tree:
        tag, val = p & 7, p >> 3
        if tag == Tag.NUM:
            return Num(val)
        if tag == Tag.ERA:
            return Era()
        if tag == Tag.REF:
            self.fids()
            if val < len(self._names):
                return Ref(self._names[val])
        elif tag == Tag.VAR:
            if 1 <= val <= len(self.var_names):
                return Var(self.var_names[val - 1])
        elif 1 <= val < len(self.nodes) and self.nodes[val].tag == tag:
            return self.nodes[val]
        raise HvmError(f"{who} returned the port 0x{p:08x}, which is not a port this runtime gave it",
                       hint="build values with the API of hvm.h (inject_bytes, new_port) or return a port it received")

    # -- HVM2's API, as the shim calls it

    def readback_tup(self, p: int, size: int, out: Tup) -> None:
        reader = self.reader
        t = reader.expand(self.to_tree(p, "readback_tup's caller"))
        size = min(size, 8)
        n = 0
        while type(t) is Node and t.tag == Tag.CON and n + 1 < size:
            out.elem_buf[n] = self.to_port(reader.expand(t.fst))
            n += 1
            t = reader.expand(t.snd)
        out.elem_buf[n] = self.to_port(t)
        out.elem_len = n + 1

    def readback_bytes(self, p: int) -> bytes:
        """The low byte of each element of a λ-encoded list, up to its end or to the first
        element that is not one (as HVM2)."""
        from hvm.io import NotData

        reader = self.reader
        t = self.to_tree(p, "readback_bytes's caller")
        out = bytearray()
        while True:
            try:
                tag, fields = reader.constructor(t)
            except NotData:
                break
            if tag != 1 or len(fields) != 2 or type(fields[0]) is not Num:
                break
            out.append((fields[0].numb >> 5) & 0xFF)
            t = fields[1]
        return bytes(out)

    def inject_bytes(self, data: bytes) -> int:
        return self.to_port(self.reader.list_of(list(data)))


_calls: dict[int, PortTable] = {}  # the address of a call's Net -> its table


def _callback(default):
    """Runs a callback for the call whose Net is `net`; an exception is kept for after the call
    (ctypes would print it and go on) and the library gets `default`."""
    def wrap(fn):
        def run(net, *args):
            table = _calls.get(net)
            if table is None or table.error is not None:
                return default
            try:
                return fn(table, *args)
            except BaseException as err:  # noqa: BLE001 (re-raised by `call`)
                table.error = err
                return default
        return run
    return wrap


@_callback(None)
def _tup(table, book, p, size, out):
    table.readback_tup(p, size, out.contents)


@_callback(None)
def _bytes(table, book, p, length):
    data = table.readback_bytes(p)
    length[0] = len(data)
    if not data:
        return None
    buf = ctypes.create_string_buffer(data, len(data))
    table.buffers.append(buf)
    return ctypes.addressof(buf)


@_callback(port(Tag.ERA, 0))
def _inject(table, buf, length):
    return table.inject_bytes(ctypes.string_at(buf, length) if length else b"")


_CALLBACKS = (TUP_FN(_tup), BYTES_FN(_bytes), INJECT_FN(_inject))  # alive while the process runs


# ---------------------------------------------------------------------------------------------
# The system's dynamic loader, and the shim


class Loader:
    """dlopen, dlsym, dlerror and dlclose, through ctypes (ctypes.CDLL itself forces RTLD_NOW)."""

    def __init__(self):
        lib = None
        for name in (None, "libdl.so.2", ctypes.util.find_library("dl")):
            try:
                candidate = ctypes.CDLL(name)
                candidate.dlopen  # noqa: B018 (a lookup that raises where it is missing)
                lib = candidate
                break
            except (OSError, AttributeError, TypeError):
                continue
        if lib is None:
            raise HvmError("dynamic libraries are not available here: no dlopen in this process")
        lib.dlopen.argtypes, lib.dlopen.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_void_p
        lib.dlsym.argtypes, lib.dlsym.restype = [ctypes.c_void_p, ctypes.c_char_p], ctypes.c_void_p
        lib.dlerror.argtypes, lib.dlerror.restype = [], ctypes.c_char_p
        lib.dlclose.argtypes, lib.dlclose.restype = [ctypes.c_void_p], ctypes.c_int
        self.lib = lib

    def error(self) -> str:
        message = self.lib.dlerror()
        return message.decode(errors="replace") if message else "unknown error"

    def open(self, path: bytes, lazy: bool) -> int | str:
        """A handle, or the loader's message."""
        handle = self.lib.dlopen(path, os.RTLD_LAZY if lazy else os.RTLD_NOW)
        return handle if handle else self.error()

    def symbol(self, handle: int, name: bytes) -> int | str:
        self.lib.dlerror()
        address = self.lib.dlsym(handle, name)
        message = self.lib.dlerror()
        if message:
            return message.decode(errors="replace")
        if not address:
            return f"{name.decode(errors='replace')}: the symbol's address is null"
        return address

    def close(self, handle: int) -> str | None:
        return self.error() if self.lib.dlclose(handle) != 0 else None


_loader: Loader | None = None
_shim: object = None  # the loaded shim (a CDLL), False where it could not be built


def loader() -> Loader:
    global _loader
    if _loader is None:
        _loader = Loader()
    return _loader


def compiler() -> str | None:
    return shutil.which(os.environ.get("CC") or "cc")


def shim_path() -> Path | None:
    """The shim library in the code cache, compiled on first use; None without a C compiler.

    The library is kept as a checked entry of the cache (hvm.jit.read_cached), and the file
    that is loaded is rewritten from it whenever it differs: a damaged library is never loaded."""
    from hvm import jit

    cc = compiler()
    if cc is None:
        return None
    key = hashlib.sha256(f"{HEADER}\0{SHIM_SOURCE}\0{cc}".encode()).hexdigest()[:16]
    folder = jit.cache_dir() / "ffi"
    entry, target = folder / f"libhvm_ffi-{key}.entry", folder / f"libhvm_ffi-{key}.so"
    library = jit.read_cached(entry)
    if library is None:
        library = build_shim(cc)
        if library is None:
            return None
        jit.store(entry, library)
    try:
        if not target.is_file() or target.read_bytes() != library:
            folder.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(library)
            os.replace(partial, target)  # atomic: another process may be writing it too
    except OSError:
        return None
    return target


def build_shim(cc: str) -> bytes | None:
    """The shim library compiled by `cc` (None when it fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "hvm.h").write_text(HEADER)
        (Path(tmp) / "shim.c").write_text(SHIM_SOURCE)
        built = Path(tmp) / "shim.so"
        done = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(built), str(Path(tmp) / "shim.c")],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return None
        return built.read_bytes()


def load_shim() -> bool:
    """Makes HVM2's API visible to the libraries the program opens (once per process)."""
    global _shim
    if _shim is None:
        path = shim_path()
        if path is None:
            _shim = False
        else:
            _shim = ctypes.CDLL(str(path), mode=os.RTLD_NOW | os.RTLD_GLOBAL)
            _shim.hvm_ffi_install(*_CALLBACKS)
    return _shim is not False


# ---------------------------------------------------------------------------------------------
# The primitives


def string_answer(reader, text: str) -> Tree:
    """Result/Err (IOError/Inner "text"): the text as a list of its UTF-8 bytes, as HVM2."""
    from hvm.io import ERROR_INNER

    return reader.error(ERROR_INNER, reader.list_of(list(text.encode())))


def dl_open(host, reader, argm: Tree) -> Tree:
    path_t, lazy_t = reader.pair(argm)
    path = reader.text(path_t).encode()
    lazy = reader.number(lazy_t) != 0
    slot = next((i for i in range(MAX_DYLIBS) if i not in host.dylibs), None)
    if slot is None:
        return string_answer(reader, "too many open dylibs")
    load_shim()
    handle = loader().open(path, lazy)
    if isinstance(handle, str):
        return string_answer(reader, handle)
    host.dylibs[slot] = handle
    return reader.ok(Num(numbers.new_u24(slot)))


def dylib(host, reader, t: Tree) -> tuple[int, int | None]:
    """The slot `t` names and its library's handle (None if it is not open)."""
    from hvm.io import NotData

    try:
        slot = reader.number(t)
    except NotData:
        return -1, None
    return slot, host.dylibs.get(slot)


def dl_call(host, reader, argm: Tree) -> Tree:
    from hvm.io import ERROR_TYPE

    handle_t, rest = reader.pair(argm)
    name_t, arg = reader.pair(rest)
    _, handle = dylib(host, reader, handle_t)
    if handle is None:
        return reader.error(ERROR_TYPE)
    name = reader.text(name_t)
    address = loader().symbol(handle, name.encode())
    if isinstance(address, str):
        return string_answer(reader, address)
    return reader.ok(call(reader, address, name, arg))


def call(reader, address: int, name: str, arg: Tree) -> Tree:
    """`name(net, book, arg)`: the tree of the port it returns."""
    from hvm.book import closed

    table = PortTable(reader.book, reader)
    net = ctypes.create_string_buffer(16)  # an opaque Net: its address names this call
    book = ctypes.create_string_buffer(16)
    _calls[ctypes.addressof(net)] = table
    try:
        result = FOREIGN(address)(ctypes.addressof(net), ctypes.addressof(book), table.to_port(arg))
    finally:
        del _calls[ctypes.addressof(net)]
    if table.error is not None:
        raise table.error
    tree = table.to_tree(result, f"the foreign function `{name}`")
    if not closed(tree):
        raise HvmError(f"the foreign function `{name}` returned a part of its argument that shares wires with "
                       "the rest, which this runtime cannot give back")
    return rename(tree, reader)


def rename(t: Tree, reader) -> Tree:
    """`t` with fresh names for its wires (a part of the argument may come back beside it)."""
    names: dict[str, Var] = {}
    done: list[Tree] = []
    stack: list = [t]
    while stack:  # post-order, without recursion: lists are deep
        x = stack.pop()
        if x is _BUILD:
            tag = stack.pop()
            snd, fst = done.pop(), done.pop()
            done.append(Node(tag, fst, snd))
        elif type(x) is Node:
            stack += (x.tag, _BUILD, x.snd, x.fst)
        elif type(x) is Var:
            if x.name not in names:
                names[x.name] = reader.fresh()
            done.append(names[x.name])
        else:
            done.append(x)
    return done[0]


_BUILD = object()


def dl_close(host, reader, argm: Tree) -> Tree:
    from hvm.io import ERROR_TYPE

    slot, handle = dylib(host, reader, argm)
    if handle is None:
        return reader.error(ERROR_TYPE)
    message = loader().close(handle)
    if message is not None:
        return string_answer(reader, message)
    del host.dylibs[slot]
    return reader.ok(Era())


def close_all(host) -> None:
    for slot, handle in list(host.dylibs.items()):
        loader().close(handle)
        del host.dylibs[slot]

