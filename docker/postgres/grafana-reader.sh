#!/bin/sh
# Creates (or updates) the read-only PostgreSQL role that Grafana's PostgreSQL datasource logs in
# with: it reads every table (pg_read_all_data) and writes none, and a dashboard query is stopped
# after 30 s. Run by the grafana-db-reader service of docker-compose.yaml at every `up`, so a
# changed GRAFANA_DB_PASSWORD takes effect. Idempotent.
set -eu

: "${POSTGRES_USER:?}" "${POSTGRES_DB:?}" "${GRAFANA_DB_USER:?}" "${GRAFANA_DB_PASSWORD:?}"
export PGHOST="${PGHOST:-postgres}" PGPASSWORD="${POSTGRES_PASSWORD:-}" PGOPTIONS="-c client_min_messages=warning"

psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -v reader="$GRAFANA_DB_USER" -v password="$GRAFANA_DB_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'reader')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'reader') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'reader', :'password') \gexec
SELECT format('ALTER ROLE %I SET statement_timeout = %L', :'reader', '30s') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'reader') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'reader') \gexec
SELECT format('GRANT pg_read_all_data TO %I', :'reader') \gexec
SQL
echo "grafana-reader: role $GRAFANA_DB_USER can read $POSTGRES_DB"
