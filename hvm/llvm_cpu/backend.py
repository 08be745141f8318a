"""The native CPU backend (`hvm run-c`): prepares memory, runs the compiled runtime, reads back.

In:  a validated hvm.Book, the entry, a thread count and a memory limit.
Out: RunResult (hvm.runtime): the result tree and statistics, or a LimitError when the run
     ran out of memory or redex-bag space.

Two compiled objects make a run: the core runtime (hvm.llvm_cpu.runtime_ir; the same for every
book, compiled once and cached) and the book's definitions (hvm.llvm_cpu.defs_ir). Memory is
reserved as anonymous mappings with MAP_NORESERVE: the kernel provides pages only when the
runtime first touches them, and freed nodes are reused, so the resident size follows the live
net, not the number of interactions.

Ports are 32 bits as in HVM2 (29-bit values: at most 2^29 nodes, MEMORY_32); a run given more
memory than that (or `ports=64`) uses the 64-bit mode: 64-bit ports, 16-byte nodes, 8-byte
vars, up to 2^32 nodes (MAX_MEMORY). Both run the same book with the same interactions; the
32-bit mode is faster (half the memory traffic), so it stays the default.
"""

from __future__ import annotations

import array
import atexit
import ctypes
import hashlib
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hvm import jit, progress
from hvm.book import Book, Net
from hvm.deep import deep
from hvm.errors import LimitError
from hvm.flatbook import FlatBook, flatten, flatten_net
from hvm.llvm_cpu import compile_worker
from hvm.llvm_cpu import layout as L
from hvm.ports import CON, FID_MASK, NONE, NONE_WIDE, VAR
from hvm.rules import RULE_NAMES
from hvm.runtime import BYTES_PER_SLOT, RunResult, Stats, format_size

if TYPE_CHECKING:  # (imported where used: a warm run's start needs neither)
    import subprocess

    from hvm.llvm_cpu import table_ir

PROT_READ_WRITE = 0x1 | 0x2
MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000
MAX_SLOTS = (1 << 29) - 1  # a 32-bit port's value has 29 bits
MEMORY_32 = 6 << 30  # 2^29 slots of 12 bytes: the most 32-bit ports address
MAX_SLOTS_64 = (1 << 32) - 1  # 64-bit ports (node and var indices stay u32)
BYTES_PER_SLOT_64 = 24  # a node of two u64 ports and a var
MAX_MEMORY = MAX_SLOTS_64 * BYTES_PER_SLOT_64 >> 30 << 30  # (95G) the most --mem can ask for

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def default_threads() -> int:
    return len(os.sched_getaffinity(0))


def default_memory() -> int:
    """Half of the machine's memory (in whole MiB), at most what 32-bit ports can address (6G)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min(MEMORY_32, (total // 2) >> 20 << 20)


def port_bits(memory: int, ports: int | None = None) -> int:
    """32 or 64: the port width of a run given `memory` bytes (`ports`, or else the environment's
    HVM_PORTS: forced; a test runs every net in the 64-bit mode with HVM_PORTS=64)."""
    if ports is None and os.environ.get("HVM_PORTS") in ("32", "64"):
        ports = int(os.environ["HVM_PORTS"])
    if ports is None:
        return 64 if memory > MEMORY_32 else 32
    if ports not in (32, 64) or (ports == 32 and memory > MEMORY_32):
        raise ValueError(f"ports are 32 or 64 bits (32 address at most {format_size(MEMORY_32)}), not {ports}")
    return ports


class Mapping:
    """An anonymous, lazily backed memory mapping."""

    def __init__(self, size: int):
        self.size = max(size, 1)
        addr = _libc.mmap(None, self.size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise LimitError(f"could not reserve {format_size(size)} of memory", hint="lower --mem")
        self.addr = addr

    def close(self):
        if self.addr:
            _libc.munmap(self.addr, self.size)
            self.addr = None


@dataclass
class Program:
    """The loaded code for one book in one mode."""

    run: ctypes._CFuncPtr  # hvm_run(Net*)
    resume: ctypes._CFuncPtr  # hvm_resume(Net*)
    host_link: ctypes._CFuncPtr  # hvm_host_link(Net*, port, port)
    resolve: ctypes._CFuncPtr  # hvm_resolve(Net*, port) -> port
    defs: ctypes.Array  # the compiled definitions' addresses, by fid
    symbols: list[str]
    upgrade: "Upgrade | None" = None  # running on plain code: where the specialized code will come from
    run_alone: ctypes._CFuncPtr | None = None  # one thread's code: hvm_run_alone(Net*) (see NativeSession.reduce)
    resume_alone: ctypes._CFuncPtr | None = None  # ... and hvm_resume_alone(Net*)

    def install(self, obj: bytes, fids: range | None = None) -> None:
        """Switch to the definitions of `obj` (those of `fids`, by default all), even while a run
        goes on (the two kinds of code do the same interactions; a CALL reads the table each time)."""
        fids = range(len(self.symbols)) if fids is None else fids
        addresses = jit.load(obj, self.symbols[fids.start:fids.stop])
        for fid in fids:
            self.defs[fid] = addresses[self.symbols[fid]]


def core_text(parallel: bool, wide: bool = False) -> str:
    """The IR of the core runtime (`wide`: 64-bit ports)."""
    from hvm.llvm_cpu.runtime_ir import build_core

    return str(build_core(parallel, wide))


def ir_texts(flat: FlatBook, parallel: bool, specialize: bool = True, core: bool = True,
             wide: bool = False) -> tuple[str, str]:
    """The IR of the core runtime (unless `core=False`) and of the book's definitions."""
    from hvm.llvm_cpu.defs_ir import build_defs
    from hvm.llvm_cpu.runtime_ir import build_core

    return (str(build_core(parallel, wide)) if core else "",
            str(deep(build_defs, flat, parallel, specialize, wide=wide)))


