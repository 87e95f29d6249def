#!/usr/bin/env bash
# Imports a generated CSV of N subscribers (default 1,000,000) into a fresh SQLite database with
# the release binary and reports rows/s and peak memory (from /usr/bin/time, which it installs
# from Debian's "time" package if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
command -v /usr/bin/time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$n" "$work/list.csv" <<'PY'
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
ls -l "$work/list.csv" | awk '{printf "CSV: %.1f MB\n", $5/1e6}'
cd "$work"
target="$OLDPWD/target/release/tangazo"
"$target" demo >/dev/null
/usr/bin/time -f "peak RSS: %M KB, wall: %e s" "$target" subscribers import list.csv
/usr/bin/time -f "re-import peak RSS: %M KB, wall: %e s" "$target" subscribers import list.csv
