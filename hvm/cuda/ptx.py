"""PTX for the GPU runtime's kernels, made by llvmlite's NVPTX target and cached on disk.

In:  a GPU architecture (`sm_90`, ...).
Out: the PTX text of hvm.cuda.grid_ir's "nvptx" module, which any CUDA driver loads
     (`cuModuleLoadData`): no CUDA compiler is needed at run time. The f24 operators that call
     the C library (atan2, log, pow, sin, tan, fmodf) use libdevice, CUDA's math library in LLVM
     bitcode, when one is found (a CUDA toolkit, `$HVM_LIBDEVICE`, or NVIDIA's pip packages);
     without it the PTX says so (`has_math`), and the backend refuses nets with f24 numbers.

The kernels do not depend on the book (definitions are data in device memory), so the PTX is
made once per architecture and cached: $HVM_CACHE_DIR/<hash>.ptx, the hash covering the
generator's sources, llvmlite's version, the architecture and the libdevice used.
"""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from hvm import jit

ARCHS = ("sm_80", "sm_86", "sm_89", "sm_90")  # what the kernels are built and tested for
DEFAULT_ARCH = "sm_80"


def libdevice_candidates() -> list[Path]:
    found = []
    if os.environ.get("HVM_LIBDEVICE"):
        found.append(Path(os.environ["HVM_LIBDEVICE"]))
    for var in ("CUDA_HOME", "CUDA_PATH"):
        if os.environ.get(var):
            found.append(Path(os.environ[var]) / "nvvm" / "libdevice" / "libdevice.10.bc")
    found += [Path(p) for p in sorted(glob.glob("/usr/local/cuda*/nvvm/libdevice/libdevice.10.bc"))]
    try:
        import nvidia  # NVIDIA's pip packages (nvidia-cuda-nvcc-*, cuda-toolkit)

        for root in nvidia.__path__:
            found += [Path(p) for p in sorted(glob.glob(f"{root}/**/libdevice.10.bc", recursive=True))]
    except ImportError:
        pass
    return found


def find_libdevice() -> Path | None:
    return next((p for p in libdevice_candidates() if p.is_file()), None)


@dataclass(frozen=True)
class Ptx:
    text: str
    arch: str
    has_math: bool  # the f24 operators that need libdevice work


def build_ptx(arch: str, libdevice: Path | None) -> str:
    """Build, link libdevice (if any), optimise (O3) and emit PTX."""
    from hvm.cuda.grid_ir import NVPTX_TRIPLE, build_module

    binding = jit.llvm()
    binding.initialize_all_targets()
    binding.initialize_all_asmprinters()
    context = binding.create_context()
    mod = binding.parse_assembly(str(build_module("nvptx", libdevice is not None)), context=context)
    if libdevice is not None:
        lib = binding.parse_bitcode(libdevice.read_bytes(), context=context)
        lib.triple = mod.triple
        mod.link_in(lib)
    for fn in mod.functions:  # everything but the kernels may be inlined away or dropped
        if not fn.is_declaration and fn.name not in ("hvm_turn", "hvm_gather"):
            fn.linkage = "internal"
    mod.verify()
    tm = binding.Target.from_triple(NVPTX_TRIPLE).create_target_machine(cpu=arch, opt=3)
    mod.data_layout = str(tm.target_data)
    pb = binding.create_pass_builder(tm, binding.create_pipeline_tuning_options(speed_level=3))
    pb.getModulePassManager().run(mod, pb)
    return tm.emit_assembly(mod)


def ptx(arch: str = DEFAULT_ARCH, use_cache: bool = True) -> Ptx:
    """The kernels' PTX for `arch`, from the cache when it is there."""
    import llvmlite

    libdevice = find_libdevice()
    h = hashlib.sha256()
    for part in ("ptx", arch, str(libdevice), jit.generator_hash(), llvmlite.__version__):
        h.update(part.encode() + b"\0")
    path = jit.cache_dir() / f"{h.hexdigest()}.ptx"
    cached = jit.read_cached(path) if use_cache else None  # (checked; a damaged entry is removed)
    if cached is not None:
        text = cached.decode()
    else:
        text = build_ptx(arch, libdevice)
        if use_cache:
            jit.store(path, text.encode())
    return Ptx(text, arch, libdevice is not None)
