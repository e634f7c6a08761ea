//! DKIM key-record audit against key records served by the lab DNS server.

use fivefifty::checks::auth::dkim_keys::{self, COMMON_SELECTORS, DkimKeysAudit};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::Severity;
use hickory_proto::rr::RData;
use hickory_proto::rr::rdata::TXT;

// Public keys made with `openssl genpkey` (SubjectPublicKeyInfo DER, base64) and an Ed25519 key.
const RSA_512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALF7Q/49AOMi84j7/VqoUPnKxZ0N5fv0+/AA50xId3bX81rqUAtH4T9KQpLPdGTcwcKXpNZW+OOor9XHJlRjrD8CAwEAAQ==";
const RSA_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDAA2Zj999ya/rs42K/wckBvOd6SavXZ2CPNjMAevW+v8jzYJnhhHZ3cKSwSf1J/S5pJpkk1pYQAbTEZwDzL7cOb6uXpdaim4MEi1rZMyasUDFOI0f3o1MS9mkz9IbaJyEpHqYn5ZAc60B5/etjZWFPLRhidtmX3IMe3nIUV+zXKwIDAQAB";
const RSA_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvWKhMRCmiB5sHQkkyOPGQRGs+oQb73OnmoeGpd1Uzy3d23i+POu9pDi15EiPfaITN/RIUk3pO1eh4XSWBzcsP2pEO4qr8ewR5JVkK4sRsLb91tj1p6oDUhL3MHrbx6wh7BaR+dUCc1WVtp575+PUuAAfPQow87ipRhsAn2yjap4Uz/jtqx2bq22mURRm8PyiVG35OufUQmjE+USN1TShncfMlqlz2kNrCQdh1Fhpz6pEValgU7ZoMUMRFHHnNiehFKoVryoqLkrO4UtLB8WpUCCtMN33BeDShxA1GtQyTPdgkBBeYNFblX1UPwXYQ5PPErgJNl+hArDcHrBHoxzN2QIDAQAB";
const RSA_4096: &str = "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAypzGWv8O9XGyf5zXgJqviRNgJdD64G4l/nPBxogKBKDCYH6g/iZf5KxALNqJqvkF//rNJVBa3cRoZj3giqMf6NDZ15tmcNQpapF3/V8x1gVuc5gKKEkWUmflpoCMzBlkXKqD1qTKS38cJJJgulVe82p7NKOiXRVCnomQRr46VgN/Tobtq/pQBdHUN7zH+eZXilI6tiyh4a6sb7NebhckufB0WnIcsaubIdUneSAQd9T8D4PWvOxCay0EN8HDaLXJvRbci0DZ07ETxB6Nyrahs/gk/vpGT0gNIlt78435+GUE1vezNB4eOGZuM8rD/u6tqeWP/c0Ti2476HqRVEc8jMRKfvfl3MKSbH81rvuzUO2FuE24nV5Vb1Jn5pa9Bj8wg5AB4X1fIX9KbDPbpCUcgUVdcH5gdoDQQV6BRBrp9RulWYDHsM7APZopxmWw4anXnyGeMTtiXeVJaS4yfY60iszmLYR1Pdx4T0jaDTma4Jyn7mNWyz9dLBcJB6ddruTWhze8OcxGLy06taOVPN/tJz230d6xp6cF9VNrJV/DC0dylu9HfVRHpTYJMBWJ9ML4LG9v24kiEGgnIkgvWYqhjzLbZZcYrJPKbiGshpOLhizU+At4D+y/x4MOXR2ycit+0Ri/+/eQXqq4u/E9NVMRhHoIyn8/QH8xTcJQL24IyC0CAwEAAQ==";
const ED25519: &str = "qlWTlt/8mNIu0RMQeDIDf6kvH0AuTiUKOUdj7gyP8ck=";

const ZONE: &str = r#"
$ORIGIN example.
@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60
s1._domainkey.delegated IN CNAME s1.domainkey.provider.example.
mail._domainkey.wild IN TXT "v=spf1 -all"
"#;

