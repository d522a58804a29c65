#!/usr/bin/env bash
# bench/run.sh measures the release binary of pcmt: its size, start-up time
# to ready, idle RSS, and requests/s under wrk for the landing page and a
# static asset, next to a bare Fiber "hello" handler measured in the same
# run. Server and load generator each get one core (taskset -c 0 / -c 1);
# everything listens on 127.0.0.1 only. Results go to docs/BENCHMARKS.md by
# hand.
#
# Knobs (environment):
#   BENCH_DURATION  wrk duration of one measurement (default 10s)
#   BENCH_ROUNDS    rounds over all targets; the table shows the best round
#                   and the median (default 3)
#   BENCH_STARTS    start-ups per start-up measurement (default 10)
#   BENCH_KEEP=1    keep the work directory (binaries, logs, wrk output)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
# The start-up times are taken on databases in WORK, so its place (/tmp,
# often a tmpfs) is part of the figures in docs/BENCHMARKS.md.
bench_init pcmt-bench /tmp
STARTS=${BENCH_STARTS:-10}
WRK=(wrk -t1 -c32 -d"$DURATION" --latency)
SERVER_CPU=0
LOAD_CPU=1

for tool in go wrk taskset curl file ldd; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
if (($(nproc) < 2)); then
	echo "bench: needs 2 CPUs (server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU)" >&2
	exit 1
fi

say() { printf '\n== %s\n' "$*"; }

# free_port prints the first port from $1 on that nothing on 127.0.0.1
# listens to.
free_port() {
	local p=$1
	while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}

