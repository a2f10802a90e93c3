#!/usr/bin/env bash
# Peak resident memory of a fresh server (response cache off) answering (f)'s query from
# c concurrent clients: VmRSS at start, after one request, and VmHWM after 6 x c requests.
#
#   benches/engine_rss.sh <database url with roles imported> [server binary] [c] [extra serve flags...]
#
# Linux only; needs curl. The request body is $ENGINE_BODY, or what prep-bench beside the
# server prints (`prep-bench engine-query`).
set -euo pipefail
url=$1
bin=${2:-target/release/prep-graphql}
c=${3:-32}
shift $(( $# < 3 ? $# : 3 ))
dir=$(mktemp -d)
source "$(dirname "$0")/engine_server.sh"
engine_body "$bin"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
start_server "$bin" serve --response-cache-entries 0 "$@"
rss() { awk -v k="$1" '$1 == k":" { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status"; }
mem() { echo "VmRSS $(rss VmRSS) (anonymous $(rss RssAnon), file $(rss RssFile)), peak VmHWM $(rss VmHWM)"; }
echo "at start: $(mem)"
ask
echo "after one request: $(mem)"
export -f ask; export body endpoint
seq $(( 6 * c )) | xargs -P "$c" -I{} bash -c ask
echo "after $(( 6 * c )) requests from $c clients: $(mem)"
