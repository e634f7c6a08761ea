//! MTA-STS audit (RFC 8461): does the domain ask senders to deliver to it over verified TLS, and
//! is that request consistent?
//!
//! What it decides: whether `_mta-sts.<domain>` holds one valid `v=STSv1; id=…` record; and,
//! when `online`, whether the policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt`
//! parses (version, mode, mx, max_age) and covers every MX host. A policy in `enforce` mode that
//! misses an MX host makes senders that honour MTA-STS refuse to deliver there.
//!
//! The fetch: the policy host is resolved through the project's [`Resolver`] (so the lab server
//! and `--dns-server` apply, and no DNS query escapes the one resolver layer), then fetched with
//! one HTTP/1.1 GET over rustls with the platform's certificate roots. The request is written
//! here, in a few lines, rather than taken from an HTTP client crate: no client in the
//! dependency tree resolves names through our resolver, and RFC 8461 3.3 wants exactly this
//! little (one GET, no redirects, status 200, a small text body). Size and time are bounded by
//! [`POLICY_MAX_BYTES`] and [`FETCH_TIMEOUT`].

use super::version_problems;
use crate::checks::tags;
use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Largest policy response read (headers and body); senders may refuse larger ones (RFC 8461 3.3
/// suggests 64 KiB as a limit).
pub const POLICY_MAX_BYTES: usize = 64 * 1024;
/// Time allowed for connecting, the TLS handshake and reading the policy.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest `max_age` RFC 8461 allows (one year, in seconds).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
/// A `max_age` below this (one day) gives little protection; RFC 8461 suggests weeks.
pub const MAX_AGE_SHORT: u64 = 86_400;

/// A parsed MTA-STS policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StsPolicy {
    /// `version:` (must be `STSv1`).
    pub version: Option<String>,
    /// `mode:` (`enforce`, `testing` or `none`).
    pub mode: Option<String>,
    /// `mx:` patterns (`mail.example.com`, `*.example.net`).
    pub mx: Vec<String>,
    /// `max_age:` in seconds.
    pub max_age: Option<u64>,
    /// What is wrong with the file, line by line.
    pub problems: Vec<String>,
}

/// Whether and how the policy file was fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum PolicyFetch {
    /// Not attempted: offline, or no valid TXT record announces a policy.
    NotAttempted(String),
    /// Fetched and parsed.
    Fetched,
    /// The fetch failed, and why.
    Failed(String),
}

/// The MTA-STS audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct MtaStsAudit {
    /// The audited domain.
    pub domain: String,
    /// The `_mta-sts` TXT record, when exactly one was found.
    pub record: Option<String>,
    /// Its `id=` value.
    pub id: Option<String>,
    /// Where the policy file lives.
    pub policy_url: String,
    /// Whether the policy was fetched.
    pub fetch: PolicyFetch,
    /// The parsed policy, when fetched.
    pub policy: Option<StsPolicy>,
    /// The domain's MX hosts, compared with the policy's `mx:` patterns.
    pub mx_hosts: Vec<String>,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

fn finding(code: &str, severity: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Configuration, severity, subject, summary)
}

/// Parses a policy file (RFC 8461 3.2): `key: value` lines, LF or CRLF.
pub fn parse_policy(text: &str) -> StsPolicy {
    let mut policy = StsPolicy::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            policy.problems.push(format!(
                "line {}: {:?} is not \"key: value\"",
                n + 1,
                tags::clip(line)
            ));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "version" => policy.version = Some(value.to_string()),
            "mode" => policy.mode = Some(value.to_string()),
            "mx" => policy.mx.push(value.to_ascii_lowercase()),
            "max_age" => match value.parse::<u64>() {
                Ok(v) if v <= MAX_AGE_LIMIT => policy.max_age = Some(v),
                _ => policy.problems.push(format!(
                    "line {}: max_age must be a number of seconds up to {MAX_AGE_LIMIT}",
                    n + 1
                )),
            },
            _ => {}
        }
    }
    if policy.version.as_deref() != Some("STSv1") {
        policy
            .problems
            .push("the policy must contain \"version: STSv1\"".into());
    }
    match policy.mode.as_deref() {
        Some("enforce" | "testing" | "none") => {}
        Some(other) => policy.problems.push(format!(
            "mode {:?} is not enforce, testing or none",
            tags::clip(other)
        )),
        None => policy.problems.push("the policy has no mode".into()),
    }
    if policy.max_age.is_none() && !policy.problems.iter().any(|p| p.contains("max_age")) {
        policy.problems.push("the policy has no max_age".into());
    }
    if policy.mx.is_empty() && policy.mode.as_deref() != Some("none") {
        policy
            .problems
            .push("the policy lists no mx: senders can deliver to no host".into());
    }
    policy
}

