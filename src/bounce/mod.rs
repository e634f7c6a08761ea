//! The bounce explainer: what a bounce (or a bare SMTP reply) says happened, and what the sender
//! can do about it.
//!
//! # What it decides
//! For each message it decides the [`ReportKind`] (bounce, feedback report, auto-reply, not a
//! bounce, not mail) and, per recipient, a [`Reason`] in the de-facto bounce vocabulary, whether
//! the address is dead ([`RecipientRow::hard_bounce`]), the [`BounceCause`] it points to and the
//! steps a sender can take. It also collects [`Hints`] (sending IP, domains, named blocklists)
//! for a later diagnosis.
//!
//! # What it never does
//! No I/O besides reading the input it is given (no DNS: the `--diagnose` follow-up runs the
//! checks), no printing (presenters live in `present`), no panics on any input.
//!
//! # How it reads a message
//! Standards first: an RFC 3464 `message/delivery-status` part, an RFC 5965
//! `message/feedback-report`, RFC 3834 auto-reply markers. Only when a message has none of
//! these does the human-readable text get read, with the documented layouts of the common MTAs
//! (Postfix, Sendmail, Exim, qmail, Exchange, Gmail, …) reduced to a few generic shapes: a
//! recipient line followed by its diagnostic block. Classification then uses the RFC 3463
//! status code, the RFC 5321 reply code, the SMTP command the error answered and per-reason
//! phrase tables ([`reason`]), and provider-specific codes ([`advice`]).
//!
//! # Input size
//! Every size is capped by [`Limits`]; see [`limits`] for the named constants. Mailboxes are
//! streamed message by message ([`explain_path`]).

pub mod advice;
mod folder;
pub mod limits;
pub mod parse;
pub mod reason;
pub mod receivers;
pub mod reporters;
pub mod sisimai_phrases;
pub mod sisimai_receivers;
pub mod source;
pub mod status;

use serde::Serialize;
use std::path::Path;

pub use advice::{BounceCause, Recognition};
pub use limits::Limits;
pub use reason::Reason;
pub use source::{BounceError, BounceStream};
pub use status::{DsnStatus, ReplyCode, StatusClass};

/// What kind of message a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A delivery status notification (standard or not): rows say what happened per recipient.
    Bounce,
    /// An RFC 5965 (ARF) feedback report or a provider complaint report: a recipient complained.
    Feedback,
    /// An RFC 3834 automatic reply (vacation, out-of-office).
    AutoReply,
    /// A bare SMTP reply given as text, not a message.
    SmtpReply,
    /// A mail message that is not a bounce.
    NotBounce,
    /// Input that is not an Internet mail message at all.
    NotMail,
}

/// The action a DSN reports for a recipient (RFC 3464 section 2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Delivery failed; the message will not be retried.
    Failed,
    /// Delivery is delayed; the reporting MTA keeps trying.
    Delayed,
    /// The message was delivered.
    Delivered,
    /// The message was relayed to a system that sends no DSN.
    Relayed,
    /// The message was delivered and forwarded to several addresses (a list or alias).
    Expanded,
}

impl Action {
    /// Parse an `Action:` value (case-insensitive; trailing comments ignored).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        let word = t.split(|c: char| !c.is_ascii_alphabetic()).next()?;
        Some(match word {
            "failed" | "failure" => Self::Failed,
            "delayed" => Self::Delayed,
            "delivered" => Self::Delivered,
            "relayed" => Self::Relayed,
            "expanded" => Self::Expanded,
            _ => return None,
        })
    }
}

/// What the bounce says about the message that was sent (from the returned message or headers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OriginalMessage {
    /// Envelope sender (Return-Path of the returned message, or the DSN's envelope fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope_from: Option<String>,
    /// Address in the returned message's From header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Addresses in the returned message's To header.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Message-ID of the returned message, without angle brackets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Subject of the returned message (decoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// What a bounce reveals that the diagnosis can check (`fivefifty explain --diagnose`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hints {
    /// Public IP addresses the sending side used, best first: an IP the receiver named in its
    /// reply ("Client host [192.0.2.1] blocked"), then client IPs from the returned Received
    /// headers. Private, loopback and link-local addresses are left out.
    pub sending_ips: Vec<String>,
    /// Domain of the envelope sender, lowercase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope_domain: Option<String>,
    /// Domain of the returned message's From address, lowercase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_domain: Option<String>,
    /// DNS blocklist zones the receiver named (e.g. `zen.spamhaus.org`).
    pub blocklists: Vec<String>,
}

