//! DKIM (RFC 6376, RFC 8301, RFC 8463): every signature of a message, verified at a chosen
//! time, with the precise reason it failed.
//!
//! What it decides: for each DKIM-Signature (topmost first, at most
//! [`MAX_SIGNATURES_VERIFIED`]) a result keyword and, when it is not `pass`, the one reason that
//! decided it ([`DkimProblem`]), plus warnings that do not change the result (a weak key, an
//! `l=` tag, unsigned critical headers, a timestamp in the future).
//!
//! What it never does: decide what to do with the message, or apply DMARC. The per-signature
//! outputs it hands back in [`DkimVerification::outputs`] are what DMARC consumes.
//!
//! Why the verification loop is written here rather than calling mail-auth's `verify_dkim`:
//! mail-auth 0.13.3 reads the clock itself (so a signature with `x=` cannot be checked at the
//! time it was received), folds several causes into one error, has no cap on the number of
//! signatures, and does not measure the key. The building blocks are mail-auth's own
//! (signature parser, body hashes, header selection, key parser, signature check); this module
//! only orders them and keeps each outcome apart. Key records are fetched through the shared
//! [`Resolver`], so "no key" (NXDOMAIN/no data) and "could not ask" stay distinct.

use super::outcome::AuthResult;
use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use base64::Engine;
use mail_auth::common::crypto::{Algorithm, CryptoError};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::{DomainKey, VerifySignature};
use mail_auth::dkim::{Canonicalization, DkimError, Signature};
use mail_auth::{AuthenticatedMessage, DkimOutput, DnsError, Error as MailAuthError};
use serde::Serialize;

/// At most this many DKIM-Signature fields are verified per message (topmost first). Each one
/// costs a DNS query and a public-key operation; a message carrying hundreds is an attack on
/// the verifier, and no legitimate path adds more than a handful.
pub const MAX_SIGNATURES_VERIFIED: usize = 10;

/// RSA keys shorter than this are not acceptable (RFC 8301 section 3.2).
pub const MIN_RSA_KEY_BITS: usize = 1024;

/// RSA keys shorter than this are accepted but flagged (RFC 8301 recommends 2048).
pub const RECOMMENDED_RSA_KEY_BITS: usize = 2048;

/// A `t=` up to this many seconds ahead of the verifier's clock is clock skew, not a problem.
pub const FUTURE_TIMESTAMP_SKEW_SECS: u64 = 300;

/// Headers that, when present in the message but left out of `h=`, can be changed or added by
/// anyone on the path without breaking the signature.
pub const CRITICAL_HEADERS: &[&str] = &["subject", "date", "to", "reply-to", "content-type"];

/// The longest tag value copied from a malformed signature into a report.
const MAX_SHOWN_TAG_LEN: usize = 120;

/// Why a DKIM signature did not pass, or what is worth a warning about one that did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DkimProblem {
    /// The DKIM-Signature field cannot be parsed (missing tag, unknown version or algorithm).
    Malformed,
    /// `b=` or `bh=` is not valid base64.
    InvalidBase64,
    /// `h=` does not include From (RFC 6376 section 5.4: From must be signed).
    FromNotSigned,
    /// `i=` is not the signing domain or a subdomain of it.
    IdentityMismatch,
    /// rsa-sha1 is not acceptable any more (RFC 8301 section 3.1).
    RsaSha1,
    /// `x=` is in the past (or not after `t=`).
    Expired,
    /// `t=` is in the future (warning only).
    FutureTimestamp,
    /// The body changed after signing.
    BodyHashMismatch,
    /// The signature does not match the signed headers with the published key.
    SignatureMismatch,
    /// No key record at `selector._domainkey.domain`.
    KeyNotFound,
    /// The key record has an empty `p=`: the key was revoked.
    KeyRevoked,
    /// The key record is not a usable DKIM key.
    KeyInvalid,
    /// The key type does not match the signature algorithm.
    KeyTypeMismatch,
    /// The RSA key is shorter than [`MIN_RSA_KEY_BITS`].
    KeyTooShort,
    /// The RSA key is shorter than [`RECOMMENDED_RSA_KEY_BITS`] (warning only).
    KeyWeak,
    /// `l=` leaves part of the body unsigned (warning only).
    PartialBody,
    /// Critical headers present in the message are not signed (warning only).
    HeadersUnsigned,
    /// The key could not be fetched: DNS temporary failure.
    DnsTemporary,
}

