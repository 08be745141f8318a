"""What every desugaring pass may consult: the program's data types, options, diagnostics.

In:  built once by bend.desugar.pipeline from a loaded program.
Out: a Ctx handed to each pass with the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bend import ast
from bend.desugar.terms import Fresh
from bend.diagnostics import Diagnostics


@dataclass
class Options:
    """The compiler's `-O` switches (Bend's names; see notes §5.5)."""

    eta: bool = True
    float_combinators: bool = True
    linearize_matches: bool = True
    prune: bool = False
    type_check: bool = True

    NAMES = ("eta", "float-combinators", "linearize-matches", "prune", "type-check")

    def set(self, text: str) -> None:
        """Apply `eta`, `no-eta`, `all`, `no-all`, ...; raises ValueError for an unknown name."""
        on = not text.startswith("no-")
        name = text.removeprefix("no-")
        if name == "all":
            for n in self.NAMES:
                setattr(self, n.replace("-", "_"), on)
            return
        if name not in self.NAMES:
            raise ValueError(f"unknown option `-O{text}`; options: {', '.join(self.NAMES)}, all "
                             "(each also as no-<name>)")
        setattr(self, name.replace("-", "_"), on)


@dataclass
class Ctx:
    book: ast.Book
    diagnostics: Diagnostics
    entry: str = "main"
    options: Options = field(default_factory=Options)
    fresh: Fresh = field(default_factory=Fresh)
    # canonical constructor name -> (its Adt, the Ctor, its index: the tag under num-scott)
    ctors: dict = field(default_factory=dict)
    # variable name -> position in binding order (filled by bend.desugar.unique_names)
    var_order: dict = field(default_factory=dict)

    def __post_init__(self):
        self.refresh_ctors()

    def refresh_ctors(self) -> None:
        self.ctors = {c.name: (adt, c, i) for adt in self.book.adts.values() for i, c in enumerate(adt.ctors)}
