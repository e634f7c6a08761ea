#!/usr/bin/env bash
# Generalisation beyond the corpus's very files: variants of each real bounce of the corpus (other
# recipients, another diagnostic reply, the MTA's own failure words from its Sisimai module's
# table, other line ends, one more recipient; see
# scripts/bounce_variants.py), explained by fivefifty and by Sisimai. An unseen bounce of the
# same MTA differs from a corpus one in just these ways, so a rule that leans on something
# particular to the original file shows up here. Prints how often the two agree on the
# recipients and on their reasons, by kind of variant, and how often fivefifty's answer on a
# variant is its answer on the original (new addresses in, reasons kept), where the variant
# should not change it (rcpt, rcptdom, lf/crlf, more). Sisimai 5.3 (the default, SISIMAI=5) is
# the reference, its vocabulary being fivefifty's; against 4.25 (SISIMAI=4) the reasons
# Sisimai 5 split out of 4.25's (requireptr, authfailure, badreputation, speeding out of
# blocked and toomanyconn) disagree by design. Sisimai has its own misreadings too (its
# Exchange, Office 365, Messaging Server, OpenSMTPD modules read only the text part, so a
# recipient the `more` variant adds to the DSN alone is not theirs).
#
#   bench/bounce_variants_vs_sisimai.sh        # from the project root; needs ../shared/corpora
#   FIVEFIFTY=path/to/fivefifty bench/...      # judge another build (no cargo build)
#   DISAGREEMENTS=FILE bench/...               # also write each disagreement to FILE
#   KEEP=DIR bench/...                         # keep the variants and readings in DIR
#   SISIMAI=4 bench/...                        # Sisimai 4.25's tables and answers
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=../shared/corpora/bounces/eml
[ -d "$CORPUS" ] || { echo "SKIP: $CORPUS not found"; exit 0; }
# Which Sisimai (bench/sisimai.sh); it fixes Perl's hash seed, as Sisimai walks some tables as
# hashes, so its answers, and the figures, are repeatable.
SISIMAI=${SISIMAI:-5}
. bench/sisimai.sh
# KEEP=DIR: the variants (var/md/cur, var/index.tsv) and the readings (orig.tsv, var.tsv) stay.
if [ -n "${KEEP:-}" ]; then WORK=$KEEP; rm -rf "$WORK"; mkdir -p "$WORK"
else WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
BIN=${FIVEFIFTY:-${CARGO_TARGET_DIR:-target}/release/fivefifty}
[ -n "${FIVEFIFTY:-}" ] || cargo build --release --quiet

