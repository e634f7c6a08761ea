//! The blocklist engine end to end: the built-in catalog against lab imitations of real lists
//! (tests/zones/blocklists.zone) served by the loopback lab DNS server.

use fivefifty::checks::blocklist::{
    self, Catalog, HealthStatus, ListOutcome, ListResult, check_domain, check_ip,
};
use fivefifty::checks::reputation::{InputError, parse_ip};
use fivefifty::dns::Resolver;
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::{Finding, Severity};
use std::net::IpAddr;
use std::path::Path;

/// Lab-only lists added to the built-in catalog.
const LAB_LISTS: &str = r#"
[[list]]
zone = "broken.bl.test"
name = "Broken list"
kind = "ipv4"
weight = 80
codes = [{ value = "127.0.0.2", meaning = "listed" }]

[[list]]
zone = "dead.bl.test"
name = "Dead list"
kind = "ipv4"
codes = [{ value = "127.0.0.2", meaning = "listed" }]

[[list]]
zone = "parked.bl.test"
name = "Parked list"
kind = "ipv4"
codes = [{ value = "127.0.0.2", meaning = "listed" }]

[[list]]
zone = "good.bl.test"
name = "Good list"
kind = ["ipv4", "ipv6"]
weight = 60
delist = "https://good.bl.test/remove"
codes = [{ value = "127.0.0.2", meaning = "Good list: spam source" }]

[[list]]
zone = "slow.bl.test"
name = "Slow list"
kind = "ipv4"
codes = [{ value = "127.0.0.2", meaning = "listed" }]
"#;

async fn lab() -> (LabServer, Resolver) {
    let mut zones = LabZones::new();
    zones
        .load_file(Path::new("tests/zones/blocklists.zone"))
        .expect("zone file loads");
    zones.servfail("2.2.0.192.sick.bl.test").expect("servfail");
    for name in [
        "2.2.0.192.slow.bl.test",
        "2.0.0.127.slow.bl.test",
        "1.0.0.127.slow.bl.test",
    ] {
        zones.silence(name, None).expect("silence");
    }
    let server = LabServer::start(zones).await.expect("lab server starts");
    let dns = server.resolver().expect("resolver");
    (server, dns)
}

/// A lab list whose server answers SERVFAIL for 192.0.2.2; added only where a test asks for it.
const SICK_LIST: &str = r#"
[[list]]
zone = "sick.bl.test"
name = "Sick list"
kind = "ipv4"
codes = [{ value = "127.0.0.2", meaning = "listed" }]
"#;

fn catalog() -> Catalog {
    Catalog::builtin()
        .with_overrides_toml(LAB_LISTS)
        .expect("lab lists are valid")
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn on<'a>(report: &'a blocklist::BlocklistReport, zone: &str) -> &'a ListResult {
    report
        .result(zone)
        .unwrap_or_else(|| panic!("no result for {zone}"))
}

fn finding_for<'a>(findings: &'a [Finding], code: &str, zone: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.code == code && f.evidence.get("list").and_then(|v| v.as_str()) == Some(zone))
        .unwrap_or_else(|| panic!("no {code} for {zone}: {findings:#?}"))
}

fn meanings(r: &ListResult) -> Vec<String> {
    match &r.outcome {
        ListOutcome::Listed { meanings, .. } => {
            meanings.iter().map(|m| m.meaning.clone()).collect()
        }
        other => panic!("{} is not listed: {other:?}", r.zone),
    }
}

#[tokio::test]
async fn zen_answers_2_3_4_10_mean_sbl_css_xbl_pbl() {
    let (_server, dns) = lab().await;
    let c = catalog();
    for (addr, word) in [
        ("192.0.2.2", "SBL"),
        ("192.0.2.3", "CSS"),
        ("192.0.2.4", "XBL"),
        ("192.0.2.10", "PBL"),
    ] {
        let report = check_ip(&dns, &c, ip(addr)).await;
        let zen = on(&report, "zen.spamhaus.org");
        let m = meanings(zen);
        assert!(m[0].contains(word), "{addr}: {m:?}");
        let f = finding_for(&report.findings, "BLOCKLIST_LISTED", "zen.spamhaus.org");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.evidence["delist"], "https://check.spamhaus.org/");
        assert!(f.fix.contains("check.spamhaus.org"), "{}", f.fix);
    }
}

