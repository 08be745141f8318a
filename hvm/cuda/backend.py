"""The GPU backend (`hvm run-cu`): device memory set up, turns run until no redex is left, result read.

In:  a validated hvm.Book, the entry, a memory limit, a launcher (hvm.cuda.launch), a timeout.
Out: RunResult (hvm.runtime): the result tree and statistics (the same interactions as every
     other backend), or a LimitError (out of GPU memory, redex space, time, no progress) or
     NoGpu, each with the flag that changes it.

A run is a loop of turns (`hvm_turn`, one launch each): the redexes saved by a turn are the next
turn's input, spread over every block; the host reads the counters after each turn, which is
where --timeout, Ctrl-C and the no-progress check take effect. The book is data in device
memory (hvm.cuda.grid_ir's kernels expand definitions from it), so no kernel depends on the
program: the PTX is built once per GPU architecture and cached.
"""

from __future__ import annotations

import array
import ctypes
import os
import time
from dataclasses import dataclass

from hvm.book import Book, Net
from hvm.cuda import layout as L
from hvm.cuda.launch import DeviceInfo, Launcher, NoGpu, open_launcher
from hvm.errors import HvmError, LimitError
from hvm.flatbook import FlatBook, FlatDef, flatten, flatten_net
from hvm.numbers import F24, SYM, payload_of
from hvm.ports import CON, NUM, VAR, port
from hvm.readback import tree_from_ports
from hvm.rules import RULE_NAMES
from hvm.runtime import BYTES_PER_SLOT, RunResult, Stats, format_size

MAX_SLOTS = (1 << 29) - 1  # a port's value has 29 bits
NO_PROGRESS_TURNS = 64  # turns in a row with redexes left and nothing done: reported, not waited on


@dataclass(frozen=True)
class Shape:
    """How a run uses the device: the grid, the heaps, the bags, the pace of a turn."""

    blocks: int
    threads: int  # per block
    per_thread: int  # local heap slots per thread (the block's heap: threads * per_thread)
    page: int  # global heap slots per page
    hcap: int = 64  # per-thread bags
    rcap: int = 256  # (a power of 2)
    steps: int = 64  # interactions per thread between barriers
    rounds: int = 256  # rounds of `steps` per turn
    small: int = L.SMALL  # definitions up to this size expand through a thread's scratch

    @property
    def local(self) -> int:
        return self.threads * self.per_thread

    @property
    def total_threads(self) -> int:
        return self.blocks * self.threads


