//! Human-readable bounces: the notification text most MTAs write instead of (or beside) a DSN.
//!
//! The documented layouts of the common MTAs reduce to a few shapes, handled generically:
//! - a recipient line, then the lines that explain it (Postfix `<addr>: host ... said: ...`,
//!   qmail `<addr>:` paragraphs, Exim's indented `addr` followed by `SMTP error from ...`,
//!   Sendmail `<addr>... User unknown`, Exchange `addr on <date>`, Gmail's indented address);
//! - a labelled recipient (`Recipient address: addr`, `Failed recipient: addr`);
//! - a sentence naming the recipient in angle brackets (`... delivering your mail to <addr>.`);
//! - a Sendmail session transcript (`>>> DATA` / `<<< 550 ...`), which tells which SMTP command
//!   the reply answered.
//!
//! The returned original message is cut off first ([`split_original`]), so its headers never
//! read as recipients.

use super::scan::{
    self, ends_with_ci, find_ascii_ci, find_byte, has_byte, line_content, lines, lines_inclusive,
    trim,
};
use crate::bounce::status::{DsnStatus, ReplyCode};

/// A recipient found in the text, with the lines that explain it.
#[derive(Debug, Clone)]
pub(crate) struct TextRow {
    pub recipient: String,
    pub block: String,
    /// Where the paragraph that carries the server's reply (a reply code or status) ends in
    /// `block`: what follows is the notice's own text (a delay warning's "No action is
    /// required", a bilingual notice's second language), read for the reason but not shown.
    pub reply_end: Option<usize>,
}

/// Find an e-mail address starting at or after byte `from`: returns (start, end, address).
pub(crate) fn find_address(s: &str, from: usize) -> Option<(usize, usize, &str)> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() {
        let at = i + memchr::memchr(b'@', b.get(i..)?)?;
        let mut start = at;
        while start > 0 {
            if is_local_char(b[start - 1]) {
                start -= 1;
            } else if let Some(c) = s[..start].chars().next_back().filter(|c| is_intl_char(*c)) {
                start -= c.len_utf8();
            } else {
                break;
            }
        }
        let mut end = at + 1;
        // A domain literal (RFC 5321 `user@[192.0.2.1]`): to its closing bracket.
        if b.get(at + 1) == Some(&b'[')
            && let Some(close) = b[at + 1..].iter().take(48).position(|&c| c == b']')
            && b[at + 2..at + 1 + close]
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b':'))
            && close > 1
            && start < at
        {
            let end = at + 2 + close;
            return Some((start, end, &s[start..end]));
        }
        while end < b.len() {
            if b[end].is_ascii_alphanumeric() || b[end] == b'.' || b[end] == b'-' {
                end += 1;
            } else if let Some(c) = s[end..].chars().next().filter(|c| is_intl_char(*c)) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        while end > at + 1 && b[end - 1] == b'.' {
            end -= 1;
        }
        // Leading dots of the local part are punctuation.
        while start < at && b[start] == b'.' {
            start += 1;
        }
        // A quoted local part (RFC 5321 `"tora smith"@example.org`): back to its opening quote,
        // on the same line and within the 64 bytes a local part may have.
        if start == at && at > 1 && b[at - 1] == b'"' {
            let from_quote = at.saturating_sub(66);
            if let Some(q) = memchr::memrchr(b'"', &b[from_quote..at - 1]).map(|q| from_quote + q)
                && q + 1 < at - 1
                && !b[q + 1..at - 1].iter().any(|&c| c == b'\n' || c == b'\r')
            {
                start = q;
            }
        }
        let domain = &s[at + 1..end];
        if start < at && has_byte(domain, b'.') && !domain.starts_with('.') {
            return Some((start, end, &s[start..end]));
        }
        i = at + 1;
    }
    None
}

/// A letter or digit of another script than ASCII, which an internationalised address (RFC
/// 6531: `jörg@bücher.example`) may hold in its local part and domain. Punctuation and
/// symbols (a full-width colon, curly quotes, guillemets) end the address, as they end the
/// text's words.
fn is_intl_char(c: char) -> bool {
    !c.is_ascii() && c.is_alphanumeric()
}

fn is_local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'.' | b'!'
                | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
                | b'-'
        )
}

/// Lines that mark where the returned message starts in a text bounce (`t` is the line
/// trimmed).
fn is_original_marker(t: &str) -> bool {
    // Markers are short lines that start with decoration or one of a few words.
    match t.as_bytes().first() {
        None => return false,
        Some(c)
            if t.len() > 120
                || !matches!(
                    c,
                    b'-' | b'='
                        | b'*'
                        | b'_'
                        | b'#'
                        | b'o'
                        | b'c'
                        | b'm'
                        | b't'
                        | b'b'
                        | b'i'
                        | b'O'
                        | b'C'
                        | b'M'
                        | b'T'
                        | b'B'
                        | b'I'
                ) =>
        {
            return false;
        }
        _ => {}
    }
    let b = t.as_bytes();
    let decorated =
        b.len() >= 2 && b[0] == b[1] && matches!(b[0], b'-' | b'=' | b'*' | b'_' | b'#');
    // Only a decorated line is searched (most lines are not).
    if decorated && names_original(t) {
        return true;
    }
    // Only the prefixes that start with the line's first letter are compared.
    let first = b.first().map(u8::to_ascii_lowercase);
    ORIGINAL_PREFIXES
        .iter()
        .any(|p| p.as_bytes().first() == first.as_ref() && starts_with_ci(b, p))
        && !starts_with_ci(b, "the original message was received")
}

/// Words that, on a decorated line (`--- Original message ---`), mark the returned message.
const NAMES_ORIGINAL: &[&str] = &[
    "original message",
    "copy of",
    "below this line",
    "returned message",
    "undelivered message",
    "unsent message",
    "original mail",
    "headers of",
    "header of",
    "message header",
    "original header",
    "returned mail",
    "rfc822",
    "message text",
    "bounced e-mail",
    "bounced email",
];

/// The [`scan::word_index`] of [`NAMES_ORIGINAL`].
static NAMES_ORIGINAL_INDEX: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| scan::word_index(NAMES_ORIGINAL));

/// Does the line hold one of [`NAMES_ORIGINAL`], in any ASCII case?
fn names_original(line: &str) -> bool {
    scan::contains_any_ci(NAMES_ORIGINAL_INDEX.as_ref(), NAMES_ORIGINAL, line)
}

/// Sentences that, at the start of a line, introduce the returned message.
const ORIGINAL_PREFIXES: &[&str] = &[
    "original message follows",
    "message headers follow",
    "the original message headers",
    "the headers of the original message",
    "below is a copy",
    "the text you sent follows",
    "the original message was",
    "original message:",
    "content-type: message/rfc822",
    "content-type: text/rfc822-headers",
    "original message headers:",
    "included is a copy",
    "bounced e-mail:",
    "bounced email:",
];

/// ASCII case-insensitive `starts_with` (the prefix is lower case).
fn starts_with_ci(hay: &[u8], prefix: &str) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

const HEADER_NAMES: &[&str] = &[
    "received:",
    "return-path:",
    "message-id:",
    "dkim-signature:",
    "mime-version:",
    "content-type:",
    "from:",
    "date:",
    "subject:",
    "to:",
    "delivered-to:",
    "x-",
    "authentication-results:",
    "arc-seal:",
    "reply-to:",
    "in-reply-to:",
    "references:",
];

fn is_header_line(line: &str) -> bool {
    let b = line.as_bytes();
    if b.first().is_none_or(|c| c.is_ascii_whitespace()) {
        return false;
    }
    let Some(colon) = find_byte(line, b':') else {
        return false;
    };
    if colon > 60 || has_byte(&line[..colon], b' ') {
        return false;
    }
    HEADER_NAMES.iter().any(|h| {
        line.len() >= h.len() && line.as_bytes()[..h.len()].eq_ignore_ascii_case(h.as_bytes())
    })
}

/// `Subject:` and `Date:` lines, which notifications also use to describe the message.
fn is_summary_field(line: &str) -> bool {
    let l = line.as_bytes();
    [&b"subject:"[..], &b"date:"[..]]
        .iter()
        .any(|h| l.len() >= h.len() && l[..h.len()].eq_ignore_ascii_case(h))
}

/// A line of decoration only (`------`, `=====`), at least five characters (`t` is the line
/// trimmed).
fn is_rule_line(t: &str) -> bool {
    t.len() >= 5 && t.bytes().all(|c| matches!(c, b'-' | b'=' | b'_' | b'*'))
}

