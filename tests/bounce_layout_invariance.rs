//! Layout invariance: one remote refusal, wrapped in the notices of six MTAs (a Postfix DSN,
//! qmail, Exim, Sendmail, Exchange and OpenSMTPD, in each one's documented wording), must read
//! as the bare reply does, with the recipient found. A rule that leans on one MTA's layout, or
//! on the boilerplate around the reply ("I've given up", "This is a permanent error"), shows
//! here as one layout disagreeing. The same notices are the phrase bench's `LAYOUT`s
//! (`scripts/synthetic_dsn.py`).

use fivefifty::bounce;

/// When the receiver refused: at RCPT TO, or after the message was sent.
#[derive(Clone, Copy)]
enum Stage {
    Rcpt,
    Data,
}
use Stage::{Data, Rcpt};

/// The notices (`tests/fixtures/layouts/`, which the benches' `scripts/synthetic_dsn.py` reads
/// too): a comment line, a `stage:` line with the words for a refusal at RCPT TO and after
/// DATA, then the message with `{REPLY}`, `{CODE}`, `{TEXT}`, `{STATUS}`, `{RECIPIENT}`,
/// `{REMOTE}` and `{STAGE}` to fill.
const LAYOUTS: &[(&str, &str)] = &[
    ("postfix", include_str!("fixtures/layouts/postfix.eml.in")),
    ("qmail", include_str!("fixtures/layouts/qmail.eml.in")),
    ("exim", include_str!("fixtures/layouts/exim.eml.in")),
    ("sendmail", include_str!("fixtures/layouts/sendmail.eml.in")),
    ("exchange", include_str!("fixtures/layouts/exchange.eml.in")),
    (
        "opensmtpd",
        include_str!("fixtures/layouts/opensmtpd.eml.in"),
    ),
];

/// The layout's notice refusing `bob@rcpt.example` with `reply` at `stage`, CRLF-ended.
fn notice(layout: &str, stage: Stage, reply: &str) -> String {
    let mut lines = layout.splitn(3, '\n').skip(1);
    let stages = lines.next().and_then(|l| l.strip_prefix("stage:"));
    let template = lines.next().expect("a template after its stage line");
    let (rcpt, data) = stages
        .and_then(|s| s.split_once('|'))
        .expect("a stage line: `stage: <at RCPT> | <after DATA>`");
    let words = match stage {
        Rcpt => rcpt.trim(),
        Data => data.trim(),
    };
    let (code, text) = reply.split_once(' ').unwrap_or((reply, ""));
    template
        .replace("{STAGE}", words)
        .replace("{REPLY}", reply)
        .replace("{CODE}", code)
        .replace("{TEXT}", text)
        .replace("{STATUS}", "5.0.0")
        .replace("{RECIPIENT}", "bob@rcpt.example")
        .replace("{REMOTE}", "mx.rcpt.example")
        .replace('\n', "\r\n")
}

/// Permanent refusals as the common receivers write them, with the stage they answer.
const REPLIES: &[(Stage, &str)] = &[
    (
        Rcpt,
        "550 5.1.1 <bob@rcpt.example>: Recipient address rejected: User unknown in local recipient table",
    ),
    (
        Rcpt,
        "550 5.1.1 The email account that you tried to reach does not exist.",
    ),
    (Rcpt, "552 5.2.2 <bob@rcpt.example>: Mailbox full"),
    (
        Data,
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    ),
    (
        Data,
        "550 5.7.1 Message rejected as spam by Content Filtering",
    ),
    (Data, "554 5.7.1 Virus found in message"),
    (
        Data,
        "552 5.3.4 Message size exceeds fixed maximum message size",
    ),
    (
        Rcpt,
        "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
    ),
    (
        Rcpt,
        "550 5.7.25 The IP address sending this message does not have a PTR record setup.",
    ),
    (
        Rcpt,
        "550 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.1]",
    ),
    (Rcpt, "554 5.7.1 <bob@rcpt.example>: Relay access denied"),
    (Rcpt, "550 5.1.2 Host or domain name not found"),
    (
        Rcpt,
        "550 5.2.1 The email account that you tried to reach is disabled.",
    ),
    (
        Rcpt,
        "550 5.7.606 Access denied, banned sending IP [192.0.2.1].",
    ),
    (
        Rcpt,
        "550 5.7.509 Access denied, sending domain [SENDER.EXAMPLE] does not pass DMARC verification and has a DMARC policy of reject.",
    ),
    (
        Data,
        "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list.",
    ),
    (Rcpt, "554 5.7.9 Message not accepted for policy reasons."),
    (
        Rcpt,
        "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
    ),
    (
        Rcpt,
        "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)",
    ),
    (
        Rcpt,
        "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required",
    ),
    (
        Rcpt,
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    ),
    (
        Rcpt,
        "550 5.5.0 Requested action not taken: mailbox unavailable",
    ),
    (Rcpt, "550 5.7.0 Local Policy Violation"),
    (
        Rcpt,
        "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
    ),
    (Rcpt, "553 5.1.8 Domain of sender address does not exist"),
    (Rcpt, "550 5.4.5 Daily user sending quota exceeded."),
    (Data, "554 5.6.0 Message contains invalid header"),
    (
        Data,
        "550 5.7.350 Remote server returned message detected as spam",
    ),
    (
        Data,
        "554 5.7.1 The message from (<alice@sender.example>) with the subject of (hello) matches a profile the Internet community may consider spam.",
    ),
    (Rcpt, "550 5.1.0 Address rejected."),
];

#[test]
fn a_reply_reads_the_same_in_every_layout() {
    let mut mismatches = Vec::new();
    for &(stage, reply) in REPLIES {
        let mut reasons = Vec::new();
        for (mta, layout) in LAYOUTS {
            let report = bounce::explain_bytes(notice(layout, stage, reply).as_bytes());
            match report.recipients.as_slice() {
                [row] if row.recipient.as_deref() == Some("bob@rcpt.example") => {
                    reasons.push((mta, row.reason));
                }
                rows => mismatches.push(format!(
                    "{mta}: rows {:?}: {reply}",
                    rows.iter()
                        .map(|r| r.recipient.as_deref())
                        .collect::<Vec<_>>()
                )),
            }
        }
        // Every layout as the Postfix DSN reads it (whose fields state the stage exactly).
        if let Some(&(_, first)) = reasons.first() {
            for (mta, reason) in &reasons {
                if *reason != first {
                    mismatches.push(format!("{mta}: {reason} (postfix {first}): {reply}"));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