def width_key(wide: bool) -> list[str]:
    """(a cache key's part for the port width: none for 32 bits, so that keys stay as they were)"""
    return ["ports=64"] if wide else []


_core_cache: dict[tuple[bool, bool], dict[str, int]] = {}
CORE_OPT, DEFS_OPT = 3, 1  # the definitions compile at O1: as fast to run as O3, much faster to build
BIG_BOOK = 500  # a book of more definitions starts on tables (hvm.llvm_cpu.table_ir), at once: plain code
#                costs LLVM over a millisecond a definition, and time and memory that grow faster than the book
SPECIALIZED_PART = 128  # definitions per object of a big book's specialized code (small: a part is compiled
#                        when one of its definitions is called often, and costs ~10 ms a definition)
HOT_SHARE = 0.99  # of a big book, the parts that made this share of the CALLs are specialized
PLAIN_OPT = 0  # plain definitions, to start at once: LLVM's optimiser would take longer than it gains
MAX_THREADS_PER_CORE = 8
SHARE_AT = 8  # (see share_at)
TIER_UP_AFTER = 0.25  # seconds of running on plain code before the specialized code is asked for
_in_flight: dict[str, subprocess.Popen] = {}  # cache path -> the worker compiling it
_plain_seconds: dict[str, float] = {}  # cache path -> time this process has run its plain version


def defs_key(flat: FlatBook, parallel: bool, specialize: bool, wide: bool = False) -> list[str]:
    digest = hashlib.sha256()  # (of everything the code of the definitions is made from)
    for d in flat.defs:
        digest.update(f"{d.name}\0{d.fid}\0{d.safe}\0{d.node_count}\0{d.redex_count}\0{d.var_count}\0".encode())
        digest.update(d.ports.tobytes())
    return ["defs", f"parallel={parallel} specialize={specialize}", *width_key(wide), digest.hexdigest()]


def specialized_parts(flat: FlatBook, parallel: bool, wide: bool = False) -> list[tuple[Path, range]]:
    """Where the specialized code of `flat` is cached, and the definitions (fids) each object
    holds: all in one, or for a big book SPECIALIZED_PART in each (LLVM's time and memory then
    grow with the book linearly, and a part is used as soon as it is compiled)."""
    key, n = defs_key(flat, parallel, True, wide), len(flat.defs)
    if n <= BIG_BOOK:
        return [(jit.cache_path(key, DEFS_OPT), range(n))]
    return [(jit.cache_path([*key, f"fids {fids.start}-{fids.stop}"], DEFS_OPT), fids) for fids in part_fids(n)]


def part_fids(n: int) -> list[range]:
    return [range(start, min(n, start + SPECIALIZED_PART)) for start in range(0, n, SPECIALIZED_PART)]


def defs_text(flat: FlatBook, parallel: bool, fids: range, wide: bool = False) -> str:
    """The IR of the specialized definitions `fids` (a part of a big book)."""
    from hvm.llvm_cpu.defs_ir import build_defs

    return str(deep(build_defs, flat, parallel, True, fids, wide=wide))