/// Split a text bounce into (notification, returned message). The split is at a marker line,
/// or at a block of at least two header lines that follows a blank line.
pub(crate) fn split_original(text: &str) -> (&str, Option<&str>) {
    let mut offset = 0;
    let mut prev_blank = true;
    let mut lines = lines_inclusive(text).peekable();
    while let Some(line) = lines.next() {
        let content = line.trim_end_matches(['\n', '\r']);
        // Trimmed once for the marker, blank-line and rule tests.
        let t = trim(content);
        if is_original_marker(t) {
            let rest = &text[offset + line.len()..];
            return (&text[..offset], Some(rest));
        }
        if prev_blank && offset > 0 && is_header_line(content) {
            let next = lines.peek().map(|n| n.trim_end_matches(['\n', '\r']));
            let next_is_header =
                next.is_some_and(|n| is_header_line(n) || n.starts_with([' ', '\t']));
            // A summary of the message ("Subject: x" / "Date: y" after "Full details
            // follow:") is not the returned header block.
            let summary_only = is_summary_field(content) && next.is_some_and(is_summary_field);
            if next_is_header && !summary_only {
                return (&text[..offset], Some(&text[offset..]));
            }
        }
        // A rule line (`-----`) separates like a blank line does.
        prev_blank = t.is_empty() || is_rule_line(t);
        offset += line.len();
    }
    (text, None)
}

/// Words that make a label about the sender or the message, not a recipient.
const NOT_RECIPIENT_LABEL_WORDS: &[&str] = &["from", "sender", "reply", "return", "subject", "cc"];

/// Words of a label that introduces a recipient.
const RECIPIENT_LABEL_WORDS: &[&str] = &[
    "recipient",
    "address",
    "rcpt",
    "user",
    "mailbox",
    "destinat",
    "failed",
    "invalid",
    "unknown",
    "original-recipient",
    "final-recipient",
    "to",
    "empfänger",
    "destinataire",
];

/// Labels that introduce a recipient: `Recipient: addr`, `Failed address: addr`.
fn is_recipient_label(label: &str) -> bool {
    let t = label.trim();
    // No label longer than this is read: the lower-case copy fits on the stack.
    let mut lower = [0u8; 80];
    let Some(l) = lower.get_mut(..t.len()) else {
        return false;
    };
    l.copy_from_slice(t.as_bytes());
    l.make_ascii_lowercase();
    let l = &*l;
    // A label is at most 80 bytes: a word is looked for at each place its first byte
    // stands, which costs less than setting up a searcher (`memmem::find`) for each of the
    // twenty words.
    let has = |w: &str| match w.as_bytes().split_first() {
        Some((&first, rest)) => l
            .iter()
            .enumerate()
            .any(|(i, &c)| c == first && l[i + 1..].starts_with(rest)),
        None => true,
    };
    // "The following recipients returned permanent errors: addr" (a sentence as the label).
    if l.starts_with(b"the following ") && (has("recipient") || has("address")) {
        return true;
    }
    if l.len() > 40 || l.is_empty() {
        return false;
    }
    if NOT_RECIPIENT_LABEL_WORDS.iter().any(|w| has(w)) {
        return false;
    }
    RECIPIENT_LABEL_WORDS.iter().any(|w| has(w))
        && (!l.ends_with(b" to") || has("deliver") || has("rcpt"))
        && l != b"to"
}

/// What follows the reply code, and the enhanced status code if one follows it, of a line
/// that goes on with `<` (Sendmail's `550 5.1.1 <addr>... User unknown`).
fn after_sendmail_codes(t: &str) -> Option<&str> {
    let rest = match t.as_bytes() {
        [a, b, c, b' ', ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => &t[4..],
        _ => return None,
    };
    let rest = match rest.split_once(' ') {
        Some((status, after)) if DsnStatus::parse(status).is_some() => after,
        _ => rest,
    };
    rest.starts_with('<').then_some(rest)
}

/// The recipient a line introduces, if any.
fn recipient_on_line(line: &str) -> Option<String> {
    if !has_byte(line, b'@') {
        return None;
    }
    let t = line.trim_start_matches([' ', '\t', '*', '-', '>', '\u{2022}']);
    let lead = line.trim_start();
    // A transcript's `<<<` reply and `>>>` command lines name addresses the session was about,
    // not the failed recipient, except a `>>>` line that is only an address (Active!hunter's
    // `>>> addr <addr>` list of recipients): no SMTP command starts with an address.
    if lead.starts_with("<<<")
        || (lead.starts_with(">>>") && find_address(t, 0).is_none_or(|(s, _, _)| s != 0))
    {
        return None;
    }
    let t = t.trim_end();
    // `"addr":`, a quoted address heading its paragraph (GMX and 1&1 write their failed
    // recipients so, each over its own "SMTP error from remote server" lines).
    if let Some(rest) = t.strip_prefix('"')
        && let Some((0, e, a)) = find_address(rest, 0)
        && matches!(rest[e..].trim_end(), "\"" | "\":")
    {
        return Some(a.to_string());
    }
    // Sendmail: "550 <addr>... User unknown" or "550 5.1.1 <addr>... User unknown" (a reply
    // code, its enhanced status, then the recipient).
    let t = after_sendmail_codes(t).unwrap_or(t);
    // <addr>...
    if let Some(rest) = t.strip_prefix('<') {
        let (s, e, a) = find_address(rest, 0)?;
        if s == 0 && rest[e..].starts_with('>') {
            return Some(a.to_string());
        }
        return None;
    }
    // addr alone, or followed by ':' / ' on ' / ' (' / '...'
    if let Some((0, e, a)) = find_address(t, 0) {
        let rest = &t[e..];
        let rt = rest.trim_start();
        if rest.is_empty()
            || rest.starts_with(' ')
            || rest.starts_with(':')
            || rest.starts_with("...")
            || rest.starts_with(';')
            || rest.starts_with(',')
            || rt.starts_with("on ")
            || rt.starts_with('(')
            || rt.starts_with('[')
            || rt.starts_with("- ")
            || rt.starts_with("<-")
        {
            return Some(a.to_string());
        }
        return None;
    }
    // Label: addr
    if let Some((label, value)) = t.split_once(':') {
        let v = value
            .trim_start()
            .trim_start_matches('<')
            .trim_start_matches(['"', '\'']);
        if is_recipient_label(label)
            && let Some((0, _, a)) = find_address(v, 0)
        {
            return Some(a.to_string());
        }
    }
    // A bare address after a delivery verb ("undeliverable to addr", "generated by addr"),
    // and the words that must follow it, if any (Gmail: "Your message to addr has been
    // blocked."). A line without "deliver" is not searched for the keys that hold it.
    let says_deliver = find_ascii_ci(t.as_bytes(), b"deliver").is_some();
    for (key, then) in [
        ("your message to ", " has been blocked"),
        ("undeliverable to ", ""),
        ("delivered to ", ""),
        ("generated by ", ""),
        ("deliver to ", ""),
        ("delivering your message to ", ""),
    ] {
        if key.contains("deliver") && !says_deliver {
            continue;
        }
        if let Some(p) = find_ascii_ci(t.as_bytes(), key.as_bytes())
            && let Some((s, e, a)) = find_address(t, p + key.len())
            && s == p + key.len()
            && starts_with_ci(&t.as_bytes()[e..], then)
        {
            return Some(a.to_string());
        }
    }
    // "... to <addr>" / "recipient <addr>" inside a sentence.
    let mut from = 0;
    while let Some(p) = find_byte(&t[from..], b'<') {
        let idx = from + p;
        // CommuniGate Pro quotes the address: "Failed to deliver to '<addr>'".
        let before = t[..idx].trim_end_matches(['\'', '"']).trim_end();
        let after = &t[idx + 1..];
        if let Some((0, e, a)) = find_address(after, 0)
            && after[e..].starts_with('>')
            && [
                " to",
                " to:",
                "recipient",
                "address",
                "address:",
                "for",
                " an",
                " à",
                " list",
            ]
            .iter()
            .any(|w| ends_with_ci(before, w))
            && !ends_with_ci(before, "rcpt to")
            && !ends_with_ci(before, "rcpt to:")
            && !ends_with_ci(before, "mail from:")
            // "For further assistance, please send mail to <postmaster@...>".
            && !ends_with_ci(before, "send mail to")
            && !ends_with_ci(before, "send email to")
            && !ends_with_ci(before, "send e-mail to")
            && !ends_with_ci(before, "write to")
        {
            return Some(a.to_string());
        }
        from = idx + 1;
    }
    None
}

/// Local parts that name a mail system, never a bounced recipient.
fn is_system_address(a: &str) -> bool {
    let local = a.split('@').next().unwrap_or("");
    [
        "mailer-daemon",
        "mailer_daemon",
        "mail-daemon",
        "mailerdaemon",
    ]
    .iter()
    .any(|n| local.eq_ignore_ascii_case(n))
}

/// Find recipients and their explanation blocks in notification text.
pub(crate) fn extract(
    text: &str,
    exclude: &[String],
    max_rows: usize,
    max_block: usize,
) -> (Vec<TextRow>, String) {
    let mut rows: Vec<TextRow> = Vec::new();
    // The preamble is most of the text before the first recipient: room for it at once.
    let mut preamble = String::with_capacity(text.len().min(max_block) + 1);
    let mut current: Option<usize> = None;
    // Lines that explain the *next* recipient: a Sendmail transcript's `<<<` replies (written
    // before the `NNN <addr>... reason` line that names the address) and the reasons under a
    // Lotus Notes "Failure Reasons" heading (written before the address they explain).
    let mut pending = String::new();
    let mut in_failure_reasons = false;
    // The text's `@` signs, found in one scan: a line without one names no recipient.
    let mut at_signs = memchr::memchr_iter(b'@', text.as_bytes()).peekable();
    let mut line_start = 0;
    // Postfix's `<final@x> (expanded from` wrapped before `<alias@y>): reason`: the address
    // that opens the next line is the alias the recipient was expanded from.
    let mut alias_next = false;
    // Exim's pipe a failed delivery went to (`pipe to |command`, over `generated by addr`):
    // the recipient's block starts with it, as it says what failed (a delivery program).
    let mut pipe_line: Option<&str> = None;
    // For each row, how much of its block has been searched for a reply already.
    let mut scanned: Vec<usize> = Vec::new();
    for full_line in lines_inclusive(text) {
        let line = line_content(full_line);
        while at_signs.next_if(|&p| p < line_start).is_some() {}
        let has_at = at_signs
            .peek()
            .is_some_and(|&p| p < line_start + line.len());
        line_start += full_line.len();
        let t = trim(line);
        if is_failure_reasons_heading(t) {
            in_failure_reasons = true;
            pending.clear();
        }
        let is_alias = std::mem::replace(&mut alias_next, ends_with_ci(t, "(expanded from"));
        if let Some(addr) = (has_at && !is_alias)
            .then(|| recipient_on_line(line))
            .flatten()
        {
            let excluded =
                exclude.iter().any(|x| x.eq_ignore_ascii_case(&addr)) || is_system_address(&addr);
            if !excluded {
                if let Some(i) = rows
                    .iter()
                    .position(|r| r.recipient.eq_ignore_ascii_case(&addr))
                {
                    current = Some(i);
                } else if rows.len() < max_rows {
                    // A block holds up to `max_block` bytes of lines: room for them at once.
                    let mut block = String::with_capacity(text.len().min(max_block) + 1);
                    if !pending.is_empty() && (in_failure_reasons || starts_with_reply_code(t)) {
                        block.push_str(&pending);
                    }
                    if let Some(pipe) = pipe_line.filter(|_| t.starts_with("generated by ")) {
                        push_capped(&mut block, pipe, max_block);
                    }
                    rows.push(TextRow {
                        recipient: addr,
                        block,
                        reply_end: None,
                    });
                    scanned.push(0);
                    current = Some(rows.len() - 1);
                } else {
                    current = None;
                }
                pending.clear();
                in_failure_reasons = false;
            }
        } else if t.starts_with("<<<") {
            push_capped(&mut pending, t, max_block);
        } else if let Some(command) = t.strip_prefix(">>>") {
            pending.clear();
            // A command naming another address opens that recipient's exchange: its replies
            // are not about the recipient before it (a Sendmail transcript's next `RCPT To:`).
            let rcpt = command.trim_start();
            if starts_with_ci(rcpt.as_bytes(), "rcpt")
                && let Some((_, _, a)) = has_at.then(|| find_address(rcpt, 0)).flatten()
                && current
                    .and_then(|i| rows.get(i))
                    .is_some_and(|r| !r.recipient.eq_ignore_ascii_case(a))
            {
                current = None;
            }
        } else if in_failure_reasons && !t.is_empty() && !is_failure_reasons_heading(t) {
            push_capped(&mut pending, t, max_block);
        } else if is_host_summary(t) || t.starts_with("While talking to ") {
            // Sendmail's per-host lines ("421 host (smtp)... Deferred: ...", "While talking to
            // host:") close the block of the recipient before them: they are about the next
            // host's recipients.
            current = None;
        }
        match current {
            Some(i) => {
                if let Some(r) = rows.get_mut(i) {
                    if t.is_empty() {
                        // Only what was added since the last blank line is searched for a reply.
                        let from = scanned.get(i).copied().unwrap_or(0);
                        if r.reply_end.is_none() && says_a_reply(r.block.get(from..).unwrap_or(""))
                        {
                            r.reply_end = Some(r.block.len());
                        }
                        if let Some(s) = scanned.get_mut(i) {
                            *s = r.block.len();
                        }
                    } else if r.block.len() < max_block && !is_rule(t) {
                        // A reply's next line after a stray blank one (`\r\r\n` line ends)
                        // continues the reply's paragraph.
                        if is_reply_line(t) {
                            r.reply_end = None;
                        }
                        r.block.push_str(t);
                        r.block.push('\n');
                    }
                }
            }
            None => {
                if preamble.len() < max_block {
                    preamble.push_str(t);
                    preamble.push('\n');
                }
            }
        }
        pipe_line = t.starts_with("pipe to |").then_some(t);
    }
    (rows, preamble)
}

/// A heading's underline of `=` signs (`t` is the line trimmed).
fn is_double_underline(t: &str) -> bool {
    t.len() >= 3 && t.bytes().all(|c| c == b'=')
}

/// The words that open a [`message_summary`], looked for first with one searcher built once.
static YOUR_MESSAGE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("Your message"));
/// The start of the underline a [`field_trailer`]'s heading needs, looked for first with one
/// searcher built once.
static DOUBLE_RULE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("==="));

