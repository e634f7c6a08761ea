//! The bundled lab world (examples/lab.zone) loads and answers as README's demo expects.

use fivefifty::dns::Answer;
use fivefifty::dns::lab::LabServer;

#[tokio::test]
async fn bundled_lab_zone_loads_and_answers() {
    let zone = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/lab.zone");
    let server = LabServer::from_files(&[zone])
        .await
        .expect("lab zone loads");
    let dns = server.resolver().expect("resolver");
    let spf = dns.txt("twospf.example").await;
    assert_eq!(spf.records().len(), 2, "twospf.example has two SPF records");
    let dkim = dns.txt("s2048._domainkey.good.example").await;
    assert!(dkim.records()[0].starts_with("v=DKIM1; k=rsa; p=MIIB"));
    assert_eq!(
        dns.mx("nullmx.example").await,
        Answer::Records(vec![(0, String::new())])
    );
    assert_eq!(
        dns.ptr("192.0.2.99".parse().expect("ip")).await,
        Answer::Records(vec!["192-0-2-99.dsl.dynamic.isp.example".to_string()])
    );
    assert_eq!(dns.a("nothing.good.example").await, Answer::NxDomain);
}
