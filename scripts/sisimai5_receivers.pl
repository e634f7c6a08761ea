#!/usr/bin/perl
# Samples of Sisimai 5's receiver tables (lib/Sisimai/Rhost/*.pm), one row per documented reply:
#   module \t recipient domain \t remote host \t reply code \t status \t text \t the table's reason
# for bench/bounce_receivers_vs_sisimai.sh (SISIMAI=5). Each module's `$messagesof` and
# `$errorcodes` are read as data (eval of the table's literal, nothing else of the module runs);
# their entries come in four shapes: a phrase, [reply, status, phrase] (Google),
# [status, 0, 0, phrase] (Microsoft) and [reply, phrase] (Mimecast).
#
#   perl scripts/sisimai5_receivers.pl "$SISIMAI_REASONS/../Rhost"
use strict;
use warnings;

my $dir = shift // die "usage: $0 RHOST_DIR\n";
# Where each receiver's mail goes: a recipient domain and a remote host that Sisimai::Rhost
# maps to the module (by its destination or remote-host patterns).
my %where = (
    Aol         => ['aol.com',       'mx1.mail.aol.com'],
    Apple       => ['icloud.com',    'mx01.mail.icloud.com'],
    Cloudflare  => ['example.jp',    'route1.mx.cloudflare.net'],
    Cox         => ['cox.net',       'mx.east.cox.net'],
    Facebook    => ['facebook.com',  'mx.facebook.com'],
    FrancePTT   => ['orange.fr',     'smtp-in.orange.fr'],
    GoDaddy     => ['example.jp',    'smtp.secureserver.net'],
    Google      => ['gmail.com',     'gmail-smtp-in.l.google.com'],
    GSuite      => ['example.jp',    'aspmx.l.googlemail.com'],
    IUA         => ['i.ua',          'mx.email.ua'],
    KDDI        => ['ezweb.ne.jp',   'lsean.ezweb.ne.jp'],
    MessageLabs => ['example.jp',    'cluster1.eu.messagelabs.com'],
    Microsoft   => ['example.jp',    'example-jp.mail.protection.outlook.com'],
    Mimecast    => ['example.jp',    'us-smtp-inbound-1.mimecast.com'],
    Outlook     => ['hotmail.com',   'mx1.hotmail.com'],
    Spectrum    => ['charter.net',   'mx.charter.net'],
    Tencent     => ['qq.com',        'mx3.qq.com'],
    YahooInc    => ['yahoo.com',     'mta5.am0.yahoodns.net'],
);

sub table {
    my ($src, $name) = @_;
    $src =~ /state \$$name = ([\{\[].*?\n    [\}\]]);/s or return undef;
    my $v = eval $1;
    die "$name: $@" if $@;
    return $v;
}

sub row {
    my ($module, $reply, $status, $text, $reason) = @_;
    my ($domain, $rhost) = @{ $where{$module} };
    $text =~ s/[\t\r\n]+/ /g;
    print join("\t", $module, $domain, $rhost, $reply, $status, $text, $reason), "\n";
}

opendir(my $dh, $dir) or die "$dir: $!";
for my $file (sort grep { /\.pm\z/ } readdir $dh) {
    (my $module = $file) =~ s/\.pm\z//;
    next unless $where{$module};
    open(my $fh, '<', "$dir/$file") or die "$file: $!";
    my $src = do { local $/; <$fh> };
    if (my $m = table($src, 'messagesof')) {
        for my $reason (sort keys %$m) {
            my $list = ref $m->{$reason} eq 'ARRAY' ? $m->{$reason} : [$m->{$reason}];
            for my $e (@$list) {
                if (!ref $e) { row($module, '550', '5.0.0', $e, $reason) }
                elsif (@$e == 3) { row($module, $e->[0], $e->[1], $e->[2], $reason) }
                elsif (@$e == 4) {
                    my $status = $e->[1] ? "$e->[0]$e->[1]" : $e->[0];
                    row($module, $status =~ /^4/ ? '451' : '550', $status, $e->[3], $reason);
                }
                elsif (@$e == 2) {
                    row($module, $e->[0], $e->[0] =~ /^4/ ? '4.0.0' : '5.0.0', $e->[1], $reason);
                }
            }
        }
    }
    # Error codes: each stands in a reply as the receiver writes it. Three shapes: code =>
    # reason, reason => [codes] (Facebook), [first, last or 0, reason] ranges (Spectrum).
    my $c = table($src, 'errorcodes') // next;
    my @coded;
    if (ref $c eq 'ARRAY') { @coded = map { [$_->[0], $_->[2]] } @$c }
    else {
        for my $k (sort keys %$c) {
            next unless defined $c->{$k};
            if (ref $c->{$k} eq 'ARRAY') { push @coded, [$_, $k] for @{ $c->{$k} } }
            else { push @coded, [$k, $c->{$k}] }
        }
    }
    for my $e (@coded) {
        my ($code, $reason) = @$e;
        my $text = $module eq 'Cox' ? "Mail rejected AUP#$code"
                 : $module eq 'FrancePTT' ? "Service refuse. Veuillez essayer plus tard. OFR_$code [$code]"
                 : $module eq 'IUA' ? "Error. See http://mail.i.ua/err/$code/"
                 : $module eq 'Spectrum' ? "5.1.0 Mail refused - AUP#I$code"
                 : $module eq 'GoDaddy' ? "Message refused by the receiving system $code"
                 : "$code Message refused by the receiving system";
        row($module, '550', '5.0.0', $text, $reason);
    }
}
