"""Benchmarks of the pipeline on the local stack (``make bench``; not part of ``make test``).

Each one measures its baseline in the same run, because this machine is shared and noisy, and writes
``benchmarks/results/<name>.json`` and ``<name>.png``; ``docs/benchmarks.md`` is rendered from the JSON.
"""
