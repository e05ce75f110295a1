"""Benchmarks: each measures a ratio against a baseline in the same run (DESIGN.md §6)."""
