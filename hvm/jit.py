"""From LLVM IR to callable machine code, with an on-disk cache of compiled objects (used by the
native CPU runtime, and by the GPU runtime for PTX and for its host emulation of the grid).

In:  a function that builds a module's IR text, and what that IR is made from.
Out: the addresses of its exported functions, loaded into this process with LLVM's ORC JIT.

Compiled objects are cached under $HVM_CACHE_DIR (default: $XDG_CACHE_HOME/bend-hvm, else
~/.cache/bend-hvm). The key hashes everything the IR text is a function of: the inputs
(a book, the mode), the source of the IR generators (this package, hvm.numbers, ...), and
then llvmlite's version, the optimisation level and the host CPU with its features. So a
second run of the same net neither builds IR nor runs LLVM: it loads the object (about a
millisecond). Loaded code stays loaded for the life of the process (one JIT per object).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_loaded: dict[str, tuple] = {}  # object hash -> (jit, library): kept alive while the process runs
_llvm = None


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


def cache_dir() -> Path:
    root = os.environ.get("HVM_CACHE_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bend-hvm"


def target_machine(opt: int = 3):
    binding = llvm()
    target = binding.Target.from_default_triple()
    return target.create_target_machine(
        cpu=binding.get_host_cpu_name(), features=binding.get_host_cpu_features().flatten(),
        opt=opt, reloc="pic", codemodel="default",
    )


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

    binding = llvm()
    h = hashlib.sha256()
    for part in (*parts, generator_hash(), llvmlite.__version__, str(opt), binding.get_host_cpu_name(),
                 binding.get_host_cpu_features().flatten()):
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
    path = cache_path(key_parts, opt)
    if use_cache and path.exists():
        return path.read_bytes()
    obj = compile_ir(build_ir(), opt)
    if use_cache:
        store(path, obj)
    return obj


def store(path: Path, obj: bytes) -> None:
    """Write a compiled object into the cache, atomically (readers see all of it or nothing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(obj)
        os.replace(tmp.name, path)
    except OSError:
        pass  # an unwritable cache only costs the next run a compile


def load(obj: bytes, symbols: list[str]) -> dict[str, int]:
    """Load an object into the process; the addresses of `symbols`."""
    key = hashlib.sha256(obj).hexdigest()
    if key not in _loaded:
        binding = llvm()
        # JITLink: an object's sections are placed together; RuntimeDyld could place them more
        # than 2 GB apart in a long-running process and abort on a 32-bit relocation
        jit = binding.create_lljit_compiler(target_machine(), use_jit_link=True)
        builder = binding.JITLibraryBuilder().add_object_img(obj).add_current_process()
        for name in symbols:
            builder.export_symbol(name)
        library = builder.link(jit, f"hvm_{key[:16]}")
        _loaded[key] = (jit, library, {})
    jit, library, addresses = _loaded[key]
    for name in symbols:
        if name not in addresses:
            addresses[name] = library[name]
    return {name: addresses[name] for name in symbols}
