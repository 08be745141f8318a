"""Room to recurse: run a function on a thread with a large stack and a high recursion limit.

In:  a function and its arguments.
Out: its result (or its exception, raised again in the caller's thread).

The Bend parsers, checks, passes and printers, and the native runtime's code generator,
recurse over a program's structure, and programs nest as deep as their authors write them (a
long chain of statements is a chain of `let`s, and a deep tree in a net). Python's
default limits (1,000 frames, an 8 MB thread stack) would stop a few hundred levels down.
"""

from __future__ import annotations

import gc
import sys
import threading

STACK_BYTES = 1 << 30  # virtual memory: only the pages the recursion touches are used
RECURSION_LIMIT = 10_000_000
_local = threading.local()


def deep(fn, *args, **kwargs):
    if getattr(_local, "inside", False):  # already on a deep thread
        return fn(*args, **kwargs)
    result: list = []
    errors: list = []

    def target():
        _local.inside = True
        try:
            result.append(fn(*args, **kwargs))
        except BaseException as err:  # handed back to the calling thread
            errors.append(err)

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    collecting = gc.isenabled()
    gc.disable()  # (the work makes millions of small objects, and no cycles worth the collector's scans)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
        if collecting:
            gc.enable()
    if errors:
        raise errors[0]
    return result[0]
