-- The gold of %(day)s was just republished: late events seen so far are in it. Same transaction as the gold.
UPDATE late_event_days SET recomputed_at = now() WHERE event_date = %(day)s;