/// True when an MX host matches a policy `mx:` pattern (a leading `*.` matches one label).
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == parent),
        None => host == pattern,
    }
}

/// Findings for a fetched policy, given the domain's MX hosts.
pub fn check_policy(domain: &str, policy: &StsPolicy, mx_hosts: &[String]) -> Vec<Finding> {
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let mut out = Vec::new();
    let mx_lines: String = mx_hosts.iter().map(|h| format!("mx: {h}\n")).collect();
    let example = format!("version: STSv1\nmode: enforce\n{mx_lines}max_age: 604800");
    for p in &policy.problems {
        out.push(
            finding(
                "MTA_STS_POLICY_SYNTAX",
                Severity::Error,
                &url,
                format!("MTA-STS policy error: {p}; senders ignore the policy"),
            )
            .fix(format!("Serve a policy of this form at {url}:\n{example}")),
        );
    }
    let mode = policy.mode.as_deref().unwrap_or("");
    if policy.problems.is_empty() {
        let uncovered: Vec<&String> = mx_hosts
            .iter()
            .filter(|h| !policy.mx.iter().any(|p| mx_matches(p, h)))
            .collect();
        if !uncovered.is_empty() && mode != "none" {
            let enforce = mode == "enforce";
            out.push(
                finding(
                    "MTA_STS_MX_MISMATCH",
                    if enforce {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    &url,
                    format!(
                        "The MTA-STS policy does not cover MX host(s) {}{}",
                        uncovered
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        if enforce {
                            ": senders that honour MTA-STS refuse to deliver there"
                        } else {
                            ""
                        }
                    ),
                )
                .fix(format!(
                    "List every MX host in the policy and change the id= of the _mta-sts \
                     record so senders fetch it again:\n{example}"
                ))
                .evidence("uncovered", &uncovered),
            );
        }
        match mode {
            "testing" => out.push(
                finding(
                    "MTA_STS_TESTING",
                    Severity::Info,
                    &url,
                    "MTA-STS is in testing mode: failures are reported (TLS-RPT), not enforced"
                        .into(),
                )
                .fix("When TLS reports are clean, switch to mode: enforce."),
            ),
            "none" => out.push(
                finding(
                    "MTA_STS_MODE_NONE",
                    Severity::Info,
                    &url,
                    "MTA-STS mode none: the policy is being withdrawn".into(),
                )
                .fix(
                    "Nothing to do if you are retiring MTA-STS; otherwise use testing or enforce.",
                ),
            ),
            _ => {}
        }
        if policy.max_age.is_some_and(|a| a < MAX_AGE_SHORT) {
            out.push(
                finding(
                    "MTA_STS_MAX_AGE_SHORT",
                    Severity::Warning,
                    &url,
                    format!(
                        "max_age {} s is under a day: senders forget the policy quickly, which \
                         weakens the protection",
                        policy.max_age.unwrap_or(0)
                    ),
                )
                .fix("Use max_age: 604800 (one week) or more once the policy is stable."),
            );
        }
    }
    out
}

/// How the policy file is fetched: the HTTPS port and the certificate roots trusted. The
/// default is what senders do (port 443, the platform's roots); the lab and the tests point it
/// at a loopback server with their own root.
#[derive(Debug, Clone)]
pub struct PolicyFetcher {
    port: u16,
    roots: Option<Arc<tokio_rustls::rustls::RootCertStore>>,
}

impl Default for PolicyFetcher {
    fn default() -> Self {
        PolicyFetcher {
            port: 443,
            roots: None,
        }
    }
}

impl PolicyFetcher {
    /// A fetcher that trusts only the given DER certificates (instead of the platform's roots)
    /// and connects to `port`.
    pub fn with_roots(
        port: u16,
        roots: impl IntoIterator<Item = rustls_pki_types::CertificateDer<'static>>,
    ) -> Result<Self, String> {
        let mut store = tokio_rustls::rustls::RootCertStore::empty();
        for cert in roots {
            store
                .add(cert)
                .map_err(|e| format!("not a usable root certificate: {e}"))?;
        }
        Ok(PolicyFetcher {
            port,
            roots: Some(Arc::new(store)),
        })
    }
}

/// Audits MTA-STS for `domain`. The policy file is fetched only when `online` is true, the way
/// senders fetch it ([`PolicyFetcher::default`]).
pub async fn audit(dns: &Resolver, domain: &str, online: bool) -> MtaStsAudit {
    let fetcher = PolicyFetcher::default();
    audit_with(dns, domain, online.then_some(&fetcher)).await
}

/// Like [`audit`], fetching the policy with `fetcher` (no fetch when `None`).
pub async fn audit_with(
    dns: &Resolver,
    domain: &str,
    fetcher: Option<&PolicyFetcher>,
) -> MtaStsAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let name = format!("_mta-sts.{domain}");
    let host = format!("mta-sts.{domain}");
    let policy_url = format!("https://{host}/.well-known/mta-sts.txt");
    let mut audit = MtaStsAudit {
        domain: domain.clone(),
        record: None,
        id: None,
        policy_url: policy_url.clone(),
        fetch: PolicyFetch::NotAttempted("no MTA-STS record".into()),
        policy: None,
        mx_hosts: Vec::new(),
        findings: Vec::new(),
    };
    let example = format!("{name}. IN TXT \"v=STSv1; id=20260101T000000\"");
    let found = super::one_versioned_txt(
        dns,
        &name,
        "STSv1",
        "MTA_STS_DNS_TEMPFAIL",
        || {
            finding(
                "MTA_STS_MISSING",
                Severity::Info,
                &name,
                format!(
                    "No MTA-STS record: senders deliver to {domain} with opportunistic TLS, \
                     open to downgrade"
                ),
            )
            .fix(format!(
                "Optional. Serve a policy at {policy_url} (start with mode: testing), \
                 then publish:\n  {example}"
            ))
        },
        |records| {
            super::multiple_records(
                "MTA_STS_MULTIPLE_RECORDS",
                &name,
                records,
                "MTA-STS records; senders then apply no policy (RFC 8461 3.1)",
                &example,
            )
        },
    )
    .await;
    let text = match found {
        Ok(text) => text,
        Err(f) => {
            audit.findings.push(f);
            return audit;
        }
    };
    let mut problems = version_problems(&text, "STSv1");
    let list = tags::scan(&text);
    match list.tags.iter().find(|t| t.name == "id") {
        Some(t)
            if (1..=32).contains(&t.value.len())
                && t.value.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            audit.id = Some(t.value.clone());
        }
        Some(t) => problems.push(tags::TagProblem {
            position: t.position,
            message: format!(
                "id={:?} must be 1 to 32 letters and digits",
                tags::clip(&t.value)
            ),
        }),
        None => problems.push(tags::TagProblem {
            position: 0,
            message: "no id= tag".into(),
        }),
    }
    for p in &problems {
        audit.findings.push(
            finding(
                "MTA_STS_SYNTAX",
                Severity::Warning,
                &name,
                format!(
                    "MTA-STS record error at character {}: {} (senders ignore the record)",
                    p.position + 1,
                    p.message
                ),
            )
            .fix(format!("Publish a record of the form:\n  {example}"))
            .evidence("record", &text)
            .evidence("position", tags::mark(&text, p.position)),
        );
    }
    audit.record = Some(text);

    if let Answer::Records(mut mx) = dns.mx(&domain).await {
        mx.sort();
        audit.mx_hosts = mx
            .into_iter()
            .map(|(_, h)| h)
            .filter(|h| !h.is_empty())
            .collect();
    }

    let Some(fetcher) = fetcher else {
        audit.fetch = PolicyFetch::NotAttempted("offline mode".into());
        audit.findings.push(
            finding(
                "MTA_STS_POLICY_NOT_FETCHED",
                Severity::Info,
                &policy_url,
                "The MTA-STS policy was not fetched (offline mode), so its mode and mx list \
                 were not checked"
                    .to_string(),
            )
            .fix(format!(
                "Run online, or check it yourself: curl {policy_url}"
            )),
        );
        return audit;
    };
    match fetch_policy(dns, &host, fetcher).await {
        Ok(body) => {
            let policy = parse_policy(&body);
            audit
                .findings
                .extend(check_policy(&domain, &policy, &audit.mx_hosts));
            audit.fetch = PolicyFetch::Fetched;
            // A policy in mode none protects nothing, so it is never reported as fine.
            let withdrawn = policy.mode.as_deref() == Some("none");
            if !withdrawn
                && !audit
                    .findings
                    .iter()
                    .any(|f| matches!(f.severity, Severity::Warning | Severity::Error))
            {
                audit.findings.push(finding(
                    "MTA_STS_OK",
                    Severity::Info,
                    &policy_url,
                    format!(
                        "MTA-STS policy in {} mode covers all MX hosts",
                        policy.mode.as_deref().unwrap_or("?")
                    ),
                ));
            }
            audit.policy = Some(policy);
        }
        Err(why) => {
            audit.fetch = PolicyFetch::Failed(why.clone());
            audit.findings.push(
                finding(
                    "MTA_STS_POLICY_NOT_FETCHED",
                    Severity::Warning,
                    &policy_url,
                    format!(
                        "The MTA-STS record announces a policy, but it could not be fetched: \
                         {why}. Senders cannot apply it either."
                    ),
                )
                .fix(format!(
                    "Serve the policy over HTTPS with a valid certificate for {host}, at \
                     {policy_url}, with status 200 and Content-Type text/plain; or remove the \
                     _mta-sts record."
                ))
                .evidence("error", &why),
            );
        }
    }
    audit
}

