#!/usr/bin/env bash
# bench/range.sh measures GET /range/{prefix} under wrk (32 connections;
# server pinned to CPU 0, wrk to CPU 1) over a generated corpus of
# BENCH_HASHES SHA-1 hashes (default 20 M) at the public corpus's density
# (~900 hashes per populated range), in two access patterns: uniformly
# random populated prefixes (bench/range-random.lua) and one hot prefix over
# and over. In the same run, bench/hello serves the hot prefix's answer as a
# pre-built body: the ceiling of the HTTP stack for that response size.
#
# Before the first round, a random-prefix run (BENCH_WARMUP, default
# 15s, not reported) lets the server open its readers and fault in the
# file's mapping, as a server that has been up a while has.
#
# Knobs: BENCH_HASHES, BENCH_DURATION (default 10s), BENCH_ROUNDS (default 3),
# BENCH_WARMUP, BENCH_KEEP=1 keeps the work directory.
set -euo pipefail

cd "$(dirname "$0")/.."
HASHES=${BENCH_HASHES:-20000000}
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-15s}
for v in $(compgen -e | grep '^PCMT_' || true); do unset "$v"; done

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/pcmt-range-bench.XXXXXX")
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() {
	for _ in $(seq 1000); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "bench: $1 never answered" >&2
	return 1
}

echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (dirty tree)')" >&2
CGO_ENABLED=1 go build -trimpath -o "$WORK/pcmt" .
go build -trimpath -o "$WORK/hello" ./bench/hello
go build -o "$WORK/gendata" ./bench/gendata
"$WORK/gendata" -format pwned -n "$HASHES" -per-range 900 -o "$WORK/corpus.txt"
DB="$WORK/pcmt.db"
"$WORK/pcmt" import --database "$DB" "$WORK/corpus.txt" >&2
rm -f "$WORK/corpus.txt"
sync # the import's writes reach the disk now, not during the first round
sqlite3 "$DB" "SELECT printf('%05X', prefix) FROM pwned_ranges WHERE mode = 'sha1'" >"$WORK/prefixes.txt"
RANGES=$(wc -l <"$WORK/prefixes.txt")
HOT=$(sed -n "$((RANGES / 2))p" "$WORK/prefixes.txt")

PORT=3290
HELLO_PORT=3291
# Logging at warn: the access log's info line per request is measured in
# bench/run.sh; here the limits are off so that wrk's one IP is not throttled.
PCMT_HOST=127.0.0.1 PCMT_PORT=$PORT PCMT_DATABASE_PATH="$DB" PCMT_LOGGER_LEVEL=warn \
	PCMT_HTTP_RATELIMIT=0 PCMT_API_RANGERATELIMIT=0 taskset -c 0 "$WORK/pcmt" serve >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$PORT/readyz"
curl -fsS "http://127.0.0.1:$PORT/range/$HOT" -o "$WORK/hot.txt"
taskset -c 0 "$WORK/hello" -port "$HELLO_PORT" -body "$WORK/hot.txt" &
PIDS+=($!)
wait_ready "http://127.0.0.1:$HELLO_PORT/"
BODY=$(stat -c %s "$WORK/hot.txt")
LINES=$(($(tr -cd '\n' <"$WORK/hot.txt" | wc -c) + 1))

# run NAME URL [wrk args]: one wrk run; prints "req/s p99_ms".
run() {
	local name=$1 url=$2
	shift 2
	taskset -c 1 wrk -t1 -c32 -d"$DURATION" --latency "$@" "$url" >"$WORK/$name.wrk"
	awk '/Requests\/sec/ { rps = $2 }
		$1 == "99%" { v = $2; if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
		/Non-2xx/ { bad = $5 }
		END { printf "%.0f %.2f %s\n", rps, p99, bad + 0 }' "$WORK/$name.wrk"
}

echo "corpus: $HASHES hashes in $RANGES ranges; hot prefix $HOT: $LINES lines, $BODY bytes" >&2
PREFIXES="$WORK/prefixes.txt" taskset -c 1 wrk -t1 -c32 -d"$WARMUP" -s bench/range-random.lua "http://127.0.0.1:$PORT" >/dev/null
printf '| round | random prefixes req/s | p99 ms | hot prefix req/s | p99 ms | pre-built body (hello) req/s | p99 ms | hot ÷ hello |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for round in $(seq "$ROUNDS"); do
	read -r r_rps r_p99 r_bad < <(PREFIXES="$WORK/prefixes.txt" run random "http://127.0.0.1:$PORT" -s bench/range-random.lua)
	read -r h_rps h_p99 h_bad < <(run hot "http://127.0.0.1:$PORT/range/$HOT")
	read -r s_rps s_p99 s_bad < <(run hello "http://127.0.0.1:$HELLO_PORT/range/$HOT")
	if ((r_bad + h_bad + s_bad > 0)); then echo "bench: non-2xx answers: $r_bad $h_bad $s_bad" >&2; exit 1; fi
	awk -v r="$round" -v a="$r_rps" -v b="$r_p99" -v c="$h_rps" -v d="$h_p99" -v e="$s_rps" -v f="$s_p99" \
		'BEGIN { printf "| %s | %d | %.2f | %d | %.2f | %d | %.2f | %.2f× |\n", r, a, b, c, d, e, f, c / e }'
done
