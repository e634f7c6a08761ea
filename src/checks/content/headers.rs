//! Header signals: who the message claims to be from, and whether its basic header fields are
//! there and well formed.
//!
//! Reads only the top-level header of the message. What needs DNS ("can the From domain
//! receive mail?") is left to the orchestrator, which gets [`HeaderFacts::from_domain`] through
//! the report.

use super::phishing::{brand_in_text, is_brand_host, is_freemail, lookalike};
use super::{ContentContext, Sink, content_finding};
use crate::finding::{Cause, Finding, Severity};
use crate::names::registered_domain;
use mail_parser::{Address, HeaderName, HeaderValue, Message};

/// What the header checks learned, for the phishing and spam checks.
#[derive(Debug, Clone, Default)]
pub struct HeaderFacts {
    /// The Subject (decoded).
    pub subject: Option<String>,
    /// The domain of the first From address, lowercase.
    pub from_domain: Option<String>,
    /// The display name of the first From address.
    pub from_name: Option<String>,
    /// Domains of the Reply-To addresses.
    pub reply_to_domains: Vec<String>,
    /// The List-Unsubscribe field, if any.
    pub list_unsubscribe: Option<String>,
    /// The List-Unsubscribe-Post field, if any.
    pub list_unsubscribe_post: Option<String>,
    /// True when headers mark the message as bulk (Precedence bulk/list, List-Id, Feedback-ID,
    /// campaign ids); List-Unsubscribe itself is not counted.
    pub bulk: bool,
}

fn protocol(code: &str, severity: Severity, summary: impl Into<String>, fix: &str) -> Finding {
    Finding::new(code, Cause::Protocol, severity, "header", summary).fix(fix)
}

fn domain_of(addr: &str) -> Option<String> {
    let (_, d) = addr.trim().trim_matches(['<', '>']).rsplit_once('@')?;
    crate::names::normalize_domain(d).ok()
}

fn addresses<'a>(v: &'a Address<'a>) -> Vec<(Option<String>, Option<String>)> {
    v.iter()
        .map(|a| {
            (
                a.name().map(str::to_string),
                a.address().map(str::to_string),
            )
        })
        .collect()
}