def load_program(flat: FlatBook, parallel: bool, use_cache: bool = True, specialize: bool = True,
                 tiered: bool = True, wide: bool = False) -> Program:
    """The code for `flat` (`wide`: with 64-bit ports). Specialized definitions take LLVM
    seconds to build for a large book, so with `tiered` (and a cache to put them in) a book
    whose specialized code is not cached yet starts on plain definitions, built at once; see
    Upgrade."""
    from hvm.llvm_cpu.defs_ir import def_symbol

    mode = (parallel, wide)
    if mode not in _core_cache or not use_cache:
        core = jit.object_code(lambda: core_text(parallel, wide), ["core", f"parallel={parallel}", *width_key(wide)],
                               CORE_OPT, use_cache)
        _core_cache[mode] = jit.load(core, ["hvm_run", "hvm_resume", "hvm_host_link", "hvm_resolve",
                                            *([] if parallel else ["hvm_run_alone", "hvm_resume_alone"])])
    core = _core_cache[mode]
    symbols = [def_symbol(d.fid) for d in flat.defs]
    upgrade = None
    if len(flat.defs) > BIG_BOOK:  # tables first; the specialized code by parts, from the cache or a worker
        # (imported here: its IR builders would cost every warm run's start ~8 ms)
        from hvm.llvm_cpu import table_ir

        table_defs, calls = table_ir.load_table_defs(flat, parallel, use_cache, wide)
        addresses = dict(zip(symbols, table_defs))
        if specialize and (use_cache or not tiered):
            pending = []
            parts = (specialized_parts(flat, parallel, wide) if use_cache
                     else [(None, f) for f in part_fids(len(flat.defs))])
            for path, fids in parts:
                obj = jit.read_cached(path) if use_cache else None
                if obj is None and not tiered:
                    obj = jit.compile_ir(defs_text(flat, parallel, fids, wide), DEFS_OPT)
                    if use_cache:
                        jit.store(path, obj)
                if obj is None:
                    pending.append((path, fids))
                else:
                    addresses.update(jit.load(obj, symbols[fids.start:fids.stop]))
            if pending:
                upgrade = Upgrade(flat, parallel, pending, calls, wide)
    else:
        key = defs_key(flat, parallel, specialize, wide)
        defs_obj = None
        if specialize and tiered and use_cache:
            [(path, _)] = specialized_parts(flat, parallel, wide)
            defs_obj = jit.read_cached(path)
            if defs_obj is None:
                upgrade = Upgrade(flat, parallel, [(path, range(len(flat.defs)))], None, wide)
                defs_obj = jit.object_code(lambda: ir_texts(flat, parallel, False, core=False, wide=wide)[1],
                                           defs_key(flat, parallel, False, wide), PLAIN_OPT, use_cache)
        if defs_obj is None:
            defs_obj = jit.object_code(lambda: ir_texts(flat, parallel, specialize, core=False, wide=wide)[1], key,
                                       DEFS_OPT, use_cache)
        addresses = jit.load(defs_obj, symbols)
    port_t = ctypes.c_uint64 if wide else ctypes.c_uint32
    return Program(
        ctypes.CFUNCTYPE(None, ctypes.c_void_p)(core["hvm_run"]),
        ctypes.CFUNCTYPE(None, ctypes.c_void_p)(core["hvm_resume"]),
        ctypes.CFUNCTYPE(None, ctypes.c_void_p, port_t, port_t)(core["hvm_host_link"]),
        ctypes.CFUNCTYPE(port_t, ctypes.c_void_p, port_t)(core["hvm_resolve"]),
        (ctypes.c_void_p * len(symbols))(*[addresses[s] for s in symbols]),
        symbols,
        upgrade,
        None if parallel else ctypes.CFUNCTYPE(None, ctypes.c_void_p)(core["hvm_run_alone"]),
        None if parallel else ctypes.CFUNCTYPE(None, ctypes.c_void_p)(core["hvm_resume_alone"]),
    )


def interactions_so_far(net) -> int:
    """The interactions the threads have counted (read while they run: for the status line)."""
    tms = (L.TMStruct * net.nthreads).from_address(net.tms)
    return sum(sum(tm.itrs) - tm.itrs[0] for tm in tms)  # (itrs[0]: LINK, not an interaction)


class ThreadsWarning(UserWarning):
    """More threads were asked for than the machine can use: fewer run."""


def usable_threads(threads: int) -> int:
    """`threads`, or at most MAX_THREADS_PER_CORE per core (at least 64): every thread has its
    bags and free stacks mapped, and a count far past the cores only costs (with a warning)."""
    cores = default_threads()
    limit = max(64, MAX_THREADS_PER_CORE * cores)
    if threads > limit:
        warnings.warn(ThreadsWarning(f"-t {threads} is more threads than this machine can use "
                                     f"({cores} cores): running {limit}"), stacklevel=2)
        return limit
    return threads


def share_at(threads: int) -> int:
    """How many redexes the first thread, working alone on one thread's code, holds before the
    others start (see NativeSession.reduce): more than a sequential net ever holds (list_sum and
    church_not hold 3 at most), few enough that the others start early on a parallel one."""
    return SHARE_AT


