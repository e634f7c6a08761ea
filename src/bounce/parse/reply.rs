//! A reply explained on its own: a bare SMTP reply (`550 5.7.1 ...`, single or multi-line), or
//! a line that quotes one the way bounces and mail logs do, pasted as it stands.
//!
//! The wrappings taken off are the documented ones: RFC 3464's `Diagnostic-Code: smtp; ...`,
//! Postfix's and qmail's `<rcpt>: ...` before the remote host's words, Exim's log line
//! (`** rcpt R=... T=... H=host [ip]: SMTP error from remote mail server after RCPT TO:...`) and
//! Exchange's `Remote Server returned '...'`. What stays (`host mx.example[192.0.2.1] said: 550
//! ... (in reply to RCPT TO command)`) is the diagnostic, read as a bounce's is: its host, its
//! command and its reply. A DSN's per-recipient fields pasted as they stand are read as the
//! DSN's would be, and a notice's text pasted whole as a text bounce's is: a row per recipient.

use super::dsn;
use super::scan::{self, find_ascii_ci};
use super::text;
use super::{
    Notice, RawRow, clean_address, finish_row, floor_char, ip_text, ips_in, is_public,
    lower_domain, names_no_sending_ip, receiver_ip_in,
};
use crate::bounce::limits::Limits;
use crate::bounce::reason;
use crate::bounce::status::{DsnStatus, ReplyCode};
use crate::bounce::{BounceReport, RecipientRow, ReportKind};

/// Does `text` read as a reply for [`explain_smtp_reply`]: it starts with a three-digit code,
/// or it holds a 4xx/5xx reply code or an RFC 3463 status code (a diagnostic quoted from a
/// bounce or a log)?
pub(crate) fn reads_as_reply(text: &str) -> bool {
    let t = text.trim_start();
    (t.len() >= 3 && t.as_bytes()[..3].iter().all(u8::is_ascii_digit)) || text::says_a_reply(text)
}

/// Explain a reply given alone (see [`crate::bounce::explain_reply`]).
pub(crate) fn explain_smtp_reply(text: &str, limits: &Limits) -> BounceReport {
    let mut report = BounceReport::empty(ReportKind::SmtpReply);
    let text = &text[..floor_char(text, limits.max_scan_bytes)];
    if let Some(d) = pasted_dsn_fields(text, limits) {
        explain_dsn_fields(d, &mut report, limits);
        return report;
    }
    let pasted = unwrap(text);
    let joined = join_lines(pasted.text);
    if joined.trim().is_empty() {
        report
            .notes
            .push("The reply is empty: nothing to explain.".into());
        return report;
    }
    let from = ReplyCode::find_with_offset(&joined).map_or(0, |(at, _)| at);
    let named = reply_address(&joined[from..]);
    // The sender's address a refusal names (`<a@example.com>: Sender address rejected`) is
    // the envelope's: its domain is the one `--diagnose` checks.
    if let Some(NamedAddress::Sender(a)) = &named {
        report.hints.envelope_domain = super::domain_of(a);
    } else if named.is_none() {
        report.hints.envelope_domain = sender_domain_named(&joined[from..]);
    }
    let recipient = pasted.recipient.or(match named {
        Some(NamedAddress::Recipient(a)) => Some(a),
        _ => None,
    });
    // A notice's text pasted whole (several recipients with their replies, or one the text
    // names apart from its reply, as Exchange's "Remote Server returned" under the address):
    // read as a text bounce's is, a row per recipient.
    if text.contains('\n') && !is_multiline_reply(text) {
        let (rows, preamble) = text::extract(
            text,
            &[],
            limits.max_recipients,
            limits.max_diagnostic_chars * 2,
        );
        if rows.len() > 1 || (rows.len() == 1 && recipient.is_none()) {
            explain_notice_rows(rows, &preamble, &mut report, limits);
            return report;
        }
    }
    // The receiving host, as a bounce's diagnostic names it (`host mx.example[192.0.2.1] said`).
    let remote = pasted.remote_mta.or_else(|| receiver_in(&joined));
    let raw = RawRow {
        recipient,
        mailer_exit: pasted.mailer_exit,
        diagnostic: joined.clone(),
        ..Default::default()
    };
    let mut cmd = text::command_in(&joined);
    // A reply given alone names no command. Unknown-address words are a server's answer to
    // RCPT TO; read after DATA they would mean the receiver's filter (the vocabulary's rule),
    // which a pasted "550 Mailbox not found" rarely is.
    if cmd.is_none()
        && reason::phrase_reason(&reason::normalise(&joined)) == Some(reason::Reason::UserUnknown)
    {
        cmd = Some("RCPT");
        report.notes.push(
            "The reply names no SMTP command; it is read as the answer to RCPT TO, where servers refuse unknown addresses (after DATA the same words would mean a filter refused the message)."
                .into(),
        );
    }
    push_row(&mut report, raw, cmd, remote, limits);
    note_words_alone(&mut report);
    report
}

