//! DKIM key-record audit: the public keys a domain publishes at `<selector>._domainkey.<domain>`.
//!
//! What it decides: which selectors have a key, and whether each key record would let a
//! verifier check signatures (RFC 6376 section 3.6.1, RFC 8301 key sizes and hashes, RFC 8463
//! Ed25519): key type, RSA modulus length, test mode, revocation, syntax.
//!
//! What it never does: verify a message signature (that is the message-level DKIM check, built
//! on mail-auth), print, or choose an action.
//!
//! The selector a sender uses is not discoverable from DNS, so the audit tries the selectors it
//! is given plus [`COMMON_SELECTORS`]: not finding a key among the common ones proves nothing,
//! and is reported as such.
//!
//! Key lengths come from the DER inside `p=`: a SubjectPublicKeyInfo (what RFC 6376 says to
//! publish) or a bare PKCS#1 RSAPublicKey (which some tools publish and most verifiers accept),
//! read with the `spki` and `pkcs1` crates mail-auth already brings in.

use crate::checks::tags::{self, TagProblem};
use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use base64::Engine;
use hickory_proto::rr::{RData, RecordType};
use serde::Serialize;

/// Selectors tried on every domain, with the provider that uses each.
pub const COMMON_SELECTORS: [&str; 24] = [
    "google",        // Google Workspace
    "selector1",     // Microsoft 365
    "selector2",     // Microsoft 365
    "default",       // many hosting panels, OpenDKIM examples
    "dkim",          // generic
    "mail",          // generic, cPanel
    "smtp",          // generic
    "mx",            // generic
    "k1",            // Mailchimp / Mandrill
    "k2",            // Mailchimp
    "k3",            // Mailchimp
    "s1",            // SendGrid
    "s2",            // SendGrid
    "smtpapi",       // SendGrid (legacy)
    "mandrill",      // Mandrill
    "mte1",          // Mailchimp Transactional
    "pm",            // Postmark
    "everlytickey1", // Everlytic
    "everlytickey2", // Everlytic
    "sig1",          // iCloud custom domains
    "fm1",           // Fastmail
    "fm2",           // Fastmail
    "protonmail",    // Proton Mail
    "zoho",          // Zoho Mail
];

/// At most this many selectors are queried in one audit (given plus common).
pub const MAX_SELECTORS: usize = 64;
/// RSA keys shorter than this are refused by verifiers (RFC 8301 section 3.2).
pub const RSA_MIN_BITS: u32 = 1024;
/// RSA keys shorter than this are weak; RFC 8301 asks signers for at least 2048 bits.
pub const RSA_RECOMMENDED_BITS: u32 = 2048;

/// One key record found at `<selector>._domainkey.<domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DkimKey {
    /// The selector.
    pub selector: String,
    /// The DNS name queried.
    pub name: String,
    /// The CNAME target when the key is delegated (to an email provider, usually).
    pub cname: Option<String>,
    /// The record text.
    pub text: String,
    /// `k=`: `rsa` (the default) or `ed25519`, or what was written if unknown.
    pub key_type: String,
    /// RSA modulus length in bits (256 for Ed25519 is not given: Ed25519 keys have one size).
    pub bits: Option<u32>,
    /// `p=` is empty: the key is revoked.
    pub revoked: bool,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `h=`: acceptable hash algorithms (empty: all).
    pub hashes: Vec<String>,
    /// `s=`: service types (empty: all).
    pub services: Vec<String>,
    /// `n=`: notes.
    pub notes: Option<String>,
    /// Syntax problems; a key with problems cannot verify signatures.
    pub problems: Vec<TagProblem>,
}

/// The DKIM key audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DkimKeysAudit {
    /// The audited domain.
    pub domain: String,
    /// Every selector queried, given ones first.
    pub selectors_checked: Vec<String>,
    /// The selectors that have a key record.
    pub found: Vec<String>,
    /// The key records found.
    pub keys: Vec<DkimKey>,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