@dataclass
class Upgrade:
    """The specialized code of a book that runs on plain code (or tables) for now. Once the book
    has run TIER_UP_AFTER seconds on plain code, in this process and earlier ones (each adds its
    time to a record in the cache, `<object>.plain`: a short program run again and again gets
    its code too), a worker process (hvm.llvm_cpu.compile_worker) compiles it into the cache, in
    parts (specialized_parts); the running program switches to each part when it is there, and
    a worker started as a run ends outlives it, for the next run. Of a big book, only the parts
    that hold the definitions called most so far (table_ir.Calls: those that made HOT_SHARE of
    the CALLs) are compiled."""

    flat: FlatBook
    parallel: bool
    parts: list[tuple[Path, range]]  # (cache path, fids) of the parts not installed yet
    calls: "table_ir.Calls | None"  # a big book's counts of CALLs
    wide: bool = False  # 64-bit ports

    def __post_init__(self):
        first = self.parts[0][0]
        self.key = str(first)  # (names this book's upgrade in this process)
        self.record = first.with_name(first.name + ".plain")
        if self.key not in _plain_seconds:
            _plain_seconds[self.key], self.started = read_record(self.record)
        else:
            self.started = 0.0

    def poll(self, program: Program, seconds: float) -> bool:
        """Called while a run goes on (`seconds`: on plain code so far); True once it is over:
        switched to the specialized code, or given up (the run goes on on the code it has)."""
        key = self.key
        worker = _in_flight.get(key)
        finished = worker is not None and worker.poll() is not None
        for part in list(self.parts):
            obj = jit.read_cached(part[0])  # (checked: a damaged object is removed, never run)
            if obj is not None:
                program.install(obj, part[1])
                self.parts.remove(part)
        if not self.parts:
            _in_flight.pop(key, None)
            return True
        if finished:  # without a usable object: it failed, or could not write the cache
            _in_flight.pop(key, None)
            path = self.parts[0][0]
            if worker.returncode == compile_worker.CANNOT_WRITE and not jit.is_private(path):
                jit.unwritable(path.parent, "writing a compiled object failed")
            return True
        if worker is None and _plain_seconds.get(key, 0.0) + seconds >= TIER_UP_AFTER:
            return self.tier_up()
        return False

    def tier_up(self) -> bool:
        """Start the worker on the parts worth it; True when there is then nothing to wait for
        (no part is, or the worker could not start). While another process's worker has just
        started (WORKER_GRACE), its objects are waited for instead."""
        if time.time() - self.started < WORKER_GRACE:
            return False
        self.parts = self.hot_parts()
        if not self.parts:
            return True
        worker = self.start_worker()
        if worker is None:
            return True
        _in_flight[self.key] = worker
        self.write_record(_plain_seconds.get(self.key, 0.0), time.time())
        return False

    def hot_parts(self) -> list[tuple[Path, range]]:
        """The parts worth compiling: all of a book's, or of a big book's, the fewest whose
        definitions made HOT_SHARE of the CALLs so far, the most called first."""
        if self.calls is None:
            return self.parts
        heat = sorted(((self.calls.of(fids), i) for i, (_, fids) in enumerate(self.parts)), reverse=True)
        total, covered, hot = sum(h for h, _ in heat), 0, []
        for h, i in heat:
            if h == 0 or covered >= HOT_SHARE * total:
                break
            hot.append(self.parts[i])
            covered += h
        return hot

    def start_worker(self) -> subprocess.Popen | None:
        """The worker compiling the specialized code (None when it cannot be started)."""
        import pickle
        import subprocess
        import tempfile

        job = None
        path = self.parts[0][0]
        try:
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".job-", delete=False) as job:
                parts = [(str(p), fids.start, fids.stop) for p, fids in self.parts]
                pickle.dump((self.flat, self.parallel, parts, DEFS_OPT, self.wide), job)
            worker = subprocess.Popen([sys.executable, "-m", "hvm.llvm_cpu.compile_worker", job.name],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True)  # (Ctrl-C stops the run, not the compile)
        except OSError:
            if job is not None:
                Path(job.name).unlink(missing_ok=True)
            return None
        if jit.is_private(path):  # its objects would be lost with this process's temporary cache
            atexit.register(stop_worker, worker)
        return worker

    def ran(self, seconds: float) -> None:
        """A run (or a stretch between IO calls) has ended on plain code: count its time, and
        start the worker now if the book has run long enough (in this process or before)."""
        key = self.key
        total = _plain_seconds[key] = _plain_seconds.get(key, 0.0) + seconds
        if key in _in_flight:
            return
        if total >= TIER_UP_AFTER:
            self.tier_up()
        else:
            self.write_record(total, self.started)

    def write_record(self, seconds: float, started: float) -> None:
        if not jit.is_private(self.record):  # (a private cache ends with this process)
            jit.store(self.record, f"{seconds!r} {started!r}".encode())


WORKER_GRACE = 120.0  # seconds: a worker another process started this recently is not started again


def read_record(path: Path) -> tuple[float, float]:
    """(seconds on plain code so far, when a worker was last started) from an Upgrade's record;
    zeros when there is none (or it is damaged: jit.read_cached checks it)."""
    payload = jit.read_cached(path)
    try:
        seconds, started = (float(x) for x in payload.split())
    except (AttributeError, ValueError):
        return 0.0, 0.0
    return seconds, started


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait()


