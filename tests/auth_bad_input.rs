//! Bad input never panics and always gets a clear Finding: malformed DKIM-Signature tags, a
//! 100 kB header, 500 signatures (capped, and said so), invalid base64, a garbage key record,
//! a key too short, a key of the wrong type, an l= signature, From not signed, critical headers
//! left unsigned, a message with no header section, no message at all, no client IP.

mod support;

use fivefifty::checks::auth::dkim::{DkimProblem, MAX_SIGNATURES_VERIFIED};
use fivefifty::checks::auth::message::{AuthReport, authenticate};
use fivefifty::checks::auth::outcome::AuthResult;
use fivefifty::dns::lab::LabServer;
use fivefifty::evidence::Evidence;
use fivefifty::finding::{Cause, Finding, Severity};
use std::sync::Arc;

async fn world() -> LabServer {
    let garbage = vec![
        (
            "junk._domainkey.good.example".to_string(),
            "this is not a key; at all".to_string(),
        ),
        (
            "b64._domainkey.good.example".to_string(),
            "v=DKIM1; k=rsa; p=@@@@".to_string(),
        ),
        (
            "gone._domainkey.good.example".to_string(),
            "v=DKIM1; k=rsa; p=".to_string(),
        ),
        (
            // An Ed25519 key (RFC 8463's example) where the signer uses RSA.
            "ed._domainkey.good.example".to_string(),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".to_string(),
        ),
    ];
    support::lab(support::zones(&support::lab_zone_text(), &garbage)).await
}

async fn check(server: &LabServer, raw: Vec<u8>) -> AuthReport {
    let dns = server.resolver().expect("resolver");
    let evidence = Evidence {
        client_ip: Some("192.0.2.20".parse().expect("ip")),
        helo: Some("mail.good.example".into()),
        mail_from: Some("alice@good.example".into()),
        message: Some(Arc::from(raw)),
        ..Evidence::default()
    };
    authenticate(&dns, &evidence).await
}

fn has(r: &AuthReport, code: &str) -> bool {
    r.findings.iter().any(|f| f.code == code)
}

fn finding<'a>(r: &'a AuthReport, code: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| {
            panic!(
                "no {code} in {:?}",
                r.findings.iter().map(|f| &f.code).collect::<Vec<_>>()
            )
        })
}

/// Signs `raw` with good.example's s2048 key, covering only the `headers` given.
fn sign_only(raw: &[u8], headers: &[&str]) -> Vec<u8> {
    use mail_auth::common::headers::HeaderWriter;
    use mail_auth::dkim::DkimSigner;
    let key = support::lab_key();
    let sig = DkimSigner::from_key(key)
        .domain("good.example")
        .selector("s2048")
        .headers(headers.iter().copied())
        .sign(raw)
        .expect("signs");
    let mut signed = sig.to_header().into_bytes();
    signed.extend_from_slice(raw);
    signed
}

fn with_signature(sig: &str) -> Vec<u8> {
    let mut raw = support::crlf(&format!("DKIM-Signature: {sig}\n"));
    raw.extend(support::message("alice@good.example", "", "hello\n"));
    raw
}

#[tokio::test]
async fn malformed_dkim_signature_tags_are_a_finding() {
    let server = world().await;
    for sig in [
        "v=2; a=rsa-sha256; d=good.example; s=s2048; h=from; bh=AAAA; b=AAAA",
        "v=1; a=rsa-md5; d=good.example; s=s2048; h=from; bh=AAAA; b=AAAA",
        "v=1; a=rsa-sha256; c=fancy/relaxed; d=good.example; s=s2048; h=from; bh=AAAA; b=AAAA",
        "v=1; a=rsa-sha256; s=s2048; h=from; bh=AAAA; b=AAAA",
        "garbage without any tags",
        ";;;;=;=;==",
    ] {
        let r = check(&server, with_signature(sig)).await;
        assert_eq!(r.dkim.signatures.len(), 1, "{sig}");
        assert_eq!(r.dkim.signatures[0].result, AuthResult::Neutral, "{sig}");
        assert!(has(&r, "DKIM_MALFORMED"), "{sig}: {:?}", r.findings);
    }
}

