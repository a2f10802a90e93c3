# Sourced by engine_profile.sh and engine_rss.sh: (f)'s request body, a server on a free port,
# and `ask`, which sends the body once. Expects $url (the database) and $dir (a scratch directory).

# Writes (f)'s request body to $body: $ENGINE_BODY, or what prep-bench beside binary $1 prints.
engine_body() {
  body="$dir/body.json"
  if [[ -n "${ENGINE_BODY:-}" ]]; then
    cp "$ENGINE_BODY" "$body"
  else
    "$(dirname "$1")/prep-bench" engine-query > "$body"
  fi
}

# Sets $server to the command under test: binary $1 serving with the response cache off and
# the serve flags that follow, or, with BASELINE=sqlx, the sqlx handler of prep-bench beside it.
server_command() {
  local bin=$1
  shift
  if [[ "${BASELINE:-}" == sqlx ]]; then
    server=("$(dirname "$bin")/prep-bench" baseline-sqlx "$url" 10)
  else
    server=("$bin" serve --response-cache-entries 0 "$@")
  fi
}

# Runs the command given on $url, bound to a free port, and waits until it listens (up to
# 2 minutes: under valgrind start-up is slow); sets $pid and $endpoint.
start_server() {
  # Every load client connects from 127.0.0.1: no per-address cap.
  DATABASE_URL="$url" PREP_BIND=127.0.0.1:0 RUST_LOG=warn PREP_MAX_CONNECTIONS_PER_ADDRESS=0 \
    "$@" >"$dir/out" 2>"$dir/err" &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.2; done
  endpoint=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -1)/graphql
}

ask() { curl -sf -o /dev/null -H 'content-type: application/json' --data-binary @"$body" "$endpoint"; }
