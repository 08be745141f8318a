"""The cache of compiled programs: a warm `bend run` neither loads, checks nor compiles.

In:  a Request: the main file, and the rest of what its compile is a function of (the command's
     `-O`, `-W`, `-D`, `-A`, `-e` and the terms given to the entry point).
Out: an Entry: the nets and what the run needs before it reduces, at once; the Compiled program
     (bend.compiler, for readback) and the diagnostics the first compile showed, on demand.
     None when nothing usable is cached: the caller compiles, then `store`s.

    <hvm.jit.cache_dir()>/programs/<key>.prg          one compiled program
    <hvm.jit.cache_dir()>/programs/compiler-<stamp>   the compiler's version, by its files' mtimes

key: sha256 of the compiler's version (sha256 of every source file of the bend and hvm
packages), Python's version, the main file's path (as given and resolved), sha256 of its bytes,
and the request's settings. An entry also lists every file the program was built from (the main
file, each file it imports, every file of the prelude) with its sha256, and the folders they lie
in, up to the main file's folder, with a hash of what an import can find in each (the names of
its .bend files and of its folders: a file added there can change what an import means; other
files, such as a program's output, do not count): when any differs, the entry is stale and
compiled again. An entry is not written when one of those changed while it was being compiled
(its mtime is then recent).

Entries are framed, checked and written atomically by hvm.jit (read_cached, store): a damaged or
unreadable entry is removed and rebuilt; a cache directory that cannot be written costs one
warning (hvm.jit.CacheWarning), then the run goes on without it. The payload is two pickles: the
first holds what a run needs before reducing (cheap to read: hvm.book objects and plain data);
the second, read only after reduction, the core book and context readback uses and the
diagnostics to show again (bend.ast objects: importing that module is the larger cost).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import sys
from pathlib import Path

FORMAT = 2  # bumped when the layout of an entry changes
RACE_NS = 50_000_000  # a file touched this close to the start of a compile may have changed during it
SIZES = struct.Struct("<QQ")  # the lengths of the two pickles


class Request:
    """What a compile of a run command is a function of, besides the files it reads. (A plain
    class, not a dataclass: making one costs a warm run about half a millisecond.)"""

    __slots__ = ("allow", "args", "deny", "entrypoint", "file", "opt", "warn")

    def __init__(self, file: Path, args: list[str] | None = None, opt: list[str] | None = None,
                 warn: list[str] | None = None, deny: list[str] | None = None, allow: list[str] | None = None,
                 entrypoint: str | None = None):
        self.file = file
        self.args = list(args or [])  # the terms for the entry point, as typed
        self.opt = list(opt or [])  # -O
        self.warn = list(warn or [])  # -W
        self.deny = list(deny or [])  # -D
        self.allow = list(allow or [])  # -A
        self.entrypoint = entrypoint  # -e

    def key(self, main_bytes: bytes) -> str:
        h = hashlib.sha256()
        for part in (f"bend-program {FORMAT}", compiler_version(), sys.version, str(self.file),
                     str(self.file.resolve()), hashlib.sha256(main_bytes).hexdigest(), repr(self.args),
                     repr(self.opt), repr(self.warn), repr(self.deny), repr(self.allow), repr(self.entrypoint)):
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        return h.hexdigest()


class Entry:
    """A cached program. `hvm`, `entry`, `options` (a dict of the -O switches' values) and
    `quiet` (its compile showed no diagnostic) come with the entry; `compiled()` and `shown()`
    read the rest."""

    def __init__(self, head: dict, tail: bytes):
        self.hvm = head["hvm"]
        self.entry: str = head["entry"]
        self.options: dict = head["options"]
        self.quiet: bool = head["quiet"]
        self._tail = tail
        self._rest = None

    def _load_rest(self):
        if self._rest is None:
            self._rest = quick_loads(self._tail)
        return self._rest

    def compiled(self):
        """The Compiled program (bend.compiler): its ctx holds neither the loaded program nor diagnostics."""
        from bend.compiler import Compiled

        core, ctx = self._load_rest()[:2]
        return Compiled(self.hvm, core, ctx)

    def shown(self) -> list:
        """The diagnostics the first compile showed (bend.diagnostics.Diagnostic), in order."""
        return self._load_rest()[2]


# -- reading


def lookup(request: Request) -> Entry | None:
    """The cached program for `request`, when there is one and every file it was built from is
    as it was; None otherwise (nothing is raised: the caller then compiles)."""
    try:
        main_bytes = request.file.read_bytes()
        path = entry_path(request.key(main_bytes))
        from hvm import jit

        payload = jit.read_cached(path)
        if payload is None:
            return None
        head_size, tail_size = SIZES.unpack_from(payload)
        head = quick_loads(payload[SIZES.size:SIZES.size + head_size])
        tail = payload[SIZES.size + head_size:]
        if len(tail) != tail_size or not fresh(head["files"], head["folders"]):
            return None
        return Entry(head, tail)
    except Exception:  # (an entry that cannot be read as one, e.g. pickled by other code: compiled again)
        return None


def fresh(files: list, folders: list) -> bool:
    """Whether every file still has its sha256 and every folder what an import can find in it."""
    for name, digest in folders:
        if importable(name) != digest:
            return False
    for name, digest in files:
        with open(name, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != digest:
                return False
    return True


def quick_loads(data: bytes):
    import gc

    collecting = gc.isenabled()
    gc.disable()  # (millions of small objects for a large book, no cycles worth scanning for)
    try:
        return pickle.loads(data)
    finally:
        if collecting:
            gc.enable()


# -- writing


def store(request: Request, compiled, shown: list, started_ns: int) -> bool:
    """Cache `compiled` (and the diagnostics its compile `shown`) for `request`. `started_ns`:
    time.time_ns() before the compile read its first file. False when it was not stored (a file
    changed meanwhile, the cache cannot be written, or the program cannot be pickled)."""
    try:
        main_bytes = request.file.read_bytes()
        files, folders = sources(compiled.ctx.program, request.file)
        times = [os.stat(name).st_mtime_ns for name, _ in files + folders]
        if max(times, default=0) > started_ns - RACE_NS:
            return False
        ctx = slim_context(compiled.ctx)
        head = {"hvm": compiled.hvm, "entry": ctx.entry, "quiet": not shown, "files": files, "folders": folders,
                "options": {k: v for k, v in vars(ctx.options).items() if k != "trace"}}
        head_bytes, tail_bytes = deep_dumps((head, (compiled.core, ctx, list(shown))))
        from hvm import jit

        path = entry_path(request.key(main_bytes))
        return jit.store(path, SIZES.pack(len(head_bytes), len(tail_bytes)) + head_bytes + tail_bytes)
    except Exception:  # (a program the cache cannot hold is run all the same)
        return False


def deep_dumps(parts: tuple) -> tuple[bytes, bytes]:
    from bend.deep import deep

    # (pickling recurses as deep as the terms nest)
    return deep(lambda: tuple(pickle.dumps(part, protocol=5) for part in parts))


def slim_context(ctx):
    """The context without what readback never reads: the loaded program, the command line's
    terms, the diagnostics, the tracer."""
    import copy

    from bend.diagnostics import Diagnostics

    slim = copy.copy(ctx)
    slim.program, slim.args, slim.diagnostics = None, [], Diagnostics()
    slim.options = copy.copy(ctx.options)
    slim.options.trace = None
    return slim


def sources(program, main: Path) -> tuple[list, list]:
    """The files the program was read from, with their sha256, and the folders that hold them
    (up to the main file's folder, and that folder), with what an import can find in each."""
    root = main.resolve().parent
    files: dict[str, str] = {}
    folders: set[Path] = {root}
    for module in program.modules.values():
        path = Path(module.path).resolve()
        if path.is_dir():  # (the prelude: every file of its folder)
            found, folders_of = sorted(path.glob("*.bend")), [path]
        else:
            found, folders_of = [path], []
        for file in found:
            files[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
            folders_of.append(file.parent)
        for folder in folders_of:
            folders.add(folder)
            if folder.is_relative_to(root):
                folders.update(p for p in folder.parents if p.is_relative_to(root))
    return sorted(files.items()), sorted((str(f), importable(f)) for f in folders)


def importable(folder) -> str:
    """A hash of the names in `folder` that an import can find: .bend files and folders."""
    with os.scandir(folder) as it:
        names = sorted(f"{e.name}/" if e.is_dir() else e.name for e in it if e.name.endswith(".bend") or e.is_dir())
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


# -- where


def programs_dir() -> Path:
    from hvm import jit

    return jit.cache_dir() / "programs"


def entry_path(key: str) -> Path:
    return programs_dir() / f"{key}.prg"


_version: str | None = None
PACKAGES = ("bend", "hvm")


def compiler_version() -> str:
    """sha256 of the source files of the bend and hvm packages. It is remembered in the cache
    under a stamp of their names, sizes and mtimes, so a warm run only lists them."""
    global _version
    if _version is None:
        files = package_files()
        stamp = hashlib.sha256()
        for rel, full in files:
            info = os.stat(full)
            stamp.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
        from hvm import jit

        memo = programs_dir() / f"compiler-{stamp.hexdigest()[:40]}"
        known = jit.read_cached(memo)
        if known is not None and len(known) == 64:
            _version = known.decode("ascii", "replace")
        else:
            digest = hashlib.sha256()
            for rel, full in files:
                with open(full, "rb") as f:
                    digest.update(f"{rel}\0".encode("utf-8", "surrogateescape") + hashlib.sha256(f.read()).digest())
            _version = digest.hexdigest()
            jit.store(memo, _version.encode("ascii"))
    return _version


def package_files() -> list[tuple[str, str]]:
    """(name inside the packages, path) of every .py file of the bend and hvm packages."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for package in PACKAGES:
        stack = [package]
        while stack:
            rel = stack.pop()
            with os.scandir(os.path.join(top, rel)) as it:
                for item in it:
                    if item.is_dir(follow_symlinks=False):
                        if item.name != "__pycache__":
                            stack.append(f"{rel}/{item.name}")
                    elif item.name.endswith(".py"):
                        found.append((f"{rel}/{item.name}", item.path))
    return sorted(found)
