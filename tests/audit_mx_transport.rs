//! MX, MTA-STS, TLS-RPT and BIMI audits against records served by the lab DNS server.

use fivefifty::checks::domain::{bimi, mta_sts, mx, tlsrpt};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::{Finding, Severity};
use hickory_proto::rr::RecordType;

const ZONE: &str = r#"
$ORIGIN example.
@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60
good IN MX 10 mx1.good.example.
good IN MX 20 mx2.good.example.
mx1.good IN A 192.0.2.10
mx1.good IN AAAA 2001:db8::10
mx2.good IN A 192.0.2.11
_mta-sts.good IN TXT "v=STSv1; id=20260101T000000"
_smtp._tls.good IN TXT "v=TLSRPTv1; rua=mailto:tls@good.example,https://reports.good.example/tls"
default._bimi.good IN TXT "v=BIMI1; l=https://good.example/logo.svg; a=https://good.example/vmc.pem"
nullmx IN MX 0 .
mixed IN MX 0 .
mixed IN MX 10 mx1.good.example.
implicit IN A 192.0.2.20
nomail IN TXT "v=spf1 -all"
noaddr IN MX 10 nowhere.noaddr.example.
aliased IN MX 10 alias.aliased.example.
alias.aliased IN CNAME mx1.good.example.
literal IN MX 10 192.0.2.30.
private IN MX 10 mx.private.example.
mx.private IN A 10.0.0.25
ipv4only IN MX 10 mx.ipv4only.example.
mx.ipv4only IN A 192.0.2.40
slowmx IN MX 10 mx.slowmx.example.
_mta-sts.twice IN TXT "v=STSv1; id=1"
_mta-sts.twice IN TXT "v=STSv1; id=2"
_mta-sts.badid IN TXT "v=STSv1; id=not-valid!"
_mta-sts.order IN TXT "id=123; v=STSv1"
_smtp._tls.badrua IN TXT "v=TLSRPTv1; rua=ftp://reports.example"
_smtp._tls.norua IN TXT "v=TLSRPTv1;"
_smtp._tls.twice IN TXT "v=TLSRPTv1; rua=mailto:a@twice.example"
_smtp._tls.twice IN TXT "v=TLSRPTv1; rua=mailto:b@twice.example"
default._bimi.badlogo IN TXT "v=BIMI1; l=http://badlogo.example/logo.png"
default._bimi.nocert IN TXT "v=BIMI1; l=https://nocert.example/logo.svg"
default._bimi.declined IN TXT "v=BIMI1; l=;"
default._bimi.twice IN TXT "v=BIMI1; l=https://twice.example/old.svg; a=https://twice.example/vmc.pem"
default._bimi.twice IN TXT "v=BIMI1; l=https://twice.example/new.svg; a=https://twice.example/vmc.pem"
default._bimi.shared IN TXT "v=BIMI1; l=https://shared.example/logo.svg; a=https://shared.example/vmc.pem"
default._bimi.shared IN TXT "site-verification=abc123"
"#;

async fn lab() -> LabServer {
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone parses");
    zones.silence("mx.slowmx.example", None).expect("silence");
    zones
        .silence("_mta-sts.slow.example", Some(RecordType::TXT))
        .expect("silence");
    zones
        .silence("_smtp._tls.slow.example", Some(RecordType::TXT))
        .expect("silence");
    zones
        .silence("default._bimi.slow.example", Some(RecordType::TXT))
        .expect("silence");
    zones
        .silence("slow.example", Some(RecordType::MX))
        .expect("silence");
    LabServer::start(zones).await.expect("lab")
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

fn severity_of(findings: &[Finding], code: &str) -> Severity {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(findings)))
        .severity
}

async fn mx_of(domain: &str) -> mx::MxAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    mx::audit(&dns, domain).await
}

// ---- MX ----

