-- Share of transactions by the payer's bank.
SELECT coalesce(payer_bank, 'UNKNOWN') AS payer_bank, count(*) AS transactions
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
GROUP BY 1
ORDER BY transactions DESC, payer_bank
