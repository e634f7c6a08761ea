#!/usr/bin/env python3
"""The reason tables of Sisimai's MTA modules (each Lhost module's `$messagesof`: the words
that MTA writes for a failure of its own, by reason), for bench/bounce_variants_vs_sisimai.sh.

    python3 scripts/sisimai_lhost_tables.py [LHOST_DIR] > tables.json

LHOST_DIR is the installed Sisimai/Lhost folder (Debian's libsisimai-perl by default). Writes
{"module": {"reason": ["words", ...]}}; regular-expression entries and words of three letters
or fewer are left out.
"""
import json
import os
import re
import sys

# An item of a Perl list: a single- or double-quoted string.
ITEM = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def tables(src):
    """{reason: [words]} of one module's source ({} when it has no table)."""
    m = re.search(r"state \$messagesof\s*=\s*\{(.*?)\n?\s*\};", src, re.S)
    if not m:
        return {}
    body = re.sub(r"#[^\n]*", "", m.group(1))
    out = {}
    for rm in re.finditer(r"['\"](\w+)['\"]\s*=>\s*(?:\[(.*?)\]|'([^']*)')", body, re.S):
        if rm.group(2) is not None:
            words = [(a.replace("\\'", "'") if a else b.replace('\\"', '"'))
                     for a, b in ITEM.findall(rm.group(2))]
        else:
            words = [rm.group(3)]
        words = [w for w in words if len(w) > 3]
        if words:
            out[rm.group(1)] = words
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/perl5/Sisimai/Lhost"
    out = {}
    for fn in sorted(os.listdir(d)):
        if fn.endswith(".pm"):
            with open(os.path.join(d, fn), encoding="utf-8", errors="replace") as f:
                t = tables(f.read())
            if t:
                out[fn[:-3]] = t
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
