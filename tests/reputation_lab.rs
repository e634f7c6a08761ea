//! IP reputation end to end on lab DNS (tests/zones/reputation.zone): one test per rule, each
//! with a true positive and a near miss.

use fivefifty::checks::reputation::{ReputationReport, check_ip};
use fivefifty::dns::Resolver;
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::Severity;
use hickory_proto::rr::RecordType;
use std::path::Path;

async fn lab() -> (LabServer, Resolver) {
    let mut zones = LabZones::new();
    zones
        .load_file(Path::new("tests/zones/reputation.zone"))
        .expect("zone file loads");
    zones
        .silence("148.69.2.81.in-addr.arpa", Some(RecordType::PTR))
        .expect("silence");
    zones.servfail("mail.sick-sender.com").expect("servfail");
    let server = LabServer::start(zones).await.expect("lab server starts");
    let dns = server.resolver().expect("resolver");
    (server, dns)
}

async fn check(dns: &Resolver, ip: &str, helo: Option<&str>) -> ReputationReport {
    check_ip(dns, ip.parse().expect("ip"), helo).await
}

fn codes(r: &ReputationReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.code.as_str()).collect()
}

fn has(r: &ReputationReport, code: &str) -> bool {
    r.findings.iter().any(|f| f.code == code)
}

fn severity(r: &ReputationReport, code: &str) -> Severity {
    r.findings
        .iter()
        .find(|f| f.code == code)
        .map(|f| f.severity)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(r)))
}

#[tokio::test]
async fn well_configured_sender_has_only_info_findings() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.142", Some("mail.good-sender.com")).await;
    assert_eq!(
        codes(&r),
        vec!["REPUTATION_PTR_OK", "REPUTATION_FCRDNS_OK", "HELO_OK"]
    );
    assert!(r.findings.iter().all(|f| f.severity == Severity::Info));
    assert_eq!(r.ptr.confirmed.as_deref(), Some("mail.good-sender.com"));
}

#[tokio::test]
async fn ip_without_ptr_is_an_error_and_ip_with_one_is_not() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.143", None).await;
    assert_eq!(severity(&r, "REPUTATION_NO_PTR"), Severity::Error);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "REPUTATION_NO_PTR")
        .expect("finding");
    assert!(f.fix.contains("hosting provider or ISP"), "{}", f.fix);
    let near = check(&dns, "81.2.69.142", None).await;
    assert!(!has(&near, "REPUTATION_NO_PTR"));
}

#[tokio::test]
async fn ptr_timeout_is_temporary_never_no_ptr() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.148", None).await;
    assert_eq!(severity(&r, "REPUTATION_PTR_TEMPFAIL"), Severity::Temporary);
    assert!(!has(&r, "REPUTATION_NO_PTR"));
    assert!(!has(&r, "REPUTATION_FCRDNS_MISMATCH"));
}

#[tokio::test]
async fn ptr_name_that_does_not_resolve_back_is_fcrdns_mismatch() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.144", None).await;
    assert_eq!(severity(&r, "REPUTATION_FCRDNS_MISMATCH"), Severity::Error);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "REPUTATION_FCRDNS_MISMATCH")
        .expect("finding");
    assert!(
        f.fix
            .contains("mail.mismatch-sender.com pointing at 81.2.69.144")
    );
    assert_eq!(
        f.evidence["forward"][0],
        "mail.mismatch-sender.com → 81.2.69.200"
    );
    let near = check(&dns, "81.2.69.142", None).await;
    assert!(has(&near, "REPUTATION_FCRDNS_OK") && !has(&near, "REPUTATION_FCRDNS_MISMATCH"));
}

#[tokio::test]
async fn ptr_name_whose_lookup_fails_is_a_temporary_fcrdns_failure_never_a_mismatch() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.149", None).await;
    assert!(has(&r, "REPUTATION_PTR_OK"), "{:?}", codes(&r));
    assert_eq!(
        severity(&r, "REPUTATION_FCRDNS_TEMPFAIL"),
        Severity::Temporary
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "REPUTATION_FCRDNS_TEMPFAIL")
        .expect("finding");
    assert_eq!(f.subject, "81.2.69.149");
    assert_eq!(f.evidence["name"], "mail.sick-sender.com");
    assert!(f.summary.contains("mail.sick-sender.com"), "{}", f.summary);
    assert!(!has(&r, "REPUTATION_FCRDNS_MISMATCH"));
    assert!(!has(&r, "REPUTATION_FCRDNS_OK"));
}

#[tokio::test]
async fn ipv6_reverse_and_forward_confirmation_work() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "2a01:4f8:10:20::25", None).await;
    assert_eq!(r.ptr.names, vec!["mail6.good-sender.com".to_string()]);
    assert!(has(&r, "REPUTATION_FCRDNS_OK"), "{:?}", codes(&r));
    assert!(!has(&r, "REPUTATION_GENERIC_PTR"));
}

#[tokio::test]
async fn ptr_with_the_ips_digits_is_generic() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.145", None).await;
    assert_eq!(severity(&r, "REPUTATION_GENERIC_PTR"), Severity::Warning);
    assert!(has(&r, "REPUTATION_FCRDNS_OK"));
    let near = check(&dns, "81.2.69.142", None).await;
    assert!(!has(&near, "REPUTATION_GENERIC_PTR"));
}

