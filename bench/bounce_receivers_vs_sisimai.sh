#!/usr/bin/env bash
# Receivers' documented replies: one synthetic Postfix-style DSN per row of Sisimai 4.25's
# receiver tables (lib/Sisimai/Rhost: Cox, Exchange Online, Orange, Google, i.ua, Mimecast,
# Tencent QQ), sent from that receiver's host with the row's status and reply code, explained by
# fivefifty and by Sisimai; prints how often fivefifty agrees with Sisimai and with the table.
# Sisimai 5 (whose vocabulary fivefifty follows) split some of 4.25's reasons (authfailure,
# requireptr, badreputation out of blocked; speeding out of toomanyconn), so those rows
# disagree by design.
#
#   bench/bounce_receivers_vs_sisimai.sh        # from the project root
#   FIVEFIFTY=path/to/fivefifty bench/...       # judge another build (no cargo build)
#   DISAGREEMENTS=FILE bench/...                # also write each disagreeing row to FILE
set -euo pipefail
cd "$(dirname "$0")/.."
if ! perl -MSisimai -e 1 2>/dev/null; then
  apt-get update >/dev/null && apt-get install -y libsisimai-perl >/dev/null
fi
# Sisimai walks some of its tables as Perl hashes, whose order changes from run to run: a
# fixed seed makes its answers, and so the figures, repeatable.
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=${FIVEFIFTY:-./target/release/fivefifty}
[ -n "${FIVEFIFTY:-}" ] || cargo build --release --quiet
perl - > "$WORK/rows.tsv" <<'PL'
# Prints module \t rhost \t status \t text \t table-reason for samples of Sisimai 4.25's Rhost tables.
use strict; use warnings;
my $dir = '/usr/share/perl5/Sisimai/Rhost';
sub src { local $/; open my $f, '<', "$dir/$_[0].pm" or die; my $s = <$f>; $s }
sub tbl { my ($src, $name) = @_; $src =~ /state \$$name = (\{.*?\n    \});/s or die "$name"; my $v = eval $1; die $@ if $@; $v }
my @rows;
{ my $s = src('Cox'); my $e = tbl($s,'errorcodes'); my $m = tbl($s,'messagesof');
  push @rows, ['Cox','mx.east.cox.net','5.0.0',"554 5.0.0 Mail rejected AUP#$_",$e->{$_}] for sort keys %$e;
  for my $r (sort keys %$m) { push @rows, ['Cox','mx.east.cox.net','5.0.0',"550 5.0.0 $_",$r] for @{$m->{$r}} } }
{ my $s = src('ExchangeOnline'); my $m = tbl($s,'messagesof');
  for my $r (sort keys %$m) { for my $e (@{$m->{$r}}) { my ($st,$lo,$hi,$t)=@$e; my $status = $lo ? "$st$lo" : $st;
    my $reply = $status =~ /^4/ ? 451 : 550; push @rows, ['ExchangeOnline','ex.mail.protection.outlook.com',$status,"$reply $status $t",$r] } } }
{ my $s = src('FrancePTT'); my $e = tbl($s,'errorcodes');
  for my $c (sort keys %$e) { next unless defined $e->{$c}; push @rows, ['FrancePTT','smtp-in.orange.fr','5.0.0',"550 5.0.0 Service refuse. Veuillez essayer plus tard. OFR_$c [$c]",$e->{$c}] } }
{ my $s = src('GoogleApps'); my $m = tbl($s,'messagesof');
  for my $r (sort keys %$m) { for my $e (@{$m->{$r}}) { my ($reply,$st,$t)=@$e; push @rows, ['GoogleApps','aspmx.l.google.com',$st,"$reply $st $t",$r] } } }
{ my $s = src('Mimecast'); my $m = tbl($s,'messagesof');
  for my $r (sort keys %$m) { for my $e (@{$m->{$r}}) { my ($reply,$t)=@$e; my $st = $reply =~ /^4/ ? '4.0.0' : '5.0.0'; push @rows, ['Mimecast','us-smtp-inbound-1.mimecast.com',$st,"$reply $t",$r] } } }
{ my $s = src('TencentQQ'); my $m = tbl($s,'messagesof');
  push @rows, ['TencentQQ','mx3.qq.com','5.0.0',"550 $_",$m->{$_}] for sort keys %$m }
for my $c (1..10) { push @rows, ['IUA','mx.email.ua','5.0.0',"550 Error. See http://mail.i.ua/err/$c/",'?'] }
print join("\t",@$_),"\n" for @rows;
PL
python3 - "$WORK" "$BIN" <<'PY'
import os, sys, subprocess, json
sys.path.insert(0, "scripts")
from synthetic_dsn import postfix_dsn
w, binary = sys.argv[1], sys.argv[2]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(w, "rows.tsv"))]
d = os.path.join(w, "md")
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(d, sub))
for i, (mod, rhost, status, text, exp) in enumerate(rows):
    msg = postfix_dsn(text, "RCPT TO", status=status, recipient="bob@example.jp", remote=rhost)
    open(os.path.join(d, "cur", f"{i:04d}.x:2,S"), "w").write(msg)
ours = {}
out = subprocess.run([binary, "explain", "--json", d], capture_output=True, text=True).stdout
for r in json.loads(out)["details"]["reports"]:
    rr = r.get("recipients") or [{}]
    ours[os.path.basename(r["source"])] = rr[0].get("reason", "-")
sis = subprocess.run(["perl", "-MSisimai", "-e", 'opendir D, $ARGV[0]; for my $f (sort grep { !/^\\./ } readdir D) { my $v = Sisimai->make("$ARGV[0]/$f") // []; print "$f\\t", (@$v ? $v->[0]->reason : "-"), "\\n" }', d + "/cur"], capture_output=True, text=True).stdout
sis = dict(l.split("\t") for l in sis.strip().split("\n"))
agree_tab = agree_sis = 0
lines = []
for i, (mod, rhost, status, text, exp) in enumerate(rows):
    n = f"{i:04d}.x:2,S"
    o, s = ours.get(n), sis.get(n)
    agree_sis += o == s
    agree_tab += o == exp
    if o != s or (exp != "?" and o != exp):
        lines.append(f"{mod}\tours={o}\tsisimai={s}\ttable={exp}\t{status}\t{text[:110]}\n")
tabled = sum(exp != "?" for *_, exp in rows)
print(f"receiver rows: {len(rows)}; fivefifty agrees with Sisimai 4.25 on {agree_sis} "
      f"({100 * agree_sis / len(rows):.1f}%), with the table's reason on {agree_tab} of {tabled}")
by_module = {}
for l in lines:
    by_module[l.split("\t")[0]] = by_module.get(l.split("\t")[0], 0) + 1
for m, c in sorted(by_module.items()):
    print(f"  {c:4d}  disagreeing rows from {m}")
if os.environ.get("DISAGREEMENTS"):
    open(os.environ["DISAGREEMENTS"], "w").writelines(lines)
PY