/// The verification of one DKIM-Signature field.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    /// Position among the message's DKIM-Signature fields, 1 = topmost (most recent).
    pub index: usize,
    /// `d=`: the signing domain (as far as it could be read).
    pub domain: String,
    /// `s=`: the selector.
    pub selector: String,
    /// `a=`, e.g. `rsa-sha256`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// `c=`, e.g. `relaxed/relaxed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonicalization: Option<String>,
    /// `i=`: the agent or user identifier, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// `h=`: the signed header names, as listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signed_headers: Vec<String>,
    /// `l=`: the number of body octets signed, when limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_length: Option<u64>,
    /// `t=`: when it was signed (Unix time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// `x=`: when it expires (Unix time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<u64>,
    /// The first characters of `b=`, to tell signatures apart (RFC 6008 `header.b`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub b_prefix: String,
    /// The key type of the published record (`rsa`, `ed25519`), once fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<String>,
    /// The RSA key length in bits, once fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_bits: Option<usize>,
    /// The result keyword.
    pub result: AuthResult,
    /// The reason that decided a result other than pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<DkimProblem>,
    /// Problems that did not change the result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<DkimProblem>,
    /// One line of detail for people.
    pub detail: String,
}

impl SignatureCheck {
    /// `domain` with the selector, as people quote it: `s2048._domainkey.good.example`.
    pub fn key_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// Every DKIM signature of a message, as checked.
#[derive(Debug, Clone, Serialize)]
pub struct DkimReport {
    /// The checked signatures, topmost first (at most [`MAX_SIGNATURES_VERIFIED`]).
    pub signatures: Vec<SignatureCheck>,
    /// How many DKIM-Signature fields the message carries.
    pub total_signatures: usize,
    /// The time the signatures were checked at (Unix seconds).
    pub verified_at: u64,
}

impl DkimReport {
    /// The overall DKIM result: pass if any signature passed, else the most telling failure.
    pub fn result(&self) -> AuthResult {
        let results: Vec<AuthResult> = self.signatures.iter().map(|s| s.result).collect();
        for wanted in [
            AuthResult::Pass,
            AuthResult::TempError,
            AuthResult::Fail,
            AuthResult::Policy,
            AuthResult::PermError,
            AuthResult::Neutral,
        ] {
            if results.contains(&wanted) {
                return wanted;
            }
        }
        AuthResult::None
    }

    /// Signing domains whose signature passed.
    pub fn passing_domains(&self) -> Vec<&str> {
        self.signatures
            .iter()
            .filter(|s| s.result == AuthResult::Pass)
            .map(|s| s.domain.as_str())
            .collect()
    }
}

/// What [`verify`] hands back: the report, its findings, and mail-auth outputs for DMARC.
pub struct DkimVerification<'x> {
    /// The per-signature report.
    pub report: DkimReport,
    /// Findings about the signatures.
    pub findings: Vec<Finding>,
    /// One output per verified signature, in the form mail-auth's DMARC evaluation takes.
    pub outputs: Vec<DkimOutput<'x>>,
}

/// Verifies the message's DKIM signatures as they would have been verified at `now` (Unix
/// seconds): topmost first, at most [`MAX_SIGNATURES_VERIFIED`] of them.
pub async fn verify<'x>(
    dns: &Resolver,
    message: &'x AuthenticatedMessage<'x>,
    now: u64,
) -> DkimVerification<'x> {
    let mut checks = Vec::new();
    let mut outputs = Vec::new();
    let mut findings = Vec::new();
    let mut total = 0usize;
    for (name, value) in &message.headers {
        if !name.eq_ignore_ascii_case(b"DKIM-Signature") {
            continue;
        }
        total += 1;
        if checks.len() >= MAX_SIGNATURES_VERIFIED {
            continue;
        }
        let index = total;
        if let Some(header) = message
            .dkim_headers
            .iter()
            .find(|h| std::ptr::eq(h.value, *value))
        {
            let check = verify_one(
                dns,
                message,
                header.name,
                header.value,
                &header.header,
                index,
                now,
            )
            .await;
            outputs.push(to_output(&check, &header.header));
            checks.push(check);
        } else if let Some(err) = message
            .errors
            .iter()
            .find(|h| std::ptr::eq(h.value, *value))
        {
            let check = malformed(index, value, &err.header);
            outputs.push(DkimOutput::neutral(err.header.clone()));
            checks.push(check);
        }
    }

    let any_pass = checks.iter().any(|c| c.result == AuthResult::Pass);
    for check in &checks {
        findings.extend(findings_for(check, any_pass, message));
    }
    if total == 0 {
        findings.push(
            Finding::new(
                "DKIM_NONE",
                Cause::Authentication,
                Severity::Warning,
                message_from_domain(message).unwrap_or_default(),
                "the message carries no DKIM signature",
            )
            .fix(
                "Sign outgoing mail with DKIM for the domain in From (your mail server or provider \
                 has a DKIM setting; `fivefifty dkim keygen` makes a key and the TXT record to \
                 publish). Gmail, Yahoo and Microsoft require it of bulk senders.",
            ),
        );
    }
    if total > MAX_SIGNATURES_VERIFIED {
        findings.push(
            Finding::new(
                "DKIM_TOO_MANY_SIGNATURES",
                Cause::Authentication,
                Severity::Warning,
                message_from_domain(message).unwrap_or_default(),
                format!(
                    "the message carries {total} DKIM signatures; only the topmost \
                     {MAX_SIGNATURES_VERIFIED} were verified"
                ),
            )
            .fix(
                "Sign each message once per signing domain. Receivers cap the signatures they \
                 check, so the ones past the cap count for nothing.",
            )
            .evidence("signatures", total)
            .evidence("verified", MAX_SIGNATURES_VERIFIED),
        );
    }
    DkimVerification {
        report: DkimReport {
            signatures: checks,
            total_signatures: total,
            verified_at: now,
        },
        findings,
        outputs,
    }
}

