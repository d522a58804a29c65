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
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init pcmt-range-bench /var/tmp
HASHES=${BENCH_HASHES:-20000000}
WARMUP=${BENCH_WARMUP:-15s}

echo "commit: $(bench_commit)" >&2
bench_build pcmt hello gendata
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

echo "corpus: $HASHES hashes in $RANGES ranges; hot prefix $HOT: $LINES lines, $BODY bytes" >&2
PREFIXES="$WORK/prefixes.txt" taskset -c 1 wrk -t1 -c32 -d"$WARMUP" -s bench/range-random.lua "http://127.0.0.1:$PORT" >/dev/null
printf '| round | random prefixes req/s | p99 ms | hot prefix req/s | p99 ms | pre-built body (hello) req/s | p99 ms | hot ÷ hello |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for round in $(seq "$ROUNDS"); do
	read -r r_rps r_p99 r_bad < <(PREFIXES="$WORK/prefixes.txt" bench_wrk random "http://127.0.0.1:$PORT" -s bench/range-random.lua)
	read -r h_rps h_p99 h_bad < <(bench_wrk hot "http://127.0.0.1:$PORT/range/$HOT")
	read -r s_rps s_p99 s_bad < <(bench_wrk hello "http://127.0.0.1:$HELLO_PORT/range/$HOT")
	if ((r_bad + h_bad + s_bad > 0)); then echo "bench: non-2xx answers: $r_bad $h_bad $s_bad" >&2; exit 1; fi
	awk -v r="$round" -v a="$r_rps" -v b="$r_p99" -v c="$h_rps" -v d="$h_p99" -v e="$s_rps" -v f="$s_p99" \
		'BEGIN { printf "| %s | %d | %.2f | %d | %.2f | %d | %.2f | %.2f× |\n", r, a, b, c, d, e, f, c / e }'
done
