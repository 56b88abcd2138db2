-- One expectation suite's verdict on one gold run, passed or not.
INSERT INTO dq_results (run_id, event_date, suite, success, evaluated, failed, failures, data_docs)
VALUES (%(run_id)s, %(event_date)s, %(suite)s, %(success)s, %(evaluated)s, %(failed)s, %(failures)s, %(data_docs)s);