#[tokio::test]
async fn mx_targets_resolve_over_ipv4_and_ipv6() {
    let a = mx_of("good.example").await;
    assert_eq!(codes(&a.findings), vec!["MX_OK"]);
    assert_eq!(a.hosts.len(), 2);
    assert_eq!(a.hosts[0].exchange, "mx1.good.example");
    assert_eq!(a.hosts[0].ipv6.len(), 1);
    assert_eq!(a.can_receive, Some(true));
}

#[tokio::test]
async fn null_mx_means_no_mail() {
    let a = mx_of("nullmx.example").await;
    assert!(a.null_mx);
    assert_eq!(a.can_receive, Some(false));
    assert_eq!(severity_of(&a.findings, "MX_NULL"), Severity::Error);
}

#[tokio::test]
async fn null_mx_mixed_with_other_mx_is_an_error() {
    let a = mx_of("mixed.example").await;
    assert_eq!(severity_of(&a.findings, "MX_NULL_MIXED"), Severity::Error);
}

#[tokio::test]
async fn no_mx_falls_back_to_address_records() {
    let a = mx_of("implicit.example").await;
    assert!(a.implicit);
    assert_eq!(a.can_receive, Some(true));
    assert_eq!(severity_of(&a.findings, "MX_IMPLICIT"), Severity::Warning);
}

#[tokio::test]
async fn no_mx_and_no_address_cannot_receive_mail() {
    let a = mx_of("nomail.example").await;
    assert_eq!(a.can_receive, Some(false));
    assert_eq!(severity_of(&a.findings, "MX_MISSING"), Severity::Error);
    let gone = mx_of("doesnotexist.example").await;
    assert_eq!(
        severity_of(&gone.findings, "MX_DOMAIN_NOT_FOUND"),
        Severity::Error
    );
}

#[tokio::test]
async fn mx_target_without_address_is_flagged() {
    let a = mx_of("noaddr.example").await;
    assert_eq!(
        severity_of(&a.findings, "MX_TARGET_NO_ADDRESS"),
        Severity::Error
    );
    assert_eq!(a.can_receive, Some(false));
}

#[tokio::test]
async fn mx_target_must_not_be_a_cname() {
    let a = mx_of("aliased.example").await;
    assert_eq!(
        severity_of(&a.findings, "MX_TARGET_CNAME"),
        Severity::Warning
    );
    assert_eq!(a.hosts[0].cname.as_deref(), Some("mx1.good.example"));
    assert_eq!(a.can_receive, Some(true));
}

#[tokio::test]
async fn mx_target_must_not_be_an_ip_literal() {
    let a = mx_of("literal.example").await;
    assert_eq!(severity_of(&a.findings, "MX_TARGET_IS_IP"), Severity::Error);
}

#[tokio::test]
async fn mx_target_on_private_address_is_unreachable() {
    let a = mx_of("private.example").await;
    assert_eq!(
        severity_of(&a.findings, "MX_TARGET_PRIVATE_IP"),
        Severity::Warning
    );
}

#[tokio::test]
async fn mx_without_ipv6_is_noted() {
    let a = mx_of("ipv4only.example").await;
    assert_eq!(severity_of(&a.findings, "MX_NO_IPV6"), Severity::Info);
}

#[tokio::test]
async fn mx_dns_timeout_is_temporary_not_an_error() {
    for domain in ["slow.example", "slowmx.example"] {
        let a = mx_of(domain).await;
        assert_eq!(
            severity_of(&a.findings, "MX_DNS_TEMPFAIL"),
            Severity::Temporary
        );
        assert!(
            a.findings.iter().all(|f| f.severity != Severity::Error),
            "{domain}"
        );
        assert_eq!(a.can_receive, None, "{domain}");
    }
}