# file \t tool \t recipient \t reason \t status \t diagnostic, for every file of a folder.
sisimai() {
  perl -MSisimai -e 'my $read = $ARGV[1]; opendir D, $ARGV[0]; for my $f (sort grep { !/^\./ } readdir D) {
    my $v = Sisimai->$read("$ARGV[0]/$f", delivered => 1, vacation => 1) // [];
    for my $r (@$v) { my $d = $r->diagnosticcode // ""; $d =~ s/[\t\r\n]+/ /g;
      print join("\t", $f, "sisimai", $r->recipient->address, $r->reason,
        $r->deliverystatus // "", $d), "\n" } }' "$1" "$SISIMAI_READ"
}
ours() {
  "$BIN" explain --json "$1" > "$WORK/ours.json" || true
  python3 - "$WORK/ours.json" <<'PY'
import json, os, sys
for r in json.load(open(sys.argv[1]))["details"]["reports"]:
    f = os.path.basename(r["source"])
    for row in r.get("recipients") or []:
        d = " ".join((row.get("diagnostic") or "").split())
        print("\t".join([f, "fivefifty", row.get("recipient") or "", row.get("reason") or "",
                         row.get("status") or "", d]))
PY
}
# The originals, read by both (the variants are built from these readings).
mkdir -p "$WORK/orig"
cp "$CORPUS"/*.eml "$WORK/orig/"
{ sisimai "$WORK/orig"; ours "$WORK/orig"; } > "$WORK/orig.tsv"
python3 scripts/sisimai_lhost_tables.py "$SISIMAI_REASONS/../Lhost" > "$WORK/tables.json"
python3 scripts/bounce_variants.py "$WORK/orig" "$WORK/orig.tsv" "$WORK/var" "$WORK/tables.json"
{ sisimai "$WORK/var/md/cur"; ours "$WORK/var/md"; } > "$WORK/var.tsv"
python3 - "$WORK" "$SISIMAI_NAME" <<'PY'
import collections, json, os, sys
w, name = sys.argv[1], sys.argv[2]
# Sisimai's stand-in when it finds no recipient; fivefifty leaves the address empty.
NONE = "undisclosed-recipient-in-headers@libsisimai.org.invalid"

def load(path):
    out = collections.defaultdict(lambda: collections.defaultdict(list))
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 4:
            a = f[2].lower()
            out[f[0]][f[1]].append(("" if a == NONE else a, f[3]))
    return out

orig, var = load(os.path.join(w, "orig.tsv")), load(os.path.join(w, "var.tsv"))
idx = [l.rstrip("\n").split("\t") for l in open(os.path.join(w, "var", "index.tsv"))]

def show(rows):
    return " ".join(f"{a or '(none)'}={r}" for a, r in sorted(rows)) or "-"

def agree(s, o):
    """(same recipients, same recipients and reasons)"""
    same = sorted(a for a, _ in s) == sorted(a for a, _ in o)
    return same, same and sorted(s) == sorted(o)

stats = collections.defaultdict(collections.Counter)
bad = []
for v, src, kind, mapping in idx:
    mapping = json.loads(mapping)
    k = kind.split(":")[0]
    s, o = sorted(var[v]["sisimai"]), sorted(var[v]["fivefifty"])
    st = stats[k]
    st["variants"] += 1
    # The table's own reason for its words (`table:REASON`), whatever Sisimai makes of them.
    if k == "table":
        st["table rows"] += 1
        st["table same"] += bool(o) and all(r == kind.split(":")[1] for _, r in o)
    if s:
        st["sisimai reads"] += 1
        rc, rs = agree(s, o)
        st["same recipients"] += rc
        st["same reasons"] += rs
        # Disagreements the variant made: the two agreed on the original file.
        orc, ors = agree(orig[src]["sisimai"], orig[src]["fivefifty"])
        st["new recipient disagreements"] += orc and not rc
        st["new reason disagreements"] += ors and rc and not rs
        if not rs:
            new = "new" if (orc and not rc) or (ors and not rs) else "as on the original"
            bad.append((src, kind, f"sisimai ({new})", show(s), show(o)))
    # Our own answer on the original, with the new addresses: what a variant that keeps the
    # failure should give.
    if k in ("rcpt", "rcptdom", "lf", "crlf", "more") and orig[src]["fivefifty"]:
        m = {a.lower(): b.lower() for a, b in mapping.items() if a != "+"}
        want = [(m.get(a, a), r) for a, r in orig[src]["fivefifty"]]
        if "+" in mapping:
            want.append((mapping["+"].lower(), orig[src]["fivefifty"][0][1]))
        st["kept"] += 1
        st["kept same"] += sorted(want) == o
        if sorted(want) != o:
            bad.append((src, kind, "own original", show(want), show(o)))

tot = collections.Counter()
for c in stats.values():
    tot.update(c)
pr = lambda a, b: f"{a}/{b} ({100 * a / b:.1f}%)" if b else "-"
def line(name, c):
    n = c["sisimai reads"]
    own = f"; as on its original {pr(c['kept same'], c['kept'])}" if c["kept"] else ""
    if c["table rows"]:
        own += f"; the table's reason {pr(c['table same'], c['table rows'])}"
    print(f"  {name:8s} {c['variants']:5d} variants; with Sisimai: recipients "
          f"{pr(c['same recipients'], n)} (new disagreements {c['new recipient disagreements']}), "
          f"reasons {pr(c['same reasons'], n)} (new {c['new reason disagreements']}){own}")
o_rc = sum(agree(orig[f]["sisimai"], orig[f]["fivefifty"])[0] for f in orig if orig[f]["sisimai"])
o_rs = sum(agree(orig[f]["sisimai"], orig[f]["fivefifty"])[1] for f in orig if orig[f]["sisimai"])
o_n = sum(1 for f in orig if orig[f]["sisimai"])
print(f"originals: Sisimai reads {o_n}; same recipients {pr(o_rc, o_n)}, reasons {pr(o_rs, o_n)}")
print(f"variants: {tot['variants']} (Sisimai reads {tot['sisimai reads']}); a disagreement is new "
      "when the two agreed on the original; 'as on its original': fivefifty's answer kept")
line("all", tot)
for k in sorted(stats):
    line(k, stats[k])
kinds = collections.Counter()
for src, kind, vs, want, got in bad:
    if vs.startswith("sisimai") and len(want.split()) == len(got.split()):
        for a, b in zip(want.split(), got.split()):
            if a != b and a.split("=")[0] == b.split("=")[0]:
                kinds[(a.split("=")[1], b.split("=")[1])] += 1
print(f"reasons, {name} -> fivefifty, most common:")
for (a, b), c in kinds.most_common(12):
    print(f"  {c:4d}  {a:16s} {b}")
# DISAGREEMENTS=FILE: original file, variant kind, against what, that answer, fivefifty's.
if os.environ.get("DISAGREEMENTS"):
    with open(os.environ["DISAGREEMENTS"], "w") as f:
        for row in bad:
            f.write("\t".join(row) + "\n")
PY
