#!/usr/bin/env bash
# Runs once, when the Postgres volume is empty: Airflow's metadata database and its owner, beside the
# warehouse database `upi` (whose tables the `setup` service migrates). The password comes from
# AIRFLOW_DB_PASSWORD in docker/.env.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v airflow_password="$AIRFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE airflow OWNER airflow;
SQL
