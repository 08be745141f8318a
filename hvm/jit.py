"""From LLVM IR to callable machine code, with an on-disk cache of compiled objects (used by the
native CPU runtime, and by the GPU runtime for PTX and for its host emulation of the grid).

In:  a function that builds a module's IR text, and what that IR is made from.
Out: the addresses of its exported functions, loaded into this process with LLVM's ORC JIT.

Compiled objects are cached under $HVM_CACHE_DIR (default: $XDG_CACHE_HOME/bend-hvm, else
~/.cache/bend-hvm). The key hashes everything the IR text is a function of: the inputs
(a book, the mode), the source of the IR generators (this package, hvm.numbers, ...), and
then llvmlite's version, the optimisation level and the host CPU with its features. So a
second run of the same net neither builds IR nor runs LLVM: it loads the object (about a
millisecond). Loaded code stays loaded for the life of the process (one JIT, a library per
object).

Every cache entry is framed and checked before it is used (machine code that is loaded runs
as it is: one flipped bit in it can crash the process or, worse, give a wrong result):

    "hvm-obj\\x01" | payload length (u64, little-endian) | sha256 of the payload | payload

An entry that is not a regular file (a directory, a FIFO), cannot be read, or fails the check
is removed and built again. Entries are written whole under a temporary name and renamed into
place, so a reader sees all of one or nothing. A cache directory that cannot be written
(`HVM_CACHE_DIR=/dev/null`, a read-only or full disk, `HOME=/proc`) costs one warning
(CacheWarning): the process then caches in a private temporary directory, removed at exit.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import struct
import tempfile
import threading
import warnings
from pathlib import Path

_loaded: dict[str, tuple] = {}  # object hash -> (jit, library, addresses): kept while the process runs
_llvm = None


class CacheWarning(UserWarning):
    """The code cache cannot be used as configured (the run goes on without it)."""


def llvm():
    """llvmlite.binding, initialised once (imported lazily: it costs ~0.1 s)."""
    global _llvm
    if _llvm is None:
        import llvmlite.binding as binding

        binding.initialize_native_target()
        binding.initialize_native_asmprinter()
        binding.initialize_native_asmparser()  # for the `pause` spin hint
        _llvm = binding
    return _llvm


# -- where the cache is

_lock = threading.Lock()
_unwritable: set[str] = set()  # configured directories found unwritable (warned about once each)
_writable: set[str] = set()  # configured directories found writable
_private: Path | None = None  # this process's temporary cache, once one is needed
_no_private = False  # making one failed too


def configured_cache_dir() -> Path:
    """The directory the environment names for the cache (it may not exist, or be unusable)."""
    root = os.environ.get("HVM_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "bend-hvm"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
        home = Path("/nonexistent")
    return home / ".cache" / "bend-hvm"


def cache_dir() -> Path:
    """The directory to cache in: the configured one when it can be written; otherwise (after
    one CacheWarning) a temporary directory of this process, removed when it exits."""
    configured = configured_cache_dir()
    key = str(configured)
    if key in _writable:
        return configured
    if key not in _unwritable:
        reason = probe(configured)
        if reason is None:
            _writable.add(key)
            return configured
        unwritable(configured, reason)
    return private_dir() or configured  # (with no private directory either, every write fails quietly)


def probe(directory: Path) -> str | None:
    """Why `directory` cannot hold cache entries (None: it can): it is made if missing, and a
    small file is written into it and removed."""
    try:
        if directory.exists() and not directory.is_dir():
            return "it is not a directory"
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=".probe-")
        try:
            os.write(fd, b"hvm")
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as err:
        return reason_of(err)
    return None


def reason_of(err: OSError) -> str:
    if err.errno is not None:
        return os.strerror(err.errno)
    return str(err) or type(err).__name__


def unwritable(directory: Path, reason: str) -> None:
    """Note that the configured cache `directory` cannot be written; warn once about it."""
    with _lock:
        key = str(directory)
        _writable.discard(key)
        if key in _unwritable:
            return
        _unwritable.add(key)
    warnings.warn(CacheWarning(f"cannot write the code cache {directory}: {reason}; running without it"),
                  stacklevel=3)


def private_dir() -> Path | None:
    """This process's temporary cache directory (made on first use), removed at exit."""
    global _private, _no_private
    with _lock:
        if _private is None and not _no_private:
            try:
                _private = Path(tempfile.mkdtemp(prefix="bend-hvm-"))
                atexit.register(shutil.rmtree, _private, True)
            except OSError:
                _no_private = True
        return _private


def is_private(path: Path) -> bool:
    """Whether `path` lies in this process's temporary cache (it goes when the process does)."""
    return _private is not None and Path(path).parent == _private


_host: tuple[str, str] | None = None


def host_cpu() -> tuple[str, str]:
    """The host CPU's name and its features (as LLVM names them), asked of LLVM once."""
    global _host
    if _host is None:
        binding = llvm()
        _host = (binding.get_host_cpu_name(), binding.get_host_cpu_features().flatten())
    return _host


def target_machine(opt: int = 3):
    binding = llvm()
    target = binding.Target.from_default_triple()
    cpu, features = host_cpu()
    return target.create_target_machine(cpu=cpu, features=features, opt=opt, reloc="pic", codemodel="default")


