//! `fivefifty check` and `fivefifty dkim keygen/sign` from the command line: exit codes, the
//! envelope inference note, Authentication-Results, JSON, and keygen → publish → sign → check.
//! Then the check's own findings through the library ([`check_message`]) where a test needs
//! DNS that answers SERVFAIL or nothing: whether the From domain can receive replies.

mod support;

use fivefifty::checks::auth::message::AuthOptions;
use fivefifty::checks::blocklist::Catalog;
use fivefifty::doctor::check::{MessageReport, check_message};
use fivefifty::evidence::Evidence;
use fivefifty::finding::{Cause, Severity};
use hickory_proto::rr::RecordType;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fivefifty"))
}

fn lab_zone() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/lab.zone")
}

fn run(args: &[&str], extra_zone: Option<&Path>) -> Output {
    let mut cmd = bin();
    cmd.arg("--dns-zone")
        .arg(lab_zone())
        .arg("--color")
        .arg("never");
    if let Some(z) = extra_zone {
        cmd.arg("--dns-zone").arg(z);
    }
    cmd.args(args).output().expect("fivefifty runs")
}

const RECEIVED: &str = "Return-Path: <alice@good.example>\n\
Received: from mail.good.example (mail.good.example [192.0.2.20])\n\tby mx.dest.example (Postfix) with ESMTPS id 4F1\n\tfor <bob@dest.example>; Mon, 2 Nov 2026 10:00:01 +0000\n";

fn message(dir: &Path, from: &str, received: &str) -> PathBuf {
    let path = dir.join("m.eml");
    std::fs::write(
        &path,
        format!(
            "{received}From: Alice <{from}>\nTo: bob@dest.example\nSubject: hi\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <x@good.example>\n\nhello\n"
        ),
    )
    .expect("write");
    path
}