#[tokio::test]
async fn ptr_with_end_user_words_is_generic_but_not_words_inside_words() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.147", None).await;
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "REPUTATION_GENERIC_PTR")
        .expect("generic");
    assert!(f.summary.contains("dsl"), "{}", f.summary);
    let near = check(&dns, "81.2.69.146", None).await;
    assert!(!has(&near, "REPUTATION_GENERIC_PTR"), "{:?}", codes(&near));
}

#[tokio::test]
async fn private_and_reserved_ips_are_bogons_public_ones_are_not() {
    let (_s, dns) = lab().await;
    for bogon in [
        "10.1.2.3",
        "100.64.0.1",
        "172.16.5.5",
        "fd12::1",
        "::ffff:192.168.1.1",
    ] {
        let r = check(&dns, bogon, None).await;
        assert_eq!(
            severity(&r, "REPUTATION_BOGON_IP"),
            Severity::Error,
            "{bogon}"
        );
    }
    for public in [
        "81.2.69.142",
        "100.128.0.1",
        "172.32.0.1",
        "2a01:4f8:10:20::25",
    ] {
        let r = check(&dns, public, None).await;
        assert!(!has(&r, "REPUTATION_BOGON_IP"), "{public}");
    }
}

#[tokio::test]
async fn helo_bare_ip_is_an_error_but_a_bracketed_literal_is_not() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.142", Some("81.2.69.142")).await;
    assert_eq!(severity(&r, "HELO_BARE_IP"), Severity::Error);
    let near = check(&dns, "81.2.69.142", Some("[81.2.69.142]")).await;
    assert!(!has(&near, "HELO_BARE_IP"));
    assert_eq!(severity(&near, "HELO_ADDRESS_LITERAL"), Severity::Warning);
    let other = check(&dns, "81.2.69.142", Some("[81.2.69.1]")).await;
    assert_eq!(severity(&other, "HELO_LITERAL_MISMATCH"), Severity::Error);
}

#[tokio::test]
async fn helo_localhost_is_an_error() {
    let (_s, dns) = lab().await;
    for helo in ["localhost", "localhost.localdomain", "mail.local"] {
        let r = check(&dns, "81.2.69.142", Some(helo)).await;
        assert_eq!(severity(&r, "HELO_LOCALHOST"), Severity::Error, "{helo}");
    }
    let near = check(&dns, "81.2.69.142", Some("mail.good-sender.com")).await;
    assert!(!has(&near, "HELO_LOCALHOST"));
}

#[tokio::test]
async fn helo_must_be_fully_qualified() {
    let (_s, dns) = lab().await;
    for helo in ["mailserver", "srv01.corp.internal"] {
        let r = check(&dns, "81.2.69.142", Some(helo)).await;
        assert_eq!(severity(&r, "HELO_NOT_FQDN"), Severity::Error, "{helo}");
    }
    let r = check(&dns, "81.2.69.142", Some("bad_name!")).await;
    assert_eq!(severity(&r, "HELO_INVALID"), Severity::Error);
    let near = check(&dns, "81.2.69.142", Some("Mail.Good-Sender.COM")).await;
    assert!(has(&near, "HELO_OK"), "{:?}", codes(&near));
}

#[tokio::test]
async fn helo_name_that_does_not_resolve_is_flagged() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.142", Some("nx.good-sender.com")).await;
    assert_eq!(severity(&r, "HELO_NO_DNS"), Severity::Warning);
    let near = check(&dns, "81.2.69.142", Some("alias.good-sender.com")).await;
    assert!(has(&near, "HELO_OK"));
}

#[tokio::test]
async fn helo_name_whose_lookup_fails_is_temporary_never_no_dns() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.142", Some("mail.sick-sender.com")).await;
    assert_eq!(severity(&r, "HELO_DNS_TEMPFAIL"), Severity::Temporary);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "HELO_DNS_TEMPFAIL")
        .expect("finding");
    assert_eq!(f.subject, "mail.sick-sender.com");
    assert_eq!(f.evidence["helo"], "mail.sick-sender.com");
    assert_eq!(f.evidence["ip"], "81.2.69.142");
    assert!(!has(&r, "HELO_NO_DNS"), "{:?}", codes(&r));
    assert!(!has(&r, "HELO_MISMATCH"));
}

#[tokio::test]
async fn helo_must_match_the_ip_or_the_ptr() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.142", Some("other.good-sender.com")).await;
    assert_eq!(severity(&r, "HELO_MISMATCH"), Severity::Warning);
    // Near misses: it resolves to the IP (alias), or it is the PTR name though its A record
    // points elsewhere.
    let by_ip = check(&dns, "81.2.69.142", Some("alias.good-sender.com")).await;
    assert!(has(&by_ip, "HELO_OK"));
    let by_ptr = check(&dns, "81.2.69.144", Some("mail.mismatch-sender.com")).await;
    assert!(has(&by_ptr, "HELO_OK"), "{:?}", codes(&by_ptr));
}

#[tokio::test]
async fn report_serialises_with_facts_and_findings() {
    let (_s, dns) = lab().await;
    let r = check(&dns, "81.2.69.145", Some("81.2.69.145")).await;
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["ip"], "81.2.69.145");
    assert_eq!(json["ptr"]["names"][0], "145-69-2-81.dyn.isp-example.net");
    assert_eq!(json["helo"]["form"]["form"], "bare_ip");
    assert!(json["findings"].as_array().is_some_and(|f| f.len() >= 3));
}
