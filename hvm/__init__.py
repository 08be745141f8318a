"""HVM2 interaction nets: the net language, exact numbers, and the runtimes that reduce nets."""
