-- Rows in the warehouse's transaction table (one per txn_id) whose latest state came from one topic.
SELECT count(*) FROM clean_upi_transactions WHERE kafka_topic = %(topic)s;
