-- PSP and bank: share of the days' transactions and success rate (gold).
SELECT
    payer_psp,
    payer_bank,
    sum(txn_count) AS transactions,
    sum(txn_count)::float8 / sum(sum(txn_count)) OVER () AS share,
    sum(success_count)::float8 / nullif(sum(success_count + failed_count), 0) AS success_rate
FROM gold_daily_psp_bank
WHERE event_date BETWEEN ist_day($__timeFrom()) AND ist_day($__timeTo())
GROUP BY payer_psp, payer_bank
ORDER BY transactions DESC, payer_psp, payer_bank
