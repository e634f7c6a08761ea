#!/usr/bin/env bash
# Receivers' documented replies: one synthetic Postfix-style DSN per row of Sisimai's receiver
# tables (lib/Sisimai/Rhost: Gmail and Google Workspace, Microsoft, Yahoo, AOL, Apple, Cox,
# Orange and La Poste, Facebook, GoDaddy, i.ua, KDDI, MessageLabs, Mimecast, Spectrum, Tencent
# QQ, ...), sent to that receiver with the row's status and reply code, explained by fivefifty
# and by Sisimai; prints how often fivefifty agrees with Sisimai and with the table. Sisimai 5.3
# (the default, SISIMAI=5) is the reference: its vocabulary is fivefifty's, and it has twice
# 4.25's receivers (scripts/sisimai5_receivers.pl reads them). Against 4.25 (SISIMAI=4) the
# reasons Sisimai 5 split out of 4.25's (authfailure, requireptr, badreputation out of blocked;
# speeding out of toomanyconn) disagree by design.
#
#   bench/bounce_receivers_vs_sisimai.sh        # from the project root
#   FIVEFIFTY=path/to/fivefifty bench/...       # judge another build (no cargo build)
#   DISAGREEMENTS=FILE bench/...                # also write each disagreeing row to FILE
#   SISIMAI=4 bench/...                         # Sisimai 4.25's receivers and answers
set -euo pipefail
cd "$(dirname "$0")/.."
# Which Sisimai (bench/sisimai.sh); it fixes Perl's hash seed, as Sisimai walks some tables as
# hashes, so its answers, and the figures, are repeatable.
SISIMAI=${SISIMAI:-5}
. bench/sisimai.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=${FIVEFIFTY:-./target/release/fivefifty}
[ -n "${FIVEFIFTY:-}" ] || cargo build --release --quiet
# Rows: module \t remote host \t status \t reply \t table-reason \t recipient domain.
if [ "$SISIMAI" = 5 ]; then
  perl scripts/sisimai5_receivers.pl "$SISIMAI_REASONS/../Rhost" \
    | awk -F'\t' -v OFS='\t' '{ print $1, $3, $5, $4 " " $5 " " $6, $7, $2 }' > "$WORK/rows.tsv"
else
perl - <<'PL' | awk -F'\t' -v OFS='\t' '{ print $0, "example.jp" }' > "$WORK/rows.tsv"
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
fi
python3 - "$WORK" "$BIN" "$SISIMAI_READ" "$SISIMAI_NAME" <<'PY'
import os, sys, subprocess, json
sys.path.insert(0, "scripts")
from synthetic_dsn import postfix_dsn
w, binary, read, name = sys.argv[1:5]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(w, "rows.tsv"))]
d = os.path.join(w, "md")
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(d, sub))
for i, (mod, rhost, status, text, exp, domain) in enumerate(rows):
    msg = postfix_dsn(text, "RCPT TO", status=status, recipient="bob@" + domain, remote=rhost)
    open(os.path.join(d, "cur", f"{i:04d}.x:2,S"), "w").write(msg)
ours = {}
out = subprocess.run([binary, "explain", "--json", d], capture_output=True, text=True).stdout
for r in json.loads(out)["details"]["reports"]:
    rr = r.get("recipients") or [{}]
    ours[os.path.basename(r["source"])] = rr[0].get("reason", "-")
sis = subprocess.run(["perl", "-MSisimai", "-e", 'my $read = $ARGV[1]; opendir D, $ARGV[0]; for my $f (sort grep { !/^\\./ } readdir D) { my $v = Sisimai->$read("$ARGV[0]/$f") // []; print "$f\\t", (@$v ? $v->[0]->reason : "-"), "\\n" }', d + "/cur", read], capture_output=True, text=True).stdout
sis = dict(l.split("\t") for l in sis.strip().split("\n"))
agree_tab = agree_sis = 0
lines = []
for i, (mod, rhost, status, text, exp, domain) in enumerate(rows):
    n = f"{i:04d}.x:2,S"
    o, s = ours.get(n), sis.get(n)
    agree_sis += o == s
    agree_tab += o == exp
    if o != s or (exp != "?" and o != exp):
        lines.append(f"{mod}\tours={o}\tsisimai={s}\ttable={exp}\t{status}\t{text[:110]}\n")
tabled = sum(r[4] != "?" for r in rows)
print(f"receiver rows: {len(rows)}; fivefifty agrees with {name} on {agree_sis} "
      f"({100 * agree_sis / len(rows):.1f}%), with the table's reason on {agree_tab} of {tabled}")
by_module = {}
for l in lines:
    by_module[l.split("\t")[0]] = by_module.get(l.split("\t")[0], 0) + 1
for m, c in sorted(by_module.items()):
    print(f"  {c:4d}  disagreeing rows from {m}")
if os.environ.get("DISAGREEMENTS"):
    open(os.environ["DISAGREEMENTS"], "w").writelines(lines)
PY
