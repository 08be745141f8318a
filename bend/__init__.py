"""Bend: a high-level, massively parallel functional language compiled to HVM2 nets.

From Python (see docs/python-api.md):

    import bend
    bend.run("def main(n):\n  return n * 2\n", 21)   # 42
    bend.run_file("sum.bend", 20, threads=4)
    prog = bend.compile("sum.bend")                  # once; then call any definition
    prog.sum_tree(20), prog.call("List/sum", [1, 2])

The API (`run`, `run_file`, `compile`, `Program`, `Term`, `CompileError`, `RuntimeLimit`, the
prelude's types `Maybe`, `Result`, `Nat`, `Tree`, ...) comes from bend.api, imported on first
use: `import bend` stays cheap for the command line.
"""

__all__ = ["run", "run_file", "compile", "Program", "Function", "Term", "CompileError", "RuntimeLimit",
           "UnknownName", "Data", "Maybe", "Result", "Nat", "Tree", "run_compiled", "Outcome"]


def __getattr__(name: str):
    if name in __all__:
        from bend import api

        return getattr(api, name)
    raise AttributeError(f"module 'bend' has no attribute {name!r}")
