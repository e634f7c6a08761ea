//! `fivefifty dkim keygen` and `fivefifty dkim sign`: make a key with the exact TXT record to
//! publish, and sign a message to test a setup end to end.

use super::check::read_message;
use super::{CliError, Rendered};
use base64::Engine;
use fivefifty::present::Outcome;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};

/// A DNS TXT character-string holds at most this many octets.
const TXT_STRING_MAX: usize = 255;

/// Headers signed by default, when present: what a reader sees and what a list may rewrite.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "From",
    "Reply-To",
    "Subject",
    "Date",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// `dkim` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DkimCommand {
    /// Generate a DKIM key: writes the private key (PKCS#8 PEM) and prints the TXT record to
    /// publish at SELECTOR._domainkey.DOMAIN.
    Keygen(KeygenArgs),
    /// Sign a message with DKIM and print the signed message.
    Sign(SignArgs),
}

/// Key algorithms `keygen` makes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KeyAlgorithm {
    /// RSA, 2048 bits (rsa-sha256): accepted everywhere.
    Rsa2048,
    /// Ed25519 (ed25519-sha256, RFC 8463): small, but not verified by every receiver yet; use
    /// it beside an RSA signature.
    Ed25519,
}

/// Arguments of `dkim keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// The signing domain (d=).
    #[arg(long)]
    pub domain: String,
    /// The selector (s=).
    #[arg(long)]
    pub selector: String,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "rsa2048")]
    pub algorithm: KeyAlgorithm,
    /// Where to write the private key (default: DOMAIN.SELECTOR.pem). Never overwritten.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `dkim sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The private key: PKCS#8 PEM (RSA or Ed25519, as `keygen` writes) or PKCS#1 RSA PEM.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The signing domain (d=).
    #[arg(long)]
    pub domain: String,
    /// The selector (s=).
    #[arg(long)]
    pub selector: String,
    /// Headers to sign, comma-separated (default: From, Reply-To, Subject, Date, To, Cc,
    /// Message-ID, ... when present).
    #[arg(long, value_delimiter = ',')]
    pub headers: Vec<String>,
    /// Canonicalization header/body: relaxed/relaxed, relaxed/simple, simple/relaxed, simple/simple.
    #[arg(long, default_value = "relaxed/relaxed")]
    pub canon: String,
    /// Signature lifetime in seconds (x=); none by default.
    #[arg(long, value_name = "SECS")]
    pub expire: Option<u64>,
    /// The message; `-` reads standard input.
    pub message: PathBuf,
}

/// Runs a `dkim` subcommand (no DNS needed).
pub fn run(cmd: &DkimCommand) -> Result<Rendered, CliError> {
    match cmd {
        DkimCommand::Keygen(a) => keygen(a),
        DkimCommand::Sign(a) => sign(a),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The TXT record in master-file form, split into character-strings of at most 255 octets.
pub fn txt_record(domain: &str, selector: &str, value: &str) -> String {
    let strings: Vec<String> = value
        .as_bytes()
        .chunks(TXT_STRING_MAX)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    format!(
        "{selector}._domainkey.{domain}. IN TXT {}",
        strings.join(" ")
    )
}

fn keygen(args: &KeygenArgs) -> Result<Rendered, CliError> {
    let domain = fivefifty::names::normalize_domain(&args.domain)
        .map_err(|e| CliError::Usage(format!("--domain: {e}")))?;
    let selector = fivefifty::names::normalize_domain(&args.selector)
        .map_err(|e| CliError::Usage(format!("--selector: {e}")))?;
    let (private_pem, k, public) = match args.algorithm {
        KeyAlgorithm::Rsa2048 => {
            use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| CliError::Runtime(format!("cannot generate an RSA key: {e}")))?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| CliError::Runtime(format!("cannot encode the key: {e}")))?;
            let public = key
                .to_public_key()
                .to_public_key_der()
                .map_err(|e| CliError::Runtime(format!("cannot encode the public key: {e}")))?;
            (pem.to_string(), "rsa", public.as_bytes().to_vec())
        }
        KeyAlgorithm::Ed25519 => {
            let der = Ed25519Key::generate_pkcs8()
                .map_err(|e| CliError::Runtime(format!("cannot generate an Ed25519 key: {e}")))?;
            let key = Ed25519Key::from_pkcs8_der(&der)
                .map_err(|e| CliError::Runtime(format!("generated key unusable: {e}")))?;
            (pem("PRIVATE KEY", &der), "ed25519", key.public_key())
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{domain}.{selector}.pem")));
    write_new_secret(&out, private_pem.as_bytes())?;
    let value = format!(
        "v=DKIM1; k={k}; p={}",
        base64::engine::general_purpose::STANDARD.encode(public)
    );
    let text = format!(
        "Private key written to {} (keep it secret: configure your DKIM signer with it).\n\
         Publish this TXT record, then sign with d={domain} s={selector}:\n\n{}\n\n\
         The same value in one piece, for DNS web forms:\n{value}\n",
        out.display(),
        txt_record(&domain, &selector, &value)
    );
    Ok(Rendered {
        text,
        outcome: Outcome::Clean,
    })
}

/// Writes a private key to a new file (refusing to overwrite), readable by the owner only.
fn write_new_secret(path: &Path, data: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot create {} (an existing key is never overwritten): {e}",
            path.display()
        ))
    })?;
    file.write_all(data)
        .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display())))
}