/// Finishes a row of a reply given alone and adds it, with its hints, to the report.
fn push_row(
    report: &mut BounceReport,
    raw: RawRow,
    command: Option<&'static str>,
    remote: Option<String>,
    limits: &Limits,
) {
    let (row, zones) = finish_row(raw, command, remote, &REPLY_NOTICE, limits);
    add_hints(report, &row, zones);
    report.recipients.push(row);
}

/// Says so when a row's reason rests on words alone: no reply code or status was given.
fn note_words_alone(report: &mut BounceReport) {
    if report
        .recipients
        .iter()
        .any(|r| r.reply_code.is_none() && r.status.is_none())
    {
        report.notes.push(
            "No SMTP reply code or enhanced status code was found; the reason comes from the words alone."
                .into(),
        );
    }
}

/// A DSN's per-recipient fields pasted as they stand (`Final-Recipient: rfc822; ...`,
/// `Status: 5.1.1`, `Diagnostic-Code: smtp; ...`): the groups that name a recipient.
fn pasted_dsn_fields(text: &str, limits: &Limits) -> Option<dsn::Dsn> {
    let b = text.as_bytes();
    if find_ascii_ci(b, b"final-recipient:").is_none()
        && find_ascii_ci(b, b"original-recipient:").is_none()
    {
        return None;
    }
    dsn::parse(text, limits.max_recipients).filter(|d| !d.rows.is_empty())
}

/// One row per recipient group of pasted DSN fields, read as a DSN's are: the recipient, the
/// action, the status, the remote MTA and the diagnostic come from their fields.
fn explain_dsn_fields(d: dsn::Dsn, report: &mut BounceReport, limits: &Limits) {
    report.reporting_mta = d.reporting_mta;
    for r in d.rows {
        let recipient = r.recipient().map(|a| lower_domain(&a));
        let command = text::command_in(&r.diagnostic);
        let remote = r.remote_mta.clone().or_else(|| receiver_in(&r.diagnostic));
        let raw = RawRow {
            recipient,
            action: r.action,
            status: r.status,
            diagnostic: r.diagnostic,
            fixed: r.expired.then_some(reason::Reason::Expired),
            mailer_exit: r.mailer_exit,
            mta_category: r.mta_category,
            ..Default::default()
        };
        push_row(report, raw, command, remote, limits);
    }
}

/// Does every line of `text` start with a reply code (`550-5.7.1 ...`, `550 5.7.1 ...`): one
/// server's multi-line reply, whose addresses are words of the reply, not recipients?
fn is_multiline_reply(text: &str) -> bool {
    scan::lines(text)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|l| leading_code(l).is_some())
}

/// One row per recipient the pasted text of a notice names, each with the block under it, read
/// with the text before the first recipient as its context.
fn explain_notice_rows(
    rows: Vec<text::TextRow>,
    preamble: &str,
    report: &mut BounceReport,
    limits: &Limits,
) {
    for t in rows {
        let command = text::command_in(&t.block).or_else(|| text::command_in(preamble));
        let remote = receiver_in(&t.block).or_else(|| text::remote_host_in(preamble));
        let raw = RawRow {
            recipient: Some(lower_domain(&t.recipient)),
            diagnostic: t.block,
            shown_end: t.reply_end,
            context: preamble.to_string(),
            ..Default::default()
        };
        push_row(report, raw, command, remote, limits);
    }
    note_words_alone(report);
}

