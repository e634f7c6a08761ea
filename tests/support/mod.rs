//! Helpers shared by the authentication tests: corpus paths and lab DNS worlds.
#![allow(dead_code)]

use fivefifty::dns::lab::{LabServer, LabZones};
use hickory_proto::rr::RData;
use hickory_proto::rr::rdata::TXT;
use std::path::PathBuf;

/// `../shared/corpora/<rel>` beside the project, or `None` (with a loud message) when missing.
pub fn corpus(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpora")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: corpus {} is missing (tests read ../shared/corpora beside the project)",
            path.display()
        );
        None
    }
}

/// A TXT RDATA with the value split into 255-octet strings.
pub fn txt(value: &str) -> RData {
    let strings: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    RData::TXT(TXT::new(strings))
}

/// Zones from master-file text plus extra TXT records given as (name, value).
pub fn zones(master: &str, txts: &[(String, String)]) -> LabZones {
    let mut zones = LabZones::new();
    if !master.trim().is_empty() {
        zones.load_str(master, None).expect("test zone parses");
    }
    for (name, value) in txts {
        zones.add(name, txt(value)).expect("record added");
    }
    zones
}

/// Starts a lab server for the zones.
pub async fn lab(zones: LabZones) -> LabServer {
    LabServer::start(zones).await.expect("lab server starts")
}

/// LF line endings to CRLF (messages in test files are stored with LF).
pub fn crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 30);
    for b in text.bytes() {
        if b == b'\n' && out.last() != Some(&b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The lab world of examples/lab.zone.
pub fn lab_zone_text() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/lab.zone"))
        .expect("examples/lab.zone")
}

/// A plain message from `from` (LF endings turned into CRLF).
pub fn message(from: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    crlf(&format!(
        "From: Sender <{from}>\nTo: rcpt@dest.example\nSubject: quarterly report\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <1@msg.example>\n{extra_headers}\n{body}"
    ))
}

/// Signs `raw` with good.example's s2048 private key (examples/keys), as `domain`/`selector`,
/// relaxed/relaxed, and returns the signed message.
pub fn sign(raw: &[u8], domain: &str, selector: &str) -> Vec<u8> {
    use mail_auth::common::headers::HeaderWriter;
    use mail_auth::dkim::DkimSigner;
    let sig = DkimSigner::from_key(lab_key())
        .domain(domain)
        .selector(selector)
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(raw)
        .expect("signs");
    let mut out = sig.to_header().into_bytes();
    out.extend_from_slice(raw);
    out
}

/// good.example's private key (examples/keys/good.example.s2048.pem), the one the lab worlds
/// publish at good.example's s2048 selector (and relay.example's s1).
pub fn lab_key() -> mail_auth::common::crypto::RsaKey<mail_auth::common::crypto::Sha256> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let pem = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/keys/good.example.s2048.pem"),
    )
    .expect("key");
    let der = PrivatePkcs8KeyDer::from_pem_slice(&pem).expect("pkcs8 pem");
    mail_auth::common::crypto::RsaKey::from_key_der(PrivateKeyDer::Pkcs8(der)).expect("rsa key")
}
