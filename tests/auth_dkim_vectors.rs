//! DKIM conformance: the vectors of ../shared/corpora/dkim verify as their expected results say,
//! at the stated time.
//!
//! The verification time is set through `dkim::verify(dns, message, now)`: mail-auth 0.13.3's
//! own `verify_dkim` reads the clock and cannot be given a time, which is one reason fivefifty
//! orders mail-auth's building blocks itself (see src/checks/auth/dkim.rs).

mod support;

use fivefifty::checks::auth::dkim::{self, DkimProblem};
use fivefifty::checks::auth::outcome::AuthResult;
use mail_auth::AuthenticatedMessage;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[tokio::test]
async fn mail_auth_vectors_verify_as_expected_tsv_says_at_the_stated_time() {
    let Some(dir) = support::corpus("dkim/mail-auth-rs") else {
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let mut checked = 0;
    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, count, expected, at) = (cols[0], cols[1], cols[3], cols[4]);
        let count: usize = count.parse().expect("count");
        let at: u64 = at.parse().expect("time");
        let text = std::fs::read_to_string(dir.join(file)).expect("vector");
        let (records, message) = text
            .split_once("\n\n")
            .expect("records, blank line, message");
        let txts: Vec<(String, String)> = records
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let server = support::lab(support::zones("", &txts)).await;
        let dns = server.resolver().expect("resolver");
        let raw = support::crlf(message);
        let parsed = AuthenticatedMessage::parse_with_opts(&raw, None, false).expect("parses");
        let v = dkim::verify(&dns, &parsed, at).await;
        assert_eq!(v.report.total_signatures, count, "{file}: signature count");
        let got: Vec<String> = v
            .report
            .signatures
            .iter()
            .map(|s| s.result.to_string())
            .collect();
        let want: Vec<String> = expected.split(',').map(str::to_string).collect();
        assert_eq!(
            got,
            want,
            "{file}: {:?}",
            v.report
                .signatures
                .iter()
                .map(|s| &s.detail)
                .collect::<Vec<_>>()
        );
        // 005 carries x=: at today's clock it is expired, and says so.
        if file.ends_with("005.txt") {
            let later = dkim::verify(&dns, &parsed, now()).await;
            assert_eq!(later.report.signatures[0].result, AuthResult::Fail);
            assert_eq!(
                later.report.signatures[0].problem,
                Some(DkimProblem::Expired)
            );
            assert!(later.findings.iter().any(|f| f.code == "DKIM_EXPIRED"));
        }
        checked += 1;
    }
    assert_eq!(checked, 6, "all six vectors checked");
}

const RFC8463_ED25519: &str = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

#[tokio::test]
async fn dkimpy_vectors_rsa_and_ed25519_pass() {
    let Some(dir) = support::corpus("dkim/dkimpy/data") else {
        return;
    };
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("dkimpy file");
    let txts = vec![
        (
            "test._domainkey.football.example.com".to_string(),
            read("test.txt").trim().to_string(),
        ),
        (
            "brisbane._domainkey.football.example.com".to_string(),
            RFC8463_ED25519.to_string(),
        ),
        (
            "sed._domainkey.test.ex".to_string(),
            read("eximtest.dns").trim().to_string(),
        ),
    ];
    let server = support::lab(support::zones("", &txts)).await;
    let dns = server.resolver().expect("resolver");
    for (file, want) in [
        ("rfc6376.signed.msg", vec!["pass", "pass"]),
        ("ed25519test2.msg", vec!["pass"]),
    ] {
        let raw = support::crlf(&read(file));
        let parsed = AuthenticatedMessage::parse_with_opts(&raw, None, false).expect("parses");
        let v = dkim::verify(&dns, &parsed, now()).await;
        let got: Vec<String> = v
            .report
            .signatures
            .iter()
            .map(|s| s.result.to_string())
            .collect();
        assert_eq!(got, want, "{file}: {:?}", v.report.signatures);
    }
}

#[tokio::test]
async fn dkimpy_bad_key_records_give_a_clear_finding_each() {
    let Some(dir) = support::corpus("dkim/dkimpy/data") else {
        return;
    };
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("dkimpy file");
    let message = read("rfc6376.signed.msg");
    for (record_file, code) in [
        ("badk.txt", "DKIM_KEY_INVALID"),
        ("test_bad.txt", "DKIM_KEY_INVALID"),
    ] {
        let txts = vec![(
            "test._domainkey.football.example.com".to_string(),
            read(record_file).trim().to_string(),
        )];
        let server = support::lab(support::zones("", &txts)).await;
        let dns = server.resolver().expect("resolver");
        let raw = support::crlf(&message);
        let parsed = AuthenticatedMessage::parse_with_opts(&raw, None, false).expect("parses");
        let v = dkim::verify(&dns, &parsed, now()).await;
        let rsa = &v.report.signatures[1];
        assert_eq!(rsa.selector, "test");
        assert_eq!(rsa.result, AuthResult::PermError, "{record_file}: {rsa:?}");
        assert!(
            v.findings.iter().any(|f| f.code == code),
            "{record_file}: {:?}",
            v.findings.iter().map(|f| &f.code).collect::<Vec<_>>()
        );
        // The Ed25519 signature has no key here: key not found, said so.
        assert!(v.findings.iter().any(|f| f.code == "DKIM_KEY_NOT_FOUND"));
    }
}
