//! The command line as scripts use it: exit codes and the JSON envelope.

use std::process::Command;

fn fivefifty(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fivefifty"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn lab_zone() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lab.zone").to_string()
}

#[test]
fn bad_usage_exits_2_with_a_message() {
    let out = fivefifty(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    let out = fivefifty(&["--dns-server", "not-an-ip", "lookup", "example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dns-server expects an IP address"));
}

#[test]
fn missing_zone_file_is_bad_input() {
    let out = fivefifty(&["--dns-zone", "/nonexistent/zone", "lookup", "a.example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read zone file"));
}

#[test]
fn lookup_json_keeps_nxdomain_apart() {
    let zone = lab_zone();
    let out = fivefifty(&[
        "--dns-zone",
        &zone,
        "--json",
        "lookup",
        "nothing.good.example",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["schema"], "fivefifty.report/1");
    assert_eq!(v["answer"]["outcome"], "nx_domain");
    let out = fivefifty(&[
        "--dns-zone",
        &zone,
        "--json",
        "lookup",
        "good.example",
        "mx",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["answer"]["outcome"], "records");
    assert_eq!(v["answer"]["value"].as_array().map(Vec::len), Some(2));
}

#[test]
fn help_teaches_exit_codes_and_offline_mode() {
    let out = fivefifty(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Exit codes"));
    assert!(text.contains("--dns-zone"));
}

#[test]
fn unreachable_dns_exits_3_undecided_not_1() {
    // Nothing listens on the discard port: the query cannot be answered.
    let out = fivefifty(&[
        "--dns-server",
        "127.0.0.1:9",
        "--dns-timeout",
        "0.5",
        "--json",
        "lookup",
        "a.example",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["answer"]["outcome"], "failed");
}

fn domain_json(domain: &str) -> (Option<i32>, serde_json::Value) {
    let zone = lab_zone();
    let out = fivefifty(&["--dns-zone", &zone, "--json", "domain", domain]);
    let v = serde_json::from_slice(&out.stdout).expect("domain --json prints JSON");
    (out.status.code(), v)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

#[test]
fn domain_audit_of_a_broken_domain_exits_1_with_fixes() {
    let (code, v) = domain_json("broken.example");
    assert_eq!(code, Some(1));
    assert_eq!(v["command"], "domain");
    assert_eq!(v["outcome"], "problems");
    assert_eq!(v["exit_code"], 1);
    let codes = codes(&v);
    for expected in ["SPF_SYNTAX", "DMARC_SYNTAX", "MX_TARGET_NO_ADDRESS"] {
        assert!(
            codes.iter().any(|c| c == expected),
            "{expected} in {codes:?}"
        );
    }
    for f in v["findings"].as_array().expect("findings") {
        for field in ["code", "cause", "severity", "subject", "summary"] {
            assert!(f[field].is_string(), "finding has {field}: {f}");
        }
        if f["severity"] == "error" {
            assert!(
                f["fix"].as_str().is_some_and(|s| !s.is_empty()),
                "error has a fix: {f}"
            );
        }
    }
    for section in [
        "spf",
        "dmarc",
        "dkim",
        "mx",
        "mta_sts",
        "tls_rpt",
        "bimi",
        "readiness",
    ] {
        assert!(v["details"][section].is_object(), "details.{section}");
    }
    assert_eq!(v["details"]["readiness"]["ready"], false);
}

#[test]
fn domain_audit_of_the_good_sender_exits_0_and_is_bulk_ready() {
    let (code, v) = domain_json("good.example");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["tally"]["errors"], 0);
    assert_eq!(v["details"]["readiness"]["ready"], true);
    assert!(codes(&v).contains(&"BULK_SENDER_READY".to_string()));
}

#[test]
fn domain_audit_names_each_lab_problem() {
    for (domain, code) in [
        ("twospf.example", "SPF_MULTIPLE_RECORDS"),
        ("lookups.example", "SPF_TOO_MANY_LOOKUPS"),
        ("monitor.example", "DMARC_EXTERNAL_REPORT_UNAUTHORIZED"),
        ("monitor.example", "DMARC_POLICY_NONE"),
        ("weakkey.example", "DKIM_KEY_TOO_SHORT"),
        ("nullmx.example", "MX_NULL"),
    ] {
        let (_, v) = domain_json(domain);
        assert!(codes(&v).iter().any(|c| c == code), "{domain}: {code}");
    }
}

#[test]
fn domain_that_is_not_a_domain_exits_2() {
    let zone = lab_zone();
    for bad in ["192.0.2.1", "exa mple.com", ""] {
        let out = fivefifty(&["--dns-zone", &zone, "domain", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("expected a domain name"));
    }
}

#[test]
fn domain_audit_with_dead_dns_is_undecided_not_failed() {
    let out = fivefifty(&[
        "--dns-server",
        "127.0.0.1:9",
        "--dns-timeout",
        "0.3",
        "--json",
        "domain",
        "example.com",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["tally"]["errors"], 0, "no error from a DNS failure: {v}");
}

#[test]
fn explain_a_bare_security_policy_reply() {
    let out = fivefifty(&[
        "--json",
        "explain",
        "550 5.7.1 Email rejected because it violates our security policy",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a permanent failure is a problem"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["command"], "explain");
    let report = &v["details"]["reports"][0];
    assert_eq!(report["kind"], "smtp_reply");
    assert_eq!(report["recipients"][0]["status"], "5.7.1");
    let f = &v["findings"][0];
    assert!(f["code"].as_str().is_some_and(|c| c.starts_with("BOUNCE_")));
    assert!(f["fix"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn explain_calls_a_success_dsn_a_delivery_report_not_a_bounce() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("delivered.eml");
    let raw = "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.jp>\nTo: s@example.jp\nSubject: Successful Mail Delivery Report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nYour message was successfully delivered to the destination(s) listed below.\n\n<friend@example.org>: delivery via mx.example.org[192.0.2.1]:25: 250 2.0.0 Ok: queued as ABC\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: rfc822; friend@example.org\nAction: relayed\nStatus: 2.0.0\nDiagnostic-Code: smtp; 250 2.0.0 Ok: queued as ABC\n\n--B--\n";
    std::fs::write(&path, raw).expect("write");
    let p = path.to_str().expect("utf-8 path");
    let out = fivefifty(&["explain", p]);
    assert_eq!(out.status.code(), Some(0), "nothing failed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("delivery report (nothing failed)"), "{text}");
    assert!(text.contains("delivered: nothing failed"), "{text}");
    assert!(!text.contains("bounce"), "{text}");
    let out = fivefifty(&["--json", "explain", p]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["findings"][0]["code"], "BOUNCE_DELIVERED");
    assert_eq!(v["findings"][0]["severity"], "info");
    assert!(
        v["findings"][0]["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("delivered to friend@example.org")),
        "{v}"
    );
}

#[test]
fn explain_says_a_recognised_codes_fix_once() {
    let out = fivefifty(&[
        "explain",
        "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Gmail 5.7.26: "), "{text}");
    assert!(text.contains("https://support.google.com/"), "{text}");
    let fix = "Publish an SPF record that lists every server";
    assert_eq!(text.matches(fix).count(), 1, "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("what to do:") && l.contains(fix)),
        "the fix leads the steps: {text}"
    );
}

#[test]
fn explain_help_teaches_by_example() {
    let out = fivefifty(&["explain", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for shown in ["Examples:", "--diagnose", "Maildir", "Exit codes:"] {
        assert!(help.contains(shown), "{shown} missing from:\n{help}");
    }
}

#[test]
fn explain_reads_a_reply_as_bounces_and_logs_quote_it() {
    // Postfix's line from a bounce: the recipient, the receiving host and the command come
    // from the words around the reply.
    let out = fivefifty(&[
        "--json",
        "explain",
        "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org (in reply to RCPT TO command)",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let report = &v["details"]["reports"][0];
    let row = &report["recipients"][0];
    assert_eq!(row["recipient"], "bob@example.org", "{v}");
    assert_eq!(row["remote_mta"], "mx.example.org", "{v}");
    assert_eq!(row["smtp_command"], "RCPT", "{v}");
    assert_eq!(row["reason"], "blocked", "{v}");
    // The client's address is the hint to check; the receiver's is not.
    assert_eq!(
        report["hints"]["sending_ips"],
        serde_json::json!(["203.0.113.9"]),
        "{v}"
    );
    // A DSN's Diagnostic-Code field, an Exim log line, Exchange's quote, a status alone.
    for (pasted, reason, recipient) in [
        (
            "Diagnostic-Code: smtp; 552 5.2.2 <carol@example.net>... Mailbox full",
            "mailboxfull",
            Some("carol@example.net"),
        ),
        (
            "2026-11-30 10:00:00 1abcDE-000123-Xy ** dave@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<dave@example.com>: 550 5.1.1 User unknown",
            "userunknown",
            Some("dave@example.com"),
        ),
        (
            "Remote Server returned '550 5.7.606 Access denied, banned sending IP [203.0.113.9]'",
            "blocked",
            None,
        ),
        ("4.4.7 Delivery time expired", "expired", None),
    ] {
        let out = fivefifty(&["--json", "explain", pasted]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let row = &v["details"]["reports"][0]["recipients"][0];
        assert_eq!(row["reason"], reason, "{pasted}: {v}");
        assert_eq!(row["recipient"].as_str(), recipient, "{pasted}: {v}");
    }
}

#[test]
fn explain_rejects_input_that_is_neither_file_nor_reply() {
    // Words that name no failure, one word, a path: a mistyped path, not a reply.
    for input in ["hello there", "bounce.eml", "missing/mailbox full.eml"] {
        let out = fivefifty(&["explain", input]);
        assert_eq!(out.status.code(), Some(2), "{input}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("SMTP reply"),
            "{input}"
        );
    }
}

#[test]
fn explain_reads_a_replys_words_given_without_its_codes() {
    let out = fivefifty(&[
        "--json",
        "explain",
        "Email rejected because it violates our security policy",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let report = &v["details"]["reports"][0];
    assert_eq!(report["kind"], "smtp_reply", "{v}");
    assert_eq!(report["recipients"][0]["reason"], "policyviolation", "{v}");
    // Without a code the words cannot say the failure is for good: a warning, exit 0.
    assert_eq!(report["recipients"][0]["permanent"], false, "{v}");
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert!(
        report["notes"].as_array().is_some_and(|n| n
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains("words alone")))),
        "{v}"
    );
    let out = fivefifty(&["explain", "Mailbox full"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mailboxfull"), "{text}");
    assert!(text.contains("permanent or temporary unknown"), "{text}");
}

#[test]
fn explain_of_a_message_that_is_no_bounce_says_so_and_of_no_mail_exits_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let plain = dir.path().join("plain.eml");
    std::fs::write(
        &plain,
        "From: alice@good.example\r\nTo: bob@dest.example\r\nSubject: lunch?\r\n\
         Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <l1@good.example>\r\n\r\n\
         Are you free at noon?\r\n",
    )
    .expect("write");
    let binary = dir.path().join("photo.bin");
    std::fs::write(
        &binary,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01",
    )
    .expect("write");
    // A mail message that is no bounce is a clean answer; a file that is no mail at all is
    // bad input (exit 2), in the JSON envelope as in the process's exit code.
    for (path, kind, summary, exit, outcome) in [
        (&plain, "not_bounce", "not a bounce", 0, "clean"),
        (
            &binary,
            "not_mail",
            "not an Internet mail message",
            2,
            "bad_input",
        ),
    ] {
        let path = path.to_str().expect("path");
        let out = fivefifty(&["--json", "explain", path]);
        assert_eq!(out.status.code(), Some(exit), "{kind}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["exit_code"], exit, "{kind}");
        assert_eq!(v["outcome"], outcome, "{kind}");
        let text = fivefifty(&["explain", path]);
        assert_eq!(text.status.code(), Some(exit), "{kind}: text output");
        assert!(
            String::from_utf8_lossy(&text.stdout).contains(summary),
            "{kind}: the text report says why"
        );
        assert_eq!(v["details"]["reports"][0]["kind"], kind);
        assert_eq!(codes(&v), vec!["NOT_A_BOUNCE"], "{kind}");
        let f = &v["findings"][0];
        assert_eq!(f["severity"], "info");
        assert_eq!(f["cause"], "protocol");
        assert_eq!(f["subject"], path, "the finding names the input");
        assert!(
            f["summary"].as_str().is_some_and(|s| s.contains(summary)),
            "{f}"
        );
    }
    // A folder with mail in it is judged by its mail: the picture beside it is reported, not
    // made the run's outcome.
    let folder = dir.path().to_str().expect("path");
    let out = fivefifty(&["--json", "explain", folder]);
    assert_eq!(out.status.code(), Some(0), "a folder with mail in it");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> = v["details"]["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["not_mail", "not_bounce"], "{v}");
    // Near miss: a rejection is a bounce.
    let out = fivefifty(&["--json", "explain", "550 5.7.1 Message rejected"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!codes(&v).contains(&"NOT_A_BOUNCE".to_string()), "{v}");
}

/// A Postfix-style DSN: bob@dest.example refused because 192.0.2.66 (good.example's sending IP,
/// in the returned headers) is on zen.spamhaus.org.
const LISTED_IP_BOUNCE: &str = "From: MAILER-DAEMON@mx.dest.example\r\n\
To: alice@good.example\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain\r\n\
\r\n\
Your message could not be delivered.\r\n\
--b\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.dest.example\r\n\
\r\n\
Final-Recipient: rfc822; bob@dest.example\r\n\
Action: failed\r\n\
Status: 5.7.1\r\n\
Diagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked using zen.spamhaus.org\r\n\
\r\n\
--b\r\n\
Content-Type: text/rfc822-headers\r\n\
\r\n\
Received: from mail.good.example (mail.good.example [192.0.2.66]) by mx.dest.example\r\n\
From: alice@good.example\r\n\
To: bob@dest.example\r\n\
Subject: hello\r\n\
Message-ID: <x1@good.example>\r\n\
--b--\r\n";

/// `fivefifty --json explain PATH --diagnose` against the lab zone, parsed.
fn explain_diagnose_json(path: &std::path::Path) -> serde_json::Value {
    explain_diagnose(path.to_str().expect("path")).1
}

/// `explain INPUT --diagnose --json` on the lab zone: the exit code and the report.
fn explain_diagnose(input: &str) -> (Option<i32>, serde_json::Value) {
    let zone = lab_zone();
    let out = fivefifty(&[
        "--dns-zone",
        &zone,
        "--json",
        "explain",
        input,
        "--diagnose",
    ]);
    let v = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code(), v)
}

#[test]
fn explain_diagnose_checks_the_listed_sending_ip() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bounce.eml");
    std::fs::write(&path, LISTED_IP_BOUNCE).expect("write");
    let v = explain_diagnose_json(&path);
    let row = &v["details"]["reports"][0]["recipients"][0];
    assert_eq!(row["recipient"], "bob@dest.example");
    assert_eq!(row["cause"], "blocklist", "{row}");
    let listings = v["details"]["diagnosis"]["ip_listings"]
        .as_array()
        .expect("listings");
    assert!(!listings.is_empty(), "the sending IP was checked: {v}");
    let codes = finding_codes(&v);
    assert!(codes.contains(&"BLOCKLIST_LISTED"), "{codes:?}");
}

#[test]
fn explain_diagnose_audits_the_refused_senders_domain() {
    // The sender's address a refusal names is the domain to audit; its null MX is the fault.
    let (code, v) =
        explain_diagnose("550 5.7.1 <a@nullmx.example>: Sender address rejected: Domain not found");
    let report = &v["details"]["reports"][0];
    assert_eq!(report["recipients"][0]["reason"], "rejected", "{v}");
    assert_eq!(report["recipients"][0]["cause"], "authentication", "{v}");
    assert_eq!(report["hints"]["envelope_domain"], "nullmx.example", "{v}");
    let codes = finding_codes(&v);
    assert!(codes.contains(&"MX_NULL"), "{codes:?}");
    // The conclusion names the null MX as the domain's fault, and the receiver's word as it
    // was: a refused sender, not an authentication failure.
    assert_eq!(conclusions(&v), ["DIAGNOSIS_AUTH_FAULTS_FOUND"], "{v}");
    let summary = v["details"]["diagnosis"]["conclusions"][0]["summary"]
        .as_str()
        .unwrap_or_default();
    assert!(
        summary.starts_with("the receiver refused your sender address")
            && summary.contains("MX_NULL"),
        "{summary}"
    );
    assert_eq!(code, Some(1));
    // The same domain named in words under a sender status (X.1.8) is audited too.
    let (_, v) = explain_diagnose("553 5.1.8 Domain nullmx.example does not exist (sender)");
    let report = &v["details"]["reports"][0];
    assert_eq!(report["hints"]["envelope_domain"], "nullmx.example", "{v}");
    assert!(finding_codes(&v).contains(&"MX_NULL"), "{v}");
}

/// The codes of a JSON report's findings.
fn finding_codes(v: &serde_json::Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect()
}

/// The conclusion codes of a `--diagnose` JSON report.
fn conclusions(v: &serde_json::Value) -> Vec<String> {
    v["details"]["diagnosis"]["conclusions"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn explain_diagnose_holds_the_receivers_words_against_the_checks() {
    let dir = tempfile::tempdir().expect("tmp");
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    // The receiver named zen.spamhaus.org: 192.0.2.66 is on the lab's imitation, 192.0.2.20 not.
    let listed = explain_diagnose_json(&write("listed.eml", LISTED_IP_BOUNCE.to_string()));
    assert_eq!(conclusions(&listed), vec!["DIAGNOSIS_LISTING_CONFIRMED"]);
    let gone = explain_diagnose_json(&write(
        "gone.eml",
        LISTED_IP_BOUNCE.replace("192.0.2.66", "192.0.2.20"),
    ));
    assert_eq!(conclusions(&gone), vec!["DIAGNOSIS_LISTING_GONE"]);
    // A conclusion is information: the exit code stays the bounce's and the checks'.
    assert_eq!(
        gone["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "DIAGNOSIS_LISTING_GONE")
            .map(|f| f["severity"].clone()),
        Some(serde_json::Value::from("info"))
    );
    // The receiver said DMARC failed: broken.example's records are at fault, good.example's not.
    let dmarc = |domain: &str| {
        LISTED_IP_BOUNCE
            .replace(
                "554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked using zen.spamhaus.org",
                &format!("550 5.7.26 Unauthenticated email from {domain} is not accepted due to domain's DMARC policy"),
            )
            .replace("good.example", domain)
    };
    let faults = explain_diagnose_json(&write("broken.eml", dmarc("broken.example")));
    assert_eq!(conclusions(&faults), vec!["DIAGNOSIS_AUTH_FAULTS_FOUND"]);
    let clean = explain_diagnose_json(&write("good.eml", dmarc("good.example")));
    assert_eq!(conclusions(&clean), vec!["DIAGNOSIS_AUTH_RECORDS_CLEAN"]);
}

#[test]
fn explain_diagnose_checks_the_four_causes_for_an_opaque_policy_refusal() {
    // "Violates our security policy" names no rule: the sender's domain and its sending IP
    // are both checked.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("policy.eml");
    let bounce = LISTED_IP_BOUNCE.replace(
        "554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked using zen.spamhaus.org",
        "550 5.7.1 Email rejected because it violates our security policy",
    );
    std::fs::write(&path, bounce).expect("write");
    let v = explain_diagnose_json(&path);
    let row = &v["details"]["reports"][0]["recipients"][0];
    assert_eq!(row["reason"], "policyviolation", "{row}");
    let steps: Vec<&str> = row["remediation"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    for cause in [
        "Blocklisting",
        "Authentication",
        "Content and attachments",
        "IP reputation",
    ] {
        assert!(
            steps.iter().any(|s| s.starts_with(cause)),
            "{cause}: {steps:?}"
        );
    }
    let diagnosis = &v["details"]["diagnosis"];
    assert!(
        diagnosis["ip_listings"]
            .as_array()
            .is_some_and(|l| !l.is_empty()),
        "the sending IP was checked: {diagnosis}"
    );
    assert!(
        diagnosis["domains"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the sender's domain was audited: {diagnosis}"
    );
}

#[test]
fn explain_diagnose_checks_each_ip_once_for_a_folder_of_bounces() {
    let codes_of = |path: &std::path::Path| -> (Vec<String>, usize) {
        let v = explain_diagnose_json(path);
        let listings = v["details"]["diagnosis"]["ip_listings"]
            .as_array()
            .map_or(0, Vec::len);
        (codes(&v), listings)
    };
    let dir = tempfile::tempdir().expect("tmp");
    let one = dir.path().join("one.eml");
    std::fs::write(&one, LISTED_IP_BOUNCE).expect("write");
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).expect("mkdir");
    for i in 0..3 {
        std::fs::write(folder.join(format!("{i}.eml")), LISTED_IP_BOUNCE).expect("write");
    }
    let (single, single_listings) = codes_of(&one);
    let (many, many_listings) = codes_of(&folder);
    let count = |codes: &[String], c: &str| codes.iter().filter(|x| x.as_str() == c).count();
    assert_eq!(single_listings, 1);
    assert_eq!(many_listings, 1, "the shared sending IP is checked once");
    assert!(count(&single, "BLOCKLIST_LISTED") > 0, "{single:?}");
    assert_eq!(
        count(&many, "BLOCKLIST_LISTED"),
        count(&single, "BLOCKLIST_LISTED"),
        "{many:?}"
    );
    // Each bounce is still a finding of its own.
    assert_eq!(
        count(&many, "BOUNCE_BLOCKED"),
        3 * count(&single, "BOUNCE_BLOCKED")
    );
}

#[test]
fn domain_audit_checks_the_domain_and_its_mx_addresses_on_blocklists() {
    let (_, v) = domain_json("broken.example");
    let listing = &v["details"]["blocklists"]["domain"];
    assert_eq!(listing["target"], "broken.example");
    let listed: Vec<&str> = listing["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .filter(|l| l["outcome"] == "listed")
        .filter_map(|l| l["zone"].as_str())
        .collect();
    assert_eq!(listed, vec!["dbl.spamhaus.org"], "{listing}");
    assert!(codes(&v).contains(&"BLOCKLIST_LISTED".to_string()));
    let (_, good) = domain_json("good.example");
    let mx_ips = good["details"]["blocklists"]["mx_ips"]
        .as_array()
        .expect("mx_ips");
    assert_eq!(mx_ips.len(), 3, "two IPv4 and one IPv6 MX address");
}

/// An mbox of `n` copies of [`LISTED_IP_BOUNCE`], written to a temporary folder.
fn mbox_of_listed_bounces(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let one = format!(
        "From MAILER-DAEMON Sat Nov 28 10:00:00 2026\n{}\n",
        LISTED_IP_BOUNCE.replace("\r\n", "\n")
    );
    let path = dir.join("bounces.mbox");
    std::fs::write(&path, one.repeat(n)).expect("write");
    path
}

#[test]
fn explain_streams_an_mbox_of_thousands_of_bounces_in_order() {
    const N: usize = 3000;
    let dir = tempfile::tempdir().expect("tmp");
    let mbox = mbox_of_listed_bounces(dir.path(), N);
    let mbox = mbox.to_str().expect("path");

    let out = fivefifty(&["explain", mbox]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "each bounce is a permanent failure"
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let heads: Vec<&str> = text.lines().filter(|l| l.ends_with(": bounce")).collect();
    assert_eq!(heads.len(), N);
    assert_eq!(heads[0], format!("{mbox}#1: bounce"));
    assert_eq!(heads[N - 1], format!("{mbox}#{N}: bounce"));
    assert!(
        text.ends_with(&format!("\n{N} messages, {N} bounces\n")),
        "the count comes last"
    );

    let out = fivefifty(&["--json", "explain", mbox]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["outcome"], "problems");
    assert_eq!(v["tally"]["errors"], N);
    assert_eq!(v["details"]["reports"].as_array().map(Vec::len), Some(N));
    let codes = codes(&v);
    assert_eq!(codes.len(), N, "one finding per recipient row");
    assert!(
        codes.iter().all(|c| c == "BOUNCE_BLOCKED"),
        "{:?}",
        &codes[..3]
    );
}

#[test]
fn explain_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tmp");
    let mbox = mbox_of_listed_bounces(dir.path(), 3000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_fivefifty"))
        .args(["explain", mbox.to_str().expect("path")])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = [0u8; 64];
    let mut stdout = child.stdout.take().expect("stdout");
    stdout.read_exact(&mut first).expect("the first report");
    drop(stdout); // like `| head -c 64`
    let out = child.wait_with_output().expect("the binary ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the exit code of the whole input: {stderr}"
    );
}

/// `fivefifty explain -` with `input` on standard input.
fn explain_stdin(input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_fivefifty"))
        .args(["--json", "explain", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("written");
    drop(stdin);
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn a_reply_piped_in_is_read_as_a_reply() {
    // Copied from a bounce and piped in: no message, so read as a reply given as an argument.
    for (piped, reason, recipient) in [
        (
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown\n",
            "userunknown",
            "bob@example.org",
        ),
        (
            "<carol@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 Mailbox full (in\n    reply to RCPT TO command)\n",
            "mailboxfull",
            "carol@example.net",
        ),
        (
            "Final-Recipient: rfc822; dave@example.com\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 Client host [203.0.113.9] blocked using zen.spamhaus.org\n",
            "blocked",
            "dave@example.com",
        ),
    ] {
        let out = explain_stdin(piped);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let report = &v["details"]["reports"][0];
        assert_eq!(report["kind"], "smtp_reply", "{piped}: {v}");
        assert_eq!(report["recipients"][0]["reason"], reason, "{piped}: {v}");
        assert_eq!(
            report["recipients"][0]["recipient"], recipient,
            "{piped}: {v}"
        );
    }
    // A message is still read as one, and text that is neither is still no mail (exit 2).
    let out = explain_stdin(
        "From: alice@example.com\nTo: bob@example.org\nSubject: hi\n\n550 is our room number\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["details"]["reports"][0]["kind"], "not_bounce", "{v}");
    let out = explain_stdin("hello there\n");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_mbox_on_standard_input_is_read_message_by_message() {
    use std::io::Write;
    const N: usize = 40;
    let dir = tempfile::tempdir().expect("tmp");
    let mbox = std::fs::read(mbox_of_listed_bounces(dir.path(), N)).expect("mbox");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fivefifty"))
        .args(["explain", "-"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Written from another thread: the reports come back while the input still goes in.
    let writer = std::thread::spawn(move || stdin.write_all(&mbox));
    let out = child.wait_with_output().expect("the binary ends");
    writer.join().expect("writer").expect("written");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let heads: Vec<&str> = text.lines().filter(|l| l.ends_with(": bounce")).collect();
    assert_eq!(heads.len(), N, "{text}");
    assert_eq!(heads[0], "stdin#1: bounce");
    assert_eq!(heads[N - 1], format!("stdin#{N}: bounce"));
    assert!(text.contains(&format!("{N} messages, {N} bounces")));
}

/// A Maildir of `n` copies of one small bounce (written here, not taken from the corpus).
#[cfg(target_os = "linux")]
fn maildir_of(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
    }
    let bounce = "From: MAILER-DAEMON@mx.example.net\nTo: s@example.com\nSubject: Undelivered Mail\n\
                  X-Failed-Recipients: r@example.org\n\nr@example.org: 550 5.1.1 User unknown\n";
    for i in 0..n {
        std::fs::write(dir.path().join("cur").join(format!("{i:03}:2,S")), bounce).expect("write");
    }
    dir
}

/// `explain --json` on a folder with at most `nofile` file descriptors (util-linux's
/// `prlimit`) on two cores (`taskset`): its reports, and the lines of standard error that
/// say it ran out of descriptors. `None` when those tools are missing.
#[cfg(target_os = "linux")]
fn explain_with_descriptors(folder: &std::path::Path, nofile: usize) -> Option<(usize, usize)> {
    let out = Command::new("prlimit")
        .arg(format!("--nofile={nofile}"))
        .args([
            "taskset",
            "-c",
            "0,1",
            env!("CARGO_BIN_EXE_fivefifty"),
            "explain",
            "--json",
        ])
        .arg(folder)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("prlimit:") || stderr.contains("taskset:") {
        return None;
    }
    let reports = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|v| v["details"]["reports"].as_array().map(Vec::len))
        .unwrap_or(0);
    Some((reports, stderr.matches("Too many open files").count()))
}

#[cfg(target_os = "linux")]
#[test]
fn a_folder_is_read_whole_by_a_process_left_one_descriptor_per_thread() {
    // The fewest descriptors with which one message is read: what the process holds, plus one.
    let one = maildir_of(1);
    let Some(least) = (4..64).find(|&n| explain_with_descriptors(one.path(), n) == Some((1, 0)))
    else {
        eprintln!("SKIP: prlimit or taskset missing, or no limit found");
        return;
    };
    // One more for the second thread: a run's files are opened ahead only while descriptors
    // last, and then one at a time, so every message is read. A thread that finds none free
    // at a file's turn, while the other still holds some it opened ahead, waits for them: that
    // race lost a message in about one run of fifty, so the runs are many.
    let many = maildir_of(60);
    for _ in 0..30 {
        assert_eq!(
            explain_with_descriptors(many.path(), least + 1),
            Some((60, 0)),
            "with {} descriptors",
            least + 1
        );
    }
}
