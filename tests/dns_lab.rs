//! The lab DNS server and the resolver layer, end to end on loopback.

use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::dns::{Answer, Failure};
use hickory_proto::rr::RecordType;

const ZONE: &str = r#"
$ORIGIN example.test.
@       IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@       IN A 192.0.2.1
@       IN TXT "v=spf1 -all"
www     IN CNAME example.test.
a.b.c   IN A 192.0.2.9
*.wild  IN A 192.0.2.7
long    IN TXT "part1" "part2"
$ORIGIN other.test.
@       IN SOA ns.other.test. hostmaster.other.test. 1 3600 600 86400 60
@       IN MX 10 mx.other.test.
mx      IN AAAA 2001:db8::25
"#;

async fn lab() -> LabServer {
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone parses");
    let big = "x".repeat(250);
    let strings: Vec<String> = (0..14).map(|_| big.clone()).collect();
    zones
        .add(
            "big.example.test",
            hickory_proto::rr::RData::TXT(hickory_proto::rr::rdata::TXT::new(strings)),
        )
        .expect("add");
    zones.silence("slow.example.test", None).expect("silence");
    zones
        .silence("half.example.test", Some(RecordType::TXT))
        .expect("silence");
    zones.servfail("broken.example.test").expect("servfail");
    LabServer::start(zones).await.expect("server starts")
}

#[tokio::test]
async fn keeps_nxdomain_nodata_and_failure_apart() {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    assert_eq!(
        dns.txt("example.test").await,
        Answer::Records(vec!["v=spf1 -all".to_string()])
    );
    assert_eq!(dns.mx("example.test").await, Answer::NoData);
    assert_eq!(dns.txt("nope.example.test").await, Answer::NxDomain);
    // An empty non-terminal exists: no data, not NXDOMAIN.
    assert_eq!(dns.a("b.c.example.test").await, Answer::NoData);
    assert!(matches!(
        dns.txt("broken.example.test").await,
        Answer::Failed(Failure::ServFail(_))
    ));
}

#[tokio::test]
async fn names_outside_every_zone_are_nxdomain_not_refused() {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    assert_eq!(dns.a("unknown.invalid").await, Answer::NxDomain);
    assert_eq!(dns.txt("_dmarc.com").await, Answer::NxDomain);
}

#[tokio::test]
async fn silent_names_time_out() {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    assert_eq!(
        dns.a("slow.example.test").await,
        Answer::Failed(Failure::Timeout)
    );
    assert_eq!(
        dns.txt("half.example.test").await,
        Answer::Failed(Failure::Timeout)
    );
    assert_eq!(dns.a("half.example.test").await, Answer::NxDomain);
}

#[tokio::test]
async fn cname_wildcard_multi_zone_and_tcp_fallback() {
    let server = lab().await;
    let dns = server.resolver().expect("resolver");
    assert_eq!(
        dns.a("www.example.test").await,
        Answer::Records(vec!["192.0.2.1".parse().expect("ip")])
    );
    assert_eq!(
        dns.a("anything.wild.example.test").await,
        Answer::Records(vec!["192.0.2.7".parse().expect("ip")])
    );
    assert_eq!(
        dns.mx("other.test").await,
        Answer::Records(vec![(10, "mx.other.test".to_string())])
    );
    assert_eq!(
        dns.txt("long.example.test").await,
        Answer::Records(vec!["part1part2".to_string()])
    );
    let big = dns.txt("big.example.test").await;
    assert_eq!(big.records().first().map(String::len), Some(3500));
}