def large_templates(flat: FlatBook):
    """(table by fid of the large definitions' ports, the arrays it points into: keep them alive).
    A big book's table has every definition (hvm.llvm_cpu.table_ir)."""
    if len(flat.defs) > BIG_BOOK:
        from hvm.llvm_cpu import table_ir

        return table_ir.templates(flat)
    from hvm.llvm_cpu.defs_ir import is_large

    table = (ctypes.c_void_p * max(1, len(flat.defs)))()
    arrays = []
    for d in flat.defs:
        if is_large(d):
            arrays.append(d.ports)
            table[d.fid] = d.ports.buffer_info()[0]
    return table, arrays


class NativeBackend:
    """The Backend (hvm.runtime) of the native runtime: `hvm run-c`."""

    name = "c"

    def run(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
            timeout: float | None = None, use_cache: bool = True, specialize: bool = True,
            tiered: bool = True, boot: Net | None = None, ports: int | None = None) -> RunResult:
        """`timeout` in seconds; `use_cache=False` compiles afresh; `specialize=False` compiles
        definitions plainly (no work at compile time); `tiered=False` builds the specialized
        code before starting, even when that takes long (see load_program); `boot`: see
        hvm.runtime.Backend; `ports`: 32 or 64 bits (by default 64 only past MEMORY_32)."""
        session = self.session(book, entry, threads=threads, memory=memory, use_cache=use_cache,
                               specialize=specialize, tiered=tiered, ports=ports)
        try:
            if timeout is not None:
                session.deadline, session.timeout = time.monotonic() + timeout, timeout
            session.start(boot)
            return RunResult(session.read_tree(session.root()), session.stats())
        finally:
            session.close()

    def session(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
                use_cache: bool = True, specialize: bool = True, tiered: bool = True,
                ports: int | None = None) -> "NativeSession":
        """A net kept in memory between runs (hvm.io.run_io): see NativeSession."""
        memory = memory or default_memory()
        return NativeSession(book, entry, usable_threads(threads or default_threads()), memory,
                             use_cache, specialize, tiered, port_bits(memory, ports) == 64)

    @staticmethod
    def load_boot(session: NativeSession, d) -> None:
        """Put the starting net `d` (a FlatDef) in a session's memory: nodes 1.., vars 1..
        (var 0 is ROOT), then link its redexes and its root, as a CALL would."""
        program, net = session.program, session.net
        if d.node_count + 1 >= net.node_cap or d.var_count + 1 >= net.vars_cap:
            raise LimitError(f"out of memory: the starting net has {d.node_count} nodes "
                             f"(limit {format_size(session.memory)}); raise --mem")

        def relocate(p: int) -> int:
            tag = p & 7
            if tag == VAR:
                return ((p >> 3) + 1) << 3
            if tag >= CON:
                return (((p >> 3) + 1) << 3) | tag
            return p

        session.place(range(1, d.node_count + 1), [relocate(p) for pair in d.nodes for p in pair],
                      range(1, d.var_count + 1))
        net.node_top, net.vars_top = d.node_count + 1, d.var_count + 1
        addr = ctypes.addressof(net)
        for a, b in d.redexes:
            program.host_link(addr, relocate(a), relocate(b))
        program.host_link(addr, relocate(d.root), 0)

    @staticmethod
    def reduce(program: Program, run, net, timeout: float | None, caller: "NativeCaller | None" = None) -> None:
        """Run the native workers to the end; Ctrl-C or the timeout stops them (through net.error).

        The native call runs on a thread of its own (ctypes lets go of the GIL; `caller`'s, when
        given), so that this thread stays free to notice both. Whatever happens here, we return
        only once the native call has: the memory it works in is unmapped right after.
        """
        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        if caller is not None:
            finished = caller.call(run, ctypes.addressof(net))
        else:
            finished = threading.Event()

            def work() -> None:
                try:
                    run(ctypes.addressof(net))
                finally:
                    finished.set()

            threading.Thread(target=work, daemon=True).start()
        interrupted = False
        while not finished.is_set():
            try:
                finished.wait(0.05)
            except KeyboardInterrupt:
                interrupted = True
            progress.report(lambda: interactions_so_far(net))
            if interrupted:
                net.error = L.ERROR_INTERRUPTED
            elif deadline is not None and time.monotonic() >= deadline:
                net.error = L.ERROR_TIMEOUT
            if program.upgrade is not None:
                try:
                    done = program.upgrade.poll(program, time.monotonic() - start)
                except Exception:  # (a failed upgrade only leaves the run on the code it has)
                    done = True
                if done:
                    program.upgrade = None
        if program.upgrade is not None:
            program.upgrade.ran(time.monotonic() - start)
        if interrupted:
            raise KeyboardInterrupt

    @staticmethod
    def limit_error_timeout(timeout: float | None) -> LimitError:
        return LimitError(f"time limit reached: the run took more than {timeout:g}s; raise --timeout")

    @staticmethod
    def limit_error(net, tms, memory: int, timeout: float | None = None) -> LimitError:
        size = format_size(memory)
        if net.error == L.ERROR_TIMEOUT:
            return LimitError(f"time limit reached: the run took more than {timeout:g}s; raise --timeout")
        if net.error == L.ERROR_BAG:
            return LimitError(f"redex bag overflow: a thread holds {net.bag_cap} pending redexes "
                              f"(the limit for --mem {size}); raise --mem")
        kind, top = ("node", net.node_top) if net.error == L.ERROR_NODES else ("var", net.vars_top)
        in_use = top - 1 - sum(getattr(tm, f"{kind}_free_len") for tm in tms)
        what = "nodes" if kind == "node" else "variables"
        return LimitError(f"out of memory: {in_use:,} {what} in use fill the run's memory (--mem {size}); "
                          "raise --mem, or look for a result that grows without end")


