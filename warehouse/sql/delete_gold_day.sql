-- Remove one business day from a gold table ({table}), before its new rows are copied in; same transaction.
DELETE FROM {table} WHERE event_date = %(day)s;