#[tokio::test]
async fn invalid_base64_is_a_finding() {
    let server = world().await;
    let r = check(
        &server,
        with_signature("v=1; a=rsa-sha256; d=good.example; s=s2048; h=from; bh=!!!!; b=%%%%"),
    )
    .await;
    assert_eq!(
        r.dkim.signatures[0].problem,
        Some(DkimProblem::InvalidBase64)
    );
    assert!(has(&r, "DKIM_INVALID_BASE64"));
}

#[tokio::test]
async fn garbage_revoked_and_bad_base64_key_records_are_findings() {
    let server = world().await;
    for (selector, code) in [
        ("junk", "DKIM_KEY_INVALID"),
        ("b64", "DKIM_KEY_INVALID"),
        ("gone", "DKIM_KEY_REVOKED"),
        ("nosuch", "DKIM_KEY_NOT_FOUND"),
    ] {
        let raw = support::sign(
            &support::message("alice@good.example", "", "hello\n"),
            "good.example",
            selector,
        );
        let r = check(&server, raw).await;
        assert_eq!(
            r.dkim.signatures[0].result,
            AuthResult::PermError,
            "{selector}"
        );
        assert!(has(&r, code), "{selector}: {:?}", r.findings);
    }
}

#[tokio::test]
async fn a_512_bit_key_is_too_short_per_rfc_8301() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@weakkey.example", "", "hello\n"),
        "weakkey.example",
        "selector1",
    );
    let r = check(&server, raw).await;
    assert_eq!(r.dkim.signatures[0].result, AuthResult::Policy);
    assert_eq!(r.dkim.signatures[0].key_bits, Some(512));
    assert!(has(&r, "DKIM_KEY_TOO_SHORT"));
}

#[tokio::test]
async fn body_changed_after_signing_is_a_body_hash_mismatch_with_the_likely_cause() {
    let server = world().await;
    let mut raw = support::sign(
        &support::message(
            "alice@good.example",
            "List-Id: <staff.lists.example>\n",
            "hello\n",
        ),
        "good.example",
        "s2048",
    );
    raw.extend_from_slice(b"-- \r\nstaff mailing list footer\r\n");
    let r = check(&server, raw).await;
    assert_eq!(
        r.dkim.signatures[0].problem,
        Some(DkimProblem::BodyHashMismatch)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "DKIM_BODY_HASH_MISMATCH")
        .expect("finding");
    assert!(f.fix.contains("mailing list"), "{}", f.fix);
}

#[tokio::test]
async fn changed_subject_is_a_signature_mismatch() {
    let server = world().await;
    let signed = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "s2048",
    );
    let text = String::from_utf8(signed)
        .expect("utf8")
        .replace("Subject: quarterly", "Subject: [staff] quarterly");
    let r = check(&server, text.into_bytes()).await;
    assert_eq!(
        r.dkim.signatures[0].problem,
        Some(DkimProblem::SignatureMismatch)
    );
    assert!(has(&r, "DKIM_SIGNATURE_MISMATCH"));
}

#[tokio::test]
async fn from_not_signed_rsa_sha1_expired_and_future_timestamps_are_findings() {
    let server = world().await;
    let cases = [
        (
            "v=1; a=rsa-sha256; d=good.example; s=s2048; h=to:subject; bh=AAAA; b=AAAA",
            "DKIM_FROM_NOT_SIGNED",
        ),
        (
            "v=1; a=rsa-sha1; d=good.example; s=s2048; h=from; bh=AAAA; b=AAAA",
            "DKIM_RSA_SHA1",
        ),
        (
            "v=1; a=rsa-sha256; d=good.example; s=s2048; h=from; t=1000; x=2000; bh=AAAA; b=AAAA",
            "DKIM_EXPIRED",
        ),
        (
            "v=1; a=rsa-sha256; d=good.example; s=s2048; h=from; i=joe@other.example; bh=AAAA; b=AAAA",
            "DKIM_IDENTITY_MISMATCH",
        ),
    ];
    for (sig, code) in cases {
        let r = check(&server, with_signature(sig)).await;
        assert!(has(&r, code), "{sig}: {:?}", r.findings);
    }
    // A timestamp far in the future is a warning, not the failure.
    let r = check(
        &server,
        with_signature(
            "v=1; a=rsa-sha256; d=good.example; s=s2048; h=from; t=99999999999; bh=AAAA; b=AAAA",
        ),
    )
    .await;
    assert!(
        r.dkim.signatures[0]
            .warnings
            .contains(&DkimProblem::FutureTimestamp)
    );
    assert!(has(&r, "DKIM_FUTURE_TIMESTAMP"));
}

