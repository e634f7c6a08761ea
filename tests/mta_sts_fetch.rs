//! The MTA-STS policy fetch against a real HTTPS server on loopback: a rustls server with a
//! certificate from a test CA, found through the lab DNS server, as a sender would find it.

use fivefifty::checks::domain::mta_sts::{self, PolicyFetch, PolicyFetcher};
use fivefifty::dns::lab::{LabServer, LabZones};
use fivefifty::finding::{Finding, Severity};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

const ZONE: &str = r#"
$ORIGIN example.
@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60
covered IN MX 10 mx1.covered.example.
covered IN MX 20 mx2.covered.example.
_mta-sts.covered IN TXT "v=STSv1; id=20261128"
mta-sts.covered IN A 127.0.0.1
partial IN MX 10 mx1.partial.example.
partial IN MX 20 backup.elsewhere.example.
_mta-sts.partial IN TXT "v=STSv1; id=1"
mta-sts.partial IN A 127.0.0.1
missing IN MX 10 mx1.missing.example.
_mta-sts.missing IN TXT "v=STSv1; id=1"
mta-sts.missing IN A 127.0.0.1
huge IN MX 10 mx1.huge.example.
_mta-sts.huge IN TXT "v=STSv1; id=1"
mta-sts.huge IN A 127.0.0.1
wrongcert IN MX 10 mx1.wrongcert.example.
_mta-sts.wrongcert IN TXT "v=STSv1; id=1"
mta-sts.wrongcert IN A 127.0.0.1
retiring IN MX 10 mx1.retiring.example.
_mta-sts.retiring IN TXT "v=STSv1; id=2"
mta-sts.retiring IN A 127.0.0.1
trial IN MX 10 mx1.trial.example.
_mta-sts.trial IN TXT "v=STSv1; id=1"
mta-sts.trial IN A 127.0.0.1
"#;

/// The test CA and the server's certificate chain and key.
struct Pki {
    ca: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// A CA, and a leaf signed by it for the given names.
fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .expect("leaf params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf cert");
    Pki {
        ca: ca.der().clone(),
        chain: vec![leaf.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    }
}

/// Serves HTTPS on a loopback port: the response for each request is chosen by its Host.
async fn https_server(pki: &Pki) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), pki.key.clone_key())
        .expect("server cert");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let req = String::from_utf8_lossy(&req).to_ascii_lowercase();
                let response = respond(&req);
                let _ = tls.write_all(&response).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn respond(request: &str) -> Vec<u8> {
    let ok = |body: String| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    if !request.starts_with("get /.well-known/mta-sts.txt http/1.1") {
        return b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec();
    }
    if request.contains("host: mta-sts.covered.example") {
        ok("version: STSv1\r\nmode: enforce\r\nmx: mx1.covered.example\r\nmx: *.covered.example\r\nmax_age: 604800\r\n".into())
    } else if request.contains("host: mta-sts.partial.example") {
        ok("version: STSv1\nmode: enforce\nmx: mx1.partial.example\nmax_age: 604800\n".into())
    } else if request.contains("host: mta-sts.retiring.example") {
        // RFC 8461 section 5: a policy being withdrawn, with no mx lines.
        ok("version: STSv1\nmode: none\nmax_age: 86400\n".into())
    } else if request.contains("host: mta-sts.trial.example") {
        ok("version: STSv1\nmode: testing\nmx: mx1.trial.example\nmax_age: 86400\n".into())
    } else if request.contains("host: mta-sts.huge.example") {
        ok("version: STSv1\nmode: testing\n".to_string() + &"mx: x.huge.example\n".repeat(5000))
    } else {
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_vec()
    }
}

struct Setup {
    lab: LabServer,
    port: u16,
    fetcher: PolicyFetcher,
}

async fn setup() -> Setup {
    let pki = pki(&[
        "mta-sts.covered.example",
        "mta-sts.partial.example",
        "mta-sts.missing.example",
        "mta-sts.huge.example",
        "mta-sts.retiring.example",
        "mta-sts.trial.example",
    ]);
    let port = https_server(&pki).await;
    let mut zones = LabZones::new();
    zones.load_str(ZONE, None).expect("zone parses");
    let lab = LabServer::start(zones).await.expect("lab");
    let fetcher = PolicyFetcher::with_roots(port, [pki.ca.clone()]).expect("root");
    Setup { lab, port, fetcher }
}

fn severity_of(findings: &[Finding], code: &str) -> Option<Severity> {
    findings.iter().find(|f| f.code == code).map(|f| f.severity)
}

async fn audit(s: &Setup, domain: &str) -> mta_sts::MtaStsAudit {
    let dns = s.lab.resolver().expect("resolver");
    mta_sts::audit_with(&dns, domain, Some(&s.fetcher)).await
}

