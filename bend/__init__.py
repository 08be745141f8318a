"""Bend: a high-level, massively parallel functional language compiled to HVM2 nets."""