def gpu_shape(info: DeviceInfo, overrides: str | None = None) -> Shape:
    """The launch shape for a GPU: 128 threads per block, each with (up to) 64 slots of the
    block's heap in shared memory, and as many blocks as fit on every SM at once, from the
    device's SM count and shared memory (an H200 gets 2 blocks on each of its 132 SMs).

    `overrides` (or $HVM_CUDA_SHAPE), for experiments: `threads=256,per_thread=32,blocks_per_sm=1`
    and any Shape field (steps, rounds, hcap, rcap, page, small)."""
    fields = dict(item.split("=") for item in (overrides or os.environ.get("HVM_CUDA_SHAPE", "")).split(",") if item)
    try:
        values = {k: int(v) for k, v in fields.items()}
    except ValueError:
        raise HvmError(f"HVM_CUDA_SHAPE: `{overrides}` is not name=number,...") from None
    threads = values.pop("threads", 128)
    per_thread = values.pop("per_thread", min(64, (info.shared_per_block - L.SHARED_HEADER - 1024) // (12 * threads)))
    if per_thread < 1 or L.shared_bytes(threads * per_thread) > info.shared_per_block:
        raise HvmError(f"a block of {threads} threads with {per_thread} heap slots each does not fit in "
                       f"{info.shared_per_block} bytes of shared memory")
    need = L.shared_bytes(threads * per_thread)
    per_sm = values.pop("blocks_per_sm", max(1, min(info.shared_per_sm // (need + 1024), 4)))
    try:
        return Shape(blocks=info.sm_count * per_sm, threads=threads, per_thread=per_thread,
                     **{"page": 256, **values})
    except TypeError as err:
        raise HvmError(f"HVM_CUDA_SHAPE: {err}") from None


def host_shape() -> Shape:
    """The emulated grid (`--launcher host`): two blocks of 8 threads, each with 128 heap slots,
    long rounds (the emulation has no parallelism to gain from short ones). The tests use
    smaller shapes too, to reach every path (spills, leaks, many turns) on small nets."""
    return Shape(blocks=2, threads=8, per_thread=128, page=256, steps=256, rounds=1024)


SLOT_BYTES = BYTES_PER_SLOT + 2  # a node, a var, and a share of the redex arrays (see DeviceRun)
MAX_MEMORY = MAX_SLOTS * SLOT_BYTES >> 20 << 20  # what 29-bit ports address, in whole MiB (7G)


def default_memory(info: DeviceInfo) -> int:
    """Half of the GPU's free memory, at most what 29-bit ports address (7G)."""
    return min(MAX_MEMORY, (info.free_memory // 2) >> 20 << 20)


def needs_libdevice(flat: FlatBook) -> bool:
    """Could the book compute with f24 numbers (an f24 literal or a cast to f24)?"""
    for d in flat.defs:
        for p in d.ports:
            if p & 7 == NUM:
                numb = p >> 3
                if numb & 0x1F == F24 or (numb & 0x1F == SYM and payload_of(numb) == F24):
                    return True
    return False


class DeviceRun:
    """One run's device memory and its turns."""

    def __init__(self, launcher: Launcher, flat: FlatBook, shape: Shape, memory: int):
        self.launcher, self.flat, self.shape, self.memory = launcher, flat, shape, memory
        self.ptrs: list[int] = []
        self.g = L.GNetStruct()
        # --mem pays for the heap (a node and a var per slot) and the two redex arrays (a slot
        # for every 8 of the heap's): 14 bytes per slot
        slots = min(MAX_SLOTS - shape.local, memory // SLOT_BYTES)
        self.npages = slots // shape.page
        if self.npages < 2 * shape.total_threads + 2:
            least = (2 * shape.total_threads + 2) * shape.page * SLOT_BYTES
            raise LimitError(f"--mem {format_size(memory)} is too small for the GPU's {shape.total_threads} threads",
                             hint=f"use at least --mem {format_size(-(-least // (1 << 20)) << 20)}")
        self.slots = self.npages * shape.page
        self.out_cap = max(1 << 12, min(self.slots // 8, 1 << 26))

    def alloc(self, nbytes: int, data: bytes | None = None) -> int:
        ptr = self.launcher.alloc(nbytes)
        self.ptrs.append(ptr)
        if data:
            self.launcher.write(ptr, data)
        return ptr

    def close(self) -> None:
        for ptr in self.ptrs:
            self.launcher.free(ptr)
        self.ptrs.clear()

    def setup(self, boot: FlatDef | None) -> None:
        """Allocate and fill device memory; the first turn's input is `@main ~ ROOT` (or the
        boot net's redexes and root, its nodes and vars put in the global heap here)."""
        s, g, flat = self.shape, self.g, self.flat
        n = s.total_threads
        total = s.local + self.slots
        g.node_buf = self.alloc(total * 8)
        g.vars_buf = self.alloc(total * 4)
        g.node_owner = self.alloc(self.npages * 4)
        g.var_owner = self.alloc(self.npages * 4)
        g.npages, g.page, g.local, g.per_thread = self.npages, s.page, s.local, s.per_thread
        g.tms = self.alloc(n * ctypes.sizeof(L.TMStruct), bytes(self.initial_tms(n)))
        g.hbags, g.rings, g.hcap, g.rcap = self.alloc(n * s.hcap * 8), self.alloc(n * s.rcap * 8), s.hcap, s.rcap
        g.pool_cap = s.local + 2 * s.threads + 64
        g.pools = self.alloc(s.blocks * g.pool_cap * 8)
        big = [d for d in flat.defs if self.is_big(d)]
        g.area_nodes = max((d.node_count for d in big), default=0)
        g.area_cap = max(1, g.area_nodes + max((d.var_count for d in big), default=0))
        g.areas = self.alloc(s.blocks * g.area_cap * 4)
        defs, ports = self.book_arrays()
        g.defs = self.alloc(len(defs) * 4, defs.tobytes())
        g.ports = self.alloc(max(1, len(ports)) * 4, ports.tobytes())
        g.ndefs, g.small, g.steps, g.rounds, g.out_cap = len(flat.defs), s.small, s.steps, s.rounds, self.out_cap
        self.bags = [self.alloc(self.out_cap * 8), self.alloc(self.out_cap * 8)]
        root = port(VAR, s.local)
        self.write_u32(g.vars_buf + s.local * 4, [0xFFFFFFFF])  # ROOT: no end has arrived
        if boot is None:
            first = [(port(1, 0), root)]  # @main ~ ROOT (REF of fid 0)
        else:
            first = self.load_boot(boot, root)
        if len(first) > self.out_cap:
            raise LimitError(f"out of GPU memory: the starting net has {len(first)} redexes "
                             f"(limit {format_size(self.memory)}); raise --mem")
        self.write_u64(self.bags[0], [a | b << 32 for a, b in first])
        self.in_len = len(first)
        self.gnet = self.alloc(ctypes.sizeof(L.GNetStruct), bytes(g))

    def is_big(self, d: FlatDef) -> bool:
        return d.node_count > self.shape.small or d.var_count > self.shape.small

    def initial_tms(self, n: int):
        tms = (L.TMStruct * n)()
        for tm in tms:
            tm.gnode_page = tm.gvar_page = L.NO_PAGE
        return tms

    def book_arrays(self) -> tuple[array.array, array.array]:
        defs, ports = array.array("I"), array.array("I")
        for d in self.flat.defs:
            defs.extend([len(ports), d.node_count, d.redex_count, d.var_count, int(d.safe), int(self.is_big(d)), 0, 0])
            ports += d.ports
        return defs, ports

    def load_boot(self, d: FlatDef, root: int) -> list[tuple[int, int]]:
        """Write the boot net's nodes and vars at the start of the global heap (slots `local`+1
        on); its redexes, and its root with ROOT, are the first turn's input."""
        s = self.shape
        if d.node_count + 1 >= self.slots or d.var_count + 1 >= self.slots:
            raise LimitError(f"out of GPU memory: the starting net has {d.node_count} nodes "
                             f"(limit {format_size(self.memory)}); raise --mem")
        base = s.local + 1

        def relocate(p: int) -> int:
            tag = p & 7
            if tag == VAR or tag >= CON:
                return (((p >> 3) + base) << 3) | tag
            return p

        self.write_u64(self.g.node_buf + base * 8, [relocate(a) | relocate(b) << 32 for a, b in d.nodes])
        self.write_u32(self.g.vars_buf + base * 4, [0xFFFFFFFF] * d.var_count)
        return [(relocate(a), relocate(b)) for a, b in d.redexes] + [(relocate(d.root), root)]

    def write_u64(self, ptr: int, values: list[int]) -> None:
        if values:
            self.launcher.write(ptr, array.array("Q", values).tobytes())

    def write_u32(self, ptr: int, values: list[int]) -> None:
        if values:
            self.launcher.write(ptr, array.array("I", values).tobytes())

    def header(self) -> L.GNetStruct:
        return L.GNetStruct.from_buffer_copy(self.launcher.read(self.gnet, ctypes.sizeof(L.GNetStruct)))

    def start_turn(self, parity: int, in_len: int) -> None:
        turn = array.array("Q", [self.bags[parity], self.bags[1 - parity], in_len, 0])
        self.launcher.write(self.gnet + L.TURN_OFFSET, turn.tobytes())

    def run(self, timeout: float | None) -> tuple[L.GNetStruct, float, int]:
        """Turns until no redex is left. (header, seconds, turns)."""
        s = self.shape
        shared = L.shared_bytes(s.local)
        start = time.perf_counter()
        deadline = None if timeout is None else time.monotonic() + timeout
        parity, in_len, turns, idle_turns, last = 0, self.in_len, 0, 0, (0, 0)
        while True:
            self.start_turn(parity, in_len)
            self.launcher.turn(self.gnet, s.blocks, s.threads, shared, deadline)
            turns += 1
            h = self.header()
            if h.error:
                raise self.limit_error(h)
            if h.out_len == 0:
                return h, time.perf_counter() - start, turns
            progress = (sum(h.itrs), h.leaks)
            idle_turns = idle_turns + 1 if progress == last else 0
            last = progress
            if idle_turns >= NO_PROGRESS_TURNS:
                raise HvmError(f"the GPU made no progress for {idle_turns} turns ({h.out_len} redexes left)",
                               hint="this is a bug of the GPU runtime; `hvm run-c` runs the same net")
            if deadline is not None and time.monotonic() >= deadline:
                raise LimitError(f"time limit reached: the run took more than {timeout:g}s; raise --timeout")
            parity, in_len = 1 - parity, h.out_len

    def limit_error(self, h) -> HvmError:
        size = format_size(self.memory)
        if h.error == L.ERROR_NODES or h.error == L.ERROR_VARS:
            what = "nodes" if h.error == L.ERROR_NODES else "variables"
            return LimitError(f"out of GPU memory: all {self.slots} global slots for {what} are in use "
                              f"(limit {size}); raise --mem")
        if h.error == L.ERROR_BAG:
            return LimitError(f"out of GPU memory: more than {self.out_cap} redexes wait for the next turn "
                              f"(limit {size}); raise --mem")
        if h.error == L.ERROR_POOL:
            return HvmError("a block's redex pool overflowed", hint="this is a bug of the GPU runtime")
        return HvmError("the GPU runtime found memory in a state it should never be in",
                        hint="this is a bug of the GPU runtime; `hvm run-c` runs the same net")

    def read_result(self):
        """The result tree, gathered on the device into the first bag."""
        self.start_turn(0, 0)
        self.launcher.gather(self.gnet)
        n = self.header().gather_len
        if n == 0xFFFFFFFFFFFFFFFF:
            raise HvmError(f"the result has more than {self.out_cap} nodes, or a cycle: it cannot be read back",
                           hint="raise --mem to read back a larger result")
        ports = array.array("Q")
        ports.frombytes(self.launcher.read(self.bags[0], n * 8))
        return tree_from_ports([p & 0xFFFFFFFF for p in ports], self.flat.name_of)


class CudaBackend:
    """The Backend (hvm.runtime) of the GPU runtime: `hvm run-cu`."""

    name = "cu"

    def run(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
            timeout: float | None = None, launcher: str | Launcher | None = None, shape: Shape | None = None,
            boot: Net | None = None) -> RunResult:
        """`launcher`: a name (see hvm.cuda.launch) or a Launcher; `shape`: the grid (default:
        from the device); `threads` is ignored (the grid is the GPU's)."""
        flat = flatten(book, entry)
        dev = launcher if launcher is not None and not isinstance(launcher, str) else open_launcher(launcher)
        info = dev.info()
        if dev.name != "host" and needs_libdevice(flat):
            from hvm.cuda.ptx import find_libdevice

            if find_libdevice() is None:
                raise HvmError("not supported yet: f24 numbers on the GPU without libdevice",
                               hint="install the CUDA toolkit (or set HVM_LIBDEVICE to libdevice.10.bc)")
        dev.load()
        shape = shape or (host_shape() if dev.name == "host" else gpu_shape(info))
        memory = memory or default_memory(info)
        run = DeviceRun(dev, flat, shape, memory)
        try:
            run.setup(None if boot is None else flatten_net(boot, flat.fids))
            h, seconds, turns = run.run(timeout)
            tree = run.read_result()
        finally:
            run.close()
            dev.close()
        counts = [h.itrs[r] for r in range(len(RULE_NAMES))]
        peak = min(h.node_next, run.npages) * shape.page
        stats = Stats(dict(zip(RULE_NAMES, counts)), seconds, peak, shape.total_threads,
                      {"turns": turns, "leaks": h.leaks})
        return RunResult(tree, stats)


def gen_cu(book: Book, arch: str, entry: str = "main") -> str:
    """`hvm gen-cu`: the kernels' PTX for `arch`, after comment lines that show the book as the
    GPU reads it (the kernels are the same for every book: definitions are data)."""
    from hvm.cuda.ptx import ptx

    flat = flatten(book, entry)
    lines = [f"// PTX of the GPU runtime's kernels (hvm_turn, hvm_gather) for {arch}; every net runs on the same",
             f"// kernels, with its definitions as data in device memory. This net: {len(flat.defs)} definitions"]
    for d in flat.defs:
        lines.append(f"//   @{d.name}: fid {d.fid}, {d.node_count} nodes, {d.redex_count} redexes, {d.var_count} vars"
                     f"{', safe' if d.safe else ''}")
    return "\n".join(lines) + "\n" + ptx(arch).text


__all__ = ["CudaBackend", "MAX_MEMORY", "NoGpu", "Shape", "gen_cu"]
