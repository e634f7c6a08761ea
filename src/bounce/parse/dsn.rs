//! RFC 3464 `message/delivery-status` fields (and their RFC 6533 `global` twin).
//!
//! The body is one per-message group of fields, then one group per recipient, separated by
//! blank lines. Real DSNs bend this (no blank line between recipients, fields folded, the
//! fields pasted into a text/plain part), so a new recipient group starts at each
//! `Final-Recipient` (or at an `Original-Recipient` when the group already has one).

use super::super::Action;
use super::super::reason::Reason;
use super::super::status::DsnStatus;
use super::scan::trim;
use super::{clean_address, unfold_fields};
use std::borrow::Cow;

/// The per-message fields that matter here.
#[derive(Debug, Default)]
pub(crate) struct Dsn {
    pub reporting_mta: Option<String>,
    pub envelope_from: Option<String>,
    pub rows: Vec<DsnRow>,
}

/// One per-recipient group.
#[derive(Debug, Default, Clone)]
pub(crate) struct DsnRow {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<Action>,
    pub status: Option<DsnStatus>,
    pub remote_mta: Option<String>,
    pub diagnostic: String,
    /// The diagnostic is typed `X-Unix`: a local mailer's exit status (RFC 3464 section 2.3.6).
    pub mailer_exit: bool,
    /// The reason the reporting MTA itself filed the failure under (PowerMTA's
    /// `X-PowerMTA-BounceCategory`), for a diagnostic whose words decide nothing.
    pub mta_category: Option<Reason>,
    /// The action was `expired` (not RFC 3464's): the reporting MTA gave up when the
    /// message's time in its queue ran out.
    pub expired: bool,
}

impl DsnRow {
    fn has_recipient(&self) -> bool {
        self.final_recipient.is_some() || self.original_recipient.is_some()
    }

    /// The recipient to report: the final recipient when it is an address, else the original.
    pub fn recipient(&self) -> Option<String> {
        let f = self.final_recipient.as_deref().filter(|a| a.contains('@'));
        let o = self
            .original_recipient
            .as_deref()
            .filter(|a| a.contains('@'));
        f.or(o)
            .or(self.final_recipient.as_deref())
            .or(self.original_recipient.as_deref())
            .map(str::to_string)
    }
}

/// Strip the RFC 3464 address-type or MTA-name-type (`rfc822;`, `dns;`, `smtp;`).
pub(crate) fn typed_value(v: &str) -> &str {
    match v.split_once(';') {
        Some((t, rest)) if !trim(t).is_empty() && t.len() <= 16 && !t.contains('@') => trim(rest),
        _ => trim(v),
    }
}