#[tokio::test]
async fn listing_carries_the_txt_reason() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.2")).await;
    match &on(&report, "zen.spamhaus.org").outcome {
        ListOutcome::Listed { txt, codes, .. } => {
            assert_eq!(
                codes,
                &vec!["127.0.0.2".parse::<std::net::Ipv4Addr>().expect("ip")]
            );
            assert_eq!(
                txt,
                &vec!["https://check.spamhaus.org/sbl/query/SBL000001".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
    let f = finding_for(&report.findings, "BLOCKLIST_LISTED", "zen.spamhaus.org");
    assert_eq!(
        f.evidence["txt"][0],
        "https://check.spamhaus.org/sbl/query/SBL000001"
    );
}

#[tokio::test]
async fn pbl_listing_tells_the_sender_to_use_the_providers_relay() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.10")).await;
    let f = finding_for(&report.findings, "BLOCKLIST_LISTED", "zen.spamhaus.org");
    assert!(
        f.fix
            .contains("dynamic/end-user range: send through your provider's relay"),
        "{}",
        f.fix
    );
}

#[tokio::test]
async fn two_codes_at_once_give_both_meanings() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.5")).await;
    let m = meanings(on(&report, "zen.spamhaus.org"));
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().any(|s| s.starts_with("SBL")) && m.iter().any(|s| s.starts_with("PBL")));
}

#[tokio::test]
async fn public_resolver_answer_127_255_255_254_is_an_error_not_a_listing() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.99")).await;
    assert!(matches!(
        on(&report, "zen.spamhaus.org").outcome,
        ListOutcome::ErrorAnswer { .. }
    ));
    assert_eq!(report.listed().count(), 0);
    let f = finding_for(
        &report.findings,
        "BLOCKLIST_ERROR_ANSWER",
        "zen.spamhaus.org",
    );
    assert!(
        f.fix
            .starts_with("Query from your own resolver, or use the list's DQS key")
    );
    assert!(!report.findings.iter().any(|f| f.code == "BLOCKLIST_LISTED"));
}

#[tokio::test]
async fn low_weight_list_listing_is_a_warning() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.2")).await;
    let f = finding_for(
        &report.findings,
        "BLOCKLIST_LISTED",
        "dnsbl-3.uceprotect.net",
    );
    assert_eq!(f.severity, Severity::Warning);
}

#[tokio::test]
async fn good_reputation_answer_is_clean_and_bad_one_listed() {
    let (_server, dns) = lab().await;
    let c = catalog();
    // The built-in catalog alone: the lab's broken and parked lists would add warnings.
    let good = check_ip(&dns, &Catalog::builtin(), ip("192.0.2.1")).await;
    match &on(&good, "rep.mailspike.net").outcome {
        ListOutcome::Clean { answers } => assert!(answers[0].meaning.contains("H3")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        good.listed().count(),
        0,
        "{:?}",
        good.listed().map(|r| &r.zone).collect::<Vec<_>>()
    );
    assert!(
        good.findings
            .iter()
            .all(|f| f.severity <= Severity::Temporary)
    );
    let bad = check_ip(&dns, &c, ip("192.0.2.2")).await;
    assert!(meanings(on(&bad, "rep.mailspike.net"))[0].contains("L5"));
}

#[tokio::test]
async fn ipv6_addresses_are_queried_as_nibbles_and_ipv4_lists_skipped() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("2001:db8::2")).await;
    let zen = on(&report, "zen.spamhaus.org");
    assert!(zen.query.starts_with("2.0.0.0.0.0.0.0."), "{}", zen.query);
    assert!(zen.query.ends_with(".8.b.d.0.1.0.0.2.zen.spamhaus.org"));
    meanings(zen);
    meanings(on(&report, "good.bl.test"));
    assert!(matches!(
        on(&report, "bl.spamcop.net").outcome,
        ListOutcome::Skipped { .. }
    ));
    // Domain lists are not part of an IP report.
    assert!(report.result("multi.uribl.com").is_none());
}

#[tokio::test]
async fn ipv4_mapped_ipv6_is_checked_as_ipv4() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("::ffff:192.0.2.2")).await;
    assert_eq!(report.target, "192.0.2.2");
    meanings(on(&report, "zen.spamhaus.org"));
}

#[tokio::test]
async fn list_that_answers_for_127_0_0_1_is_broken_and_ignored() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.1")).await;
    assert!(matches!(
        on(&report, "broken.bl.test").outcome,
        ListOutcome::Broken { .. }
    ));
    assert!(report.listed().all(|r| r.zone != "broken.bl.test"));
    let f = finding_for(&report.findings, "BLOCKLIST_BROKEN_LIST", "broken.bl.test");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.fix.contains("enabled = false"));
}

