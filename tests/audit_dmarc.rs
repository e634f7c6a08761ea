//! DMARC record audit (RFC 9989) against records served by the lab DNS server.

use fivefifty::checks::auth::dmarc::{self, DmarcAudit, PolicyValue};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::Severity;
use hickory_proto::rr::RecordType;

const ZONE: &str = r#"
$ORIGIN example.
@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60
_dmarc.good IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"
_dmarc.org IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@org.example"
mail.org IN A 192.0.2.1
_dmarc.none IN TXT "v=DMARC1; p=none; rua=mailto:reports@thirdparty.example"
_dmarc.authorized IN TXT "v=DMARC1; p=quarantine; rua=mailto:reports@thirdparty.example"
authorized.example._report._dmarc.thirdparty IN TXT "v=DMARC1;"
_dmarc.two IN TXT "v=DMARC1; p=reject"
_dmarc.two IN TXT "v=DMARC1; p=none"
_dmarc.syntax IN TXT "v=DMARC1; p=rejected; rua=mailto:d@syntax.example"
_dmarc.order IN TXT "p=reject; v=DMARC1"
_dmarc.weak IN TXT "v=DMARC1; p=reject; sp=none; np=none; rua=mailto:d@weak.example"
_dmarc.weaknp IN TXT "v=DMARC1; p=reject; np=none; rua=mailto:d@weaknp.example"
_dmarc.obsolete IN TXT "v=DMARC1; p=reject; pct=20; rf=afrf; ri=3600; rua=mailto:d@obsolete.example"
_dmarc.testing IN TXT "v=DMARC1; p=reject; t=y; rua=mailto:d@testing.example"
_dmarc.badrua IN TXT "v=DMARC1; p=reject; rua=https://reports.example/dmarc,mailto:nobody"
_dmarc.nopolicy IN TXT "v=DMARC1; adkim=s"
_dmarc.junk IN TXT "v=DMARC1; p=reject; rua=mailto:d@junk.example; polcy=reject"
_dmarc.slow IN TXT "v=DMARC1; p=reject"
_dmarc.spf IN TXT "v=spf1 -all"
_dmarc.long IN TXT "v=DMARC1; p=reject; rua=mailto:d@long.example"
_dmarc.psd IN TXT "v=DMARC1; p=reject; psd=y; rua=mailto:d@psd.example"
_dmarc.own.psd IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@own.psd.example"
_dmarc.badruf IN TXT "v=DMARC1; p=reject; rua=mailto:d@badruf.example; ruf=https://reports.example/ruf,mailto:f@badruf.example"
"#;

async fn lab() -> LabServer {
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone parses");
    zones
        .silence("_dmarc.slow.example", Some(RecordType::TXT))
        .expect("silence");
    LabServer::start(zones).await.expect("lab server")
}

async fn run(domain: &str) -> DmarcAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    dmarc::audit(&dns, domain).await
}

fn codes(a: &DmarcAudit) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(a: &'a DmarcAudit, code: &str) -> &'a fivefifty::finding::Finding {
    a.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(a)))
}

#[tokio::test]
async fn dmarc_enforcing_record_is_ok() {
    let a = run("good.example").await;
    assert_eq!(codes(&a), vec!["DMARC_OK"]);
    assert_eq!(a.effective_policy, Some(PolicyValue::Reject));
    assert!(a.enforced);
    assert_eq!(a.policy_domain.as_deref(), Some("good.example"));
}

#[tokio::test]
async fn dmarc_tree_walk_finds_org_record() {
    let a = run("mail.org.example").await;
    assert_eq!(a.policy_domain.as_deref(), Some("org.example"));
    assert_eq!(a.organizational_domain.as_deref(), Some("org.example"));
    // The subdomain policy applies to an existing subdomain.
    assert_eq!(a.effective_policy, Some(PolicyValue::Quarantine));
    assert!(codes(&a).contains(&"DMARC_INHERITED"));
    let walked: Vec<&str> = a.walk.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        walked,
        vec![
            "_dmarc.mail.org.example",
            "_dmarc.org.example",
            "_dmarc.example"
        ]
    );
}