# mib prints a /proc/PID/status field (kB) in MiB.
mib() {
	awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# ---------------------------------------------------------------- machine
say "machine"
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "kernel:  $(uname -sr)"
echo "cpus:    $(nproc) x $CPU_MODEL"
echo "go:      $(go version)"
echo "wrk:     $(wrk -v 2>&1 | head -1 || true)"
echo "commit:  $(bench_commit)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# ---------------------------------------------------------------- build
say "build"
BUILD_CMD=(go build -trimpath -tags 'osusergo netgo sqlite_omit_load_extension'
	-ldflags "-s -w -linkmode external -extldflags '-static'" -o "$WORK/pcmt" .)
echo "CGO_ENABLED=1 go build -trimpath -tags 'osusergo netgo sqlite_omit_load_extension' -ldflags \"-s -w -linkmode external -extldflags '-static'\" -o pcmt ."
CGO_ENABLED=1 "${BUILD_CMD[@]}"
bench_build hello startup
BIN_BYTES=$(stat -c %s "$WORK/pcmt")
BIN_MIB=$(awk -v b="$BIN_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
FILE_OUT=$(file -b "$WORK/pcmt")
LDD_OUT=$(ldd "$WORK/pcmt" 2>&1 || true)
echo "size:    $BIN_BYTES bytes ($BIN_MIB MiB)"
echo "file:    $FILE_OUT"
echo "ldd:     $(echo "$LDD_OUT" | sed 's/^[[:space:]]*//')"
if [[ $FILE_OUT == *"statically linked"* ]]; then STATIC=yes; else STATIC=NO; fi

# ---------------------------------------------------------------- start-up
# From exec to the first 200 from /readyz (database open, migrations
# current), polled every millisecond by bench/startup.
say "start-up time to ready ($STARTS runs each, not pinned)"
mkdir -p "$WORK/start"
START_PORT=$(free_port 3180)
START_DB="$WORK/start/pcmt.db"
start_env=(env PCMT_HOST=127.0.0.1 PCMT_PORT="$START_PORT" PCMT_DATABASE_PATH="$START_DB"
	PCMT_LOGGER_LEVEL=warn)
STARTUP_FRESH=$(cd "$WORK/start" && "${start_env[@]}" "$WORK/startup" -n "$STARTS" \
	-url "http://127.0.0.1:$START_PORT/readyz" \
	-remove "$START_DB,$START_DB-wal,$START_DB-shm,$START_DB.secrets" \
	-- "$WORK/pcmt" serve 2>>"$WORK/start/log")
echo "fresh database:    $STARTUP_FRESH"
STARTUP_EXISTING=$(cd "$WORK/start" && "${start_env[@]}" "$WORK/startup" -n "$STARTS" \
	-url "http://127.0.0.1:$START_PORT/readyz" \
	-- "$WORK/pcmt" serve 2>>"$WORK/start/log")
echo "existing database: $STARTUP_EXISTING"
STARTUP_HELLO=$("$WORK/startup" -n "$STARTS" -url "http://127.0.0.1:$START_PORT/" \
	-- "$WORK/hello" -port "$START_PORT")
echo "bare hello:        $STARTUP_HELLO"
median_of() { sed -E 's/.*median_ms=([0-9.]+).*/\1/' <<<"$1"; }
range_of() { sed -E 's/.*min_ms=([0-9.]+).*max_ms=([0-9.]+).*/\1–\2/' <<<"$1"; }

# Idle RSS one second after a start on the existing database (the fresh
# ones are the load-test servers below).
(cd "$WORK/start" && exec "${start_env[@]}" "$WORK/pcmt" serve >>"$WORK/start/log" 2>&1) &
IDLE_PID=$!
PIDS+=("$IDLE_PID")
wait_ready "http://127.0.0.1:$START_PORT/readyz"
sleep 1
RSS_IDLE_EXISTING=$(mib "$IDLE_PID" VmRSS)
kill "$IDLE_PID"
wait "$IDLE_PID" || true
echo "idle VmRSS, existing database: $RSS_IDLE_EXISTING MiB"

# ---------------------------------------------------------------- servers
say "servers (pinned to CPU $SERVER_CPU)"
HELLO_PORT=$(free_port 3190)
taskset -c "$SERVER_CPU" "$WORK/hello" -port "$HELLO_PORT" 2>"$WORK/hello.log" &
HELLO_PID=$!
PIDS+=("$HELLO_PID")
wait_ready "http://127.0.0.1:$HELLO_PORT/"

# start_pcmt NAME LEVEL PORT starts pcmt with its own database and sets
# PCMT_PID. The log goes to a file, as it would to journald or a container
# log.
start_pcmt() {
	local name=$1 level=$2 port=$3
	mkdir -p "$WORK/$name"
	(cd "$WORK/$name" && exec env PCMT_HOST=127.0.0.1 PCMT_PORT="$port" \
		PCMT_DATABASE_PATH="$WORK/$name/pcmt.db" PCMT_HTTP_RATELIMIT=0 \
		PCMT_LOGGER_LEVEL="$level" \
		taskset -c "$SERVER_CPU" "$WORK/pcmt" serve >"$WORK/$name/log" 2>&1) &
	PCMT_PID=$!
	PIDS+=("$PCMT_PID")
	wait_ready "http://127.0.0.1:$port/readyz"
}
WARN_PORT=$(free_port $((HELLO_PORT + 1)))
start_pcmt warn warn "$WARN_PORT"
WARN_PID=$PCMT_PID
INFO_PORT=$(free_port $((WARN_PORT + 1)))
start_pcmt info info "$INFO_PORT"
INFO_PID=$PCMT_PID
echo "hello      pid $HELLO_PID  http://127.0.0.1:$HELLO_PORT/"
echo "pcmt warn  pid $WARN_PID  http://127.0.0.1:$WARN_PORT/  (PCMT_LOGGER_LEVEL=warn, PCMT_HTTP_RATELIMIT=0)"
echo "pcmt info  pid $INFO_PID  http://127.0.0.1:$INFO_PORT/  (PCMT_LOGGER_LEVEL=info, PCMT_HTTP_RATELIMIT=0)"
sleep 1
declare -A RSS_IDLE
for p in "$HELLO_PID" "$WARN_PID" "$INFO_PID"; do
	RSS_IDLE[$p]=$(mib "$p" VmRSS)
done
echo "idle VmRSS, fresh database: hello ${RSS_IDLE[$HELLO_PID]} MiB, pcmt ${RSS_IDLE[$WARN_PID]} MiB"

# The asset under its hashed name, as the landing page links it, and the
# CSRF cookie a returning browser would send.
LANDING_HTML=$(curl -fsS -c "$WORK/cookies" "http://127.0.0.1:$WARN_PORT/")
ASSET=$(grep -oE '/static/app\.[0-9a-f]+\.css' <<<"$LANDING_HTML" | head -1)
[[ -n $ASSET ]] || { echo "bench: no hashed app.css link on the landing page" >&2; exit 1; }
CSRF_COOKIE=$(awk '$6 ~ /pcmt_csrf$/ { print $6 "=" $7 }' "$WORK/cookies")
[[ -n $CSRF_COOKIE ]] || { echo "bench: the landing page set no CSRF cookie" >&2; exit 1; }
curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' -D "$WORK/asset.headers" "http://127.0.0.1:$WARN_PORT$ASSET"
grep -qi '^content-encoding: gzip' "$WORK/asset.headers" ||
	{ echo "bench: $ASSET is not served gzipped" >&2; exit 1; }
echo "asset:      $ASSET"

# ---------------------------------------------------------------- load
# Each target: id, server pid, label, URL, extra header (or empty).
TARGETS=(
	"hello|$HELLO_PID|bare Fiber hello, GET /|http://127.0.0.1:$HELLO_PORT/|"
	"landing|$WARN_PID|pcmt landing page /, no cookie (warn log)|http://127.0.0.1:$WARN_PORT/|"
	"landing_cookie|$WARN_PID|pcmt landing page /, CSRF cookie sent (warn log)|http://127.0.0.1:$WARN_PORT/|Cookie: $CSRF_COOKIE"
	"asset|$WARN_PID|pcmt hashed app.css, identity (warn log)|http://127.0.0.1:$WARN_PORT$ASSET|"
	"asset_gzip|$WARN_PID|pcmt hashed app.css, Accept-Encoding: gzip (warn log)|http://127.0.0.1:$WARN_PORT$ASSET|Accept-Encoding: gzip"
	"landing_info|$INFO_PID|pcmt landing page /, no cookie (info access log)|http://127.0.0.1:$INFO_PORT/|"
	"asset_gzip_info|$INFO_PID|pcmt hashed app.css, Accept-Encoding: gzip (info access log)|http://127.0.0.1:$INFO_PORT$ASSET|Accept-Encoding: gzip"
)

declare -A BYTES RESULT
DISTURBED=()
say "response sizes (body bytes)"
for t in "${TARGETS[@]}"; do
	IFS='|' read -r id pid label url header <<<"$t"
	hdr=()
	[[ -n $header ]] && hdr=(-H "$header")
	BYTES[$id]=$(curl -fsS -o /dev/null -w '%{size_download}' "${hdr[@]}" "$url")
	printf '%-16s %8s  %s\n' "$id" "${BYTES[$id]}" "$label"
done

# cpu_ticks PID prints the user + system CPU time of PID in clock ticks.
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk_once ID PID URL HEADER ROUND runs wrk and keeps
# "rps p50 p99 errors cpu_us_per_request cpu_use_percent". The server's CPU
# time per request hardly changes when other processes take CPU away, so it
# is the steadier number on a busy machine.
wrk_once() {
	local id=$1 pid=$2 url=$3 header=$4 round=$5 out hdr=() t0 t1
	[[ -n $header ]] && hdr=(-H "$header")
	out="$WORK/wrk.$id.$round.txt"
	t0=$(cpu_ticks "$pid")
	taskset -c "$LOAD_CPU" "${WRK[@]}" "${hdr[@]}" "$url" >"$out"
	t1=$(cpu_ticks "$pid")
	local rps p50 p99 non2xx sock cpu
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$out")
	sock=$(grep -o 'Socket errors:.*' "$out" || true)
	cpu=$(awk -v ticks=$((t1 - t0)) -v hz="$CLK_TCK" '/ requests in / {
		n = $1; secs = $4; sub(/s,$/, "", secs)
		printf "%.2f %.0f", ticks / hz * 1e6 / n, ticks / hz / secs * 100 }' "$out")
	RESULT[$id.$round]="$rps $p50 $p99 ${non2xx:-0} $cpu"
	printf '  %-16s %10s req/s  p50 %-9s p99 %-9s server CPU %6s µs/req (%s%% busy)  non-2xx %s%s\n' \
		"$id" "$rps" "$p50" "$p99" "${cpu% *}" "${cpu#* }" "${non2xx:-0}" "${sock:+  $sock}"
	((${cpu#* } >= 95)) || DISTURBED+=("$id/$round")
}

say "wrk: ${WRK[*]} (wrk on CPU $LOAD_CPU), $ROUNDS rounds"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# A short warm-up of each target, not counted.
for t in "${TARGETS[@]}"; do
	IFS='|' read -r id pid label url header <<<"$t"
	hdr=()
	[[ -n $header ]] && hdr=(-H "$header")
	taskset -c "$LOAD_CPU" wrk -t1 -c32 -d1s "${hdr[@]}" "$url" >/dev/null
done
for round in $(seq "$ROUNDS"); do
	echo "round $round (load $(cut -d' ' -f1 /proc/loadavg))"
	for t in "${TARGETS[@]}"; do
		IFS='|' read -r id pid label url header <<<"$t"
		wrk_once "$id" "$pid" "$url" "$header" "$round"
	done
done
RSS_LOAD=$(mib "$WARN_PID" VmRSS)
HWM_LOAD=$(mib "$WARN_PID" VmHWM)
RSS_LOAD_INFO=$(mib "$INFO_PID" VmRSS)
HWM_LOAD_INFO=$(mib "$INFO_PID" VmHWM)
RSS_LOAD_HELLO=$(mib "$HELLO_PID" VmRSS)
HWM_LOAD_HELLO=$(mib "$HELLO_PID" VmHWM)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# rounds ID prints one result line per round.
rounds() {
	local round
	for round in $(seq "$ROUNDS"); do
		echo "${RESULT[$1.$round]}"
	done
}
# median COLUMN prints the median of that column of stdin.
median() {
	sort -g -k"$1,$1" | awk -v c="$1" '{ v[NR] = $c }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# best ID prints the round with the most req/s: other processes only ever
# slow a round down, so the best round is the closest to an idle machine.
best() { rounds "$1" | sort -g -k1,1 | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---------------------------------------------------------------- summary
say "summary"
echo
echo "Machine: $(nproc) × $CPU_MODEL; $(go version | cut -d' ' -f3-); load average $LOAD_START before the load, $LOAD_END after."
echo
echo "| measure | value |"
echo "| --- | --- |"
echo "| release binary size | $BIN_BYTES bytes ($BIN_MIB MiB), statically linked: $STATIC |"
echo "| start-up to ready, fresh database (median of $STARTS, ms) | $(median_of "$STARTUP_FRESH") (range $(range_of "$STARTUP_FRESH")) |"
echo "| start-up to ready, existing database (median of $STARTS, ms) | $(median_of "$STARTUP_EXISTING") (range $(range_of "$STARTUP_EXISTING")) |"
echo "| start-up of the bare hello, for scale (median, ms) | $(median_of "$STARTUP_HELLO") (range $(range_of "$STARTUP_HELLO")) |"
echo "| idle VmRSS 1 s after start-up: pcmt on an existing / a fresh database; hello | $RSS_IDLE_EXISTING MiB / ${RSS_IDLE[$WARN_PID]} MiB; ${RSS_IDLE[$HELLO_PID]} MiB |"
echo "| VmRSS (VmHWM) after the load: pcmt, warn log | $RSS_LOAD MiB ($HWM_LOAD MiB) |"
echo "| VmRSS (VmHWM) after the load: pcmt, info log | $RSS_LOAD_INFO MiB ($HWM_LOAD_INFO MiB) |"
echo "| VmRSS (VmHWM) after the load: hello | $RSS_LOAD_HELLO MiB ($HWM_LOAD_HELLO MiB) |"
echo
echo "${WRK[*]} on CPU $LOAD_CPU, server on CPU $SERVER_CPU (GOMAXPROCS 1), $ROUNDS rounds."
echo "req/s: best round (median of the rounds in brackets); latency and errors of the best round;"
echo "server CPU: user + system time of the server process per request, and how busy its core was (medians of the rounds)."
echo "Asset: $ASSET, as the landing page links it."
echo
echo "| target | body bytes | req/s | vs hello | server CPU µs/req | vs hello by CPU | server busy | p50 | p99 | non-2xx |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
read -r HELLO_RPS _ <<<"$(best hello)"
HELLO_CPU=$(rounds hello | median 5)
for t in "${TARGETS[@]}"; do
	IFS='|' read -r id pid label url header <<<"$t"
	read -r rps p50 p99 errs _ <<<"$(best "$id")"
	cpu=$(rounds "$id" | median 5)
	printf '| %s | %s | %.0f (%.0f) | %s× | %.2f | %s× | %.0f%% | %s | %s | %s |\n' \
		"$label" "${BYTES[$id]}" "$rps" "$(rounds "$id" | median 1)" "$(ratio "$rps" "$HELLO_RPS")" \
		"$cpu" "$(ratio "$HELLO_CPU" "$cpu")" "$(rounds "$id" | median 6)" "$p50" "$p99" "$errs"
	[[ $id == landing ]] && LANDING_RATIO=$(ratio "$rps" "$HELLO_RPS") && LANDING_CPU_RATIO=$(ratio "$HELLO_CPU" "$cpu")
done
echo
verdict() { awk -v r="$1" 'BEGIN { if (r >= 0.5) print "met"; else print "NOT met" }'; }
echo "Target, landing page ≥ 0.5× the bare hello: $(verdict "$LANDING_RATIO") by req/s ($LANDING_RATIO×),"
echo "$(verdict "$LANDING_CPU_RATIO") by server CPU per request ($LANDING_CPU_RATIO×)."
if ((${#DISTURBED[@]} > 0)); then
	echo
	echo "Disturbed: the server's core was less than 95% busy in ${DISTURBED[*]}:"
	echo "other processes took CPU $SERVER_CPU or $LOAD_CPU. Rerun on a quiet machine."
fi