#[tokio::test]
async fn answer_outside_127_is_an_error_not_a_listing() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.1")).await;
    match &on(&report, "parked.bl.test").outcome {
        ListOutcome::ErrorAnswer { code, meaning } => {
            assert_eq!(code.to_string(), "198.51.100.80");
            assert!(meaning.contains("outside 127.0.0.0/8"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn dns_timeout_is_temporary_never_listed() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.2")).await;
    assert_eq!(on(&report, "slow.bl.test").outcome, ListOutcome::Timeout);
    let f = finding_for(&report.findings, "BLOCKLIST_TIMEOUT", "slow.bl.test");
    assert_eq!(f.severity, Severity::Temporary);
    assert!(report.listed().all(|r| r.zone != "slow.bl.test"));
}

#[tokio::test]
async fn dns_servfail_is_a_failed_lookup_never_listed() {
    let (_server, dns) = lab().await;
    let c = catalog().with_overrides_toml(SICK_LIST).expect("sick list");
    let report = check_ip(&dns, &c, ip("192.0.2.2")).await;
    assert!(matches!(
        on(&report, "sick.bl.test").outcome,
        ListOutcome::Failed { .. }
    ));
    let f = finding_for(&report.findings, "BLOCKLIST_LOOKUP_FAILED", "sick.bl.test");
    assert_eq!(f.severity, Severity::Temporary);
    assert_eq!(f.subject, "192.0.2.2");
    assert_eq!(f.evidence["list_name"], "Sick list");
    assert_eq!(f.evidence["query"], "2.2.0.192.sick.bl.test");
    assert!(f.evidence.contains_key("failure"), "{f:?}");
    assert!(report.listed().all(|r| r.zone != "sick.bl.test"));
    // Near miss: the same list answering NXDOMAIN for another IP is a clean answer.
    let clean = check_ip(&dns, &c, ip("192.0.2.1")).await;
    finding_for(&clean.findings, "BLOCKLIST_CLEAN", "sick.bl.test");
}

#[tokio::test]
async fn unlisted_ip_is_clean_on_each_list_and_keeps_what_the_list_said() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &Catalog::builtin(), ip("192.0.2.1")).await;
    let f = finding_for(&report.findings, "BLOCKLIST_CLEAN", "zen.spamhaus.org");
    assert_eq!(f.cause, fivefifty::finding::Cause::Blocklist);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(f.subject, "192.0.2.1");
    assert_eq!(f.evidence["query"], "1.2.0.192.zen.spamhaus.org");
    assert!(f.summary.contains("not listed"), "{}", f.summary);
    // A reputation list's good answer is clean, and its meaning is kept as evidence.
    let mailspike = finding_for(&report.findings, "BLOCKLIST_CLEAN", "rep.mailspike.net");
    assert!(
        mailspike.evidence["meanings"][0]
            .as_str()
            .is_some_and(|m| m.contains("H3")),
        "{mailspike:?}"
    );
    // Near miss: a listed IP is not clean on the list that lists it.
    let listed = check_ip(&dns, &Catalog::builtin(), ip("192.0.2.2")).await;
    assert!(!listed.findings.iter().any(|f| f.code == "BLOCKLIST_CLEAN"
        && f.evidence.get("list").and_then(|v| v.as_str()) == Some("zen.spamhaus.org")));
}

#[tokio::test]
async fn uribl_bitmask_answer_decodes_every_bit() {
    let (_server, dns) = lab().await;
    let report = check_domain(&dns, &catalog(), "www.Bad-Shop.com")
        .await
        .expect("a domain");
    assert_eq!(report.target, "www.bad-shop.com");
    let uribl = on(&report, "multi.uribl.com");
    assert_eq!(uribl.query, "bad-shop.com.multi.uribl.com");
    let m = meanings(uribl);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m[0].contains("black") && m[1].contains("grey"));
    let f = finding_for(&report.findings, "BLOCKLIST_LISTED", "multi.uribl.com");
    assert!(
        f.evidence["txt"][0]
            .as_str()
            .unwrap_or("")
            .contains("Blacklisted")
    );
    // DBL lists it too; IP lists are not asked about domains.
    assert!(meanings(on(&report, "dbl.spamhaus.org"))[0].contains("spam domain"));
    assert!(report.result("zen.spamhaus.org").is_none());
}

