//! SPF facts → [`Finding`]s, each with its code, cause, severity and fix.
//!
//! Codes are public API (users grep for them): never rename one. [`CODES`] lists them all with
//! a line each, for the documentation.

use super::parse::{Mechanism, Qualifier, Record, Term, TermKind};
use crate::finding::{Cause, Finding, Severity};

/// Every SPF Finding code with one line on what it means.
pub const CODES: &[(&str, &str)] = &[
    (
        "SPF_OK",
        "The domain has one valid SPF record within the limits (info).",
    ),
    (
        "SPF_MISSING",
        "No SPF record: receivers get SPF 'none' and may reject or junk the mail.",
    ),
    (
        "SPF_MULTIPLE_RECORDS",
        "More than one v=spf1 TXT record: receivers answer permerror.",
    ),
    (
        "SPF_SYNTAX",
        "The record does not parse (position marked): receivers answer permerror.",
    ),
    (
        "SPF_TOO_MANY_LOOKUPS",
        "The tree needs more than 10 DNS-querying terms: permerror (RFC 7208 4.6.4).",
    ),
    (
        "SPF_TOO_MANY_VOID_LOOKUPS",
        "More than 2 lookups find nothing: permerror (RFC 7208 4.6.4).",
    ),
    (
        "SPF_LOOP",
        "An include/redirect leads back to a record already on the path.",
    ),
    (
        "SPF_PTR_MECHANISM",
        "The 'ptr' mechanism is deprecated (RFC 7208 5.5), slow and unreliable.",
    ),
    (
        "SPF_PASS_ALL",
        "'+all' authorises every host on the Internet to send as the domain.",
    ),
    (
        "SPF_NEUTRAL_ALL",
        "'?all' asserts nothing about unlisted hosts: spoofing is not stopped.",
    ),
    (
        "SPF_NO_ALL",
        "No 'all' and no redirect: unlisted hosts get neutral by default.",
    ),
    (
        "SPF_TERMS_AFTER_ALL",
        "Terms after 'all' are never evaluated (and redirect is ignored).",
    ),
    (
        "SPF_TARGET_NO_ADDRESS",
        "An a/mx target (or an MX host) has no A/AAAA address: a void lookup.",
    ),
    (
        "SPF_MX_TOO_MANY_HOSTS",
        "An mx target has more than 10 MX hosts: permerror (RFC 7208 4.6.4).",
    ),
    (
        "SPF_RECORD_TOO_LONG",
        "The record is over 450 bytes (warning) or 512 bytes (error).",
    ),
    (
        "SPF_STRING_TOO_LONG",
        "A TXT character-string is over 255 octets: it cannot be published as is.",
    ),
    (
        "SPF_TYPE99_RECORD",
        "The obsolete SPF RR type (99) is published; RFC 7208 removed it.",
    ),
    (
        "SPF_INCLUDE_NO_RECORD",
        "An include/redirect target has no SPF record: permerror.",
    ),
    (
        "SPF_DNS_TEMPFAIL",
        "A DNS query failed (timeout, SERVFAIL): could not decide (temporary).",
    ),
    (
        "SPF_TREE_TOO_LARGE",
        "The include tree is deeper or larger than the audit follows; not all of it was checked.",
    ),
    (
        "SPF_MACRO_NOT_FOLLOWED",
        "An include/redirect target uses macros: it depends on the message and is not walked (info).",
    ),
];

pub(crate) fn auth(code: &str, sev: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Authentication, sev, subject, summary)
}

pub(crate) fn config(code: &str, sev: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Configuration, sev, subject, summary)
}

/// The record text without the terms for which `drop(index, term)` is true, and with `all`
/// given the qualifier `all` when set (the fix for several lints).
pub(crate) fn rewrite(
    record: &Record,
    drop: impl Fn(usize, &Term) -> bool,
    all: Option<Qualifier>,
) -> String {
    let mut out = vec!["v=spf1".to_string()];
    for (i, t) in record.terms.iter().enumerate() {
        if drop(i, t) {
            continue;
        }
        match (&t.kind, all) {
            (
                TermKind::Directive {
                    mechanism: Mechanism::All,
                    ..
                },
                Some(q),
            ) => out.push(format!("{}all", q.symbol())),
            _ => out.push(t.text.clone()),
        }
    }
    out.join(" ")
}

/// One record made of several: every distinct term except `all` (first record's order first),
/// then the first record's `all`, or `~all`.
pub(crate) fn merge(records: &[Record]) -> String {
    let mut terms: Vec<String> = Vec::new();
    let mut all = None;
    for r in records {
        for t in &r.terms {
            match &t.kind {
                TermKind::Directive {
                    mechanism: Mechanism::All,
                    qualifier,
                } => {
                    all.get_or_insert(*qualifier);
                }
                _ => {
                    if !terms.iter().any(|x| x.eq_ignore_ascii_case(&t.text)) {
                        terms.push(t.text.clone());
                    }
                }
            }
        }
    }
    let all = match all {
        Some(Qualifier::Fail) => "-all",
        _ => "~all",
    };
    let mut out = vec!["v=spf1".to_string()];
    out.extend(terms);
    out.push(all.to_string());
    out.join(" ")
}
