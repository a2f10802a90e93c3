#!/usr/bin/env bash
# Latency for one client: a fresh server (response cache off) answers one request body
# 20 times to warm up, then N times in a row, each on a new connection; prints the median,
# p90 and minimum of curl's total time (BENCHMARKS.md, "Third pass").
#
#   benches/page_latency.sh <database url with roles imported> [server binary] [N] [extra serve flags...]
#
# The body is $ENGINE_BODY, or (f)'s; (a)'s role page: `prep-bench page-query > page.json`.
# BASELINE=sqlx times the sqlx handler instead (it answers (f)'s query only).
set -euo pipefail
url=$1
bin=${2:-target/release/prep-graphql}
n=${3:-200}
shift $(( $# < 3 ? $# : 3 ))
dir=$(mktemp -d)
source "$(dirname "$0")/engine_server.sh"
engine_body "$bin"
server_command "$bin" "$@"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
start_server "${server[@]}"
for _ in $(seq 20); do ask; done
for _ in $(seq "$n"); do
  curl -sf -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' \
    --data-binary @"$body" "$endpoint"
done | sort -n | awk '{ t[NR] = $1 * 1000 }
  END { printf "median %.2f ms, p90 %.2f ms, min %.2f ms (%d requests)\n", t[int((NR + 1) / 2)], t[int(NR * 0.9)], t[1], NR }'