SMALL_TREE = 64  # nodes: what the host writes into freed slots; a larger tree goes to fresh ones, at once


class WideNodes:
    """Node memory with 64-bit ports as the readback reads it: item i is fst | snd << 64."""

    def __init__(self, words):
        self.words = words

    def __getitem__(self, i: int) -> int:
        return self.words[2 * i] | self.words[2 * i + 1] << 64

    def __len__(self) -> int:
        return len(self.words) // 2


class NativeCaller:
    """A thread that makes a session's native calls, one after the other: a program that does
    IO resumes the runtime once per call, and starting a thread each time would cost more
    than most of those runs."""

    def __init__(self):
        self.job = None
        self.ready, self.finished = threading.Event(), threading.Event()
        self.thread: threading.Thread | None = None

    def call(self, fn, arg) -> threading.Event:
        """Start `fn(arg)`; the event is set once it has returned."""
        if self.thread is None:
            self.thread = threading.Thread(target=self.serve, daemon=True)
            self.thread.start()
        self.finished.clear()
        self.job = (fn, arg)
        self.ready.set()
        return self.finished

    def serve(self) -> None:
        while True:
            self.ready.wait()
            self.ready.clear()
            if self.job is None:
                return
            fn, arg = self.job
            try:
                fn(arg)
            finally:
                self.finished.set()

    def close(self) -> None:
        if self.thread is not None:
            self.job = None
            self.ready.set()
            self.thread = None


