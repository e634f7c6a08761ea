//! The Authentication-Results header field (RFC 8601) for an [`AuthReport`].
//!
//! One `method=result` entry per check, with the properties receivers conventionally add
//! (`smtp.mailfrom`, `header.d`, `header.s`, `header.b`, `header.from`, `policy.iprev`) and a
//! `reason` for failures. Lines are folded with CRLF + tab, ready to prepend to the message.

use crate::checks::auth::message::AuthReport;
use crate::checks::auth::outcome::AuthResult;

/// Renders the whole header field, `Authentication-Results: ...`, folded, without a final CRLF.
pub fn render(report: &AuthReport) -> String {
    let mut entries: Vec<String> = Vec::new();
    if let Some(iprev) = &report.iprev {
        entries.push(format!(
            "iprev={} policy.iprev={}",
            iprev.result,
            property_value(&iprev.ip.to_string())
        ));
    }
    if let Some(helo) = &report.spf.helo {
        entries.push(format!(
            "spf={} smtp.helo={}",
            helo.result,
            property_value(&helo.domain)
        ));
    }
    if let Some(mf) = &report.spf.mail_from
        && report.spf.helo.as_ref().is_none_or(|h| {
            h.domain != mf.domain
                || report
                    .envelope
                    .mail_from
                    .as_deref()
                    .is_some_and(|m| !m.is_empty())
        })
    {
        entries.push(format!(
            "spf={} smtp.mailfrom={}",
            mf.result,
            property_value(&mf.sender)
        ));
    }
    if report.dkim.signatures.is_empty() {
        entries.push("dkim=none".to_string());
    }
    for sig in &report.dkim.signatures {
        let mut e = format!("dkim={}", sig.result);
        if sig.result != AuthResult::Pass && !sig.detail.is_empty() {
            e.push_str(&format!(" reason={}", quoted(&sig.detail)));
        }
        if !sig.domain.is_empty() {
            e.push_str(&format!(" header.d={}", property_value(&sig.domain)));
        }
        if !sig.selector.is_empty() {
            e.push_str(&format!(" header.s={}", property_value(&sig.selector)));
        }
        if let Some(a) = &sig.algorithm {
            e.push_str(&format!(" header.a={a}"));
        }
        if !sig.b_prefix.is_empty() {
            e.push_str(&format!(" header.b={}", quoted(&sig.b_prefix)));
        }
        entries.push(e);
    }
    if let Some(arc) = &report.arc {
        entries.push(format!("arc={}", arc.result));
    }
    if let Some(dmarc) = &report.dmarc {
        let mut e = format!("dmarc={}", dmarc.result);
        if dmarc.record.is_some() {
            e.push_str(&format!(" policy.dmarc={}", dmarc.policy));
        }
        if let Some(from) = &dmarc.from_domain {
            e.push_str(&format!(" header.from={}", property_value(from)));
        }
        entries.push(e);
    }
    let mut out = format!("Authentication-Results: {}", report.authserv_id);
    if entries.is_empty() {
        out.push_str("; none");
    }
    for e in entries {
        out.push_str(";\r\n\t");
        out.push_str(&e);
    }
    out
}

/// A property value as a token, or quoted when it holds characters a token cannot.
fn property_value(v: &str) -> String {
    if !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | '+' | ':' | '/' | '=')
        })
    {
        v.to_string()
    } else {
        quoted(v)
    }
}

/// A quoted-string: backslash and double quote escaped, control characters dropped.
fn quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_spaces_are_quoted_and_escaped() {
        assert_eq!(property_value("good.example"), "good.example");
        assert_eq!(quoted("a \"b\"\r\n"), "\"a \\\"b\\\"  \"");
    }
}
