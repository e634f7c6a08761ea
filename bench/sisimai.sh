# Sourced by the bench scripts: makes the Sisimai they compare with importable, and says how to
# call it.
#
#   SISIMAI=4 (the default): Sisimai 4.25, Debian bookworm's libsisimai-perl, installed with apt.
#             Issue 4's speed bar names this one.
#   SISIMAI=5: Sisimai 5.3.0, Debian trixie's libsisimai-perl, unpacked (not installed) into
#             ${XDG_CACHE_HOME:-~/.cache}/fivefifty/. Its reason vocabulary is the one fivefifty
#             and the bounce corpus's labels use (requireptr, authfailure, badreputation,
#             speeding, ... are reasons of their own there), so accuracy benches judged against
#             it show real disagreements, not renamings.
#
# Sets SISIMAI_NAME (for the figures), SISIMAI_REASONS (its lib/Sisimai/Reason directory) and
# SISIMAI_READ (the Perl method that reads a file: `make` in 4, `rise` in 5).
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0
case "${SISIMAI:-4}" in
  4)
    if ! perl -MSisimai -e 1 2>/dev/null; then
      apt-get update >/dev/null && apt-get install -y libsisimai-perl >/dev/null
    fi
    SISIMAI_NAME="Sisimai 4.25"
    SISIMAI_REASONS=/usr/share/perl5/Sisimai/Reason
    SISIMAI_READ=make
    ;;
  5)
    # Sisimai 5 needs the same two Perl libraries as 4.25; the package brings them.
    perl -MClass::Accessor::Lite -MJSON -e 1 2>/dev/null \
      || { apt-get update >/dev/null && apt-get install -y libclass-accessor-lite-perl libjson-perl >/dev/null; }
    dir=${XDG_CACHE_HOME:-$HOME/.cache}/fivefifty/sisimai-5.3.0
    if [ ! -f "$dir/usr/share/perl5/Sisimai.pm" ]; then
      deb=libsisimai-perl_5.3.0-1_all.deb
      sum=c68e60dd23ec660e1726279997e7d774b1f5038dd17ea76a068c3c77f984b9b2
      mkdir -p "$dir"
      curl -fsSL -o "$dir/$deb" "https://deb.debian.org/debian/pool/main/libs/libsisimai-perl/$deb"
      echo "$sum  $dir/$deb" | sha256sum -c --quiet - || { echo "bad checksum: $deb" >&2; exit 1; }
      dpkg-deb -x "$dir/$deb" "$dir"
    fi
    export PERL5LIB="$dir/usr/share/perl5${PERL5LIB:+:$PERL5LIB}"
    SISIMAI_NAME="Sisimai 5.3"
    SISIMAI_REASONS=$dir/usr/share/perl5/Sisimai/Reason
    SISIMAI_READ=rise
    ;;
  *) echo "SISIMAI must be 4 or 5" >&2; exit 2 ;;
esac