/// Runs the header checks.
pub fn check(message: Option<&Message<'_>>, ctx: &ContentContext, sink: &mut Sink) -> HeaderFacts {
    let mut facts = HeaderFacts::default();
    let Some(msg) = message else {
        return facts;
    };
    let _ = ctx;
    facts.subject = msg
        .subject()
        .map(|s| super::html::truncate(s, 4096).to_string());

    let from_count = msg
        .headers()
        .iter()
        .filter(|h| matches!(h.name, HeaderName::From))
        .count();
    let froms: Vec<(Option<String>, Option<String>)> =
        msg.from().map(addresses).unwrap_or_default();
    if from_count == 0 || froms.iter().all(|(_, a)| a.is_none()) {
        sink.push(protocol(
            "HEADER_FROM_MISSING",
            Severity::Error,
            "the message has no usable From address",
            "Set a From header with one valid address (Name <user@your-domain>); receivers \
             refuse mail without one.",
        ));
    } else if from_count > 1 {
        sink.push(
            protocol(
                "HEADER_MULTIPLE_FROM",
                Severity::Error,
                format!("the message has {from_count} From header fields"),
                "Send exactly one From header field (RFC 5322); several are a spoofing trick \
                 and are refused.",
            )
            .evidence("from_fields", from_count),
        );
    } else if froms.len() > 1 && msg.sender().is_none() {
        sink.push(
            protocol(
                "HEADER_MULTIPLE_FROM",
                Severity::Warning,
                format!(
                    "From lists {} addresses and there is no Sender field",
                    froms.len()
                ),
                "Put one address in From (or add a Sender field naming the one who sent it).",
            )
            .evidence("from_addresses", froms.len()),
        );
    }
    if let Some((name, Some(addr))) = froms.first() {
        facts.from_domain = domain_of(addr);
        facts.from_name = name.clone();
    }
    let from_rd = facts.from_domain.as_deref().and_then(registered_domain);

    // Display name spoofing.
    if let (Some(name), Some(from_dom)) = (&facts.from_name, &facts.from_domain) {
        if let Some(shown) = address_in(name) {
            let shown_rd = registered_domain(&shown).unwrap_or(shown.clone());
            if Some(&shown_rd) != from_rd.as_ref() {
                sink.push(
                    content_finding(
                        "HEADER_DISPLAY_NAME_SPOOF",
                        Severity::Error,
                        from_dom.as_str(),
                        format!("the From display name shows an address at {shown} but the mail is from {from_dom}"),
                        "Put only a plain name in the From display name (\"Jane Doe\", \
                         \"Acme Billing\"), never an email address, least of all another one.",
                    )
                    .evidence("display_name", name)
                    .evidence("shown_domain", &shown),
                );
            }
        } else if let Some(brand) = brand_in_text(name)
            && !is_brand_host(brand, from_dom)
        {
            let free = from_rd.as_deref().is_some_and(is_freemail);
            sink.push(
                content_finding(
                    "HEADER_DISPLAY_NAME_SPOOF",
                    if free {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    from_dom.as_str(),
                    format!(
                        "the From display name names {} but the mail is from {from_dom}",
                        brand.label
                    ),
                    "Use your own organisation's name in the From display name; naming \
                     another company's brand from a domain it does not own reads as \
                     impersonation.",
                )
                .evidence("display_name", name)
                .evidence("brand", brand.label),
            );
        }
    }

    // Reply-To.
    let reply: Vec<String> = msg
        .reply_to()
        .map(addresses)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, a)| a.as_deref().and_then(domain_of))
        .collect();
    facts.reply_to_domains = reply.clone();
    if let Some(from_rd) = &from_rd {
        for d in &reply {
            let rd = registered_domain(d).unwrap_or(d.clone());
            if &rd == from_rd {
                continue;
            }
            let free = is_freemail(&rd) && !is_freemail(from_rd);
            let look = lookalike(d, std::slice::from_ref(from_rd));
            if free || look.is_some() {
                let why = if look.is_some() {
                    "a lookalike domain"
                } else {
                    "a free mailbox"
                };
                sink.push(
                    content_finding(
                        "REPLY_TO_MISMATCH",
                        if look.is_some() {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                        d.as_str(),
                        format!("replies go to {why} ({d}) while the mail is from {from_rd}"),
                        "Set Reply-To to an address at your own domain (or leave it out); \
                         replies diverted to a free mailbox or a lookalike domain are the mark \
                         of invoice and CEO fraud.",
                    )
                    .evidence("reply_to_domain", d)
                    .evidence("from_domain", from_rd),
                );
            }
        }
    }

    // Date.
    match msg.header(HeaderName::Date) {
        None => sink.push(protocol(
            "HEADER_DATE_MISSING",
            Severity::Warning,
            "the message has no Date header field",
            "Let your mail software add a Date header (RFC 5322 requires it).",
        )),
        Some(HeaderValue::DateTime(dt)) if dt.is_valid() && dt.year >= 1990 => {}
        Some(_) => sink.push(
            protocol(
                "HEADER_DATE_MALFORMED",
                Severity::Warning,
                "the Date header field is not a valid RFC 5322 date",
                "Send the Date in RFC 5322 form, e.g. \"Tue, 4 Jun 2024 10:00:00 +0000\".",
            )
            .evidence(
                "date",
                msg.header_raw(HeaderName::Date)
                    .map(|d| super::html::truncate(d.trim(), 100)),
            ),
        ),
    }

    // Message-ID.
    match msg.header_raw(HeaderName::MessageId) {
        None => sink.push(protocol(
            "HEADER_MESSAGE_ID_MISSING",
            Severity::Error,
            "the message has no Message-ID header field",
            "Let your mail software or server add a Message-ID (<unique@your-domain>); Gmail \
             and others refuse mail without one.",
        )),
        Some(raw) if !valid_message_id(raw) => sink.push(
            protocol(
                "HEADER_MESSAGE_ID_MALFORMED",
                Severity::Warning,
                "the Message-ID header field is not of the form <id@domain>",
                "Generate Message-IDs of the form <unique-part@your-domain>.",
            )
            .evidence("message_id", super::html::truncate(raw.trim(), 200)),
        ),
        Some(_) => {}
    }

    // Bulk markers.
    facts.list_unsubscribe = msg
        .header_raw(HeaderName::ListUnsubscribe)
        .map(|v| v.trim().to_string());
    facts.list_unsubscribe_post = msg
        .header_raw("List-Unsubscribe-Post")
        .map(|v| v.trim().to_string());
    let precedence_bulk = msg.header_raw("Precedence").is_some_and(|p| {
        let p = p.trim().to_ascii_lowercase();
        p == "bulk" || p == "list" || p == "junk"
    });
    facts.bulk = precedence_bulk
        || msg.header_raw(HeaderName::ListId).is_some()
        || msg.header_raw("Feedback-ID").is_some()
        || msg.header_raw("X-Campaign-ID").is_some()
        || msg.header_raw("X-CampaignID").is_some();
    facts
}

/// An email address written inside a display name (`"support@paypal.com" <x@evil.example>`),
/// as its domain.
fn address_in(name: &str) -> Option<String> {
    let at = name.find('@')?;
    let after = &name[at + 1..];
    let end = after
        .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(after.len());
    let dom = after[..end].trim_end_matches('.');
    if !dom.contains('.') {
        return None;
    }
    crate::names::normalize_domain(dom).ok()
}

fn valid_message_id(raw: &str) -> bool {
    let t = raw.trim();
    let Some(inner) = t.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return false;
    };
    let Some((left, right)) = inner.rsplit_once('@') else {
        return false;
    };
    !left.is_empty()
        && !right.is_empty()
        && !inner.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids() {
        assert!(valid_message_id(" <abc.123@example.com>"));
        assert!(!valid_message_id("abc@example.com"));
        assert!(!valid_message_id("<no-at-sign>"));
    }

    #[test]
    fn address_inside_display_name() {
        assert_eq!(
            address_in("support@paypal.com via Billing").as_deref(),
            Some("paypal.com")
        );
        assert_eq!(address_in("Jane Doe"), None);
    }
}
