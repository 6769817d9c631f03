#!/usr/bin/env bash
# bench/measures.sh: the measurement ingest API and the dashboards over
# what it stored.
#
# For each part (PARTS: sqlite, and pg when PARLEY_BENCH_DATABASE_URL is
# given) it starts `parley serve --demo` afresh (a new data directory, or a
# new PostgreSQL schema) and runs bench/measureload against it:
#   1. the baseline: one record per request for SINGLE_D seconds;
#   2. RECORDS records in batches of BATCH from CONNS workers, spread over
#      six published organisations, then a check in the database that
#      every dataset holds exactly the records acknowledged and the
#      monthly totals add up;
#   3. the cross-organisation dashboard (GET /measures, HTML) and the API
#      comparison (GET /api/v1/measures/organisations), each loaded by
#      bench/loadgen with READ_CONNS connections for READ_D seconds:
#      req/s, p50/p90/p99.
# Prints every result line, the ratio batch ÷ one per request, and the
# size of the database.
#
# Settings (environment): RECORDS (10000000), BATCH (5000), CONNS (4),
# SINGLE_D (20), READ_D (15), READ_CONNS (16), PARTS, RESULTS (a file for
# the raw lines), PARLEY_BENCH_DATABASE_URL (a PostgreSQL database the
# script may create schemas in). Load goes to 127.0.0.1 only; every run
# stops by itself; servers are stopped and schemas dropped on exit.
set -euo pipefail

RECORDS=${RECORDS:-10000000}
BATCH=${BATCH:-5000}
CONNS=${CONNS:-4}
SINGLE_D=${SINGLE_D:-20}
READ_D=${READ_D:-15}
READ_CONNS=${READ_CONNS:-16}
PG=${PARLEY_BENCH_DATABASE_URL:-}
PARTS=${PARTS:-sqlite ${PG:+pg}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"

SCHEMAS=()
finish() {
	cleanup
	for s in "${SCHEMAS[@]}"; do
		psql -q "$PG" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
	done
}
trap finish EXIT

record() { printf '%s\n' "$*" >&2; [[ -n ${RESULTS:-} ]] && printf '%s\n' "$*" >>"$RESULTS"; return 0; }

log "building parley, measureload and loadgen in $WORK"
(cd "$ROOT" && go build -o "$WORK/parley" ./cmd/parley && go build -o "$WORK/measureload" ./bench/measureload &&
	go build -o "$WORK/loadgen" ./bench/loadgen)
record "machine: $(nproc) cores; $(date -u +%FT%TZ); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for part in $PARTS; do
	url="" db="sqlite:$WORK/data-$part/parley.db"
	if [[ $part == pg ]]; then
		[[ -n $PG ]] || { log "pg: set PARLEY_BENCH_DATABASE_URL"; exit 2; }
		s="bench_measures_$$"
		psql -q "$PG" -c "DROP SCHEMA IF EXISTS $s CASCADE; CREATE SCHEMA $s" >/dev/null
		SCHEMAS+=("$s")
		if [[ $PG == *\?* ]]; then url="$PG&search_path=$s"; else url="$PG?search_path=$s"; fi
		db=$url
	fi
	start_server "$part" "$url"
	record "[$part] load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	t0=$(date +%s)
	"$WORK/measureload" -url "$BASE" -db "$db" -records "$RECORDS" -batch "$BATCH" -c "$CONNS" \
		-single -single-d "${SINGLE_D}s" | while IFS= read -r line; do record "[$part] $line"; done
	record "[$part] ingest and check took $(($(date +%s) - t0))s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	if [[ $part == sqlite ]]; then
		record "[$part] database: $(du -sh "$WORK/data-$part" | cut -f1)"
	else
		record "[$part] database: $(psql -qtA "$PG" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relkind = 'r'")"
	fi
	record "[$part] server RSS: $(awk '/VmHWM/ {print $2 / 1024 " MiB peak"}' "/proc/$SERVER_PID/status")"
	for target in /measures /api/v1/measures/organisations; do
		out=$("$WORK/loadgen" -url "$BASE$target" -c "$READ_CONNS" -d "${READ_D}s" -warmup 2s)
		record "[$part] GET $target: $out"
	done
	record "[$part] load average after reads: $(cut -d' ' -f1-3 /proc/loadavg)"
	stop_server
done
