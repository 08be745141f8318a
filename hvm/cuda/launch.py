"""Launchers: the one small interface between the GPU runtime and a device.

In:  a launcher name ("cuda-python", "pycuda", "host", or None for the first that works).
Out: a Launcher: device facts, memory (allocate, copy both ways, zero), the kernels (load the
     PTX once, launch a turn or the readback, wait). Three implementations, the same kernels:
     - cuda-python (`cuda-bindings`, NVIDIA's wheels: hvm.cuda.launch_cuda_python)
     - PyCUDA (the `cuda` extra: hvm.cuda.launch_pycuda)
     - host: the grid emulated on this CPU (hvm.cuda.grid_ir's "host" module): no GPU needed;
       what the tests use, and `hvm run-cu --launcher host`.

Without a usable GPU, `open_launcher` raises NoGpu with the reason (no driver, no device, no
Python binding), at once.
"""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass
from typing import Protocol

from hvm.errors import HvmError

LAUNCHERS = ("cuda-python", "pycuda", "host")


class NoGpu(HvmError):
    """No CUDA GPU can be used; the message says why."""


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    compute_capability: tuple[int, int]
    sm_count: int
    shared_per_block: int  # bytes of shared memory a block may use (opted in)
    shared_per_sm: int
    free_memory: int
    total_memory: int


class Launcher(Protocol):
    name: str

    def info(self) -> DeviceInfo: ...

    def load(self) -> None:
        """Get the kernels ready (PTX built or read from the cache, and loaded)."""

    def alloc(self, nbytes: int) -> int:
        """Device memory (an address), zeroed. Raises LimitError when there is not enough."""

    def free(self, ptr: int) -> None: ...

    def write(self, ptr: int, data: bytes) -> None: ...

    def read(self, ptr: int, nbytes: int) -> bytes: ...

    def turn(self, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None = None) -> None:
        """Run one turn (hvm_turn) on the grid and wait for it (LimitError past `deadline`,
        a time.monotonic() value)."""

    def gather(self, gnet: int) -> None:
        """Run the readback kernel (one thread) and wait for it."""

    def close(self) -> None:
        """Between runs: nothing to do for a GPU (the context and kernels stay loaded)."""


_open: dict[str, Launcher] = {}  # one launcher of each kind per process: contexts and kernels load once


def open_launcher(name: str | None = None) -> Launcher:
    """The named launcher, or the first real one that finds a GPU. Raises NoGpu."""
    if name not in (None, *LAUNCHERS):
        raise HvmError(f"unknown launcher `{name}` (choose from: {', '.join(LAUNCHERS)})")
    reasons = []
    for candidate in ("cuda-python", "pycuda") if name is None else (name,):
        if candidate in _open:
            if getattr(_open[candidate], "stuck", False):
                raise HvmError("the GPU is still running a kernel that did not finish", hint="start a new process")
            return _open[candidate]
        try:
            if candidate == "host":
                cls = HostLauncher
            elif candidate == "cuda-python":
                from hvm.cuda.launch_cuda_python import CudaPythonLauncher as cls
            else:
                from hvm.cuda.launch_pycuda import PyCudaLauncher as cls
            _open[candidate] = cls()
            return _open[candidate]
        except NoGpu as err:
            reasons.append(err.message)
    raise NoGpu(f"no CUDA GPU available ({'; '.join(reasons)})",
                hint="run on a machine with an NVIDIA GPU and its driver; `--launcher host` emulates a GPU "
                     "on this CPU (slowly)")


STUCK_AFTER = 600.0  # seconds a single turn may take before it is reported as stuck


def wait_for(launcher, done, deadline: float | None) -> None:
    """Poll `done()` until it is true: a kernel is never waited on by a blocking call, so that a
    deadline (time.monotonic()), Ctrl-C, or a kernel that never ends (STUCK_AFTER) is noticed.
    A passed deadline or a kernel that never ends marks the launcher `stuck`: its memory is then
    left to the driver (freeing it would wait for the kernel)."""
    from hvm.errors import LimitError

    start = time.monotonic()
    pause = 0.0
    while not done():
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            launcher.stuck = True
            raise LimitError("time limit reached while a GPU kernel was running; raise --timeout")
        if now - start > STUCK_AFTER:
            launcher.stuck = True
            raise HvmError(f"a GPU kernel ran for more than {STUCK_AFTER:g}s without finishing a turn",
                           hint="this is a bug of the GPU runtime; `hvm run-c` runs the same net")
        time.sleep(pause)
        pause = min(0.001, pause + 0.00002)


