//! ARC (RFC 8617): is the chain of custody intact, and what did earlier hops record?
//!
//! mail-auth validates the chain (`verify_arc`: instance numbering, `cv=` values, the newest
//! ARC-Message-Signature and every ARC-Seal). This module adds what the earlier hops wrote in
//! their ARC-Authentication-Results, so that a forwarded message failing DMARC here but
//! passing upstream can be explained as "broken by forwarding" ([`explain_forwarding`]).
//!
//! It never decides to override DMARC: whether a receiver trusts a sealer is local policy.

use super::outcome::AuthResult;
use crate::dns::Resolver;
use crate::finding::{Cause, Finding, Severity};
use mail_auth::AuthenticatedMessage;
use serde::Serialize;

/// At most this many ARC sets are described in a report (RFC 8617 allows 50 in a chain).
pub const MAX_HOPS_SHOWN: usize = 50;
/// At most this many method results are read from one ARC-Authentication-Results field.
const MAX_RESULTS_PER_HOP: usize = 32;

/// One method result an earlier hop recorded (`dmarc=pass header.from=example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedResult {
    /// The method: `spf`, `dkim`, `dmarc`, `arc`, ...
    pub method: String,
    /// The result keyword as written.
    pub result: String,
    /// The properties (`header.from=example.com`, `smtp.mailfrom=...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
}

/// What one hop recorded in its ARC-Authentication-Results.
#[derive(Debug, Clone, Serialize)]
pub struct ArcHop {
    /// The ARC instance (`i=`), 1 = the first hop that sealed.
    pub instance: u32,
    /// The authserv-id of that hop (who wrote the results).
    pub authserv_id: String,
    /// The domain that sealed this set (`d=` of its ARC-Seal), when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealer: Option<String>,
    /// The results that hop recorded.
    pub results: Vec<RecordedResult>,
}

impl ArcHop {
    /// The result this hop recorded for `method`, if any (first one).
    pub fn result_of(&self, method: &str) -> Option<&RecordedResult> {
        self.results
            .iter()
            .find(|r| r.method.eq_ignore_ascii_case(method))
    }
}

/// The ARC validation of a message.
#[derive(Debug, Clone, Serialize)]
pub struct ArcReport {
    /// The chain validation result: pass, fail, none (no ARC headers), temperror.
    pub result: AuthResult,
    /// Why, for people.
    pub detail: String,
    /// How many ARC sets the message carries.
    pub instances: usize,
    /// What each hop recorded, oldest first.
    pub hops: Vec<ArcHop>,
}