/// The fields of a notice's summary of the message it is about: the indented `Name: value`
/// lines under a line that starts `Your message` (Exchange 2003's and Domino's `Your message`
/// over `Subject:`, `To:` and `Sent:`; Trustwave's `Your message:` over `From:` and `Subject:`;
/// Exchange 2007's `Your message did not reach some or all of the intended recipients.`). The
/// first such block is read, names as written; at most one blank line may stand between the
/// heading and its fields.
pub(crate) fn message_summary(text: &str) -> Vec<(&str, &str)> {
    let mut fields = Vec::new();
    if YOUR_MESSAGE.find(text.as_bytes()).is_none() {
        return fields;
    }
    let mut lines = lines_inclusive(text).map(line_content).peekable();
    while let Some(line) = lines.next() {
        if !trim(line).starts_with("Your message") {
            continue;
        }
        let mut blanks = 0;
        // The line that ends the block is left to be read as a heading itself.
        while let Some(&l) = lines.peek() {
            if trim(l).is_empty() {
                blanks += 1;
                if !fields.is_empty() || blanks > 1 {
                    break;
                }
            } else {
                match summary_field(l) {
                    Some(f) => fields.push(f),
                    None => break,
                }
            }
            lines.next();
        }
        if !fields.is_empty() {
            break;
        }
    }
    fields
}

/// The subject Exim's delay warning gives in its words (`The subject of the message is: X`,
/// over the message's identifier and date), when the message is not returned with it.
pub(crate) fn subject_in_words(text: &str) -> Option<&str> {
    let at = SUBJECT_IN_WORDS.find(text.as_bytes())?;
    let rest = &text[at + SUBJECT_IN_WORDS.needle().len()..];
    let line = line_content(lines_inclusive(rest).next().unwrap_or(""));
    Some(trim(line)).filter(|s| !s.is_empty())
}

/// The words [`subject_in_words`] looks for, searched with one searcher built once.
static SUBJECT_IN_WORDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("The subject of the message is:"));

/// An indented `Name: value` line of a [`message_summary`] that names a header of the message
/// (`From`, `To`, `Subject`, `Sent`, `Date`).
fn summary_field(line: &str) -> Option<(&str, &str)> {
    if !line.starts_with([' ', '\t']) {
        return None;
    }
    let (name, value) = trim(line).split_once(':')?;
    let known = ["From", "To", "Subject", "Sent", "Date"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name));
    let value = trim(value);
    (known && !value.is_empty()).then_some((name, value))
}

/// End a row's block before its line `heading` (trimmed, as the block holds its lines), if it
/// has one.
pub(crate) fn end_block_at(row: &mut TextRow, heading: &str) {
    let mut at = 0;
    for line in lines_inclusive(&row.block) {
        if line_content(line) == heading {
            row.block.truncate(at);
            row.reply_end = row.reply_end.map(|e| e.min(at));
            return;
        }
        at += line.len();
    }
}

/// A notice's trailer of its own fields: see [`field_trailer`].
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Trailer<'t> {
    /// The heading, trimmed (`Additional Information`): where a recipient's block ends, as
    /// what follows is the notice's, not the receiver's.
    pub heading: &'t str,
    /// `(name, value)`, names as written, values without their angle brackets.
    pub fields: Vec<(&'t str, &'t str)>,
}

