#!/usr/bin/env python3
"""What a full account's data export costs the server in memory (issue 25: "streamed, so a
full account is not held whole in memory"). Linux only; standard library only.

    cargo build --release && python3 benches/export_rss.py [server binary] [drafts] [edits]

One account on a fresh SQLite server gets `drafts` drafts (default 500, the default
`--max-drafts-per-user`) with every section at ~5,000 characters (`--draft-section-max-chars`),
each edited `edits` times (default 3: every edit keeps a revision). Then:

1. `GET /me/export` read slowly (64 KiB, then 20 ms, ...), as a download over a slow link;
2. the same document through GraphQL `exportMyData`, which builds it whole for the answer.

For each it prints the document's size and the server's RSS before, the highest RSS sampled
while it ran (every 20 ms), and VmHWM growth. The streamed route's growth should stay far
below the document's size; the GraphQL answer's is expected to be several times it.
"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/prep-graphql"
DRAFTS = int(sys.argv[2]) if len(sys.argv) > 2 else 500
EDITS = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def rss(pid, key="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def post(url, query, variables=None, token=None, timeout=120):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, body, {"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


class Sampler:
    """Highest VmRSS of `pid` seen every 20 ms while active."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.peak = rss(self.pid)
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()


def main():
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/export.db?mode=rwc", PREP_BIND="127.0.0.1:0",
               PREP_ADMIN_BIND="127.0.0.1:0", RUST_LOG="warn",
               # Big answers are what is measured here, not refused.
               PREP_MAX_RESPONSE_BYTES=str(1 << 30))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.PIPE, text=True)
    address = None
    for line in server.stdout:
        if "listening on" in line:
            address = line.split("http://")[1].strip()
        if "Admin:" in line:
            break
    base = f"http://{address}"
    url = f"{base}/graphql"
    token = post(url, "mutation { register(input: {email: \"export@example.com\", password: \"correct horse battery\", displayName: \"E\"}) { token } }")["data"]["register"]["token"]
    section = ("word " * 1000)[:4990]
    create = "mutation($i: CreateStarDraftInput!) { createStarDraft(input: $i) { id version } }"
    update = "mutation($i: UpdateStarDraftInput!) { updateStarDraft(input: $i) { version } }"
    for i in range(DRAFTS):
        made = post(url, create, {"i": {"title": f"Story {i}", "situation": section, "task": section,
                                        "action": section, "result": section}}, token)["data"]["createStarDraft"]
        version = made["version"]
        for e in range(EDITS):
            version = post(url, update, {"i": {"id": made["id"], "expectedVersion": version,
                                               "result": section[: 4990 - 10] + f" edit {e:4d}"}},
                           token)["data"]["updateStarDraft"]["version"]
    pid = server.pid
    time.sleep(1)

    before, hwm_before = rss(pid), rss(pid, "VmHWM")
    size = 0
    with Sampler(pid) as sampler:
        req = urllib.request.Request(f"{base}/me/export", headers={"authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=600) as r:
            while True:
                piece = r.read(64 * 1024)
                if not piece:
                    break
                size += len(piece)
                time.sleep(0.02)
    print(f"account: {DRAFTS} drafts x 4 sections of ~5,000 chars, {EDITS} edits each ({DRAFTS * (EDITS + 1)} revisions)")
    print(f"GET /me/export (read slowly): {size / 1048576:.1f} MiB; RSS before {before:.1f} MiB, "
          f"highest while streaming {sampler.peak:.1f} MiB (+{sampler.peak - before:.1f}), "
          f"VmHWM {hwm_before:.1f} -> {rss(pid, 'VmHWM'):.1f} MiB")

    time.sleep(1)
    before = rss(pid)
    with Sampler(pid) as sampler:
        answer = post(url, "{ exportMyData }", token=token, timeout=600)
    if not (answer.get("data") or {}).get("exportMyData"):
        print(f"GraphQL exportMyData refused: {json.dumps(answer.get('errors'))[:300]}")
        server.terminate()
        return
    whole = len(json.dumps(answer["data"]["exportMyData"]))
    print(f"GraphQL exportMyData (whole): {whole / 1048576:.1f} MiB; RSS before {before:.1f} MiB, "
          f"highest while answering {sampler.peak:.1f} MiB (+{sampler.peak - before:.1f})")
    server.terminate()
    server.wait()


if __name__ == "__main__":
    main()
