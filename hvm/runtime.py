"""The contract every backend keeps, and the registry of backends.

In:  a validated hvm.Book, the entry name, thread count and memory limit.
Out: RunResult(tree, stats): the normal form read back at ROOT, and statistics that every
     backend fills the same way (interactions per rule, wall time, peak nodes).

    backend = get_backend("py")
    result = backend.run(book, threads=1, memory=64 << 20)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

from hvm.book import Book, Net, Tree

# `memory` limits count a node (two 32-bit ports) and a variable (one port) per slot
BYTES_PER_SLOT = 12


@dataclass(slots=True)
class Stats:
    rules: dict[str, int] = field(default_factory=dict)  # interactions per rule name
    seconds: float = 0.0
    peak_nodes: int = 0
    threads: int = 1
    extra: dict[str, int] = field(default_factory=dict)  # a backend's own figures (GPU: turns, leaks)

    @property
    def interactions(self) -> int:
        return sum(n for rule, n in self.rules.items() if rule != "LINK")

    @property
    def mips(self) -> float:
        return self.interactions / self.seconds / 1e6 if self.seconds > 0 else 0.0


@dataclass(slots=True)
class RunResult:
    tree: Tree
    stats: Stats


class Backend(Protocol):
    name: str

    def run(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
            boot: Net | None = None, **options) -> RunResult:
        """Reduce `@entry` to normal form. Raises hvm.errors.LimitError when a limit is hit.

        `boot`: reduce this net instead (its root is the result; its references are to the
        book's definitions that `@entry` reaches): how an IO program resumes after an effect.
        `threads=None` and `memory=None` mean the backend's defaults; `options` are the
        backend's own (e.g. `use_cache` for the native runtime).
        """
        ...


def format_size(n: int) -> str:
    """Bytes as the shortest exact `--mem` text: 64M, 2G, 1536K, 100B."""
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return f"{n}B"


def parse_size(text: str) -> int:
    """`64M`, `2G`, `512K`, `1000` (bytes) -> bytes. Raises ValueError."""
    units = {"K": 10, "M": 20, "G": 30, "T": 40}
    t = text.strip().upper().removesuffix("B") or "x"
    shift = units.get(t[-1], 0)
    digits = t[:-1] if t[-1] in units else t
    if not digits.isdigit() or int(digits) == 0:
        raise ValueError(f"`{text}` is not a size (examples: 64M, 2G, 512K)")
    return int(digits) << shift


# name -> "module:class"; imported on first use so that `--help` stays fast.
BACKENDS = {
    "py": "hvm.reference:ReferenceBackend",
    "c": "hvm.llvm_cpu.backend:NativeBackend",
    "cu": "hvm.cuda.backend:CudaBackend",
}


def get_backend(name: str) -> Backend:
    module_name, class_name = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)()