class NativeSession:
    """One program's net in native memory, kept between its IO calls (hvm.io.run_io): reduced
    by the compiled workers, then read, given an answer and reduced again by Python while no
    worker runs. Python takes fresh slots from the global cursors (node_top, vars_top, as a
    thread claims a chunk) and gives slots back on thread 0's free stacks."""

    def __init__(self, book: Book, entry: str, threads: int, memory: int, use_cache: bool, specialize: bool,
                 tiered: bool, wide: bool = False):
        self.book, self.threads, self.memory = book, threads, memory
        # 64-bit ports (see the module's docstring): a node is then two u64 words, a var one
        self.wide, self.none = wide, NONE_WIDE if wide else NONE
        self.code = "Q" if wide else "I"  # (the array type of ports)
        node_bytes, var_bytes = (16, 8) if wide else (8, 4)
        self.flat = flat = flatten(book, entry)
        self.program = program = load_program(flat, threads > 1, use_cache, specialize, tiered, wide)
        # several threads: the first starts alone, on one thread's code (see reduce)
        self.alone = load_program(flat, False, use_cache, specialize, tiered, wide) if threads > 1 else None
        self.deadline = self.timeout = None  # the whole run's (set by the caller)
        self.seconds = 0.0
        self.host_calls = 0  # CALLs of references expanded for the host (`expand`)
        self.caller = NativeCaller()
        slots = min(MAX_SLOTS_64, memory // BYTES_PER_SLOT_64) if wide else min(MAX_SLOTS, memory // BYTES_PER_SLOT)
        bag_cap = max(1 << 16, min(slots, 1 << 26))
        self.maps = maps = [Mapping(slots * node_bytes), Mapping(slots * var_bytes)]
        try:
            self.tms = tms = (L.TMStruct * threads)()
            self.templates, self._arrays = large_templates(flat)  # (kept alive for the run)
            self.net = net = L.NetStruct(
                node_buf=maps[0].addr, vars_buf=maps[1].addr, node_cap=slots, vars_cap=slots,
                node_top=1, vars_top=1, busy=1, error=0, nthreads=threads, bag_cap=bag_cap,
                defs=ctypes.cast(program.defs, ctypes.c_void_p), tms=ctypes.addressof(tms),
                templates=ctypes.addressof(self.templates), share_at=share_at(threads),
            )
            for tid, tm in enumerate(tms):
                hbag, rbag = Mapping(bag_cap * node_bytes), Mapping(bag_cap * node_bytes)
                node_free, var_free = Mapping(slots * 4), Mapping(slots * 4)
                maps += [hbag, rbag, node_free, var_free]
                tm.tid, tm.net, tm.hbag, tm.rbag = tid, ctypes.addressof(net), hbag.addr, rbag.addr
                tm.node_free, tm.var_free = node_free.addr, var_free.addr
                tm.victim = (tid + 1) % threads
        except BaseException:
            self.close()
            raise
        # node i: nodes[i] (fst | snd << 32), or with 64-bit ports nodes[2i], nodes[2i + 1]
        self.nodes = (ctypes.c_uint64 * (slots * node_bytes // 8)).from_address(maps[0].addr)
        self.vars = ((ctypes.c_uint64 if wide else ctypes.c_uint32) * slots).from_address(maps[1].addr)
        self.vars[0] = self.none  # ROOT: no end has arrived yet
        self.addr = ctypes.addressof(net)

    # -- running

    def reduce(self, entry) -> None:
        """Run the workers from `entry` (program.run or program.resume) until no work is left.

        With several threads, the first works alone first, on one thread's code (no atomic
        operation, no other thread asking it for work), until it holds `net.share_at` redexes:
        a sequential net runs as fast as on one thread, to its end. Once there is work to
        share, the parallel code takes it on from there, on every thread."""
        if self.alone is not None:
            alone = self.alone.run_alone if entry is self.program.run else self.alone.resume_alone
            self.net.defs = ctypes.cast(self.alone.defs, ctypes.c_void_p)
            try:
                self.reduce_with(self.alone, alone)
            finally:
                self.net.defs = ctypes.cast(self.program.defs, ctypes.c_void_p)
            tm = self.tms[0]
            if tm.hlen == 0 and tm.rhi == tm.rlo:
                return
            entry = self.program.resume
        self.reduce_with(self.program, entry)

    def reduce_with(self, program: Program, entry) -> None:
        left = None
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise NativeBackend.limit_error_timeout(self.timeout)
        self.net.busy = 1
        for tm in self.tms:  # (a request for work left unanswered when the last run ended)
            tm.request = tm.mailbox = 0
        start = time.perf_counter()
        try:
            NativeBackend.reduce(program, entry, self.net, left, self.caller)
        finally:
            self.seconds += time.perf_counter() - start  # (reduction only, as HVM2 reports it)
        if self.net.error:
            raise NativeBackend.limit_error(self.net, self.tms, self.memory,
                                            self.timeout if self.timeout is not None else left)

    def start(self, boot: Net | None = None) -> None:
        """Reduce `@entry ~ ROOT` (or the net `boot`, see hvm.runtime.Backend)."""
        if boot is None:
            self.reduce(self.program.run)
        else:
            NativeBackend.load_boot(self, flatten_net(boot, self.flat.fids))
            self.reduce(self.program.resume)

    def expand(self, p: int) -> int:
        """`@f ~ x` for a fresh x, reduced (HVM2's expand, for the host's reader); x's port."""
        d = self.flat.defs[(p >> 3) & FID_MASK]
        self.host_calls += 1
        from hvm.io import relocate

        template = [q for pair in d.nodes + d.redexes for q in pair]
        node_slots, var_slots = self.slots("node", len(d.nodes)), self.slots("var", d.var_count + 1)
        ports, root = relocate(template, d.root, node_slots, var_slots)
        self.place(node_slots, ports, var_slots)
        v = var_slots[-1]
        for i in range(2 * len(d.nodes), len(ports), 2):
            self.program.host_link(self.addr, ports[i], ports[i + 1])
        self.program.host_link(self.addr, root, v << 3)
        if d.redexes:
            self.reduce(self.program.resume)
        q = self.resolve(v << 3)
        if q & 7 != VAR:
            self.free([], [v])
        return q

    def resume(self, a: int, b: int) -> None:
        """`a ~ (b ROOT)`, reduced: an IO call's continuation `a` meets its answer `b`."""
        (base,) = self.slots("node", 1)
        self.place([base], [b, 0], [0])  # (b ROOT): ROOT is var 0, the port 0
        self.program.host_link(self.addr, a, (base << 3) | CON)
        self.reduce(self.program.resume)

    # -- memory, while no worker runs

    def claim(self, nodes: int, variables: int) -> tuple[int, int]:
        """Fresh node and var slots, contiguous, from the global cursors."""
        net = self.net
        if net.node_top + nodes > net.node_cap or net.vars_top + variables > net.vars_cap:
            kind = "nodes" if net.node_top + nodes > net.node_cap else "variables"
            raise LimitError(f"out of memory: no room for {nodes} more {kind} (limit {format_size(self.memory)}); "
                             "raise --mem")
        base, vbase = net.node_top, net.vars_top
        net.node_top += nodes
        net.vars_top += variables
        return base, vbase

    def write(self, base: int, ports: array.array, vbase: int, variables: int) -> None:
        """Nodes from `base` (their (fst, snd) ports in pairs, an array of self.code) and
        `variables` vars from `vbase`, no end arrived (NONE: all ones, in both widths)."""
        if len(ports):
            size = ports.itemsize
            ctypes.memmove(self.maps[0].addr + 2 * size * base, ports.buffer_info()[0], size * len(ports))
        if variables:
            size = ctypes.sizeof(self.vars._type_)
            ctypes.memset(self.maps[1].addr + size * vbase, 0xFF, size * variables)

    def build(self, tree) -> int:
        """Write a tree (an IO answer, hvm.io.layout) into fresh slots; its port."""
        from hvm.io import SMALL_ANSWER, layout, layout_size, relocate

        nodes, variables = layout_size(tree)
        if nodes <= SMALL_ANSWER:  # into slots freed before, if thread 0 has them
            node_slots, var_slots = self.slots("node", nodes), self.slots("var", variables)
            ports, root = relocate(*layout(tree, 0, 0, self.flat.fids, code=self.code), node_slots, var_slots)
            self.place(node_slots, ports, var_slots)
            return root
        from hvm.llvm_cpu.bytes_ir import byte_list_writer

        base, vbase = self.claim(nodes, variables)
        lists: list = []
        ports, root = layout(tree, base, vbase, self.flat.fids, lists, self.code)
        self.write(base, ports, vbase, variables)
        for data, first_node, first_var in lists:  # (the bytes of a large read, natively)
            byte_list_writer(wide=self.wide)(self.maps[0].addr, data, len(data), first_node, first_var)
        return root

    def place(self, node_slots, ports: list[int], var_slots) -> None:
        """Nodes at the given slots (their (fst, snd) ports in pairs), and vars no end has reached."""
        nodes, variables, none = self.nodes, self.vars, self.none
        if self.wide:
            for k, i in enumerate(node_slots):
                nodes[2 * i], nodes[2 * i + 1] = ports[2 * k], ports[2 * k + 1]
        else:
            for k, i in enumerate(node_slots):
                nodes[i] = ports[2 * k] | ports[2 * k + 1] << 32
        for v in var_slots:
            variables[v] = none

    def slots(self, kind: str, n: int) -> list[int]:
        """n slots: the last ones freed on thread 0's stack, or fresh ones."""
        tm = self.tms[0]
        length = getattr(tm, f"{kind}_free_len")
        if length < n or n > SMALL_TREE:
            base = self.claim(n, 0)[0] if kind == "node" else self.claim(0, n)[1]
            return list(range(base, base + n))
        setattr(tm, f"{kind}_free_len", length - n)
        return list((ctypes.c_uint32 * n).from_address(getattr(tm, f"{kind}_free") + 4 * (length - n)))

    def free(self, nodes: list[int], variables: list[int]) -> None:
        """Give back the slots of a tree the host has dropped (thread 0 reuses them first)."""
        tm = self.tms[0]
        for kind, slots in (("node", nodes), ("var", variables)):
            if slots:
                stack = array.array("I", slots)
                length = getattr(tm, f"{kind}_free_len")
                ctypes.memmove(getattr(tm, f"{kind}_free") + 4 * length, stack.buffer_info()[0], 4 * len(stack))
                setattr(tm, f"{kind}_free_len", length + len(stack))

    def node(self, i: int) -> tuple[int, int]:
        if self.wide:
            return self.nodes[2 * i], self.nodes[2 * i + 1]
        n = self.nodes[i]
        return n & 0xFFFFFFFF, n >> 32

    def var(self, v: int) -> int:
        return self.vars[v]

    def resolve(self, p: int) -> int:
        return self.program.resolve(self.addr, p)

    def root(self) -> int:
        return self.resolve(0)

    def read_tree(self, p: int):
        # (imported here: not on the path of a run whose result is a number)
        from hvm.readback import read_back_words

        nodes = memoryview(self.nodes).cast("B").cast("Q")  # (indexed in the readback's loop: no call per node)
        variables = memoryview(self.vars).cast("B").cast(self.code)
        if self.wide:
            return read_back_words(p, WideNodes(nodes), variables, self.net.vars_top, self.flat.name_of, 64, self.none)
        return read_back_words(p, nodes, variables, self.net.vars_top, self.flat.name_of)

    def stats(self) -> Stats:
        counts = [sum(tm.itrs[r] for tm in self.tms) for r in range(len(RULE_NAMES))]
        counts[RULE_NAMES.index("CALL")] += self.host_calls
        return Stats(dict(zip(RULE_NAMES, counts)), self.seconds, self.net.node_top - 1, self.threads)

    def close(self) -> None:
        self.caller.close()
        for m in self.maps:
            m.close()
        self.maps = []