/// The `Name: <value>` fields under a heading underlined with `=` (Trustwave's `Additional
/// Information` over `Original Sender:`, `Remote-MTA:` and `Reporting-MTA:`), until the first
/// line that is not one; None when the text has no such heading with a field under it.
pub(crate) fn field_trailer(text: &str) -> Option<Trailer<'_>> {
    DOUBLE_RULE.find(text.as_bytes())?;
    let mut fields = Vec::new();
    let mut lines = lines_inclusive(text).map(line_content).peekable();
    while let Some(line) = lines.next() {
        let heading = !trim(line).is_empty()
            && lines
                .peek()
                .is_some_and(|next| is_double_underline(trim(next)));
        if !heading {
            continue;
        }
        let heading = trim(line);
        lines.next();
        for l in lines.by_ref() {
            let Some((name, value)) = trim(l).split_once(':') else {
                break;
            };
            let value = trim(value);
            let value = value
                .strip_prefix('<')
                .and_then(|v| v.strip_suffix('>'))
                .unwrap_or(value);
            // A field's name is a word or two (`Remote-MTA`, `Original Sender`).
            if name.is_empty() || name.split(' ').count() > 2 {
                break;
            }
            fields.push((name, trim(value)));
        }
        if !fields.is_empty() {
            return Some(Trailer { heading, fields });
        }
    }
    None
}

/// The first paragraph (lines between blank ones) of `text` that holds a server's reply: an
/// SMTP reply code or an RFC 3463 status.
pub(crate) fn reply_paragraph(text: &str) -> Option<&str> {
    let mut start = 0;
    let mut at = 0;
    for line in lines_inclusive(text) {
        at += line.len();
        if trim(line).is_empty() {
            if says_a_reply(&text[start..at]) {
                return Some(trim(&text[start..at]));
            }
            start = at;
        }
    }
    says_a_reply(&text[start..]).then(|| trim(&text[start..]))
}

/// Where the remote server's reply starts in a Gmail notice's block: after the line "The
/// response was:" (or "The response from the remote server was:") that ends Google's own
/// account of the failure ("Your message to <addr> has been blocked."). `None` when the block
/// has no such line, or nothing after it.
pub(crate) fn google_response_start(block: &str) -> Option<usize> {
    let mut at = 0;
    for line in lines_inclusive(block) {
        at += line.len();
        let t = trim(line);
        if t.eq_ignore_ascii_case("the response was:")
            || t.eq_ignore_ascii_case("the response from the remote server was:")
        {
            return (!trim(&block[at..]).is_empty()).then_some(at);
        }
    }
    None
}

/// Does a block hold a server's reply: an SMTP reply code or an RFC 3463 status?
pub(crate) fn says_a_reply(block: &str) -> bool {
    ReplyCode::find_in(block).is_some() || DsnStatus::find_in(block).is_some()
}

/// A ruled line (`-----`, `=====`, `*****`) or a heading between rules (`----- Transcript of
/// session follows -----`, InterScan's `*****   End of message   *****`): layout between
/// sections, never part of what the server said, so it stays out of a recipient's diagnostic.
fn is_rule(t: &str) -> bool {
    (t.len() >= 3 && t.bytes().all(|c| c.is_ascii_punctuation() || c == b' '))
        || (t.len() >= 6
            && ["---", "***", "===", "###"]
                .iter()
                .any(|r| t.starts_with(r) && t.ends_with(r)))
}

fn push_capped(out: &mut String, line: &str, max: usize) {
    if out.len() + line.len() < max {
        out.push_str(line);
        out.push('\n');
    }
}

/// Lotus Notes / Domino: `------- Failure Reasons --------` heads the reasons, written before
/// the addresses they explain.
fn is_failure_reasons_heading(t: &str) -> bool {
    t.starts_with("---") && find_ascii_ci(t.as_bytes(), b"failure reasons").is_some()
}

/// The byte after a line's leading SMTP reply code (`550 text`: a space; `550-text`: a
/// hyphen), when the line starts with one and goes on.
fn after_reply_code(t: &str) -> Option<u8> {
    let b = t.as_bytes();
    (b.len() > 4 && matches!(b[0], b'2'..=b'5') && b[1..3].iter().all(u8::is_ascii_digit))
        .then(|| b[3])
}

/// `550 ...`: a line that starts with an SMTP reply code (a reply's last line).
fn starts_with_reply_code(t: &str) -> bool {
    after_reply_code(t) == Some(b' ')
}

/// A line of a reply, the last (`550 text`) or one before it (`550-text`).
fn is_reply_line(t: &str) -> bool {
    matches!(after_reply_code(t), Some(b' ' | b'-'))
}

/// Sendmail's per-host summary line: `421 host.example (smtp)... Deferred: ...`.
fn is_host_summary(t: &str) -> bool {
    if !starts_with_reply_code(t) {
        return false;
    }
    let mut words = t[4..].split_whitespace();
    match (words.next(), words.next()) {
        (Some(host), Some(mailer)) => {
            !host.contains('@')
                && host.contains('.')
                && mailer.starts_with('(')
                && mailer.ends_with(")...")
        }
        _ => false,
    }
}

/// The heading of Apache James's error text, searched for in every notification (a searcher
/// built once, not per call).
static JAMES_ERROR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("Error message below:"));

/// Apache James's bounce notification (its `AbstractNotify` mailets): the error under
/// `Error message below:`, then `Message details:` with one `RCPT TO: addr` line per recipient.
/// Returns the recipients and the error text.
pub(crate) fn james_layout(text: &str, max_rows: usize) -> Option<(Vec<String>, String)> {
    let start = JAMES_ERROR.find(text.as_bytes())?;
    let rest = &text[start + "Error message below:".len()..];
    let details = rest.find("Message details:")?;
    let error = rest[..details].trim().to_string();
    let mut recipients = Vec::new();
    for line in lines(&rest[details..]) {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("RCPT TO:")
            && let Some((_, _, a)) = find_address(v, 0)
            && recipients.len() < max_rows
        {
            recipients.push(a.to_string());
        }
    }
    (!recipients.is_empty()).then_some((recipients, error))
}

/// The address Exim names under a file or pipe it failed to deliver to (`save to /path` or
/// `pipe to |command`, then `generated by addr` on the next line): the address whose
/// forwarding or filter made that delivery.
pub(crate) fn generated_by(text: &str, target: &str) -> Option<String> {
    let target = target.trim();
    if target.is_empty() {
        return None;
    }
    let at = text.find(target)?;
    let rest = &text[at + target.len()..];
    let next = lines(rest).skip(1).map(trim).find(|l| !l.is_empty())?;
    let v = next.strip_prefix("generated by ")?;
    let (s, _, a) = find_address(v, 0)?;
    (s == 0).then(|| a.to_string())
}

/// Ipswitch IMail Server's notice (`X-Mailer: <SMTP32 vN>`) names each recipient on a line of its
/// own: the error, a colon, the address (`Invalid final delivery userid: addr`, `Delivery failed
/// 20 attempts: addr`). The error may be any text, a remote server's reply with colons of its
/// own included, so the line is split at its last colon; as in Sisimai's reading, the error has
/// at least two words (`To: addr` in the notice's summary is no recipient line). Returns each
/// recipient with its error.
pub(crate) fn imail_lines(text: &str, max_rows: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in lines(text) {
        let t = trim(line);
        let Some((error, value)) = t.rsplit_once(':') else {
            continue;
        };
        let (error, value) = (error.trim(), value.trim());
        if !error.contains(' ') || !has_byte(value, b'@') {
            continue;
        }
        if let Some((0, e, a)) = find_address(value, 0)
            && e == value.len()
            && out.len() < max_rows
            && !out.iter().any(|(x, _)| x.eq_ignore_ascii_case(a))
        {
            out.push((a.to_string(), error.to_string()));
        }
    }
    out
}

/// Searcher for the command arrow of an MDaemon-style session transcript, built once.
static ARROW_SENT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("--> "));

/// A line of an MDaemon-style session transcript: `Www YYYY-MM-DD hh:mm:ss.mmm: --> RCPT
/// To:<a>` (a command sent) or `...: <-- 550 5.1.1 ...` (a reply), the time stamp optional.
/// Returns whether it was sent, and the command or reply.
fn arrow_line(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    let (sent, at) = match (t.find("--> "), t.find("<-- ")) {
        (Some(a), Some(b)) => (a < b, a.min(b)),
        (Some(a), None) => (true, a),
        (None, Some(b)) => (false, b),
        (None, None) => return None,
    };
    // At the start, or after the time stamp's `: `.
    (at == 0 || t[..at].ends_with(": ")).then(|| (sent, t[at + 4..].trim()))
}

