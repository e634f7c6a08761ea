#!/usr/bin/env python3
"""Variants of real bounces, for bench/bounce_variants_vs_sisimai.sh: each corpus bounce rewritten
the ways an unseen bounce of the same MTA would differ from it, keeping the MTA's layout.

    python3 scripts/bounce_variants.py CORPUS_EML_DIR READINGS.tsv OUT_DIR [TABLES.json]

READINGS.tsv holds the original files' readings (file, tool, address, reason, status,
diagnostic code; one line a recipient row, from Sisimai and from fivefifty). Writes the variants
as OUT_DIR/md/cur/NNNNN.KIND:2,S (a Maildir folder) and OUT_DIR/index.tsv: variant, original
file, kind, and a JSON object mapping each original recipient to its address in the variant.

Kinds of variant:
- `rcpt`: every recipient address's local part replaced, throughout the file (headers, text,
  delivery-status fields, the returned message; inside base64 and quoted-printable parts too),
  by a fresh one of another length.
- `rcptdom`: the same with another domain too (a receiver's rules keyed on the recipient's
  domain, as Sisimai's are, may then rightly give another reason).
- `diag:REASON`: the recipient's diagnostic text (Sisimai's diagnosticcode, found in the file
  with any run of white space between its words) replaced by a well-known reply of REASON, as
  are the DSN's `Diagnostic-Code:` values, and the DSN `Status:` fields that held the old status
  given the reply's; a file whose text is not found is skipped.
- `lf` / `crlf`: the line ends converted (a file with CRLF ends gets LF ones, and the other way).
- `table:REASON`: the same swap with the words the file's own MTA writes for a failure of
  its own (TABLES.json, from scripts/sisimai_lhost_tables.py: each Sisimai MTA module's table,
  the module being the file name's `lhost-NAME`), the DSN status made the class's vague one
  (x.0.0) so only the words tell; a file of one recipient only.
- `more`: a DSN's per-recipient block (from `Final-Recipient:` or `Original-Recipient:` to the
  next blank line) written twice, the copy for a fresh address, where the file has exactly one
  such block in a plain (not encoded) message/delivery-status part; in a plain bounce without
  one (nor JSON), the notification's lines for its one recipient: the line naming it and the
  lines indented under it.

A file holding more than one message (an mbox) is left out: Sisimai reads a file as an mbox and
fivefifty reads a Maildir file as one message, so their readings of it cannot be compared.
"""
import base64
import collections
import json
import os
import quopri
import re
import sys

# Fresh recipients: other local parts, domains and lengths than the corpus's (short, dotted,
# plus-tagged, long enough to move a folded line's breaks).
FRESH = (
    "q7@zq.example",
    "maria.lindqvist@post.example.net",
    "orders+2026@shop.example-retail.org",
    "a.very.long.local.part.with.many.dots.and-dashes_0042@mail.deep.sub.example.co.uk",
)
# A well-known reply for each reason, with the DSN status it carries.
REPLIES = {
    "userunknown": ("5.1.1", "550 5.1.1 User unknown"),
    "mailboxfull": ("5.2.2", "552 5.2.2 Mailbox full"),
    "hostunknown": ("5.1.2", "550 5.1.2 Host unknown: domain name not found"),
    "blocked": ("5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
                "zen.spamhaus.org"),
    "spamdetected": ("5.7.1", "550 5.7.1 Message rejected as spam"),
    "mesgtoobig": ("5.3.4", "552 5.3.4 Message size exceeds fixed limit"),
    "suspend": ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled"),
    "norelaying": ("5.7.1", "550 5.7.1 Relaying denied"),
    "toomanyconn": ("4.7.0", "421 4.7.0 Too many concurrent SMTP connections from this IP "
                    "address; please try again later"),
}
B64_LINE = re.compile(rb"^[A-Za-z0-9+/=]+\r?$")


def readings(path):
    """Original file -> {"sisimai": [rows], "fivefifty": [rows]}, a row being a dict."""
    out = collections.defaultdict(lambda: collections.defaultdict(list))
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 6:
            out[f[0]][f[1]].append(
                {"address": f[2], "reason": f[3], "status": f[4], "diag": f[5]})
    return out


def _parts(raw):
    """(start, end, encoding) of the body lines of each base64 or quoted-printable MIME part:
    the lines after a header block naming the encoding, up to the next boundary line."""
    lines = raw.splitlines(keepends=True)
    offs, pos = [], 0
    for ln in lines:
        offs.append(pos)
        pos += len(ln)
    offs.append(pos)
    out, i = [], 0
    while i < len(lines):
        m = re.match(rb"(?i)content-transfer-encoding:\s*(base64|quoted-printable)", lines[i])
        if not m:
            i += 1
            continue
        enc = m.group(1).lower()
        j = i + 1
        while j < len(lines) and lines[j].strip():
            j += 1
        j += 1
        k = j
        while k < len(lines) and not lines[k].startswith(b"--"):
            if enc == b"base64" and lines[k].strip() and not B64_LINE.match(lines[k]):
                break
            k += 1
        if k > j:
            out.append((offs[j], offs[k], enc))
        i = k
    return out


