//! DMARC (RFC 9989) for messages, end to end on the lab DNS server: alignment through SPF only,
//! DKIM only, both, neither; subdomain policy; np; a PSD; a long tree walk; a third-party
//! signature; no record; no From domain or several; and temporary DNS failures that must give
//! temperror, never fail. Also the HELO identity's SPF findings, which sit beside DMARC's input.

mod support;

use fivefifty::checks::auth::dmarc_eval::PolicyTag;
use fivefifty::checks::auth::message::{AuthReport, authenticate};
use fivefifty::checks::auth::outcome::AuthResult;
use fivefifty::dns::lab::LabServer;
use fivefifty::evidence::Evidence;
use fivefifty::finding::{Cause, Finding, Severity};
use std::sync::Arc;

const WORLD: &str = r#"
$ORIGIN org.example.
@        IN A    192.0.2.60
@        IN TXT  "v=spf1 ip4:192.0.2.60 -all"
_dmarc   IN TXT  "v=DMARC1; p=reject; sp=quarantine; np=reject"
news     IN A    192.0.2.61
$ORIGIN psd.example.
_dmarc   IN TXT  "v=DMARC1; p=reject; psd=y"
$ORIGIN deep.example.
@        IN TXT  "v=spf1 ip4:192.0.2.70 -all"
_dmarc   IN TXT  "v=DMARC1; p=reject"
a.b.c.d.e.f.g.h.i IN A 192.0.2.71
$ORIGIN tmp.example.
@        IN TXT  "v=spf1 ip4:192.0.2.80 -all"
$ORIGIN slow.example.
@        IN TXT  "v=spf1 ip4:192.0.2.90 -all"
_dmarc   IN TXT  "v=DMARC1; p=reject"
$ORIGIN plain.example.
@        IN TXT  "v=spf1 ip4:192.0.2.95 -all"
$ORIGIN nopolicy.example.
@        IN TXT  "v=spf1 ip4:192.0.2.96 -all"
_dmarc   IN TXT  "v=DMARC1; adkim=s"
"#;

async fn world() -> LabServer {
    let mut zones = support::zones(&format!("{}\n{WORLD}", support::lab_zone_text()), &[]);
    zones.servfail("_dmarc.tmp.example").expect("servfail");
    zones
        .silence("s2048._domainkey.slow.example", None)
        .expect("silence");
    zones.silence("slow.example", None).expect("silence");
    support::lab(zones).await
}

async fn run(server: &LabServer, raw: Vec<u8>, ip: &str, mail_from: &str) -> AuthReport {
    run_helo(server, raw, ip, "mail.sender.example", mail_from).await
}

/// Like [`run`], with the HELO name given.
async fn run_helo(
    server: &LabServer,
    raw: Vec<u8>,
    ip: &str,
    helo: &str,
    mail_from: &str,
) -> AuthReport {
    let dns = server.resolver().expect("resolver");
    let evidence = Evidence {
        client_ip: Some(ip.parse().expect("ip")),
        helo: Some(helo.into()),
        mail_from: Some(mail_from.into()),
        rcpt_to: vec!["rcpt@dest.example".into()],
        message: Some(Arc::from(raw)),
        inferred: Vec::new(),
    };
    authenticate(&dns, &evidence).await
}

fn codes(r: &AuthReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(r: &'a AuthReport, code: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(r)))
}

/// A message with the given From field value (LF endings turned into CRLF).
fn message_from_field(from_field: &str) -> Vec<u8> {
    support::crlf(&format!(
        "{from_field}To: rcpt@dest.example\nSubject: quarterly report\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <2@msg.example>\n\nhello\n"
    ))
}

#[tokio::test]
async fn aligned_through_spf_only_passes() {
    let server = world().await;
    let raw = support::message("alice@good.example", "", "hello\n");
    let r = run(&server, raw, "192.0.2.20", "bounce@good.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.result, AuthResult::Pass, "{:?}", r.findings);
    assert_eq!(d.spf.aligned, AuthResult::Pass);
    assert_eq!(d.dkim.aligned, AuthResult::None);
    assert_eq!(d.record_domain.as_deref(), Some("good.example"));
    assert_eq!(d.policy_tag, Some(PolicyTag::P));
    assert!(codes(&r).contains(&"DKIM_NONE"));
}

#[tokio::test]
async fn aligned_through_dkim_only_passes() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "s2048",
    );
    // 203.0.113.9 is not in good.example's SPF: SPF fails, DKIM carries DMARC.
    let r = run(&server, raw, "203.0.113.9", "alice@good.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(r.spf.result(), AuthResult::Fail);
    assert_eq!(d.dkim.aligned, AuthResult::Pass);
    assert_eq!(d.result, AuthResult::Pass, "{:?}", r.findings);
    assert!(codes(&r).contains(&"SPF_FAIL"));
}

#[tokio::test]
async fn aligned_through_both_passes() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "good.example",
        "s2048",
    );
    let r = run(&server, raw, "192.0.2.20", "alice@good.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(
        (d.spf.aligned, d.dkim.aligned),
        (AuthResult::Pass, AuthResult::Pass)
    );
    assert_eq!(d.result, AuthResult::Pass);
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        codes(&r)
    );
}

