-- The panel benchmark's warehouse: %(rows)s transactions spread uniformly over the %(days)s days before
-- %(end)s, with shapes close to the generator's (PSP shares, ~93 %% success, NPCI failure codes, P2M
-- majority, log-normal amounts capped at the UPI limit). Deterministic for a given setseed.
INSERT INTO clean_upi_transactions (
    txn_id, payer_vpa, payee_vpa, amount, status, event_time, txn_type, payer_psp, payer_bank, payee_bank,
    merchant_id, mcc, response_code, channel, event_date, kafka_topic, kafka_partition, kafka_offset,
    ingest_time, updated_at
)
SELECT
    'BENCH' || lpad(n::text, 12, '0'),
    'payer' || (n %% 250000) || '@ybl',
    CASE WHEN p2m THEN 'shop' || merchant || '@paytm' ELSE 'friend' || (n %% 300000) || '@okaxis' END,
    least(greatest(round(exp(5.5 + 1.3 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2))::numeric, 2), 1.00), 100000),
    status,
    event_time,
    CASE WHEN p2m THEN 'P2M' ELSE 'P2P' END,
    CASE WHEN u_psp < 0.48 THEN 'PhonePe' WHEN u_psp < 0.85 THEN 'Google Pay' WHEN u_psp < 0.92 THEN 'Paytm'
         WHEN u_psp < 0.96 THEN 'BHIM' ELSE 'CRED' END,
    (ARRAY['SBIN', 'HDFC', 'ICIC', 'UTIB', 'PUNB', 'BARB', 'KKBK', 'YESB', 'CNRB', 'UBIN'])[1 + n %% 10],
    (ARRAY['SBIN', 'HDFC', 'ICIC', 'UTIB', 'PUNB', 'BARB', 'KKBK', 'YESB', 'CNRB', 'UBIN'])[1 + n * 31 %% 10],
    CASE WHEN p2m THEN 'M' || lpad(merchant::text, 7, '0') END,
    CASE WHEN p2m THEN (ARRAY['5411', '5812', '5912', '5999', '4121', '5541'])[1 + merchant %% 6] END,
    CASE status WHEN 'SUCCESS' THEN '00' WHEN 'FAILED'
         THEN (ARRAY['U30', 'U16', 'Z9', 'ZM', 'U69', 'BT', 'XH'])[1 + floor(u_code * 7)::int] END,
    CASE WHEN p2m THEN 'QR' ELSE 'APP' END,
    (event_time AT TIME ZONE 'Asia/Kolkata')::date,
    'upi_transactions', n %% 4, n,
    event_time + u_code * interval '2 seconds',
    event_time + u_code * interval '2 seconds' + interval '800 milliseconds'
FROM (
    SELECT
        n, (n::bigint * 7919 %% 5000)::int AS merchant, random() AS u1, random() AS u2, random() AS u_psp, random() AS u_code, random() < 0.62 AS p2m,
        CASE WHEN u_status < 0.93 THEN 'SUCCESS' WHEN u_status < 0.985 THEN 'FAILED' ELSE 'PENDING' END AS status,
        %(end)s::timestamptz - random() * %(days)s * interval '1 day' AS event_time
    FROM (SELECT n, random() AS u_status FROM generate_series(1, %(rows)s) AS n) AS numbered
) AS draws