def _recode(body, enc, fn):
    """A part's body decoded, passed through fn, encoded again the same way (None: unchanged)."""
    nl = b"\r\n" if b"\r\n" in body else b"\n"
    try:
        text = base64.b64decode(b"".join(body.split()), validate=False) if enc == b"base64" \
            else quopri.decodestring(body)
    except ValueError:
        return None
    new = fn(text)
    if new == text:
        return None
    if enc == b"base64":
        b = base64.b64encode(new)
        width = max(len(body.split()[0]), 60) if body.split() else 76
        return b"".join(b[i:i + width] + nl for i in range(0, len(b), width))
    out = quopri.encodestring(new.replace(b"\r\n", b"\n"))
    return out.replace(b"\n", nl) + (nl if not out.endswith(b"\n") else b"")


def rewrite(raw, fn):
    """fn applied to the raw file and to the decoded text of its encoded parts."""
    parts = _parts(raw)
    pieces, last = [], 0
    for start, end, enc in parts:
        pieces.append(fn(raw[last:start]))
        body = raw[start:end]
        new = _recode(body, enc, fn)
        pieces.append(body if new is None else new)
        last = end
    pieces.append(fn(raw[last:]))
    return b"".join(pieces)


def swap_addresses(raw, mapping):
    """Every occurrence of each old address (any case) replaced by its new one."""
    if not mapping:
        return None
    pat = re.compile(b"|".join(re.escape(a.encode()) for a in sorted(mapping, key=len,
                                                                      reverse=True)), re.I)
    low = {a.lower().encode(): b.encode() for a, b in mapping.items()}
    new = rewrite(raw, lambda t: pat.sub(lambda m: low[m.group(0).lower()], t))
    return new if new != raw else None


def swap_diagnostic(raw, diag, status, reply):
    """The diagnostic text (any white space between its words, any case) replaced by reply,
    and DSN Status fields holding the old status given the reply's."""
    words = diag.encode("utf-8", "replace").split()
    if len(words) < 2:
        return None
    pat = re.compile(rb"[ \t]*(?:\r?\n[ \t]+|[ \t]+)".join(re.escape(w) for w in words), re.I)
    new_status, text = reply
    out = pat.sub(lambda m: text.encode(), raw)
    if out == raw:
        return None
    # The DSN's own copy of the reply (Postfix writes its text part's reply with other words
    # there, "said: ..." against "smtp; ..."), folded lines and all.
    out = re.sub(rb"(?im)^(diagnostic-code:[ \t]*(?:[\w-]+[ \t]*;)?[ \t]*)[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*",
                 lambda m: m.group(1) + text.encode(), out)
    if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", status or ""):
        out = re.sub(rb"(?im)^(status:[ \t]*)" + re.escape(status.encode()) + rb"\b",
                     lambda m: m.group(1) + new_status.encode(), out)
    return out


def line_ends(raw):
    """CRLF ends made LF, or LF ends made CRLF."""
    if b"\r\n" in raw:
        return raw.replace(b"\r\n", b"\n"), "lf"
    return raw.replace(b"\n", b"\r\n"), "crlf"


def more_recipients(raw, fresh):
    """The one per-recipient block of a plain message/delivery-status part written twice, the
    copy naming `fresh` (its Final-Recipient and Original-Recipient), or None."""
    m = re.search(rb"(?i)content-type:\s*message/delivery-status[^\n]*\n", raw)
    if not m:
        return None
    head_end = re.compile(rb"\r?\n\r?\n").search(raw, m.end() - 1)
    if not head_end or re.search(rb"(?i)content-transfer-encoding:\s*(base64|quoted)",
                                 raw[m.start():head_end.start()]):
        return None
    rest = raw[head_end.end():]
    stop = re.search(rb"(?m)^--", rest)
    body = rest[:stop.start()] if stop else rest
    blocks = list(re.finditer(
        rb"(?ims)^(?:original|final)-recipient:.*?(?=\r?\n\r?\n|\Z)", body))
    # One block, naming one recipient (AOL writes its blocks with no blank line between).
    if len(blocks) != 1 or len(re.findall(rb"(?im)^final-recipient:", body)) > 1:
        return None
    b = blocks[0]
    block = b.group(0)
    nl = b"\r\n" if b"\r\n" in block or b"\r\n" in raw[:200] else b"\n"
    copy = re.sub(rb"(?im)^((?:original|final)-recipient:[ \t]*rfc822;[ \t]*<?)[^\s>]+",
                  lambda x: x.group(1) + fresh.encode(), block)
    if copy == block:
        return None
    at = head_end.end() + b.end()
    return raw[:at] + nl + nl + copy + raw[at:]


