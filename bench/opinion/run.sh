#!/usr/bin/env bash
# Opinion math benchmark: package opinion (Go) against the scikit-learn
# baseline (baseline.py) on the same generated conversations with planted
# groups. See bench/OPINION.md.
#
#   bash bench/opinion/run.sh                 # 1M votes, Go and Python; 10M votes, Go
#   ROUNDS=5 PYBIG=1 bash bench/opinion/run.sh
#
# Knobs: ROUNDS (3), GORUNS (timed runs per Go process, 5), PYRUNS (1),
# DATA (/tmp/parley-opinion: generated files, reused), BIG=0 skips the 10M
# case, PYBIG=1 runs the Python baseline on it too (float32, needs ~10 GB),
# PY (/usr/bin/python3, Debian's, which has python3-sklearn).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3} GORUNS=${GORUNS:-5} PYRUNS=${PYRUNS:-1}
DATA=${DATA:-/tmp/parley-opinion} BIG=${BIG:-1} PYBIG=${PYBIG:-0} PY=${PY:-/usr/bin/python3}
mkdir -p "$DATA"
go build -o "$DATA/opbench" ./bench/opinion
[ -f "$DATA/1m.bin" ] || "$DATA/opbench" gen -participants 8000 -statements 8000 -votes 1000000 -seed 1 -out "$DATA/1m.bin"
if [ "$BIG" = 1 ]; then
	[ -f "$DATA/10m.bin" ] || "$DATA/opbench" gen -participants 100000 -statements 10000 -votes 10000000 -seed 1 -out "$DATA/10m.bin"
fi
RESULTS=${RESULTS:-$DATA/results.tsv}
: >"$RESULTS"

# record CASE TOOL ROUND OUTPUT: pull median, RSS, ARI, k out of a run's output.
record() {
	local median cpu rss ari k
	median=$(sed -n 's/^median \([0-9.]*\)\(m\?s\).*/\1 \2/p' <<<"$4" | awk '{ print ($2 == "ms") ? $1 / 1000 : $1 }')
	cpu=$(sed -n 's/^CPU time.* per run \([0-9.]*\)\(m\?s\)$/\1 \2/p' <<<"$4" | awk '{ print ($2 == "ms") ? $1 / 1000 : $1 }')
	rss=$(sed -n 's/^peak RSS.* \([0-9.]*\) MB$/\1/p' <<<"$4")
	ari=$(sed -n 's/.*ARI vs planted \([0-9.]*\).*/\1/p' <<<"$4")
	k=$(sed -n 's/^k = \([0-9]*\),.*/\1/p' <<<"$4")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$median" "$cpu" "$rss" "$ari" "$k" | tee -a "$RESULTS"
}

echo "case	tool	round	seconds	cpu_seconds	peak_rss_mb	ari	k"
for round in $(seq "$ROUNDS"); do
	echo "# round $round, load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	record 1m go "$round" "$("$DATA/opbench" run -in "$DATA/1m.bin" -runs "$GORUNS")"
	record 1m sklearn "$round" "$("$PY" bench/opinion/baseline.py "$DATA/1m.bin" --runs "$PYRUNS" 2>/dev/null)"
	if [ "$BIG" = 1 ]; then
		record 10m go "$round" "$("$DATA/opbench" run -in "$DATA/10m.bin" -runs "$GORUNS")"
		if [ "$PYBIG" = 1 ]; then
			record 10m sklearn "$round" "$("$PY" bench/opinion/baseline.py "$DATA/10m.bin" --runs 1 --dtype float32 2>/dev/null)"
		fi
	fi
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$PY" - "$RESULTS" <<'EOF'
import statistics, sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(list)
for case, tool, rnd, sec, cpu, rss, ari, k in rows:
    by[case, tool].append((float(sec), float(cpu), float(rss), float(ari), k))
print("\ncase  tool     median s  spread          median CPU s  peak RSS MB  ARI     k")
med, cpu = {}, {}
for (case, tool), xs in sorted(by.items()):
    s = [x[0] for x in xs]
    med[case, tool] = statistics.median(s)
    cpu[case, tool] = statistics.median(x[1] for x in xs)
    print(f"{case:5} {tool:8} {med[case, tool]:8.3f}  {min(s):6.3f}-{max(s):<7.3f}  {cpu[case, tool]:12.3f}  {max(x[2] for x in xs):11.1f}  {xs[0][3]:.4f}  {xs[0][4]}")
for case in sorted({c for c, _ in med}):
    if (case, "go") in med and (case, "sklearn") in med:
        print(f"{case}: scikit-learn / Go = {med[case, 'sklearn'] / med[case, 'go']:.1f}x wall, {cpu[case, 'sklearn'] / cpu[case, 'go']:.1f}x CPU")
EOF
