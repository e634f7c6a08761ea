//! Interoperability with an independent DKIM implementation, dkimpy: messages signed by dkimpy
//! verify in fivefifty, and messages signed by `fivefifty dkim sign` verify in dkimpy; RSA and
//! Ed25519, simple and relaxed canonicalization.
//!
//! Needs a Python with dkimpy and PyNaCl, named by FIVEFIFTY_DKIMPY_PYTHON
//! (`eval "$(scripts/setup-dkimpy.sh)"` makes one; .ci/run does it). Without it the test says
//! SKIPPED loudly and passes, so that a developer without Python can still run the suite.

mod support;

use base64::Engine;
use fivefifty::checks::auth::dkim;
use fivefifty::checks::auth::outcome::AuthResult;
use mail_auth::AuthenticatedMessage;
use std::path::{Path, PathBuf};
use std::process::Command;

/// RFC 8463 appendix A's Ed25519 test key (seed and public key, published in the RFC).
const ED25519_SEED: &str = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
const ED25519_PUBLIC: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
/// PKCS#8 v1 prefix of an Ed25519 private key (RFC 8410 section 7), the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

const DKIMPY: &str = r#"
import sys, dkim
mode = sys.argv[1]
if mode == "sign":
    key_file, domain, selector, canon, alg, msg_file = sys.argv[2:8]
    key = open(key_file, "rb").read().strip()
    msg = open(msg_file, "rb").read()
    hc, bc = canon.split("/")
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(hc.encode(), bc.encode()),
                    signature_algorithm=alg.encode(),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    sys.stdout.buffer.write(sig + msg)
else:
    msg_file = sys.argv[2]
    records = dict(a.split("=", 1) for a in sys.argv[3:])
    def dnsfunc(name, timeout=5):
        n = (name.decode() if isinstance(name, bytes) else name).rstrip(".")
        v = records.get(n)
        return v.encode() if v else None
    msg = open(msg_file, "rb").read()
    d = dkim.DKIM(msg)
    sigs = [h for h in d.headers if h[0].lower() == b"dkim-signature"]
    ok = len(sigs) > 0 and all(d.verify(idx=i, dnsfunc=dnsfunc) for i in range(len(sigs)))
    print("PASS" if ok else "FAIL")
"#;

fn python() -> Option<String> {
    match std::env::var("FIVEFIFTY_DKIMPY_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            eprintln!(
                "\n*** SKIPPED: dkimpy interoperability test: FIVEFIFTY_DKIMPY_PYTHON is not set.\n\
                 *** Run `eval \"$(scripts/setup-dkimpy.sh)\"` first (.ci/run does).\n"
            );
            None
        }
    }
}

fn rsa_record() -> String {
    let zone = support::lab_zone_text();
    let line = zone
        .lines()
        .find(|l| l.starts_with("s2048._domainkey"))
        .expect("s2048 key in lab.zone");
    line.split('"')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .concat()
}

fn ed_record() -> String {
    format!("v=DKIM1; k=ed25519; p={ED25519_PUBLIC}")
}

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn new() -> Keys {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let dir = tempfile::tempdir().expect("tempdir");
        let pkcs8 = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/keys/good.example.s2048.pem"),
        )
        .expect("key");
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pkcs8).expect("pkcs8");
        let pkcs1 = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pkcs1");
        std::fs::write(dir.path().join("rsa.pkcs8.pem"), &pkcs8).expect("write");
        std::fs::write(dir.path().join("rsa.pkcs1.pem"), pkcs1.as_bytes()).expect("write");
        std::fs::write(dir.path().join("ed.seed"), ED25519_SEED).expect("write");
        let seed = base64::engine::general_purpose::STANDARD
            .decode(ED25519_SEED)
            .expect("seed");
        let mut der = ED25519_PKCS8_PREFIX.to_vec();
        der.extend(seed);
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        std::fs::write(
            dir.path().join("ed.pkcs8.pem"),
            format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
        )
        .expect("write");
        Keys { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn dkimpy(py: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(py)
        .arg("-c")
        .arg(DKIMPY)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "dkimpy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const CASES: [(&str, &str, &str); 4] = [
    ("rsa", "rsa-sha256", "simple/simple"),
    ("rsa", "rsa-sha256", "relaxed/relaxed"),
    ("ed25519", "ed25519-sha256", "simple/simple"),
    ("ed25519", "ed25519-sha256", "relaxed/relaxed"),
];

fn message_file(dir: &Path) -> PathBuf {
    let raw = support::message(
        "alice@good.example",
        "",
        "Hello,\n\nthe  report is   attached.  \n\n\n",
    );
    let path = dir.join("msg.eml");
    std::fs::write(&path, raw).expect("write");
    path
}

#[tokio::test]
async fn messages_signed_by_dkimpy_verify_in_fivefifty() {
    let Some(py) = python() else { return };
    let keys = Keys::new();
    let msg = message_file(keys.dir.path());
    let txts = vec![("ed._domainkey.good.example".to_string(), ed_record())];
    let server = support::lab(support::zones(&support::lab_zone_text(), &txts)).await;
    let dns = server.resolver().expect("resolver");
    for (kind, alg, canon) in CASES {
        let (key, selector) = if kind == "rsa" {
            (keys.path("rsa.pkcs1.pem"), "s2048")
        } else {
            (keys.path("ed.seed"), "ed")
        };
        let signed = dkimpy(
            &py,
            &[
                "sign",
                key.to_str().expect("path"),
                "good.example",
                selector,
                canon,
                alg,
                msg.to_str().expect("path"),
            ],
        );
        let parsed = AuthenticatedMessage::parse_with_opts(&signed, None, false).expect("parses");
        let v = dkim::verify(&dns, &parsed, now()).await;
        assert_eq!(v.report.signatures.len(), 1, "{alg} {canon}");
        assert_eq!(
            v.report.signatures[0].result,
            AuthResult::Pass,
            "dkimpy {alg} {canon}: {:?}",
            v.report.signatures[0]
        );
        assert_eq!(
            v.report.signatures[0].canonicalization.as_deref(),
            Some(canon)
        );
    }
}

#[test]
fn messages_signed_by_fivefifty_verify_in_dkimpy() {
    let Some(py) = python() else { return };
    let keys = Keys::new();
    let msg = message_file(keys.dir.path());
    for (kind, alg, canon) in CASES {
        let (key, selector) = if kind == "rsa" {
            (keys.path("rsa.pkcs8.pem"), "s2048")
        } else {
            (keys.path("ed.pkcs8.pem"), "ed")
        };
        let out = Command::new(env!("CARGO_BIN_EXE_fivefifty"))
            .args(["dkim", "sign", "--key"])
            .arg(&key)
            .args([
                "--domain",
                "good.example",
                "--selector",
                selector,
                "--canon",
                canon,
            ])
            .arg(&msg)
            .output()
            .expect("fivefifty runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signed_path = keys.path(&format!("signed-{kind}-{}.eml", canon.replace('/', "-")));
        std::fs::write(&signed_path, &out.stdout).expect("write");
        let signed_text = String::from_utf8_lossy(&out.stdout);
        assert!(signed_text.contains(&format!("a={alg}")), "{signed_text}");
        let verdict = dkimpy(
            &py,
            &[
                "verify",
                signed_path.to_str().expect("path"),
                &format!("s2048._domainkey.good.example={}", rsa_record()),
                &format!("ed._domainkey.good.example={}", ed_record()),
            ],
        );
        assert_eq!(
            String::from_utf8_lossy(&verdict).trim(),
            "PASS",
            "dkimpy rejects fivefifty's {alg} {canon} signature:\n{signed_text}"
        );
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