/// What a reply given alone is finished with: no reporting system's wording, no delay notice
/// around it, no feedback type.
const REPLY_NOTICE: Notice<'static> = Notice {
    kind: ReportKind::SmtpReply,
    reporter: None,
    delay_warning: &no_delay_warning,
    feedback_type: None,
};

fn no_delay_warning() -> bool {
    false
}

/// The blocklists a row's words name, and the public addresses in them that are not the
/// receiver's (the sender's, to check with `--diagnose`), into the report's hints, each once.
fn add_hints(report: &mut BounceReport, row: &RecipientRow, zones: Vec<&'static str>) {
    for z in zones {
        if !report.hints.blocklists.iter().any(|x| x == z) {
            report.hints.blocklists.push(z.to_string());
        }
    }
    for ip in ips_in(&row.diagnostic) {
        let text = ip_text(ip);
        if is_public(ip)
            && !names_no_sending_ip(&row.diagnostic, ip)
            && !report.hints.sending_ips.contains(&text)
        {
            report.hints.sending_ips.push(text);
        }
    }
}

/// Join a multi-line reply into one line: `550-5.7.1 a\n550 5.7.1 b` → `550 5.7.1 a b`. The
/// code (and status) the first line starts with is dropped where it repeats at the start of a
/// later line; other lines (a reply wrapped by the MTA that quotes it, or one under the host's
/// words in an Exim bounce) are joined as they are.
fn join_lines(text: &str) -> String {
    let mut joined = String::new();
    let mut lead: Option<&str> = None;
    for line in scan::lines(text) {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let code = leading_code(l).filter(|_| l.len() > 4);
        let mut rest = l;
        if joined.is_empty() {
            lead = code;
            if code.is_some() && l.as_bytes()[3] == b'-' {
                // "550-5.7.1 ..." → "550 5.7.1 ..."
                joined.push_str(&l[..3]);
                joined.push(' ');
                rest = &l[4..];
            }
        } else if code.is_some() && code == lead {
            rest = after_status(l[4..].trim_start());
        }
        if !joined.is_empty() && !joined.ends_with(' ') {
            joined.push(' ');
        }
        joined.push_str(rest);
    }
    joined
}

/// The reply code a line starts with, as a reply's lines give it (`550-...`, `550 ...`).
fn leading_code(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    (b.len() >= 4 && b[..3].iter().all(u8::is_ascii_digit) && matches!(b[3], b'-' | b' '))
        .then(|| &line[..3])
}

/// The receiving host a diagnostic names, by its name (`host mx.example[192.0.2.1] said`) or,
/// failing that, by its address (see [`receiver_ip_in`]).
fn receiver_in(diagnostic: &str) -> Option<String> {
    text::remote_host_in(diagnostic).or_else(|| receiver_ip_in(diagnostic))
}

/// A pasted reply with its wrapping taken off: the text left to explain, and what the wrapping
/// named.
#[derive(Debug, Default)]
struct Pasted<'t> {
    text: &'t str,
    recipient: Option<String>,
    remote_mta: Option<String>,
    /// RFC 3464's diagnostic type `X-Unix`: a local delivery program failed.
    mailer_exit: bool,
}

/// Take off the wrappings the module's documentation names, outermost first.
fn unwrap(text: &str) -> Pasted<'_> {
    let mut pasted = Pasted::default();
    let mut t = text.trim();
    // RFC 3464: `Diagnostic-Code: diagnostic-type; text`.
    if let Some(rest) = strip_prefix_ci(t, "diagnostic-code:") {
        t = rest.trim_start();
    }
    if let Some((kind, rest)) = diagnostic_type(t) {
        pasted.mailer_exit = kind.eq_ignore_ascii_case("x-unix");
        t = rest.trim_start();
    }
    // Exim's log: `** rcpt ...` for a failure, `== rcpt ...` for a deferral, the router,
    // transport and host as `R=`, `T=` and `H=host [ip]` fields, then the host's words.
    if let Some(rest) = exim_log_entry(t) {
        let (rcpt, after) = leading_address(rest.trim_start());
        if let Some(rcpt) = rcpt {
            pasted.recipient = Some(rcpt);
            let (host, words) = exim_log_fields(after);
            pasted.remote_mta = host;
            t = words.trim_start_matches([':', ' ']);
        }
    } else {
        // Postfix, qmail and Exim bounces: `<rcpt>: ...` or `rcpt: ...` before the words.
        // Exim's bounce has the address alone on its first line, the host's words under it.
        let (rcpt, after) = leading_address(t.strip_prefix('<').unwrap_or(t));
        let words = after
            .strip_prefix(':')
            .or_else(|| after.strip_prefix('\n'))
            .or_else(|| after.strip_prefix("\r\n"));
        if let (Some(rcpt), Some(words)) = (rcpt, words) {
            pasted.recipient = Some(rcpt);
            t = words.trim_start();
        }
    }
    if let Some((host, inner)) = exchange_quote(t) {
        pasted.remote_mta = pasted.remote_mta.or(host);
        t = inner;
    }
    pasted.text = t;
    pasted
}

