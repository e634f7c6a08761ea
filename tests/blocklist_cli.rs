//! `fivefifty ip` and `fivefifty blocklists` as scripts use them: exit codes and JSON.

use std::process::{Command, Output};

fn fivefifty(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fivefifty"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

const ZONES: [&str; 4] = [
    "--dns-zone",
    "tests/zones/blocklists.zone",
    "--dns-zone",
    "tests/zones/reputation.zone",
];

fn with_zones<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = ZONES.to_vec();
    v.extend_from_slice(rest);
    v
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn listed_ip_exits_1_with_the_listing_and_its_fix() {
    let out = fivefifty(&with_zones(&["ip", "192.0.2.10"]));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("LISTED  zen.spamhaus.org"), "{text}");
    assert!(text.contains("BLOCKLIST_LISTED"));
    assert!(text.contains("send through your provider's relay"));
    assert!(text.contains("clean   bl.spamcop.net"));
}

#[test]
fn well_configured_public_ip_exits_0() {
    let out = fivefifty(&with_zones(&[
        "ip",
        "81.2.69.142",
        "--helo",
        "mail.good-sender.com",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn ip_json_has_every_list_and_the_reputation_facts() {
    let out = fivefifty(&with_zones(&[
        "--json",
        "ip",
        "[81.2.69.145]",
        "--helo",
        "81.2.69.145",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["schema"], "fivefifty.report/1");
    assert_eq!(v["command"], "ip");
    assert_eq!(v["subject"], "81.2.69.145");
    let lists = v["details"]["blocklists"]["lists"]
        .as_array()
        .expect("lists");
    assert!(lists.len() >= 35, "{}", lists.len());
    assert!(lists.iter().all(|l| l["outcome"].is_string()));
    assert_eq!(
        v["details"]["reputation"]["ptr"]["names"][0],
        "145-69-2-81.dyn.isp-example.net"
    );
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"REPUTATION_GENERIC_PTR") && codes.contains(&"HELO_BARE_IP"));
}

#[test]
fn not_an_ip_exits_2_and_says_what_was_expected() {
    let out = fivefifty(&with_zones(&["ip", "mail.example.com"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected an IPv4 or IPv6 address"), "{err}");
}

#[test]
fn unreachable_dns_exits_3_never_listed() {
    let out = fivefifty(&[
        "--dns-server",
        "127.0.0.1:9",
        "--dns-timeout",
        "0.3",
        "--json",
        "ip",
        "81.2.69.142",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["code"] != "BLOCKLIST_LISTED")
    );
}

#[test]
fn blocklists_shows_the_catalog_with_codes() {
    let out = fivefifty(&["blocklists"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("zen.spamhaus.org"));
    assert!(text.contains("127.0.0.10  PBL"));
    assert!(text.contains("127.255.255.254  error:"));
    let v = json(&fivefifty(&["--json", "blocklists"]));
    let lists = v["details"]["lists"].as_array().expect("lists");
    assert!(lists.len() >= 40);
    assert!(lists.iter().all(|l| l.get("key").is_none()));
}

#[test]
fn blocklists_check_probes_and_flags_the_broken_list() {
    let out = fivefifty(&with_zones(&[
        "--json",
        "blocklists",
        "--check",
        "--lists",
        "tests/zones/lab-lists.toml",
    ]));
    let v = json(&out);
    let health = v["details"]["health"].as_array().expect("health");
    let status = |zone: &str| {
        health
            .iter()
            .find(|h| h["zone"] == zone)
            .map(|h| h["status"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(status("zen.spamhaus.org"), "healthy");
    assert_eq!(status("good.bl.test"), "healthy");
    assert_eq!(status("broken.bl.test"), "broken");
    assert_eq!(status("bl.spamcop.net"), "no_test_entry");
}

#[test]
fn bad_catalog_file_is_bad_input() {
    let out = fivefifty(&["blocklists", "--lists", "tests/zones/blocklists.zone"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("blocklist catalog"));
}
