"""`python -m hvm` is the `hvm` command."""

from hvm.cli import main

main()
