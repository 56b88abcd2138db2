"""Reads and writes of the Spark jobs: Kafka source, Delta tables, Postgres sink."""
