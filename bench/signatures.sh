#!/usr/bin/env bash
# bench/signatures.sh: petition signatures through the HTML form.
#
# Parts (PARTS, default all that apply):
#   sqlite        our signature path on SQLite, ROUNDS × DURATION s
#   naive-sqlite  the naive baseline (one transaction per signature that
#                 also updates the petition's counter row) on SQLite
#   pg, naive-pg  the same two on PostgreSQL (needs PARLEY_BENCH_DATABASE_URL)
#   page          the public petition page (wrk and bench/loadgen) while
#                 signatures arrive at SIGN_RATE a second (SQLite)
#   crash         kill -9 the server while signing and again while
#                 confirming, restart, retry what was not acknowledged, and
#                 check nothing acknowledged was lost or counted twice
#
# Each signature run starts `parley serve --demo` afresh (a new data
# directory, or a new PostgreSQL schema) and runs bench/signload against
# the demo's first open petition: CONNS workers spread over loopback source
# addresses (a new one every 8 signatures), fraud controls on. signload
# then checks in the database that every acknowledged signature and its
# confirmation email are there. Prints each run, the medians and the
# ratio ours ÷ naive.
#
# Settings (environment): ROUNDS (3), DURATION seconds per run (60),
# NAIVE_DURATION (DURATION), CONNS (64), SIGN_RATE (1000), PAGE_DURATION
# seconds per page run (15), PARLEY_BENCH_DATABASE_URL (a PostgreSQL
# database the script may create schemas in), RESULTS (a file for the raw
# lines). Load goes to 127.0.0.1 only; every run stops by itself; servers
# are stopped and schemas dropped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-60}
NAIVE_DURATION=${NAIVE_DURATION:-$DURATION}
CONNS=${CONNS:-64}
SIGN_RATE=${SIGN_RATE:-1000}
PAGE_DURATION=${PAGE_DURATION:-15}
PG=${PARLEY_BENCH_DATABASE_URL:-}
PARTS=${PARTS:-sqlite naive-sqlite ${PG:+pg naive-pg} page crash}
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

log "building parley, signload and loadgen in $WORK"
(cd "$ROOT" && go build -o "$WORK/parley" ./cmd/parley && go build -o "$WORK/signload" ./bench/signload &&
	go build -o "$WORK/loadgen" ./bench/loadgen)
log "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# record: a result line, on stderr (stdout carries values between functions) and in RESULTS.
record() { printf '%s\n' "$*" >&2; [[ -n ${RESULTS:-} ]] && printf '%s\n' "$*" >>"$RESULTS"; return 0; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# db_of NAME [URL]: the signload -db value for a server started as NAME.
db_of() { if [[ -n ${2:-} ]]; then echo "$2"; else echo "sqlite:$WORK/data-$1/parley.db"; fi; }

# pg_schema NAME: a fresh schema and the URL that uses it.
pg_schema() {
	local s="bench_sig_$1_$$"
	psql -q "$PG" -c "DROP SCHEMA IF EXISTS $s CASCADE; CREATE SCHEMA $s" >/dev/null
	SCHEMAS+=("$s")
	if [[ $PG == *\?* ]]; then echo "$PG&search_path=$s"; else echo "$PG?search_path=$s"; fi
}

# sign_run PART ROUND: one signature run on a fresh server; prints signatures/s.
sign_run() {
	local part=$1 r=$2 name="$1-r$2" url="" dur=$DURATION out
	case $part in
	pg | naive-pg) url=$(pg_schema "${part/-/_}_r$r") ;;
	esac
	case $part in
	naive-*) export PARLEY_BENCH_NAIVE_SIGNATURES=1 dur=$NAIVE_DURATION ;;
	*) unset PARLEY_BENCH_NAIVE_SIGNATURES ;;
	esac
	start_server "$name" "$url"
	unset PARLEY_BENCH_NAIVE_SIGNATURES
	local la0
	la0=$(cut -d' ' -f1 /proc/loadavg)
	out=$("$WORK/signload" sign -url "$BASE" -db "$(db_of "$name" "$url")" -c "$CONNS" -d "${dur}s" -per-addr 8)
	stop_server
	record "$part round $r (load average $la0 → $(cut -d' ' -f1 /proc/loadavg)): ${out//$'\n'/; }"
	sed -nE 's/.* ([0-9]+)\/s; p50.*/\1/p' <<<"$out" | head -1
}