_generator_hash: str | None = None
GENERATOR_SOURCES = ("*.py", "llvm_cpu/*.py", "cuda/*.py")  # every module that generates IR, and what they read


def generator_sources() -> list[Path]:
    root = Path(__file__).resolve().parent  # the hvm package
    return [path for pattern in GENERATOR_SOURCES for path in sorted(root.glob(pattern))]


def generator_hash() -> str:
    """A hash of the Python sources that generate IR: a change in them is a change in the IR."""
    global _generator_hash
    if _generator_hash is None:
        h = hashlib.sha256()
        for path in generator_sources():
            h.update(path.name.encode())
            h.update(path.read_bytes())
        _generator_hash = h.hexdigest()
    return _generator_hash


def cache_key(parts: list[str], opt: int) -> str:
    import llvmlite

    cpu, features = host_cpu()
    h = hashlib.sha256()
    for part in (*parts, generator_hash(), llvmlite.__version__, str(opt), cpu, features):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def compile_ir(ir_text: str, opt: int = 3) -> bytes:
    """Optimise (O`opt`, LLVM's new pass manager) and compile IR text to an object's bytes.
    (In an LLVM context of its own: nothing is shared with any other compile.)"""
    binding = llvm()
    mod = binding.parse_assembly(ir_text, context=binding.create_context())
    mod.verify()
    tm = target_machine(opt)
    pb = binding.create_pass_builder(tm, binding.create_pipeline_tuning_options(speed_level=opt))
    pb.getModulePassManager().run(mod, pb)
    return tm.emit_object(mod)


def cache_path(key_parts: list[str], opt: int) -> Path:
    return cache_dir() / f"{cache_key(key_parts, opt)}.o"


def object_code(build_ir, key_parts: list[str], opt: int = 3, use_cache: bool = True) -> bytes:
    """The compiled object of the IR `build_ir()` returns, from the cache when it is there."""
    if not use_cache:
        return compile_ir(build_ir(), opt)
    path = cache_path(key_parts, opt)
    obj = read_cached(path)
    if obj is None:
        obj = compile_ir(build_ir(), opt)
        store(path, obj)
    return obj


# -- cache entries

MAGIC = b"hvm-obj\x01"
HEADER = struct.Struct("<8sQ32s")  # magic, payload length, sha256 of the payload


def frame(payload: bytes) -> bytes:
    return HEADER.pack(MAGIC, len(payload), hashlib.sha256(payload).digest()) + payload


def read_cached(path: Path) -> bytes | None:
    """The payload of the cache entry at `path` once checked; None when there is none. An entry
    that is not a regular file, cannot be read or fails its check is removed (so that it is
    built and written again)."""
    try:
        # O_NONBLOCK: a FIFO in the way must not block the open (it is then rejected)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        if os.path.islink(path):  # (a link to nowhere)
            discard(path)
        return None
    except OSError:
        discard(path)
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size < HEADER.size:
            payload = None
        else:
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(info.st_size + 1)
            payload = unframe(data)
    except OSError:
        payload = None
    finally:
        os.close(fd)
    if payload is None:
        discard(path)
    return payload


def unframe(data: bytes) -> bytes | None:
    """The payload of a framed entry, or None when the frame does not check out."""
    if len(data) < HEADER.size:
        return None
    magic, length, digest = HEADER.unpack_from(data)
    payload = data[HEADER.size:]
    if magic != MAGIC or length != len(payload) or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def discard(path: Path) -> None:
    """Remove a bad cache entry, whatever it is; quietly (it is only rebuilt and rewritten)."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def store(path: Path, payload: bytes) -> bool:
    """Write a cache entry (framed), atomically: readers see all of it or nothing. False when it
    could not be written (then the cache directory counts as unwritable: one CacheWarning)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(frame(payload))
        if os.path.isdir(path) and not os.path.islink(path):  # (a directory in the way: rename cannot replace it)
            shutil.rmtree(path, ignore_errors=True)
        os.replace(tmp, path)
        return True
    except OSError as err:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if not is_private(path):
            unwritable(path.parent, reason_of(err))
        return False


_jit = None  # the process's LLJIT, made on the first load
_load_lock = threading.Lock()


def load(obj: bytes, symbols: list[str], instance: str = "") -> dict[str, int]:
    """Load an object into the process (once; once per `instance` name, for an object whose
    globals are set apart for each use); the addresses of `symbols`. Every object goes into
    one LLJIT, each in a library (JITDylib) of its own: their symbols stay apart (two books'
    definitions have the same names), and a run that loads four objects makes one JIT and one
    target machine, not four."""
    global _jit
    key = hashlib.sha256(obj).hexdigest() + instance
    with _load_lock:
        if key not in _loaded:
            binding = llvm()
            if _jit is None:
                # JITLink: an object's sections are placed together; RuntimeDyld could place them
                # more than 2 GB apart in a long-running process and abort on a 32-bit relocation
                _jit = binding.create_lljit_compiler(target_machine(), use_jit_link=True)
            builder = binding.JITLibraryBuilder().add_object_img(obj).add_current_process()
            for name in symbols:
                builder.export_symbol(name)
            library = builder.link(_jit, f"hvm_{key[:16]}{instance}")
            _loaded[key] = (_jit, library, {})
        _, library, addresses = _loaded[key]
        for name in symbols:
            if name not in addresses:
                addresses[name] = library[name]
        return {name: addresses[name] for name in symbols}
