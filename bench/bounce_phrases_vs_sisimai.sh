#!/usr/bin/env bash
# Generalisation beyond the test corpus: one synthetic Postfix-style DSN per phrase of Sisimai's
# reason modules (not its MTA modules' tables: those words mean their reason only in their MTA's
# layout, so Sisimai itself reads them as onhold in a Postfix one), its `*` filled with a word,
# explained by fivefifty and by that Sisimai; prints how often the two agree, and the kinds of
# disagreement. Sisimai 5.3 (the default, SISIMAI=5) is the reference: its vocabulary is
# fivefifty's and the corpus labels'. Against 4.25 (SISIMAI=4) the reasons Sisimai 5 split
# out of 4.25's (requireptr, authfailure, badreputation, speeding out of blocked and
# toomanyconn) disagree by design.
#
#   bench/bounce_phrases_vs_sisimai.sh        # from the project root
#   FIVEFIFTY=path/to/fivefifty bench/...     # judge another build (no cargo build)
#   DISAGREEMENTS=FILE bench/...              # also write each disagreeing phrase to FILE
#   SISIMAI=4 bench/...                       # Sisimai 4.25's phrases and answers
#   LAYOUT=qmail bench/...                    # wrap each reply in another MTA's notice:
#                                             # postfix (the default), qmail, exim, sendmail,
#                                             # exchange, opensmtpd
set -euo pipefail
cd "$(dirname "$0")/.."
# SISIMAI=4 or 5: which Sisimai to compare with, and whose phrases to try (bench/sisimai.sh).
# Sisimai walks some of its tables as Perl hashes, whose order changes from run to run: the
# helper fixes the seed, so its answers, and the figures, are repeatable.
SISIMAI=${SISIMAI:-5}
. bench/sisimai.sh
export SISIMAI_REASONS
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=${FIVEFIFTY:-./target/release/fivefifty}
[ -n "${FIVEFIFTY:-}" ] || cargo build --release --quiet
python3 - "$WORK" <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from sisimai_phrases import phrases
from synthetic_dsn import LAYOUTS
layout = LAYOUTS[os.environ.get("LAYOUT", "postfix")]
reasons = os.environ["SISIMAI_REASONS"]
out = sys.argv[1]
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(out, "md", d), exist_ok=True)
# Content and policy words are answers to the message (end of DATA); the rest to RCPT TO.
AFTER_DATA = {"spamdetected", "virusdetected", "contenterror", "policyviolation", "mesgtoobig",
              "filtered", "securityerror"}
n = 0
with open(os.path.join(out, "index.tsv"), "w") as idx:
    for reason, ps in sorted(phrases(reasons, with_mta_tables=False).items()):
        for p in ps:
            n += 1
            text = p.replace("*", "example")
            cmd = "end of DATA" if reason in AFTER_DATA else "RCPT TO"
            msg = layout(f"550 {text}", cmd)
            name = f"{n:04d}.synth:2,S"
            open(os.path.join(out, "md", "cur", name), "w").write(msg)
            idx.write(f"{name}\t{reason}\t{p}\n")
PY
"$BIN" explain --json "$WORK/md" > "$WORK/ours.json" || true
perl -MSisimai -e 'my $read = $ARGV[1]; opendir D, $ARGV[0]; for my $f (sort grep { !/^\./ } readdir D) {
  my $v = Sisimai->$read("$ARGV[0]/$f") // []; print "$f\t", (@$v ? $v->[0]->reason : "-"), "\n" }' \
  "$WORK/md/cur" "$SISIMAI_READ" > "$WORK/sisimai.tsv"
python3 - "$WORK" "$SISIMAI_NAME" <<'PY'
import collections, json, os, sys
w = sys.argv[1]
ours = {}
for r in json.load(open(os.path.join(w, "ours.json")))["details"]["reports"]:
    rows = r.get("recipients") or [{}]
    ours[os.path.basename(r["source"])] = rows[0].get("reason", "-")
sis = dict(l.rstrip("\n").split("\t") for l in open(os.path.join(w, "sisimai.tsv")))
idx = [l.rstrip("\n").split("\t") for l in open(os.path.join(w, "index.tsv"))]
same = sum(ours.get(n) == sis.get(n) for n, _, _ in idx)
print(f"layout: {os.environ.get('LAYOUT', 'postfix')}")
print(f"phrases: {len(idx)}; fivefifty agrees with {sys.argv[2]} on {same} ({100 * same / len(idx):.1f}%)")
kinds = collections.Counter((sis.get(n), ours.get(n)) for n, _, _ in idx if ours.get(n) != sis.get(n))
for (s, o), c in kinds.most_common(15):
    print(f"  {c:4d}  sisimai {s:16s} fivefifty {o}")
# DISAGREEMENTS=FILE writes each disagreeing phrase: Sisimai's reason, ours, the phrase's module.
if os.environ.get("DISAGREEMENTS"):
    with open(os.environ["DISAGREEMENTS"], "w") as f:
        for n, module, p in idx:
            if ours.get(n) != sis.get(n):
                f.write(f"{sis.get(n)}\t{ours.get(n)}\t{module}\t{p}\n")
PY