fn message_from_domain(message: &AuthenticatedMessage<'_>) -> Option<String> {
    message
        .from
        .first()
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_string())
}

fn to_output<'x>(check: &SignatureCheck, signature: &'x Signature) -> DkimOutput<'x> {
    let out = match check.result {
        AuthResult::Pass => DkimOutput::pass(),
        AuthResult::TempError => {
            DkimOutput::temp_err(MailAuthError::Dns(DnsError::Resolver(check.detail.clone())))
        }
        AuthResult::PermError | AuthResult::Policy => {
            DkimOutput::perm_err(MailAuthError::Io(check.detail.clone()))
        }
        AuthResult::Neutral => DkimOutput::neutral(MailAuthError::Io(check.detail.clone())),
        _ => DkimOutput::fail(MailAuthError::Io(check.detail.clone())),
    };
    out.with_signature(signature)
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::RsaSha256 => "rsa-sha256",
        Algorithm::RsaSha1 => "rsa-sha1",
        Algorithm::Ed25519Sha256 => "ed25519-sha256",
    }
}

fn canon_name(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

fn b_prefix(b: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(b);
    encoded.chars().take(8).collect()
}

fn base_check(index: usize, sig: &Signature) -> SignatureCheck {
    SignatureCheck {
        index,
        domain: sig.d.to_ascii_lowercase(),
        selector: sig.s.clone(),
        algorithm: Some(algorithm_name(sig.a).to_string()),
        canonicalization: Some(format!("{}/{}", canon_name(sig.ch), canon_name(sig.cb))),
        identity: (!sig.i.is_empty()).then(|| sig.i.clone()),
        signed_headers: sig.h.clone(),
        body_length: (sig.l != 0).then_some(sig.l),
        timestamp: (sig.t != 0).then_some(sig.t),
        expiration: (sig.x != 0).then_some(sig.x),
        b_prefix: b_prefix(&sig.b),
        key_type: None,
        key_bits: None,
        result: AuthResult::Pass,
        problem: None,
        warnings: Vec::new(),
        detail: String::new(),
    }
}

fn decided(
    mut check: SignatureCheck,
    result: AuthResult,
    problem: DkimProblem,
    detail: impl Into<String>,
) -> SignatureCheck {
    check.result = result;
    check.problem = Some(problem);
    check.detail = detail.into();
    check
}

async fn verify_one(
    dns: &Resolver,
    message: &AuthenticatedMessage<'_>,
    header_name: &[u8],
    header_value: &[u8],
    sig: &Signature,
    index: usize,
    now: u64,
) -> SignatureCheck {
    let mut check = base_check(index, sig);

    if !sig.h.iter().any(|h| h.trim().eq_ignore_ascii_case("from")) {
        return decided(
            check,
            AuthResult::PermError,
            DkimProblem::FromNotSigned,
            "h= does not include From; RFC 6376 requires From to be signed",
        );
    }
    if !identity_within_domain(&sig.i, &sig.d) {
        return decided(
            check,
            AuthResult::PermError,
            DkimProblem::IdentityMismatch,
            format!("i={} is not within d={}", sig.i, sig.d),
        );
    }
    if sig.a == Algorithm::RsaSha1 {
        return decided(
            check,
            AuthResult::Policy,
            DkimProblem::RsaSha1,
            "rsa-sha1 signatures are not acceptable (RFC 8301)",
        );
    }
    if sig.x != 0 && (sig.x <= now || (sig.t != 0 && sig.x <= sig.t)) {
        return decided(
            check,
            AuthResult::Fail,
            DkimProblem::Expired,
            format!("the signature expired at x={} (checked at {now})", sig.x),
        );
    }
    if sig.t > now.saturating_add(FUTURE_TIMESTAMP_SKEW_SECS) {
        check.warnings.push(DkimProblem::FutureTimestamp);
    }

    // Body hash: mail-auth computed one per (canonicalization, hash, l=) while parsing.
    let hash = mail_auth::common::crypto::HashAlgorithm::from(sig.a);
    let Some(body_hash) = message
        .body_hashes
        .iter()
        .find(|(c, h, l, _)| *c == sig.cb && *h == hash && *l == sig.l)
        .map(|(_, _, _, bh)| bh)
    else {
        return decided(
            check,
            AuthResult::PermError,
            DkimProblem::Malformed,
            "no body hash was computed for this signature",
        );
    };
    if body_hash != &sig.bh {
        return decided(
            check,
            AuthResult::Fail,
            DkimProblem::BodyHashMismatch,
            "the body hash does not match: the body was changed after signing",
        );
    }

    // The key.
    let key_name = format!("{}._domainkey.{}", sig.s, sig.d);
    let records = match dns.txt(&key_name).await {
        Answer::Records(r) => r,
        Answer::NxDomain | Answer::NoData => {
            return decided(
                check,
                AuthResult::PermError,
                DkimProblem::KeyNotFound,
                format!("no key record at {key_name}"),
            );
        }
        Answer::Failed(f) => {
            return decided(
                check,
                AuthResult::TempError,
                DkimProblem::DnsTemporary,
                format!("the key at {key_name} could not be fetched: {f}"),
            );
        }
    };
    let key = match parse_key(&records) {
        Ok(k) => k,
        Err((problem, detail)) => {
            return decided(
                check,
                AuthResult::PermError,
                problem,
                format!("{key_name}: {detail}"),
            );
        }
    };
    check.key_type = Some(key.kind.to_string());
    check.key_bits = key.bits;
    let key_is_ed25519 = key.kind == "ed25519";
    if key_is_ed25519 != (sig.a == Algorithm::Ed25519Sha256) {
        return decided(
            check,
            AuthResult::PermError,
            DkimProblem::KeyTypeMismatch,
            format!(
                "the signature uses {} but {key_name} publishes a k={} key",
                algorithm_name(sig.a),
                key.kind
            ),
        );
    }
    if let Some(bits) = key.bits {
        if bits < MIN_RSA_KEY_BITS {
            return decided(
                check,
                AuthResult::Policy,
                DkimProblem::KeyTooShort,
                format!(
                    "{key_name} is a {bits}-bit RSA key; at least {MIN_RSA_KEY_BITS} bits are required (RFC 8301)"
                ),
            );
        }
        if bits < RECOMMENDED_RSA_KEY_BITS {
            check.warnings.push(DkimProblem::KeyWeak);
        }
    }
    if key.strict_identity && !sig.i.is_empty() {
        let auid_domain = sig.i.rsplit_once('@').map_or("", |(_, d)| d);
        if !auid_domain.eq_ignore_ascii_case(&sig.d) {
            return decided(
                check,
                AuthResult::PermError,
                DkimProblem::IdentityMismatch,
                format!(
                    "{key_name} has t=s, so i= must be in d={} exactly, not {}",
                    sig.d, sig.i
                ),
            );
        }
    }

    // The signature over the headers.
    let stripped = strip_b_value(header_value);
    let mut headers = message.signed_headers(&sig.h, header_name, &stripped);
    if let Err(err) = key
        .key
        .p
        .verify(&mut headers, sig.signature(), sig.ch, sig.a)
    {
        return match err {
            MailAuthError::Crypto(CryptoError::IncompatibleAlgorithms) => decided(
                check,
                AuthResult::PermError,
                DkimProblem::KeyTypeMismatch,
                format!(
                    "the key at {key_name} does not fit {}",
                    algorithm_name(sig.a)
                ),
            ),
            MailAuthError::Crypto(CryptoError::Library(e)) => decided(
                check,
                AuthResult::PermError,
                DkimProblem::KeyInvalid,
                format!("{key_name}: the public key cannot be used: {e}"),
            ),
            _ => decided(
                check,
                AuthResult::Fail,
                DkimProblem::SignatureMismatch,
                "the signature does not verify with the published key",
            ),
        };
    }

    // Passed: collect the warnings that do not change the result.
    if sig.l != 0 {
        check.warnings.push(DkimProblem::PartialBody);
    }
    if !unsigned_critical_headers(message, &sig.h).is_empty() {
        check.warnings.push(DkimProblem::HeadersUnsigned);
    }
    check.detail = format!("signature by {} verified with {key_name}", sig.d);
    check
}

fn identity_within_domain(i: &str, d: &str) -> bool {
    if i.is_empty() {
        return true;
    }
    let Some((_, auid)) = i.rsplit_once('@') else {
        return false;
    };
    let auid = auid.to_ascii_lowercase();
    let d = d.to_ascii_lowercase();
    auid == d || auid.ends_with(&format!(".{d}"))
}

/// The critical headers present in the message but not among `signed` (a signature's `h=`).
fn unsigned_critical_headers(
    message: &AuthenticatedMessage<'_>,
    signed: &[String],
) -> Vec<&'static str> {
    CRITICAL_HEADERS
        .iter()
        .copied()
        .filter(|name| {
            message
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
                && !signed.iter().any(|h| h.trim().eq_ignore_ascii_case(name))
        })
        .collect()
}

