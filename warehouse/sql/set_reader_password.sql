-- Give the dashboards' read-only role (migration 007) its password, from UPI_GRAFANA_DB_PASSWORD.
ALTER ROLE upi_grafana PASSWORD %(password)s
