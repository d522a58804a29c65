#!/usr/bin/env bash
# bench/search.sh measures the search partial (POST /search under htmx, a
# signed-in user, an account search) under wrk against a store of
# BENCH_EMAILS e-mail records (default 10 M), next to the bare Fiber
# handler (bench/hello) in the same run. Server on CPU 0, wrk on CPU 1, 32
# connections. Knobs: BENCH_EMAILS, BENCH_DURATION (10s), BENCH_ROUNDS (3),
# BENCH_KEEP=1.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init pcmt-search-bench /var/tmp
EMAILS=${BENCH_EMAILS:-10000000}

echo "commit: $(bench_commit)" >&2
bench_build pcmt hello gendata
"$WORK/gendata" -format lines -n "$EMAILS" -o "$WORK/emails.txt"
DB="$WORK/pcmt.db"
"$WORK/pcmt" import --database "$DB" --kind emails --name "Generated" "$WORK/emails.txt" >&2
# Half the terms are in the breach, half are not.
{ shuf -n 500 --random-source=<(yes) "$WORK/emails.txt"; seq 500 | sed 's/.*/nobody&@example.net/'; } >"$WORK/terms.txt"
rm -f "$WORK/emails.txt"
echo "a passphrase for the bench user" | "$WORK/pcmt" user create --database "$DB" --username searcher \
	--email bench@example.org --password-stdin >/dev/null

PORT=3390
HELLO_PORT=3391
PCMT_HOST=127.0.0.1 PCMT_PORT=$PORT PCMT_DATABASE_PATH="$DB" PCMT_LOGGER_LEVEL=warn PCMT_HTTP_RATELIMIT=0 \
	PCMT_INIT_CREATEADMIN=false taskset -c 0 "$WORK/pcmt" serve >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
taskset -c 0 "$WORK/hello" -port "$HELLO_PORT" &
PIDS+=($!)
BASE="http://127.0.0.1:$PORT"
wait_ready "$BASE/readyz"
wait_ready "http://127.0.0.1:$HELLO_PORT/"

# Sign in as a browser would and change the one-time password.
JAR="$WORK/cookies"
bench_signin "$BASE" "$JAR" searcher "a passphrase for the bench user" "another passphrase for the bench"
T=$(bench_csrf "$JAR" "$BASE/search")
# The session and the CSRF cookie the token is bound to.
COOKIE=$(awk '$6 == "pcmt_session" || $6 == "pcmt_csrf" { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$JAR")
[[ -n $COOKIE && -n $T ]] || { echo "bench: could not sign in" >&2; exit 1; }
# A check that the partial answers: one hit, one miss.
HIT=$(head -1 "$WORK/terms.txt")
curl -fsS -b "$JAR" -H "X-CSRF-Token: $T" -H 'HX-Request: true' --data-urlencode type=account \
	--data-urlencode "q=$HIT" "$BASE/search" | grep -q 'data-testid="search-hit"' || { echo "bench: no hit for $HIT" >&2; exit 1; }

echo "store: $EMAILS e-mail records; terms: 500 in the breach, 500 not" >&2
printf '| round | search partial req/s | p99 ms | bare Fiber hello req/s | p99 ms | search ÷ hello |\n|---|---|---|---|---|---|\n'
for round in $(seq "$ROUNDS"); do
	read -r s_rps s_p99 s_bad < <(SEARCH_TERMS="$WORK/terms.txt" COOKIE="$COOKIE" CSRF="$T" bench_wrk search "$BASE" -s bench/search-post.lua)
	read -r h_rps h_p99 h_bad < <(bench_wrk hello "http://127.0.0.1:$HELLO_PORT/")
	if ((s_bad + h_bad > 0)); then echo "bench: non-2xx answers: $s_bad $h_bad" >&2; exit 1; fi
	awk -v r="$round" -v a="$s_rps" -v b="$s_p99" -v c="$h_rps" -v d="$h_p99" \
		'BEGIN { printf "| %s | %d | %.2f | %d | %.2f | %.2f× |\n", r, a, b, c, d, a / c }'
done
