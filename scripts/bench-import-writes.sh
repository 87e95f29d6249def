#!/usr/bin/env bash
# Imports N generated subscribers (default 1,000,000) with `tangazo subscribers import` into the
# SQLite database of a running `tangazo serve` (workers and scheduler on), while a client starts
# an API write (a draft notice) every 100 ms, and prints how long the import took and how long
# the API writes waited: the worst, the 99th percentile, and how many failed.
#
#   scripts/bench-import-writes.sh [N]
#
# TANGAZO_BIN runs another binary instead of this tree's release build (an older one, to
# compare). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
bin="${TANGAZO_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release -q
    bin="$PWD/target/release/tangazo"
fi
work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
for k in $(env | grep -o '^TANGAZO_[A-Z_]*' || true); do unset "$k"; done
export RUST_LOG=warn

python3 - "$n" list.csv <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("address,language,services,consent\n")
    for i in range(n):
        if i % 10 == 0:
            f.write(f"user{i}@example.co.ke,en,,yes\n")
        else:
            f.write(f"07{10_000_000 + i:08d},sw,pay-bill;send-money,yes\n")
PY
"$bin" demo >/dev/null
token="$("$bin" token create --name bench --role editor 2>/dev/null)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
TANGAZO_SERVER_BIND="127.0.0.1:$port" "$bin" serve 2>serve.log &
server=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.05)
sys.exit("the server did not start")
PY

python3 - "$port" "$token" > writes.txt <<'PY' &
import json, os, sys, time, urllib.request, urllib.error
port, token = sys.argv[1], sys.argv[2]
start = time.time() + 86400 * 3
body = json.dumps({
    "kind": "maintenance",
    "title": {"en": "Beside the import", "sw": "Kando ya uingizaji"},
    "body": {"en": "Finish urgent payments first.", "sw": "Maliza malipo ya dharura kwanza."},
    "affected": [{"service": "send-money"}],
    "starts_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
    "ends_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 7200)),
}).encode()
waits, failures = [], []
next_at = time.time()
while not os.path.exists("stop"):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/notices", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    t = time.time()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    except Exception as e:
        status = str(e)
    waits.append(time.time() - t)
    if status != 201:
        failures.append(status)
    next_at += 0.1
    time.sleep(max(0.0, next_at - time.time()))
waits.sort()
p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
print(f"API writes during the import: {len(waits)}, failed: {len(failures)} {sorted(set(map(str, failures)))}")
print(f"API write wait: worst {waits[-1] * 1000:.0f} ms, 99th percentile {p99 * 1000:.0f} ms, median {waits[len(waits) // 2] * 1000:.0f} ms")
PY
writer=$!
sleep 1
command -v /usr/bin/time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
/usr/bin/time -f "import: wall %e s, peak RSS %M KB" "$bin" subscribers import list.csv 2>&1 | grep -v '^checked\|^imported'
touch stop
wait "$writer"
cat writes.txt
echo "server log: $(grep -c 'database is locked' serve.log || true) lines with 'database is locked', $(grep -c 'tick failed' serve.log || true) failed scheduler ticks"