/// The text after an Exim log line's `**` (failed) or `==` (deferred) mark, which may follow
/// the line's date, time, process and message id (`2026-11-30 10:00:00 1abcDE-000123-Xy ** `).
fn exim_log_entry(t: &str) -> Option<&str> {
    for mark in ["** ", "== "] {
        if let Some(rest) = t.strip_prefix(mark) {
            return Some(rest);
        }
    }
    // A date first (`YYYY-MM-DD`), and the mark within the fields that follow it.
    let dated =
        t.len() > 10 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit) && t.as_bytes()[4] == b'-';
    if !dated {
        return None;
    }
    let head = &t[..floor_char(t, 100)];
    ["** ", "== "]
        .iter()
        .filter_map(|mark| head.find(&format!(" {mark}")).map(|at| at + 1 + mark.len()))
        .min()
        .map(|at| &t[at..])
}

/// `s` without `prefix`, compared in any ASCII case.
fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// RFC 3464's diagnostic type before its `;` (`smtp`, `X-Postfix`, `X-Unix`, `X-Notes`), and
/// the text after it: an atom of letters, digits and hyphens that starts with a letter.
fn diagnostic_type(t: &str) -> Option<(&str, &str)> {
    let semi = t[..floor_char(t, 24)].find(';')?;
    let kind = t[..semi].trim_end();
    let atom = kind.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
        && kind.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    atom.then(|| (kind, &t[semi + 1..]))
}

/// The address at the start of `t` (up to a `>`, a `:` or white space) and the text after it
/// (after its `>`, if it has one); no address when the first word is none.
fn leading_address(t: &str) -> (Option<String>, &str) {
    let end = t
        .find(|c: char| c == '>' || c == ':' || c.is_whitespace())
        .unwrap_or(t.len());
    let word = &t[..end];
    let after = t[end..].strip_prefix('>').unwrap_or(&t[end..]);
    let is_address = text::find_address(word, 0).is_some_and(|(s, e, _)| s == 0 && e == word.len());
    if is_address {
        (clean_address(word), after)
    } else {
        (None, t)
    }
}

/// An Exim log line's fields after the address (`R=router T=transport H=host [ip]`): the
/// host of its `H=` field (`H=[ip]` names only the address), and the words after the fields
/// (after the `:` that ends the `H=` field; all of the text when there is none).
fn exim_log_fields(fields: &str) -> (Option<String>, &str) {
    let Some(at) = fields.find(" H=").map(|p| p + 3) else {
        return (None, fields);
    };
    let host = fields[at..]
        .split(|c: char| c.is_whitespace() || c == ':')
        .next()
        .unwrap_or("")
        .trim_matches(['[', ']']);
    let words = fields[at..]
        .find(": ")
        .map_or(fields, |p| &fields[at + p + 1..]);
    ((!host.is_empty()).then(|| host.to_ascii_lowercase()), words)
}

