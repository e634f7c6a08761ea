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