/// True when a TXT record is meant as a DKIM key record (has `v=DKIM1` first or a `p=` tag).
fn looks_like_key(text: &str) -> bool {
    let list = tags::scan(text);
    list.first()
        .is_some_and(|t| t.name == "v" && t.value.eq_ignore_ascii_case("DKIM1"))
        || list.get("p").is_some()
}

/// Parses the key record `text` found for `selector` at `name`.
pub fn parse_key(selector: &str, name: &str, text: &str) -> DkimKey {
    let list = tags::scan(text);
    let mut problems = list.problems.clone();
    let mut key = DkimKey {
        selector: selector.to_string(),
        name: name.to_string(),
        cname: None,
        text: text.to_string(),
        key_type: "rsa".to_string(),
        bits: None,
        revoked: false,
        testing: false,
        hashes: Vec::new(),
        services: Vec::new(),
        notes: list.get("n").map(str::to_string),
        problems: Vec::new(),
    };
    let problem = |problems: &mut Vec<TagProblem>, position: usize, message: String| {
        problems.push(TagProblem { position, message });
    };
    for (i, t) in list.tags.iter().enumerate() {
        match t.name.as_str() {
            "v" if i != 0 || t.value != "DKIM1" => problem(
                &mut problems,
                t.position,
                format!(
                    "v= must be first and exactly \"DKIM1\", not {:?}",
                    tags::clip(&t.value)
                ),
            ),
            "k" => {
                key.key_type = t.value.to_ascii_lowercase();
                if !matches!(key.key_type.as_str(), "rsa" | "ed25519") {
                    problem(
                        &mut problems,
                        t.position,
                        format!("unknown key type k={}", tags::clip(&t.value)),
                    );
                }
            }
            "h" => key.hashes = colon_list(&t.value),
            "s" => key.services = colon_list(&t.value),
            "t" => key.testing = colon_list(&t.value).iter().any(|f| f == "y"),
            _ => {}
        }
    }
    match list.tags.iter().find(|t| t.name == "p") {
        None => problem(
            &mut problems,
            0,
            "no p= tag: the record carries no public key".into(),
        ),
        Some(t) => {
            let b64: String = t.value.chars().filter(|c| !c.is_whitespace()).collect();
            if b64.is_empty() {
                key.revoked = true;
            } else {
                match base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
                    Err(e) => problem(
                        &mut problems,
                        t.position,
                        format!("p= is not valid base64: {e}"),
                    ),
                    Ok(der) => match key.key_type.as_str() {
                        "ed25519" if der.len() != 32 => problem(
                            &mut problems,
                            t.position,
                            format!(
                                "an Ed25519 key is 32 bytes (RFC 8463), this one is {}",
                                der.len()
                            ),
                        ),
                        "rsa" => match rsa_modulus_bits(&der) {
                            Some(bits) => key.bits = Some(bits),
                            None => problem(
                                &mut problems,
                                t.position,
                                "p= does not hold an RSA public key (neither \
                                 SubjectPublicKeyInfo nor RSAPublicKey DER)"
                                    .into(),
                            ),
                        },
                        _ => {}
                    },
                }
            }
        }
    }
    problems.sort_by_key(|p| p.position);
    key.problems = problems;
    key
}

