"""What every desugaring pass may consult: the program's data types, options, diagnostics.

In:  built once by bend.desugar.pipeline from a loaded program.
Out: a Ctx handed to each pass with the book.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from bend import ast
from bend.desugar.terms import Fresh
from bend.diagnostics import Diagnostics


@dataclass
class Options:
    """The compiler's `-O` switches, with Bend 0.2.38's names and defaults (docs/cli.md)."""

    eta: bool = True
    float_combinators: bool = True
    linearize_matches: bool = True  # every variable an arm uses from outside (Bend's default)
    linearize_matches_alt: bool = False  # only the binders just before a match (bend.desugar.linearize_match_binds)
    prune: bool = False
    type_check: bool = True
    merge: bool = False
    inline: bool = False
    check_net_size: bool = False  # (Bend's code has it on; our runtimes run nets of any size)
    adt_encoding: str = "num-scott"  # or "scott"
    # told each stage's name as it starts (`bend -v`); not an -O switch
    trace: object = field(default=None, compare=False, repr=False)

    # Every name `-O` takes, as Bend 0.2.38's `bend` lists them.
    NAMES = ("all", "no-all", "eta", "no-eta", "prune", "no-prune", "linearize-matches", "linearize-matches-alt",
             "no-linearize-matches", "float-combinators", "no-float-combinators", "merge", "no-merge", "inline",
             "no-inline", "check-net-size", "no-check-net-size", "adt-scott", "adt-num-scott", "type-check",
             "no-type-check")
    # What `all` turns on and `no-all` off (as Bend: not check-net-size, nor the encoding;
    # `no-all` keeps type-check).
    ALL = ("eta", "prune", "float_combinators", "merge", "inline", "linearize_matches")

    def set(self, text: str) -> None:
        """Apply one name of NAMES; raises ValueError for any other."""
        if text not in self.NAMES:
            close = difflib.get_close_matches(text, self.NAMES, n=1)
            tip = f" (did you mean `{close[0]}`?)" if close else ""
            raise ValueError(f"unknown option `-O{text}`{tip}; the options: {', '.join(self.NAMES)}")
        if text == "all":
            for name in self.ALL:
                setattr(self, name, True)
            self.linearize_matches_alt = False
            self.type_check = True
        elif text == "no-all":
            for name in self.ALL:
                setattr(self, name, False)
            self.linearize_matches_alt = False
        elif text.startswith("adt-"):
            self.adt_encoding = text.removeprefix("adt-")
        elif text.startswith("linearize-matches") or text == "no-linearize-matches":
            self.linearize_matches = text == "linearize-matches"
            self.linearize_matches_alt = text == "linearize-matches-alt"
        else:
            on = not text.startswith("no-")
            setattr(self, text.removeprefix("no-").replace("-", "_"), on)


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
    # the canonical names of the definitions the program's own file makes (not imported ones)
    own_defs: set = field(default_factory=set)
    # the program (bend.frontend.loader.Program) and the command line's terms for its entry point
    program: object = None
    args: list = field(default_factory=list)
    # how many of them the entry point was applied to (bend.desugar.apply_args)
    entry_args: int = 0

    def __post_init__(self):
        self.refresh_ctors()

    def refresh_ctors(self) -> None:
        self.ctors = {c.name: (adt, c, i) for adt in self.book.adts.values() for i, c in enumerate(adt.ctors)}