#[tokio::test]
async fn mx_target_count_is_capped() {
    let mut zones = LabZones::new();
    let mut text = String::from(
        "$ORIGIN many.test.\n@ IN SOA ns.many.test. h.many.test. 1 3600 600 86400 60\n",
    );
    for i in 0..(mx::MAX_MX_TARGETS + 4) {
        text.push_str(&format!(
            "@ IN MX {i} mx{i}.many.test.\nmx{i} IN A 192.0.2.{i}\n"
        ));
    }
    zones.load_str(&text, None).expect("zone");
    let server = LabServer::start(zones).await.expect("lab");
    let dns = server.resolver().expect("resolver");
    let a = mx::audit(&dns, "many.test").await;
    assert_eq!(a.hosts.len(), mx::MAX_MX_TARGETS + 4);
    assert_eq!(
        a.hosts.iter().filter(|h| h.checked).count(),
        mx::MAX_MX_TARGETS
    );
    assert!(codes(&a.findings).contains(&"MX_TARGETS_TRUNCATED"));
}

// ---- MTA-STS ----

async fn sts_of(domain: &str, online: bool) -> mta_sts::MtaStsAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    mta_sts::audit(&dns, domain, online).await
}

#[tokio::test]
async fn mta_sts_offline_says_the_policy_was_not_fetched() {
    let a = sts_of("good.example", false).await;
    assert_eq!(a.id.as_deref(), Some("20260101T000000"));
    assert_eq!(codes(&a.findings), vec!["MTA_STS_POLICY_NOT_FETCHED"]);
    assert!(a.findings[0].summary.contains("offline"));
    assert_eq!(a.mx_hosts, vec!["mx1.good.example", "mx2.good.example"]);
}

#[tokio::test]
async fn mta_sts_online_fetch_failure_says_why() {
    // mta-sts.good.example has no address in the lab: the fetch fails before any connection.
    let a = sts_of("good.example", true).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "MTA_STS_POLICY_NOT_FETCHED")
        .expect("finding");
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.summary.contains("mta-sts.good.example has no address"),
        "{}",
        f.summary
    );
    assert!(matches!(a.fetch, mta_sts::PolicyFetch::Failed(_)));
}

#[tokio::test]
async fn mta_sts_policy_must_cover_every_mx() {
    let policy = mta_sts::parse_policy(
        "version: STSv1\nmode: enforce\nmx: mx1.good.example\nmax_age: 604800\n",
    );
    let mx = vec![
        "mx1.good.example".to_string(),
        "mx2.good.example".to_string(),
    ];
    let findings = mta_sts::check_policy("good.example", &policy, &mx);
    assert_eq!(
        severity_of(&findings, "MTA_STS_MX_MISMATCH"),
        Severity::Error
    );
    let covered =
        mta_sts::parse_policy("version: STSv1\nmode: testing\nmx: *.good.example\nmax_age: 3600\n");
    let findings = mta_sts::check_policy("good.example", &covered, &mx);
    assert_eq!(
        codes(&findings),
        vec!["MTA_STS_TESTING", "MTA_STS_MAX_AGE_SHORT"]
    );
    let broken = mta_sts::parse_policy("<html>not found</html>");
    assert!(
        codes(&mta_sts::check_policy("good.example", &broken, &mx))
            .contains(&"MTA_STS_POLICY_SYNTAX")
    );
}

#[tokio::test]
async fn mta_sts_record_syntax() {
    assert_eq!(
        severity_of(
            &sts_of("twice.example", false).await.findings,
            "MTA_STS_MULTIPLE_RECORDS"
        ),
        Severity::Warning
    );
    assert!(codes(&sts_of("badid.example", false).await.findings).contains(&"MTA_STS_SYNTAX"));
    assert!(codes(&sts_of("order.example", false).await.findings).contains(&"MTA_STS_SYNTAX"));
    assert_eq!(
        codes(&sts_of("ipv4only.example", false).await.findings),
        vec!["MTA_STS_MISSING"]
    );
}