#[tokio::test]
async fn aligned_through_neither_fails_with_reject_policy() {
    let server = world().await;
    let raw = support::message("alice@good.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@good.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.result, AuthResult::Fail);
    assert_eq!(d.policy, "reject");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "DMARC_FAIL")
        .expect("DMARC_FAIL");
    assert_eq!(f.severity, Severity::Error);
    assert!(!f.fix.is_empty());
}

#[tokio::test]
async fn existing_subdomain_gets_the_sp_policy() {
    let server = world().await;
    let raw = support::message("alice@news.org.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@news.org.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.record_domain.as_deref(), Some("org.example"));
    assert_eq!(d.policy_tag, Some(PolicyTag::Sp));
    assert_eq!(d.policy, "quarantine");
    assert_eq!(d.result, AuthResult::Fail);
}

#[tokio::test]
async fn non_existent_subdomain_gets_the_np_policy() {
    let server = world().await;
    let raw = support::message("alice@ghost.org.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@ghost.org.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.policy_tag, Some(PolicyTag::Np));
    assert_eq!(d.policy, "reject");
}

#[tokio::test]
async fn public_suffix_domain_record_applies_below_it() {
    let server = world().await;
    let raw = support::message("alice@shop.brand.psd.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@shop.brand.psd.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.record_domain.as_deref(), Some("psd.example"));
    assert_eq!(
        d.organizational_domain.as_deref(),
        Some("brand.psd.example")
    );
    assert_eq!(d.result, AuthResult::Fail);
    assert_eq!(d.policy, "reject");
}

#[tokio::test]
async fn tree_walk_over_more_than_eight_labels_finds_the_record_and_aligns_relaxed() {
    let server = world().await;
    let from = "alice@a.b.c.d.e.f.g.h.i.deep.example";
    let raw = support::message(from, "", "hello\n");
    let r = run(&server, raw, "192.0.2.70", "bounce@deep.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(
        d.from_domain.as_deref(),
        Some("a.b.c.d.e.f.g.h.i.deep.example")
    );
    assert_eq!(d.record_domain.as_deref(), Some("deep.example"));
    assert_eq!(d.spf.aligned, AuthResult::Pass);
    assert_eq!(d.result, AuthResult::Pass, "{:?}", r.findings);
}

#[tokio::test]
async fn third_party_signature_passes_dkim_but_not_dmarc_and_the_fix_says_so() {
    let server = world().await;
    // relay.example (an ESP) signs and bounces for good.example's mail.
    let raw = support::sign(
        &support::message("alice@good.example", "", "hello\n"),
        "relay.example",
        "s1",
    );
    let r = run(&server, raw, "198.51.100.7", "bounce@relay.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(r.dkim.result(), AuthResult::Pass);
    assert_eq!(r.spf.result(), AuthResult::Pass);
    assert_eq!(d.dkim.aligned, AuthResult::Fail);
    assert_eq!(d.spf.aligned, AuthResult::Fail);
    assert_eq!(d.result, AuthResult::Fail);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "DMARC_FAIL")
        .expect("DMARC_FAIL");
    assert!(f.fix.contains("relay.example"), "{}", f.fix);
    assert!(f.fix.contains("d=good.example"), "{}", f.fix);
}

#[tokio::test]
async fn dns_servfail_on_the_dmarc_record_gives_temperror_never_fail() {
    let server = world().await;
    let raw = support::message("alice@tmp.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@tmp.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.result, AuthResult::TempError, "{:?}", codes(&r));
    assert!(codes(&r).contains(&"DMARC_TEMPERROR"));
    assert!(!codes(&r).contains(&"DMARC_FAIL"));
}

#[tokio::test]
async fn dns_timeouts_give_temperror_for_spf_and_dkim_never_fail() {
    let server = world().await;
    let raw = support::sign(
        &support::message("alice@slow.example", "", "hello\n"),
        "slow.example",
        "s2048",
    );
    let r = run(&server, raw, "203.0.113.9", "alice@slow.example").await;
    assert_eq!(r.spf.result(), AuthResult::TempError, "{:?}", codes(&r));
    assert_eq!(r.dkim.result(), AuthResult::TempError);
    assert!(codes(&r).contains(&"SPF_TEMPERROR"));
    assert!(codes(&r).contains(&"DKIM_TEMPERROR"));
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_ne!(d.result, AuthResult::Fail, "{:?}", codes(&r));
    assert!(
        r.findings.iter().all(|f| f.severity != Severity::Error),
        "{:?}",
        codes(&r)
    );
}

#[tokio::test]
async fn aligned_message_gets_dmarc_pass_naming_the_record() {
    let server = world().await;
    let raw = support::message("alice@good.example", "", "hello\n");
    let r = run(&server, raw, "192.0.2.20", "bounce@good.example").await;
    let f = finding(&r, "DMARC_PASS");
    assert_eq!(f.cause, Cause::Authentication);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "good.example");
    assert!(f.summary.contains("aligned through SPF"), "{}", f.summary);
    assert_eq!(f.evidence["record_domain"], "good.example");
    assert_eq!(f.evidence["policy"], "reject");
    assert_eq!(f.evidence["spf_aligned"], "pass");
    assert!(!codes(&r).contains(&"DMARC_FAIL"));
    // Near miss: not aligned, not a pass.
    let raw = support::message("alice@good.example", "", "hello\n");
    let r = run(&server, raw, "203.0.113.9", "alice@good.example").await;
    assert!(!codes(&r).contains(&"DMARC_PASS"), "{:?}", codes(&r));
}

#[tokio::test]
async fn from_domain_without_any_dmarc_record_is_dmarc_none_with_the_record_to_publish() {
    let server = world().await;
    let raw = support::message("alice@plain.example", "", "hello\n");
    let r = run(&server, raw, "192.0.2.95", "alice@plain.example").await;
    let d = r.dmarc.as_ref().expect("dmarc");
    assert_eq!(d.result, AuthResult::None);
    assert!(d.record.is_none());
    let f = finding(&r, "DMARC_NONE");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "plain.example");
    assert!(
        f.fix.contains("_dmarc.plain.example: \"v=DMARC1; p=none"),
        "{}",
        f.fix
    );
    // A record without p= and without rua= asks for nothing: none, as a fact.
    let raw = support::message("alice@nopolicy.example", "", "hello\n");
    let r = run(&server, raw, "192.0.2.96", "alice@nopolicy.example").await;
    let f = finding(&r, "DMARC_NONE");
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.summary
            .contains("the record at _dmarc.nopolicy.example sets no policy"),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence["record"], "v=DMARC1; adkim=s");
    // Near miss: a domain that publishes one passes or fails, never "none".
    let raw = support::message("alice@good.example", "", "hello\n");
    let r = run(&server, raw, "192.0.2.20", "alice@good.example").await;
    assert!(!codes(&r).contains(&"DMARC_NONE"), "{:?}", codes(&r));
}

#[tokio::test]
async fn message_without_a_from_address_cannot_get_dmarc() {
    let server = world().await;
    for from_field in ["", "From: undisclosed-recipients:;\n"] {
        let r = run(
            &server,
            message_from_field(from_field),
            "192.0.2.20",
            "alice@good.example",
        )
        .await;
        let f = finding(&r, "DMARC_NO_FROM_DOMAIN");
        assert_eq!(f.severity, Severity::Error, "{from_field:?}");
        assert_eq!(f.subject, "From");
        assert!(!f.fix.is_empty());
        assert!(!codes(&r).contains(&"DMARC_PASS"), "{from_field:?}");
    }
}

#[tokio::test]
async fn from_with_authors_in_several_domains_names_each_domain_once() {
    let server = world().await;
    let raw =
        message_from_field("From: alice@good.example, bob@relay.example, carol@good.example\n");
    let r = run(&server, raw, "192.0.2.20", "alice@good.example").await;
    let f = finding(&r, "DMARC_MULTIPLE_FROM_DOMAINS");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "good.example, relay.example");
    assert!(!codes(&r).contains(&"DMARC_PASS"));
    // Near miss: two authors in one domain are one Author Domain, and DMARC applies.
    let raw = message_from_field("From: alice@good.example, carol@good.example\n");
    let r = run(&server, raw, "192.0.2.20", "alice@good.example").await;
    assert!(
        !codes(&r).contains(&"DMARC_MULTIPLE_FROM_DOMAINS"),
        "{:?}",
        codes(&r)
    );
    assert_eq!(
        r.dmarc.as_ref().expect("dmarc").from_domain.as_deref(),
        Some("good.example")
    );
}

