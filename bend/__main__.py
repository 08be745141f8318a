"""`python -m bend` runs the `bend` command."""

from bend.start import main

main()
