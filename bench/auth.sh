#!/usr/bin/env bash
# bench/auth.sh compares signed-in pages with the anonymous landing page
# under wrk, in one run: the cost of looking the session up on every
# request. Server on CPU 0, wrk on CPU 1, 127.0.0.1 only.
#
# Visitors get the landing page from prerendered pieces; a signed-in user's
# is rendered afresh. So that the comparison isolates the session, the
# visitors' page is also measured rendered afresh: a request carrying a
# (meaningless) flash cookie is never served from the pieces.
#
#   bench/auth.sh            # BENCH_DURATION (10s) × BENCH_ROUNDS (3)
#
# BENCH_PORT sets the server's port (3917), BENCH_KEEP=1 keeps the work
# directory.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init pcmt-auth /tmp

bench_build pcmt
export PCMT_DATABASE_PATH=$WORK/pcmt.db PCMT_HOST=127.0.0.1 PCMT_PORT=${BENCH_PORT:-3917} \
	PCMT_HTTP_RATELIMIT=0 PCMT_LOGGER_LEVEL=warn PCMT_INIT_CREATEADMIN=false
BASE=http://127.0.0.1:$PCMT_PORT
"$WORK/pcmt" migrate up >/dev/null
printf 'a temporary passphrase\n' | "$WORK/pcmt" user create --username bench --email bench@example.org --password-stdin >/dev/null

taskset -c 0 env GOMAXPROCS=1 "$WORK/pcmt" serve 2>"$WORK/server.log" &
PIDS+=($!)
wait_ready "$BASE/readyz"

# Sign in and set an own password, as a browser would.
JAR=$WORK/cookies
bench_signin "$BASE" "$JAR" bench "a temporary passphrase" "lantern over quiet water"
COOKIE=$(awk '$6 ~ /pcmt_session$/ {print $6 "=" $7}' "$JAR")
[[ -n $COOKIE ]] || { echo "auth: no session cookie" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/dashboard")
[[ $code == 200 ]] || { echo "auth: /dashboard answered $code with the session" >&2; exit 1; }

measure() { # name path [cookie]
	local args=(wrk -t1 -c32 -d"$DURATION" --latency)
	[[ -n ${3:-} ]] && args+=(-H "Cookie: $3")
	taskset -c 1 "${args[@]}" "$BASE$2" >"$WORK/$1.$round" 2>&1
	awk '/Requests\/sec/ {print $2}' "$WORK/$1.$round"
}
declare -A best
for round in $(seq "$ROUNDS"); do
	for t in landing fresh signedin settings dashboard; do
		case $t in
		landing) r=$(measure landing /) ;;
		fresh) r=$(measure fresh / "pcmt_flash=x") ;;
		signedin) r=$(measure signedin / "$COOKIE") ;;
		settings) r=$(measure settings /settings "$COOKIE") ;;
		dashboard) r=$(measure dashboard /dashboard "$COOKIE") ;;
		esac
		best[$t]=$(awk -v a="${best[$t]:-0}" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
		echo "round $round $t $r req/s"
	done
done
non2xx=$(for t in landing fresh signedin settings dashboard; do grep -h 'Non-2xx' "$WORK/$t".*; done || true)
[[ -z $non2xx ]] || { echo "auth: signed-in pages answered non-2xx: $non2xx" >&2; exit 1; }

declare -A label=(
	[landing]="visitor, GET / (prerendered)"
	[fresh]="visitor, GET / rendered afresh"
	[signedin]="signed in, GET / (rendered, session looked up)"
	[settings]="signed in, GET /settings"
	[dashboard]="signed in, GET /dashboard (2 more queries)"
)
echo
echo "| page | req/s (best of $ROUNDS) | vs visitor, rendered afresh | vs visitor, prerendered | p99 |"
echo "| --- | ---: | ---: | ---: | ---: |"
for t in landing fresh signedin settings dashboard; do
	p99=$(awk '/ 99%/ {print $2}' "$(ls "$WORK/$t".* | head -1)")
	vfresh=$(awk -v a="${best[$t]}" -v b="${best[fresh]}" 'BEGIN {printf "%.2f", a / b}')
	vpre=$(awk -v a="${best[$t]}" -v b="${best[landing]}" 'BEGIN {printf "%.2f", a / b}')
	echo "| ${label[$t]} | ${best[$t]} | ${vfresh}× | ${vpre}× | $p99 |"
done