#[tokio::test]
async fn helo_identity_gets_its_own_spf_findings_softer_than_mail_from() {
    let server = world().await;
    let raw = || support::message("alice@good.example", "", "hello\n");
    let r = run_helo(
        &server,
        raw(),
        "192.0.2.20",
        "good.example",
        "alice@good.example",
    )
    .await;
    let f = finding(&r, "SPF_HELO_PASS");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "good.example");
    assert_eq!(f.evidence["identity"], "helo");
    assert_eq!(f.evidence["sender"], "postmaster@good.example");
    // From an IP good.example does not authorise: the HELO failure is a warning, MAIL FROM's
    // an error.
    let r = run_helo(
        &server,
        raw(),
        "203.0.113.9",
        "good.example",
        "alice@good.example",
    )
    .await;
    assert_eq!(finding(&r, "SPF_HELO_FAIL").severity, Severity::Warning);
    assert_eq!(finding(&r, "SPF_FAIL").severity, Severity::Error);
    // Near miss: for the null sender the HELO result stands for MAIL FROM and is reported once,
    // as SPF_*.
    let r = run_helo(&server, raw(), "192.0.2.20", "good.example", "").await;
    assert!(
        !codes(&r).iter().any(|c| c.starts_with("SPF_HELO_")),
        "{:?}",
        codes(&r)
    );
    assert_eq!(
        finding(&r, "SPF_PASS").evidence["sender"],
        "postmaster@good.example"
    );
}
