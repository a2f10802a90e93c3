#!/usr/bin/env bash
# Resident memory of the server after N concurrent registrations (Argon2 at 19 MiB each).
#
#   cargo build --release && benches/register_rss.sh [server binary] [N]
#
# Starts the binary on a fresh SQLite database and a free port, sends N `register` mutations at
# once, and prints VmRSS (now) and VmHWM (peak) from /proc. Linux only; needs curl.
set -euo pipefail
bin=${1:-target/release/prep-graphql}
n=${2:-60}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
DATABASE_URL="sqlite://$dir/rss.db?mode=rwc" PREP_BIND=127.0.0.1:0 RUST_LOG=warn \
  PREP_MAX_CONNECTIONS_PER_ADDRESS=0 PREP_REGISTRATIONS_PER_ADDRESS=1000000 \
  "$bin" serve >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -1)/graphql
rss() { awk -v k="$1" '$1 == k":" { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status"; }
echo "before: VmRSS $(rss VmRSS)"
seq "$n" | xargs -P "$n" -I{} curl -s -o /dev/null -H 'content-type: application/json' \
  -d "{\"query\":\"mutation { register(input: {email: \\\"rss{}@example.com\\\", password: \\\"correct horse battery\\\", displayName: \\\"R\\\"}) { token } }\"}" \
  "$url"
sleep 1
echo "after $n concurrent registrations: VmRSS $(rss VmRSS), peak VmHWM $(rss VmHWM)"
echo "registered: $(curl -s -H 'content-type: application/json' -d '{"query":"mutation { login(input: {email: \"rss1@example.com\", password: \"correct horse battery\"}) { token } }"}' "$url" | grep -c token) (login check)"