fn colon_list(value: &str) -> Vec<String> {
    value
        .split(':')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The modulus length of an RSA public key given as SubjectPublicKeyInfo or PKCS#1 DER.
pub fn rsa_modulus_bits(der: &[u8]) -> Option<u32> {
    const RSA_ENCRYPTION: spki::ObjectIdentifier =
        spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    let pkcs1_der = match spki::SubjectPublicKeyInfoRef::try_from(der) {
        Ok(info) if info.algorithm.oid == RSA_ENCRYPTION => info.subject_public_key.as_bytes()?,
        Ok(_) => return None,
        Err(_) => der,
    };
    let key = pkcs1::RsaPublicKey::try_from(pkcs1_der).ok()?;
    let modulus = key.modulus.as_bytes();
    let first = *modulus.first()?;
    let bits = (modulus.len() as u64) * 8 - u64::from(first.leading_zeros());
    u32::try_from(bits).ok()
}

/// Audits the DKIM key records of `domain` for the given selectors plus [`COMMON_SELECTORS`].
pub async fn audit(dns: &Resolver, domain: &str, selectors: &[String]) -> DkimKeysAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let mut checked: Vec<(String, bool)> = Vec::new();
    for s in selectors {
        let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
        if !s.is_empty() && !checked.iter().any(|(c, _)| *c == s) {
            checked.push((s, true));
        }
    }
    for s in COMMON_SELECTORS {
        if !checked.iter().any(|(c, _)| c == s) {
            checked.push((s.to_string(), false));
        }
    }
    checked.truncate(MAX_SELECTORS);

    let answers = futures_util::future::join_all(checked.iter().map(|(s, _)| {
        let name = format!("{s}._domainkey.{domain}");
        async move {
            let answer = dns.txt(&name).await;
            (name, answer)
        }
    }))
    .await;

    let mut audit = DkimKeysAudit {
        domain: domain.clone(),
        selectors_checked: checked.iter().map(|(s, _)| s.clone()).collect(),
        found: Vec::new(),
        keys: Vec::new(),
        findings: Vec::new(),
    };
    let mut common_failures: Vec<String> = Vec::new();
    for ((selector, explicit), (name, answer)) in checked.iter().zip(answers) {
        let explicit = *explicit;
        match answer {
            Answer::Failed(e) => {
                if explicit {
                    audit.findings.push(tempfail(&name, &e.to_string()));
                } else {
                    common_failures.push(name);
                }
            }
            Answer::NxDomain | Answer::NoData => {
                if explicit {
                    audit.findings.push(not_found(&domain, selector, &name));
                }
            }
            Answer::Records(texts) => {
                let keys: Vec<String> = texts
                    .iter()
                    .filter(|t| explicit || looks_like_key(t))
                    .cloned()
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                if keys.len() > 1 {
                    audit.findings.push(
                        Finding::new(
                            "DKIM_KEY_MULTIPLE",
                            Cause::Authentication,
                            Severity::Warning,
                            name.clone(),
                            format!(
                                "{name} has {} TXT records; verifiers may pick any one",
                                keys.len()
                            ),
                        )
                        .fix(format!("Keep exactly one key record at {name}."))
                        .evidence("records", &keys),
                    );
                }
                let cname = match dns.lookup(&name, RecordType::CNAME).await {
                    Answer::Records(r) => r.iter().find_map(|d| match d {
                        RData::CNAME(c) => {
                            Some(c.0.to_ascii().trim_end_matches('.').to_ascii_lowercase())
                        }
                        _ => None,
                    }),
                    _ => None,
                };
                for text in keys {
                    let mut key = parse_key(selector, &name, &text);
                    key.cname = cname.clone();
                    key_findings(&mut audit.findings, &key, &domain, explicit);
                    if !audit.found.contains(selector) {
                        audit.found.push(selector.clone());
                    }
                    audit.keys.push(key);
                }
            }
        }
    }

    if audit.keys.is_empty() {
        if !common_failures.is_empty() {
            audit.findings.push(
                tempfail(&format!("_domainkey.{domain}"), "DNS lookups failed")
                    .evidence("names", &common_failures),
            );
        } else if !checked.iter().any(|(_, explicit)| *explicit) {
            audit.findings.push(
                Finding::new(
                    "DKIM_NO_KEYS_FOUND",
                    Cause::Authentication,
                    Severity::Warning,
                    domain.clone(),
                    format!(
                        "No DKIM key found under any of {} common selectors (this does not \
                         prove there is none: selectors can be any name)",
                        COMMON_SELECTORS.len()
                    ),
                )
                .fix(format!(
                    "Run again with --selector S, where S is the s= value in the \
                     DKIM-Signature header of a message you sent. If you do not sign your \
                     mail, enable DKIM at your mail provider, or generate a 2048-bit key and \
                     publish it:\n  S._domainkey.{domain}. IN TXT \"v=DKIM1; k=rsa; p=<base64 \
                     public key>\""
                ))
                .evidence("selectors", COMMON_SELECTORS),
            );
        }
    }
    audit
}