/// A parsed key record with what mail-auth's parser does not tell.
struct Key {
    key: DomainKey,
    kind: &'static str,
    bits: Option<usize>,
    strict_identity: bool,
}

/// Picks and parses the key among the TXT records at the selector name.
fn parse_key(records: &[String]) -> Result<Key, (DkimProblem, String)> {
    let mut last_err = (
        DkimProblem::KeyInvalid,
        "no DKIM key record among the TXT records".to_string(),
    );
    for record in records {
        let tags = tag_list(record);
        let kind = match tags
            .iter()
            .find(|(k, _)| k == "k")
            .map(|(_, v)| v.to_ascii_lowercase())
        {
            None => "rsa",
            Some(k) if k == "rsa" => "rsa",
            Some(k) if k == "ed25519" => "ed25519",
            Some(k) => {
                last_err = (DkimProblem::KeyInvalid, format!("unknown key type k={k}"));
                continue;
            }
        };
        let p = tags.iter().find(|(k, _)| k == "p").map(|(_, v)| v.as_str());
        match p {
            Some("") => {
                return Err((
                    DkimProblem::KeyRevoked,
                    "p= is empty: the key was revoked".into(),
                ));
            }
            None => {
                last_err = (
                    DkimProblem::KeyInvalid,
                    format!("no p= tag in {:?}", shorten(record)),
                );
                continue;
            }
            Some(p) => {
                let Ok(der) = base64::engine::general_purpose::STANDARD.decode(p) else {
                    last_err = (DkimProblem::KeyInvalid, "p= is not valid base64".into());
                    continue;
                };
                let bits = if kind == "rsa" {
                    match rsa_modulus_bits(&der) {
                        Some(b) => Some(b),
                        None => {
                            last_err = (
                                DkimProblem::KeyInvalid,
                                "p= is not an RSA public key".into(),
                            );
                            continue;
                        }
                    }
                } else {
                    if der.len() != 32 {
                        last_err = (
                            DkimProblem::KeyInvalid,
                            format!("an Ed25519 key is 32 bytes, p= holds {}", der.len()),
                        );
                        continue;
                    }
                    None
                };
                match DomainKey::parse(record.as_bytes()) {
                    Ok(key) => {
                        let strict_identity = tags
                            .iter()
                            .find(|(k, _)| k == "t")
                            .is_some_and(|(_, v)| v.split(':').any(|f| f.trim() == "s"));
                        return Ok(Key {
                            key,
                            kind,
                            bits,
                            strict_identity,
                        });
                    }
                    Err(MailAuthError::Dkim(DkimError::RevokedPublicKey)) => {
                        return Err((
                            DkimProblem::KeyRevoked,
                            "p= is empty: the key was revoked".into(),
                        ));
                    }
                    Err(e) => {
                        last_err = (
                            DkimProblem::KeyInvalid,
                            format!("the key record does not parse: {e}"),
                        );
                    }
                }
            }
        }
    }
    Err(last_err)
}

