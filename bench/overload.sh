#!/usr/bin/env bash
# bench/overload.sh: push the server to twice its measured capacity and show
# that it sheds the excess with 503 and Retry-After, keeps serving, does not
# crash, and holds its memory.
#
# Builds parley, bench/loadgen and bench/overload; starts `parley serve
# --demo` (SQLite) on a free 127.0.0.1 port; measures capacity on PATHS with
# bench/loadgen (closed loop, CONNS connections, DURATION s); then sends
# twice that rate open-loop with bench/overload for OVER_DURATION s while
# sampling the server's resident memory, and checks the server still
# answers /healthz. ROUNDS rounds; prints every run.
#
# Settings (environment): ROUNDS (3), DURATION (10), OVER_DURATION (30),
# CONNS (64), FACTOR (2), PATHS ("/conversations/1": a page built for each visitor, not cached), SERVER_ARGS (extra flags for
# parley serve, e.g. "--max-in-flight 256"). Load goes to 127.0.0.1 only;
# every run stops by itself; the server is stopped on exit.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
OVER_DURATION=${OVER_DURATION:-30}
CONNS=${CONNS:-64}
FACTOR=${FACTOR:-2}
PATHS=${PATHS:-/conversations/1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/server.sh
source "$ROOT/bench/server.sh"

# Thousands of requests in flight need as many sockets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log "building parley, loadgen and overload in $WORK"
(cd "$ROOT" && go build -o "$WORK/parley" ./cmd/parley && go build -o "$WORK/loadgen" ./bench/loadgen && go build -o "$WORK/overload" ./bench/overload)

start_server overload
for round in $(seq "$ROUNDS"); do
	for path in $PATHS; do
		cap=$("$WORK/loadgen" -url "$BASE$path" -c "$CONNS" -d "${DURATION}s" -warmup 2s -json)
		rps=$(jq -r '.rps | floor' <<<"$cap")
		rate=$((rps * FACTOR))
		log "round $round $path: capacity $rps req/s (p99 $(jq -r .p99_ms <<<"$cap") ms); sending $rate req/s"
		over=$("$WORK/overload" -url "$BASE$path" -rate "$rate" -d "${OVER_DURATION}s" -pid "$SERVER_PID" -json)
		printf 'round\t%s\tpath\t%s\tcapacity_rps\t%s\t%s\n' "$round" "$path" "$rps" "$over"
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			log "the server died under overload"; exit 1
		fi
		sleep 5 # let the queue drain before the next round
	done
done
