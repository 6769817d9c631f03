# bench/server.sh: what the benchmark scripts share. Source it after setting
# ROOT; it makes WORK (removed on exit), builds nothing, and gives
# start_server / stop_server for `parley serve --demo` on a free loopback port.

WORK=$(mktemp -d /tmp/parley-bench.XXXXXX)
SERVER_PID=""

cleanup() {
	if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	log "no free port found"
	return 1
}

# start_server NAME [DATABASE_URL]: sets BASE and SERVER_PID. Ports come
# from below the usual ephemeral range (32768+), where client connections
# (ours and other people's) would collide; a lost race is retried.
start_server() {
	local name=$1 dburl=${2:-} port attempt
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		local args=(serve --demo --data-dir "$WORK/data-$name" --addr "127.0.0.1:$port" --log-level warn ${SERVER_ARGS:-})
		[[ -n $dburl ]] && args+=(--database-url "$dburl")
		"$WORK/parley" "${args[@]}" >"$WORK/server-$name.log" 2>&1 &
		SERVER_PID=$!
		BASE="http://127.0.0.1:$port"
		for _ in $(seq 300); do
			if ! kill -0 "$SERVER_PID" 2>/dev/null; then
				wait "$SERVER_PID" 2>/dev/null || true
				SERVER_PID=""
				if grep -q 'address already in use' "$WORK/server-$name.log"; then
					log "port $port taken, retrying ($attempt)"
					continue 2
				fi
				log "server ($name) exited:"; cat "$WORK/server-$name.log" >&2; return 1
			fi
			if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then
				log "server ($name) ready at $BASE (pid $SERVER_PID)"
				return
			fi
			sleep 0.2
		done
		log "server ($name) not ready after 60s"; return 1
	done
	log "no free port after 5 attempts"; return 1
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=""
}

