"""Bend: a high-level, massively parallel functional language compiled to HVM2 nets.

From Python (see docs/python-api.md):

    import bend
    bend.run("def main(n):\n  return n * 2\n", 21)   # 42
    bend.run_file("sum.bend", 20, threads=4)

`run`, `run_file`, `Term`, `CompileError` and `RuntimeLimit` come from bend.api, imported on first
use: `import bend` stays cheap for the command line.
"""

__all__ = ["run", "run_file", "Term", "CompileError", "RuntimeLimit"]


def __getattr__(name: str):
    if name in __all__:
        from bend import api

        return getattr(api, name)
    raise AttributeError(f"module 'bend' has no attribute {name!r}")
