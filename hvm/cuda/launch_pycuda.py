"""The PyCUDA launcher (`pip install 'bend-hvm[cuda]'`): the same kernels through PyCUDA.

In:  nothing (device 0 of the machine).
Out: a Launcher (hvm.cuda.launch) over PyCUDA's driver module; NoGpu, with the reason, when
     PyCUDA is missing or finds no driver or device. PyCUDA loads our PTX as it is
     (`module_from_buffer`): it never runs nvcc here.
"""

from __future__ import annotations

import atexit

from hvm.cuda.launch import DeviceInfo, NoGpu, choose_arch, wait_for
from hvm.errors import HvmError, LimitError

def import_driver():
    try:
        import pycuda.driver as driver
    except Exception as err:  # without libcuda, PyCUDA's extension fails to load: an ImportError too
        if isinstance(err, ModuleNotFoundError) and err.name in ("pycuda", "pycuda.driver"):
            raise NoGpu("PyCUDA is not installed") from None
        raise NoGpu(f"PyCUDA cannot load: {str(err).splitlines()[0]}") from None
    return driver


class PyCudaLauncher:
    name = "pycuda"

    def __init__(self):
        self.drv = drv = import_driver()
        try:
            drv.init()
            if drv.Device.count() == 0:
                raise NoGpu("the driver sees no CUDA device")
            self.device = drv.Device(0)
            self.context = self.device.retain_primary_context()
            self.context.push()
            atexit.register(self.context.pop)  # PyCUDA aborts the process at exit if a context is left pushed
            self.stream = drv.Stream()
        except drv.Error as err:
            raise NoGpu(f"PyCUDA: {str(err).splitlines()[0]}") from None
        self.module = None
        self.kernels: dict[str, object] = {}
        self.allocations: dict[int, object] = {}
        self.shared_set = 0
        self.stuck = False

    def call(self, what: str, fn, *args, **kwargs):
        """`fn(*args)`, a PyCUDA error turned into an HvmError naming what failed."""
        drv = self.drv
        try:
            return fn(*args, **kwargs)
        except drv.MemoryError as err:
            raise LimitError(f"out of GPU memory: {what} failed ({err})", hint="lower --mem") from None
        except drv.Error as err:
            raise HvmError(f"the GPU failed: {what}: {str(err).splitlines()[0]}") from None

    def info(self) -> DeviceInfo:
        drv, dev = self.drv, self.device
        attr = drv.device_attribute
        free, total = self.call("mem_get_info", drv.mem_get_info)
        return DeviceInfo(
            name=dev.name(),
            compute_capability=tuple(dev.compute_capability()),
            sm_count=dev.get_attribute(attr.MULTIPROCESSOR_COUNT),
            shared_per_block=dev.get_attribute(attr.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
            shared_per_sm=dev.get_attribute(attr.MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
            free_memory=int(free), total_memory=int(total),
        )

    def load(self) -> None:
        if self.module is not None:
            return
        from hvm.cuda.ptx import ptx

        code = ptx(choose_arch(self.info().compute_capability))
        self.module = self.call("module_from_buffer", self.drv.module_from_buffer, code.text.encode())
        for name in ("hvm_turn", "hvm_gather"):
            self.kernels[name] = self.call("get_function", self.module.get_function, name)

    def alloc(self, nbytes: int) -> int:
        allocation = self.call(f"allocating {nbytes} bytes", self.drv.mem_alloc, max(nbytes, 1))
        ptr = int(allocation)
        self.allocations[ptr] = allocation
        self.call("memset_d8", self.drv.memset_d8, ptr, 0, max(nbytes, 1))
        return ptr

    def free(self, ptr: int) -> None:
        if self.stuck:  # keep it: PyCUDA frees an allocation it drops, which would wait for the stuck kernel
            return
        allocation = self.allocations.pop(ptr, None)
        if allocation is not None:
            self.call("free", allocation.free)

    def write(self, ptr: int, data: bytes) -> None:
        if data:
            self.call("memcpy_htod", self.drv.memcpy_htod, ptr, bytes(data))

    def read(self, ptr: int, nbytes: int) -> bytes:
        import numpy

        buf = numpy.empty(nbytes, dtype=numpy.uint8)
        if nbytes:
            self.call("memcpy_dtoh", self.drv.memcpy_dtoh, buf, ptr)
        return buf.tobytes()

    def launch(self, name: str, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None) -> None:
        import numpy

        kernel = self.kernels[name]
        if shared > 48 << 10 and shared > self.shared_set:  # above 48K, a kernel must opt in
            self.call("set_attribute", kernel.set_attribute,
                      self.drv.function_attribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, shared)
            self.shared_set = shared
        self.call(f"launching {name}", kernel, numpy.uint64(gnet), block=(threads, 1, 1), grid=(blocks, 1, 1),
                  shared=shared, stream=self.stream)
        wait_for(self, lambda: self.call("running a kernel", self.stream.is_done), deadline)
        self.call("running a kernel", self.stream.synchronize)  # raises the kernel's error, if any

    def turn(self, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None = None) -> None:
        self.launch("hvm_turn", gnet, blocks, threads, shared, deadline)

    def gather(self, gnet: int) -> None:
        self.launch("hvm_gather", gnet, 1, 1, 0, None)

    def close(self) -> None:
        """Nothing to do between runs (the context and the kernels stay loaded)."""
