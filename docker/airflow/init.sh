#!/usr/bin/env bash
# One-shot set-up of Airflow in compose: the admin's password file (from UPI_AIRFLOW_PASSWORD), the metadata
# database, and the gold DAGs' pool of one slot. Idempotent: runs at every `docker compose up`.
set -euo pipefail
python - <<'PY'
import json, os, pathlib
path = pathlib.Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
path.write_text(json.dumps({"admin": os.environ["UPI_AIRFLOW_PASSWORD"]}))
path.chmod(0o600)
PY
airflow db migrate
airflow pools set upi_gold 1 "gold runs never overlap: Delta on S3 takes one writing driver"