/// MDaemon's notice ("The attached message had PERMANENT fatal delivery errors!") holds only
/// its session transcript: `--> RCPT To:<a>` answered by `<-- 550 ...` names a failed
/// recipient and its reply; a refusal after `DATA` (the `<--` reply after the 354) fails every
/// recipient the session had accepted. Returns each recipient with the reply (its lines
/// joined), at most `max_rows`.
pub(crate) fn arrow_transcript_rows(text: &str, max_rows: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if ARROW_SENT.find(text.as_bytes()).is_none() {
        return out;
    }
    // The recipient the last command named, the recipients accepted, and whether the
    // message itself is being answered (after the 354 to DATA).
    let (mut rcpt, mut accepted, mut data): (Option<String>, Vec<String>, bool) =
        (None, Vec::new(), false);
    // The refused recipients whose reply is still being read (a multi-line reply).
    let mut open: Vec<usize> = Vec::new();
    for line in lines(text) {
        let Some((sent, words)) = arrow_line(line) else {
            continue;
        };
        if sent {
            open.clear();
            data = false;
            rcpt = None;
            if starts_with_ci(words.as_bytes(), "rcpt")
                && let Some((_, _, a)) = find_address(words, 0)
            {
                rcpt = Some(a.to_string());
            } else if starts_with_ci(words.as_bytes(), "data") {
                data = true;
            } else if starts_with_ci(words.as_bytes(), "mail") {
                // A new transaction (a retry, another host): its own recipients.
                accepted.clear();
            }
            continue;
        }
        let code = words.as_bytes().first().copied();
        if !open.is_empty() {
            // A multi-line reply's next line (`550-first`, `550 last`).
            if words.get(..3) == out.get(open[0]).and_then(|(_, r)| r.get(..3)) {
                for &i in &open {
                    if let Some((_, r)) = out.get_mut(i) {
                        r.push(' ');
                        r.push_str(words.get(4..).unwrap_or(""));
                    }
                }
                continue;
            }
            open.clear();
        }
        if words.starts_with("354") {
            continue;
        }
        let refused = matches!(code, Some(b'4' | b'5'));
        if let Some(a) = rcpt.take() {
            if refused && out.len() < max_rows {
                out.push((a, words.to_string()));
                open.push(out.len() - 1);
            } else if matches!(code, Some(b'2')) && accepted.len() < max_rows {
                accepted.push(a);
            }
        } else if data && refused {
            data = false;
            for a in accepted.drain(..) {
                if out.len() < max_rows && !out.iter().any(|(x, _)| x.eq_ignore_ascii_case(&a)) {
                    out.push((a, words.to_string()));
                    open.push(out.len() - 1);
                }
            }
        }
    }
    out
}

/// Words that place a reply after an SMTP command, and the command they name.
const COMMAND_WORDS: &[(&str, &str)] = &[
    ("end of data", "DATA"),
    ("final data", "DATA"),
    ("after data", "DATA"),
    ("reply to data", "DATA"),
    (">>> data", "DATA"),
    ("data command", "DATA"),
    ("end of message", "DATA"),
    ("after end of", "DATA"),
    ("[data]", "DATA"),
    ("during data", "DATA"),
    // Exim: "SMTP error from remote mail server after pipelined DATA".
    ("pipelined data", "DATA"),
    ("rcpt to", "RCPT"),
    ("rcpt_to", "RCPT"),
    ("smtp:rcpt", "RCPT"),
    ("rcpt host", "RCPT"),
    ("rcpt command", "RCPT"),
    ("after rcpt", "RCPT"),
    ("reply to rcpt", "RCPT"),
    ("[rcpt]", "RCPT"),
    // qmail-remote: "<host> does not like recipient.", "... failed after I sent the message.",
    // "Connected to <host> but sender was rejected.", "... but my name was rejected."
    ("does not like recipient", "RCPT"),
    ("failed after i sent the message", "DATA"),
    ("but sender was rejected", "MAIL"),
    ("but my name was rejected", "HELO"),
    // The command, not the words "accepting mail from" in a reply's prose.
    ("mail from:", "MAIL"),
    ("mail from command", "MAIL"),
    ("mail_from", "MAIL"),
    ("reply to mail", "MAIL"),
    ("after mail", "MAIL"),
    ("reply to ehlo", "HELO"),
    ("reply to helo", "HELO"),
    (">>> ehlo", "HELO"),
    (">>> helo", "HELO"),
    ("after ehlo", "HELO"),
    ("after helo", "HELO"),
    // Gmail's former notices end the remote reply with its session state: the command that
    // state answers (state 6 MAIL, 13 EHLO, 14 RCPT, 15, 17 and 18 DATA).
    ("(state 6)", "MAIL"),
    ("(state 13)", "HELO"),
    ("(state 14)", "RCPT"),
    ("(state 15)", "DATA"),
    ("(state 17)", "DATA"),
    ("(state 18)", "DATA"),
    ("greeting", "CONN"),
    ("after initial connection", "CONN"),
    ("on connect", "CONN"),
    ("banner", "CONN"),
];

/// One automaton over [`COMMAND_WORDS`] (all lower case), searched in a lower-case copy of the
/// text. Why not an ASCII-case-insensitive automaton over the text itself (the same matches at
/// the same places: lower-casing ASCII moves no byte): the automaton then has no prefilter and
/// steps through every byte; a case-sensitive one skips to the places the words can start with
/// a vector search. Measured on the corpus's diagnostics: less than half the instructions,
/// the copy included.
static COMMAND_INDEX: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(COMMAND_WORDS.iter().map(|(w, _)| *w))
            .ok()
    });

/// Which SMTP command a reply answered, from the words around it (the first such words win).
/// The words must start a word: "Unauthenticated email from example.com" in a reply is no
/// `MAIL FROM`.
pub(crate) fn command_in(text: &str) -> Option<&'static str> {
    let starts_word = |p: usize| {
        p.checked_sub(1)
            .and_then(|i| text.as_bytes().get(i))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    match COMMAND_INDEX.as_ref() {
        Some(ac) => ac
            .find_iter(&text.to_ascii_lowercase())
            .find(|m| starts_word(m.start()))
            .and_then(|m| COMMAND_WORDS.get(m.pattern().as_usize()))
            .map(|(_, c)| *c),
        None => {
            let l = text.to_ascii_lowercase();
            COMMAND_WORDS
                .iter()
                .filter_map(|(w, c)| {
                    l.match_indices(w)
                        .map(|(p, _)| p)
                        .find(|&p| starts_word(p))
                        .map(|p| (p, *c))
                })
                .min_by_key(|(p, _)| *p)
                .map(|(_, c)| c)
        }
    }
}

/// Searchers for the marks of a Sendmail-style transcript, built once.
static TRANSCRIPT_SENT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(">>>"));
/// See [`TRANSCRIPT_SENT`].
static TRANSCRIPT_REPLY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("<<<"));

/// Does the text hold a transcript's `>>>` (a command the reporting MTA sent)? One vector
/// search with a searcher built once, where `str::contains` scans byte by byte.
pub(crate) fn has_sent_command(text: &str) -> bool {
    TRANSCRIPT_SENT.find(text.as_bytes()).is_some()
}

/// What a Sendmail-style transcript says of the recipients it names.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Transcript<'t> {
    /// For each `<<<` reply naming an address, the last `>>>` command.
    pub(crate) commands: Vec<(String, &'static str)>,
    /// For each address a session line (`>>>`, `<<<`, `<address>...`) names after a
    /// `... while talking to HOST:` line, that host (the last such host, when the address was
    /// tried at more than one).
    pub(crate) hosts: Vec<(String, &'t str)>,
    /// The host of the last `... while talking to HOST:` line: the one whose reply ended the
    /// last attempt.
    pub(crate) last_host: Option<&'t str>,
}

impl<'t> Transcript<'t> {
    /// The last command the transcript sent before a reply naming `address` (any case).
    pub(crate) fn command_of(&self, address: &str) -> Option<&'static str> {
        last_for(&self.commands, address)
    }

    /// The host the transcript talked to about `address` (any case).
    pub(crate) fn host_of(&self, address: &str) -> Option<&'t str> {
        last_for(&self.hosts, address)
    }
}

/// The value of the last entry for `address` (compared without regard to ASCII case).
fn last_for<T: Copy>(entries: &[(String, T)], address: &str) -> Option<T> {
    entries
        .iter()
        .rev()
        .find(|(a, _)| a.eq_ignore_ascii_case(address))
        .map(|(_, v)| *v)
}