#[test]
fn check_infers_the_envelope_and_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let msg = message(dir.path(), "alice@good.example", RECEIVED);
    let out = run(&["check", msg.to_str().expect("p")], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("client IP 192.0.2.20 (inferred from headers)"),
        "{text}"
    );
    assert!(
        text.contains("HELO mail.good.example (inferred from headers)"),
        "{text}"
    );
    assert!(
        text.contains("MAIL FROM <alice@good.example> (inferred from headers)"),
        "{text}"
    );
    assert!(text.contains("spf=pass"), "{text}");
    assert!(text.contains("dmarc=pass"), "{text}");
    // Unsigned: DKIM_NONE is a warning, DMARC passes through SPF: exit 0.
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn check_with_failing_dmarc_exits_1_and_given_values_are_not_marked_inferred() {
    let dir = tempfile::tempdir().expect("tmp");
    let msg = message(dir.path(), "alice@good.example", "");
    let out = run(
        &[
            "check",
            msg.to_str().expect("p"),
            "--ip",
            "203.0.113.9",
            "--helo",
            "evil.example",
            "--mail-from",
            "alice@good.example",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("inferred"), "{text}");
    assert!(text.contains("DMARC_FAIL"), "{text}");
    assert!(text.contains("SPF_FAIL"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn auth_results_prints_only_the_header() {
    let dir = tempfile::tempdir().expect("tmp");
    let msg = message(dir.path(), "alice@good.example", RECEIVED);
    let out = run(
        &[
            "check",
            msg.to_str().expect("p"),
            "--auth-results",
            "--authserv-id",
            "mx.dest.example",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Authentication-Results: mx.dest.example;\r\n\t"),
        "{text}"
    );
    assert!(
        text.contains("spf=pass smtp.mailfrom=alice@good.example"),
        "{text}"
    );
    assert!(text.contains("dkim=none"), "{text}");
    assert!(
        text.contains("dmarc=pass policy.dmarc=reject header.from=good.example"),
        "{text}"
    );
    assert!(
        text.contains("iprev=pass policy.iprev=192.0.2.20"),
        "{text}"
    );
    assert!(!text.contains("Envelope"));
}

#[test]
fn json_report_has_the_envelope_and_per_method_details() {
    let dir = tempfile::tempdir().expect("tmp");
    let msg = message(dir.path(), "alice@good.example", RECEIVED);
    let out = run(&["--json", "check", msg.to_str().expect("p")], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["command"], "check");
    let auth = &v["details"]["auth"];
    assert_eq!(auth["envelope"]["inferred"][0], "client_ip");
    assert_eq!(auth["dmarc"]["result"], "pass");
    assert_eq!(auth["spf"]["mail_from"]["result"], "pass");
    assert_eq!(auth["dmarc"]["record_domain"], "good.example");
    let content = &v["details"]["content"];
    assert!(
        content["parts"].is_array(),
        "content report present: {content}"
    );
    assert!(content["attachments"].is_array());
    assert!(v["details"]["url_listings"].is_array());
}

#[test]
fn missing_message_file_is_bad_input() {
    let out = run(&["check", "/nonexistent/message.eml"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn keygen_then_publish_then_sign_then_check_passes() {
    for algorithm in ["rsa2048", "ed25519"] {
        let dir = tempfile::tempdir().expect("tmp");
        let key = dir.path().join("k.pem");
        let out = bin()
            .args([
                "dkim",
                "keygen",
                "--domain",
                "good.example",
                "--selector",
                "new1",
                "--algorithm",
                algorithm,
                "--out",
            ])
            .arg(&key)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let pem = std::fs::read_to_string(&key).expect("key written");
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let record = text
            .lines()
            .find(|l| l.starts_with("new1._domainkey.good.example. IN TXT"))
            .expect("TXT record printed");
        let zone = dir.path().join("new.zone");
        std::fs::write(&zone, format!("{record}\n")).expect("zone");

        // Never overwrite a key.
        let again = bin()
            .args([
                "dkim",
                "keygen",
                "--domain",
                "good.example",
                "--selector",
                "new1",
                "--out",
            ])
            .arg(&key)
            .output()
            .expect("runs");
        assert_eq!(again.status.code(), Some(2));

        let msg = message(dir.path(), "alice@good.example", RECEIVED);
        let signed = bin()
            .args(["dkim", "sign", "--key"])
            .arg(&key)
            .args(["--domain", "good.example", "--selector", "new1"])
            .arg(&msg)
            .output()
            .expect("runs");
        assert!(
            signed.status.success(),
            "{}",
            String::from_utf8_lossy(&signed.stderr)
        );
        let signed_path = dir.path().join("signed.eml");
        std::fs::write(&signed_path, &signed.stdout).expect("write");
        let out = run(&["check", signed_path.to_str().expect("p")], Some(&zone));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("dkim=pass"), "{algorithm}: {text}");
        assert_eq!(out.status.code(), Some(0), "{algorithm}: {text}");
    }
}

const PHISH: &str = "From: \"PayPal Security\" <alert@good.example>\r\n\
To: bob@good.example\r\n\
Subject: Your account is limited\r\n\
Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <p1@good.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>Confirm your details: <a href=\"http://broken.example/login\">https://www.paypal.com/signin</a></p>\r\n";

#[test]
fn check_reports_content_and_listed_link_domains_with_authentication() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("phish.eml");
    std::fs::write(&path, PHISH).expect("write");
    let out = run(
        &[
            "--json",
            "check",
            path.to_str().expect("p"),
            "--ip",
            "192.0.2.20",
            "--helo",
            "mail.good.example",
            "--mail-from",
            "alert@good.example",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"SPF_PASS"), "{codes:?}");
    assert!(codes.contains(&"LINK_TEXT_MISMATCH"), "{codes:?}");
    // broken.example is on the lab zone's imitation of Spamhaus DBL.
    assert!(codes.contains(&"BLOCKLIST_LISTED"), "{codes:?}");
    assert_eq!(v["details"]["url_listings"][0]["target"], "broken.example");
}

/// From domains for the reply check, beside the lab world: one with only a TXT record, one with
/// only an address, one whose address lookup gets no answer; `sick.example` answers SERVFAIL.
const FROM_DOMAINS: &str = r#"
$ORIGIN noaddr.example.
@ IN TXT "v=spf1 -all"
$ORIGIN implicit.example.
@ IN A 192.0.2.77
$ORIGIN slowaddr.example.
@ IN TXT "v=spf1 -all"
"#;

/// Runs `check_message` on a plain message from `from`, sent by good.example's server.
async fn check_from(from: &str) -> MessageReport {
    let mut zones = support::zones(
        &format!("{}\n{FROM_DOMAINS}", support::lab_zone_text()),
        &[],
    );
    zones.servfail("sick.example").expect("servfail");
    zones
        .silence("slowaddr.example", Some(RecordType::A))
        .expect("silence");
    let server = support::lab(zones).await;
    let dns = server.resolver().expect("resolver");
    let evidence = Evidence {
        client_ip: Some("192.0.2.20".parse().expect("ip")),
        helo: Some("mail.good.example".into()),
        mail_from: Some("alice@good.example".into()),
        rcpt_to: vec!["bob@dest.example".into()],
        message: Some(Arc::from(support::message(from, "", "hello\n"))),
        inferred: Vec::new(),
    };
    check_message(
        &dns,
        &evidence,
        &AuthOptions::default(),
        &Catalog::builtin(),
    )
    .await
}

fn report_codes(r: &MessageReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

#[tokio::test]
async fn from_domain_that_cannot_receive_replies_is_an_error_naming_why() {
    for (from, domain, why) in [
        ("alice@nullmx.example", "nullmx.example", "null MX"),
        ("alice@ghost.example", "ghost.example", "does not exist"),
        (
            "alice@noaddr.example",
            "noaddr.example",
            "neither MX nor address",
        ),
    ] {
        let r = check_from(from).await;
        let f = r
            .findings
            .iter()
            .find(|f| f.code == "FROM_DOMAIN_CANNOT_RECEIVE")
            .unwrap_or_else(|| panic!("{from}: {:?}", report_codes(&r)));
        assert_eq!(f.cause, Cause::Protocol);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.subject, domain);
        assert!(f.summary.contains(why), "{from}: {}", f.summary);
        assert!(f.fix.contains(domain), "{}", f.fix);
    }
    // Near misses: an MX, or no MX but an address to deliver to.
    for from in ["alice@good.example", "alice@implicit.example"] {
        let r = check_from(from).await;
        assert!(
            !report_codes(&r)
                .iter()
                .any(|c| c.starts_with("FROM_DOMAIN_")),
            "{from}: {:?}",
            report_codes(&r)
        );
    }
}

#[tokio::test]
async fn from_domain_dns_failure_is_temporary_never_cannot_receive() {
    // SERVFAIL on the MX lookup, and no answer to the address lookup of a domain without MX.
    for (from, domain) in [
        ("alice@sick.example", "sick.example"),
        ("alice@slowaddr.example", "slowaddr.example"),
    ] {
        let r = check_from(from).await;
        let f = r
            .findings
            .iter()
            .find(|f| f.code == "FROM_DOMAIN_MX_TEMPFAIL")
            .unwrap_or_else(|| panic!("{from}: {:?}", report_codes(&r)));
        assert_eq!(f.cause, Cause::Protocol);
        assert_eq!(f.severity, Severity::Temporary);
        assert_eq!(f.subject, domain);
        assert!(
            !report_codes(&r).contains(&"FROM_DOMAIN_CANNOT_RECEIVE"),
            "{from}"
        );
    }
}
