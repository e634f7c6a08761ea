#!/usr/bin/env bash
# Do two builds of fivefifty explain the bounce corpus alike? For speed work, which must not
# change a single answer: copy the release binary before the change, build again, and compare.
#
#   cp target/release/fivefifty /tmp/ff-before   # before the change
#   cargo build --release                        # after it
#   scripts/bounce_output_diff.sh /tmp/ff-before target/release/fivefifty
#   VARIANTS=/tmp/variants scripts/bounce_output_diff.sh A B   # also a kept variants folder
#                                   # (KEEP=/tmp/variants bench/bounce_variants_vs_sisimai.sh)
#
# Compares `explain --json` (keys sorted) on the corpus's messages and its not-bounces, and the
# text output on the messages; prints the first differences and exits 1 when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 BINARY_A BINARY_B" >&2; exit 2; }
CORPUS=../shared/corpora/bounces
[ -d "$CORPUS/eml" ] || { echo "SKIP: $CORPUS not found"; exit 0; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
inputs=("$CORPUS/eml" "$CORPUS/not-bounces")
[ -n "${VARIANTS:-}" ] && inputs+=("$VARIANTS/var/md")
status=0
for side in a b; do
  bin=$1; [ "$side" = b ] && bin=$2
  mkdir -p "$WORK/$side"
  for i in "${!inputs[@]}"; do
    # `explain` exits non-zero when it finds failed deliveries: the output is what counts.
    "$bin" explain --json "${inputs[$i]}" > "$WORK/$side/$i.json" 2>/dev/null || true
    # Keys sorted; output that is not JSON is compared as it is.
    python3 - "$WORK/$side/$i.json" <<'PY'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(0)
json.dump(data, open(sys.argv[1], "w"), indent=1, sort_keys=True)
PY
  done
  "$bin" explain "${inputs[0]}" > "$WORK/$side/text.txt" 2>/dev/null || true
done
for f in "$WORK"/a/*; do
  name=$(basename "$f")
  if ! cmp -s "$f" "$WORK/b/$name"; then
    echo "differs: $name"
    diff "$f" "$WORK/b/$name" | head -20
    status=1
  fi
done
[ $status -eq 0 ] && echo "same: ${#inputs[@]} inputs, JSON and text"
exit $status
