"""Small Kafka administration helpers shared by the stack, the generator and the tests."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError


def ensure_topic(bootstrap: str, topic: str, partitions: int) -> bool:
    """Create ``topic`` unless it exists; return whether it was created now.

    Example::

        >>> ensure_topic("127.0.0.1:19092", "upi_transactions", 2)   # doctest: +SKIP
        False
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    try:
        if topic in admin.list_topics():
            return False
        try:
            admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
        except TopicAlreadyExistsError:
            return False
        return True
    finally:
        admin.close()


def delete_topics(bootstrap: str, topics: list[str]) -> None:
    """Delete those of ``topics`` that exist."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=60_000)
    try:
        present = set(admin.list_topics())
        doomed = [topic for topic in topics if topic in present]
        if doomed:
            admin.delete_topics(doomed)
    finally:
        admin.close()


def topic_size(bootstrap: str, topic: str) -> int:
    """How many records ``topic`` holds now (sum over partitions of end offset - beginning offset)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(partitions)
        starts = consumer.beginning_offsets(partitions)
        return sum(ends[p] - starts[p] for p in partitions)
    finally:
        consumer.close()