/// Exchange's `Remote Server returned 'REPLY'` and `Remote Server at HOST (IP) returned
/// 'REPLY'`: the host, when named, and the reply between the quotes.
fn exchange_quote(t: &str) -> Option<(Option<String>, &str)> {
    let rest = strip_prefix_ci(t, "remote server ")?;
    let (host, rest) = match strip_prefix_ci(rest, "at ") {
        Some(r) => {
            let end = r.find(char::is_whitespace)?;
            (Some(r[..end].to_ascii_lowercase()), &r[end..])
        }
        None => (None, rest),
    };
    // Only a host's name or address and its bracketed address may stand before `returned`:
    // the words must end within the first 64 bytes, and are looked for only there.
    let key = "returned '";
    let open = rest[..floor_char(rest, 64)].find(key)? + key.len();
    let inner = &rest[open..];
    let inner = inner.rfind('\'').map_or(inner, |close| &inner[..close]);
    Some((host.filter(|h| !h.is_empty()), inner))
}

/// The text after the enhanced status code it starts with (`5.7.1 Rejected` → `Rejected`), or
/// the text as it is.
fn after_status(text: &str) -> &str {
    match DsnStatus::find_in(text) {
        Some(s) => {
            let code = s.to_string();
            text.strip_prefix(code.as_str())
                .map_or(text, str::trim_start)
        }
        None => text,
    }
}

/// Whose address a reply names at its start.
enum NamedAddress {
    Recipient(String),
    Sender(String),
}

/// The address a reply names at its start, in the forms Postfix and Sendmail give a refused
/// RCPT TO: `550 5.1.1 <bob@example.org>: Recipient address rejected: ...` and
/// `550 5.1.1 <bob@example.org>... User unknown`. The same forms about the sender
/// (`Sender address rejected`, `Domain of sender address ... does not exist`) name the sender.
fn reply_address(reply: &str) -> Option<NamedAddress> {
    let rest = reply.trim_start();
    let rest = match leading_code(rest) {
        Some(_) => &rest[4..],
        None => rest,
    }
    .trim_start();
    let rest = after_status(rest);
    let inner = rest.strip_prefix('<')?;
    let close = inner.find('>')?;
    let (addr, after) = (&inner[..close], &inner[close + 1..]);
    let names_it = after.starts_with(':') || after.starts_with("...");
    let about_sender = after
        .get(..after.len().min(80))
        .is_some_and(|a| a.to_ascii_lowercase().contains("sender"));
    if !names_it || !addr.contains('@') {
        return None;
    }
    let addr = clean_address(addr).filter(|a| a.contains('@'))?;
    Some(if about_sender {
        NamedAddress::Sender(addr)
    } else {
        NamedAddress::Recipient(addr)
    })
}