/// Fetches the policy body from `https://<host>/.well-known/mta-sts.txt`.
async fn fetch_policy(
    dns: &Resolver,
    host: &str,
    fetcher: &PolicyFetcher,
) -> Result<String, String> {
    let addrs: Vec<IpAddr> = match dns.ips(host).await {
        Answer::Records(a) => a,
        Answer::NxDomain | Answer::NoData => return Err(format!("{host} has no address in DNS")),
        Answer::Failed(e) => return Err(format!("could not resolve {host}: {e}")),
    };
    match tokio::time::timeout(FETCH_TIMEOUT, get(host, &addrs, fetcher)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no answer from {host} within {} s",
            FETCH_TIMEOUT.as_secs()
        )),
    }
}

async fn get(host: &str, addrs: &[IpAddr], fetcher: &PolicyFetcher) -> Result<String, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    use tokio_rustls::rustls;

    let mut last = String::from("no address to connect to");
    let mut stream = None;
    for ip in addrs.iter().take(4) {
        match tokio::net::TcpStream::connect(SocketAddr::new(*ip, fetcher.port)).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("cannot connect to {ip} port {}: {e}", fetcher.port),
        }
    }
    let stream = stream.ok_or(last)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let config = match &fetcher.roots {
        Some(roots) => builder.with_root_certificates(roots.clone()),
        None => builder
            .with_platform_verifier()
            .map_err(|e| format!("TLS setup: {e}"))?,
    }
    .with_no_client_auth();
    let server_name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("{host} is not a valid TLS server name: {e}"))?;
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server_name, stream)
        .await
        .map_err(|e| format!("TLS with {host} failed: {e}"))?;
    let request = format!(
        "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nUser-Agent: fivefifty\r\n\
         Accept: text/plain\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending the request failed: {e}"))?;
    let mut raw = Vec::new();
    let read = (&mut tls)
        .take(POLICY_MAX_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .await;
    if let Err(e) = read
        && raw.is_empty()
    {
        return Err(format!("reading the response failed: {e}"));
    }
    if raw.len() > POLICY_MAX_BYTES {
        return Err(format!(
            "the response is larger than {POLICY_MAX_BYTES} bytes"
        ));
    }
    parse_response(&raw)
}

