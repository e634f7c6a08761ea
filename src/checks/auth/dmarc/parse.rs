//! DMARC record text → [`DmarcRecord`].
//!
//! Two readers look at each record. mail-auth's `Dmarc::parse` is the receiver's view: the
//! engine's own DMARC evaluation uses it, so when it rejects a record, receivers running it ignore
//! the record. Our tag scanner ([`crate::checks::tags`]) is the auditor's view: it says where
//! the error is, and sees tags mail-auth does not expose (`pct`, `rf`, `ri`, unknown tags).

use crate::checks::tags::{self, Tag, TagProblem};
use mail_auth::common::parse::TxtRecordParser;
use serde::Serialize;

/// Every tag RFC 9989 defines, plus the three it removed (reported as obsolete, not unknown).
pub const KNOWN_TAGS: [&str; 14] = [
    "v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "fo", "rua", "ruf", "pct", "rf", "ri",
];

/// A DMARC policy (`p`, `sp`, `np`), ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyValue {
    /// Monitoring only.
    None,
    /// Treat failing mail as suspicious (spam folder).
    Quarantine,
    /// Reject failing mail.
    Reject,
}

impl PolicyValue {
    /// The tag value as written in a record.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyValue::None => "none",
            PolicyValue::Quarantine => "quarantine",
            PolicyValue::Reject => "reject",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "none" => Some(PolicyValue::None),
            "quarantine" => Some(PolicyValue::Quarantine),
            "reject" => Some(PolicyValue::Reject),
            _ => None,
        }
    }
}

/// DKIM/SPF identifier alignment mode (`adkim`, `aspf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlignmentMode {
    /// Organizational domains must match (the default).
    Relaxed,
    /// Domains must match exactly.
    Strict,
}

impl AlignmentMode {
    /// The tag value as written (`r` or `s`).
    pub fn as_str(self) -> &'static str {
        match self {
            AlignmentMode::Relaxed => "r",
            AlignmentMode::Strict => "s",
        }
    }
}

/// The `psd` tag (RFC 9989): is the publishing domain a public suffix domain?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PsdFlag {
    /// `psd=y`: a public suffix operator's record.
    Yes,
    /// `psd=n`: this domain is an organizational domain.
    No,
    /// `psd=u`: undetermined (the default).
    Unknown,
}

/// One `rua`/`ruf` destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportUri {
    /// The URI as written, without the `!size` suffix.
    pub uri: String,
    /// The mail address, for `mailto:` URIs.
    pub address: Option<String>,
    /// The domain of the address (normalised).
    pub domain: Option<String>,
    /// The `!size` limit as written, if any.
    pub max_size: Option<String>,
    /// Why receivers cannot use this URI, if they cannot.
    pub problem: Option<String>,
}

/// A parsed DMARC record and what is wrong with its syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmarcRecord {
    /// The domain that publishes it (the record lives at `_dmarc.<domain>`).
    pub domain: String,
    /// The record text.
    pub text: String,
    /// False when receivers ignore the record (wrong version tag, or mail-auth rejects it).
    pub valid: bool,
    /// `p`, if present and valid.
    pub p: Option<PolicyValue>,
    /// `sp`, if present and valid.
    pub sp: Option<PolicyValue>,
    /// `np`, if present and valid.
    pub np: Option<PolicyValue>,
    /// `psd`, if present and valid.
    pub psd: Option<PsdFlag>,
    /// `t=y`: test mode.
    pub testing: bool,
    /// `adkim` (default relaxed).
    pub adkim: AlignmentMode,
    /// `aspf` (default relaxed).
    pub aspf: AlignmentMode,
    /// `fo`, as written.
    pub fo: Option<String>,
    /// Aggregate report destinations.
    pub rua: Vec<ReportUri>,
    /// Failure report destinations.
    pub ruf: Vec<ReportUri>,
    /// Every tag as written.
    pub tags: Vec<Tag>,
    /// Syntax problems, with byte positions.
    pub problems: Vec<TagProblem>,
}

/// True when a TXT record at `_dmarc.` is meant as a DMARC record (has a `v=DMARC...` tag, in
/// any case or position), so that misspelt versions are reported instead of silently skipped.
pub(crate) fn looks_like_dmarc(text: &str) -> bool {
    tags::scan(text).tags.iter().any(|t| {
        t.name == "v"
            && t.value
                .get(..5)
                .is_some_and(|v| v.eq_ignore_ascii_case("dmarc"))
    })
}

