//! From raw bytes to a [`BounceReport`]: MIME walk, then the standard parts (RFC 3464 DSN,
//! RFC 5965 feedback report, RFC 3834 auto-reply), then the human-readable text.
//!
//! Every input is bounded by [`Limits`] before it is parsed, and nothing here panics on bad
//! input: a message that cannot be read becomes a report of kind `not_mail` with a note.

pub(crate) mod dsn;
pub(crate) mod mime;
mod reply;
pub(crate) mod scan;
pub(crate) mod text;

use super::advice;
use super::limits::Limits;
use super::reason::{self, Facts};
use super::receivers;
use super::reporters;
use super::status::{DsnStatus, ReplyCode, StatusClass};
use super::{Action, BounceReport, Hints, OriginalMessage, RecipientRow, ReportKind};
use mime::{Addresses, Headers, Kind, Mail};
use scan::find_ascii_ci;
use std::borrow::Cow;
use std::net::IpAddr;

pub(crate) use reply::{explain_smtp_reply, reads_as_reply};

/// One recipient's raw facts before classification.
#[derive(Debug, Default)]
struct RawRow {
    recipient: Option<String>,
    action: Option<Action>,
    status: Option<DsnStatus>,
    command: Option<&'static str>,
    remote_mta: Option<String>,
    /// The remote server's words (Diagnostic-Code or the text block).
    diagnostic: String,
    /// How much of `diagnostic` is shown, when less than all of it is the server's reply (see
    /// [`text::TextRow::reply_end`]); all of it is read.
    shown_end: Option<usize>,
    /// More text about this recipient, used when the diagnostic alone says nothing.
    context: String,
    /// A fixed reason (feedback, vacation) that classification must not change.
    fixed: Option<reason::Reason>,
    /// The DSN typed the diagnostic `X-Unix`: a local delivery program failed.
    mailer_exit: bool,
    /// The reason the reporting MTA filed the failure under, for words that decide nothing.
    mta_category: Option<reason::Reason>,
    /// The recipient's domain is the reporting mail system's own (see [`is_own_domain`]).
    own_domain: bool,
    /// The diagnostic is the receiver's reply the reporter quoted ([`read_quoted_reply`]).
    quoted_reply: bool,
}

/// What the whole notice says that each of its rows is finished with.
struct Notice<'a> {
    kind: ReportKind,
    /// The reporting mail system, when its notices follow a documented wording.
    reporter: Option<reporters::Reporter>,
    /// Is the notice a delay warning ([`is_delay_warning`])? Asked only when the answer
    /// matters.
    delay_warning: &'a dyn Fn() -> bool,
    /// A feedback report's `Feedback-Type`, which decides its rows' advice.
    feedback_type: Option<&'a str>,
}

