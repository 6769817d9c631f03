#!/usr/bin/env bash
# bench/votes.sh: vote ingestion through the HTML vote form, on SQLite.
#
# Builds parley and bench/voteload, starts `parley serve --demo` on a free
# 127.0.0.1 port with a temporary data directory, and runs voteload ROUNDS
# times against the demo's open conversation (workers spread over loopback
# source addresses, each participant a new cookie). Each run checks that the
# conversation holds exactly the votes acknowledged. Prints each run and the
# median votes/s.
#
# Settings (environment): ROUNDS (3), DURATION seconds per run (15), CONNS (32).
# Load goes to 127.0.0.1 only; every run stops by itself; the server is
# stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15}
CONNS=${CONNS:-32}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"

log "building parley and voteload in $WORK"
(cd "$ROOT" && go build -o "$WORK/parley" ./cmd/parley && go build -o "$WORK/voteload" ./bench/voteload)
log "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

start_server sqlite
RATES=()
for ((r = 1; r <= ROUNDS; r++)); do
	out=$("$WORK/voteload" -url "$BASE" -conversation 1 -c "$CONNS" -d "${DURATION}s")
	log "round $r: $out"
	RATES+=("$(sed -E 's/.*: ([0-9]+) votes\/s.*/\1/' <<<"$out")")
done
stop_server
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'median votes/s over %d runs of %ss, %d workers: %s\n' "$ROUNDS" "$DURATION" "$CONNS" \
	"$(printf '%s\n' "${RATES[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
