"""Benchmarks: ``make bench`` (``python -m bench``) runs them and prints a table and JSON.

Each benchmark measures the project's code next to a baseline run in the same
process, and reports ratios, never absolute pass/fail times.
"""
