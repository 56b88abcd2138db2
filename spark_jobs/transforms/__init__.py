"""Pure DataFrame transforms (DataFrame in, DataFrame out; no I/O), in data-flow order:
``bronze`` (Kafka record → bronze row), ``validate`` (bronze row → typed event + reason),
``dedup`` (drop redeliveries within the watermark)."""