/// Read a Sendmail-style transcript (`... while talking to HOST:`, `>>> COMMAND`, `<<< reply`).
pub(crate) fn transcript(text: &str) -> Transcript<'_> {
    let mut out = Transcript::default();
    // Only `>>>` and `<<<` lines (MDaemon's `-->` and `<--`) say anything: a text with none
    // has no transcript.
    let arrows = ARROW_SENT.find(text.as_bytes()).is_some();
    if !arrows && !has_sent_command(text) && TRANSCRIPT_REPLY.find(text.as_bytes()).is_none() {
        return out;
    }
    let mut last: Option<&'static str> = None;
    // The address of the last `>>> RCPT TO:<...>`, for a refusal that does not repeat it.
    let mut last_rcpt: Option<String> = None;
    let mut host: Option<&str> = None;
    for line in lines(text) {
        let t = line.trim_start();
        if let Some(after) = t.strip_prefix("... while talking to ") {
            host = host_at(after, 0);
            out.last_host = host.or(out.last_host);
            continue;
        }
        // The lines of the session: a command sent (`>>> RCPT To:<a>`, MDaemon's `--> `), a
        // reply (`<<< 550 <a>...`, MDaemon's `<-- `), or `<a>... Deferred`.
        let (sent, reply) = match arrow_line(t).filter(|_| arrows) {
            Some((true, words)) => (Some(words), None),
            Some((false, words)) => (None, Some(words)),
            None => (t.strip_prefix(">>>"), t.strip_prefix("<<<")),
        };
        // The address the line names, lower case.
        let named = (sent.is_some() || reply.is_some() || t.starts_with('<'))
            .then(|| find_address(sent.or(reply).unwrap_or(t), 0))
            .flatten()
            .map(|(_, _, a)| a.to_ascii_lowercase());
        if let (Some(h), Some(a)) = (host, &named) {
            out.hosts.push((a.clone(), h));
        }
        if let Some(cmd) = sent {
            let c = cmd.trim_start().to_ascii_uppercase();
            last_rcpt = if c.starts_with("RCPT") { named } else { None };
            last = if c.starts_with("DATA") || c.starts_with('.') {
                Some("DATA")
            } else if c.starts_with("RCPT") {
                Some("RCPT")
            } else if c.starts_with("MAIL") {
                Some("MAIL")
            } else if c.starts_with("EHLO") || c.starts_with("HELO") {
                Some("HELO")
            } else {
                None
            };
        } else if let Some(reply) = reply {
            if let (Some(c), Some(a)) = (last, named) {
                out.commands.push((a, c));
            } else if matches!(reply.trim_start().as_bytes().first(), Some(b'4' | b'5'))
                && let Some(a) = last_rcpt.take()
            {
                out.commands.push((a, "RCPT"));
            }
        }
    }
    out
}

/// The remote host named in a diagnostic block (`host mx.example[192.0.2.1] said`): the
/// first key of [`REMOTE_HOST_KEYS`] that names a host, at its first place that does. Each key
/// is searched on its own, anchored on its rarest byte, which costs less than one automaton
/// over all of them (its prefilter stopped at every space).
pub(crate) fn remote_host_in(text: &str) -> Option<String> {
    REMOTE_HOST_KEYS
        .iter()
        .find_map(|(key, anchor)| host_after(text, key, *anchor))
        .or_else(|| host_that_disliked(text))
        .map(str::to_ascii_lowercase)
}

/// DragonFly Mail Agent's `mx.example.org [192.0.2.25] did not like our RCPT TO:` (dma's
/// `"%s [%s] did not like our %s"`): the host before the bracketed address.
fn host_that_disliked(text: &str) -> Option<&str> {
    // Anchored on the `]`, which prose rarely has.
    let at = scan::find_ascii_ci_anchored(text.as_bytes(), b"] did not like our ", 0)?;
    let open = text[..at].rfind(" [")?;
    let before = &text[..open];
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map_or(0, |i| i + 1);
    host_at(text, start)
}

/// The host that follows the first place `key` (lower case, searched in any ASCII case,
/// anchored on its byte `anchor`) is followed by one.
fn host_after<'t>(text: &'t str, key: &str, anchor: u8) -> Option<&'t str> {
    let anchor = key.bytes().position(|c| c == anchor).unwrap_or(0);
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(p) = scan::find_ascii_ci_anchored(b.get(from..)?, key.as_bytes(), anchor) {
        if let Some(host) = host_at(text, from + p + key.len()) {
            return Some(host);
        }
        from += p + 1;
    }
    None
}

/// The host name that starts at byte `start`, if the text there looks like one (see
/// [`is_host_name`]).
pub(crate) fn host_at(text: &str, start: usize) -> Option<&str> {
    let rest = text.get(start..)?;
    let len = rest.bytes().take_while(|&c| is_host_char(c)).count();
    let tok = rest.get(..len)?.trim_end_matches('.');
    is_host_name(tok).then_some(tok)
}

fn is_host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

/// Does `tok` read as a host name: a dotted name of letters, digits and hyphens, with a letter
/// in it (an IPv4 address has none)?
pub(crate) fn is_host_name(tok: &str) -> bool {
    has_byte(tok, b'.')
        && tok.bytes().any(|c| c.is_ascii_alphabetic())
        && tok.bytes().all(is_host_char)
}

