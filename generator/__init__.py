"""Synthetic UPI traffic: ``events`` makes records (pure, seeded), ``producer`` sends them to Kafka or a file."""
