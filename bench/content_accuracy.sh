#!/usr/bin/env bash
# Content checks over the benchmark corpus: confusion table per message kind, messages/second
# and peak memory (whole process, /usr/bin/time -v).
#
#   bench/content_accuracy.sh [CORPUS_DIR] [REPEAT]
#
# CORPUS_DIR defaults to /tmp/corpus; it is generated with ../shared/bench/gen_corpus.py if
# missing (needs python3 and network access to PyPI for dkimpy).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-/tmp/corpus}
REPEAT=${2:-1}
if [ ! -f "$CORPUS/meta.jsonl" ]; then
  python3 -m venv /tmp/benchvenv
  /tmp/benchvenv/bin/pip install -q dkimpy
  /tmp/benchvenv/bin/python ../shared/bench/gen_corpus.py --out "$CORPUS" --dns "$CORPUS/dns" -n 2000
fi
cargo build --release --example content_accuracy
BIN="${CARGO_TARGET_DIR:-target}/release/examples/content_accuracy"
/usr/bin/time -v "$BIN" "$CORPUS" --repeat "$REPEAT" 2> /tmp/content_accuracy.time
grep -E "Maximum resident|Elapsed \(wall|User time|System time" /tmp/content_accuracy.time
