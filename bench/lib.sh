# shellcheck shell=bash
# bench/lib.sh is what the benchmark scripts share; each sources it first:
#
#	source "$(dirname "$0")/lib.sh"
#	bench_init pcmt-NAME-bench /var/tmp
#
# It is not run on its own. Every script keeps its own knobs (BENCH_*),
# ports and output; here are the work directory, its clean-up, the builds
# and the helpers that talk to a running server.

# The knobs of the scripts that load a server with wrk, the same in each:
# how long one wrk run lasts and how many rounds there are.
# shellcheck disable=SC2034 # read by the scripts
DURATION=${BENCH_DURATION:-10s}
# shellcheck disable=SC2034
ROUNDS=${BENCH_ROUNDS:-3}

# bench_init NAME DIR moves to the repository's root, clears the caller's
# PCMT_* variables (the servers see only the configuration the script gives
# them) and makes the work directory WORK as ${TMPDIR:-DIR}/NAME.XXXXXX. DIR
# is the script's own: /var/tmp (on disk) for the scripts that write
# gigabytes, /tmp for the others. On exit the processes in PIDS are stopped
# and WORK removed, unless BENCH_KEEP=1.
bench_init() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
	local v
	for v in $(compgen -e | grep '^PCMT_' || true); do unset "$v"; done
	WORK=$(mktemp -d "${TMPDIR:-$2}/$1.XXXXXX")
	PIDS=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# bench_cleanup stops the processes in PIDS and removes WORK, unless
# BENCH_KEEP=1 keeps it (binaries, logs, wrk output) to look at.
bench_cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ ${BENCH_KEEP:-} == 1 ]]; then
		echo "work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

# bench_build NAME... builds into WORK: pcmt (with cgo, for SQLite) from the
# root, any other NAME from bench/NAME. run.sh builds its static release
# binary itself.
bench_build() {
	local name
	for name in "$@"; do
		if [[ $name == pcmt ]]; then
			CGO_ENABLED=1 go build -trimpath -o "$WORK/pcmt" .
		else
			go build -trimpath -o "$WORK/$name" "./bench/$name"
		fi
	done
}

# bench_commit prints the commit measured, marked when the tree differs
# from it: the figures belong to that code.
bench_commit() {
	echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty tree)')"
}

# wait_ready URL waits up to 10 s for a 200 from URL.
wait_ready() {
	for _ in $(seq 1000); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "bench: $1 never answered 200" >&2
	return 1
}

# bench_wrk NAME URL [wrk args] runs wrk on CPU 1 for DURATION (32
# connections), keeps its output in WORK/NAME.wrk and prints
# "req/s p99_ms non-2xx".
bench_wrk() {
	local name=$1 url=$2
	shift 2
	taskset -c 1 wrk -t1 -c32 -d"$DURATION" --latency "$@" "$url" >"$WORK/$name.wrk"
	awk '/Requests\/sec/ { rps = $2 }
		$1 == "99%" { v = $2; if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
		/Non-2xx/ { bad = $5 }
		END { printf "%.0f %.2f %s\n", rps, p99, bad + 0 }' "$WORK/$name.wrk"
}

# bench_csrf JAR URL gets the page at URL with the cookies in JAR, as a
# browser would, and prints the CSRF token it carries.
bench_csrf() {
	curl -fsS -b "$1" -c "$1" "$2" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -1
}

# bench_signin BASE JAR USER PASSWORD NEW_PASSWORD signs USER in at BASE and
# sets an own password (the first one was set by someone else, and until it
# is changed no other page opens), keeping the cookies in JAR.
bench_signin() {
	local base=$1 jar=$2 user=$3 password=$4 new=$5
	curl -fsS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$(bench_csrf "$jar" "$base/signin")" \
		--data-urlencode "username=$user" --data-urlencode "password=$password" "$base/signin"
	curl -fsS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$(bench_csrf "$jar" "$base/settings/password")" \
		--data-urlencode "current_password=$password" \
		--data-urlencode "new_password=$new" \
		--data-urlencode "new_password_confirm=$new" "$base/settings/password"
}