#[tokio::test]
async fn dmarc_tree_walk_skips_to_seven_labels_for_long_names() {
    let a = run("a.b.c.d.e.f.g.h.long.example").await;
    assert_eq!(a.walk.len(), dmarc::MAX_WALK_QUERIES);
    assert_eq!(a.walk[1].name, "_dmarc.d.e.f.g.h.long.example");
    assert_eq!(a.policy_domain.as_deref(), Some("long.example"));
}

#[tokio::test]
async fn dmarc_missing_gives_the_record_to_publish() {
    let a = run("nothing.example").await;
    let f = finding(&a, "DMARC_MISSING");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.fix
            .contains("_dmarc.nothing.example. IN TXT \"v=DMARC1; p=none;")
    );
    assert!(a.record.is_none());
}

#[tokio::test]
async fn dmarc_other_txt_records_at_dmarc_name_are_not_dmarc() {
    let a = run("spf.example").await;
    assert!(codes(&a).contains(&"DMARC_MISSING"));
}

#[tokio::test]
async fn dmarc_p_none_is_monitoring_only() {
    let a = run("none.example").await;
    let f = finding(&a, "DMARC_POLICY_NONE");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains("p=quarantine"));
    assert!(!a.enforced);
}

#[tokio::test]
async fn dmarc_external_rua_needs_authorization_record() {
    let a = run("none.example").await;
    let f = finding(&a, "DMARC_EXTERNAL_REPORT_UNAUTHORIZED");
    assert!(
        f.fix
            .contains("none.example._report._dmarc.thirdparty.example. IN TXT \"v=DMARC1;\""),
        "{}",
        f.fix
    );
    let ok = run("authorized.example").await;
    assert!(!codes(&ok).contains(&"DMARC_EXTERNAL_REPORT_UNAUTHORIZED"));
}

#[tokio::test]
async fn dmarc_several_records_mean_none_applies() {
    let a = run("two.example").await;
    assert_eq!(
        finding(&a, "DMARC_MULTIPLE_RECORDS").severity,
        Severity::Error
    );
    assert!(a.record.is_none());
    assert!(!codes(&a).contains(&"DMARC_MISSING"));
}

#[tokio::test]
async fn dmarc_syntax_error_is_marked_and_record_ignored() {
    let a = run("syntax.example").await;
    let f = finding(&a, "DMARC_SYNTAX");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.summary.contains("character 11"), "{}", f.summary);
    let order = run("order.example").await;
    assert!(finding(&order, "DMARC_SYNTAX").summary.contains("v=DMARC1"));
}

#[tokio::test]
async fn dmarc_weaker_subdomain_and_np_policies_are_warned() {
    let a = run("weak.example").await;
    assert_eq!(
        finding(&a, "DMARC_WEAK_SUBDOMAIN_POLICY").severity,
        Severity::Warning
    );
    assert!(
        finding(&a, "DMARC_WEAK_SUBDOMAIN_POLICY")
            .fix
            .contains("sp=reject")
    );
    let np = run("weaknp.example").await;
    assert_eq!(codes(&np), vec!["DMARC_WEAK_NP_POLICY"]);
}

#[tokio::test]
async fn dmarc_np_applies_to_nonexistent_subdomains() {
    let a = run("ghost.weak.example").await;
    assert_eq!(a.effective_policy, Some(PolicyValue::None));
}

#[tokio::test]
async fn dmarc_pct_rf_ri_are_obsolete_in_rfc_9989() {
    let a = run("obsolete.example").await;
    let obsolete: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.code == "DMARC_OBSOLETE_TAG")
        .collect();
    assert_eq!(obsolete.len(), 3);
    assert!(obsolete.iter().any(|f| f.severity == Severity::Warning));
}

#[tokio::test]
async fn dmarc_t_y_is_testing_mode() {
    let a = run("testing.example").await;
    assert!(codes(&a).contains(&"DMARC_TESTING"));
    assert!(!a.enforced);
}

#[tokio::test]
async fn dmarc_rua_must_be_mailto_with_an_address() {
    let a = run("badrua.example").await;
    let bad = a
        .findings
        .iter()
        .filter(|f| f.code == "DMARC_RUA_INVALID")
        .count();
    assert_eq!(bad, 2);
    assert!(codes(&a).contains(&"DMARC_NO_RUA"));
}

