"""`python -m bend` runs the `bend` command."""

from bend.cli import main

main()