#[tokio::test]
async fn mta_sts_dns_timeout_is_temporary() {
    let a = sts_of("slow.example", true).await;
    assert_eq!(codes(&a.findings), vec!["MTA_STS_DNS_TEMPFAIL"]);
    assert_eq!(a.findings[0].severity, Severity::Temporary);
}

// ---- TLS-RPT ----

async fn tlsrpt_of(domain: &str) -> tlsrpt::TlsRptAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    tlsrpt::audit(&dns, domain).await
}

#[tokio::test]
async fn tlsrpt_record_with_mailto_and_https() {
    let a = tlsrpt_of("good.example").await;
    assert_eq!(codes(&a.findings), vec!["TLSRPT_OK"]);
    assert_eq!(a.rua.len(), 2);
}

#[tokio::test]
async fn tlsrpt_record_syntax() {
    assert!(codes(&tlsrpt_of("badrua.example").await.findings).contains(&"TLSRPT_SYNTAX"));
    assert!(codes(&tlsrpt_of("norua.example").await.findings).contains(&"TLSRPT_SYNTAX"));
    assert_eq!(
        codes(&tlsrpt_of("twice.example").await.findings),
        vec!["TLSRPT_MULTIPLE_RECORDS"]
    );
    assert_eq!(
        codes(&tlsrpt_of("nomail.example").await.findings),
        vec!["TLSRPT_MISSING"]
    );
    let slow = tlsrpt_of("slow.example").await;
    assert_eq!(
        severity_of(&slow.findings, "TLSRPT_DNS_TEMPFAIL"),
        Severity::Temporary
    );
}

// ---- BIMI ----

async fn bimi_of(domain: &str, enforced: bool) -> bimi::BimiAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    bimi::audit(&dns, domain, enforced).await
}

#[tokio::test]
async fn bimi_record_with_logo_and_certificate() {
    let a = bimi_of("good.example", true).await;
    assert_eq!(codes(&a.findings), vec!["BIMI_OK"]);
    assert_eq!(a.logo.as_deref(), Some("https://good.example/logo.svg"));
}

#[tokio::test]
async fn bimi_needs_dmarc_enforcement() {
    let a = bimi_of("good.example", false).await;
    assert_eq!(codes(&a.findings), vec!["BIMI_NEEDS_DMARC_ENFORCEMENT"]);
}

#[tokio::test]
async fn bimi_record_syntax_and_certificate() {
    assert!(codes(&bimi_of("badlogo.example", true).await.findings).contains(&"BIMI_SYNTAX"));
    assert_eq!(
        codes(&bimi_of("nocert.example", true).await.findings),
        vec!["BIMI_NO_CERTIFICATE", "BIMI_OK"]
    );
    assert_eq!(
        codes(&bimi_of("declined.example", false).await.findings),
        vec!["BIMI_DECLINED"]
    );
    assert_eq!(
        codes(&bimi_of("nomail.example", true).await.findings),
        vec!["BIMI_MISSING"]
    );
    let slow = bimi_of("slow.example", true).await;
    assert_eq!(
        severity_of(&slow.findings, "BIMI_DNS_TEMPFAIL"),
        Severity::Temporary
    );
}

#[tokio::test]
async fn bimi_two_records_are_flagged_and_neither_is_used() {
    let a = bimi_of("twice.example", true).await;
    assert_eq!(codes(&a.findings), vec!["BIMI_MULTIPLE_RECORDS"]);
    let f = &a.findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.cause, fivefifty::finding::Cause::Configuration);
    assert_eq!(f.subject, "default._bimi.twice.example");
    assert_eq!(f.evidence["records"].as_array().map(Vec::len), Some(2));
    assert!(a.record.is_none() && a.logo.is_none());
    // Near miss: one BIMI record beside a TXT record of another kind is one record.
    let shared = bimi_of("shared.example", true).await;
    assert_eq!(codes(&shared.findings), vec!["BIMI_OK"]);
}