/// Whether the record at a selector is a DKIM key that flags testing mode (`t=y`).
pub fn key_record_is_testing(record: &str) -> bool {
    tag_list(record)
        .iter()
        .any(|(k, v)| k == "t" && v.split(':').any(|f| f.trim() == "y"))
}

/// A DKIM tag list (`k=v; k=v`) as (lowercase name, value without whitespace) pairs. Lenient:
/// used to read what can be read from records and malformed signatures.
fn tag_list(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            let value: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            Some((k.trim().to_ascii_lowercase(), value))
        })
        .collect()
}

fn shorten(text: &str) -> String {
    if text.len() <= MAX_SHOWN_TAG_LEN {
        return text.to_string();
    }
    let mut end = MAX_SHOWN_TAG_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Modulus length of an RSA public key given as SubjectPublicKeyInfo or PKCS#1 DER.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    use rsa::pkcs1::der::Decode;
    let spki = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der).ok();
    let pkcs1 = match &spki {
        Some(s) => s.subject_public_key.raw_bytes(),
        None => der,
    };
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1).ok()?;
    let modulus = key.modulus.as_bytes();
    let first = modulus.iter().position(|b| *b != 0)?;
    let modulus = &modulus[first..];
    let top = *modulus.first()?;
    Some(modulus.len() * 8 - top.leading_zeros() as usize)
}

