-- Share of transactions by the payer's PSP (the app the payment was made from).
SELECT coalesce(payer_psp, 'UNKNOWN') AS payer_psp, count(*) AS transactions
FROM clean_upi_transactions
WHERE $__timeFilter(event_time)
GROUP BY 1
ORDER BY transactions DESC, payer_psp