/// Adds a TXT record, split into 200-octet strings as a real zone must for long keys.
fn txt(zones: &mut LabZones, name: &str, text: &str) {
    let chunks: Vec<String> = text
        .as_bytes()
        .chunks(200)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    zones.add(name, RData::TXT(TXT::new(chunks))).expect("add");
}

async fn lab() -> LabServer {
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone parses");
    txt(
        &mut zones,
        "google._domainkey.good.example",
        &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "selector1._domainkey.good.example",
        &format!("v=DKIM1; k=ed25519; p={ED25519}"),
    );
    txt(
        &mut zones,
        "big._domainkey.good.example",
        &format!("v=DKIM1; p={RSA_4096}"),
    );
    txt(
        &mut zones,
        "default._domainkey.short.example",
        &format!("v=DKIM1; k=rsa; p={RSA_512}"),
    );
    txt(
        &mut zones,
        "k1._domainkey.weak.example",
        &format!("v=DKIM1; k=rsa; p={RSA_1024}"),
    );
    txt(
        &mut zones,
        "dkim._domainkey.testing.example",
        &format!("v=DKIM1; t=y; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "old._domainkey.revoked.example",
        "v=DKIM1; k=rsa; p=",
    );
    txt(
        &mut zones,
        "mail._domainkey.garbage.example",
        "v=DKIM1; k=rsa; p=this is not base64!!",
    );
    txt(
        &mut zones,
        "mail._domainkey.notakey.example",
        "v=DKIM1; k=rsa; p=QUFBQUFBQUE=",
    );
    txt(
        &mut zones,
        "s2._domainkey.oddtype.example",
        &format!("v=DKIM1; k=dsa; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "s1._domainkey.sha1.example",
        &format!("v=DKIM1; h=sha1; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "s1.domainkey.provider.example",
        &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "mail._domainkey.truncated.example",
        &format!("v=DKIM1; p={}", &RSA_2048[..300]),
    );
    for key in [RSA_2048, RSA_4096] {
        txt(
            &mut zones,
            "mail._domainkey.twice.example",
            &format!("v=DKIM1; k=rsa; p={key}"),
        );
    }
    // A key and an unrelated TXT record at one name: one key.
    txt(
        &mut zones,
        "mail._domainkey.mixed.example",
        &format!("v=DKIM1; k=rsa; p={RSA_2048}"),
    );
    txt(&mut zones, "mail._domainkey.mixed.example", "v=spf1 -all");
    txt(
        &mut zones,
        "s1._domainkey.service.example",
        &format!("v=DKIM1; s=tlsrpt; p={RSA_2048}"),
    );
    txt(
        &mut zones,
        "s2._domainkey.service.example",
        &format!("v=DKIM1; s=email:tlsrpt; p={RSA_2048}"),
    );
    zones
        .silence("sel._domainkey.slow.example", None)
        .expect("silence");
    LabServer::start(zones).await.expect("lab")
}

async fn run(domain: &str, selectors: &[&str]) -> DkimKeysAudit {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    let selectors: Vec<String> = selectors.iter().map(|s| s.to_string()).collect();
    dkim_keys::audit(&dns, domain, &selectors).await
}

fn codes(a: &DkimKeysAudit) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

fn severity_of(a: &DkimKeysAudit, code: &str) -> Severity {
    a.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(a)))
        .severity
}

#[tokio::test]
async fn dkim_common_selectors_are_found_with_type_and_length() {
    let a = run("good.example", &["big"]).await;
    assert_eq!(a.found, vec!["big", "google", "selector1"]);
    assert_eq!(codes(&a), vec!["DKIM_KEY_OK"; 3]);
    let bits: Vec<Option<u32>> = a.keys.iter().map(|k| k.bits).collect();
    assert_eq!(bits, vec![Some(4096), Some(2048), None]);
    assert_eq!(a.keys[2].key_type, "ed25519");
    assert_eq!(a.selectors_checked.len(), COMMON_SELECTORS.len() + 1);
}

#[tokio::test]
async fn dkim_512_bit_key_is_an_error() {
    let a = run("short.example", &[]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_TOO_SHORT"), Severity::Error);
    assert_eq!(a.keys[0].bits, Some(512));
}

#[tokio::test]
async fn dkim_1024_bit_key_is_weak() {
    let a = run("weak.example", &[]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_WEAK"), Severity::Warning);
}

#[tokio::test]
async fn dkim_t_y_is_testing() {
    let a = run("testing.example", &[]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_TESTING"), Severity::Warning);
}

#[tokio::test]
async fn dkim_empty_p_is_revoked() {
    let a = run("revoked.example", &["old"]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_REVOKED"), Severity::Error);
}

#[tokio::test]
async fn dkim_bad_base64_and_non_key_der_are_syntax_errors() {
    for domain in [
        "garbage.example",
        "notakey.example",
        "oddtype.example",
        "truncated.example",
    ] {
        let a = run(domain, &[]).await;
        assert_eq!(
            severity_of(&a, "DKIM_KEY_SYNTAX"),
            Severity::Error,
            "{domain}"
        );
        assert!(!codes(&a).contains(&"DKIM_KEY_OK"), "{domain}");
    }
}

#[tokio::test]
async fn dkim_sha1_only_key_is_refused() {
    let a = run("sha1.example", &[]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_SHA1_ONLY"), Severity::Error);
}

#[tokio::test]
async fn dkim_cname_delegated_key_is_fine() {
    let a = run("delegated.example", &[]).await;
    assert_eq!(codes(&a), vec!["DKIM_KEY_OK"]);
    assert_eq!(
        a.keys[0].cname.as_deref(),
        Some("s1.domainkey.provider.example")
    );
}

#[tokio::test]
async fn dkim_given_selector_without_key_is_an_error() {
    let a = run("good.example", &["missing"]).await;
    assert_eq!(severity_of(&a, "DKIM_KEY_NOT_FOUND"), Severity::Error);
}

#[tokio::test]
async fn dkim_no_common_selector_says_to_pass_selector() {
    let a = run("wild.example", &[]).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "DKIM_NO_KEYS_FOUND")
        .expect("finding");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains("--selector"));
    assert!(a.keys.is_empty(), "a non-DKIM TXT record is not a key");
}

#[tokio::test]
async fn dkim_dns_timeout_is_temporary() {
    let a = run("slow.example", &["sel"]).await;
    assert_eq!(severity_of(&a, "DKIM_DNS_TEMPFAIL"), Severity::Temporary);
    assert!(a.findings.iter().all(|f| f.severity != Severity::Error));
}

#[tokio::test]
async fn dkim_two_key_records_at_one_selector_are_flagged() {
    let a = run("twice.example", &[]).await;
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "DKIM_KEY_MULTIPLE")
        .unwrap_or_else(|| panic!("no DKIM_KEY_MULTIPLE in {:?}", codes(&a)));
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subject, "mail._domainkey.twice.example");
    assert_eq!(f.evidence["records"].as_array().map(Vec::len), Some(2));
    assert_eq!(a.keys.len(), 2, "both keys are audited");
    // Near miss: a key beside a TXT record that is no key is one key.
    let mixed = run("mixed.example", &[]).await;
    assert_eq!(codes(&mixed), vec!["DKIM_KEY_OK"]);
}

#[tokio::test]
async fn dkim_key_restricted_to_another_service_cannot_verify_mail() {
    let a = run("service.example", &["s1", "s2"]).await;
    let service: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.code == "DKIM_KEY_SERVICE")
        .map(|f| f.subject.as_str())
        .collect();
    // Near miss: s2 lists email among its services.
    assert_eq!(service, vec!["s1._domainkey.service.example"]);
    assert_eq!(severity_of(&a, "DKIM_KEY_SERVICE"), Severity::Error);
    assert_eq!(a.keys[0].services, vec!["tlsrpt"]);
    assert_eq!(
        a.findings
            .iter()
            .filter(|f| f.code == "DKIM_KEY_OK")
            .map(|f| f.subject.as_str())
            .collect::<Vec<_>>(),
        vec!["s2._domainkey.service.example"]
    );
}