fn tempfail(name: &str, why: &str) -> Finding {
    Finding::new(
        "DKIM_DNS_TEMPFAIL",
        Cause::Authentication,
        Severity::Temporary,
        name,
        format!("Could not look up the DKIM key at {name}: {why}"),
    )
    .fix("Try again later; if it persists, check the domain's DNS servers answer TXT queries.")
    .evidence("error", why)
}

fn not_found(domain: &str, selector: &str, name: &str) -> Finding {
    Finding::new(
        "DKIM_KEY_NOT_FOUND",
        Cause::Authentication,
        Severity::Error,
        name,
        format!("No DKIM key at {name}: signatures with s={selector} fail verification"),
    )
    .fix(format!(
        "Publish the public key of selector {selector} (your mail provider shows it, often as \
         a CNAME to set up):\n  {name}. IN TXT \"v=DKIM1; k=rsa; p=<base64 public key>\"\nor \
         sign with a selector that is published for {domain}."
    ))
}

fn key_findings(findings: &mut Vec<Finding>, key: &DkimKey, domain: &str, explicit: bool) {
    let name = &key.name;
    let rotate = format!(
        "Generate a new 2048-bit RSA key (or Ed25519 alongside it), publish it under a new \
         selector, switch signing to it, then revoke the old one:\n  \
         NEWSELECTOR._domainkey.{domain}. IN TXT \"v=DKIM1; k=rsa; p=<base64 public key>\""
    );
    let before = findings.len();
    for problem in &key.problems {
        findings.push(
            Finding::new(
                "DKIM_KEY_SYNTAX",
                Cause::Authentication,
                Severity::Error,
                name.clone(),
                format!(
                    "DKIM key record error at character {}: {} (verifiers cannot use this key)",
                    problem.position + 1,
                    problem.message
                ),
            )
            .fix(format!(
                "Republish the record as your mail provider gives it, in the form:\n  \
                 {name}. IN TXT \"v=DKIM1; k=rsa; p=<base64 public key>\""
            ))
            .evidence("record", &key.text)
            .evidence("position", tags::mark(&key.text, problem.position)),
        );
    }
    if key.revoked {
        findings.push(
            Finding::new(
                "DKIM_KEY_REVOKED",
                Cause::Authentication,
                if explicit {
                    Severity::Error
                } else {
                    Severity::Info
                },
                name.clone(),
                format!(
                    "The key of selector {} is revoked (empty p=): signatures with it fail",
                    key.selector
                ),
            )
            .fix(format!(
                "If you still sign with selector {}, publish its public key again or switch \
                 signing to a selector that has one.",
                key.selector
            )),
        );
    }
    if let Some(bits) = key.bits {
        if bits < RSA_MIN_BITS {
            findings.push(
                Finding::new(
                    "DKIM_KEY_TOO_SHORT",
                    Cause::Authentication,
                    Severity::Error,
                    name.clone(),
                    format!(
                        "{bits}-bit RSA key: verifiers refuse keys under {RSA_MIN_BITS} bits \
                         (RFC 8301), so every signature with it fails"
                    ),
                )
                .fix(rotate.clone())
                .evidence("bits", bits),
            );
        } else if bits < RSA_RECOMMENDED_BITS {
            findings.push(
                Finding::new(
                    "DKIM_KEY_WEAK",
                    Cause::Authentication,
                    Severity::Warning,
                    name.clone(),
                    format!(
                        "{bits}-bit RSA key: accepted today, but {RSA_RECOMMENDED_BITS} bits \
                         is the recommended minimum"
                    ),
                )
                .fix(rotate.clone())
                .evidence("bits", bits),
            );
        }
    }
    if key.testing {
        findings.push(
            Finding::new(
                "DKIM_KEY_TESTING",
                Cause::Authentication,
                Severity::Warning,
                name.clone(),
                format!(
                    "Selector {} is in test mode (t=y): verifiers may treat its signatures as \
                     unsigned",
                    key.selector
                ),
            )
            .fix("Once signing works, remove t=y from the key record."),
        );
    }
    if !key.hashes.is_empty() && !key.hashes.iter().any(|h| h == "sha256") {
        findings.push(
            Finding::new(
                "DKIM_KEY_SHA1_ONLY",
                Cause::Authentication,
                Severity::Error,
                name.clone(),
                format!(
                    "h={} allows no SHA-256: rsa-sha1 signatures are refused (RFC 8301)",
                    key.hashes.join(":")
                ),
            )
            .fix(
                "Remove the h= tag (all hashes allowed) or set h=sha256, and sign with rsa-sha256.",
            ),
        );
    }
    if !key.services.is_empty() && !key.services.iter().any(|s| s == "*" || s == "email") {
        findings.push(
            Finding::new(
                "DKIM_KEY_SERVICE",
                Cause::Authentication,
                Severity::Error,
                name.clone(),
                format!(
                    "s={} does not include email: this key cannot verify mail",
                    key.services.join(":")
                ),
            )
            .fix("Remove the s= tag or set s=email."),
        );
    }
    let troubled = findings[before..]
        .iter()
        .any(|f| matches!(f.severity, Severity::Warning | Severity::Error));
    if !troubled && !key.revoked {
        let size = key.bits.map_or_else(
            || key.key_type.clone(),
            |b| format!("{b}-bit {}", key.key_type),
        );
        findings.push(
            Finding::new(
                "DKIM_KEY_OK",
                Cause::Authentication,
                Severity::Info,
                name.clone(),
                format!("DKIM key for selector {}: {size}", key.selector),
            )
            .evidence("cname", &key.cname),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rsa_length_from_spki_and_pkcs1() {
        // A 512-bit key as SubjectPublicKeyInfo and as a bare PKCS#1 RSAPublicKey (openssl).
        let spki_b64 = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALF7Q/49AOMi84j7/VqoUPnKxZ0N5fv0+/AA50xId3bX81rqUAtH4T9KQpLPdGTcwcKXpNZW+OOor9XHJlRjrD8CAwEAAQ==";
        let pkcs1_b64 = "MEgCQQCxe0P+PQDjIvOI+/1aqFD5ysWdDeX79PvwAOdMSHd21/Na6lALR+E/SkKSz3Rk3MHCl6TWVvjjqK/VxyZUY6w/AgMBAAE=";
        let decode = |s: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .expect("b64")
        };
        assert_eq!(rsa_modulus_bits(&decode(spki_b64)), Some(512));
        assert_eq!(rsa_modulus_bits(&decode(pkcs1_b64)), Some(512));
        assert_eq!(rsa_modulus_bits(b"garbage"), None);
        assert_eq!(rsa_modulus_bits(&[]), None);
    }

    #[test]
    fn revoked_and_garbage_keys() {
        assert!(parse_key("s", "s._domainkey.e", "v=DKIM1; p=").revoked);
        let bad = parse_key("s", "s._domainkey.e", "v=DKIM1; k=rsa; p=!!!notbase64");
        assert!(!bad.problems.is_empty());
        let ed = parse_key("s", "s._domainkey.e", "v=DKIM1; k=ed25519; p=AAAA");
        assert!(!ed.problems.is_empty());
    }
}