#[tokio::test]
async fn a_100_kb_header_does_not_break_authentication() {
    let server = world().await;
    let big = format!("X-Big: {}\n", "a".repeat(100 * 1024));
    let raw = support::sign(
        &support::message("alice@good.example", &big, "hello\n"),
        "good.example",
        "s2048",
    );
    let r = check(&server, raw).await;
    assert_eq!(r.dkim.result(), AuthResult::Pass, "{:?}", r.findings);
    // A 100 kB DKIM-Signature is malformed, not a crash.
    let r = check(
        &server,
        with_signature(&format!(
            "v=1; a=rsa-sha256; d=good.example; s=s2048; h=from; bh={}; b=AAAA",
            "A".repeat(100 * 1024)
        )),
    )
    .await;
    assert_eq!(r.dkim.signatures.len(), 1);
    assert_ne!(r.dkim.result(), AuthResult::Pass);
}

#[tokio::test]
async fn five_hundred_signatures_are_capped_and_the_report_says_so() {
    let server = world().await;
    let one = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "s2048",
    );
    let text = String::from_utf8(one).expect("utf8");
    let (sig, rest) = text.split_at(text.find("From:").expect("From"));
    let raw = format!("{}{rest}", sig.repeat(500));
    let r = check(&server, raw.into_bytes()).await;
    assert_eq!(r.dkim.total_signatures, 500);
    assert_eq!(r.dkim.signatures.len(), MAX_SIGNATURES_VERIFIED);
    assert_eq!(r.dkim.result(), AuthResult::Pass);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "DKIM_TOO_MANY_SIGNATURES")
        .expect("cap said");
    assert!(f.summary.contains("500"));
}

#[tokio::test]
async fn partial_body_signature_passes_with_a_warning() {
    let server = world().await;
    use mail_auth::common::headers::HeaderWriter;
    use mail_auth::dkim::DkimSigner;
    let key = support::lab_key();
    let raw = support::message("alice@good.example", "", "hello\n");
    let sig = DkimSigner::from_key(key)
        .domain("good.example")
        .selector("s2048")
        .headers(["From", "To", "Subject", "Date"])
        .body_length(true)
        .sign(&raw)
        .expect("signs");
    let mut signed = sig.to_header().into_bytes();
    signed.extend_from_slice(&raw);
    signed.extend_from_slice(b"appended later\r\n");
    let r = check(&server, signed).await;
    assert_eq!(
        r.dkim.signatures[0].result,
        AuthResult::Pass,
        "{:?}",
        r.findings
    );
    assert!(has(&r, "DKIM_PARTIAL_BODY"));
}

#[tokio::test]
async fn no_header_section_and_binary_garbage_do_not_panic() {
    let server = world().await;
    for raw in [
        b"\r\n\r\njust a body".to_vec(),
        vec![0xff; 4096],
        Vec::new(),
        b"From".to_vec(),
    ] {
        let r = check(&server, raw).await;
        assert!(!r.findings.is_empty());
    }
}

#[tokio::test]
async fn a_good_signature_passes_and_names_its_key() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "s2048",
    );
    let r = check(&server, raw).await;
    let f = finding(&r, "DKIM_PASS");
    assert_eq!(f.cause, Cause::Authentication);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "good.example (s=s2048)");
    assert_eq!(f.evidence["key_bits"], 2048);
    assert_eq!(f.evidence["algorithm"], "rsa-sha256");
    // Every critical header is signed: nothing to warn about.
    assert!(!has(&r, "DKIM_HEADERS_UNSIGNED"), "{:?}", r.findings);
}

