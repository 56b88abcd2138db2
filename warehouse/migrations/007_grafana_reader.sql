-- upi_grafana: the read-only role the dashboards connect as. It can read every table of the warehouse and
-- nothing else: no writes (its sessions are read-only and it holds no INSERT/UPDATE/DELETE/TRUNCATE grant),
-- no DDL in the schema, and a statement timeout so that a heavy panel cannot hog the server.
-- Its password is not part of the migration: `upi migrate` (and the local stack) set it from
-- UPI_GRAFANA_DB_PASSWORD. Roles belong to the cluster, so a second database finds the role already there.
DO $$
BEGIN
    CREATE ROLE upi_grafana LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;  -- created by another database's migration
END
$$;

ALTER ROLE upi_grafana SET default_transaction_read_only = on;
ALTER ROLE upi_grafana SET statement_timeout = '30s';

REVOKE CREATE ON SCHEMA public FROM upi_grafana;
GRANT USAGE ON SCHEMA public TO upi_grafana;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO upi_grafana;
-- Tables created by later migrations are readable too (when created by the role that runs the migrations).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO upi_grafana;

-- The freshness panel buckets by the time a row reached Postgres.
CREATE INDEX IF NOT EXISTS clean_upi_transactions_updated_at ON clean_upi_transactions (updated_at);

-- The IST business day of an instant: the daily panels turn Grafana's time range into gold's event_date range.
CREATE OR REPLACE FUNCTION ist_day(moment timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (moment AT TIME ZONE 'Asia/Kolkata')::date;
