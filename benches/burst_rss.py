#!/usr/bin/env python3
"""Resident memory before, at the peak of and after an abusive burst (issue 27), and /healthz
latency meanwhile, on a fresh SQLite server. Linux only; standard library only.

    cargo build --release && python3 benches/burst_rss.py [server binary] [drafts]

The burst: one account with `drafts` drafts of ~20 KB, then 3 sockets that each start 20
`myStarDraftEvents(since:)` catch-ups over all of them and never read, while 16 clients ask
for the account's coverage with every story's text. RSS is VmRSS (now) and VmHWM (peak) from
/proc; "after" is read 3 s and 15 s after every burst connection has closed. BURST=sockets or
BURST=coverage runs one half of the burst only.

With MAX_KEPT_PERCENT=N it is a check (exit status 1) that memory comes back: RSS 15 s after
may keep at most N% of what the burst added (peak - before).
"""
import base64, json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/prep-graphql"
DRAFTS = int(sys.argv[2]) if len(sys.argv) > 2 else 500


def rss(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def post(url, query, variables=None, token=None, timeout=60):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, body, {"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def frame(text):
    """A masked client text frame."""
    data = text.encode()
    head = bytearray([0x81])
    n = len(data)
    if n < 126:
        head.append(0x80 | n)
    elif n < 65536:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    mask = os.urandom(4)
    return bytes(head) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def non_reading_socket(host, port, token, subscriptions):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /graphql HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
    s.recv(1024)  # 101 and, likely, the start of nothing else yet
    s.sendall(frame(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})))
    time.sleep(0.2)
    query = "subscription($s: DateTime) { myStarDraftEvents(since: $s) { kind draft { situation task action result } } }"
    for i in range(subscriptions):
        s.sendall(frame(json.dumps({"type": "subscribe", "id": str(i),
                                    "payload": {"query": query, "variables": {"s": "2000-01-01T00:00:00Z"}}})))
    return s


def cpu_seconds(pid):
    """The process's user + system CPU time so far (/proc/<pid>/stat)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def allocator_mib(admin):
    """The allocator's resident MiB from /metrics (`prep_allocator_bytes`), or None."""
    for line in urllib.request.urlopen(f"http://{admin}/metrics").read().decode().splitlines():
        if line.startswith('prep_allocator_bytes{kind="resident"} '):
            return float(line.split()[-1]) / 2**20
    return None


def main():
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/burst.db?mode=rwc", PREP_BIND="127.0.0.1:0",
               PREP_ADMIN_BIND="127.0.0.1:0", RUST_LOG="warn")
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.PIPE, text=True)
    admin = address = None
    for line in server.stdout:
        if "listening on" in line:
            address = line.split("http://")[1].strip()
        if "Admin:" in line:
            admin = line.split("http://")[1].split("/")[0]
            break
    host, port = address.split(":")
    url = f"http://{address}/graphql"
    token = post(url, "mutation { register(input: {email: \"burst@example.com\", password: \"correct horse battery\", displayName: \"B\"}) { token } }")["data"]["register"]["token"]
    section = "word " * 1000
    create = "mutation($i: CreateStarDraftInput!) { createStarDraft(input: $i) { id } }"
    for i in range(DRAFTS):
        post(url, create, {"i": {"title": f"d{i}", "competencies": ["leadership"], "situation": section,
                                  "task": section, "action": section, "result": section}}, token)
    pid = server.pid
    before = rss(pid, "VmRSS")
    heap_before = allocator_mib(admin)
    cpu_before = cpu_seconds(pid)
    latencies, admin_latencies, stop = [], [], threading.Event()

    def probe():
        while not stop.is_set():
            for where, into in ((address, latencies), (admin, admin_latencies)):
                t = time.time()
                try:
                    urllib.request.urlopen(f"http://{where}/healthz", timeout=8).read()
                    into.append((time.time() - t) * 1000)
                except Exception:
                    into.append(8000.0)
            time.sleep(0.25)

    def coverage():
        q = "{ role(slug: \"backend-developer\") { myCoverage { competencies { stories { situation task action result } } } } }"
        try:
            post(url, q, token=token, timeout=30)
        except Exception:
            pass

    prober = threading.Thread(target=probe)
    prober.start()
    part = os.environ.get("BURST", "both")
    sockets = [non_reading_socket(host, int(port), token, 20) for _ in range(3)] if part != "coverage" else []
    workers = [threading.Thread(target=coverage) for _ in range(16)] if part != "sockets" else []
    for w in workers:
        w.start()
    peak_seen = before
    for _ in range(40):
        time.sleep(0.25)
        peak_seen = max(peak_seen, rss(pid, "VmRSS"))
    for w in workers:
        w.join()
    open_sockets = [l for l in urllib.request.urlopen(f"http://{admin}/metrics").read().decode().splitlines()
                    if l.startswith("prep_ws_connections ")]
    for s in sockets:
        s.close()
    stop.set()
    prober.join()
    time.sleep(3)
    # The burst's CPU, its purging included (3 s after, most of it has run).
    cpu = cpu_seconds(pid) - cpu_before
    after = rss(pid, "VmRSS")
    hwm = rss(pid, "VmHWM")
    latencies.sort()
    admin_latencies.sort()
    print(f"drafts: {DRAFTS} x ~20 KB; burst ({part}): 3 non-reading sockets x 20 catch-ups, 16 coverage queries")
    time.sleep(12)
    later = rss(pid, "VmRSS")
    heap_later = allocator_mib(admin)
    print(f"RSS before {before:.1f} MiB, peak (VmHWM) {hwm:.1f} MiB (sampled {peak_seen:.1f}), "
          f"after {after:.1f} MiB (3 s), {later:.1f} MiB (15 s)")
    if heap_before is not None:
        # The rest of RSS is code, stacks and what C code (SQLite) allocates with malloc.
        print(f"the Rust allocator's resident pages: before {heap_before:.1f} MiB, after {heap_later:.1f} MiB (15 s)")
    print(f"server CPU for the burst and 3 s after: {cpu:.2f} s")
    print(f"sockets still open after 10 s: {open_sockets}")
    for name, values in (("--bind", latencies), ("--admin-bind", admin_latencies)):
        print(f"/healthz on {name} during the burst: {len(values)} probes, "
              f"median {values[len(values)//2]:.1f} ms, max {values[-1]:.1f} ms")
    server.terminate()
    server.wait()
    limit = os.environ.get("MAX_KEPT_PERCENT")
    if limit is not None:
        kept = 100 * (later - before) / max(hwm - before, 1e-9)
        print(f"kept {kept:.0f}% of the burst's memory 15 s after (limit {limit}%)")
        if kept > float(limit):
            sys.exit(1)


if __name__ == "__main__":
    main()
