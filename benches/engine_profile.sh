#!/usr/bin/env bash
# Instructions per request of (f)'s query (20 roles with every child list, response cache off),
# counted by callgrind: repeatable whatever else the machine runs (BENCHMARKS.md, "(f)").
#
#   cargo build --release
#   cargo run --release -p prep-bench -- write-roles /tmp/roles 1000
#   DATABASE_URL=<url> target/release/prep-graphql import /tmp/roles
#   benches/engine_profile.sh <url> [server binary] [requests] [extra serve flags...]
#
# BASELINE=sqlx profiles the sqlx handler on the same database instead.
# Prints instructions per request and leaves callgrind.out in a temporary directory for
# callgrind_annotate. Needs valgrind and curl.
set -euo pipefail
url=$1
bin=${2:-target/release/prep-graphql}
n=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
dir=$(mktemp -d)
source "$(dirname "$0")/engine_server.sh"
engine_body "$bin"
server_command "$bin" "$@"
trap 'kill "${pid:-}" 2>/dev/null || true' EXIT
start_server valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" "${server[@]}"
for _ in 1 2 3 4 5; do ask; done
callgrind_control -z "$pid" > /dev/null
for _ in $(seq "$n"); do ask; done
callgrind_control -d "$pid" > /dev/null
sleep 1
total=$(callgrind_annotate "$dir"/callgrind.out.* 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
echo "instructions per request: $(( total / n )) ($n requests; profile in $dir)"
