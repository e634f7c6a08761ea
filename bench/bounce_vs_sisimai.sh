#!/usr/bin/env bash
# Bounce explainer vs Sisimai 4.25 (Debian libsisimai-perl) on the whole bounce corpus, in one run
# on one machine. Both read the corpus as one Maildir folder, in one process each; each side
# reports the fastest of its passes (at least $RUNS, for at least $BUDGET seconds) measured
# inside its process (so Perl's ~0.3 s start-up and cargo's build are not counted), plus the
# wall time of one whole process.
#
#   bench/bounce_vs_sisimai.sh            # from the project root; needs ../shared/corpora
#   SISIMAI=5 bench/bounce_vs_sisimai.sh  # against Sisimai 5.3 (the vocabulary's version)
#
# Bar (issue 4): fivefifty >= 50x Sisimai's bounces per second on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=../shared/corpora/bounces/eml
RUNS=${RUNS:-5}
# Each side makes passes until they add up to BUDGET seconds (and at least RUNS of them), and
# reports its fastest: the same time budget for both, so a ~10 ms pass is not judged on five
# samples of a noisy machine while a ~0.5 s one gets seconds. Sisimai's ~0.5 s passes swing by
# half on this machine (0.42 to 0.69 s in one run of 15); 8 s gives it about 15 of them, so its
# best pass is a quiet one, as ours is.
BUDGET=${BUDGET:-8}
[ -d "$CORPUS" ] || { echo "SKIP: $CORPUS not found"; exit 0; }

# Sisimai 4.25 (the issue's) by default, SISIMAI=5 for 5.3: bench/sisimai.sh.
. bench/sisimai.sh

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/maildir/cur" "$WORK/maildir/new" "$WORK/maildir/tmp"
i=0
for f in "$CORPUS"/*.eml; do
  i=$((i+1)); cp "$f" "$WORK/maildir/cur/$(printf '%04d' $i).$(basename "$f"):2,S"
done
echo "corpus: $i messages in a Maildir"

# fivefifty: the criterion bench binary has a one-shot mode (BOUNCE_MAILDIR).
BIN=$(cargo bench --bench bounce --no-run --message-format=json 2>/dev/null \
  | grep '"kind":\["bench"\]' | grep '"name":"bounce"' \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$BIN" ] || { echo "could not build the bench binary"; exit 1; }
OURS=$(BOUNCE_MAILDIR="$WORK/maildir" BOUNCE_RUNS=$RUNS BOUNCE_MIN_SECONDS=$BUDGET "$BIN")
echo "$OURS"
# The same on the machine's cores, as `fivefifty explain` reads a folder (at most 4 threads,
# BounceStream::for_each_parallel). Sisimai has one thread only.
CORES=$(nproc); [ "$CORES" -gt 4 ] && CORES=4
OURS_PAR=$(BOUNCE_MAILDIR="$WORK/maildir" BOUNCE_RUNS=$RUNS BOUNCE_MIN_SECONDS=$BUDGET BOUNCE_THREADS=$CORES "$BIN")
echo "$OURS_PAR"
T0=$(date +%s.%N); BOUNCE_MAILDIR="$WORK/maildir" BOUNCE_RUNS=1 "$BIN" >/dev/null; T1=$(date +%s.%N)
echo "fivefifty whole process (1 pass): $(echo "$T1 - $T0" | bc) s"

# Sisimai: Sisimai->make (4) or ->rise (5) on the Maildir's cur/ (Sisimai reads the files of a folder).
THEIRS=$(perl -MSisimai -MTime::HiRes=time -e '
  my ($dir, $runs, $budget, $read) = @ARGV; my ($best, $n, $rows, $passes, $spent) = (1e9, 0, 0, 0, 0);
  while ($passes < $runs || $spent < $budget) {
    my $t = time; my $v = Sisimai->$read($dir, delivered => 1, vacation => 1) // [];
    my $d = time - $t; $best = $d if $d < $best; $rows = scalar @$v; $passes++; $spent += $d;
  }
  opendir(my $dh, $dir); $n = grep { !/^\./ } readdir($dh);
  printf "sisimai passes=%d messages=%d rows=%d seconds=%.6f per_second=%.1f\n", $passes, $n, $rows, $best, $n / $best;
' "$WORK/maildir/cur" "$RUNS" "$BUDGET" "$SISIMAI_READ")
echo "$THEIRS"
T0=$(date +%s.%N); perl -MSisimai -e 'my $read = $ARGV[1]; Sisimai->$read($ARGV[0])' "$WORK/maildir/cur" "$SISIMAI_READ" >/dev/null; T1=$(date +%s.%N)
echo "sisimai whole process (1 pass): $(echo "$T1 - $T0" | bc) s"

O=$(echo "$OURS" | sed -n 's/.* per_second=\([0-9.]*\).*/\1/p')
S=$(echo "$THEIRS" | sed -n 's/.* per_second=\([0-9.]*\).*/\1/p')
OP=$(echo "$OURS_PAR" | sed -n 's/.* per_second=\([0-9.]*\).*/\1/p')
R=$(echo "scale=1; $O / $S" | bc)
RP=$(echo "scale=1; $OP / $S" | bc)
# The bar compares bounces per second on this machine: `fivefifty explain` reads a folder on the
# machine's cores (at most 4), Sisimai on the one it can use. The one-thread figure is printed too.
echo "ratio, fivefifty as explain runs ($CORES threads) vs $SISIMAI_NAME: ${RP}x (bar: 50x)"
echo "ratio, one thread each: ${R}x"