fn parse_canon(text: &str) -> Result<(Canonicalization, Canonicalization), CliError> {
    let one = |t: &str| match t.trim().to_ascii_lowercase().as_str() {
        "relaxed" => Ok(Canonicalization::Relaxed),
        "simple" => Ok(Canonicalization::Simple),
        other => Err(CliError::Usage(format!(
            "--canon: {other:?} is not simple or relaxed"
        ))),
    };
    match text.split_once('/') {
        Some((h, b)) => Ok((one(h)?, one(b)?)),
        None => Ok((one(text)?, Canonicalization::Simple)),
    }
}

/// A private key read from PEM.
enum LoadedKey {
    Rsa(RsaKey<Sha256>),
    Ed25519(Ed25519Key),
}

fn pem_der(text: &str) -> Option<(String, Vec<u8>)> {
    let begin = text.find("-----BEGIN ")?;
    let rest = &text[begin + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_string();
    let body_start = label_end + 5;
    let end = rest.find("-----END ")?;
    let body: String = rest
        .get(body_start..end)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    Some((label, der))
}

fn load_key(path: &Path) -> Result<LoadedKey, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read key {}: {e}", path.display())))?;
    let (label, der) = pem_der(&text)
        .ok_or_else(|| CliError::Usage(format!("{} is not a PEM private key", path.display())))?;
    let bad = |e: mail_auth::Error| {
        CliError::Usage(format!("{}: not a usable private key: {e}", path.display()))
    };
    match label.as_str() {
        "RSA PRIVATE KEY" => {
            RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)))
                .map(LoadedKey::Rsa)
                .map_err(bad)
        }
        "PRIVATE KEY" => match RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(
            PrivatePkcs8KeyDer::from(der.clone()),
        )) {
            Ok(k) => Ok(LoadedKey::Rsa(k)),
            Err(_) => Ed25519Key::from_pkcs8_maybe_unchecked_der(&der)
                .map(LoadedKey::Ed25519)
                .map_err(bad),
        },
        other => Err(CliError::Usage(format!(
            "{}: PEM label {other:?} is not a private key (PRIVATE KEY or RSA PRIVATE KEY)",
            path.display()
        ))),
    }
}

fn sign(args: &SignArgs) -> Result<Rendered, CliError> {
    let raw = read_message(&args.message)?;
    let (ch, cb) = parse_canon(&args.canon)?;
    let headers: Vec<String> = if args.headers.is_empty() {
        DEFAULT_SIGNED_HEADERS
            .iter()
            .map(|h| h.to_string())
            .collect()
    } else {
        args.headers.iter().map(|h| h.trim().to_string()).collect()
    };
    if !headers.iter().any(|h| h.eq_ignore_ascii_case("from")) {
        return Err(CliError::Usage(
            "--headers must include From (RFC 6376 requires it)".into(),
        ));
    }
    let header = match load_key(&args.key)? {
        LoadedKey::Rsa(k) => sign_with(k, args, &headers, ch, cb, &raw)?,
        LoadedKey::Ed25519(k) => sign_with(k, args, &headers, ch, cb, &raw)?,
    };
    let mut text = header;
    text.push_str(&String::from_utf8_lossy(&raw));
    Ok(Rendered {
        text,
        outcome: Outcome::Clean,
    })
}

fn sign_with<K: SigningKey>(
    key: K,
    args: &SignArgs,
    headers: &[String],
    ch: Canonicalization,
    cb: Canonicalization,
    raw: &[u8],
) -> Result<String, CliError> {
    let mut signer = DkimSigner::from_key(key)
        .domain(args.domain.clone())
        .selector(args.selector.clone())
        .headers(headers.iter().cloned())
        .header_canonicalization(ch)
        .body_canonicalization(cb);
    if let Some(x) = args.expire {
        signer = signer.expiration(x);
    }
    let signature = signer
        .sign(raw)
        .map_err(|e| CliError::Usage(format!("cannot sign: {e}")))?;
    Ok(signature.to_header())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_txt_values_are_split_at_255_octets() {
        let value = format!("v=DKIM1; k=rsa; p={}", "A".repeat(400));
        let rec = txt_record("good.example", "s1", &value);
        assert!(rec.starts_with("s1._domainkey.good.example. IN TXT \""));
        assert_eq!(rec.matches('"').count(), 4);
    }
}
