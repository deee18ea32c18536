"""Benchmark of the messages API beside the seed's Go stack: ``python -m bench`` (see docs/performance.md)."""