/// Parses the DMARC record `text` published by `domain`.
pub fn parse(domain: &str, text: &str) -> DmarcRecord {
    let list = tags::scan(text);
    let mut problems = list.problems.clone();
    let mut record = DmarcRecord {
        domain: domain.to_string(),
        text: text.to_string(),
        valid: true,
        p: None,
        sp: None,
        np: None,
        psd: None,
        testing: false,
        adkim: AlignmentMode::Relaxed,
        aspf: AlignmentMode::Relaxed,
        fo: None,
        rua: Vec::new(),
        ruf: Vec::new(),
        tags: list.tags.clone(),
        problems: Vec::new(),
    };
    match list.first() {
        Some(t)
            if t.name == "v"
                && t.value == "DMARC1"
                && t.position == text.len() - text.trim_start().len() => {}
        Some(t) if t.name == "v" => {
            record.valid = false;
            problems.push(TagProblem {
                position: t.position,
                message: format!(
                    "the version must be exactly \"v=DMARC1\", not \"v={}\"",
                    tags::clip(&t.value)
                ),
            });
        }
        _ => {
            record.valid = false;
            problems.push(TagProblem {
                position: 0,
                message: "the record must start with \"v=DMARC1\"".to_string(),
            });
        }
    }
    let bad = |problems: &mut Vec<TagProblem>, t: &Tag, expected: &str| {
        problems.push(TagProblem {
            position: t.position,
            message: format!("{}={:?}: expected {expected}", t.name, tags::clip(&t.value)),
        });
    };
    for t in &list.tags {
        match t.name.as_str() {
            "p" | "sp" | "np" => {
                let v = PolicyValue::parse(&t.value);
                if v.is_none() {
                    bad(&mut problems, t, "none, quarantine or reject");
                }
                match t.name.as_str() {
                    "p" => record.p = v,
                    "sp" => record.sp = v,
                    _ => record.np = v,
                }
            }
            "adkim" | "aspf" => {
                let v = match t.value.to_ascii_lowercase().as_str() {
                    "r" => Some(AlignmentMode::Relaxed),
                    "s" => Some(AlignmentMode::Strict),
                    _ => None,
                };
                match v {
                    None => bad(&mut problems, t, "r (relaxed) or s (strict)"),
                    Some(v) if t.name == "adkim" => record.adkim = v,
                    Some(v) => record.aspf = v,
                }
            }
            "psd" => {
                record.psd = match t.value.to_ascii_lowercase().as_str() {
                    "y" => Some(PsdFlag::Yes),
                    "n" => Some(PsdFlag::No),
                    "u" => Some(PsdFlag::Unknown),
                    _ => {
                        bad(&mut problems, t, "y, n or u");
                        None
                    }
                }
            }
            "t" => match t.value.to_ascii_lowercase().as_str() {
                "y" => record.testing = true,
                "n" => {}
                _ => bad(&mut problems, t, "y or n"),
            },
            "fo" => {
                let ok = !t.value.is_empty()
                    && t.value.split(':').all(|o| {
                        matches!(
                            o.trim().to_ascii_lowercase().as_str(),
                            "0" | "1" | "d" | "s"
                        )
                    });
                if !ok {
                    bad(&mut problems, t, "0, 1, d or s, separated by colons");
                }
                record.fo = Some(t.value.clone());
            }
            "rua" => record.rua = report_uris(&t.value),
            "ruf" => record.ruf = report_uris(&t.value),
            "pct" if !t.value.parse::<u8>().is_ok_and(|n| n <= 100) => {
                bad(&mut problems, t, "a number from 0 to 100");
            }
            "ri" if t.value.parse::<u32>().is_err() => {
                bad(&mut problems, t, "a number of seconds");
            }
            _ => {}
        }
    }
    // The receiver's view: mail-auth's parser is what the engine's DMARC evaluation uses.
    if mail_auth::dmarc::Dmarc::parse(text.as_bytes()).is_err() {
        if record.valid && problems.is_empty() {
            problems.push(TagProblem {
                position: 0,
                message: "the record cannot be parsed".to_string(),
            });
        }
        record.valid = false;
    }
    problems.sort_by_key(|p| p.position);
    record.problems = problems;
    record
}