/// The DKIM-Signature value with the value of its `b=` tag removed and without the line's
/// trailing CRLF (RFC 6376 section 3.7), byte for byte otherwise.
pub fn strip_b_value(value: &[u8]) -> Vec<u8> {
    let value = value
        .strip_suffix(b"\r\n")
        .or_else(|| value.strip_suffix(b"\n"))
        .unwrap_or(value);
    let mut out = Vec::with_capacity(value.len());
    for (n, segment) in value.split(|b| *b == b';').enumerate() {
        if n > 0 {
            out.push(b';');
        }
        let start = segment
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(segment.len());
        let is_b = segment.get(start) == Some(&b'b') && {
            let after = &segment[start + 1..];
            let eq = after
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(after.len());
            after.get(eq) == Some(&b'=')
        };
        if is_b {
            let eq = segment
                .iter()
                .position(|b| *b == b'=')
                .unwrap_or(segment.len() - 1);
            out.extend_from_slice(&segment[..=eq]);
        } else {
            out.extend_from_slice(segment);
        }
    }
    out
}

fn malformed(index: usize, value: &[u8], err: &MailAuthError) -> SignatureCheck {
    let text = String::from_utf8_lossy(value);
    let tags = tag_list(&text);
    let tag = |name: &str| {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| shorten(v))
            .unwrap_or_default()
    };
    let (problem, detail) = match err {
        MailAuthError::Base64 => (
            DkimProblem::InvalidBase64,
            "b= or bh= is not valid base64".to_string(),
        ),
        MailAuthError::MissingParameters => (
            DkimProblem::Malformed,
            "a required tag is missing or empty (v=, a=, d=, s=, h=, bh= and b= are required)"
                .to_string(),
        ),
        MailAuthError::Dkim(DkimError::UnsupportedVersion) => {
            (DkimProblem::Malformed, format!("v={} is not 1", tag("v")))
        }
        MailAuthError::Dkim(DkimError::UnsupportedAlgorithm) => (
            DkimProblem::Malformed,
            format!(
                "a={} is not a DKIM algorithm (rsa-sha256, ed25519-sha256)",
                tag("a")
            ),
        ),
        MailAuthError::Dkim(DkimError::UnsupportedCanonicalization) => (
            DkimProblem::Malformed,
            format!("c={} is not simple or relaxed", tag("c")),
        ),
        MailAuthError::Dkim(DkimError::SignatureLength) => (
            DkimProblem::PartialBody,
            "the l= tag is not accepted".to_string(),
        ),
        other => (DkimProblem::Malformed, format!("cannot parse: {other}")),
    };
    SignatureCheck {
        index,
        domain: tag("d").to_ascii_lowercase(),
        selector: tag("s"),
        algorithm: None,
        canonicalization: None,
        identity: None,
        signed_headers: Vec::new(),
        body_length: None,
        timestamp: None,
        expiration: None,
        b_prefix: String::new(),
        key_type: None,
        key_bits: None,
        result: AuthResult::Neutral,
        problem: Some(problem),
        warnings: Vec::new(),
        detail,
    }
}

/// The likely cause of a body hash mismatch, from what the message shows.
fn body_change_cause(message: &AuthenticatedMessage<'_>, check: &SignatureCheck) -> String {
    let header = |name: &str| {
        message
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_string())
    };
    let mut cause = if let Some(list) = header("List-Id") {
        format!(
            "The message went through a mailing list ({list}), which most likely added a footer or \
             rewrote the body."
        )
    } else {
        "The body was changed after signing: most often a footer or disclaimer added by an \
         outbound gateway, a security scanner rewriting links, or a re-encoding \
         (quoted-printable/base64, line endings)."
            .to_string()
    };
    if check
        .canonicalization
        .as_deref()
        .is_some_and(|c| c.ends_with("/simple"))
    {
        cause.push_str(
            " The signature uses simple body canonicalization, which breaks on any whitespace \
             change; relaxed/relaxed survives more.",
        );
    }
    cause
}