/// Validates the ARC chain and reads what earlier hops recorded.
pub async fn check(
    dns: &Resolver,
    message: &AuthenticatedMessage<'_>,
) -> (ArcReport, Vec<Finding>) {
    let output = dns.authenticator().verify_arc(message).await;
    let structure = structural_problem(message);
    let (result, detail) = match (output.result(), structure) {
        (mail_auth::DkimResult::Pass | mail_auth::DkimResult::None, Some(problem)) => {
            (AuthResult::Fail, problem)
        }
        (result, _) => match result {
            mail_auth::DkimResult::Pass => {
                (AuthResult::Pass, "the ARC chain validates".to_string())
            }
            mail_auth::DkimResult::None => (AuthResult::None, "no ARC headers".to_string()),
            mail_auth::DkimResult::TempError(e) => (AuthResult::TempError, e.to_string()),
            mail_auth::DkimResult::Fail(e)
            | mail_auth::DkimResult::Neutral(e)
            | mail_auth::DkimResult::PermError(e) => (AuthResult::Fail, e.to_string()),
        },
    };
    let hops = recorded_hops(message);
    let report = ArcReport {
        result,
        detail,
        instances: message.as_headers.len().max(message.aar_headers.len()),
        hops,
    };
    let subject = report
        .hops
        .last()
        .and_then(|h| h.sealer.clone())
        .unwrap_or_else(|| "ARC chain".to_string());
    let findings = match result {
        AuthResult::None => Vec::new(),
        AuthResult::Pass => vec![
            Finding::new(
                "ARC_PASS",
                Cause::Authentication,
                Severity::Info,
                subject,
                format!(
                    "the ARC chain of {} hop(s) validates ({})",
                    report.instances,
                    report
                        .hops
                        .iter()
                        .map(|h| h.authserv_id.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .evidence("instances", report.instances),
        ],
        AuthResult::TempError => vec![
            Finding::new(
                "ARC_TEMPERROR",
                Cause::Authentication,
                Severity::Temporary,
                subject,
                format!("the ARC chain could not be checked: {}", report.detail),
            )
            .fix("Nothing to change if it passes on retry."),
        ],
        _ => vec![
            Finding::new(
                "ARC_FAIL",
                Cause::Authentication,
                Severity::Warning,
                subject,
                format!("the ARC chain does not validate: {}", report.detail),
            )
            .fix(
                "The results earlier hops recorded cannot be trusted. If you run the forwarder \
                 or list that sealed last, check its ARC signing key and that nothing after it \
                 modifies the message.",
            )
            .evidence("instances", report.instances),
        ],
    };
    (report, findings)
}

/// Tags every ARC-Seal must carry (RFC 8617 section 4.1.3).
const SEAL_REQUIRED: &[&str] = &["a", "b", "cv", "d", "i", "s"];
/// Tags every ARC-Message-Signature must carry (RFC 8617 section 4.1.2, RFC 6376 section 3.5).
const AMS_REQUIRED: &[&str] = &["a", "b", "bh", "d", "h", "i", "s"];
/// Signing algorithms an ARC header may name (the signature check itself is mail-auth's).
const ARC_ALGORITHMS: &[&str] = &["rsa-sha256", "rsa-sha1", "ed25519-sha256"];

/// RFC 8617 structure rules mail-auth 0.13.3's ARC parser lets through: strict tag-list syntax
/// (RFC 6376 section 3.2: tag names are case-sensitive `ALPHA *(ALPHA / DIGIT / "_")`, no empty
/// or duplicate tags), required tags, a known algorithm, no ARC-Seal in an AMS's `h=`, and no
/// ARC set without its ARC-Message-Signature. Written here because no crate checks them.
fn structural_problem(message: &AuthenticatedMessage<'_>) -> Option<String> {
    let mut arc_headers = 0;
    let mut ams_count = 0;
    for (name, value) in &message.headers {
        let (kind, required) = if name.eq_ignore_ascii_case(b"ARC-Seal") {
            ("ARC-Seal", SEAL_REQUIRED)
        } else if name.eq_ignore_ascii_case(b"ARC-Message-Signature") {
            ams_count += 1;
            ("ARC-Message-Signature", AMS_REQUIRED)
        } else {
            if name.eq_ignore_ascii_case(b"ARC-Authentication-Results") {
                arc_headers += 1;
            }
            continue;
        };
        arc_headers += 1;
        let text = String::from_utf8_lossy(value);
        let tags = match strict_tag_list(&text) {
            Ok(tags) => tags,
            Err(e) => return Some(format!("{kind}: {e}")),
        };
        for tag in required {
            if !tags.iter().any(|(k, _)| k == tag) {
                return Some(format!("{kind}: the required tag {tag}= is missing"));
            }
        }
        let value_of = |t: &str| {
            tags.iter()
                .find(|(k, _)| k == t)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let algorithm = value_of("a").to_ascii_lowercase();
        if !ARC_ALGORITHMS.contains(&algorithm.as_str()) {
            return Some(format!(
                "{kind}: a={algorithm} is not an ARC signing algorithm"
            ));
        }
        if kind == "ARC-Message-Signature"
            && value_of("h")
                .split(':')
                .any(|h| h.trim().eq_ignore_ascii_case("arc-seal"))
        {
            return Some("ARC-Message-Signature: h= must not include ARC-Seal".to_string());
        }
    }
    if arc_headers > 0 && ams_count == 0 {
        return Some("ARC headers without an ARC-Message-Signature".to_string());
    }
    None
}

/// Parses a tag-list strictly: `(name, value)` pairs, or what is wrong.
fn strict_tag_list(text: &str) -> Result<Vec<(String, String)>, String> {
    let parts: Vec<&str> = text.split(';').collect();
    let mut tags: Vec<(String, String)> = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        if part.trim().is_empty() {
            if n + 1 == parts.len() {
                break; // a trailing ';' is allowed
            }
            return Err("an empty tag (\";;\")".to_string());
        }
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!("{:?} is not a tag=value pair", part.trim()));
        };
        let name = name.trim();
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("{name:?} is not a valid tag name"));
        }
        if tags.iter().any(|(k, _)| k == name) {
            return Err(format!("the tag {name}= appears twice"));
        }
        let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        tags.push((name.to_string(), value));
    }
    Ok(tags)
}