#[tokio::test]
async fn critical_headers_left_out_of_h_are_named_but_the_signature_passes() {
    let server = world().await;
    let raw = sign_only(
        &support::message("alice@good.example", "", "hello\n"),
        &["From", "Message-ID"],
    );
    let r = check(&server, raw).await;
    assert_eq!(r.dkim.signatures[0].result, AuthResult::Pass);
    assert!(has(&r, "DKIM_PASS"));
    let f = finding(&r, "DKIM_HEADERS_UNSIGNED");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "good.example (s=s2048)");
    assert_eq!(
        f.evidence["unsigned"],
        serde_json::json!(["subject", "date", "to"])
    );
    assert!(f.fix.contains("subject, date, to"), "{}", f.fix);
    // Near miss: signing them too leaves nothing unsigned.
    let raw = sign_only(
        &support::message("alice@good.example", "", "hello\n"),
        &["From", "Message-ID", "Subject", "Date", "To"],
    );
    assert!(!has(&check(&server, raw).await, "DKIM_HEADERS_UNSIGNED"));
}

#[tokio::test]
async fn an_rsa_signature_against_an_ed25519_key_is_a_key_type_mismatch() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "ed",
    );
    let r = check(&server, raw).await;
    assert_eq!(r.dkim.signatures[0].result, AuthResult::PermError);
    assert_eq!(
        r.dkim.signatures[0].problem,
        Some(DkimProblem::KeyTypeMismatch)
    );
    let f = finding(&r, "DKIM_KEY_TYPE_MISMATCH");
    assert_eq!(f.severity, Severity::Error, "no other signature passes");
    assert_eq!(f.subject, "good.example (s=ed)");
    let detail = f.evidence["detail"].as_str().expect("detail");
    assert!(
        detail.contains("rsa-sha256") && detail.contains("k=ed25519"),
        "{detail}"
    );
    assert!(f.fix.contains("ed._domainkey.good.example"), "{}", f.fix);
    assert!(!has(&r, "DKIM_KEY_INVALID"));
}

#[tokio::test]
async fn no_message_checks_the_envelope_only_and_says_so() {
    let server = world().await;
    let dns = server.resolver().expect("resolver");
    let evidence = Evidence {
        client_ip: Some("192.0.2.20".parse().expect("ip")),
        helo: Some("mail.good.example".into()),
        mail_from: Some("alice@good.example".into()),
        ..Evidence::default()
    };
    let r = authenticate(&dns, &evidence).await;
    let f = finding(&r, "MESSAGE_MISSING");
    assert_eq!(f.cause, Cause::Protocol);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "message");
    assert!(has(&r, "SPF_PASS"), "the envelope is still checked");
    assert!(r.dmarc.is_none());
    assert!(!has(&r, "MESSAGE_UNPARSEABLE"));
}

#[tokio::test]
async fn a_message_without_a_header_section_is_unparseable() {
    let server = world().await;
    for raw in [b"\r\n\r\njust a body".to_vec(), Vec::new()] {
        let r = check(&server, raw.clone()).await;
        let f = finding(&r, "MESSAGE_UNPARSEABLE");
        assert_eq!(f.cause, Cause::Protocol);
        assert_eq!(f.severity, Severity::Error);
        assert!(!f.fix.is_empty());
        assert!(!has(&r, "MESSAGE_MISSING"), "{raw:?}");
    }
    // Near miss: one header field is enough to be a message.
    let r = check(&server, b"From: alice@good.example\r\n\r\nhi\r\n".to_vec()).await;
    assert!(!has(&r, "MESSAGE_UNPARSEABLE"), "{:?}", r.findings);
}

#[tokio::test]
async fn no_client_ip_means_spf_not_checked() {
    let server = world().await;
    let dns = server.resolver().expect("resolver");
    let raw = support::message("alice@good.example", "", "hello\n");
    let evidence = Evidence {
        mail_from: Some("alice@good.example".into()),
        message: Some(Arc::from(raw.clone())),
        ..Evidence::default()
    };
    let r = authenticate(&dns, &evidence).await;
    let f = finding(&r, "SPF_NOT_CHECKED");
    assert_eq!(f.cause, Cause::Authentication);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "envelope");
    assert!(f.fix.contains("--ip"), "{}", f.fix);
    assert!(r.spf.mail_from.is_none() && r.iprev.is_none());
    // Near miss: with the client IP, SPF is checked.
    let r = check(&server, raw).await;
    assert!(!has(&r, "SPF_NOT_CHECKED"));
    assert!(has(&r, "SPF_PASS"));
}
