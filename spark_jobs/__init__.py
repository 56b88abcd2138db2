"""Spark jobs of the lakehouse. Pure DataFrame transforms live in ``transforms``, reads and writes in ``io``."""