declare -A MED
for part in sqlite naive-sqlite pg naive-pg; do
	[[ " $PARTS " == *" $part "* ]] || continue
	rates=()
	for ((r = 1; r <= ROUNDS; r++)); do
		rates+=("$(sign_run "$part" "$r")")
	done
	MED[$part]=$(printf '%s\n' "${rates[@]}" | median)
	d=$DURATION; [[ $part == naive-* ]] && d=$NAIVE_DURATION
	record "$part: median ${MED[$part]} signatures/s over $ROUNDS runs of ${d}s (runs: ${rates[*]})"
done
for db in sqlite pg; do
	if [[ -n ${MED[$db]:-} && -n ${MED[naive-$db]:-} && ${MED[naive-$db]} != 0 ]]; then
		record "$db: ours ÷ naive = $(awk -v a="${MED[$db]}" -v b="${MED[naive-$db]}" 'BEGIN {printf "%.1f", a / b}')"
	fi
done

if [[ " $PARTS " == *" page "* ]]; then
	start_server page
	db=$(db_of page)
	id=$("$WORK/signload" petition -db "$db")
	page="$BASE/proposals/$id"
	total=$((ROUNDS * (2 * PAGE_DURATION + 4) + 10))
	"$WORK/signload" sign -url "$BASE" -db "$db" -c 32 -rate "$SIGN_RATE" -d "${total}s" -per-addr 8 >"$WORK/page-sign.out" 2>&1 &
	SIGNER=$!
	sleep 5 # the form stamp's wait, and the signatures under way
	curl -fsS -o /dev/null "$page"
	wrk_rps=() wrk_p99=() lg_rps=() lg_p99=()
	for ((r = 1; r <= ROUNDS; r++)); do
		la=$(cut -d' ' -f1 /proc/loadavg)
		w=$(wrk -t2 -c64 -d"${PAGE_DURATION}s" --latency "$page")
		rps=$(awk '/^Requests\/sec/ {print int($2)}' <<<"$w")
		p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; print v}' <<<"$w")
		non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$w")
		wrk_rps+=("$rps") wrk_p99+=("$p99")
		record "page round $r wrk (load average $la): $rps req/s, p99 $p99 ms, non-2xx ${non2xx:-0}"
		l=$("$WORK/loadgen" -url "$page" -c 64 -d "${PAGE_DURATION}s" -warmup 500ms)
		lg_rps+=("$(sed -nE 's/.* ([0-9.]+) req\/s.*/\1/p' <<<"$l" | head -1)")
		lg_p99+=("$(sed -nE 's/.*p99 ([0-9.]+)ms.*/\1/p' <<<"$l" | head -1)")
		record "page round $r loadgen: ${l//$'\n'/; }"
	done
	wait "$SIGNER" || true
	record "page: signatures during the page runs: $(tr '\n' ' ' <"$WORK/page-sign.out")"
	record "page: wrk median $(printf '%s\n' "${wrk_rps[@]}" | median) req/s, p99 median $(printf '%s\n' "${wrk_p99[@]}" | median) ms; loadgen median $(printf '%s\n' "${lg_rps[@]}" | median) req/s, p99 median $(printf '%s\n' "${lg_p99[@]}" | median) ms"
	stop_server
fi

if [[ " $PARTS " == *" crash "* ]]; then
	start_server crash
	db=$(db_of crash)
	before=$("$WORK/signload" check -db "$db")
	"$WORK/signload" sign -url "$BASE" -db "$db" -c "$CONNS" -d 30s -per-addr 8 -no-check -acked "$WORK/acked.txt" >"$WORK/crash-sign.out" 2>&1 &
	SIGNER=$!
	sleep 12
	log "kill -9 the server while signing"
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
	wait "$SIGNER" || true
	record "crash: signing: $(tr '\n' ' ' <"$WORK/crash-sign.out")"
	start_server crash
	record "crash: after restart: $("$WORK/signload" check -db "$db" -before "$before" -acked "$WORK/acked.txt" | tr '\n' ' ')"
	"$WORK/signload" confirm -url "$BASE" -db "$db" -c 32 -d 120s -acked "$WORK/confirmed.txt" >"$WORK/crash-confirm.out" 2>&1 &
	CONFIRMER=$!
	sleep 4
	log "kill -9 the server while confirming"
	kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
	wait "$CONFIRMER" || true
	record "crash: confirming: $(tr '\n' ' ' <"$WORK/crash-confirm.out")"
	start_server crash
	record "crash: retry: $("$WORK/signload" confirm -url "$BASE" -db "$db" -c 32 -d 120s -skip "$WORK/confirmed.txt" -acked "$WORK/confirmed.txt" 2>&1 | tr '\n' ' ')"
	stop_server
	record "crash: check: $("$WORK/signload" check -db "$db" -before "$before" -acked "$WORK/acked.txt" -confirmed "$WORK/confirmed.txt" 2>&1 | tr '\n' ' ')"
fi
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
