-- A session-private staging table shaped like the target, dropped when the batch's transaction ends.
CREATE TEMP TABLE stage_clean_upi_transactions
    (LIKE clean_upi_transactions INCLUDING DEFAULTS)
    ON COMMIT DROP;