#[tokio::test]
async fn uribl_127_0_0_1_is_query_refused_not_listed() {
    let (_server, dns) = lab().await;
    let report = check_domain(&dns, &catalog(), "refused-shop.com")
        .await
        .expect("a domain");
    assert!(matches!(
        on(&report, "multi.uribl.com").outcome,
        ListOutcome::ErrorAnswer { .. }
    ));
    assert_eq!(report.listed().count(), 0);
}

#[tokio::test]
async fn surbl_bitmask_gives_phishing_and_cracked_with_the_cracked_fix() {
    let (_server, dns) = lab().await;
    let report = check_domain(&dns, &catalog(), "cracked-site.com")
        .await
        .expect("a domain");
    let m = meanings(on(&report, "multi.surbl.org"));
    assert!(
        m.iter().any(|s| s.contains("PH")) && m.iter().any(|s| s.contains("CR")),
        "{m:?}"
    );
    let f = finding_for(&report.findings, "BLOCKLIST_LISTED", "multi.surbl.org");
    assert!(f.fix.contains("compromised"), "{}", f.fix);
}

#[tokio::test]
async fn idn_domains_are_queried_as_a_labels() {
    let (_server, dns) = lab().await;
    let report = check_domain(&dns, &catalog(), "www.bücher.com")
        .await
        .expect("a domain");
    assert_eq!(report.target, "www.xn--bcher-kva.com");
    let uribl = on(&report, "multi.uribl.com");
    assert_eq!(uribl.query, "xn--bcher-kva.com.multi.uribl.com");
    meanings(uribl);
}

#[tokio::test]
async fn overriding_domain_form_to_host_queries_the_host() {
    let (_server, dns) = lab().await;
    let c = catalog()
        .with_overrides_toml("[[list]]\nzone = \"multi.uribl.com\"\ndomain_form = \"host\"\n")
        .expect("override");
    let report = check_domain(&dns, &c, "www.bad-shop.com")
        .await
        .expect("domain");
    let uribl = on(&report, "multi.uribl.com");
    assert_eq!(uribl.query, "www.bad-shop.com.multi.uribl.com");
    assert!(matches!(uribl.outcome, ListOutcome::Clean { .. }));
}

#[tokio::test]
async fn keyed_list_is_skipped_without_a_key_and_queried_with_one() {
    let (_server, dns) = lab().await;
    let without = catalog()
        .with_overrides_toml("[[list]]\nzone = \"zen.dq.spamhaus.net\"\nenabled = true\n")
        .expect("override");
    let report = check_ip(&dns, &without, ip("192.0.2.2")).await;
    assert!(matches!(
        on(&report, "zen.dq.spamhaus.net").outcome,
        ListOutcome::Skipped { .. }
    ));
    finding_for(&report.findings, "BLOCKLIST_SKIPPED", "zen.dq.spamhaus.net");

    let with = catalog()
        .with_overrides_toml("[[list]]\nzone = \"zen.dq.spamhaus.net\"\nkey = \"testkey\"\n")
        .expect("override");
    let report = check_ip(&dns, &with, ip("192.0.2.2")).await;
    let dq = on(&report, "zen.dq.spamhaus.net");
    assert_eq!(dq.query, "2.2.0.192.<key>.zen.dq.spamhaus.net");
    meanings(dq);
    let json = serde_json::to_string(&report).expect("json");
    assert!(!json.contains("testkey"), "the key leaked into the report");
}

#[tokio::test]
async fn disabled_lists_are_not_asked_and_new_lists_are() {
    let (_server, dns) = lab().await;
    let c = Catalog::builtin()
        .with_overrides_toml(
            "[[list]]\nzone = \"zen.spamhaus.org\"\nenabled = false\n\n\
             [[list]]\nzone = \"good.bl.test\"\nkind = \"ipv4\"\ncodes = [{ value = \"127.0.0.2\", meaning = \"mine\" }]\n",
        )
        .expect("overrides");
    let report = check_ip(&dns, &c, ip("192.0.2.2")).await;
    assert!(report.result("zen.spamhaus.org").is_none());
    assert_eq!(
        meanings(on(&report, "good.bl.test")),
        vec!["mine".to_string()]
    );
}

#[tokio::test]
async fn same_zone_override_replaces_the_fields_it_names() {
    let c = Catalog::builtin()
        .with_overrides_toml(
            "[[list]]\nzone = \"ZEN.spamhaus.org.\"\nweight = 10\nname = \"My ZEN\"\n",
        )
        .expect("override");
    let zen = c.get("zen.spamhaus.org").expect("zen");
    assert_eq!((zen.weight, zen.name.as_str()), (10, "My ZEN"));
    // What the override does not name stays: the error answers are still there.
    assert_eq!(zen.errors.len(), 3);
    assert_eq!(c.len(), Catalog::builtin().len());
}

