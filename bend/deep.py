"""Room to recurse for the Bend compiler's passes (the same helper as hvm.deep)."""

from hvm.deep import deep

__all__ = ["deep"]