/// One recipient of a report: what happened to it, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientRow {
    /// The recipient address (lowercased domain), when the report names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The DSN action; for non-standard bounces derived from the reply class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The RFC 3463 status, from the DSN or found in the diagnostic text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DsnStatus>,
    /// The SMTP reply code, from the diagnostic text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_code: Option<ReplyCode>,
    /// The SMTP command the error answered (`RCPT`, `DATA`, `MAIL`, `CONN`, `HELO`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_command: Option<String>,
    /// The remote MTA that gave the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_mta: Option<String>,
    /// The diagnostic text (the remote server's words), whitespace folded.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diagnostic: String,
    /// The classified reason.
    pub reason: Reason,
    /// True when the address itself is dead (unknown user or host, moved): stop sending to it.
    pub hard_bounce: bool,
    /// True when the failure is permanent (5xx); false for temporary ones and non-failures.
    pub permanent: bool,
    /// The seed cause this reason points to.
    pub cause: BounceCause,
    /// What a sender can do, in plain words, most useful first.
    pub remediation: Vec<String>,
    /// Provider-specific codes and listing texts recognised in the diagnostic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recognitions: Vec<Recognition>,
}

impl RecipientRow {
    /// True when the row reports a delivery, not a failure (a success DSN's delivered, relayed
    /// or expanded recipient): presenters say so instead of calling it a bounce.
    pub fn is_success(&self) -> bool {
        matches!(
            self.action,
            Some(Action::Delivered | Action::Relayed | Action::Expanded)
        ) || self.reason == Reason::Delivered
    }
}

/// The explanation of one message (or one bare SMTP reply).
///
/// Field names are stable (they are the JSON schema of `fivefifty explain --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BounceReport {
    /// What kind of message this is.
    pub kind: ReportKind,
    /// Where the message came from (file path, or `path#N` for the N-th message of an mbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The MTA that wrote the report (DSN `Reporting-MTA`), when named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_mta: Option<String>,
    /// The report's From address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_from: Option<String>,
    /// The report's Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_subject: Option<String>,
    /// ARF `Feedback-Type` (abuse, fraud, opt-out, …) for feedback reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_type: Option<String>,
    /// The message that bounced.
    pub original: OriginalMessage,
    /// One row per recipient.
    pub recipients: Vec<RecipientRow>,
    /// Facts for the follow-up diagnosis.
    pub hints: Hints,
    /// Remarks about the input itself (cut at a limit, malformed part, why it is not a bounce).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl BounceReport {
    pub(crate) fn empty(kind: ReportKind) -> Self {
        Self {
            kind,
            source: None,
            reporting_mta: None,
            report_from: None,
            report_subject: None,
            feedback_type: None,
            original: OriginalMessage::default(),
            recipients: Vec::new(),
            hints: Hints::default(),
            notes: Vec::new(),
        }
    }

    /// True when the report is a bounce with at least one failed or delayed recipient.
    pub fn is_bounce(&self) -> bool {
        self.kind == ReportKind::Bounce
    }
}

/// Explain one message given as raw bytes (any line endings), with the default [`Limits`].
pub fn explain_bytes(raw: &[u8]) -> BounceReport {
    parse::explain_message(raw, &Limits::default())
}

/// Explain one message given as raw bytes with explicit limits.
pub fn explain_bytes_with(raw: &[u8], limits: &Limits) -> BounceReport {
    parse::explain_message(raw, limits)
}

/// Explain a bare SMTP reply, single or multi-line (`550-5.7.1 ...\n550 5.7.1 ...`), as a
/// report of kind [`ReportKind::SmtpReply`] with one row; its recipient is the address the
/// reply starts with (`550 5.1.1 <bob@example.org>: Recipient address rejected`), if any.
///
/// A reply quoted the way bounces and logs write it may be given as it stands: a DSN's
/// `Diagnostic-Code: smtp; ...`, Postfix's `<bob@example.org>: host mx.example.org[192.0.2.1]
/// said: ... (in reply to RCPT TO command)`, an Exim log line's `** bob@example.org ...
/// H=host [ip]: ...`, or Exchange's `Remote Server returned '...'`; the recipient, the remote
/// host and the command are read from the wrapping. A DSN's per-recipient fields pasted as they
/// stand (`Final-Recipient:`, `Status:`, `Diagnostic-Code:`), or a notice's text pasted whole
/// (several recipients, each with its reply), give one row per recipient.
pub fn explain_reply(text: &str) -> BounceReport {
    parse::explain_smtp_reply(text, &Limits::default())
}

