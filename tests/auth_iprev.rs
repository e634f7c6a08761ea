//! iprev (RFC 8601 section 3) on the lab server: no PTR, a PTR whose name does not resolve
//! back, a forward-confirmed PTR, and a DNS failure kept apart.

use fivefifty::checks::auth::iprev;
use fivefifty::checks::auth::outcome::AuthResult;
use fivefifty::dns::lab::{LabServer, LabZones};

const ZONE: &str = "
$ORIGIN 2.0.192.in-addr.arpa.
@   IN SOA ns.example. h.example. 1 3600 600 86400 60
10  IN PTR mail.ok.example.
11  IN PTR 192-0-2-11.pool.isp.example.
12  IN PTR other.ok.example.
$ORIGIN ok.example.
@     IN SOA ns.example. h.example. 1 3600 600 86400 60
mail  IN A 192.0.2.10
other IN A 198.51.100.7
";

async fn run(ip: &str) -> (AuthResult, String) {
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone");
    zones
        .silence("13.2.0.192.in-addr.arpa", None)
        .expect("silence");
    let server = LabServer::start(zones).await.expect("server");
    let dns = server.resolver().expect("resolver");
    let (report, findings) = iprev::check(&dns, ip.parse().expect("ip")).await;
    (report.result, findings[0].code.clone())
}

#[tokio::test]
async fn iprev_passes_when_the_ptr_name_resolves_back() {
    assert_eq!(
        run("192.0.2.10").await,
        (AuthResult::Pass, "IPREV_PASS".into())
    );
}

#[tokio::test]
async fn iprev_ptr_name_without_address_is_a_mismatch_not_a_missing_ptr() {
    assert_eq!(
        run("192.0.2.11").await,
        (AuthResult::Fail, "IPREV_MISMATCH".into())
    );
    assert_eq!(
        run("192.0.2.12").await,
        (AuthResult::Fail, "IPREV_MISMATCH".into())
    );
}

#[tokio::test]
async fn iprev_without_ptr_is_permerror() {
    assert_eq!(
        run("192.0.2.99").await,
        (AuthResult::PermError, "IPREV_NO_PTR".into())
    );
}

#[tokio::test]
async fn iprev_dns_timeout_is_temperror() {
    assert_eq!(
        run("192.0.2.13").await,
        (AuthResult::TempError, "IPREV_TEMPERROR".into())
    );
}