/// Explains a DMARC failure here when an intact ARC chain shows it passed upstream.
///
/// Returns a Finding `ARC_BROKEN_BY_FORWARDING` when the chain validates and the first hop
/// recorded `dmarc=pass` (or an aligned `dkim=pass`/`spf=pass`) for the same From domain.
pub fn explain_forwarding(
    report: &ArcReport,
    dmarc_here: AuthResult,
    from_domain: &str,
) -> Option<Finding> {
    if report.result != AuthResult::Pass || dmarc_here == AuthResult::Pass {
        return None;
    }
    let first = report.hops.first()?;
    let passed_upstream = first
        .result_of("dmarc")
        .is_some_and(|r| r.result.eq_ignore_ascii_case("pass"))
        || first.results.iter().any(|r| {
            (r.method.eq_ignore_ascii_case("dkim") || r.method.eq_ignore_ascii_case("spf"))
                && r.result.eq_ignore_ascii_case("pass")
                && r.properties.iter().any(|(k, v)| {
                    (k == "header.d" || k == "header.i" || k == "smtp.mailfrom")
                        && v.to_ascii_lowercase()
                            .trim_start_matches('@')
                            .ends_with(from_domain)
                })
        });
    if !passed_upstream {
        return None;
    }
    let upstream = &first.authserv_id;
    let last = report
        .hops
        .last()
        .map_or(upstream.as_str(), |h| h.authserv_id.as_str());
    Some(
        Finding::new(
            "ARC_BROKEN_BY_FORWARDING",
            Cause::Authentication,
            Severity::Warning,
            from_domain,
            format!(
                "DMARC fails here but passed at {upstream}, the first hop; the intact ARC chain \
                 shows the message was broken by forwarding (last sealed by {last})"
            ),
        )
        .fix(format!(
            "The sender's setup is fine. Receivers that trust {last} as an ARC sealer accept \
             it; the forwarder can also stop modifying the message (subject tags, footers) or \
             rewrite From to its own domain."
        ))
        .evidence("upstream", upstream)
        .evidence("sealed_by", last),
    )
}

/// Reads every ARC-Authentication-Results (and the sealer of each ARC-Seal), oldest first.
pub fn recorded_hops(message: &AuthenticatedMessage<'_>) -> Vec<ArcHop> {
    let mut hops: Vec<ArcHop> = Vec::new();
    for (name, value) in &message.headers {
        if !name.eq_ignore_ascii_case(b"ARC-Authentication-Results") {
            continue;
        }
        if hops.len() >= MAX_HOPS_SHOWN {
            break;
        }
        if let Some(hop) = parse_aar(&String::from_utf8_lossy(value)) {
            hops.push(hop);
        }
    }
    for (name, value) in &message.headers {
        if !name.eq_ignore_ascii_case(b"ARC-Seal") {
            continue;
        }
        let text = String::from_utf8_lossy(value);
        let mut instance = None;
        let mut domain = None;
        for part in text.split(';') {
            if let Some((k, v)) = part.split_once('=') {
                match k.trim() {
                    "i" => instance = v.trim().parse::<u32>().ok(),
                    "d" => domain = Some(v.trim().to_ascii_lowercase()),
                    _ => {}
                }
            }
        }
        if let (Some(i), Some(d)) = (instance, domain)
            && let Some(hop) = hops.iter_mut().find(|h| h.instance == i)
        {
            hop.sealer = Some(d);
        }
    }
    hops.sort_by_key(|h| h.instance);
    hops
}

/// Removes RFC 5322 comments (nested parentheses) and unfolds.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            '\r' | '\n' => out.push(' '),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Parses `i=N; authserv-id; method=result prop=value ...; ...`.
fn parse_aar(value: &str) -> Option<ArcHop> {
    let text = strip_comments(value);
    let mut parts = text.split(';').map(str::trim);
    let instance = parts
        .next()?
        .strip_prefix("i=")?
        .trim()
        .parse::<u32>()
        .ok()?;
    let authserv_id = parts
        .next()?
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut results = Vec::new();
    for part in parts.take(MAX_RESULTS_PER_HOP) {
        let mut words = part.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let method = method
            .split('/')
            .next()
            .unwrap_or(method)
            .to_ascii_lowercase();
        let properties = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_string()))
            .collect();
        results.push(RecordedResult {
            method,
            result: result.to_ascii_lowercase(),
            properties,
        });
    }
    Some(ArcHop {
        instance,
        authserv_id,
        sealer: None,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aar_results_are_read_with_comments_removed() {
        let hop = parse_aar(
            " i=1; lists.example.org;\r\n spf=pass smtp.mailfrom=jqd@d1.example;\r\n dkim=pass (1024-bit key) header.i=@d1.example;\r\n dmarc=pass header.from=d1.example",
        )
        .expect("parses");
        assert_eq!(hop.instance, 1);
        assert_eq!(hop.authserv_id, "lists.example.org");
        assert_eq!(
            hop.result_of("dmarc").map(|r| r.result.as_str()),
            Some("pass")
        );
        assert_eq!(
            hop.result_of("dkim").map(|r| r.properties.clone()),
            Some(vec![("header.i".to_string(), "@d1.example".to_string())])
        );
    }
}