/// Splits an HTTP/1.1 response: status 200 required (RFC 8461 3.3: no redirects), chunked
/// bodies decoded.
pub fn parse_response(raw: &[u8]) -> Result<String, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the HTTP response has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let body = &raw[split + 4..];
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if code != "200" {
        return Err(format!(
            "the server answered {:?} (a policy needs status 200; redirects are not followed)",
            tags::clip(status)
        ));
    }
    let chunked = lines.any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("transfer-encoding")
                && v.to_ascii_lowercase().contains("chunked")
        })
    });
    let body = if chunked {
        dechunk(body).ok_or("the chunked HTTP body is malformed")?
    } else {
        body.to_vec()
    };
    String::from_utf8(body).map_err(|_| "the policy is not UTF-8 text".to_string())
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = body.get(end + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_parses_with_crlf_and_several_mx() {
        let p = parse_policy(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.mx, vec!["mail.example.com", "*.example.net"]);
        assert_eq!(p.max_age, Some(604_800));
    }

    #[test]
    fn policy_problems_are_listed() {
        let p = parse_policy("version: STSv2\nmode: strict\nmax_age: forever\ngarbage");
        assert_eq!(p.problems.len(), 5, "{:?}", p.problems);
    }

    #[test]
    fn wildcard_matches_one_label() {
        assert!(mx_matches("*.example.net", "mx1.example.net"));
        assert!(!mx_matches("*.example.net", "a.b.example.net"));
        assert!(!mx_matches("*.example.net", "example.net"));
        assert!(mx_matches("Mail.Example.com", "mail.example.com."));
    }

    #[test]
    fn http_responses_status_and_chunking() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nversion: STSv1\n";
        assert_eq!(parse_response(ok).as_deref(), Ok("version: STSv1\n"));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nversi\r\n4\r\non: \r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).as_deref(), Ok("version: "));
        assert!(parse_response(b"HTTP/1.1 301 Moved\r\nLocation: x\r\n\r\n").is_err());
        assert!(parse_response(b"garbage").is_err());
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err()
        );
        assert!(
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\nab")
                .is_err()
        );
    }
}