/// Does `text` read as a reply [`explain_reply`] explains: it starts with a three-digit code,
/// or holds a 4xx/5xx reply code or an RFC 3463 status code (`5.7.1`) somewhere? The CLI asks
/// this of an argument that names no file.
pub fn reads_as_reply(text: &str) -> bool {
    parse::reads_as_reply(text)
}

/// Does `raw` read as a mail message (or an mbox of them): it starts with an mbox `From ` line,
/// or its header block (up to the first blank line) holds a field every message has one of
/// (`From:`, `To:`, `Subject:`, `Date:`, `Received:`, `Return-Path:`, `Message-ID:`,
/// `MIME-Version:`, `Content-Type:`)? The CLI asks this of standard input: a reply copied
/// from a bounce (`550 5.1.1 ...`, `Diagnostic-Code: smtp; ...`) piped in is no message, and
/// is read as [`explain_reply`] reads it.
pub fn reads_as_message(raw: &[u8]) -> bool {
    const MESSAGE_FIELDS: &[&[u8]] = &[
        b"from:",
        b"to:",
        b"subject:",
        b"date:",
        b"received:",
        b"return-path:",
        b"message-id:",
        b"mime-version:",
        b"content-type:",
    ];
    let start = raw
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(raw.len());
    let raw = &raw[start..];
    if raw.starts_with(b"From ") {
        return true;
    }
    for line in raw.split(|&c| c == b'\n').take(1000) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if MESSAGE_FIELDS.iter().any(|f| {
            line.get(..f.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(f))
        }) {
            return true;
        }
    }
    false
}

/// Explain every message at `path`: a single message file, an mbox (streamed, one message in
/// memory at a time), a Maildir (its `cur/` and `new/`) or a plain folder of message files.
///
/// The outer error is for a path that cannot be opened; each item is a report or the error that
/// stopped one message from being read.
pub fn explain_path(path: &Path, limits: &Limits) -> Result<BounceStream, BounceError> {
    BounceStream::open(path, *limits)
}

/// Explain every message on a stream, such as standard input: an mbox (it starts with a
/// `From ` line) is streamed one message at a time, anything else is one message (at most
/// `limits.max_message_bytes` of it are read). `name` labels an mbox's messages (`name#N`) and
/// read errors.
pub fn explain_reader(
    reader: impl std::io::Read + Send + 'static,
    name: &str,
    limits: &Limits,
) -> Result<BounceStream, BounceError> {
    BounceStream::from_reader(Box::new(reader), name, *limits)
}

/// The next of a seeded pseudo-random sequence's picks from `items` (a linear congruential
/// generator), for the randomised tests that compare a fast reader with its reference.
#[cfg(test)]
pub(crate) fn pick<'a, T>(seed: &mut u32, items: &'a [T]) -> &'a T {
    *seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
    &items[(*seed >> 16) as usize % items.len()]
}

/// `runs` seeded pseudo-random texts for the randomised tests: the n-th is `n % max_pieces`
/// [`pick`]s from `pieces`, joined.
#[cfg(test)]
pub(crate) fn random_texts<'a>(
    mut seed: u32,
    pieces: &'a [&'a str],
    runs: usize,
    max_pieces: usize,
) -> impl Iterator<Item = String> + 'a {
    (0..runs).map(move |n| {
        (0..n % max_pieces)
            .map(|_| *pick(&mut seed, pieces))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::reads_as_message;

    #[test]
    fn a_message_or_mbox_reads_as_one_and_a_copied_reply_does_not() {
        for message in [
            "From MAILER-DAEMON Sat Oct  4 08:00:09 2025\nReturn-Path: <>\n",
            "Return-Path: <>\r\nX-Spam: no\r\n",
            "X-Original-To: a@example.org\nDelivered-To: a@example.org\nSUBJECT: hi\n\nbody",
            "\n\nReceived: from mx.example.org",
        ] {
            assert!(reads_as_message(message.as_bytes()), "{message:?}");
        }
        for reply in [
            "",
            "550 5.1.1 User unknown",
            "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
            "Final-Recipient: rfc822; bob@example.org\nStatus: 5.1.1",
            "<bob@example.org>: host mx said: 550 No",
            // A message's field below the first blank line is the body's, not a header.
            "Status: 5.1.1\n\nFrom: alice@example.com",
        ] {
            assert!(!reads_as_message(reply.as_bytes()), "{reply:?}");
        }
    }
}