/// Words after which a remote host's name follows, in order of preference, each with its
/// rarest byte in text (where a search for it is anchored). `remote host ` needs no
/// entry of its own: it ends with `host `, whose host is the same and which comes first.
const REMOTE_HOST_KEYS: [(&str, u8); 3] = [
    ("host ", b'h'),
    ("remote-mta: dns;", b';'),
    ("while talking to ", b'k'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_transcript_reads_each_transaction_on_its_own() {
        // The first attempt's accepted recipient lost its connection; the retry sent only
        // b@, whose message was refused: a@ is not failed by the second session's refusal.
        let text = " 10:00: --> MAIL From:<s@example.com>\n 10:00: <-- 250 ok\n 10:00: --> RCPT To:<a@example.net>\n 10:00: <-- 250 ok\n 10:01: --> MAIL From:<s@example.com>\n 10:01: <-- 250 ok\n 10:01: --> RCPT To:<b@example.net>\n 10:01: <-- 250 ok\n 10:01: --> DATA\n 10:01: <-- 354 go\n 10:01: <-- 554 5.7.1 refused\n";
        assert_eq!(
            arrow_transcript_rows(text, 10),
            [("b@example.net".to_string(), "554 5.7.1 refused".to_string())]
        );
        // Arrows inside a sentence are no transcript.
        assert_eq!(arrow_line("see here --> RCPT To:<a@example.net>"), None);
        assert_eq!(
            arrow_line("Mon 2026-11-30 10:00:00.600: <-- 550 no"),
            Some((false, "550 no"))
        );
        // The rows are capped.
        let many: String = (0..20)
            .map(|i| format!("--> RCPT To:<r{i}@example.net>\n<-- 550 no\n"))
            .collect();
        assert_eq!(arrow_transcript_rows(&many, 5).len(), 5);
    }

    #[test]
    fn dragonfly_names_the_host_that_refused_before_its_address() {
        assert_eq!(
            remote_host_in(
                "There was an error delivering your mail to <a@example.org>. MX1.Example.org [192.0.2.25] did not like our RCPT TO: 550 5.1.1 unknown"
            )
            .as_deref(),
            Some("mx1.example.org")
        );
        // Words without a host before the address name none.
        assert_eq!(
            remote_host_in("it [192.0.2.25] did not like our DATA:"),
            None
        );
    }

    #[test]
    fn an_internationalised_address_is_found_whole() {
        let found = |s: &str| find_address(s, 0).map(|(_, _, a)| a.to_string());
        assert_eq!(
            found("<jörg@bücher.example>: 550 5.1.1 unknown").as_deref(),
            Some("jörg@bücher.example")
        );
        assert_eq!(found("宛先：山田@例え.jp").as_deref(), Some("山田@例え.jp"));
        // Punctuation of any script ends the address.
        assert_eq!(
            found("«user@example.com»").as_deref(),
            Some("user@example.com")
        );
        assert_eq!(
            found("（user@example.jp）").as_deref(),
            Some("user@example.jp")
        );
    }

    #[test]
    fn command_words_start_a_word() {
        // Gmail's and Postfix's DMARC refusals name the sender's domain after "email from".
        let dmarc = "550 5.7.26 Unauthenticated email from example.com is not accepted";
        assert_eq!(command_in(dmarc), None);
        assert_eq!(
            command_in(&format!("{dmarc} (in reply to end of DATA command)")),
            Some("DATA")
        );
        assert_eq!(command_in("in reply to MAIL FROM command"), Some("MAIL"));
        assert_eq!(
            command_in("MAIL FROM:<a@example.com> refused"),
            Some("MAIL")
        );
        // "Mail from" in a reply's prose names no command.
        assert_eq!(
            command_in("550 the recipient is only accepting mail from specific addresses"),
            None
        );
        assert_eq!(
            command_in("550 we do not accept mail from dynamic IPs (in reply to RCPT TO command)"),
            Some("RCPT")
        );
    }

    /// The automaton search [`remote_host_in`] had before it searched key by key (with the
    /// four keys, `remote host ` among them).
    fn remote_host_reference(text: &str) -> Option<String> {
        let keys = [
            "host ",
            "remote-mta: dns;",
            "remote host ",
            "while talking to ",
        ];
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(keys)
            .expect("automaton");
        let mut best: Option<(usize, &str)> = None;
        for m in ac.find_overlapping_iter(text) {
            let k = m.pattern().as_usize();
            if best.is_some_and(|(b, _)| b <= k) {
                continue;
            }
            if let Some(host) = host_at(text, m.end()) {
                best = Some((k, host));
            }
        }
        best.map(|(_, h)| h.to_ascii_lowercase())
    }

    #[test]
    fn remote_host_is_found_as_the_automaton_found_it() {
        let pieces = [
            "host ",
            "HOST ",
            "Remote ",
            "remote-MTA: dns;",
            "remote-mta: dns; ",
            "while ",
            "While talking to ",
            "talking to ",
            "mx.Example.org",
            "x.y",
            "[192.0.2.1]",
            "10.0.0.1",
            " said:",
            "é",
            " ",
            ".",
            "-",
            "host",
            "k;",
        ];
        for text in crate::bounce::random_texts(3, &pieces, 6000, 24) {
            assert_eq!(
                remote_host_in(&text),
                remote_host_reference(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ruled_lines_stay_out_of_a_recipients_block() {
        let text = "kijitora@example.jp\n  Unrouteable address\n**********************\n\
                    ----- ----- -----\nThis message was created automatically\n";
        let (rows, _) = extract(text, &[], 10, 4000);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].block,
            "kijitora@example.jp\nUnrouteable address\nThis message was created automatically\n"
        );
        assert!(is_rule("==="), "three marks make a rule");
        assert!(!is_rule("--"), "two are too few");
        assert!(
            is_rule("----- Transcript of session follows -----"),
            "a heading between rules is layout"
        );
        assert!(
            !is_rule("--- 550 5.1.1 user unknown"),
            "a line that only starts with a rule is not"
        );
        // Headings between rules of other marks are layout too (InterScan's closing line).
        for t in [
            "************************     End of message     **********************",
            "=== Delivery report ===",
            "### Details ###",
        ] {
            assert!(is_rule(t), "{t}");
        }
        assert!(!is_rule("*** 550 5.1.1 unknown"));
    }

    #[test]
    fn postfix_qmail_exim_lines_name_recipients() {
        assert_eq!(
            recipient_on_line("<a@example.jp>: host mx[192.0.2.1] said: 550").as_deref(),
            Some("a@example.jp")
        );
        assert_eq!(
            recipient_on_line("  a@example.jp").as_deref(),
            Some("a@example.jp")
        );
        assert_eq!(
            recipient_on_line("a@example.co.jp on Thu, 29 Apr 2007").as_deref(),
            Some("a@example.co.jp")
        );
        assert_eq!(
            recipient_on_line("There was an error delivering your mail to <b@example.com>.")
                .as_deref(),
            Some("b@example.com")
        );
        assert_eq!(
            recipient_on_line("Recipient address: c@example.com").as_deref(),
            Some("c@example.com")
        );
        assert!(recipient_on_line("please contact postmaster@example.com for help").is_none());
        assert!(recipient_on_line("<<< 550 5.1.1 <a@example.jp>... User unknown").is_none());
    }

    #[test]
    fn a_quoted_local_part_is_part_of_the_address() {
        assert_eq!(
            find_address("<\"tora smith\"@example.org>: 550 unknown", 0).map(|f| f.2),
            Some("\"tora smith\"@example.org")
        );
        // A quote that opens on another line, or nothing between the quotes, is no local part.
        assert_eq!(find_address("\"a\nb\"@example.org", 0), None);
        assert_eq!(find_address("\"\"@example.org", 0), None);
    }

    #[test]
    fn a_listed_or_quoted_address_names_a_recipient_but_a_command_does_not() {
        assert_eq!(
            recipient_on_line(">>> k@example.org <k@example.org>").as_deref(),
            Some("k@example.org")
        );
        assert!(recipient_on_line(">>> RCPT To:<k@example.org>").is_none());
        assert!(recipient_on_line(">>> MAIL From:<s@example.jp> SIZE=1024").is_none());
        assert_eq!(
            recipient_on_line("\"k@example.org\":").as_deref(),
            Some("k@example.org")
        );
        assert!(recipient_on_line("\"k@example.org\" wrote:").is_none());
    }

    #[test]
    fn returned_message_is_cut_at_marker() {
        let t = "hello\n<a@b.example>:\nbad\n--- Below this line is a copy of the message.\n\nReceived: x\n";
        let (n, o) = split_original(t);
        assert!(n.contains("bad"));
        assert!(o.is_some_and(|o| o.contains("Received")));
    }

    #[test]
    fn sendmail_transcript_replies_go_to_the_recipient_they_precede() {
        let t = "   ----- Transcript of session follows -----\nWhile talking to mx.example.edu:\n>>> MAIL From:<s@example.jp>\n<<< 550 Insecure Mail Relay\n554 <k@example.edu>... Remote protocol error\n421 example.org (smtp)... Deferred: Connection timed out\nWhile talking to mx.example.org:\n>>> RCPT To:<m@example.org>\n<<< 550 No such user here.\n550 <m@example.org>... User unknown\n";
        let (rows, _) = extract(t, &["s@example.jp".to_string()], 10, 4000);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].block.contains("Insecure Mail Relay"));
        // The per-host "Deferred" line and the next host's session are not this row's.
        assert!(!rows[0].block.contains("Deferred"));
        assert!(rows[1].block.starts_with("<<< 550 No such user here."));
    }

    #[test]
    fn the_next_rcpt_command_closes_the_recipient_before_it() {
        let t = "   ----- Transcript of session follows -----\nWhile talking to smtp.example.com:\n>>> RCPT To:<a@example.org>\n<<< 550 <a@example.org>, User Unknown\n550 <a@example.org>... User unknown\n>>> RCPT To:<b@example.org>\n<<< 552 <b@example.org>, Mailbox full\n552 <b@example.org>... Mailbox full\n";
        let (rows, _) = extract(t, &[], 10, 4000);
        assert_eq!(rows.len(), 2);
        assert!(!rows[0].block.contains("Mailbox full"), "{}", rows[0].block);
        assert!(rows[1].block.starts_with("<<< 552"));
        // A command naming the same recipient (EZweb's `Recipient:` over its session) or the
        // sender keeps the block open.
        let t = "Recipient: <a@example.org>\n>>> RCPT TO:<a@example.org>\n<<< 550 User unknown\n";
        let (rows, _) = extract(t, &[], 10, 4000);
        assert!(rows[0].block.contains("<<< 550 User unknown"));
        let t = "Recipient: <a@example.org>\n>>> MAIL FROM:<s@example.jp>\n<<< 550 Blocked\n";
        let (rows, _) = extract(t, &[], 10, 4000);
        assert!(rows[0].block.contains("<<< 550 Blocked"));
    }

    #[test]
    fn notes_failure_reasons_precede_the_address() {
        let t = "------- Failure Reasons  --------\n\nUser not listed in public Name & Address Book\nk@example.com\n\n------- Returned Message --------\n";
        let (rows, _) = extract(t, &[], 10, 4000);
        assert_eq!(rows.len(), 1);
        assert!(rows[0].block.contains("not listed in public Name"));
    }

    #[test]
    fn a_subject_and_date_summary_is_not_the_returned_message() {
        let t = "We had trouble delivering your message. Full details follow:\n\nSubject: 'x'\nDate: 'y'\n\n1 error(s):\n\nThe following recipients returned permanent errors: k@example.org.\n";
        let (n, o) = split_original(t);
        assert!(n.contains("permanent errors"));
        assert!(o.is_none());
    }

    #[test]
    fn returned_headers_after_a_rule_line_are_cut() {
        let t = "<a@b.example>\n\nEach of the following recipients was rejected.\n------------\nReceived: from x\nFrom: s@c.example\nContent-Type: text/plain\n";
        let (n, o) = split_original(t);
        assert!(!n.contains("Content-Type"));
        assert!(o.is_some_and(|o| o.starts_with("Received")));
    }

    #[test]
    fn james_notification_names_recipients_in_details() {
        let t = "Error: Invalid user address\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Test\n  MAIL FROM: s@example.com\n  RCPT TO: r@example.net\n  From: s@example.com\n";
        let (r, e) = james_layout(t, 10).expect("james layout");
        assert_eq!(r, vec!["r@example.net".to_string()]);
        assert_eq!(e, "550 - Requested action not taken: no such user here");
    }

    #[test]
    fn a_sentence_label_names_the_recipient() {
        assert_eq!(
            recipient_on_line(
                "The following recipients returned permanent errors: k@example.org. Reason: SMTP Server <192.0.2.1> refused"
            )
            .as_deref(),
            Some("k@example.org")
        );
    }

    /// [`is_recipient_label`] as it was, with a `contains` per word.
    fn is_recipient_label_reference(label: &str) -> bool {
        let l = label.trim().to_ascii_lowercase();
        if l.len() <= 80
            && l.starts_with("the following ")
            && (l.contains("recipient") || l.contains("address"))
        {
            return true;
        }
        if l.len() > 40 || l.is_empty() {
            return false;
        }
        if NOT_RECIPIENT_LABEL_WORDS.iter().any(|w| l.contains(w)) {
            return false;
        }
        RECIPIENT_LABEL_WORDS.iter().any(|w| l.contains(w))
            && (!l.ends_with(" to") || l.contains("deliver") || l.contains("rcpt"))
            && l != "to"
    }

    #[test]
    fn recipient_labels_read_as_with_a_search_per_word() {
        let mut pieces: Vec<&str> = vec![
            " ",
            "x",
            "The following ",
            "deliver",
            "Ä",
            "ä",
            "é",
            "\t",
            "-",
            "To",
            "TO",
        ];
        pieces.extend(NOT_RECIPIENT_LABEL_WORDS);
        pieces.extend(RECIPIENT_LABEL_WORDS);
        for label in crate::bounce::random_texts(43, &pieces, 20_000, 8) {
            assert_eq!(
                is_recipient_label(&label),
                is_recipient_label_reference(&label),
                "{label:?}"
            );
        }
    }

    /// What [`command_in`] gave with an ASCII-case-insensitive automaton over the text itself.
    fn command_in_reference(text: &str) -> Option<&'static str> {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(COMMAND_WORDS.iter().map(|(w, _)| *w))
            .expect("automaton");
        let starts_word = |p: usize| {
            p.checked_sub(1)
                .and_then(|i| text.as_bytes().get(i))
                .is_none_or(|b| !b.is_ascii_alphanumeric())
        };
        ac.find_iter(text)
            .find(|m| starts_word(m.start()))
            .and_then(|m| COMMAND_WORDS.get(m.pattern().as_usize()))
            .map(|(_, c)| *c)
    }

    #[test]
    fn commands_are_found_as_the_case_insensitive_automaton_found_them() {
        let mut pieces: Vec<String> = vec![" ", "x", "É", "é", "-", "1", ">", "[", "]", "\n"]
            .into_iter()
            .map(str::to_string)
            .collect();
        for (w, _) in COMMAND_WORDS {
            pieces.push(w.to_string());
            pieces.push(w.to_ascii_uppercase());
            pieces.push(w[..w.len() / 2].to_string());
            pieces.push(w[w.len() / 2..].to_ascii_uppercase());
        }
        let mut seed = 29u32;
        for n in 0..20_000 {
            let text: String = (0..n % 10)
                .map(|_| crate::bounce::pick(&mut seed, &pieces).as_str())
                .collect();
            assert_eq!(command_in(&text), command_in_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn an_alias_and_a_contact_address_are_no_recipients() {
        let t = "I'm sorry to have to inform you that your message could not\n\
                 be delivered to one or more recipients.\n\n\
                 For further assistance, please send mail to <postmaster@example.jp>\n\n\
                 <final@example.jp> (expanded from\n    \
                 <alias@example.jp>): temporary failure. Command output: over quota\n";
        let (rows, _) = extract(t, &[], 10, 1000);
        let found: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
        assert_eq!(found, ["final@example.jp"]);
        assert!(rows[0].block.contains("over quota"), "{:?}", rows[0].block);
        // An address after "could not be delivered to" is still the recipient.
        assert_eq!(
            recipient_on_line("Your message could not be delivered to <b@example.org>").as_deref(),
            Some("b@example.org")
        );
    }

    #[test]
    fn transcript_gives_command_per_address() {
        let t = ">>> DATA\n<<< 550 5.2.1 <f@example.org>... User Unknown\n";
        assert_eq!(
            transcript(t).commands,
            vec![("f@example.org".to_string(), "DATA")]
        );
    }

    #[test]
    fn transcript_gives_the_host_it_talked_to_per_address() {
        let t = "... while talking to mx1.example.org.:\n>>> RCPT To:<a@example.org>\n\
                 <<< 550 5.1.1 <a@example.org>... unknown\n\
                 ... while talking to mx2.example.net.:\n<<< 421 busy\n\
                 <b@example.net>... Deferred: 421\n";
        let read = transcript(t);
        assert_eq!(read.host_of("a@example.org"), Some("mx1.example.org"));
        assert_eq!(read.host_of("b@example.net"), Some("mx2.example.net"));
        assert_eq!(read.host_of("c@example.com"), None);
        assert_eq!(read.last_host, Some("mx2.example.net"));
        // Prose under the host line is not the session: its addresses are not tied to it.
        let prose = transcript(
            "... while talking to mx1.example.org.:\n<<< 550 no\nWrite to help@example.org\n",
        );
        assert_eq!(prose.host_of("help@example.org"), None);
        // An address is not a host: the IP Sendmail names when there is no name is kept out.
        assert_eq!(
            transcript("... while talking to 192.0.2.1:\n<<< 550 no\n").last_host,
            None
        );
    }

    #[test]
    fn a_summary_is_the_indented_fields_under_your_message() {
        let text = "Your message\n\n  To:      bob@example.org\n  Subject: Hi: there\n  Sent:    today\n\ndid not reach the following recipient(s):\n  X-Note: not a field of the summary\n";
        assert_eq!(
            message_summary(text),
            [
                ("To", "bob@example.org"),
                ("Subject", "Hi: there"),
                ("Sent", "today")
            ]
        );
        // Fields right under the heading, and the block ends at the first other line.
        assert_eq!(
            message_summary(
                "Your message:\n   From: a@example.com\nCould not be delivered\n   Subject: x\n"
            ),
            [("From", "a@example.com")]
        );
        // Unindented lines, unknown names, or fields after two blank lines are no summary; a
        // later heading with fields is read.
        assert!(message_summary("Your message\nSubject: x\n").is_empty());
        assert!(message_summary("Your message\n  Priority: high\n").is_empty());
        assert!(message_summary("Your message\n\n\n  Subject: x\n").is_empty());
        assert_eq!(
            message_summary("Your message could not be delivered.\nYour message\n  Subject: y\n"),
            [("Subject", "y")]
        );
        assert!(message_summary("no summary here\n  Subject: x\n").is_empty());
    }

    #[test]
    fn the_reply_paragraph_is_the_first_with_a_code() {
        let text = "Notice words.\nMore words.\n\n  bob\n    host mx [192.0.2.1]: 550 5.1.1 no\n\nLater 451 words\n";
        assert_eq!(
            reply_paragraph(text),
            Some("bob\n    host mx [192.0.2.1]: 550 5.1.1 no")
        );
        // The last paragraph needs no blank line after it; a text with no code has none.
        assert_eq!(reply_paragraph("a\n\n550 no"), Some("550 no"));
        assert_eq!(reply_paragraph("no code here\n\nnor here\n"), None);
    }

    #[test]
    fn exim_gives_the_subject_in_words() {
        let text = "The message identifier is:     1abc-00\nThe subject of the message is: Lunch: noon \r\nThe date of the message is:    today\n";
        assert_eq!(subject_in_words(text), Some("Lunch: noon"));
        assert_eq!(
            subject_in_words("The subject of the message is:   \nnext\n"),
            None
        );
        assert_eq!(subject_in_words("no subject here"), None);
    }

    #[test]
    fn a_trailer_is_the_fields_under_a_double_underlined_heading() {
        let text = "bob@example.org\n\nAdditional Information\n======\nOriginal Sender: <a@example.com>\nRemote-MTA:\t<192.0.2.1>\nSome closing sentence here, not a field: at all\nLate-Field: x\n";
        let trailer = field_trailer(text).expect("a trailer");
        assert_eq!(trailer.heading, "Additional Information");
        assert_eq!(
            trailer.fields,
            [
                ("Original Sender", "a@example.com"),
                ("Remote-MTA", "192.0.2.1")
            ]
        );
        // A `-` underline, or no underline, heads no trailer; nor does a heading with no field.
        assert_eq!(field_trailer("Details\n------\nRemote-MTA: x\n"), None);
        assert_eq!(field_trailer("Remote-MTA: x\n===\n"), None);
        assert_eq!(field_trailer("Heading\n===\nno colon on this line\n"), None);
        // The first heading with fields under it is the trailer.
        let two = "Summary\n=======\n\nMore\n   =====\nRemote-MTA: <mx.example.org>\n";
        let trailer = field_trailer(two).expect("a trailer");
        assert_eq!(
            (trailer.heading, trailer.fields),
            ("More", vec![("Remote-MTA", "mx.example.org")])
        );
    }

    #[test]
    fn a_block_ends_before_the_trailers_heading() {
        let mut row = TextRow {
            recipient: "bob@example.org".into(),
            block: "bob@example.org\n550 no\nMore Information\nRemote-MTA: x\n".into(),
            reply_end: Some(60),
        };
        end_block_at(&mut row, "More Information");
        assert_eq!(row.block, "bob@example.org\n550 no\n");
        assert_eq!(row.reply_end, Some(row.block.len()));
        // Only a whole line is the heading.
        let mut row = TextRow {
            recipient: "bob@example.org".into(),
            block: "550 no More Information here\n".into(),
            reply_end: None,
        };
        end_block_at(&mut row, "More Information");
        assert_eq!(row.block, "550 no More Information here\n");
    }
}
