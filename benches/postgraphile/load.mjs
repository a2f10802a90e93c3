// A closed-loop load generator for benches/postgraphile/run.sh, the same measure as
// benches/src/load.rs: `clients` clients POST one GraphQL request back to back for `seconds`
// (after a 300 ms warm-up); a request is an error when the status is not 200 or the body has
// "errors":. Prints BENCHMARKS.md's (f) row for the server process `pid`:
// | label | req/s | (ratio to the ceiling, left blank) | p99 ms | server CPU ms/req | SQL per request | peak RSS MiB |
//
// node load.mjs --url URL --query FILE [--variables JSON] [--seconds 3] [--clients 32]
//   [--pid PID] [--clk-tck 100] [--stats-url URL] [--expect-roles 20] [--label TEXT]
import { readFileSync } from "node:fs";
import http from "node:http";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
const url = new URL(args.url);
const seconds = Number(args.seconds ?? 3);
const clients = Number(args.clients ?? 32);
const pid = args.pid;
const clkTck = Number(args["clk-tck"] ?? 100);
const body = Buffer.from(
  JSON.stringify({
    query: readFileSync(args.query, "utf8"),
    variables: JSON.parse(args.variables ?? "{}"),
  }),
);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const ERRORS = Buffer.from('"errors":');

/** One POST of the body; resolves to { ok, bytes, text? }. */
function post(keepText = false) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "content-length": body.length,
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const all = Buffer.concat(chunks);
          resolve({
            ok: res.statusCode === 200 && all.indexOf(ERRORS) === -1,
            bytes: all.length,
            text: keepText ? all.toString("utf8") : undefined,
          });
        });
        res.on("error", () => resolve({ ok: false, bytes: 0 }));
      },
    );
    req.on("error", () => resolve({ ok: false, bytes: 0 }));
    req.end(body);
  });
}

/** `clients` closed loops for `ms`; returns requests, errors, sorted latencies (µs), seconds. */
async function run(ms) {
  const deadline = performance.now() + ms;
  const started = performance.now();
  const latencies = [];
  let errors = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      const { ok } = await post();
      latencies.push((performance.now() - t) * 1000);
      if (!ok) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, latencies, seconds: elapsed };
}

function percentileMs(latencies, p) {
  if (latencies.length === 0) return 0;
  return latencies[Math.round(((latencies.length - 1) * p) / 100)] / 1000;
}

/** utime + stime of `pid`, in seconds (all its threads). */
function cpuSeconds() {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

function peakRssMib() {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

async function statements() {
  const res = await fetch(args["stats-url"]);
  return Number(await res.text());
}

const fmt = (n, digits) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

// The check: one answer, no errors, the expected number of roles.
const first = await post(true);
const answer = JSON.parse(first.text ?? "{}");
const roots = Object.values(answer.data ?? {});
const list = roots[0]?.edges ?? roots[0]?.nodes ?? [];
const expect = Number(args["expect-roles"] ?? 20);
if (!first.ok || answer.errors || list.length !== expect) {
  console.error(`check failed: expected ${expect} roles and no errors, got:`);
  console.error((first.text ?? "(no answer)").slice(0, 2000));
  process.exit(1);
}
console.error(`check: ${list.length} roles, ${first.bytes} bytes, no errors`);

// SQL per request: 50 sequential requests after the first, counted by the server's driver.
let sql = "-";
if (args["stats-url"]) {
  const before = await statements();
  for (let i = 0; i < 50; i++) await post();
  sql = fmt(((await statements()) - before) / 50, 2);
}

await run(300);
const cpuBefore = pid ? cpuSeconds() : 0;
const r = await run(seconds * 1000);
const cpu = pid ? cpuSeconds() - cpuBefore : NaN;
agent.destroy();

const rps = r.requests / r.seconds;
const cpuMs = pid ? fmt((cpu * 1000) / Math.max(r.requests, 1), 2) : "-";
const rss = pid ? fmt(peakRssMib(), 0) : "-";
console.error(
  `${r.requests} requests in ${r.seconds.toFixed(2)} s, ${r.errors} errors, ` +
    `p50 ${fmt(percentileMs(r.latencies, 50), 1)} ms, server CPU ${cpu.toFixed(2)} s`,
);
console.log(
  `| ${args.label ?? "PostGraphile 5"} | ${fmt(rps, 0)} | | ${fmt(percentileMs(r.latencies, 99), 1)} | ${cpuMs} | ${sql} | ${rss} |`,
);
process.exit(r.errors > 0 ? 2 : 0);