def more_text_recipients(raw, addr, fresh):
    """In a bounce without a delivery-status part, the notification's block for `addr` (its
    line and the lines indented under it) written twice, the copy naming `fresh`; or None."""
    if re.search(rb"(?i)content-type:\s*message/delivery-status", raw) or re.search(
            rb"(?i)content-transfer-encoding:\s*(base64|quoted)", raw) or b'{"' in raw:
        return None
    nl = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(nl)
    try:
        start = lines.index(b"") + 1
    except ValueError:
        return None
    a = addr.encode().lower()
    indent = lambda ln: len(ln) - len(ln.lstrip())
    for i in range(start, len(lines)):
        ln = lines[i]
        if a not in ln.lower() or re.match(rb"[\w-]+:\s", ln):
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() and indent(lines[j]) > indent(ln):
            j += 1
        # Only a block the layout marks as one: lines indented under the recipient's (Exim,
        # Postfix, Sendmail's "(reason: ...)"). Where the explanation follows after a blank
        # line (DragonFly, qmail), a copy between the two would take it over; a reply line
        # copied alone would be one recipient's reply naming two.
        if j - i > 12 or j == i + 1:
            continue
        pat = re.compile(re.escape(a), re.I)
        copy = [pat.sub(fresh.encode(), x) for x in lines[i:j]]
        # Exim lists the failed recipients in a header too.
        for k in range(start - 1):
            if re.match(rb"(?i)x-failed-recipients:", lines[k]):
                lines[k] += b", " + fresh.encode()
        # A block that ends at a blank line keeps one between it and its copy.
        gap = [b""] if j < len(lines) and not lines[j].strip() else []
        return nl.join(lines[:j] + gap + copy + lines[j:])
    return None


def module_of(name, tables):
    """The Sisimai MTA module whose table applies to a corpus file (`lhost-NAME-NN.eml`)."""
    m = re.match(r"lhost-([a-z0-9]+)-\d+\.eml$", name)
    if not m:
        return None
    # Sisimai 5's names in the corpus for 4.25's modules (5.3's tables keep the new names).
    renamed = {"googleworkspace": "gsuite", "trendmicro": "interscanmss",
               "mailmarshal": "mailmarshalsmtp"}
    for want in (m.group(1), renamed.get(m.group(1), m.group(1))):
        found = next((k for k in tables if k.lower() == want), None)
        if found:
            return found
    return None


def variants(name, raw, reads, n, tables=None):
    """(kind, bytes, mapping) for each variant of one original file (n: its index)."""
    sis = reads.get("sisimai", [])
    ours = reads.get("fivefifty", [])
    addrs = []
    for r in sis + ours:
        a = r["address"]
        if "@" in a and a.lower() not in [x.lower() for x in addrs]:
            addrs.append(a)
    for kind in ("rcpt", "rcptdom"):
        mapping = {}
        for i, a in enumerate(addrs):
            local, domain = FRESH[(n + i) % len(FRESH)].split("@")
            if len(addrs) > 1:
                local += str(i + 1)
            if kind == "rcpt":
                domain = a.rsplit("@", 1)[1]
            mapping[a] = f"{local}@{domain}"
        new = swap_addresses(raw, mapping)
        if new is not None:
            yield kind, new, mapping
    ident = {a: a for a in addrs}
    new, kind = line_ends(raw)
    yield kind, new, ident
    # The first recipient's diagnostic text, as Sisimai read it.
    if sis and sis[0]["diag"]:
        for reason, reply in REPLIES.items():
            new = swap_diagnostic(raw, sis[0]["diag"], sis[0]["status"], reply)
            if new is not None:
                yield f"diag:{reason}", new, ident
    module = module_of(name, tables or {})
    if module and len(sis) == 1 and sis[0]["diag"]:
        status = sis[0]["status"]
        vague = f"{status[0]}.0.0" if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", status) else status
        for reason, words in tables[module].items():
            for w in words:
                new = swap_diagnostic(raw, sis[0]["diag"], status, (vague, w))
                if new is not None:
                    yield f"table:{reason}", new, ident
    fresh = "added.recipient@another.example.org"
    new = more_recipients(raw, fresh)
    if new is None and len(addrs) == 1:
        new = more_text_recipients(raw, addrs[0], fresh)
    if new is not None:
        yield "more", new, dict(ident, **{"+": fresh})


def main():
    src, reads_path, out = sys.argv[1:4]
    reads = readings(reads_path)
    tables = {}
    if len(sys.argv) > 4:
        with open(sys.argv[4], encoding="utf-8") as f:
            tables = json.load(f)
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(out, "md", d), exist_ok=True)
    n = 0
    with open(os.path.join(out, "index.tsv"), "w") as idx:
        for i, name in enumerate(sorted(f for f in os.listdir(src) if f.endswith(".eml"))):
            raw = open(os.path.join(src, name), "rb").read()
            if len(re.findall(rb"(?m)^From ", raw)) > 1:
                continue
            for kind, data, mapping in variants(name, raw, reads.get(name, {}), i, tables):
                n += 1
                v = f"{n:05d}.{kind.replace(':', '-')}:2,S"
                with open(os.path.join(out, "md", "cur", v), "wb") as f:
                    f.write(data)
                idx.write(f"{v}\t{name}\t{kind}\t{json.dumps(mapping)}\n")


if __name__ == "__main__":
    main()