#[tokio::test]
async fn probe_reports_healthy_broken_dead_refusing_and_silent_lists() {
    let (_server, dns) = lab().await;
    // The lab lists plus four real ones from the built-in catalog; every other list disabled.
    let keep = [
        "zen.spamhaus.org",
        "multi.uribl.com",
        "multi.surbl.org",
        "dbl.spamhaus.org",
    ];
    let mut disable = String::new();
    for l in Catalog::builtin().lists() {
        if !keep.contains(&l.zone.as_str()) {
            disable.push_str(&format!(
                "[[list]]\nzone = \"{}\"\nenabled = false\n",
                l.zone
            ));
        }
    }
    let c = catalog()
        .with_overrides_toml(&disable)
        .expect("disable the rest");
    let health = blocklist::probe(&dns, &c).await;
    let status = |zone: &str| {
        health
            .iter()
            .find(|h| h.zone == zone)
            .map(|h| h.status.clone())
            .unwrap_or_else(|| panic!("no health for {zone}"))
    };
    assert_eq!(status("good.bl.test"), HealthStatus::Healthy);
    assert_eq!(status("zen.spamhaus.org"), HealthStatus::Healthy);
    assert_eq!(status("multi.uribl.com"), HealthStatus::Healthy);
    assert_eq!(status("multi.surbl.org"), HealthStatus::Healthy);
    assert_eq!(status("dbl.spamhaus.org"), HealthStatus::Healthy);
    assert!(matches!(
        status("broken.bl.test"),
        HealthStatus::Broken { .. }
    ));
    assert_eq!(status("dead.bl.test"), HealthStatus::NoTestEntry);
    assert!(matches!(
        status("parked.bl.test"),
        HealthStatus::ErrorAnswer { .. }
    ));
    assert_eq!(status("slow.bl.test"), HealthStatus::Timeout);
    assert_eq!(health.len(), 9);
    let findings = blocklist::findings::for_health(&health);
    let code = |zone: &str| {
        findings
            .iter()
            .find(|f| f.subject == zone)
            .map(|f| f.code.clone())
            .unwrap_or_default()
    };
    assert_eq!(code("broken.bl.test"), "BLOCKLIST_BROKEN_LIST");
    assert_eq!(code("good.bl.test"), "BLOCKLIST_HEALTHY");
    assert_eq!(code("dead.bl.test"), "BLOCKLIST_NO_TEST_ENTRY");
    assert_eq!(code("slow.bl.test"), "BLOCKLIST_TIMEOUT");
}

#[tokio::test]
async fn not_a_domain_is_a_clear_error() {
    let (_server, dns) = lab().await;
    let c = catalog();
    for bad in ["192.0.2.1", "exa mple.com", "", "a..b"] {
        let err = check_domain(&dns, &c, bad).await.expect_err(bad);
        assert!(matches!(err, InputError::NotADomain { .. }));
        assert!(
            err.to_string()
                .starts_with("expected a domain name such as example.com")
        );
    }
}

#[test]
fn not_an_ip_is_a_clear_error() {
    for bad in ["example.com", "192.0.2", "300.1.1.1", "", "::g"] {
        let err = parse_ip(bad).expect_err(bad);
        assert!(
            err.to_string()
                .starts_with("expected an IPv4 or IPv6 address such as 192.0.2.1"),
            "{err}"
        );
    }
    assert_eq!(parse_ip("[192.0.2.1]"), Ok(ip("192.0.2.1")));
    assert_eq!(parse_ip("[IPv6:2001:db8::1]"), Ok(ip("2001:db8::1")));
    assert_eq!(parse_ip(" 2001:db8::1 "), Ok(ip("2001:db8::1")));
}

#[tokio::test]
async fn report_serialises_with_outcomes_and_findings() {
    let (_server, dns) = lab().await;
    let report = check_ip(&dns, &catalog(), ip("192.0.2.10")).await;
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["target"], "192.0.2.10");
    assert_eq!(json["target_kind"], "ip");
    let zen = json["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|r| r["zone"] == "zen.spamhaus.org"))
        .expect("zen in json");
    assert_eq!(zen["outcome"], "listed");
    assert_eq!(zen["codes"][0], "127.0.0.10");
    assert!(json["findings"].as_array().is_some_and(|f| !f.is_empty()));
}
