#!/usr/bin/env bash
# bench/sync.sh measures `pcmt corpus sync` of a whole corpus from a local
# range API: a generated dump (bench/gendata, seeded) served by
# bench/rangeserve on 127.0.0.1, synced into a fresh database (every range
# fetched, parsed and written), then synced again (every range answers 304),
# next to `pcmt import` of the same dump into another fresh database. It
# prints wall time, ranges/s, hashes/s, pcmt's own CPU time (per range too)
# and peak RSS of each, and checks that the synced and the imported corpus
# hold the same ranges and hashes.
#
# The fake upstream runs on the same machine and takes its share of the
# CPUs: on two cores the figures are a floor, not what one machine fetching
# from a remote API would see (that is bound by the round trips instead).
#
# Knobs (environment):
#   BENCH_HASHES     hashes in the corpus (default 20000000)
#   BENCH_PER_RANGE  hashes per populated range (default 19: every one of the
#                    1,048,576 ranges holds some, as in the public corpus)
#   BENCH_WORKERS    --workers of the sync (default: the command's, 12)
#   BENCH_KEEP=1     keep the work directory
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init pcmt-sync-bench /var/tmp
HASHES=${BENCH_HASHES:-20000000}
PER_RANGE=${BENCH_PER_RANGE:-19}

echo "building" >&2
bench_build pcmt gendata rangeserve

echo "generating $HASHES hashes, $PER_RANGE a range" >&2
"$WORK/gendata" -format pwned -n "$HASHES" -per-range "$PER_RANGE" -o "$WORK/corpus.txt"

echo "starting the fake upstream" >&2
"$WORK/rangeserve" -corpus "$WORK/corpus.txt" >"$WORK/url" 2>"$WORK/rangeserve.err" &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 600); do
	[[ -s $WORK/url ]] && break
	kill -0 "$SERVER" 2>/dev/null || {
		cat "$WORK/rangeserve.err" >&2
		exit 1
	}
	sleep 0.1
done
URL=$(cat "$WORK/url")
echo "upstream at $URL" >&2

WORKERS=()
[[ -n ${BENCH_WORKERS:-} ]] && WORKERS=(--workers "$BENCH_WORKERS")

# measure NAME DB ARGS...: one pcmt command, timed; prints a table row.
measure() {
	local name=$1 db=$2
	shift 2
	sync
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/time" env PCMT_HIBP_PASSWORDSURL="$URL" PCMT_LOGGER_LEVEL=warn \
		"$WORK/pcmt" "$@" --database "$db" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
		cat "$WORK/$name.err" >&2
		exit 1
	}
	read -r secs rss_kb user sys <"$WORK/time"
	echo "$name: $(tail -n 1 "$WORK/$name.out")" >&2
	awk -v n="$name" -v s="$secs" -v k="$rss_kb" -v u="$user" -v y="$sys" -v r=1048576 -v h="$HASHES" 'BEGIN {
		printf "| %s | %.1f s | %.0f | %.2f M/s | %.1f s | %.0f µs | %.0f MiB |\n", n, s, r / s, h / s / 1e6, u + y, (u + y) / r * 1e6, k / 1024
	}'
}

# digest DB: ranges, hashes and bytes of the stored corpus.
digest() {
	sqlite3 "$1" "SELECT count(*), sum(n), sum(length(data)) FROM pwned_ranges WHERE mode = 'sha1'"
}

echo
echo "| run | wall time | ranges/s | hashes/s | pcmt CPU (user+sys) | CPU per range | peak RSS |"
echo "|---|---|---|---|---|---|---|"
measure "pcmt corpus sync, fresh database" "$WORK/sync.db" corpus sync "${WORKERS[@]}"
measure "pcmt corpus sync again (all 304)" "$WORK/sync.db" corpus sync "${WORKERS[@]}"
measure "pcmt import of the same dump" "$WORK/import.db" import "$WORK/corpus.txt"
echo
synced=$(digest "$WORK/sync.db")
imported=$(digest "$WORK/import.db")
echo "stored (ranges|hashes|bytes): sync $synced, import $imported"
[[ $synced == "$imported" ]] || {
	echo "the synced and the imported corpus differ" >&2
	exit 1
}
kill -INT "$SERVER"
wait "$SERVER" || true
PIDS=()
cat "$WORK/rangeserve.err" >&2