fn findings_for(
    check: &SignatureCheck,
    any_pass: bool,
    message: &AuthenticatedMessage<'_>,
) -> Vec<Finding> {
    let subject = if check.domain.is_empty() {
        format!("DKIM-Signature #{}", check.index)
    } else {
        format!("{} (s={})", check.domain, check.selector)
    };
    let fail_severity = if any_pass {
        Severity::Warning
    } else {
        Severity::Error
    };
    let key_name = check.key_name();
    let mut out = Vec::new();
    let base = |code: &str, severity: Severity, summary: String| {
        Finding::new(
            code,
            Cause::Authentication,
            severity,
            subject.clone(),
            summary,
        )
        .evidence("signature", check.index)
        .evidence("detail", &check.detail)
    };
    match check.problem {
        None => out.push(
            base(
                "DKIM_PASS",
                Severity::Info,
                format!("DKIM signature #{} by {} passes", check.index, check.domain),
            )
            .evidence("key_bits", check.key_bits)
            .evidence("algorithm", &check.algorithm),
        ),
        Some(problem) => {
            let (code, severity, summary, fix): (&str, Severity, String, String) = match problem {
                DkimProblem::Malformed => (
                    "DKIM_MALFORMED",
                    fail_severity,
                    format!("DKIM signature #{} is malformed: {}", check.index, check.detail),
                    "Fix the signer's configuration: the DKIM-Signature must carry v=1, a=, d=, s=, \
                     h= (including From), bh= and b=. Often a broken milter or a header rewritten \
                     on the way."
                        .into(),
                ),
                DkimProblem::InvalidBase64 => (
                    "DKIM_INVALID_BASE64",
                    fail_severity,
                    format!("DKIM signature #{}: b= or bh= is not valid base64", check.index),
                    "Something on the path rewrote the DKIM-Signature field (line wrapping, \
                     character set conversion). Send it unmodified, or sign after that step."
                        .into(),
                ),
                DkimProblem::FromNotSigned => (
                    "DKIM_FROM_NOT_SIGNED",
                    fail_severity,
                    format!("DKIM signature #{} does not sign the From header", check.index),
                    "Add From to the signed headers (h=) of your DKIM signer; receivers must \
                     ignore a signature that does not cover From."
                        .into(),
                ),
                DkimProblem::IdentityMismatch => (
                    "DKIM_IDENTITY_MISMATCH",
                    fail_severity,
                    format!("DKIM signature #{}: {}", check.index, check.detail),
                    "Set i= to an address at the signing domain d= (or one of its subdomains), \
                     or drop i=."
                        .into(),
                ),
                DkimProblem::RsaSha1 => (
                    "DKIM_RSA_SHA1",
                    fail_severity,
                    format!(
                        "DKIM signature #{} uses rsa-sha1, which receivers no longer accept (RFC 8301)",
                        check.index
                    ),
                    "Switch the signer to rsa-sha256 (or ed25519-sha256 alongside it).".into(),
                ),
                DkimProblem::Expired => (
                    "DKIM_EXPIRED",
                    fail_severity,
                    format!("DKIM signature #{} has expired (x={})", check.index, check.expiration.unwrap_or(0)),
                    "Give signatures a longer lifetime (x= at least several days after t=) or \
                     none; delivery retries can take days."
                        .into(),
                ),
                DkimProblem::BodyHashMismatch => (
                    "DKIM_BODY_HASH_MISMATCH",
                    fail_severity,
                    format!(
                        "DKIM signature #{} by {}: the body was changed after signing (body hash mismatch)",
                        check.index, check.domain
                    ),
                    format!(
                        "{} Sign after the last step that changes the body, or stop that step \
                         from changing it.",
                        body_change_cause(message, check)
                    ),
                ),
                DkimProblem::SignatureMismatch => (
                    "DKIM_SIGNATURE_MISMATCH",
                    fail_severity,
                    format!(
                        "DKIM signature #{} by {} does not verify with the key at {key_name}",
                        check.index, check.domain
                    ),
                    format!(
                        "Either a signed header was changed after signing (a list adding a \
                         Subject tag, a gateway rewriting From/To or re-folding headers), or the \
                         key published at {key_name} is not the one the signer uses (a rotated \
                         key: publish the current public key)."
                    ),
                ),
                DkimProblem::KeyNotFound => (
                    "DKIM_KEY_NOT_FOUND",
                    fail_severity,
                    format!("no DKIM key published at {key_name}"),
                    format!(
                        "Publish the public key as a TXT record at {key_name} (your provider shows \
                         it, or run `fivefifty dkim keygen --domain {} --selector {}`), or fix the \
                         selector the signer uses.",
                        check.domain, check.selector
                    ),
                ),
                DkimProblem::KeyRevoked => (
                    "DKIM_KEY_REVOKED",
                    fail_severity,
                    format!("the DKIM key at {key_name} is revoked (empty p=)"),
                    "The signer still uses a key that was withdrawn: switch it to the current \
                     selector, or publish a new key and sign with it."
                        .into(),
                ),
                DkimProblem::KeyInvalid => (
                    "DKIM_KEY_INVALID",
                    fail_severity,
                    format!("the DKIM key record at {key_name} is not usable: {}", check.detail),
                    format!(
                        "Publish the key record exactly as generated: \"v=DKIM1; k=rsa; p=<base64 \
                         public key>\" at {key_name}; check that long keys were split into \
                         strings without adding spaces or quotes."
                    ),
                ),
                DkimProblem::KeyTypeMismatch => (
                    "DKIM_KEY_TYPE_MISMATCH",
                    fail_severity,
                    format!("DKIM signature #{}: {}", check.index, check.detail),
                    format!("Publish at {key_name} the key of the type the signer uses (k=rsa or k=ed25519)."),
                ),
                DkimProblem::KeyTooShort => (
                    "DKIM_KEY_TOO_SHORT",
                    fail_severity,
                    format!(
                        "the DKIM key at {key_name} is {} bits: too short to be accepted (RFC 8301)",
                        check.key_bits.unwrap_or(0)
                    ),
                    format!(
                        "Generate a 2048-bit key (`fivefifty dkim keygen --domain {} --selector \
                         NEW`), publish it under a new selector and switch the signer to it.",
                        check.domain
                    ),
                ),
                DkimProblem::DnsTemporary => (
                    "DKIM_TEMPERROR",
                    Severity::Temporary,
                    format!("the DKIM key at {key_name} could not be fetched (temporary DNS failure)"),
                    "Nothing to change if it passes on retry; if it persists, check that the \
                     domain's DNS servers answer for _domainkey names."
                        .into(),
                ),
                DkimProblem::PartialBody
                | DkimProblem::FutureTimestamp
                | DkimProblem::KeyWeak
                | DkimProblem::HeadersUnsigned => (
                    "DKIM_MALFORMED",
                    fail_severity,
                    format!("DKIM signature #{}: {}", check.index, check.detail),
                    "Sign the whole body (no l= tag).".into(),
                ),
            };
            out.push(
                base(code, severity, summary)
                    .fix(fix)
                    .evidence("result", check.result),
            );
        }
    }
    for warning in &check.warnings {
        let f = match warning {
            DkimProblem::KeyWeak => base(
                "DKIM_KEY_WEAK",
                Severity::Warning,
                format!(
                    "the DKIM key at {key_name} is {} bits; 2048 is the recommended minimum",
                    check.key_bits.unwrap_or(0)
                ),
            )
            .fix(format!(
                "Rotate to a 2048-bit key: `fivefifty dkim keygen --domain {} --selector NEW`, \
                 publish, then switch the signer.",
                check.domain
            )),
            DkimProblem::PartialBody => base(
                "DKIM_PARTIAL_BODY",
                Severity::Warning,
                format!(
                    "DKIM signature #{} signs only the first {} body octets (l=): anything appended \
                     is unsigned, and some receivers ignore such signatures",
                    check.index,
                    check.body_length.unwrap_or(0)
                ),
            )
            .fix("Remove the l= (body length) option from the signer."),
            DkimProblem::FutureTimestamp => base(
                "DKIM_FUTURE_TIMESTAMP",
                Severity::Warning,
                format!(
                    "DKIM signature #{} is dated in the future (t={})",
                    check.index,
                    check.timestamp.unwrap_or(0)
                ),
            )
            .fix("Synchronise the signing server's clock (NTP); receivers may ignore signatures from the future."),
            DkimProblem::HeadersUnsigned => {
                let missing = unsigned_critical_headers(message, &check.signed_headers);
                base(
                    "DKIM_HEADERS_UNSIGNED",
                    Severity::Warning,
                    format!(
                        "DKIM signature #{} leaves {} unsigned: they can be changed without breaking it",
                        check.index,
                        missing.join(", ")
                    ),
                )
                .fix(format!("Add {} to the signed headers (h=) of the signer.", missing.join(", ")))
                .evidence("unsigned", &missing)
            }
            _ => continue,
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_b_value_keeps_bh_and_drops_b() {
        let v = b" v=1; a=rsa-sha256; bh=AAAA; b=ZZZ\r\n\tYYY; d=x";
        assert_eq!(
            strip_b_value(v),
            b" v=1; a=rsa-sha256; bh=AAAA; b=; d=x".to_vec()
        );
        assert_eq!(strip_b_value(b"d=x; b = abc"), b"d=x; b =".to_vec());
    }

    #[test]
    fn identity_must_be_within_the_signing_domain() {
        assert!(identity_within_domain("", "example.com"));
        assert!(identity_within_domain("@mail.example.com", "example.com"));
        assert!(identity_within_domain("joe@example.com", "Example.COM"));
        assert!(!identity_within_domain("joe@badexample.com", "example.com"));
    }

    #[test]
    fn garbage_key_records_are_key_invalid() {
        for garbage in [
            "hello world",
            "v=DKIM1; p=!!!notbase64",
            "v=DKIM1; k=rsa; p=AAAA",
            "v=DKIM1; k=dsa; p=AAAA",
        ] {
            let err = parse_key(&[garbage.to_string()])
                .err()
                .expect("garbage rejected");
            assert_eq!(err.0, DkimProblem::KeyInvalid, "{garbage}");
        }
        let revoked = parse_key(&["v=DKIM1; p=".to_string()])
            .err()
            .expect("revoked");
        assert_eq!(revoked.0, DkimProblem::KeyRevoked);
    }
}
