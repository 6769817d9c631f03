#!/usr/bin/env bash
# bench/orgpage.sh: public organisation page over HTTP, against a static file
# served by the same binary as the baseline.
#
# Builds parley and bench/loadgen, starts `parley serve --demo` on a free
# 127.0.0.1 port with a temporary data directory, and loads each target with
# wrk (if installed) and bench/loadgen, ROUNDS times, rotating the order of
# targets and tools every round so machine noise falls on all of them alike.
# Prints the median req/s and p99 of each and the ratio to the static file.
# Then the same on PostgreSQL when PARLEY_BENCH_DATABASE_URL is set (use a
# database of its own, e.g. postgres://parley:parley@127.0.0.1:5432/parley_bench).
#
# Settings (environment): ROUNDS (3), DURATION seconds per run (5), CONNS (64),
# RESULTS (raw TSV, default /tmp/parley-orgpage-DATE.tsv).
# Load goes to 127.0.0.1 only; every run stops by itself; the server is
# stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
RESULTS=${RESULTS:-/tmp/parley-orgpage-$(date +%Y%m%dT%H%M%S).tsv}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"

HAVE_WRK=0
if command -v wrk >/dev/null; then HAVE_WRK=1; else log "wrk not installed (apt-get install -y wrk): loadgen only"; fi
TOOLS=(loadgen)
((HAVE_WRK)) && TOOLS=(wrk loadgen)

log "building parley and loadgen in $WORK"
(cd "$ROOT" && go build -o "$WORK/parley" ./cmd/parley && go build -o "$WORK/loadgen" ./bench/loadgen)

# to_ms VALUE-WITH-UNIT (wrk style: 850.00us, 1.23ms, 2.01s) -> milliseconds
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
		else printf "%s", v }'
}

# measure TOOL URL -> "rps p50_ms p99_ms errors non2xx"
measure() {
	local tool=$1 url=$2 out
	if [[ $tool == wrk ]]; then
		out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$url")
		local rps p50 p99 errs non2xx
		rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
		p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
		p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
		errs=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
		non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
		echo "$rps $p50 $p99 ${errs:-0} ${non2xx:-0}"
	else
		out=$("$WORK/loadgen" -json -url "$url" -c "$CONNS" -d "${DURATION}s" -warmup 500ms)
		jq -r '"\(.rps) \(.p50_ms) \(.p99_ms) \(.errors) \(.non_2xx)"' <<<"$out"
	fi
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# run_backend NAME TARGET... : every target is NAME=PATH; the first is the baseline.
declare -A LOADAVG
loadavg() { cut -d' ' -f1 /proc/loadavg; }

run_backend() {
	local backend=$1; shift
	local before; before=$(loadavg)
	local targets=("$@") n=$# r i j
	for t in "${targets[@]}"; do # unmeasured warm-up of each path
		"$WORK/loadgen" -url "$BASE${t#*=}" -c "$CONNS" -d 1s -warmup 0 >/dev/null
	done
	for ((r = 0; r < ROUNDS; r++)); do
		for ((i = 0; i < n; i++)); do
			local t=${targets[$(((i + r) % n))]}
			local tools=("${TOOLS[@]}")
			((r % 2)) && tools=($(printf '%s\n' "${TOOLS[@]}" | tac))
			for tool in "${tools[@]}"; do
				local m
				m=$(measure "$tool" "$BASE${t#*=}")
				printf '%s\t%s\t%s\t%d\t%s\n' "$backend" "$tool" "${t%%=*}" "$r" "${m// /$'\t'}" >>"$RESULTS"
				log "  $backend round $((r + 1))/$ROUNDS $tool ${t%%=*}: $m"
			done
		done
	done
	LOADAVG[$backend]="$before/$(loadavg)"
}

summarise() {
	local backend=$1 base=$2; shift 2
	printf '\n%s: median of %s runs of %ss, %s connections (load generator on the same cores); load average before/after: %s\n' \
		"$backend" "$ROUNDS" "$DURATION" "$CONNS" "${LOADAVG[$backend]:-?}"
	printf '%-8s %-8s %10s %8s %9s %9s %10s %10s %7s %7s\n' tool target req/s p50_ms p99_ms spread% rps/static p99/static errors non2xx
	for tool in "${TOOLS[@]}"; do
		local brps bp99
		brps=$(awk -F'\t' -v b="$backend" -v to="$tool" -v ta="$base" '$1 == b && $2 == to && $3 == ta {print $5}' "$RESULTS" | median)
		bp99=$(awk -F'\t' -v b="$backend" -v to="$tool" -v ta="$base" '$1 == b && $2 == to && $3 == ta {print $7}' "$RESULTS" | median)
		for t in "$@"; do
			local name=${t%%=*} rows rps p50 p99 spread errs non2xx
			rows=$(awk -F'\t' -v b="$backend" -v to="$tool" -v ta="$name" '$1 == b && $2 == to && $3 == ta' "$RESULTS")
			rps=$(cut -f5 <<<"$rows" | median)
			p50=$(cut -f6 <<<"$rows" | median)
			p99=$(cut -f7 <<<"$rows" | median)
			spread=$(cut -f5 <<<"$rows" | awk -v m="$rps" 'NR == 1 {lo = hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1} END {printf "%.0f", 100 * (hi - lo) / m}')
			errs=$(cut -f8 <<<"$rows" | awk '{s += $1} END {print s + 0}')
			non2xx=$(cut -f9 <<<"$rows" | awk '{s += $1} END {print s + 0}')
			awk -v to="$tool" -v ta="$name" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v sp="$spread" -v brps="$brps" -v bp99="$bp99" -v e="$errs" -v x="$non2xx" \
				'BEGIN {printf "%-8s %-8s %10.0f %8.2f %9.2f %9s %10.2f %10.2f %7d %7d\n", to, ta, rps, p50, p99, sp, rps / brps, p99 / bp99, e, x}'
		done
	done
}

printf 'backend\ttool\ttarget\tround\trps\tp50_ms\tp99_ms\terrors\tnon2xx\n' >"$RESULTS"
log "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); results in $RESULTS"

SQLITE_TARGETS=(static=/static/robots.txt healthz=/healthz org=/organisations/north-shire-council home=/)
start_server sqlite
run_backend sqlite "${SQLITE_TARGETS[@]}"
stop_server

PG_TARGETS=(static=/static/robots.txt org=/organisations/north-shire-council home=/)
if [[ -n ${PARLEY_BENCH_DATABASE_URL:-} ]]; then
	start_server postgres "$PARLEY_BENCH_DATABASE_URL"
	run_backend postgres "${PG_TARGETS[@]}"
	stop_server
else
	log "PARLEY_BENCH_DATABASE_URL not set: skipping PostgreSQL"
fi

summarise sqlite static "${SQLITE_TARGETS[@]}"
[[ -n ${PARLEY_BENCH_DATABASE_URL:-} ]] && summarise postgres static "${PG_TARGETS[@]}"
printf '\nraw runs: %s\n' "$RESULTS"