#[tokio::test]
async fn policy_covering_every_mx_is_fetched_and_ok() {
    let s = setup().await;
    let a = audit(&s, "covered.example").await;
    assert!(matches!(a.fetch, PolicyFetch::Fetched), "{:?}", a.fetch);
    let policy = a.policy.as_ref().expect("policy parsed");
    assert_eq!(policy.mode.as_deref(), Some("enforce"));
    assert_eq!(
        severity_of(&a.findings, "MTA_STS_OK"),
        Some(Severity::Info),
        "{:#?}",
        a.findings
    );
}

#[tokio::test]
async fn enforce_policy_missing_an_mx_is_reported() {
    let s = setup().await;
    let a = audit(&s, "partial.example").await;
    assert!(matches!(a.fetch, PolicyFetch::Fetched), "{:?}", a.fetch);
    let uncovered = a
        .findings
        .iter()
        .find(|f| f.summary.contains("backup.elsewhere.example"))
        .unwrap_or_else(|| panic!("uncovered MX reported: {:#?}", a.findings));
    assert!(uncovered.severity >= Severity::Warning);
    assert!(severity_of(&a.findings, "MTA_STS_OK").is_none());
}

#[tokio::test]
async fn policy_not_found_is_a_warning_with_the_status() {
    let s = setup().await;
    let a = audit(&s, "missing.example").await;
    let PolicyFetch::Failed(why) = &a.fetch else {
        panic!("fetch should fail: {:?}", a.fetch);
    };
    assert!(why.contains("404"), "{why}");
    assert_eq!(
        severity_of(&a.findings, "MTA_STS_POLICY_NOT_FETCHED"),
        Some(Severity::Warning)
    );
}

#[tokio::test]
async fn oversized_policy_is_refused() {
    let s = setup().await;
    let a = audit(&s, "huge.example").await;
    let PolicyFetch::Failed(why) = &a.fetch else {
        panic!("fetch should fail: {:?}", a.fetch);
    };
    assert!(why.contains("larger than"), "{why}");
}

#[tokio::test]
async fn certificate_for_another_name_fails_the_fetch() {
    let s = setup().await;
    // The server's certificate does not name mta-sts.wrongcert.example.
    let a = audit(&s, "wrongcert.example").await;
    let PolicyFetch::Failed(why) = &a.fetch else {
        panic!("fetch should fail: {:?}", a.fetch);
    };
    assert!(why.contains("TLS"), "{why}");
    assert_eq!(
        severity_of(&a.findings, "MTA_STS_POLICY_NOT_FETCHED"),
        Some(Severity::Warning)
    );
}

#[tokio::test]
async fn untrusted_certificate_fails_the_fetch() {
    let s = setup().await;
    let dns = s.lab.resolver().expect("resolver");
    // Same server, but trusting another CA.
    let other = pki(&["mta-sts.covered.example"]);
    let fetcher = PolicyFetcher::with_roots(s.port, [other.ca]).expect("root");
    let a = mta_sts::audit_with(&dns, "covered.example", Some(&fetcher)).await;
    let PolicyFetch::Failed(why) = &a.fetch else {
        panic!("fetch should fail: {:?}", a.fetch);
    };
    assert!(why.contains("TLS"), "{why}");
}

#[tokio::test]
async fn policy_in_mode_none_is_reported_as_being_withdrawn() {
    let s = setup().await;
    let a = audit(&s, "retiring.example").await;
    assert!(matches!(a.fetch, PolicyFetch::Fetched), "{:?}", a.fetch);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "MTA_STS_MODE_NONE")
        .unwrap_or_else(|| panic!("no MTA_STS_MODE_NONE: {:#?}", a.findings));
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(
        f.subject,
        "https://mta-sts.retiring.example/.well-known/mta-sts.txt"
    );
    // A withdrawn policy lists no MX hosts, and that is not a mismatch nor a syntax error.
    assert_eq!(severity_of(&a.findings, "MTA_STS_MX_MISMATCH"), None);
    assert_eq!(severity_of(&a.findings, "MTA_STS_POLICY_SYNTAX"), None);
    // Nor is a policy that protects nothing called fine.
    assert_eq!(severity_of(&a.findings, "MTA_STS_OK"), None);
    // Near miss: testing mode is its own finding.
    let trial = audit(&s, "trial.example").await;
    assert_eq!(
        severity_of(&trial.findings, "MTA_STS_TESTING"),
        Some(Severity::Info)
    );
    assert_eq!(severity_of(&trial.findings, "MTA_STS_MODE_NONE"), None);
}