/// Splits a `rua`/`ruf` value into URIs and checks each (RFC 9990: `mailto:` only).
fn report_uris(value: &str) -> Vec<ReportUri> {
    value
        .split(',')
        .map(str::trim)
        .map(|raw| {
            let (uri, max_size) = match raw.rsplit_once('!') {
                Some((u, size))
                    if size
                        .trim_end_matches(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T'])
                        .parse::<u64>()
                        .is_ok() =>
                {
                    (u.trim(), Some(size.to_string()))
                }
                _ => (raw, None),
            };
            let mut out = ReportUri {
                uri: uri.to_string(),
                address: None,
                domain: None,
                max_size,
                problem: None,
            };
            if uri.is_empty() {
                out.problem = Some("empty URI".into());
                return out;
            }
            let Some((scheme, rest)) = uri.split_once(':') else {
                out.problem = Some("not a URI: it must start with mailto:".into());
                return out;
            };
            if !scheme.eq_ignore_ascii_case("mailto") {
                out.problem = Some(format!(
                    "the {scheme}: scheme is not used for DMARC reports; only mailto: is"
                ));
                return out;
            }
            let address = percent_decode(rest.split('?').next().unwrap_or_default());
            let Some((local, domain)) = address.rsplit_once('@') else {
                out.problem = Some("the address has no @domain".into());
                return out;
            };
            if local.is_empty() {
                out.problem = Some("the address has no local part".into());
                return out;
            }
            match crate::names::normalize_domain(domain) {
                Ok(d) => out.domain = Some(d),
                Err(e) => out.problem = Some(format!("bad domain: {e}")),
            }
            out.address = Some(address);
            out
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl DmarcRecord {
    /// This record rewritten: `v=DMARC1` first, obsolete and unknown tags dropped, and `change`
    /// applied (`(tag, value)`; an empty value removes the tag, a missing tag is appended).
    pub fn suggested(&self, change: Option<(&str, &str)>) -> String {
        let mut parts: Vec<String> = vec!["v=DMARC1".to_string()];
        let mut applied = false;
        for t in &self.tags {
            if t.name == "v"
                || matches!(t.name.as_str(), "pct" | "rf" | "ri")
                || !KNOWN_TAGS.contains(&t.name.as_str())
            {
                continue;
            }
            match change {
                Some((name, value)) if name == t.name => {
                    applied = true;
                    if !value.is_empty() {
                        parts.push(format!("{name}={value}"));
                    }
                }
                _ => {
                    if let Some(value) = repaired(&t.name, &t.value) {
                        parts.push(format!("{}={value}", t.name));
                    }
                }
            }
        }
        if let Some((name, value)) = change
            && !applied
            && !value.is_empty()
        {
            if name == "p" {
                parts.insert(1, format!("{name}={value}"));
            } else {
                parts.push(format!("{name}={value}"));
            }
        }
        if !self.tags.iter().any(|t| t.name == "p") && !parts.iter().any(|p| p.starts_with("p=")) {
            parts.insert(1, "p=none".to_string());
        }
        parts.join("; ")
    }
}

/// The value a suggested record should carry for a tag as written: kept when valid, corrected
/// when the intent is clear (`p=rejected` → `reject`, `rua=a@b` → `mailto:a@b`), dropped when
/// it is not.
fn repaired(name: &str, value: &str) -> Option<String> {
    let v = value.trim();
    match name {
        "p" | "sp" | "np" => {
            let lower = v.to_ascii_lowercase();
            ["none", "quarantine", "reject"]
                .into_iter()
                .find(|p| lower == *p)
                .or_else(|| {
                    ["reject", "quarantine", "none"]
                        .into_iter()
                        .find(|p| lower.len() >= 3 && (lower.starts_with(&p[..3])))
                })
                .map(str::to_string)
        }
        "rua" | "ruf" => {
            let uris: Vec<String> = v
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| {
                    if u.contains(':') {
                        u.to_string()
                    } else {
                        format!("mailto:{u}")
                    }
                })
                .filter(|u| u.starts_with("mailto:") && u.contains('@'))
                .collect();
            (!uris.is_empty()).then(|| uris.join(","))
        }
        "adkim" | "aspf" => matches!(v, "r" | "s").then(|| v.to_string()),
        "t" | "psd" => matches!(v, "y" | "n" | "u").then(|| v.to_string()),
        _ => Some(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_record_repairs_values_whose_intent_is_clear() {
        let r = parse(
            "e.example",
            "v=DMARC1; p=rejected; rua=dmarc@e.example; adkim=x",
        );
        assert_eq!(
            r.suggested(None),
            "v=DMARC1; p=reject; rua=mailto:dmarc@e.example"
        );
    }

    #[test]
    fn parses_policy_alignment_and_reports() {
        let r = parse(
            "example.com",
            "v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:a@example.com!10m,mailto:b%40x@reports.example.net",
        );
        assert!(r.valid, "{:?}", r.problems);
        assert_eq!(r.p, Some(PolicyValue::Reject));
        assert_eq!(r.sp, Some(PolicyValue::Quarantine));
        assert_eq!(r.adkim, AlignmentMode::Strict);
        assert_eq!(r.rua.len(), 2);
        assert_eq!(r.rua[0].max_size.as_deref(), Some("10m"));
        assert_eq!(r.rua[1].domain.as_deref(), Some("reports.example.net"));
    }

    #[test]
    fn version_must_come_first_and_exact() {
        assert!(!parse("e.example", "p=reject; v=DMARC1").valid);
        assert!(!parse("e.example", "v=dmarc1; p=reject").valid);
        assert!(!parse("e.example", "v=DMARC1; p=rejected").valid);
        assert!(looks_like_dmarc("v=dmarc1; p=none"));
        assert!(!looks_like_dmarc("v=spf1 -all"));
    }

    #[test]
    fn suggested_record_replaces_and_drops_obsolete_tags() {
        let r = parse(
            "e.example",
            "v=DMARC1; p=none; pct=50; rua=mailto:d@e.example; foo=1",
        );
        assert_eq!(
            r.suggested(Some(("p", "quarantine"))),
            "v=DMARC1; p=quarantine; rua=mailto:d@e.example"
        );
        let r = parse("e.example", "v=DMARC1; rua=mailto:d@e.example");
        assert_eq!(
            r.suggested(None),
            "v=DMARC1; p=none; rua=mailto:d@e.example"
        );
    }
}