/// A recipient field's address, its RFC 6533 `\x{HEX}` escapes decoded when its type is
/// `utf-8` (`utf-8; j\x{00F6}rg@example.com` is `jörg@example.com`); any other type's value is
/// returned as written.
fn utf8_address(v: &str) -> Cow<'_, str> {
    let addr = typed_value(v);
    let utf8_type = v
        .split_once(';')
        .is_some_and(|(t, _)| trim(t).eq_ignore_ascii_case("utf-8"));
    if !utf8_type || !addr.contains("\\x{") {
        return Cow::Borrowed(addr);
    }
    let mut out = String::with_capacity(addr.len());
    let mut rest = addr;
    while let Some(p) = rest.find("\\x{") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 3..];
        let decoded = after.split_once('}').and_then(|(hex, tail)| {
            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
            Some((c, tail))
        });
        match decoded {
            Some((c, tail)) => {
                out.push(c);
                rest = tail;
            }
            None => {
                out.push_str("\\x{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The fields [`parse`] reads, in lower case.
const FIELDS: &[&str] = &[
    "reporting-mta",
    "x-postfix-sender",
    "x-original-envelope-from",
    "original-envelope-from",
    "final-recipient",
    "original-recipient",
    "x-actual-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "x-powermta-bouncecategory",
];

/// PowerMTA's bounce categories (its `X-PowerMTA-BounceCategory` field, named in its user's
/// guide), as reasons. `other`, `bad-configuration` and `protocol-errors` name no reason.
fn powermta_category(value: &str) -> Option<Reason> {
    const CATEGORIES: &[(&str, Reason)] = &[
        ("bad-domain", Reason::HostUnknown),
        ("bad-mailbox", Reason::UserUnknown),
        ("inactive-mailbox", Reason::Suspend),
        ("message-expired", Reason::Expired),
        ("no-answer-from-host", Reason::NetworkError),
        ("bad-connection", Reason::NetworkError),
        ("policy-related", Reason::PolicyViolation),
        ("quota-issues", Reason::MailboxFull),
        ("routing-errors", Reason::SystemError),
        ("spam-related", Reason::SpamDetected),
        ("virus-related", Reason::VirusDetected),
        ("content-related", Reason::ContentError),
        ("relaying-issues", Reason::NoRelaying),
        ("invalid-sender", Reason::Rejected),
    ];
    let v = trim(value);
    CATEGORIES
        .iter()
        .find(|(name, _)| v.eq_ignore_ascii_case(name))
        .map(|&(_, r)| r)
}

/// Parse delivery-status text. Returns `None` when no recipient group is found.
pub(crate) fn parse(text: &str, max_rows: usize) -> Option<Dsn> {
    let mut dsn = Dsn::default();
    let mut cur = DsnRow::default();
    let mut in_recipient = false;
    for (name, value) in unfold_fields(text) {
        // The field's name in lower case when it is one read here (no copy per field).
        let lname = FIELDS
            .iter()
            .copied()
            .find(|f| name.eq_ignore_ascii_case(f))
            .unwrap_or("");
        match lname {
            "reporting-mta" => {
                dsn.reporting_mta = Some(typed_value(&value).to_string());
            }
            "x-postfix-sender" | "x-original-envelope-from" | "original-envelope-from" => {
                dsn.envelope_from = clean_address(typed_value(&value));
            }
            "final-recipient" | "original-recipient" | "x-actual-recipient" => {
                let is_final = lname == "final-recipient";
                let is_actual = lname == "x-actual-recipient";
                let starts_new = in_recipient
                    && ((is_final && cur.final_recipient.is_some())
                        || (lname == "original-recipient" && cur.original_recipient.is_some()));
                if starts_new {
                    push_row(&mut dsn, std::mem::take(&mut cur), max_rows);
                }
                in_recipient = true;
                let addr = clean_address(&utf8_address(&value));
                if is_final {
                    cur.final_recipient = addr;
                } else if is_actual {
                    if cur.final_recipient.is_none() {
                        cur.final_recipient = addr;
                    }
                } else {
                    cur.original_recipient = addr;
                }
            }
            "action" => {
                cur.action = Action::parse(&value);
                // Not in RFC 3464: SendGrid's `Action: expired` says the queue lifetime ran
                // out, the failure and its reason at once.
                if value
                    .trim_start()
                    .get(..7)
                    .is_some_and(|v| v.eq_ignore_ascii_case("expired"))
                {
                    cur.action = Some(Action::Failed);
                    cur.expired = true;
                }
            }
            "status" => cur.status = DsnStatus::parse(&value),
            "remote-mta" => cur.remote_mta = Some(typed_value(&value).to_string()),
            "diagnostic-code" => {
                if value
                    .trim_start()
                    .as_bytes()
                    .get(..6)
                    .is_some_and(|t| t.eq_ignore_ascii_case(b"x-unix"))
                {
                    cur.mailer_exit = true;
                }
                let v = typed_value(&value);
                if !cur.diagnostic.is_empty() {
                    cur.diagnostic.push(' ');
                }
                cur.diagnostic.push_str(v);
            }
            "x-powermta-bouncecategory" => cur.mta_category = powermta_category(&value),
            _ => {}
        }
        if dsn.rows.len() >= max_rows {
            break;
        }
    }
    if in_recipient {
        push_row(&mut dsn, cur, max_rows);
    }
    if dsn.rows.is_empty() { None } else { Some(dsn) }
}

fn push_row(dsn: &mut Dsn, row: DsnRow, max_rows: usize) {
    if row.has_recipient() && dsn.rows.len() < max_rows {
        dsn.rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_address_types_escapes_are_decoded() {
        assert_eq!(
            utf8_address(r"utf-8; j\x{00F6}rg@b\x{00FC}cher.example"),
            "jörg@bücher.example"
        );
        assert_eq!(
            utf8_address("UTF-8; jörg@bücher.example"),
            "jörg@bücher.example"
        );
        // Another type is read as written; a broken escape stays as it is.
        assert_eq!(
            utf8_address(r"rfc822; a\x{41}@example.com"),
            r"a\x{41}@example.com"
        );
        assert_eq!(
            utf8_address(r"utf-8; a\x{zz}@example.com"),
            r"a\x{zz}@example.com"
        );
        assert_eq!(
            utf8_address(r"utf-8; a\x{110000}b@x.example"),
            r"a\x{110000}b@x.example"
        );
        let d = parse(
            "Final-Recipient: utf-8; j\\x{00F6}rg@example.com\nAction: failed\nStatus: 5.1.1\n",
            10,
        )
        .expect("a row");
        assert_eq!(d.rows[0].recipient().as_deref(), Some("jörg@example.com"));
    }

    #[test]
    fn rfc3464_groups_are_read() {
        let t = "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 unknown\n  user\n\nFinal-Recipient: rfc822;b@example.org\nAction: delayed\nStatus: 4.4.7\n";
        let d = parse(t, 10).expect("dsn");
        assert_eq!(d.reporting_mta.as_deref(), Some("mx.example"));
        assert_eq!(d.rows.len(), 2);
        assert_eq!(d.rows[0].recipient().as_deref(), Some("a@example.org"));
        assert_eq!(d.rows[0].diagnostic, "550 5.1.1 unknown user");
        assert_eq!(d.rows[1].action, Some(Action::Delayed));
    }

    #[test]
    fn powermta_files_each_recipient_under_a_category() {
        let t = "Final-Recipient: rfc822; a@example.org\nStatus: 5.0.0\nX-PowerMTA-BounceCategory: quota-issues\n\nFinal-Recipient: rfc822; b@example.org\nStatus: 5.0.0\nX-PowerMTA-BounceCategory: other\n";
        let d = parse(t, 10).expect("dsn");
        assert_eq!(d.rows[0].mta_category, Some(Reason::MailboxFull));
        assert_eq!(d.rows[1].mta_category, None);
    }

    #[test]
    fn groups_without_blank_lines_still_split() {
        let t = "Final-Recipient: rfc822; a@example.org\nStatus: 5.1.1\nFinal-Recipient: rfc822; b@example.org\nStatus: 5.2.2\n";
        let d = parse(t, 10).expect("dsn");
        assert_eq!(d.rows.len(), 2);
    }

    #[test]
    fn sendgrids_expired_action_is_a_failure_for_lack_of_time() {
        let t = "Reporting-MTA: dns; sendgrid.net\n\nFinal-Recipient: rfc822; a@example.org\nAction: expired\nStatus: 4.0.0\nDiagnostic-Code: smtp; 550 Connection refused\n";
        let d = parse(t, 10).expect("dsn");
        assert_eq!(d.rows[0].action, Some(Action::Failed));
        assert!(d.rows[0].expired);
    }
}