def choose_arch(cc: tuple[int, int]) -> str:
    """The PTX target for a device: its own architecture when the kernels are built for it,
    else the newest one below it (a driver JIT-compiles PTX for newer GPUs)."""
    from hvm.cuda.ptx import ARCHS

    forced = os.environ.get("HVM_CUDA_ARCH")
    if forced:
        return forced
    mine = cc[0] * 10 + cc[1]
    usable = [a for a in ARCHS if int(a[3:]) <= mine]
    return usable[-1] if usable else ARCHS[0]


# -- the host emulation

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.pthread_barrier_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint]
_libc.pthread_barrier_destroy.argtypes = [ctypes.c_void_p]
_PROT_RW, _MAP_ANON_NORESERVE = 0x1 | 0x2, 0x02 | 0x20 | 0x4000
_host_kernels = None


def host_kernels():
    """(turn, gather, thread): the grid_ir "host" module, compiled for this CPU (cached on disk)."""
    global _host_kernels
    if _host_kernels is None:
        from hvm import jit
        from hvm.cuda.grid_ir import build_module

        obj = jit.object_code(lambda: str(build_module("host")), ["cuda-host"], 2)
        addresses = jit.load(obj, ["hvm_host_turn", "hvm_host_gather", "hvm_host_thread"])
        u64 = ctypes.c_uint64
        turn = ctypes.CFUNCTYPE(None, u64, u64, u64, u64)(addresses["hvm_host_turn"])
        gather = ctypes.CFUNCTYPE(None, u64)(addresses["hvm_host_gather"])
        thread = ctypes.CFUNCTYPE(None, u64, u64, u64, u64, u64, u64, u64)(addresses["hvm_host_thread"])
        _host_kernels = (turn, gather, thread)
    return _host_kernels


class HostLauncher:
    """The GPU runtime's kernels run on this CPU: blocks one after the other, and within a block
    each phase for every thread in turn, the end of a phase standing for the barrier. Device
    memory is this process's memory. Same algorithm, same results and counts as a GPU.

    `threaded=True` runs every GPU thread of the grid on an OS thread of its own instead, all
    at once, each block's threads meeting at real barriers: the interleavings of a GPU (as far
    as this CPU's memory order allows), to find races a sequential emulation cannot."""

    name = "host"

    def __init__(self, sm_count: int = 2, threaded: bool = False):
        self.sm_count = sm_count
        self.threaded = threaded
        self.maps: dict[int, int] = {}
        self.shared = 0
        self.shared_size = 0

    def info(self) -> DeviceInfo:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return DeviceInfo("host emulation", (0, 0), self.sm_count, 1 << 20, 1 << 20, total // 2, total)

    def load(self) -> None:
        host_kernels()

    def alloc(self, nbytes: int) -> int:
        from hvm.errors import LimitError

        size = max(nbytes, 1)
        addr = _libc.mmap(None, size, _PROT_RW, _MAP_ANON_NORESERVE, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise LimitError(f"could not reserve {size} bytes of memory", hint="lower --mem")
        self.maps[addr] = size
        return addr

    def free(self, ptr: int) -> None:
        size = self.maps.pop(ptr, None)
        if size is not None:
            _libc.munmap(ptr, size)

    def write(self, ptr: int, data: bytes) -> None:
        ctypes.memmove(ptr, data, len(data))

    def read(self, ptr: int, nbytes: int) -> bytes:
        return ctypes.string_at(ptr, nbytes)

    def turn(self, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None = None) -> None:
        need = shared * (blocks if self.threaded else 1)
        if need > self.shared_size:
            if self.shared:
                self.free(self.shared)
            self.shared, self.shared_size = self.alloc(need), need
        if not self.threaded:
            host_kernels()[0](gnet, self.shared, blocks, threads)
            return
        import threading

        from hvm.cuda.layout import SYNC_BYTES

        syncs = self.alloc(blocks * SYNC_BYTES)
        try:
            for bid in range(blocks):
                _libc.pthread_barrier_init(ctypes.c_void_p(syncs + bid * SYNC_BYTES), None, threads)
            run = host_kernels()[2]
            workers = [threading.Thread(target=run, args=(gnet, self.shared + bid * shared, tid, bid, threads, blocks,
                                                          syncs + bid * SYNC_BYTES))
                       for bid in range(blocks) for tid in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        finally:
            for bid in range(blocks):
                _libc.pthread_barrier_destroy(ctypes.c_void_p(syncs + bid * SYNC_BYTES))
            self.free(syncs)

    def gather(self, gnet: int) -> None:
        host_kernels()[1](gnet)

    def close(self) -> None:
        pass
