-- Rows in the warehouse's transaction table (one per txn_id).
SELECT count(*) FROM clean_upi_transactions;
