"""The cuda-python launcher: NVIDIA's `cuda-bindings` (driver API), as wheels on PyPI.

In:  nothing (device 0 of the machine).
Out: a Launcher (hvm.cuda.launch) over the CUDA driver API; NoGpu, with the reason, when there
     is no binding, no driver or no device.

Every driver call returns `(CUresult, values...)`; `check` turns a failure into an HvmError
naming the call and CUDA's error. A turn is launched on a stream of its own and waited for by
polling (`cuStreamQuery`, hvm.cuda.launch.wait_for).
"""

from __future__ import annotations

import ctypes

from hvm.cuda.launch import DeviceInfo, NoGpu, choose_arch, wait_for
from hvm.errors import HvmError, LimitError

def import_driver():
    try:
        from cuda.bindings import driver
    except ImportError:
        try:
            from cuda import cuda as driver  # cuda-python before 12.6
        except ImportError:
            raise NoGpu("cuda-python is not installed") from None
    return driver


class CudaPythonLauncher:
    name = "cuda-python"

    def __init__(self):
        self.cu = cu = import_driver()
        try:
            result = cu.cuInit(0)
        except Exception as err:  # no libcuda: cuda-bindings raises its own error types
            if "NotFound" in type(err).__name__ or "driver library" in str(err):
                raise NoGpu("no NVIDIA driver: libcuda is not installed") from None
            raise NoGpu(f"the NVIDIA driver cannot start: {str(err).splitlines()[0]}") from None
        if result[0] != cu.CUresult.CUDA_SUCCESS:
            raise NoGpu(f"cuInit failed: {self.error_name(result[0])}")
        count = self.check(cu.cuDeviceGetCount(), "cuDeviceGetCount")
        if count == 0:
            raise NoGpu("the driver sees no CUDA device")
        self.device = self.check(cu.cuDeviceGet(0), "cuDeviceGet")
        self.context = self.check(cu.cuDevicePrimaryCtxRetain(self.device), "cuDevicePrimaryCtxRetain")
        self.check(cu.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        self.stream = self.check(cu.cuStreamCreate(0), "cuStreamCreate")
        self.module = None
        self.kernels: dict[str, object] = {}
        self.shared_set = 0
        self.stuck = False

    # -- errors

    def error_name(self, code) -> str:
        try:
            err, text = self.cu.cuGetErrorName(code)
            return text.decode() if isinstance(text, bytes) else str(text)
        except Exception:
            return str(code)

    def check(self, result, what: str):
        """The values of a driver call's result tuple, or an HvmError naming the failure."""
        code, *values = result if isinstance(result, tuple) else (result,)
        if code != self.cu.CUresult.CUDA_SUCCESS:
            name = self.error_name(code)
            if code == self.cu.CUresult.CUDA_ERROR_OUT_OF_MEMORY:
                raise LimitError(f"out of GPU memory: {what} failed ({name})", hint="lower --mem")
            raise HvmError(f"the GPU failed: {what}: {name}")
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)

    # -- the interface

    def info(self) -> DeviceInfo:
        cu, dev = self.cu, self.device
        attr = cu.CUdevice_attribute

        def get(name):
            return self.check(cu.cuDeviceGetAttribute(getattr(attr, name), dev), "cuDeviceGetAttribute")

        name = self.check(cu.cuDeviceGetName(256, dev), "cuDeviceGetName")
        name = name.split(b"\0", 1)[0].decode() if isinstance(name, bytes) else str(name)
        free, total = self.check(cu.cuMemGetInfo(), "cuMemGetInfo")
        return DeviceInfo(
            name=name,
            compute_capability=(get("CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR"),
                                get("CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR")),
            sm_count=get("CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"),
            shared_per_block=get("CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"),
            shared_per_sm=get("CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR"),
            free_memory=int(free), total_memory=int(total),
        )

    def load(self) -> None:
        if self.module is not None:
            return
        from hvm.cuda.ptx import ptx

        code = ptx(choose_arch(self.info().compute_capability))
        image = ctypes.create_string_buffer(code.text.encode())  # NUL-terminated
        self.module = self.check(self.cu.cuModuleLoadData(ctypes.addressof(image)), "cuModuleLoadData")
        for name in ("hvm_turn", "hvm_gather"):
            self.kernels[name] = self.check(self.cu.cuModuleGetFunction(self.module, name.encode()),
                                            "cuModuleGetFunction")

    def alloc(self, nbytes: int) -> int:
        ptr = self.check(self.cu.cuMemAlloc(max(nbytes, 1)), f"allocating {nbytes} bytes")
        self.check(self.cu.cuMemsetD8(ptr, 0, max(nbytes, 1)), "cuMemsetD8")
        return int(ptr)

    def free(self, ptr: int) -> None:
        if not self.stuck:
            self.check(self.cu.cuMemFree(ptr), "cuMemFree")

    def write(self, ptr: int, data: bytes) -> None:
        if data:
            src = ctypes.create_string_buffer(bytes(data), len(data))
            self.check(self.cu.cuMemcpyHtoD(ptr, ctypes.addressof(src), len(data)), "cuMemcpyHtoD")

    def read(self, ptr: int, nbytes: int) -> bytes:
        buf = ctypes.create_string_buffer(max(nbytes, 1))
        if nbytes:
            self.check(self.cu.cuMemcpyDtoH(ctypes.addressof(buf), ptr, nbytes), "cuMemcpyDtoH")
        return buf.raw[:nbytes]

    def launch(self, name: str, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None) -> None:
        cu = self.cu
        kernel = self.kernels[name]
        if shared > 48 << 10 and shared > self.shared_set:  # above 48K, a kernel must opt in
            attr = cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
            self.check(cu.cuFuncSetAttribute(kernel, attr, shared), "cuFuncSetAttribute")
            self.shared_set = shared
        arg = ctypes.c_uint64(gnet)
        params = (ctypes.c_void_p * 1)(ctypes.addressof(arg))
        self.check(cu.cuLaunchKernel(kernel, blocks, 1, 1, threads, 1, 1, shared, self.stream,
                                     ctypes.addressof(params), 0), f"launching {name}")
        self.wait(deadline)

    def wait(self, deadline: float | None) -> None:
        cu = self.cu

        def done() -> bool:
            code = cu.cuStreamQuery(self.stream)
            code = code[0] if isinstance(code, tuple) else code
            if code == cu.CUresult.CUDA_ERROR_NOT_READY:
                return False
            self.check((code,), "running a kernel")  # the kernel's own error, if any
            return True

        wait_for(self, done, deadline)

    def turn(self, gnet: int, blocks: int, threads: int, shared: int, deadline: float | None = None) -> None:
        self.launch("hvm_turn", gnet, blocks, threads, shared, deadline)

    def gather(self, gnet: int) -> None:
        self.launch("hvm_gather", gnet, 1, 1, 0, None)

    def close(self) -> None:
        """Nothing to do between runs (the context and the kernels stay loaded)."""
