"""Benchmarks of every solver backend on the synthetic examples, a scale curve and a stress case.

Run ``python -m benchmarks --help``; what is measured and how is in ``benchmarks/PROTOCOL.md``,
the results are in ``benchmarks/results/``.
"""
