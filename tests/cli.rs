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