/// The sender's domain a refusal names in words, not as an address (`553 5.1.8 Domain
/// example.org does not exist (sender)`): only under a status about the sender's address
/// (RFC 3463 X.1.7, X.1.8), where a domain the text names is the sender's.
fn sender_domain_named(reply: &str) -> Option<String> {
    let status = DsnStatus::find_in(reply)?;
    if status.subject() != 1 || !matches!(status.detail(), 7 | 8) {
        return None;
    }
    let mut words = reply.split_whitespace();
    while let Some(w) = words.next() {
        if !w.eq_ignore_ascii_case("domain") {
            continue;
        }
        let name = words
            .next()?
            .trim_matches(|c: char| {
                matches!(c, '<' | '>' | '"' | '\'' | ',' | ':' | ';' | '(' | ')')
            })
            .trim_end_matches('.');
        if text::is_host_name(name) {
            return Some(name.to_ascii_lowercase());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_code_and_its_type_come_off() {
        let p = unwrap("Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>... User unknown");
        assert_eq!(p.text, "550 5.1.1 <bob@example.org>... User unknown");
        assert!(!p.mailer_exit);
        // A type cut at a character boundary of another script is still found.
        let p = unwrap("smtp; 550 5.1.1 xéééééééé");
        assert_eq!(p.text, "550 5.1.1 xéééééééé");
        let p = unwrap("X-Unix; 127");
        assert_eq!(p.text, "127");
        assert!(p.mailer_exit);
        // A reply whose text has a `;` keeps it: a code is no diagnostic type.
        let p = unwrap("550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized");
        assert_eq!(
            p.text,
            "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized"
        );
    }

    #[test]
    fn postfix_recipient_before_the_host_words() {
        let p = unwrap(
            "<bob@Example.ORG>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown",
        );
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(
            p.text,
            "host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown"
        );
        // Without brackets (qmail's and Exim's `addr:`) too; a host's words are not one.
        let p = unwrap("bob@example.org: 550 No such user");
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        // Exim's bounce: the address alone on its line, the host's words under it.
        let p = unwrap(
            "  bob@example.org\n    host mx.example.org [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<bob@example.org>:\n    550 5.1.1 User unknown",
        );
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        assert!(p.text.starts_with("host mx.example.org [192.0.2.1]\n"));
        let p = unwrap("host mx.example.org said: 550 No such user");
        assert_eq!(p.recipient, None);
        assert_eq!(p.text, "host mx.example.org said: 550 No such user");
    }

    #[test]
    fn exim_log_line() {
        let p = unwrap(
            "** bob@example.org R=dnslookup T=remote_smtp H=MX.example.org [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown",
        );
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(p.remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(
            p.text,
            "SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown"
        );
        // The line as the log has it, with its date, time and message id.
        let p = unwrap(
            "2026-11-30 10:00:00 1abcDE-000123-Xy ** bob@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown",
        );
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(p.remote_mta.as_deref(), Some("mx.example.org"));
        // No `H=` field (a local delivery): the words are the text after the address.
        let p = unwrap("** bob@example.org: Unrouteable address");
        assert_eq!(p.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(p.text, "Unrouteable address");
    }

    #[test]
    fn exchange_quoted_reply() {
        let p = unwrap(
            "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'",
        );
        assert_eq!(
            p.text,
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found"
        );
        assert_eq!(p.remote_mta, None);
        let p = unwrap(
            "Remote Server at mx.example.org (192.0.2.1) returned '400 4.4.7 Message delayed'",
        );
        assert_eq!(p.remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(p.text, "400 4.4.7 Message delayed");
    }

    #[test]
    fn pasted_dsn_fields_are_read_per_recipient() {
        let r = explain_smtp_reply(
            "Reporting-MTA: dns; mail.example.net\nArrival-Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nFinal-Recipient: rfc822; bob@Example.ORG\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address\n    rejected: User unknown\n\nFinal-Recipient: rfc822; carol@example.org\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx2.example.org[192.0.2.2]:25: Connection timed out",
            &Limits::default(),
        );
        assert_eq!(r.reporting_mta.as_deref(), Some("mail.example.net"));
        assert_eq!(r.recipients.len(), 2);
        let bob = &r.recipients[0];
        assert_eq!(bob.recipient.as_deref(), Some("bob@example.org"));
        assert_eq!(bob.remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(bob.reason, reason::Reason::UserUnknown);
        assert_eq!(
            bob.diagnostic,
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
        );
        let carol = &r.recipients[1];
        assert_eq!(carol.action, Some(crate::bounce::Action::Delayed));
        assert_eq!(carol.remote_mta.as_deref(), Some("mx2.example.org"));
        // The receiver's address is no hint of the sender's.
        assert!(r.hints.sending_ips.is_empty(), "{:?}", r.hints.sending_ips);
    }

    #[test]
    fn a_refused_senders_address_is_the_envelopes_not_a_recipient() {
        let r = explain_smtp_reply(
            "550 5.7.1 <a@NX.example>: Sender address rejected: Domain not found",
            &Limits::default(),
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].recipient, None);
        assert_eq!(r.hints.envelope_domain.as_deref(), Some("nx.example"));
        let r = explain_smtp_reply(
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
            &Limits::default(),
        );
        assert_eq!(
            r.recipients[0].recipient.as_deref(),
            Some("bob@example.org")
        );
        assert_eq!(r.hints.envelope_domain, None);
    }

    #[test]
    fn a_sender_domain_named_in_words_is_the_envelopes() {
        let domain = |reply: &str| {
            explain_smtp_reply(reply, &Limits::default())
                .hints
                .envelope_domain
        };
        assert_eq!(
            domain("553 5.1.8 Domain NX.example does not exist (sender)").as_deref(),
            Some("nx.example")
        );
        assert_eq!(
            domain("550 5.1.7 Sender domain <nx.example> has no MX or A record").as_deref(),
            Some("nx.example")
        );
        // Under another status the domain may be the recipient's.
        assert_eq!(domain("550 5.1.2 Domain nx.example does not exist"), None);
        // A word that is no domain name is not taken.
        assert_eq!(domain("553 5.1.8 Domain not found"), None);
    }

    #[test]
    fn a_pasted_notice_gives_a_row_per_recipient() {
        // Postfix's text part with two recipients.
        let r = explain_smtp_reply(
            "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>:\n    Recipient address rejected: User unknown (in reply to RCPT TO command)\n\n<carol@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 <carol@example.net>:\n    Mailbox full (in reply to RCPT TO command)",
            &Limits::default(),
        );
        let got: Vec<_> = r
            .recipients
            .iter()
            .map(|x| (x.recipient.as_deref(), x.reason, x.remote_mta.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("bob@example.org"),
                    reason::Reason::UserUnknown,
                    Some("mx.example.org")
                ),
                (
                    Some("carol@example.net"),
                    reason::Reason::MailboxFull,
                    Some("mx.example.net")
                ),
            ]
        );
        // Exchange's administrators' block: the address on its own line, the reply under it.
        let r = explain_smtp_reply(
            "Diagnostic information for administrators:\n\nGenerating server: BN8PR12MB1234.namprd12.prod.outlook.com\n\nbob@example.org\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
            &Limits::default(),
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(
            r.recipients[0].recipient.as_deref(),
            Some("bob@example.org")
        );
        assert_eq!(r.recipients[0].reason, reason::Reason::UserUnknown);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        // A notice's words without codes: the row, and the note that words alone decided.
        let r = explain_smtp_reply(
            "Your message was rejected because it could not be saved.\n\nreject reason: Mailbox full\ntarget mail address: bob@example.org",
            &Limits::default(),
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].reason, reason::Reason::MailboxFull);
        assert!(
            r.notes.iter().any(|n| n.contains("words alone")),
            "{:?}",
            r.notes
        );
        // A multi-line reply is one reply: the addresses in its words name no recipients.
        assert!(is_multiline_reply(
            "550-5.7.1 a\n550-5.7.1 <x@example.org>: b\n550 5.7.1 <y@example.org>: c"
        ));
        assert!(!is_multiline_reply(
            "<x@example.org>: host mx said:\n    550 5.1.1 No"
        ));
        let r = explain_smtp_reply(
            "550-5.7.1 Refused. Ask:\n550-5.7.1 <postmaster@example.org>: the postmaster\n550 5.7.1 <abuse@example.org>: abuse desk",
            &Limits::default(),
        );
        assert_eq!(r.recipients.len(), 1);
        // A multi-line reply that names one recipient stays one reply.
        let r = explain_smtp_reply(
            "550-5.1.1 <bob@example.org>: The email account that you tried to reach does\n550-5.1.1 not exist. Please try double-checking the recipient's email\n550 5.1.1 address for typos.",
            &Limits::default(),
        );
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(
            r.recipients[0].recipient.as_deref(),
            Some("bob@example.org")
        );
    }

    #[test]
    fn what_reads_as_a_reply() {
        assert!(reads_as_reply("550 5.7.1 Rejected"));
        assert!(reads_as_reply("250 2.0.0 Ok"));
        assert!(reads_as_reply("5.1.1 User unknown"));
        assert!(reads_as_reply("host mx.example.org said: 554 Rejected"));
        assert!(!reads_as_reply("missing-bounce.eml"));
        assert!(!reads_as_reply("bounces/550.eml"));
        assert!(!reads_as_reply("User unknown"));
    }

    #[test]
    fn multi_line_replies_join() {
        assert_eq!(
            join_lines("550-5.7.1 first\n550-5.7.1 second\n550 5.7.1 third"),
            "550 5.7.1 first second third"
        );
        // A reply under the words of the MTA that quotes it keeps its code.
        assert_eq!(
            join_lines(
                "host mx [192.0.2.1]\nSMTP error after RCPT TO:<a@b.example>:\n550 5.1.1 No"
            ),
            "host mx [192.0.2.1] SMTP error after RCPT TO:<a@b.example>: 550 5.1.1 No"
        );
        assert_eq!(
            join_lines("host mx said: 550 5.1.1 a\n    b (in reply to RCPT TO command)"),
            "host mx said: 550 5.1.1 a b (in reply to RCPT TO command)"
        );
    }
}
