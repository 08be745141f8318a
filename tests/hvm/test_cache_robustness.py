"""hvm.jit's code cache: an unwritable or damaged cache never crashes a run nor changes its result.

Each case runs the `hvm` command in a subprocess (a crash must show as a signal, not take pytest
down) with HVM_CACHE_DIR pointed at a directory prepared in one bad state. Tests may run as
root, for whom a chmod stops no write: an unwritable cache is a path through a regular file.
"""

from __future__ import annotations

import errno
import os
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hvm import jit

# a loop of `n` CALLs: `count(n) = n == 0 ? 0 : count(n - 1)`
COUNT = "@main = a\n  & @count ~ ({n} a)\n@count = (?((0 @count__C0) a) a)\n@count__C0 = (a b)\n  & @count ~ (a b)\n"
SHORT = COUNT.format(n=1000)  # done in a moment: it runs on the first code it gets
LONG = COUNT.format(n=3_000_000)  # runs past backend.TIER_UP_AFTER on plain code: the tier-up starts


def run_hvm(tmp_path: Path, text: str, env: dict[str, str | None], *args: str, timeout: float = 120):
    """`hvm run FILE ARGS` with `env` over this process's environment (None: unset)."""
    source = tmp_path / "net.hvm"
    source.write_text(text)
    environment = dict(os.environ)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    done = subprocess.run([sys.executable, "-m", "hvm", "run", str(source), *args], env=environment,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, (done.returncode, done.stderr)
    assert done.stdout.startswith("Result: 0\n"), done.stdout
    return done


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


# -- a cache that cannot be written


def unwritable_places(tmp_path: Path) -> dict[str, str]:
    regular = tmp_path / "a-file"
    regular.write_text("not a directory")
    return {"dev-null": "/dev/null", "regular-file": str(regular), "under-a-file": str(regular / "cache")}


@pytest.mark.parametrize("place", ["dev-null", "regular-file", "under-a-file", "home-proc"])
def test_an_unwritable_cache_means_running_without_it_with_one_warning(tmp_path, place):
    # a run long enough to ask for the specialized code (the tier-up once died there with SIGSEGV)
    private = tmp_path / "tmp"  # where the process keeps its code instead: empty again once it ends
    private.mkdir()
    if place == "home-proc":
        env = {"HVM_CACHE_DIR": None, "XDG_CACHE_HOME": None, "HOME": "/proc", "TMPDIR": str(private)}
        shown = "/proc/.cache/bend-hvm"
    else:
        shown = unwritable_places(tmp_path)[place]
        env = {"HVM_CACHE_DIR": shown, "TMPDIR": str(private)}
    done = run_hvm(tmp_path, LONG, env, "-s")
    [warning] = warnings_of(done.stderr)
    assert warning.startswith(f"warning: cannot write the code cache {shown}: ")
    assert warning.endswith("; running without it")
    assert list(private.iterdir()) == []


def test_a_read_only_cache_directory_is_not_written(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only directory")
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        done = run_hvm(tmp_path, SHORT, {"HVM_CACHE_DIR": str(cache)})
    finally:
        cache.chmod(0o755)
    assert len(warnings_of(done.stderr)) == 1
    assert list(cache.iterdir()) == []


def test_a_cache_that_fills_up_warns_once_and_the_process_goes_on_without_it(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("HVM_CACHE_DIR", str(cache))
    for name in ("_writable", "_unwritable"):
        monkeypatch.setattr(jit, name, set())
    assert jit.cache_dir() == cache  # writable when probed

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(jit, "frame", full)
    with pytest.warns(jit.CacheWarning, match=f"cannot write the code cache {cache}: No space left on device"):
        assert not jit.store(cache / "x.o", b"object")
    assert [p.name for p in cache.iterdir()] == []  # (no half-written entry left behind)
    assert jit.cache_dir() != cache  # a temporary one, for the rest of the process


def test_a_compile_worker_that_cannot_write_says_so(tmp_path):
    from hvm.flatbook import flatten
    from hvm.llvm_cpu import compile_worker
    from hvm.syntax import parse_book

    job = tmp_path / "job"
    job.write_bytes(pickle.dumps((flatten(parse_book(SHORT)), False, [("/dev/null/x.o", 0, 3)], 1, False)))
    done = subprocess.run([sys.executable, "-m", "hvm.llvm_cpu.compile_worker", str(job)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (compile_worker.CANNOT_WRITE, "")
    assert not job.exists()
    bad = tmp_path / "bad-job"
    bad.write_bytes(b"not a pickle")
    done = subprocess.run([sys.executable, "-m", "hvm.llvm_cpu.compile_worker", str(bad)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (1, "")


# -- damaged entries


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    """A cache holding the core runtime, and SHORT's definitions both plain and specialized."""
    root = tmp_path_factory.mktemp("warm")
    cache = root / "cache"
    run_hvm(root, SHORT, {"HVM_CACHE_DIR": str(cache)}, "-t", "1")  # the core, the plain definitions
    run_hvm(root, SHORT, {"HVM_CACHE_DIR": str(cache)}, "-t", "1", "--optimize-first")  # the specialized ones
    assert len(list(cache.glob("*.o"))) == 3
    return cache


def flip(data: bytes, positions: list[int], mask: int = 0xFF) -> bytes:
    out = bytearray(data)
    for i in positions:
        out[i] ^= mask
    return bytes(out)


def damage(path: Path, kind: str) -> None:
    data = path.read_bytes()
    rng = random.Random(kind)
    code = range(jit.HEADER.size, len(data))  # (the object: its code is most of it)
    if kind == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(rng.randbytes(len(data)))
    elif kind == "bad-header":
        path.write_bytes(b"\x7fELF" + data[4:])
    elif kind == "one-bit":
        path.write_bytes(flip(data, [rng.choice(code)], 0x10))
    elif kind == "three-bytes-of-code":
        path.write_bytes(flip(data, rng.sample(code, 3)))
    elif kind == "unframed":  # a bare object, as the cache held before entries were checked
        path.write_bytes(data[jit.HEADER.size:])
    elif kind == "longer":
        path.write_bytes(data + b"\0" * 16)
    elif kind == "directory":
        path.unlink()
        path.mkdir()
        (path / "inside").write_text("x")
    elif kind == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif kind == "dangling-link":
        path.unlink()
        path.symlink_to(path.parent / "nowhere")
    else:
        raise AssertionError(kind)


DAMAGE = ["truncated", "empty", "random", "bad-header", "one-bit", "three-bytes-of-code", "unframed", "longer",
          "directory", "fifo", "dangling-link"]


@pytest.mark.parametrize("kinds", [DAMAGE[i:i + 3] for i in range(0, len(DAMAGE), 3)], ids=lambda k: "+".join(k))
def test_a_damaged_entry_is_detected_removed_and_rebuilt(tmp_path, warm_cache, kinds):
    # each of the three entries (the core, the plain and the specialized definitions) damaged
    # in a different way
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    names = sorted(p.name for p in cache.glob("*.o"))
    for path, kind in zip(sorted(cache.glob("*.o")), kinds * 3):
        damage(path, kind)
    for _ in range(2):  # (and the run after it, which finds what the first one rebuilt)
        done = run_hvm(tmp_path, SHORT, {"HVM_CACHE_DIR": str(cache)}, "-t", "1", timeout=60)
        assert warnings_of(done.stderr) == []
    # the specialized definitions were removed (the run started on plain code: SHORT ends before
    # it asks for them again); the core and the plain definitions were rebuilt
    entries = sorted(p.name for p in cache.glob("*.o"))  # (besides: the record of the time on plain code)
    assert set(entries) < set(names) and len(entries) == 2
    for name in entries:
        assert jit.read_cached(cache / name) is not None


def test_every_entry_is_checked_before_it_is_loaded(tmp_path, monkeypatch):
    # in-process: a damaged object never reaches the loader, an intact one does, and is not rebuilt
    from hvm.llvm_cpu import backend
    from hvm.syntax import parse_book

    cache = tmp_path / "cache"
    monkeypatch.setenv("HVM_CACHE_DIR", str(cache))
    monkeypatch.setattr(backend, "_core_cache", {})
    backend.NativeBackend().run(parse_book(SHORT), threads=1)  # the core, the plain definitions
    backend.NativeBackend().run(parse_book(SHORT), threads=1, tiered=False)  # the specialized ones
    monkeypatch.setattr(backend, "_core_cache", {})
    loaded, compiled = [], []
    real_load, real_compile = jit.load, jit.compile_ir
    monkeypatch.setattr(jit, "load", lambda obj, symbols: loaded.append(obj) or real_load(obj, symbols))
    monkeypatch.setattr(jit, "compile_ir", lambda *a: compiled.append(a) or real_compile(*a))
    intact = {jit.read_cached(p) for p in cache.glob("*.o")}
    result = backend.NativeBackend().run(parse_book(SHORT), threads=1)
    assert (result.stats.interactions, compiled) == (7006, [])
    assert set(loaded) <= intact and len(loaded) == 2
    for path in cache.glob("*.o"):
        damage(path, "three-bytes-of-code")
    damaged = {p.read_bytes()[jit.HEADER.size:] for p in cache.glob("*.o")}
    loaded.clear()
    monkeypatch.setattr(backend, "_core_cache", {})
    result = backend.NativeBackend().run(parse_book(SHORT), threads=1)
    assert result.stats.interactions == 7006 and len(compiled) == 2  # the core and the plain definitions
    assert not set(loaded) & damaged  # (what was loaded was built afresh, and is what the cache now holds)
    assert set(loaded) <= {jit.read_cached(p) for p in cache.glob("*.o")}


def test_entries_are_framed_and_checked():
    payload = b"\x7fELF" + bytes(range(256)) * 4
    framed = jit.frame(payload)
    assert jit.unframe(framed) == payload
    assert jit.unframe(framed[:-1]) is None
    assert jit.unframe(framed + b"\0") is None
    assert jit.unframe(payload) is None
    for i in range(0, len(framed), 37):  # any one bit, header or payload
        assert jit.unframe(flip(framed, [i], 1)) is None


def test_the_ffi_shim_is_checked_before_it_is_loaded(tmp_path, monkeypatch):
    from hvm import ffi

    monkeypatch.setenv("HVM_CACHE_DIR", str(tmp_path))
    path = ffi.shim_path()
    if path is None:
        pytest.skip("no C compiler")
    library = path.read_bytes()
    [entry] = (tmp_path / "ffi").glob("*.entry")
    assert jit.read_cached(entry) == library
    path.write_bytes(flip(library, [len(library) // 2]))  # the loaded file: rewritten from the entry
    assert ffi.shim_path() == path and path.read_bytes() == library
    damage(entry, "one-bit")  # the entry: removed and built again
    assert ffi.shim_path() == path and jit.read_cached(entry) is not None
    assert path.read_bytes() == jit.read_cached(entry)
