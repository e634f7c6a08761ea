#!/usr/bin/env python3
"""Regenerate the body of src/bounce/sisimai_phrases.rs from Sisimai's reason modules.

    SISIMAI=5 . bench/sisimai.sh     # fetches Sisimai 5.3, sets SISIMAI_REASONS
    python3 scripts/sisimai_phrases.py "$SISIMAI_REASONS" > /tmp/table.rs

Each reason module's literal `$index` list is taken as it stands; Sisimai 5's ordered fragments
(`$pairs`) become one phrase with `*` between them; Sisimai 4's `$regex` is expanded into
phrases, with `*` where the expression allows any text. The MTA modules' own `$messagesof`
tables (the words an MTA itself writes for a reason: Exim's "all host address lookups failed
permanently", OpenSMTPD's "no mx found for domain", ...) are added to their reasons. The output
is the list of `(Reason::X, &[...])` entries, in the order Sisimai tries its reasons; paste it
between the brackets of SISIMAI_PHRASES.
"""
import collections
import json
import os
import re
import sys
from re import _constants as C
from re import _parser as P

REASON_DIR = "/usr/share/perl5/Sisimai/Reason"
# The MTA modules (lib/Sisimai/Lhost) beside the reason modules.
LHOST_DIR = "Lhost"
# Sisimai's order (Sisimai::Reason's ClassOrder 0, then the reasons only ClassOrder 1 has):
# Sisimai 5's, whose vocabulary fivefifty follows, and 4.25's.
ORDER_5 = (
    "MailboxFull MesgTooBig ExceedLimit Suspend HasMoved NoRelaying AuthFailure UserUnknown "
    "Filtered RequirePTR NotCompliantRFC BadReputation ContentError Rejected HostUnknown "
    "SpamDetected Speeding TooManyConn Blocked VirusDetected PolicyViolation SystemError "
    "NetworkError SystemFull NotAccept Expired FailedSTARTTLS SecurityError MailerError "
    "SyntaxError"
).split()
ORDER_4 = (
    "MailboxFull MesgTooBig ExceedLimit Suspend HasMoved NoRelaying UserUnknown Filtered "
    "Rejected HostUnknown SpamDetected PolicyViolation VirusDetected TooManyConn Blocked "
    "SecurityError SystemError NetworkError Expired ContentError SystemFull NotAccept MailerError"
).split()
# Postfix's prefix to any recipient refusal, not a reason of its own.
LEFT_OUT = {"address rejected"}
# MTA-table phrases too general to stand for a reason outside their MTA's layout.
# "does not like recipient." is qmail's wording for any refused RCPT: Sisimai's qmail table
# calls it userunknown only when the reply names nothing else (fivefifty's classify_with does
# the same), so it is not a phrase that outranks the reply's words.
# "Delivery failed " is IMail's heading over any failure, not a queue expiry (Sisimai 5's
# IMailServer table calls it expired).
LEFT_OUT_MTA = {"unable to", "system error", "no action is required on your part",
                "does not like recipient.", "delivery failed"}

def gen(items):
    """The phrases a parsed expression matches: every alternative, a repeat of anything (or of
    something optional) as `*`, a character class as each of its first literals (at most 200
    phrases an expression)."""
    outs = [""]
    for op, av in items:
        if op == C.LITERAL:
            alts = [chr(av)]
        elif op in (C.NOT_LITERAL, C.ANY):
            alts = ["*"]
        elif op == C.IN:
            lits = [chr(a) for o, a in av if o == C.LITERAL]
            alts = lits[:3] if len(av) == len(lits) else ["*"]
        elif op == C.SUBPATTERN:
            alts = gen(av[-1])
        elif op == C.ATOMIC_GROUP:
            alts = gen(av)
        elif op == C.BRANCH:
            alts = [x for b in av[1] for x in gen(b)]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            s = gen(sub)
            if hi > 1:
                alts = ["*"]
            elif s == ["*"]:
                alts = ["*"] if lo >= 1 else ["", "*"]
            else:
                alts = s if lo >= 1 else [""] + s
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            alts = [""]
        else:
            alts = ["*"]
        outs = [a + b for a in outs for b in alts][:200]
    return outs


def clean(s):
    """White space folded, runs of `*` made one, no `*` or space at either end."""
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\*+", "*", s)
    return s.strip(" *")


def phrases(reason_dir=REASON_DIR, with_mta_tables=True):
    """Reason name -> its phrases, as fivefifty patterns (with the MTA modules' tables, or only
    the reason modules' lists)."""
    out = collections.defaultdict(list)
    for f in sorted(os.listdir(reason_dir)):
        src = open(os.path.join(reason_dir, f), encoding="utf-8").read()
        reason = re.search(r"sub text\s*\{\s*['\"](\w+)['\"]", src).group(1)
        pats = []
        for m in re.finditer(r"state \$index = \[(.*?)\];", src, re.S):
            for s in re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", m.group(1)):
                pats.append(s[0] or s[1])
        # Sisimai 5's ordered fragments: all of them, in this order.
        for m in re.finditer(r"state \$pairs = \[(.*?)\n    \];", src, re.S):
            for pm in re.finditer(r"\[([^\[\]]*)\]", re.sub(r"#[^\n]*", "", m.group(1))):
                parts = re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", pm.group(1))
                pats.append("*".join(a or b for a, b in parts))
        m = re.search(r"state \$regex = qr\{(.*?)\}x", src, re.S)
        if m:
            pats.extend(gen(list(P.parse(m.group(1).replace("\\z", "\\Z"), re.X))))
        for p in pats:
            p = clean(p.lower()).replace("\\", "")
            if len(p.replace("*", "").strip()) < 4 or "@" in p or p in LEFT_OUT:
                continue
            if reason != "vacation" and p not in out[reason]:
                out[reason].append(p)
    lhost = os.path.join(os.path.dirname(os.path.normpath(reason_dir)), LHOST_DIR)
    for f in sorted(os.listdir(lhost)) if with_mta_tables and os.path.isdir(lhost) else []:
        src = open(os.path.join(lhost, f), encoding="utf-8", errors="replace").read()
        m = re.search(r"state \$messagesof = \{(.*?)\n    \};", src, re.S)
        if not m:
            continue
        body = re.sub(r"#[^\n]*", "", m.group(1))
        for rm in re.finditer(r"['\"](\w+)['\"]\s*=>\s*\[(.*?)\]", body, re.S):
            reason = rm.group(1)
            for s in re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", rm.group(2)):
                p = clean((s[0] or s[1]).lower()).replace("\\", "")
                if len(p) < 10 or "@" in p or p in LEFT_OUT_MTA or p in LEFT_OUT:
                    continue
                if reason != "vacation" and p not in out[reason]:
                    out[reason].append(p)
    return out


# Sisimai's module names that are not fivefifty's variant names.
VARIANTS = {"RequirePTR": "RequirePtr", "NotCompliantRFC": "NotCompliantRfc",
            "FailedSTARTTLS": "FailedStartTls"}


def main():
    reason_dir = sys.argv[1] if len(sys.argv) > 1 else REASON_DIR
    pats = phrases(reason_dir)
    five = os.path.exists(os.path.join(reason_dir, "AuthFailure.pm"))
    for name in ORDER_5 if five else ORDER_4:
        ps = pats.get(name.lower(), [])
        if not ps:
            continue
        print(f"    (\n        Reason::{VARIANTS.get(name, name)},\n        &[")
        for p in ps:
            print("            " + json.dumps(p, ensure_ascii=False) + ",")
        print("        ],\n    ),")


if __name__ == "__main__":
    main()
