#!/usr/bin/env bash
# Blocklist engine load figure: 10,000 distinct IPs against 40 lists through the loopback lab
# DNS server (in process), with peak memory from /usr/bin/time -v.
# Usage: bench/blocklist_qps.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
exe=$(cargo bench --bench blocklist --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4)
if [ -z "$exe" ]; then echo "could not build the benchmark" >&2; exit 1; fi
log=$(mktemp)
/usr/bin/time -v "$exe" --throughput 2>"$log"
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Percent of CPU" "$log"
rm -f "$log"