#[tokio::test]
async fn dmarc_without_p_and_rua_is_not_applied() {
    let a = run("nopolicy.example").await;
    assert_eq!(finding(&a, "DMARC_NO_POLICY").severity, Severity::Error);
    assert!(codes(&a).contains(&"DMARC_STRICT_ALIGNMENT"));
}

#[tokio::test]
async fn dmarc_unknown_tag_is_warned() {
    let a = run("junk.example").await;
    assert!(finding(&a, "DMARC_UNKNOWN_TAG").summary.contains("polcy"));
}

#[tokio::test]
async fn dmarc_dns_timeout_is_temporary_not_missing() {
    let a = run("slow.example").await;
    assert_eq!(
        finding(&a, "DMARC_DNS_TEMPFAIL").severity,
        Severity::Temporary
    );
    assert!(!codes(&a).contains(&"DMARC_MISSING"));
    assert!(a.findings.iter().all(|f| f.severity != Severity::Error));
}

#[tokio::test]
async fn dmarc_hostile_record_does_not_panic() {
    let mut zones = LabZones::new();
    let junk = format!("v=DMARC1; {}", "é=;=;;rua=mailto:%zz@;".repeat(100));
    zones
        .add(
            "_dmarc.hostile.test",
            hickory_proto::rr::RData::TXT(hickory_proto::rr::rdata::TXT::new(vec![junk])),
        )
        .expect("add");
    let server = LabServer::start(zones).await.expect("lab");
    let dns = server.resolver().expect("resolver");
    let a = dmarc::audit(&dns, "hostile.test").await;
    let syntax = a
        .findings
        .iter()
        .filter(|f| f.code == "DMARC_SYNTAX")
        .count();
    assert!(syntax <= dmarc::MAX_SYNTAX_FINDINGS + 1);
}

#[tokio::test]
async fn dmarc_record_with_psd_y_declares_a_public_suffix() {
    let a = run("psd.example").await;
    let f = finding(&a, "DMARC_PSD");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "_dmarc.psd.example");
    assert!(f.summary.contains("psd.example"), "{}", f.summary);
    assert!(!codes(&a).contains(&"DMARC_PSD_POLICY_ONLY"));
    // Near miss: an ordinary record declares nothing.
    assert!(!codes(&run("good.example").await).contains(&"DMARC_PSD"));
}

#[tokio::test]
async fn dmarc_domain_covered_only_by_its_public_suffix_record_is_told_to_publish_its_own() {
    let a = run("shop.psd.example").await;
    assert_eq!(a.policy_domain.as_deref(), Some("psd.example"));
    let f = finding(&a, "DMARC_PSD_POLICY_ONLY");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "shop.psd.example");
    assert!(f.summary.contains("psd.example"), "{}", f.summary);
    assert!(
        f.fix.contains("_dmarc.shop.psd.example. IN TXT"),
        "{}",
        f.fix
    );
    assert!(
        !codes(&a).contains(&"DMARC_PSD"),
        "the record is not its own"
    );
    // Near miss: a domain under the same suffix with its own record.
    let own = run("own.psd.example").await;
    assert_eq!(own.policy_domain.as_deref(), Some("own.psd.example"));
    assert!(
        !codes(&own).contains(&"DMARC_PSD_POLICY_ONLY"),
        "{:?}",
        codes(&own)
    );
}

#[tokio::test]
async fn dmarc_ruf_that_is_not_mailto_is_invalid() {
    let a = run("badruf.example").await;
    let bad: Vec<&fivefifty::finding::Finding> = a
        .findings
        .iter()
        .filter(|f| f.code == "DMARC_RUF_INVALID")
        .collect();
    assert_eq!(bad.len(), 1, "only the https URI: {:?}", codes(&a));
    assert_eq!(bad[0].severity, Severity::Warning);
    assert_eq!(bad[0].subject, "_dmarc.badruf.example");
    assert_eq!(bad[0].evidence["uri"], "https://reports.example/ruf");
    assert!(bad[0].fix.contains("ruf=mailto:"), "{}", bad[0].fix);
    // The rua is fine: no rua finding.
    assert!(!codes(&a).contains(&"DMARC_RUA_INVALID"));
}