/// Unfold RFC 5322-style fields (`Name: value`, continuation lines start with white space).
/// Lines that are not fields are skipped.
/// Names and one-line values are borrowed from the text; only a folded value is copied.
pub(crate) fn unfold_fields(text: &str) -> Vec<(&str, Cow<'_, str>)> {
    let mut out: Vec<(&str, Cow<'_, str>)> = Vec::new();
    let mut last_was_field = false;
    for line in scan::lines(text) {
        if line.starts_with([' ', '\t']) && last_was_field {
            if let Some((_, v)) = out.last_mut() {
                let v = v.to_mut();
                v.push(' ');
                v.push_str(scan::trim(line));
            }
            continue;
        }
        last_was_field = false;
        let Some(colon) = scan::find_byte(line, b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            out.push((name, Cow::Borrowed(scan::trim(value))));
            last_was_field = true;
        }
    }
    out
}

/// An address from a field value: angle brackets, quotes and comments removed; the domain in
/// lower case. `None` for an empty value.
pub(crate) fn clean_address(v: &str) -> Option<String> {
    let v = scan::trim(v);
    let inner = match (v.find('<'), v.rfind('>')) {
        (Some(a), Some(b)) if a < b => &v[a + 1..b],
        _ => v,
    };
    if let Some((_, _, a)) = text::find_address(inner, 0) {
        return Some(lower_domain(a));
    }
    let t = inner
        .trim()
        .trim_matches(['"', '\'', '<', '>'])
        .split_whitespace()
        .next()
        .unwrap_or("");
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

fn lower_domain(a: &str) -> String {
    let mut out = a.to_string();
    if let Some(at) = memchr::memrchr(b'@', a.as_bytes()) {
        out[at + 1..].make_ascii_lowercase();
    }
    out
}

/// The address of a list's first entry (none when that entry has only a name).
fn first_of<'l>(a: Option<&'l Addresses<'_>>) -> Option<&'l str> {
    a.and_then(|a| a.first()).and_then(|a| a.as_deref())
}

fn first_address(a: Option<&Addresses<'_>>) -> Option<String> {
    first_of(a).map(lower_domain)
}

fn all_addresses(a: Option<&Addresses<'_>>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = a {
        for x in a.iter().flatten() {
            if x.contains('@') {
                out.push(lower_domain(x));
            }
        }
    }
    out
}

/// Take at most `max` bytes; fix lone-CR line endings (old Mac) so every parser sees LF or CRLF.
fn prepare(raw: &[u8], max: usize) -> (Cow<'_, [u8]>, bool) {
    let truncated = raw.len() > max;
    let raw = &raw[..raw.len().min(max)];
    if !has_lone_cr(raw) {
        return (Cow::Borrowed(raw), truncated);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == b'\r' {
            out.push(b'\n');
            if raw.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    (Cow::Owned(out), truncated)
}

/// Is there a CR that is not followed by an LF?
///
/// Why blocks: a CRLF message has a CR on every line, and a search that stops at each one costs
/// about as much per line as comparing the line's bytes in fixed blocks, which the compiler turns
/// into vector compares. A message without CR is answered by one search.
fn has_lone_cr(b: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let Some(first) = memchr::memchr(b'\r', b) else {
        return false;
    };
    let b = &b[first..];
    // A CR at the very end has no LF after it.
    if b.last() == Some(&b'\r') {
        return true;
    }
    // Each byte beside the one after it: (b[i], b[i + 1]) for every i but the last.
    let (this, next) = (&b[..b.len() - 1], &b[1..]);
    let mut this_blocks = this.chunks_exact(BLOCK);
    let mut next_blocks = next.chunks_exact(BLOCK);
    for (t, n) in this_blocks.by_ref().zip(next_blocks.by_ref()) {
        let lone = t
            .iter()
            .zip(n)
            .fold(false, |lone, (&t, &n)| lone | ((t == b'\r') & (n != b'\n')));
        if lone {
            return true;
        }
    }
    this_blocks
        .remainder()
        .iter()
        .zip(next_blocks.remainder())
        .any(|(&t, &n)| t == b'\r' && n != b'\n')
}

/// Skip an mbox `From ` separator line at the top.
fn skip_mbox_line(b: &[u8]) -> &[u8] {
    if b.starts_with(b"From ") {
        match memchr::memchr(b'\n', b) {
            Some(p) => &b[p + 1..],
            None => &[],
        }
    } else {
        b
    }
}

/// Does the input start like an RFC 5322 message (a header field on its first non-empty line)?
fn looks_like_mail(b: &[u8]) -> bool {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let b = &b[start..];
    let line_end = memchr::memchr(b'\n', b).unwrap_or(b.len()).min(1000);
    let line = &b[..line_end];
    match line.iter().position(|&c| c == b':') {
        Some(p) if p > 0 => line[..p].iter().all(|&c| c.is_ascii_graphic() && c != b':'),
        _ => false,
    }
}

/// The client IP of a raw Received header: the first address in its `from` clause.
fn received_client_ip(v: &str) -> Option<IpAddr> {
    let from = find_ascii_ci(v.as_bytes(), b"from ")?;
    let end = by_clause(&v.as_bytes()[from..]).map_or(v.len(), |e| from + e);
    Ips {
        text: v.get(from..end)?,
        i: 0,
    }
    .next()
}

/// The organisation a host name belongs to: its registered domain by the public suffix list,
/// or its last two labels under a suffix the list does not know (`mx.sender.example`).
/// Only the name that starts the text counts (a Remote-MTA may go on with comments); an
/// address or a name without a dot has none.
fn organisation_of(host: &str) -> Option<String> {
    let end = host
        .find(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .unwrap_or(host.len());
    // Checked as written: a host name's letters are ASCII in either case.
    let host = host[..end].trim_end_matches('.');
    if !text::is_host_name(host) {
        return None;
    }
    crate::names::registered_domain(host).or_else(|| {
        let host = host.to_ascii_lowercase();
        let mut labels = host.rsplitn(3, '.');
        let (tld, name) = (labels.next()?, labels.next()?);
        (!tld.is_empty() && !name.is_empty()).then(|| format!("{name}.{tld}"))
    })
}

/// The host a Received header's `by` clause names, lower case.
fn received_by_host(v: &str) -> Option<String> {
    let at = by_clause(v.as_bytes())?;
    let rest = v.get(at..)?.trim_start();
    let rest = rest.get(2..)?.trim_start();
    text::host_at(rest, 0).map(str::to_ascii_lowercase)
}

/// Where the `by` clause of a Received header starts: the word `by` between any whitespace
/// (RFC 5322 folding whitespace: a header folded before `by`, as Sendmail writes
/// `(from user@localhost)` CRLF TAB `by host (8.17.1.9/8.17.1.9) id ...`, keeps the tab). The
/// `by` clause names the receiving host and its software version, never the client.
fn by_clause(v: &[u8]) -> Option<usize> {
    // Anchored on the `b` (rarer than white space); the match starts one byte before it.
    memchr::memchr2_iter(b'b', b'B', v.get(1..)?)
        .map(|p| p + 1)
        .find(|&b| {
            v[b - 1].is_ascii_whitespace()
                && v.get(b + 1).is_some_and(|y| y.eq_ignore_ascii_case(&b'y'))
                && v.get(b + 2).is_some_and(u8::is_ascii_whitespace)
        })
        .map(|b| b - 1)
}

/// Everything the MIME walk collects about one bounce.
#[derive(Default)]
struct Parts {
    dsn: Option<String>,
    feedback: Option<String>,
    notification: String,
    original_headers: Option<String>,
    original: OriginalMessage,
    /// The client address of each Received header of the returned message (top first), with
    /// the host that received from it (`by`), when named.
    original_ips: Vec<(IpAddr, Option<String>)>,
    complaint_recipient: Option<String>,
    report_type: Option<String>,
}

fn fill_original(h: &Headers<'_>, p: &mut Parts) {
    let from = h.addresses("From");
    let o = &mut p.original;
    o.from = first_address(from.as_ref());
    o.to = all_addresses(h.addresses("To").as_ref());
    o.message_id = h.id("Message-ID");
    o.subject = h.unstructured("Subject");
    if o.envelope_from.is_none() {
        // The Return-Path, or else the From address (as mail-parser's `return_address`).
        o.envelope_from = h
            .id("Return-Path")
            .or_else(|| first_of(from.as_ref()).map(str::to_string))
            .map(|a| lower_domain(&a))
            .filter(|a| a.contains('@'));
    }
    for v in h.texts("Received") {
        if let Some(ip) = received_client_ip(&v) {
            p.original_ips.push((ip, received_by_host(&v)));
        }
    }
    if let Some(v) = h.raw("X-HmXmrOriginalRecipient") {
        p.complaint_recipient = clean_address(v);
    }
}

/// Fill what the returned headers left empty from a notice's summary of the message
/// ([`text::message_summary`]): its sender, recipients and subject.
fn fill_from_summary(fields: &[(&str, &str)], o: &mut OriginalMessage) {
    for (name, value) in fields {
        if name.eq_ignore_ascii_case("From") && o.from.is_none() {
            o.from = clean_address(value).filter(|a| a.contains('@'));
        } else if name.eq_ignore_ascii_case("To") && o.to.is_empty() {
            o.to = value
                .split([',', ';'])
                .filter_map(clean_address)
                .filter(|a| a.contains('@'))
                .collect();
        } else if name.eq_ignore_ascii_case("Subject") && o.subject.is_none() {
            o.subject = Some((*value).to_string());
        }
    }
}

/// A host name or an IP address as a field gives it (`mx.example.org`, `203.0.113.2`,
/// `[203.0.113.2]`), lower case; None for anything else.
fn host_or_ip(v: &str) -> Option<String> {
    let v = v.trim_matches(['[', ']']);
    (text::is_host_name(v) || v.parse::<IpAddr>().is_ok()).then(|| v.to_ascii_lowercase())
}

/// Collect the parts a bounce is read from. Only these are decoded: text and HTML parts, the
/// delivery-status and feedback-report parts, and the returned message's header block.
fn walk(m: &Mail<'_>, limits: &Limits) -> Parts {
    let mut p = Parts {
        report_type: m
            .content_type()
            .and_then(|c| c.attribute("report-type").map(|s| s.to_ascii_lowercase())),
        ..Default::default()
    };
    let mut have_original = false;
    // HTML is read only when there is no plain text, so it is decoded only then.
    let mut html_parts = Vec::new();
    for part in m.parts() {
        let (kind, ctype, sub) = (part.kind, part.ctype.as_ref(), part.subtype.as_ref());
        // An attached message whose header block cannot be read is an opaque part.
        let inner = match kind {
            Kind::Message if !have_original => {
                let bytes = part.bytes();
                if let Some(h) = Headers::parse(&bytes) {
                    fill_original(&h, &mut p);
                    have_original = true;
                    continue;
                }
                Some(bytes)
            }
            _ => None,
        };
        // A returned message pasted in as a part after the notice's text (its own header block
        // is the part's): its headers are the original's, its body no notification.
        if let Some(fields) = part.message_fields
            && !have_original
            && p.original_headers.is_none()
            && !p.notification.trim().is_empty()
            && let Some(h) = Headers::parse(fields)
        {
            fill_original(&h, &mut p);
            have_original = true;
            continue;
        }
        let is_message = kind == Kind::Message && inner.is_none();
        match (ctype, sub) {
            ("message", "delivery-status" | "global-delivery-status") if p.dsn.is_none() => {
                p.dsn = Some(mime::lossy(&part.bytes()).into_owned());
            }
            ("message", "feedback-report") if p.feedback.is_none() => {
                p.feedback = Some(mime::lossy(&part.bytes()).into_owned());
            }
            ("text" | "message", "rfc822-headers" | "rfc822-header" | "rfc822")
                if !part.root && p.original_headers.is_none() =>
            {
                p.original_headers = Some(match (&inner, kind) {
                    (Some(b), _) => mime::lossy(b).into_owned(),
                    (None, Kind::Text | Kind::Html) => part.text().into_owned(),
                    _ => mime::lossy(&part.bytes()).into_owned(),
                });
            }
            // A second returned-headers part is ignored, not read as notification text.
            ("text" | "message", "rfc822-headers" | "rfc822-header" | "rfc822") if !part.root => {}
            _ if is_message => {}
            _ if kind == Kind::Text
                && p.notification.len() < limits.max_scan_bytes
                && !part.attachment =>
            {
                let text = part.text();
                // RFC 6522's third part, the returned message, sent as plain text (Oracle
                // Messaging Server): its header block is the original's, not notification.
                if p.dsn.is_some()
                    && !have_original
                    && p.original_headers.is_none()
                    && opens_with_message_headers(&text)
                {
                    p.original_headers = Some(text.into_owned());
                    continue;
                }
                push_line_block(&mut p.notification, text);
            }
            _ if kind == Kind::Html => html_parts.push(part),
            _ => {}
        }
    }
    if p.notification.trim().is_empty() && !html_parts.is_empty() {
        let mut html = String::new();
        for part in html_parts {
            if html.len() < limits.max_scan_bytes {
                push_line_block(&mut html, part.text());
            }
        }
        p.notification = strip_html(&html);
    }
    if p.notification.len() > limits.max_scan_bytes {
        let mut cut = limits.max_scan_bytes;
        while !p.notification.is_char_boundary(cut) {
            cut -= 1;
        }
        p.notification.truncate(cut);
    }
    p
}

/// Does a text open with a returned message's header block: a first line that is one of the
/// fields a message carries on its way (`Return-Path:`, `Received:`, `From:`, ...), and at
/// least three header lines among its first ten?
fn opens_with_message_headers(text: &str) -> bool {
    const FIELDS: &[&str] = &[
        "return-path:",
        "received:",
        "delivered-to:",
        "from:",
        "date:",
        "message-id:",
        "subject:",
        "to:",
        "dkim-signature:",
        "mime-version:",
    ];
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let is_field = |l: &str| {
        let b = l.as_bytes();
        FIELDS
            .iter()
            .any(|f| b.len() >= f.len() && b[..f.len()].eq_ignore_ascii_case(f.as_bytes()))
    };
    let looks_like_field = |l: &str| {
        l.split_once(':').is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
    };
    is_field(first) && 1 + lines.take(9).filter(|l| looks_like_field(l)).count() >= 3
}

/// Append a part's text and a line break to `out`. The first text decoded into a buffer of
/// its own becomes `out` (no copy); a borrowed one is copied once into room for the line break
/// too (a buffer that must grow copies everything again).
fn push_line_block(out: &mut String, text: Cow<'_, str>) {
    match text {
        Cow::Owned(t) if out.is_empty() => *out = t,
        t => {
            out.reserve(t.len() + 1);
            out.push_str(&t);
        }
    }
    out.push('\n');
}

/// The text of HTML: tags dropped (a line break for `br`, `p`, `div` and `tr`), the four
/// common entities decoded. Runs of text are copied whole between the tags' `<` and `>`.
fn strip_html(h: &str) -> String {
    let mut out = String::with_capacity(h.len() / 2);
    let mut rest = h;
    // Outside a tag: the text up to the next `<` (a `>` outside a tag is text).
    while let Some(open) = scan::find_byte(rest, b'<') {
        out.push_str(&rest[..open]);
        rest = &rest[open + 1..];
        // Inside a tag: another `<` starts the tag again, a `>` ends it.
        loop {
            match memchr::memchr2(b'<', b'>', rest.as_bytes()) {
                // An unterminated tag runs to the end of the text.
                None => return decode_entities(&out),
                Some(p) if rest.as_bytes()[p] == b'<' => rest = &rest[p + 1..],
                Some(p) => {
                    if breaks_line(&rest[..p]) {
                        out.push('\n');
                    }
                    rest = &rest[p + 1..];
                    break;
                }
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Does a tag (its text between `<` and `>`) end a line: `br`, `p`, `/p`, `/div`, `/tr`, in
/// any case?
fn breaks_line(tag: &str) -> bool {
    ["br", "/p", "/div", "/tr", "p"]
        .iter()
        .any(|t| scan::starts_with_ci(tag, t))
}

/// `&nbsp;`, `&lt;`, `&gt;` and `&amp;` decoded in one pass (what replacing them in that order
/// gives: no replacement can form another entity, and `&amp;` is decoded last).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = scan::find_byte(rest, b'&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let (text, len) = [
            ("&nbsp;", " "),
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&amp;", "&"),
        ]
        .iter()
        .find(|(e, _)| tail.starts_with(e))
        .map_or(("&", 1), |(e, t)| (*t, e.len()));
        out.push_str(text);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

fn header_text(m: &Mail<'_>, name: &str) -> Option<String> {
    m.header_raw(name).map(|v| v.trim().to_string())
}

/// Is the report's sender a mail system (mailer-daemon, postmaster) rather than a person?
fn is_system_sender(from: Option<&str>, from_raw: &str) -> bool {
    let local = from.unwrap_or("").split('@').next().unwrap_or("");
    let raw = from_raw.as_bytes();
    [
        "mailer-daemon",
        "postmaster",
        "mail-daemon",
        "mailerdaemon",
        "mailer_daemon",
        "maildelivery",
        "mmdf",
        "bounce",
        "bounces",
    ]
    .iter()
    .any(|n| local.eq_ignore_ascii_case(n))
        || [
            "mailer-daemon",
            "mail delivery",
            "postmaster",
            "mail administrator",
            "mailer daemon",
            // Courier's own notices: From "Courier mail server at <host>" <@> (its default
            // `dsnfrom`).
            "courier mail server",
        ]
        .iter()
        .any(|w| find_ascii_ci(raw, w.as_bytes()).is_some())
}

const BOUNCE_SUBJECT_WORDS: &[&str] = &[
    "undeliver",
    "undelivered",
    "delivery status notification",
    "delivery notification",
    // Courier: "NOTICE: mail delivery status."
    "mail delivery status",
    "returned mail",
    "returned to sender",
    "failure notice",
    "delivery failure",
    "delivery failed",
    "mail delivery failed",
    "non-delivery",
    "nondeliverable",
    "non delivery",
    "not delivered",
    "could not be delivered",
    "delivery problem",
    "delivery report",
    "mail system error",
    "unzustellbar",
    "non remis",
    "delayed mail",
    "delivery delayed",
    "warning: could not send",
    "bounce",
    "rejected",
    "mail error",
    "delivery error",
    "error sending",
    "permanent error",
    "failed delivery",
    "mail failure",
    // Japanese carriers and providers: "mail error (notice)", "delivery error", "undelivered".
    "メールエラー",
    "配信エラー",
    "送信エラー",
    "不達",
];

/// The [`scan::word_index`] of [`BOUNCE_SUBJECT_WORDS`].
static BOUNCE_SUBJECT_INDEX: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| scan::word_index(BOUNCE_SUBJECT_WORDS));

fn bounce_like_subject(s: &str) -> bool {
    scan::contains_any_ci(BOUNCE_SUBJECT_INDEX.as_ref(), BOUNCE_SUBJECT_WORDS, s)
}

/// Does a recipient's text block hold anything besides the address (any letter or digit
/// outside it)?
fn says_more_than(block: &str, address: &str) -> bool {
    let mut rest = block;
    while !address.is_empty()
        && let Some(i) = find_ascii_ci(rest.as_bytes(), address.as_bytes())
    {
        if rest[..i].chars().any(char::is_alphanumeric) {
            return true;
        }
        rest = &rest[i + address.len()..];
    }
    rest.chars().any(char::is_alphanumeric)
}

/// A reporter that quotes the receiver's reply inside words of its own
/// ([`reporters::Reporter::quoted_reply`]): the reply becomes the row's diagnostic, and its
/// status replaces one that named no more than a class or "address" (x.0.0, x.1.0). The
/// reporter's words around it, in the diagnostic and in the notice's text, are its guess, not
/// the receiver's answer: they are not read.
fn read_quoted_reply(raw: &mut RawRow, reporter: Option<reporters::Reporter>) {
    let Some(reply) = reporter.and_then(|rep| rep.quoted_reply(&raw.diagnostic)) else {
        return;
    };
    raw.context.clear();
    if raw
        .status
        .is_none_or(|s| s.subject() <= 1 && s.detail() == 0)
    {
        // The reply's own status; or, when it has none, the reporter's category code (a 5.3.0
        // says more than the DSN's 5.0.0).
        let reporters_code = DsnStatus::find_in(&raw.diagnostic);
        raw.status = DsnStatus::find_in(&reply)
            .or_else(|| reporters_code.filter(|c| !c.is_vague()))
            .or(raw.status);
    }
    raw.diagnostic = reply;
    raw.quoted_reply = true;
}

/// Words with which MTAs say a notice is a warning: the message is still queued and delivery
/// is still being tried (Sendmail's and Postfix's "warning only" banner, which Gmail and Zoho
/// copy, Exim's delay warning, Gmail's retry notice, OpenSMTPD's temporary failure report).
/// They are fixed strings in those MTAs' sources, so they are matched as written: one
/// case-sensitive pass over the text, which a case-blind one would make several times slower.
const DELAY_WARNING_WORDS: &[&str] = &[
    "YOU DO NOT NEED TO RESEND YOUR MESSAGE",
    "You do not need to resend your message",
    "Delivery attempts will continue",
    "No action is required on your part",
    "has not yet been delivered to one or more of its",
    "Message will be retried for",
    "Delivery to the following recipient has been delayed",
    "Delivery to the following recipients has been delayed",
    "this is only a temporary failure report",
];

/// Words of a delay warning's subject: Postfix's, Gmail's and Sendmail's.
const DELAY_WARNING_SUBJECT_WORDS: &[&str] = &[
    "(still being retried)",
    "delivery status notification (delay)",
    "warning: could not send message for past",
];

/// A searcher for each of [`DELAY_WARNING_WORDS`]. Why not one automaton over all of them: its
/// prefilter stops at too many places in prose (the words start with `D`, `N`, `has`, `this`),
/// and it then steps through the text byte by byte. Measured on the corpus's messages, nine
/// vector searches for a rare byte each take an eighth of the time.
static DELAY_WARNING_FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
    std::sync::LazyLock::new(|| {
        DELAY_WARNING_WORDS
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
            .collect()
    });

/// Is this notice a delay warning rather than a report of failure? A warning's recipients
/// whose failure is not permanent are delayed: the message is still in the sender's queue.
fn is_delay_warning(subject: &str, notification: &str) -> bool {
    DELAY_WARNING_SUBJECT_WORDS
        .iter()
        .any(|w| find_ascii_ci(subject.as_bytes(), w.as_bytes()).is_some())
        || DELAY_WARNING_FINDERS
            .iter()
            .any(|f| f.find(notification.as_bytes()).is_some())
}

/// The undecoded body of a message as text (lossy UTF-8), at most `max` bytes.
fn raw_body_text(msg: &Mail<'_>, max: usize) -> String {
    let body = msg.body();
    let mut end = body.len().min(max);
    // Cut on a line end when the cap falls inside a line.
    if end < body.len()
        && let Some(nl) = body[..end].iter().rposition(|&b| b == b'\n')
    {
        end = nl + 1;
    }
    mime::lossy(&body[..end]).into_owned()
}

/// Words of a list manager refusing a post from someone who is not subscribed.
const NOT_MEMBER_WORDS: &[&str] = &[
    "not member",
    "not a member",
    "non-member",
    "non member",
    "not subscribed",
    "not allowed to post",
];

/// A mailing-list manager's refusal of a post: sent by the list's administrative address
/// (`list-admin@`, `-owner`, `-request`, `-bounces`, fml's `-ctl`), from list software (fml's
/// `X-MLServer`, or a `List-Id`), saying the poster is not a member.
fn is_list_refusal(msg: &Mail<'_>, from: Option<&str>, subject: &str, text: &str) -> bool {
    let list_software = msg.header_raw("X-MLServer").is_some()
        || msg.header_raw("X-ML-Name").is_some()
        || msg.header_raw("List-Id").is_some();
    let local = from
        .and_then(|f| f.split('@').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let admin = ["-admin", "-owner", "-request", "-bounces", "-ctl"]
        .iter()
        .any(|s| local.ends_with(s))
        || local.starts_with("owner-");
    if !(list_software && admin) {
        return false;
    }
    let s = subject.to_ascii_lowercase();
    let t = first_paragraphs(text, 1000).to_ascii_lowercase();
    // A post held for the moderator (Mailman's "awaits moderator approval") is not refused.
    let held = ["awaits moderator", "being held", "held for moderation"]
        .iter()
        .any(|w| s.contains(w) || t.contains(w));
    !held
        && NOT_MEMBER_WORDS
            .iter()
            .any(|w| s.contains(w) || t.contains(w))
}

/// Explain one message (see [`super::explain_bytes`]).
pub(crate) fn explain_message(raw: &[u8], limits: &Limits) -> BounceReport {
    let (bytes, truncated) = prepare(raw, limits.max_message_bytes);
    let body = skip_mbox_line(&bytes);
    if !looks_like_mail(body) {
        let mut r = BounceReport::empty(ReportKind::NotMail);
        r.notes.push(if body.iter().all(|c| c.is_ascii_whitespace()) {
            "The input is empty.".into()
        } else {
            "The input does not start with a mail header (Name: value): it is not an Internet mail message.".into()
        });
        return r;
    }
    let Some(msg) = Mail::parse(body) else {
        let mut r = BounceReport::empty(ReportKind::NotMail);
        r.notes
            .push("The input could not be parsed as a mail message.".into());
        return r;
    };
    let mut report = explain_parsed(&msg, limits, 0);
    if truncated {
        report.notes.push(format!(
            "Only the first {} bytes of the message were read (limit MAX_MESSAGE_BYTES).",
            limits.max_message_bytes
        ));
    }
    report
}

/// How deep a forwarded bounce (a bounce attached to another message) is followed.
const MAX_NESTED_BOUNCE: usize = 2;

fn explain_parsed(msg: &Mail<'_>, limits: &Limits, depth: usize) -> BounceReport {
    let mut report = BounceReport::empty(ReportKind::NotBounce);
    let from_raw = header_text(msg, "From").unwrap_or_default();
    report.report_from = first_address(msg.from());
    report.report_subject = msg.subject().map(str::to_string);
    let subject = msg.subject().unwrap_or_default();
    let report_to = all_addresses(msg.to());
    let return_path_null = msg
        .header_raw("Return-Path")
        .is_some_and(|v| v.trim().trim_matches(['<', '>', ' ']).is_empty());
    let auto_submitted = header_text(msg, "Auto-Submitted")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let x_failed: Vec<String> = msg
        .headers
        .texts("X-Failed-Recipients")
        .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter_map(|v| clean_address(&v))
        .filter(|a| a.contains('@'))
        .collect();

    let mut parts = walk(msg, limits);
    if parts.notification.trim().is_empty() && parts.dsn.is_none() && parts.feedback.is_none() {
        // Not part of the MIME walk: a fallback for bodies the MIME parser could not split
        // (a multipart whose boundary parameter is not folded into its Content-Type, so the
        // parts are never found). Their text is read as it stands.
        parts.notification = raw_body_text(msg, limits.max_scan_bytes);
    }
    // The text is moved out of `parts`, so its two halves are borrowed, not copied.
    let full_text = std::mem::take(&mut parts.notification);
    let (notification, returned) = text::split_original(&full_text);
    // A text bounce carries the returned message inline: read its headers.
    if parts.original.from.is_none() && parts.original.message_id.is_none() {
        let original_headers = parts.original_headers.take();
        let hdrs = original_headers.as_deref().or(returned);
        if let Some(h) = hdrs {
            let h = h.trim_start();
            if let Some(h) = Headers::parse(h.as_bytes()) {
                fill_original(&h, &mut parts);
            }
        }
    }

    // What the notice says of the message in its own words, where the returned headers did
    // not: its summary (`Your message` over `Subject:`, Exim's `The subject of the message
    // is:`) and a trailer of its own fields (Trustwave's `Original Sender:`, `Remote-MTA:`,
    // `Reporting-MTA:`).
    // (Each is read only when needed: most bounces return the message's headers, and a
    // delivery-status part gives the MTAs in fields of its own.)
    if parts.original.subject.is_none() || parts.original.from.is_none() {
        fill_from_summary(&text::message_summary(notification), &mut parts.original);
    }
    if parts.original.subject.is_none() {
        parts.original.subject = text::subject_in_words(notification).map(str::to_string);
    }
    let trailer = parts
        .dsn
        .is_none()
        .then(|| text::field_trailer(notification))
        .flatten();
    let trailer_field = |name: &str| {
        trailer
            .iter()
            .flat_map(|t| &t.fields)
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    if parts.original.envelope_from.is_none() {
        parts.original.envelope_from = trailer_field("Original Sender")
            .and_then(clean_address)
            .filter(|a| a.contains('@'));
    }
    let trailer_remote = trailer_field("Remote-MTA").and_then(host_or_ip);

    // Addresses that belong to the sender side, never to a bounced recipient.
    let mut exclude: Vec<String> = report_to.clone();
    exclude.extend(parts.original.from.clone());
    exclude.extend(parts.original.envelope_from.clone());
    exclude.extend(report.report_from.clone());
    // Exim's X-Failed-Recipients names the failed recipients outright: one of them is a
    // recipient even when it is the sender's own address too (a message sent to oneself and
    // others, the bounce addressed back).
    exclude.retain(|a| !x_failed.iter().any(|x| x.eq_ignore_ascii_case(a)));

    let (mut text_rows, preamble) = text::extract(
        notification,
        &exclude,
        limits.max_recipients,
        limits.max_diagnostic_chars * 2,
    );
    // The trailer is the notice's own, not a recipient's: a block that runs into it ends there.
    if let Some(t) = &trailer {
        for row in &mut text_rows {
            text::end_block_at(row, t.heading);
        }
    }
    // IMail's recipient lines end with the address after any error text, which the generic
    // reading takes only when the error reads as a recipient label.
    if header_text(msg, "X-Mailer").is_some_and(|x| x.starts_with("<SMTP32 v")) {
        let lines = text::imail_lines(notification, limits.max_recipients);
        add_text_rows(&mut text_rows, lines, &exclude, limits.max_recipients);
    }
    // MDaemon's notice is its session transcript alone: the refused `--> RCPT To:` lines name
    // the recipients.
    let refused = text::arrow_transcript_rows(notification, limits.max_recipients);
    add_text_rows(&mut text_rows, refused, &exclude, limits.max_recipients);
    let transcript = text::transcript(notification);

    let mut rows: Vec<RawRow> = Vec::new();

    // 1. RFC 5965 feedback, or Microsoft's complaint format (JMRP), which returns the message
    //    with an X-HmXmrOriginalRecipient header.
    let is_feedback = parts.feedback.is_some()
        || parts.report_type.as_deref() == Some("feedback-report")
        || parts.complaint_recipient.is_some();
    if is_feedback {
        report.kind = ReportKind::Feedback;
        let fields = parts
            .feedback
            .as_deref()
            .map(unfold_fields)
            .unwrap_or_default();
        let get = |n: &str| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.to_string())
        };
        report.feedback_type = get("Feedback-Type")
            .map(|v| v.to_ascii_lowercase())
            .or_else(|| Some("abuse".to_string()));
        if let Some(mf) = get("Original-Mail-From").and_then(|v| clean_address(&v)) {
            parts.original.envelope_from = Some(mf);
        }
        if let Some(ip) = get("Source-IP").and_then(|v| v.trim().parse::<IpAddr>().ok()) {
            parts.original_ips.insert(0, (ip, None));
        }
        // Original-Rcpt-To may appear once for each recipient of the reported message (RFC
        // 5965 section 3.2): a row for each.
        let mut recipients: Vec<String> = Vec::new();
        for (_, v) in fields.iter().filter(|(k, _)| {
            k.eq_ignore_ascii_case("Original-Rcpt-To")
                || k.eq_ignore_ascii_case("Removal-Recipient")
        }) {
            if let Some(a) = clean_address(v).filter(|a| a.contains('@'))
                && !recipients.iter().any(|r| r.eq_ignore_ascii_case(&a))
                && recipients.len() < limits.max_recipients
            {
                recipients.push(a);
            }
        }
        if recipients.is_empty() {
            recipients.extend(
                parts
                    .complaint_recipient
                    .clone()
                    .or_else(|| parts.original.to.iter().find(|a| a.contains('@')).cloned()),
            );
        }
        let diagnostic = get("Feedback-Type").unwrap_or_default();
        for recipient in recipients {
            rows.push(RawRow {
                recipient: Some(recipient),
                diagnostic: diagnostic.clone(),
                fixed: Some(reason::Reason::Feedback),
                ..Default::default()
            });
        }
        if rows.is_empty() {
            rows.push(RawRow {
                diagnostic,
                fixed: Some(reason::Reason::Feedback),
                ..Default::default()
            });
        }
    }

    // 2. RFC 3464 delivery-status (a part, or its fields pasted into the text).
    if !is_feedback {
        let dsn = parts
            .dsn
            .as_deref()
            .and_then(|t| dsn::parse(t, limits.max_recipients))
            .or_else(|| {
                let n = notification.as_bytes();
                // Anchored on a rarer letter than the first `o` (every few words of text).
                if find_ascii_ci(n, b"final-recipient:").is_some()
                    || scan::find_ascii_ci_anchored(n, b"original-recipient:", 3).is_some()
                {
                    dsn::parse(notification, limits.max_recipients)
                } else {
                    None
                }
            });
        if let Some(d) = dsn {
            report.kind = ReportKind::Bounce;
            report.reporting_mta = d.reporting_mta.clone();
            if parts.original.envelope_from.is_none() {
                parts.original.envelope_from = d.envelope_from.clone();
            }
            let single = d.rows.len() == 1 && text_rows.len() == 1;
            let one_row = d.rows.len() == 1;
            for r in d.rows {
                let mut recipient = r.recipient();
                // A delivery to a file or pipe has no address; Exim names the address that
                // generated it in the text, on the line under the file or pipe ("save to
                // /path" then "generated by addr"): the one text row, or the address under
                // this row's file or pipe when there are several.
                if recipient.as_deref().is_none_or(|a| !a.contains('@')) {
                    let under = recipient
                        .as_deref()
                        .and_then(|p| text::generated_by(notification, p));
                    if let Some(a) = under {
                        recipient = Some(lower_domain(&a));
                    } else if single {
                        recipient = text_rows.first().map(|t| lower_domain(&t.recipient));
                    }
                }
                let block = recipient
                    .as_deref()
                    .and_then(|a| {
                        text_rows
                            .iter()
                            .find(|t| t.recipient.eq_ignore_ascii_case(a))
                    })
                    // A block that is the address alone says nothing (Outlook.com lists its
                    // recipients under the sentence that gives the reason).
                    .filter(|t| says_more_than(&t.block, &t.recipient))
                    .map(|t| t.block.clone())
                    // The only recipient of a report whose fields say nothing of why (no
                    // diagnostic, no status or a vague one): the text before any recipient line
                    // (a session transcript that names the address the recipient forwarded
                    // to, or the sentence above a list of recipients) is all there is to read.
                    .or_else(|| {
                        (one_row
                            && r.diagnostic.is_empty()
                            && r.status.is_none_or(|s| s.is_vague()))
                        .then(|| preamble.clone())
                    })
                    .unwrap_or_default();
                rows.push(RawRow {
                    recipient,
                    action: r.action,
                    status: r.status,
                    command: None,
                    remote_mta: r.remote_mta,
                    diagnostic: r.diagnostic,
                    shown_end: None,
                    context: block,
                    fixed: r.expired.then_some(reason::Reason::Expired),
                    mailer_exit: r.mailer_exit,
                    mta_category: r.mta_category,
                    own_domain: false,
                    quoted_reply: false,
                });
            }
        }
    }

    // 2b. Amazon SES notifications (JSON, delivered by SNS as mail).
    if rows.is_empty()
        && let Some(ses) = ses_json(notification, limits)
    {
        report.kind = ses.kind;
        report.feedback_type = ses.feedback_type;
        report.reporting_mta = report.reporting_mta.take().or(ses.reporting_mta);
        rows = ses.rows;
        // The notification's `mail` object names the message that was sent.
        let o = &mut parts.original;
        o.envelope_from = o.envelope_from.take().or(ses.original.envelope_from);
        o.from = o.from.take().or(ses.original.from);
        if o.to.is_empty() {
            o.to = ses.original.to;
        }
        o.message_id = o.message_id.take().or(ses.original.message_id);
        o.subject = o.subject.take().or(ses.original.subject);
    }

    if report.reporting_mta.is_none() {
        report.reporting_mta = trailer_field("Reporting-MTA").and_then(host_or_ip);
    }

    // 3. Human-readable bounce text.
    let james = text::james_layout(notification, limits.max_recipients);
    let list_refusal = is_list_refusal(msg, report.report_from.as_deref(), subject, notification);
    let bounceish = return_path_null
        || is_system_sender(report.report_from.as_deref(), &from_raw)
        || !x_failed.is_empty()
        || bounce_like_subject(subject)
        || auto_submitted.starts_with("auto-generated")
        || james.is_some()
        || list_refusal;
    if rows.is_empty()
        && bounceish
        && let Some((recipients, error)) = james
    {
        for a in recipients {
            rows.push(RawRow {
                recipient: Some(lower_domain(&a)),
                diagnostic: error.clone(),
                ..Default::default()
            });
        }
        report.kind = ReportKind::Bounce;
    }
    if rows.is_empty() && list_refusal {
        // A list manager refusing a post from a non-member: the sender was rejected; the
        // recipient is the list the text names.
        if let Some(t) = text_rows.first() {
            rows.push(RawRow {
                recipient: Some(lower_domain(&t.recipient)),
                diagnostic: first_paragraphs(notification, limits.max_diagnostic_chars),
                fixed: Some(reason::Reason::Rejected),
                ..Default::default()
            });
            report.kind = ReportKind::Bounce;
        }
    }
    if rows.is_empty() && bounceish {
        for t in &text_rows {
            // A Gmail notice gives its own account of the failure, then the remote server's
            // reply under "The response was:": the reply is the diagnostic, Google's words
            // are read with the rest of the notice as its context.
            let (diagnostic, shown_end, context) = match text::google_response_start(&t.block) {
                Some(at) => (
                    t.block[at..].to_string(),
                    t.reply_end.and_then(|e| e.checked_sub(at)),
                    format!("{}\n{preamble}", &t.block[..at]),
                ),
                None => (t.block.clone(), t.reply_end, preamble.clone()),
            };
            rows.push(RawRow {
                recipient: Some(lower_domain(&t.recipient)),
                diagnostic,
                shown_end,
                context,
                ..Default::default()
            });
        }
        if rows.is_empty() {
            // The recipient is not in the text: take X-Failed-Recipients, or the returned
            // message's To when the text carries an SMTP reply or status code, or words that
            // name a reason ("Error: No valid recipients").
            let has_code = DsnStatus::find_in(notification).is_some()
                || ReplyCode::find_in(notification).is_some();
            let names_reason = || {
                reason::phrase_reason(&reason::normalise(&first_paragraphs(
                    notification,
                    limits.max_diagnostic_chars,
                )))
                .is_some()
            };
            let mut recips = x_failed.clone();
            if recips.is_empty() && (has_code || names_reason()) {
                recips = parts
                    .original
                    .to
                    .iter()
                    .filter(|a| !exclude.contains(a))
                    .cloned()
                    .collect();
            }
            let diag = first_paragraphs(notification, limits.max_diagnostic_chars);
            let reply_paragraph = text::reply_paragraph(notification)
                .map(|p| first_paragraphs(p, limits.max_diagnostic_chars));
            let google_groups_notice = notification.contains("groups.google.com/support");
            for a in recips.into_iter().take(limits.max_recipients) {
                // Google Groups answers a post it refuses (no such group, or the sender may
                // not post) with a localised text and no code: the sender was rejected. A group
                // may live on its own domain (Google Workspace), so the notice's link to the
                // Groups Help Center, in every language's text, names it too.
                let fixed = (a.to_ascii_lowercase().ends_with("@googlegroups.com")
                    || google_groups_notice)
                    .then_some(reason::Reason::Rejected);
                // The paragraph that carries a server's reply is the diagnostic; the notice's
                // words around it are the context it is read with.
                let reply = reply_paragraph
                    .as_ref()
                    .filter(|r| r.len() < scan::trim(&diag).len());
                let (diagnostic, context) = match reply {
                    Some(r) => (r.clone(), diag.clone()),
                    None => (diag.clone(), String::new()),
                };
                rows.push(RawRow {
                    recipient: Some(a),
                    diagnostic,
                    context,
                    fixed,
                    ..Default::default()
                });
            }
        }
        if !rows.is_empty() {
            report.kind = ReportKind::Bounce;
        }
    }

    // 3b. A bounce forwarded as an attachment: explain the attached bounce.
    if rows.is_empty() && depth < MAX_NESTED_BOUNCE {
        let attached = msg.parts().into_iter().find_map(|p| {
            (p.kind == Kind::Message)
                .then(|| p.bytes())
                .filter(|b| mime::has_field(b))
        });
        if let Some(bytes) = attached
            && let Some(inner) = Mail::parse(&bytes)
        {
            let inner_report = explain_parsed(&inner, limits, depth + 1);
            if matches!(inner_report.kind, ReportKind::Bounce | ReportKind::Feedback) {
                let mut r = inner_report;
                r.notes
                    .push("The bounce was found attached to this message (forwarded).".into());
                return r;
            }
        }
    }

    // 4. RFC 3834 auto-reply (a person's system answering, not a mail system).
    if rows.is_empty() {
        let l = subject.to_ascii_lowercase();
        let auto_reply = (auto_submitted.starts_with("auto-replied")
            || msg.header_raw("X-Autoreply").is_some()
            || msg.header_raw("X-Autorespond").is_some()
            // The autoresponders' own marks: `Precedence: auto_reply` (vacation programs) and
            // Apple Mail's `X-Apple-Action: vacation`.
            || msg
                .header_raw("Precedence")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("auto_reply"))
            || msg
                .header_raw("X-Apple-Action")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("vacation"))
            || l.starts_with("auto:")
            || l.contains("auto response")
            || l.contains("automatic reply")
            || l.contains("auto reply")
            || l.contains("autoreply")
            || l.contains("autorespon")
            || l.contains("out of office")
            || l.contains("out of the office")
            || l.starts_with("away"))
            && !is_system_sender(report.report_from.as_deref(), &from_raw);
        if auto_reply {
            report.kind = ReportKind::AutoReply;
            // An auto-reply that says the mailbox is gone is a bounce in disguise.
            let n = reason::normalise(&first_paragraphs(notification, 2000));
            let fixed = match reason::phrase_reason(&n) {
                Some(
                    r @ (reason::Reason::Suspend
                    | reason::Reason::UserUnknown
                    | reason::Reason::HasMoved),
                ) => r,
                _ => reason::Reason::Vacation,
            };
            rows.push(RawRow {
                recipient: report.report_from.clone(),
                diagnostic: first_paragraphs(notification, limits.max_diagnostic_chars),
                fixed: Some(fixed),
                ..Default::default()
            });
        }
    }

    if rows.is_empty() {
        report.kind = ReportKind::NotBounce;
        report.notes.push(
            "No delivery-status report, feedback report or auto-reply, and no failed recipient in a recognised form: not a bounce."
                .into(),
        );
    }

    // KDDI (au) marks a message its recipient's filter refused with `X-SPASIGN: NG` on the
    // bounce: the refusal is the recipient's filter, whatever the text says.
    let spam_sign_ng = report.kind == ReportKind::Bounce
        && msg
            .header_raw("X-SPASIGN")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("NG"));
    if spam_sign_ng {
        for raw in rows.iter_mut().filter(|r| r.fixed.is_none()) {
            raw.fixed = Some(reason::Reason::Filtered);
        }
    }

    // Finish rows.
    // Read only for a row whose action the notice must say (not a permanent failure, no DSN
    // action), and then once.
    let report_kind = report.kind;
    let warning_cell = std::cell::OnceCell::new();
    let delay_warning = || {
        *warning_cell.get_or_init(|| {
            report_kind == ReportKind::Bounce && is_delay_warning(subject, notification)
        })
    };
    let notice = Notice {
        kind: report_kind,
        reporter: reporters::Reporter::of(report.report_from.as_deref(), subject, |n| {
            msg.header_raw(n)
        }),
        delay_warning: &delay_warning,
        feedback_type: report.feedback_type.as_deref(),
    };
    let mut diag_ips: Vec<IpAddr> = Vec::new();
    let mut lists: Vec<String> = Vec::new();
    let one_row = rows.len() == 1;
    for mut raw in rows {
        read_quoted_reply(&mut raw, notice.reporter);
        raw.own_domain = raw
            .recipient
            .as_deref()
            .and_then(domain_part)
            .is_some_and(|d| {
                is_own_domain(
                    d,
                    report.reporting_mta.as_deref(),
                    report.report_from.as_deref(),
                )
            });
        let cmd = raw
            .command
            .or_else(|| {
                raw.recipient
                    .as_deref()
                    .and_then(|a| transcript.command_of(a))
            })
            .or_else(|| text::command_in(&raw.diagnostic))
            // A transcript's commands (`>>> MAIL From:`) in the context belong to the rows
            // the transcript names, not to this one.
            .or_else(|| {
                (!text::has_sent_command(&raw.context))
                    .then(|| text::command_in(&raw.context))
                    .flatten()
            });
        // A Sendmail transcript's `... while talking to HOST:` names the host for the
        // addresses under it, and for the one recipient of a notice that names no address
        // there (its `<<< 554 ...` is the reply).
        let remote = raw
            .remote_mta
            .clone()
            .or_else(|| text::remote_host_in(&raw.diagnostic))
            .or_else(|| text::remote_host_in(&raw.context))
            .or_else(|| trailer_remote.clone())
            .or_else(|| {
                let talked_to = raw.recipient.as_deref().and_then(|a| transcript.host_of(a));
                talked_to
                    .or(transcript.last_host.filter(|_| one_row))
                    .map(str::to_ascii_lowercase)
            })
            // A receiver named by its address: the name before its brackets (Postfix's
            // `connect to mx.example[192.0.2.1]:25`, Gmail's `mx.example. [192.0.2.1]:25`), or
            // the address alone (qmail's `192.0.2.1 does not like recipient`, Exim's
            // `host 192.0.2.1 [192.0.2.1]:`).
            .or_else(|| receiver_ip_in(&raw.diagnostic));
        let (row, zones) = finish_row(raw, cmd, remote, &notice, limits);
        for z in zones {
            if !lists.iter().any(|x| x == z) {
                lists.push(z.to_string());
            }
        }
        for ip in ips_in(&row.diagnostic) {
            if !diag_ips.contains(&ip) && !names_no_sending_ip(&row.diagnostic, ip) {
                diag_ips.push(ip);
            }
        }
        report.recipients.push(row);
    }
    // An IP the receiver named in the reply is the best hint; the remote MTA's own IP is not.
    let remote_ips: Vec<IpAddr> = report
        .recipients
        .iter()
        .flat_map(|r| ips_in(r.remote_mta.as_deref().unwrap_or("")))
        .collect();
    // When the reporting system is not the host that refused (it names another, remote one),
    // it is the sending side's own: the Received headers it wrote record how the message
    // reached it (the user's submission, an internal relay), an address no receiver judged.
    // (Asked only when the returned message has Received headers to judge.)
    let senders_own = if parts.original_ips.is_empty() {
        None
    } else {
        let reporter = report
            .reporting_mta
            .clone()
            .or_else(|| report.report_from.as_deref().and_then(domain_of))
            .and_then(|host| organisation_of(&host));
        let remotes: Vec<String> = report
            .recipients
            .iter()
            .filter_map(|r| r.remote_mta.as_deref())
            .filter_map(organisation_of)
            .collect();
        reporter.filter(|d| !remotes.is_empty() && !remotes.contains(d))
    };
    let judged = |by: &Option<String>| match (&senders_own, by) {
        (Some(own), Some(host)) => organisation_of(host).as_ref() != Some(own),
        _ => true,
    };
    let mut public: Vec<IpAddr> = Vec::new();
    for ip in diag_ips
        .into_iter()
        .filter(|ip| !remote_ips.contains(ip))
        .chain(
            parts
                .original_ips
                .iter()
                .filter(|(_, by)| judged(by))
                .map(|(ip, _)| *ip),
        )
    {
        // Only a public address is written out (each once: equal addresses write alike).
        if is_public(ip) && !public.contains(&ip) {
            public.push(ip);
        }
    }
    let ips: Vec<String> = public.iter().copied().map(ip_text).collect();
    report.hints = Hints {
        sending_ips: ips,
        envelope_domain: parts.original.envelope_from.as_deref().and_then(domain_of),
        from_domain: parts.original.from.as_deref().and_then(domain_of),
        blocklists: lists,
    };
    report.original = parts.original;
    report
}

/// The domain of an address as written (see [`domain_of`]), borrowed: for a comparison that
/// ignores case anyway.
fn domain_part(a: &str) -> Option<&str> {
    a.rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
}

/// Is `domain` the reporting mail system's own: the domain of the bounce's sender
/// (`Mailer-Daemon@domain`), or the reporting MTA's host name or a parent of it?
fn is_own_domain(domain: &str, reporting_mta: Option<&str>, report_from: Option<&str>) -> bool {
    let domain = domain.trim_end_matches('.');
    if !domain.contains('.') {
        return false;
    }
    let from_domain = report_from.and_then(domain_part);
    from_domain.is_some_and(|d| d.eq_ignore_ascii_case(domain))
        || reporting_mta.is_some_and(|h| receivers::host_in(h.trim(), &[domain]))
}

pub(super) fn domain_of(a: &str) -> Option<String> {
    domain_part(a).map(str::to_ascii_lowercase)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            !(v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || v.octets()[0] == 0)
        }
        IpAddr::V6(v) => {
            !(v.is_loopback()
                || v.is_unspecified()
                || (v.segments()[0] & 0xfe00) == 0xfc00
                || (v.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// An address written as `IpAddr::to_string` writes it. Why: an IPv4 address goes through the
/// formatting machinery once per octet there, about a thousand instructions, and the explainer
/// writes one or more for most messages (0.9% of a pass over the corpus).
fn ip_text(ip: IpAddr) -> String {
    let IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

/// The receiver `text` names by an address ([`names_as_receiver`]): the host name written
/// before the address's brackets when there is one, else the address.
fn receiver_ip_in(text: &str) -> Option<String> {
    let ip = Ips { text, i: 0 }.find(|ip| names_as_receiver(text, *ip))?;
    let written = ip_text(ip);
    let named = memchr::memmem::find(text.as_bytes(), written.as_bytes())
        .and_then(|at| name_before_bracket(&text[..at]))
        .map(|n| n.trim_end_matches('.').to_ascii_lowercase());
    Some(named.unwrap_or(written))
}

/// Does `text` name `ip` as the receiving side's address, not the sender's? The address of a
/// named host (Postfix's `host mx.example[192.0.2.1] said`, Exim's `host mx.example
/// [192.0.2.1]:`, or `host 192.0.2.1 [192.0.2.1]:` for a host with no name), or one qmail says
/// answered (`192.0.2.1 does not like recipient`, `remote host 192.0.2.1 said`, `192.0.2.1
/// failed after I sent the message`). Such an address is no hint for checking the sender's
/// listings.
fn names_as_receiver(text: &str, ip: IpAddr) -> bool {
    let written = ip_text(ip);
    let Some(at) = memchr::memmem::find(text.as_bytes(), written.as_bytes()) else {
        return false;
    };
    let before = &text[..at];
    let after = text[at + written.len()..]
        .trim_start_matches([']', ':'])
        .trim_start();
    let after_words = ["said", "does not like", "failed after"];
    if after_words.iter().any(|w| {
        after.len() >= w.len() && after.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
    }) {
        return true;
    }
    let lead = before.trim_end();
    if ["remote host", "connected to", "connect to"]
        .iter()
        .any(|w| scan::ends_with_ci(lead, w))
    {
        return true;
    }
    // Exim's host with no name: the address, then the address in brackets.
    if scan::ends_with_ci(lead, "host")
        && lead[..lead.len() - 4]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace)
        && after.starts_with('[')
    {
        return true;
    }
    name_before_bracket(before).is_some()
}

/// Adds the rows an MTA's own layout names (a recipient and its error each) to the generic
/// reading's, for recipients it did not find and that are not `exclude`d (the sender's own
/// addresses), up to `max` rows.
fn add_text_rows(
    text_rows: &mut Vec<text::TextRow>,
    found: Vec<(String, String)>,
    exclude: &[String],
    max: usize,
) {
    for (recipient, error) in found {
        let known = text_rows
            .iter()
            .any(|t| t.recipient.eq_ignore_ascii_case(&recipient));
        let excluded = exclude.iter().any(|x| x.eq_ignore_ascii_case(&recipient));
        if !known && !excluded && text_rows.len() < max {
            text_rows.push(text::TextRow {
                recipient,
                block: error,
                reply_end: None,
            });
        }
    }
}

/// Does `text` name `ip` as neither party's address? Yahoo ends a reply with an internal code
/// that reads as one (`... deferred due to user complaints - 4.16.55.1; see https://...`): a
/// dotted quad after ` - ` and before `;` or the end is such a code, not the sender's address.
fn written_as_code(text: &str, ip: IpAddr) -> bool {
    let written = ip_text(ip);
    memchr::memmem::find_iter(text.as_bytes(), written.as_bytes()).any(|at| {
        let after = text[at + written.len()..].trim_start();
        text[..at].ends_with(" - ") && (after.is_empty() || after.starts_with(';'))
    })
}

/// Is `ip`, as `text` names it, no hint of the sending IP: the receiver's address
/// ([`names_as_receiver`]) or a code written like an address ([`written_as_code`])?
pub(super) fn names_no_sending_ip(text: &str, ip: IpAddr) -> bool {
    names_as_receiver(text, ip) || written_as_code(text, ip)
}

/// The host name right before the bracketed address that follows `before` (`mx.example[`,
/// `mx.example [`, `IPv6:` inside the brackets), if there is one.
fn name_before_bracket(before: &str) -> Option<&str> {
    let open = if scan::ends_with_ci(before, "[ipv6:") {
        before.len() - 6
    } else if before.ends_with('[') {
        before.len() - 1
    } else {
        return None;
    };
    let name = before[..open]
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    text::is_host_name(name).then_some(name)
}

/// IPv4 addresses, and IPv6 addresses in brackets, found in text.
pub(crate) fn ips_in(text: &str) -> Vec<IpAddr> {
    Ips { text, i: 0 }.collect()
}

/// The addresses [`ips_in`] finds, one at a time (so a caller that needs the first one stops
/// there).
struct Ips<'a> {
    text: &'a str,
    /// The byte the scan has reached.
    i: usize,
}

impl Iterator for Ips<'_> {
    type Item = IpAddr;

    fn next(&mut self) -> Option<IpAddr> {
        let text = self.text;
        let b = text.as_bytes();
        // An IPv4 address holds dots and an IPv6 one stands in brackets: the scan jumps from
        // one `.` or `[` to the next with a vector search, not through every byte.
        while let Some(p) = memchr::memchr2(b'.', b'[', b.get(self.i..)?) {
            let at = self.i + p;
            if b[at] == b'[' {
                self.i = at + 1;
                if let Some(ip) = ipv6_in_brackets(text, at) {
                    return Some(IpAddr::V6(ip));
                }
                continue;
            }
            // The whole run of digits and dots around this dot (the scan never stops inside
            // one, so the run starts at or after `self.i`).
            let is_part = |c: u8| c.is_ascii_digit() || c == b'.';
            let start = b[..at]
                .iter()
                .rposition(|&c| !is_part(c))
                .map_or(0, |q| q + 1);
            let end = b[at..]
                .iter()
                .position(|&c| !is_part(c))
                .map_or(b.len(), |q| at + q);
            self.i = end;
            // An address is a run that starts with a digit that no letter precedes.
            if b[start].is_ascii_digit()
                && (start == 0 || !b[start - 1].is_ascii_alphabetic())
                && let Some(ip) = ipv4_run(text, start, end)
            {
                return Some(IpAddr::V4(ip));
            }
        }
        self.i = b.len();
        None
    }
}

/// The IPv4 address a run of digits and dots (`text[start..end]`) is: four numbers (a dot
/// may end the sentence), not followed by a letter.
fn ipv4_run(text: &str, start: usize, end: usize) -> Option<std::net::Ipv4Addr> {
    let tok = text.get(start..end)?.trim_end_matches('.');
    let followed_by_letter = text
        .as_bytes()
        .get(end)
        .is_some_and(u8::is_ascii_alphabetic);
    if tok.bytes().filter(|&c| c == b'.').count() == 3 && !followed_by_letter {
        tok.parse().ok()
    } else {
        None
    }
}

/// The IPv6 address in the brackets that open at byte `open` (`[2001:db8::1]`,
/// `[IPv6:2001:db8::1]`).
fn ipv6_in_brackets(text: &str, open: usize) -> Option<std::net::Ipv6Addr> {
    let after = text.get(open + 1..)?;
    let end = scan::find_byte(after, b']')?;
    let inner = &after[..end];
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    if inner.contains(':') {
        inner.parse().ok()
    } else {
        None
    }
}

/// The first paragraphs of a text, up to `max` characters, whitespace kept per line.
fn first_paragraphs(text: &str, max: usize) -> String {
    let mut out = String::new();
    for line in scan::lines(text) {
        let l = scan::trim(line);
        if l.is_empty() {
            continue;
        }
        if out.len() + l.len() > max {
            break;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// [`fold`] and [`reason::normalise`] of the folded text (its words are the words kept, then
/// `…` when it was cut), normalised the cheap way a folded text allows.
fn fold_normalised(text: &str, max_chars: usize) -> (String, String) {
    let folded = fold(text, max_chars);
    let normalised = reason::normalise_folded(&folded);
    (folded, normalised)
}

/// A text's words joined by single spaces, cut before the word that would take it past
/// `max_chars` bytes (` …` then ends it).
pub(crate) fn fold(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars));
    if !text.is_ascii() {
        fold_words(text, max_chars, &mut out);
        return out;
    }
    // ASCII text is taken a run at a time: a run is words with single spaces between them, as
    // most of a text is, and it is copied whole when all of it fits (one copy, where word by
    // word is a copy and a check per word).
    let b = text.as_bytes();
    // The white space `str::split_whitespace` splits ASCII text at.
    let ws = scan::is_ascii_trim_ws;
    let mut i = 0;
    while i < b.len() {
        if ws(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut one_word = true;
        let end = loop {
            while i < b.len() && !ws(b[i]) {
                i += 1;
            }
            if i + 1 < b.len() && b[i] == b' ' && !ws(b[i + 1]) {
                i += 2;
                one_word = false;
                continue;
            }
            break i;
        };
        let run = &text[start..end];
        let space = usize::from(!out.is_empty());
        // What `fold_words` checks for the run's last word, the largest of the run's checks
        // (a text's first word must leave room for one more byte).
        let check = out.len() + space + run.len() + usize::from(out.is_empty() && one_word);
        if check > max_chars {
            // The cut falls in this run.
            fold_words(run, max_chars, &mut out);
            break;
        }
        if space == 1 {
            out.push(' ');
        }
        out.push_str(run);
    }
    out
}

/// Append the words of `text` to `out` as [`fold`] joins them, cutting before the word that
/// would take `out` past `max_chars` bytes.
fn fold_words(text: &str, max_chars: usize, out: &mut String) {
    for w in reason::words(text) {
        if out.len() + w.len() + 1 > max_chars {
            out.push_str(" …");
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
}

fn finish_row(
    raw: RawRow,
    command: Option<&'static str>,
    remote_mta: Option<String>,
    notice: &Notice<'_>,
    limits: &Limits,
) -> (RecipientRow, Vec<&'static str>) {
    let (diagnostic, n_diag) = fold_normalised(&raw.diagnostic, limits.max_diagnostic_chars);
    // The context is folded only when it is read (most rows are decided by the diagnostic).
    let context_cell = std::cell::OnceCell::new();
    let context = || {
        context_cell
            .get_or_init(|| fold(&raw.context, limits.max_diagnostic_chars))
            .as_str()
    };
    // The context's first bytes, searched for a code before the context is folded: a code
    // found there is the folded context's first too (folding only joins the words with single
    // spaces, and the context's lines are already trimmed), so the fold is left for the rows
    // that read the context's words.
    let context_head = &raw.context[..floor_char(&raw.context, limits.max_diagnostic_chars)];
    // A DSN status that names a cause is the row's status whatever the text says: the text is
    // searched only for a vague one, an expiry, or none.
    let text_status = raw
        .status
        .is_none_or(|s| s.is_vague() || s.is_queue_expiry())
        .then(|| {
            DsnStatus::find_in(&diagnostic)
                .or_else(|| DsnStatus::find_in(context_head))
                .or_else(|| DsnStatus::find_in(context()))
        })
        .flatten();
    // A vague DSN status (5.0.0) yields to a specific one of the same class in the text. The
    // reporting MTA's own "delivery time expired" (x.4.7) yields only to a code that names a
    // cause: an RFC 3463 "other or undefined" code (x.y.0, such as the 4.3.0 of a greylisting
    // or busy server) says less than the expiry does.
    let status = match (raw.status, text_status) {
        (Some(s), Some(t))
            if (s.is_vague() || (s.is_queue_expiry() && t.detail() != 0))
                && !t.is_vague()
                && s.class() == t.class() =>
        {
            Some(t)
        }
        (Some(s), _) => Some(s),
        (None, t) => t,
    };
    let diag_reply = ReplyCode::find_in(&diagnostic);
    let reply_code = diag_reply
        .or_else(|| ReplyCode::find_in(context_head))
        .or_else(|| ReplyCode::find_in(context()));
    let class = status
        .map(|s| s.class())
        .or_else(|| reply_code.and_then(|r| r.class()));
    let action = raw.action.or(match (notice.kind, class) {
        (ReportKind::Bounce | ReportKind::SmtpReply, Some(StatusClass::Success)) => {
            Some(Action::Delivered)
        }
        // A delay warning's rows that did not fail for good are still in the queue.
        (ReportKind::Bounce, c)
            if c != Some(StatusClass::Permanent) && (notice.delay_warning)() =>
        {
            Some(Action::Delayed)
        }
        (ReportKind::Bounce, _) => Some(Action::Failed),
        (ReportKind::SmtpReply, Some(StatusClass::Transient)) => Some(Action::Delayed),
        (ReportKind::SmtpReply, Some(StatusClass::Permanent)) => Some(Action::Failed),
        _ => None,
    });
    // The context is normalised only when it is read (most rows are decided by the diagnostic).
    let n_ctx_cell = std::cell::OnceCell::new();
    let n_ctx = || n_ctx_cell.get_or_init(|| reason::normalise_folded(context()));
    // A folded text is empty exactly when it has no words.
    // The folded context has words exactly when the raw one has.
    // (What `words(..).next().is_some()` says, without first checking the whole text is ASCII.)
    let ctx_has_words = !scan::trim(&raw.context).is_empty();
    let advice::Recognised {
        mut recognitions,
        reason: provider_reason,
        cause: provider_cause,
        zones: diag_zones,
    } = advice::recognise_all(&n_diag);
    // Say why the diagnostic shown is not the reporter's own words.
    if raw.quoted_reply
        && let Some(rep) = notice.reporter
    {
        recognitions.push(rep.recognition());
    }
    // The phrase reason of the diagnostic, computed at most once.
    let diag_phrase = std::cell::OnceCell::new();
    // Set when the context's words decided the reason and the diagnostic has no code or words
    // of its own (a recipient on a labelled line, under the line that gives the reason).
    let mut decided_by_context = false;
    let reason = match raw.fixed {
        Some(r) => r,
        None => {
            let mut facts = Facts {
                action,
                status,
                reply_code,
                command,
                text: &n_diag,
                raw: &raw.diagnostic,
            };
            let r = reason::classify_with(&facts, &diag_phrase);
            // A give-up over a remote server's reply that names no cause (the last of its
            // temporary refusals) is decided by the codes: the reporting MTA's own "delivery
            // time expired" (x.4.7), or its permanent status over a 4yz reply. The rest of the
            // text is the MTA's transcript and boilerplate, whose other words (a 554 "no valid
            // recipients" to the DATA after the refused RCPT, "the original message follows
            // as a separate attachment") are not the cause. Without a reply in the diagnostic
            // the transcript is all there is to read.
            let expired_by_status = r == reason::Reason::Expired
                && diag_reply.is_some()
                && status.is_some_and(|s| {
                    s.is_queue_expiry()
                        || (s.class() == StatusClass::Permanent
                            && diag_reply.and_then(|c| c.class()) == Some(StatusClass::Transient))
                });
            let undecided = matches!(r, reason::Reason::OnHold | reason::Reason::Undefined)
                || (!expired_by_status
                    && diag_phrase
                        .get_or_init(|| reason::phrase_reason(&n_diag))
                        .is_none()
                    && ctx_has_words);
            let r = if undecided && ctx_has_words {
                facts.text = n_ctx();
                // The context's phrase reason, found once for the classifier and the test below.
                let ctx_phrase = std::cell::OnceCell::new();
                let r2 = reason::classify_with(&facts, &ctx_phrase);
                // A reason the diagnostic gave yields only to one the context's words give,
                // not to what the codes alone would say of any text (a refusal after DATA).
                let ctx_words_decide = || {
                    ctx_phrase
                        .get_or_init(|| reason::phrase_reason(n_ctx()))
                        .is_some()
                        || reason::sisimai_phrase_reason(n_ctx()).is_some()
                };
                let decided = !matches!(r, reason::Reason::OnHold | reason::Reason::Undefined);
                if matches!(r2, reason::Reason::OnHold | reason::Reason::Undefined)
                    || (decided && !ctx_words_decide())
                {
                    r
                } else {
                    decided_by_context = diag_reply.is_none()
                        && DsnStatus::find_in(&diagnostic).is_none()
                        && diag_phrase
                            .get_or_init(|| reason::phrase_reason(&n_diag))
                            .is_none();
                    r2
                }
            } else {
                r
            };
            // A recognised deferral (greylisting) does not undo a queue that gave up on it.
            let r = match provider_reason {
                Some(reason::Reason::OnHold) if r == reason::Reason::Expired => r,
                Some(p) => p,
                None => r,
            };
            // Some receivers give words a meaning of their own in documented forms (KDDI's
            // filter refusals in "unknown user" words, Tencent QQ's limits, the code tables of
            // Microsoft, Google, Mimecast, Orange, Cox, Spectrum and i.ua).
            let facts = receivers::ReceiverFacts {
                recipient_domain: raw.recipient.as_deref().and_then(domain_part),
                remote_mta: remote_mta.as_deref(),
                text: &n_diag,
                raw: &diagnostic,
                status,
                reply_code,
                command,
            };
            let reading = receivers::receiver_reason(&facts, r);
            // The reporting system's own table, for a recipient no receiver table read.
            let r = match reading {
                Some(reading) => {
                    // A code of this receiver's, recognised with the same reason, already
                    // says what its table says.
                    let said = provider_reason == Some(reading.reason)
                        && recognitions
                            .iter()
                            .any(|k| k.provider == reading.recognition.provider);
                    if !said {
                        recognitions.push(reading.recognition);
                    }
                    reading.reason
                }
                None => match notice
                    .reporter
                    .and_then(|rep| Some((rep, rep.reason(&facts)?)))
                {
                    Some((rep, theirs)) => {
                        recognitions.push(rep.recognition());
                        theirs
                    }
                    None => r,
                },
            };
            // A mail system finds a host for its own domain: a "host unknown" answer there
            // (Exim's "Unrouteable address" is the same for a missing domain and a missing
            // local user) means the local part is unknown. An x.1.2 status ("bad destination
            // system address") is the MTA saying the host is the trouble: it stands, as do
            // words about the domain or its hosts ("all host address lookups failed", "MX
            // records point to non-existent hosts", "the remote domain doesnt exist").
            let names_host = || {
                status.is_some_and(|s| s.subject() == 1 && s.detail() == 2)
                    || ["host address", "non-existent host", "mx record", "domain"]
                        .iter()
                        .any(|w| n_diag.contains(w))
            };
            let r = if r == reason::Reason::HostUnknown && raw.own_domain && !names_host() {
                reason::Reason::UserUnknown
            } else {
                r
            };
            // The reporting MTA's own category decides what the words left open.
            let r = match raw.mta_category {
                Some(c) if matches!(r, reason::Reason::OnHold | reason::Reason::Undefined) => c,
                _ => r,
            };
            // A local program's exit status says the mailer failed, unless the words say more.
            if raw.mailer_exit
                && matches!(
                    r,
                    reason::Reason::OnHold
                        | reason::Reason::Undefined
                        | reason::Reason::Expired
                        | reason::Reason::SystemError
                        | reason::Reason::NetworkError
                )
            {
                reason::Reason::MailerError
            } else {
                r
            }
        }
    };
    let permanent = match class {
        Some(c) => c == StatusClass::Permanent,
        None => action == Some(Action::Failed),
    } && !matches!(
        reason,
        reason::Reason::Vacation | reason::Reason::Feedback | reason::Reason::Delivered
    );
    let hard_bounce =
        reason.is_address_dead() || (reason == reason::Reason::NotAccept && permanent);
    // A feedback report is advised by its Feedback-Type, any other row by its reason.
    let (cause, remediation) = match notice.kind {
        ReportKind::Feedback => advice::feedback_advice(notice.feedback_type),
        _ => (
            provider_cause.unwrap_or_else(|| advice::cause_of(reason, &n_diag)),
            row_steps(&recognitions, reason, provider_reason, action),
        ),
    };
    // The blocklists named in the text the row shows.
    let (diagnostic, zones) = if diagnostic.is_empty() {
        let zones = advice::named_blocklists(n_ctx());
        let context = context_cell
            .into_inner()
            .unwrap_or_else(|| fold(&raw.context, limits.max_diagnostic_chars));
        (context, zones)
    } else if decided_by_context
        && let Some(line) = line_naming(&raw.context, reason)
        && !diagnostic.contains(line)
    {
        // Show the line the reason came from before the diagnostic that names the recipient.
        let shown = fold(
            &format!("{line}\n{diagnostic}"),
            limits.max_diagnostic_chars,
        );
        (shown, diag_zones)
    } else if let Some(reply) = raw
        .shown_end
        .and_then(|end| raw.diagnostic.get(..end))
        .filter(|reply| reply.len() < scan::trim(&raw.diagnostic).len())
    {
        // A text block shows the paragraph of the server's reply (when more follows it): the
        // folded diagnostic's first words, as many as the paragraph has.
        let words = reason::words(reply).count();
        let cut = memchr::memchr_iter(b' ', diagnostic.as_bytes())
            .nth(words.saturating_sub(1))
            .unwrap_or(diagnostic.len());
        let mut shown = diagnostic;
        shown.truncate(cut);
        (shown, diag_zones)
    } else if let Some(meaning) = raw
        .mailer_exit
        .then(|| diagnostic.parse::<u8>().ok().and_then(sysexits_meaning))
        .flatten()
    {
        // `Diagnostic-Code: X-Unix; 71` is a delivery program's exit status: say what it means.
        let shown = format!("{diagnostic} (exit status of the delivery program: {meaning})");
        (shown, diag_zones)
    } else {
        (diagnostic, diag_zones)
    };
    let row = RecipientRow {
        recipient: raw.recipient,
        action,
        status,
        reply_code,
        smtp_command: command.map(str::to_string),
        remote_mta,
        diagnostic: join_reply_lines(diagnostic),
        reason,
        hard_bounce,
        permanent,
        cause,
        remediation,
        recognitions,
    };
    (row, zones)
}

/// The steps of a row: the recognised codes' fixes, then the reason's general steps that do
/// not say the same again.
fn row_steps(
    recognitions: &[advice::Recognition],
    reason: reason::Reason,
    provider_reason: Option<reason::Reason>,
    action: Option<Action>,
) -> Vec<String> {
    let mut steps: Vec<String> = recognitions
        .iter()
        .filter(|r| !r.fix.is_empty())
        .map(|r| r.fix.to_string())
        .collect();
    // "Not enough to decide" is not said of a row a recognised code explained.
    if provider_reason == Some(reason)
        && matches!(reason, reason::Reason::OnHold | reason::Reason::Undefined)
    {
        return steps;
    }
    let general = if action == Some(Action::Delayed) {
        advice::remediation_while_queued(reason)
    } else {
        advice::remediation(reason)
    };
    // A recognised code's fix often says what the reason's general step says: the step is
    // left out then, so the sender reads each thing to do once.
    let fixes: Vec<Vec<&[u8]>> = recognitions
        .iter()
        .filter(|r| !r.fix.is_empty())
        .map(|r| advice::advice_words(r.fix))
        .collect();
    for step in general {
        let said = !fixes.is_empty() && {
            let words = advice::advice_words(&step);
            fixes.iter().any(|fix| advice::says_the_same(fix, &words))
        };
        if !said {
            steps.push(step);
        }
    }
    steps
}

/// What a delivery program's exit status means (BSD `sysexits.h`, which Sendmail and the
/// local delivery agents under it use).
fn sysexits_meaning(code: u8) -> Option<&'static str> {
    Some(match code {
        64 => "EX_USAGE, a command line usage error",
        65 => "EX_DATAERR, a data format error",
        66 => "EX_NOINPUT, cannot open input",
        67 => "EX_NOUSER, addressee unknown",
        68 => "EX_NOHOST, host name unknown",
        69 => "EX_UNAVAILABLE, service unavailable",
        70 => "EX_SOFTWARE, an internal software error",
        71 => "EX_OSERR, an operating system error",
        72 => "EX_OSFILE, a critical system file missing",
        73 => "EX_CANTCREAT, cannot create the output file",
        74 => "EX_IOERR, an input/output error",
        75 => "EX_TEMPFAIL, a temporary failure",
        76 => "EX_PROTOCOL, a remote error in protocol",
        77 => "EX_NOPERM, permission denied",
        78 => "EX_CONFIG, a configuration error",
        _ => return None,
    })
}

/// A multi-line SMTP reply as one line: the code (and status) that starts each line of
/// `550-5.7.26 Unauthenticated email … due to 550-5.7.26 domain's DMARC policy … 550 5.7.26
/// DMARC initiative` is said once, as a one-line reply says it (`550 5.7.26 Unauthenticated
/// email … due to domain's DMARC policy … DMARC initiative`). Text before the reply, and codes
/// other than the reply's own, stay as they are.
fn join_reply_lines(folded: String) -> String {
    let opens_a_reply = |w: &str| {
        let b = w.as_bytes();
        b.len() > 4
            && matches!(b[0], b'4' | b'5')
            && b[1..3].iter().all(u8::is_ascii_digit)
            && b[3] == b'-'
    };
    // Most diagnostics hold no multi-line reply (no `NNN-` at all): they are returned without
    // being split into words.
    let b = folded.as_bytes();
    let hyphen_after_code = memchr::memchr_iter(b'-', b).any(|h| {
        h >= 3
            && matches!(b[h - 3], b'4' | b'5')
            && b[h - 2..h].iter().all(u8::is_ascii_digit)
            && (h == 3 || b[h - 4] == b' ')
    });
    if !hyphen_after_code {
        return folded;
    }
    let words: Vec<&str> = folded.split(' ').collect();
    let Some(first) = words.iter().position(|w| opens_a_reply(w)) else {
        return folded;
    };
    let code = &words[first][..3];
    let after = &words[first][4..];
    // The status each line repeats (`5.7.26`), or none (`550-Mailbox …`, `550-` then text).
    let status = DsnStatus::parse(after).is_some().then_some(after);
    let mut out: Vec<&str> = words[..first].to_vec();
    out.push(code);
    if !after.is_empty() {
        out.push(after);
    }
    let mut i = first + 1;
    while let Some(&w) = words.get(i) {
        i += 1;
        let Some(tail) = w.strip_prefix(code) else {
            out.push(w);
            continue;
        };
        match (tail.strip_prefix('-'), status) {
            // `550-5.7.26` again, or the last line's `550 5.7.26`.
            (Some(t), Some(s)) if t == s => {}
            (None, Some(s)) if tail.is_empty() && words.get(i) == Some(&s) => i += 1,
            // `550-more text` without a status: the text stays.
            // (A bare `554` without a status may be the last line's code or a word of the
            // text, `HOT 550 DEALS`: it stays.)
            (Some(t), None) if !t.is_empty() => out.push(t),
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// The last line of `context` whose words name `reason` (see [`reason::phrase_reason`]): the
/// context of a text row is the text before its recipient, so the last is the nearest.
fn line_naming(context: &str, reason: reason::Reason) -> Option<&str> {
    scan::lines(context)
        .map(scan::trim)
        .filter(|l| reason::phrase_reason(&reason::normalise(l)) == Some(reason))
        .last()
}

fn floor_char(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Searchers for the two keys an SES notification has, built once (every text is searched).
/// They leave out the key's quotes, so the key is found where SNS's envelope escapes it too
/// (`\"notificationType\"`).
static SES_NOTIFICATION: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("notificationType"));
/// See [`SES_NOTIFICATION`].
static SES_EVENT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("eventType"));

/// What an Amazon SES notification says: its rows, and the message it is about.
struct SesNotice {
    kind: ReportKind,
    rows: Vec<RawRow>,
    feedback_type: Option<String>,
    reporting_mta: Option<String>,
    original: OriginalMessage,
}

/// The sent message an SES notification's `mail` object describes: `source` is the envelope
/// sender, `commonHeaders` the From, To, Message-ID and Subject.
fn ses_original(v: &serde_json::Value, max: usize) -> OriginalMessage {
    let Some(mail) = v.get("mail") else {
        return OriginalMessage::default();
    };
    fn text<'v>(v: &'v serde_json::Value, k: &str) -> Option<&'v str> {
        v.get(k).and_then(|x| x.as_str())
    }
    let headers = mail.get("commonHeaders");
    let addresses = |k: &str| -> Vec<String> {
        headers
            .and_then(|h| h.get(k))
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().and_then(clean_address))
                    .filter(|a| a.contains('@'))
                    .take(max)
                    .collect()
            })
            .unwrap_or_default()
    };
    OriginalMessage {
        envelope_from: text(mail, "source").and_then(clean_address),
        from: addresses("from").into_iter().next(),
        to: addresses("to"),
        message_id: headers
            .and_then(|h| text(h, "messageId"))
            .map(|id| id.trim().trim_matches(['<', '>']).to_string())
            .filter(|id| !id.is_empty()),
        subject: headers.and_then(|h| text(h, "subject")).map(str::to_string),
    }
}

/// Amazon SES bounce, complaint and delivery notifications: a JSON document in the body
/// (<https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html>).
fn ses_json(text: &str, limits: &Limits) -> Option<SesNotice> {
    let b = text.as_bytes();
    if SES_NOTIFICATION.find(b).is_none() && SES_EVENT.find(b).is_none() {
        return None;
    }
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    if end <= start {
        return None;
    }
    let doc: String = text[start..=end]
        .chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .collect();
    let v: serde_json::Value = serde_json::from_str(&doc).ok()?;
    // The kind of notification a document is, by SES's key for it.
    fn ses_kind(v: &serde_json::Value) -> Option<&serde_json::Value> {
        v.get("notificationType").or_else(|| v.get("eventType"))
    }
    // An SNS "email-json" subscription mails SNS's own envelope, whose `Message` is SES's
    // notification as a JSON string (<https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html>);
    // a document with SES's key at the top is the notification itself.
    let v = match (v.get("Type").and_then(|t| t.as_str()), v.get("Message")) {
        (Some("Notification"), Some(serde_json::Value::String(inner)))
            if ses_kind(&v).is_none() =>
        {
            serde_json::from_str(inner).ok()?
        }
        _ => v,
    };
    let kind = ses_kind(&v)?.as_str()?.to_ascii_lowercase();
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut rows = Vec::new();
    // Each kind gives its rows, its feedback type and its reporting MTA.
    let (kind, feedback_type, reporting_mta) = match kind.as_str() {
        "bounce" => {
            let b = v.get("bounce")?;
            let transient = s(b, "bounceType").is_some_and(|t| t.eq_ignore_ascii_case("transient"));
            for r in b
                .get("bouncedRecipients")?
                .as_array()?
                .iter()
                .take(limits.max_recipients)
            {
                let diag = s(r, "diagnosticCode").unwrap_or_default();
                let diag = diag
                    .split_once(';')
                    .filter(|(t, _)| t.len() <= 16)
                    .map(|(_, d)| d.trim().to_string())
                    .unwrap_or(diag);
                rows.push(RawRow {
                    recipient: s(r, "emailAddress").and_then(|a| clean_address(&a)),
                    action: s(r, "action")
                        .and_then(|a| Action::parse(&a))
                        .or(Some(if transient {
                            Action::Delayed
                        } else {
                            Action::Failed
                        })),
                    status: s(r, "status").and_then(|x| DsnStatus::parse(&x)),
                    diagnostic: diag,
                    context: s(b, "bounceSubType").unwrap_or_default(),
                    ..Default::default()
                });
            }
            (ReportKind::Bounce, None, s(b, "reportingMTA"))
        }
        "complaint" => {
            let c = v.get("complaint")?;
            let fb = s(c, "complaintFeedbackType").unwrap_or_else(|| "abuse".into());
            for r in c
                .get("complainedRecipients")?
                .as_array()?
                .iter()
                .take(limits.max_recipients)
            {
                rows.push(RawRow {
                    recipient: s(r, "emailAddress").and_then(|a| clean_address(&a)),
                    fixed: Some(reason::Reason::Feedback),
                    ..Default::default()
                });
            }
            (ReportKind::Feedback, Some(fb), None)
        }
        "delivery" => {
            let d = v.get("delivery")?;
            let resp = s(d, "smtpResponse").unwrap_or_default();
            for r in d
                .get("recipients")?
                .as_array()?
                .iter()
                .take(limits.max_recipients)
            {
                rows.push(RawRow {
                    recipient: r.as_str().and_then(clean_address),
                    action: Some(Action::Delivered),
                    diagnostic: resp.clone(),
                    ..Default::default()
                });
            }
            (ReportKind::Bounce, None, s(d, "reportingMTA"))
        }
        _ => return None,
    };
    Some(SesNotice {
        kind,
        rows,
        feedback_type,
        reporting_mta: reporting_mta.map(|m| dsn::typed_value(&m).to_string()),
        original: ses_original(&v, limits.max_recipients),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_written_as_std_writes_it() {
        for n in 0..=255u8 {
            for ip in [
                std::net::Ipv4Addr::new(n, 0, 9, 10),
                std::net::Ipv4Addr::new(99, n, 100, 255),
                std::net::Ipv4Addr::new(1, 2, n, 3),
                std::net::Ipv4Addr::new(200, 19, 7, n),
            ] {
                assert_eq!(ip_text(IpAddr::V4(ip)), ip.to_string());
            }
        }
        let v6: IpAddr = "2001:db8::1".parse().expect("ip");
        assert_eq!(ip_text(v6), "2001:db8::1");
    }

    #[test]
    fn a_lone_cr_is_found_wherever_it_falls_against_the_blocks() {
        let plain = |b: &[u8]| memchr::memchr_iter(b'\r', b).any(|j| b.get(j + 1) != Some(&b'\n'));
        // CRLF lines of 7 bytes, so line ends fall at every offset of a 64-byte block.
        let crlf: Vec<u8> = b"abcde\r\n".repeat(60);
        assert!(!has_lone_cr(&crlf));
        assert!(!has_lone_cr(b"no carriage return\n"));
        assert!(!has_lone_cr(b""));
        assert!(has_lone_cr(b"\r"));
        assert!(has_lone_cr(b"line\r"));
        for at in 0..crlf.len() {
            // A CR put in place of any byte, and an LF removed after any CR.
            let mut with_cr = crlf.clone();
            with_cr[at] = b'\r';
            assert_eq!(has_lone_cr(&with_cr), plain(&with_cr), "CR at {at}");
            let mut without_lf = crlf.clone();
            without_lf[at] = b'x';
            assert_eq!(has_lone_cr(&without_lf), plain(&without_lf), "x at {at}");
            assert_eq!(has_lone_cr(&crlf[at..]), plain(&crlf[at..]), "from {at}");
        }
    }

    /// [`fold`] written plainly, word by word: the two must agree on every text.
    fn fold_reference(text: &str, max_chars: usize) -> String {
        let mut out = String::new();
        for (n, w) in text.split_whitespace().enumerate() {
            if out.len() + w.len() + 1 > max_chars {
                out.push_str(" …");
                break;
            }
            if n > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
        out
    }

    #[test]
    fn a_text_folds_as_word_by_word() {
        let pieces = ["a", "bc", " ", "  ", "\t", "\r\n", "\n", "é", "x@y.z", "-"];
        for text in crate::bounce::random_texts(7, &pieces, 20_000, 14) {
            for max in [0, 1, 2, 3, 5, 8, 1000] {
                assert_eq!(
                    fold(&text, max),
                    fold_reference(&text, max),
                    "{text:?} {max}"
                );
            }
        }
    }

    #[test]
    fn a_hosts_organisation_is_its_registered_domain() {
        let org = |h: &str| organisation_of(h);
        assert_eq!(
            org("mx1.mail.example.co.jp").as_deref(),
            Some("example.co.jp")
        );
        // A suffix the list does not know: the last two labels.
        assert_eq!(org("mx.sender.example").as_deref(), Some("sender.example"));
        // A Remote-MTA's comment after the name is not read; an address has no organisation.
        assert_eq!(
            org("mx.example.jp (TCP|192.0.2.1|25) (ESMTP)").as_deref(),
            Some("example.jp")
        );
        assert_eq!(org("127.0.0.1"), None);
        assert_eq!(org("localhost"), None);
    }

    #[test]
    fn a_code_written_like_an_address_is_no_sending_ip() {
        let reply = "421 4.7.0 [TSS04] Messages from 192.0.2.9 temporarily deferred due to \
                     unexpected volume or user complaints - 4.16.55.1; see \
                     https://postmaster.yahooinc.com/error-codes";
        let code = |ip: &str| names_no_sending_ip(reply, ip.parse().expect("ip"));
        assert!(code("4.16.55.1"));
        assert!(!code("192.0.2.9"));
        assert!(written_as_code(
            "deferred - 4.16.55.1",
            "4.16.55.1".parse().expect("ip")
        ));
        // An address after a dash that the sentence goes on about is an address.
        assert!(!written_as_code(
            "blocked - 192.0.2.9 is listed",
            "192.0.2.9".parse().expect("ip")
        ));
    }

    #[test]
    fn the_receivers_own_address_is_no_sending_ip() {
        let receiver = |text: &str, ip: &str| names_as_receiver(text, ip.parse().expect("ip"));
        // The address of the host that answered (Postfix, Exim, qmail, DragonFly).
        assert!(receiver(
            "host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown",
            "192.0.2.1"
        ));
        assert!(receiver(
            "host mx.example.org [192.0.2.1]: 550 5.1.1 unknown",
            "192.0.2.1"
        ));
        assert!(receiver(
            "connect to mx.example.org[IPv6:2001:db8::1]:25: refused",
            "2001:db8::1"
        ));
        assert!(receiver("192.0.2.1 does not like recipient.", "192.0.2.1"));
        assert!(receiver("Remote host 192.0.2.1 said: 550 no", "192.0.2.1"));
        assert!(receiver(
            "Connected to 192.0.2.1 but sender was rejected.",
            "192.0.2.1"
        ));
        assert!(receiver(
            "mx.example.org [192.0.2.1] did not like our RCPT TO:",
            "192.0.2.1"
        ));
        // The address the receiver says it refused is the sender's.
        assert!(!receiver(
            "554 5.7.1 Client host [192.0.2.66] blocked using zen.spamhaus.org",
            "192.0.2.66"
        ));
        assert!(!receiver(
            "550 5.7.25 [192.0.2.202] The IP address sending this message",
            "192.0.2.202"
        ));
        assert!(!receiver(
            "550 Mail from 192.0.2.9 refused by policy",
            "192.0.2.9"
        ));
    }

    #[test]
    fn a_multi_line_reply_says_its_code_once() {
        let j = |s: &str| join_reply_lines(s.to_string());
        assert_eq!(
            j(
                "550-5.1.1 The email account does not exist. Please try 550-5.1.1 double-checking. Learn more at 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp"
            ),
            "550 5.1.1 The email account does not exist. Please try double-checking. Learn more at https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp"
        );
        // Text before the reply stays; lines without a status keep their text.
        assert_eq!(
            j(
                "host said: 554-mail.com Service not available 554-No SMTP service 554 For x S=[HOT 554 DEALS]"
            ),
            "host said: 554 mail.com Service not available No SMTP service 554 For x S=[HOT 554 DEALS]"
        );
        // Another code, or a one-line reply, is left as it is.
        assert_eq!(
            j("550-5.7.1 Denied 450 4.2.0 later 550 5.7.2 other"),
            "550 5.7.1 Denied 450 4.2.0 later 550 5.7.2 other"
        );
        assert_eq!(j("550 5.1.1 User unknown"), "550 5.1.1 User unknown");
        assert_eq!(j(""), "");
    }

    /// The character-by-character HTML stripper (with four `replace` passes) that
    /// [`strip_html`] replaced: the two must agree on every input.
    fn strip_html_reference(h: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        let mut tag = String::new();
        for c in h.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    tag.clear();
                }
                '>' if in_tag => {
                    in_tag = false;
                    let t = tag.to_ascii_lowercase();
                    if t.starts_with("br")
                        || t.starts_with("/p")
                        || t.starts_with("/div")
                        || t.starts_with("/tr")
                        || t.starts_with("p")
                    {
                        out.push('\n');
                    }
                }
                _ if in_tag => {
                    if tag.len() < 8 {
                        tag.push(c);
                    }
                }
                _ => out.push(c),
            }
        }
        out.replace("&nbsp;", " ")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    #[test]
    fn addresses_are_found_standing_alone() {
        let ips: Vec<String> = ips_in(
            "host 192.0.2.1 [IPv6:2001:db8::1] 10.0.0.1. x1.2.3.4 1.2.3.4a 300.1.1.1 [x] 5.6.7.8",
        )
        .iter()
        .map(IpAddr::to_string)
        .collect();
        assert_eq!(ips, ["192.0.2.1", "2001:db8::1", "10.0.0.1", "5.6.7.8"]);
        assert_eq!(
            received_client_ip("from a.example (a.example [192.0.2.7]) by b.example"),
            "192.0.2.7".parse().ok()
        );
        assert!(ips_in("").is_empty() && ips_in("no digits [").is_empty());
    }

    /// The byte-by-byte scan [`Ips`] made before it jumped from dot to dot.
    fn ips_reference(text: &str) -> Vec<IpAddr> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit()
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
            {
                let mut j = i;
                while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                    j += 1;
                }
                let tok = text[i..j].trim_end_matches('.');
                if tok.bytes().filter(|&c| c == b'.').count() == 3
                    && (j >= b.len() || !b[j].is_ascii_alphabetic())
                    && let Ok(ip) = tok.parse::<std::net::Ipv4Addr>()
                {
                    out.push(IpAddr::V4(ip));
                }
                i = j.max(i + 1);
                continue;
            }
            if b[i] == b'['
                && let Some(end) = text[i + 1..].find(']')
            {
                let inner = &text[i + 1..i + 1 + end];
                let inner = inner
                    .strip_prefix("IPv6:")
                    .or_else(|| inner.strip_prefix("ipv6:"))
                    .unwrap_or(inner);
                if inner.contains(':')
                    && let Ok(ip) = inner.parse::<std::net::Ipv6Addr>()
                {
                    out.push(IpAddr::V6(ip));
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn addresses_are_found_as_the_byte_by_byte_scan_found_them() {
        let pieces = [
            "1",
            "19",
            "2",
            "255",
            "256",
            "0",
            "01",
            ".",
            "..",
            " ",
            "a",
            "x1",
            "-",
            ":",
            "[",
            "]",
            "IPv6:",
            "ipv6:",
            "2001:db8::",
            "::ffff:",
            "é",
            "192.0.2.1",
            "[10.0.0.1]",
        ];
        for text in crate::bounce::random_texts(11, &pieces, 20_000, 20) {
            assert_eq!(ips_in(&text), ips_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn own_domain_is_the_bounce_senders_or_the_reporting_hosts() {
        let own = |d, mta, from| is_own_domain(d, mta, from);
        assert!(own("sender.test", Some("mail.sender.test"), None));
        assert!(own("Sender.Test", Some("sender.test."), None));
        assert!(own("sender.test", None, Some("Mailer-Daemon@sender.test")));
        assert!(!own(
            "rcpt.test",
            Some("mail.sender.test"),
            Some("MAILER-DAEMON@sender.test")
        ));
        // A suffix that is not a whole label, and a bare top-level domain, are not the host's.
        assert!(!own("der.test", Some("mail.sender.test"), None));
        assert!(!own("test", Some("mail.sender.test"), None));
        assert!(!own("sender.test", None, None));
    }

    #[test]
    fn by_clause_is_found_as_a_window_search_finds_it() {
        let reference = |v: &[u8]| {
            v.windows(4).position(|w| {
                w[0].is_ascii_whitespace()
                    && w[1..3].eq_ignore_ascii_case(b"by")
                    && w[3].is_ascii_whitespace()
            })
        };
        let pieces: [&[u8]; 9] = [b" ", b"\t", b"\r\n", b"b", b"B", b"y", b"Y", b"x", b" by "];
        let mut seed = 13u32;
        for n in 0..5000 {
            let v: Vec<u8> = (0..n % 16)
                .flat_map(|_| crate::bounce::pick(&mut seed, &pieces).iter().copied())
                .collect();
            assert_eq!(by_clause(&v), reference(&v), "{v:?}");
        }
    }

    #[test]
    fn received_by_clause_after_a_folded_tab_is_not_the_client() {
        // Sendmail's local submission: no from clause, a comment, then `by` on a folded line
        // with the software version (which looks like an IPv4 address).
        let sendmail = "(from sender@localhost)\r\n\tby vm (8.17.1.9/8.17.1.9/Submit) id x";
        assert_eq!(received_client_ip(sendmail), None);
        assert_eq!(
            received_client_ip("from a.example ([192.0.2.7])\r\n\tby b.example (8.17.1.9)"),
            "192.0.2.7".parse().ok()
        );
    }

    #[test]
    fn html_is_stripped_as_before() {
        let mut inputs: Vec<String> = [
            "<p>a</p><BR/>b<div>c</DIV>&amp;lt;&nbsp;&lt;&gt;&amp;&",
            "x > y <tr><td>z</td></TR> <pre>q",
            "<é漢字>t<<br>u<<>v&amp;amp;&nbsp&lt",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Pseudo-random mixes of the pieces that matter.
        let pieces = [
            "<", ">", "&", ";", "/", "&amp;", "&lt;", "&gt;", "&nbsp;", "amp;", "lt;", "br", "P",
            "/DIV", "/tr", "é", " ", "x",
        ];
        inputs.extend(crate::bounce::random_texts(11, &pieces, 3000, 40));
        for input in inputs {
            assert_eq!(
                strip_html(&input),
                strip_html_reference(&input),
                "{input:?}"
            );
        }
    }
}
