#!/usr/bin/env bash
# bench/import.sh measures `pcmt import` on generated files: lines (or
# records) per second, peak RSS and database bytes per stored hash, next to
# a plain `sqlite3` CLI `.import` of the same lines into a one-column table,
# measured in the same run. The files come from bench/gendata (seeded, so
# every run reads the same data).
#
# Knobs (environment):
#   BENCH_PWNED   lines of the sorted and the shuffled corpus (default 24000000, ~1 GiB)
#   BENCH_EMAILS  e-mail lines of the line list (default 33000000, ~1 GiB)
#   BENCH_YAML    e-mail entries of the YAML breach (default 10000000)
#   BENCH_KEEP=1  keep the work directory
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_init pcmt-import-bench /var/tmp
PWNED=${BENCH_PWNED:-24000000}
EMAILS=${BENCH_EMAILS:-33000000}
YAML=${BENCH_YAML:-10000000}

echo "building" >&2
bench_build pcmt gendata

gen() { # name args...
	local name=$1
	shift
	echo "generating $name" >&2
	"$WORK/gendata" "$@" -o "$WORK/$name"
}
gen sorted.txt -format pwned -n "$PWNED"
gen shuffled.txt -format pwned -n "$PWNED" -shuffle -seed 2
gen emails.txt -format lines -n "$EMAILS"
gen emails.yaml -format yaml -n "$YAML"

# measure NAME RECORDS ARGS...: one import into a fresh database.
measure() {
	local name=$1 records=$2
	shift 2
	local db="$WORK/$name.db"
	rm -f "$db" "$db"-* "$db".secrets
	sync
	/usr/bin/time -f '%e %M' -o "$WORK/time" "$WORK/pcmt" import --database "$db" --temp-dir "$WORK" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
		cat "$WORK/$name.err" >&2
		exit 1
	}
	read -r secs rss_kb <"$WORK/time"
	local size
	size=$(stat -c %s "$db")
	[[ -f $db-wal ]] && size=$((size + $(stat -c %s "$db-wal")))
	# The same lines into a one-column table with the sqlite3 CLI.
	local file=${*: -1}
	local sdb="$WORK/$name.sqlite3.db"
	rm -f "$sdb"
	/usr/bin/time -f '%e' -o "$WORK/stime" sqlite3 "$sdb" "CREATE TABLE t (line TEXT);" ".mode csv" ".import $file t"
	local ssecs
	ssecs=$(cat "$WORK/stime")
	rm -f "$sdb"
	awk -v n="$name" -v r="$records" -v s="$secs" -v k="$rss_kb" -v b="$size" -v ss="$ssecs" -v bytes="$(stat -c %s "$file")" 'BEGIN {
		rate = r / s; srate = r / ss
		printf "| %s | %.2f GiB | %d | %.1f s | %.2f M/s | %.0f MiB | %.2f | %.1f s | %.2f M/s | %.2f× |\n",
			n, bytes / 2^30, r, s, rate / 1e6, k / 1024, b / r, ss, srate / 1e6, rate / srate
	}'
	rm -f "$db" "$db"-* "$db".secrets
}

echo
echo "| file | size | records | pcmt import | rate | peak RSS | DB bytes/record | sqlite3 .import | rate | pcmt ÷ sqlite3 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
measure sorted.txt "$PWNED" "$WORK/sorted.txt"
measure shuffled.txt "$PWNED" "$WORK/shuffled.txt"
measure emails.txt "$EMAILS" --kind emails --name "Generated list" "$WORK/emails.txt"
measure emails.yaml "$YAML" "$WORK/emails.yaml"
