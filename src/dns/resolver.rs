//! The resolver wrapper: typed answers, timeouts, budget, bounded concurrency, shared cache.

use mail_auth::MessageAuthenticator;
use mail_auth::hickory_resolver::{
    TokioResolver,
    config::{NameServerConfig, ResolverConfig, ResolverOpts},
    net::{DnsError, NetError, runtime::TokioRuntimeProvider},
    proto::{
        op::ResponseCode,
        rr::{Name, RData, RecordType},
    },
    system_conf::read_system_conf,
};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Why a query could not be answered. Every variant means "could not decide", never "no record".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Failure {
    /// No answer in time (per-query timeout or the overall budget ran out).
    Timeout,
    /// The server answered SERVFAIL or another error code.
    ServFail(String),
    /// The server refused to answer (not authoritative, no recursion for us).
    Refused,
    /// The name cannot be a DNS name (too long label, bad characters).
    BadName(String),
    /// Anything else: network error, malformed answer.
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => f.write_str("DNS timeout"),
            Failure::ServFail(code) => write!(f, "DNS server failure ({code})"),
            Failure::Refused => f.write_str("DNS query refused"),
            Failure::BadName(e) => write!(f, "not a valid DNS name: {e}"),
            Failure::Other(e) => write!(f, "DNS error: {e}"),
        }
    }
}

/// The outcome of one DNS query, with the three negative answers kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "value")]
pub enum Answer<T> {
    /// The records of the asked type (never empty).
    Records(Vec<T>),
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// The name exists but holds no record of this type (NOERROR, empty answer).
    NoData,
    /// Could not ask or could not get an answer: a temporary condition.
    Failed(Failure),
}

impl<T> Answer<T> {
    /// The records, or an empty slice for every negative or failed answer.
    pub fn records(&self) -> &[T] {
        match self {
            Answer::Records(r) => r,
            _ => &[],
        }
    }

    /// True for NXDOMAIN and no-data: a definite "nothing here".
    pub fn is_empty_answer(&self) -> bool {
        matches!(self, Answer::NxDomain | Answer::NoData)
    }

    /// The failure, when the query could not be answered.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Answer::Failed(f) => Some(f),
            _ => None,
        }
    }

    /// Converts the records, keeping the negative outcomes as they are.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Answer<U> {
        match self {
            Answer::Records(r) => Answer::Records(r.into_iter().map(f).collect()),
            Answer::NxDomain => Answer::NxDomain,
            Answer::NoData => Answer::NoData,
            Answer::Failed(e) => Answer::Failed(e),
        }
    }
}

/// How to build a [`Resolver`].
#[derive(Debug, Clone)]
pub struct DnsConfig {
    /// Use this server instead of the system configuration.
    pub server: Option<SocketAddr>,
    /// Time for one query (hickory retries within it once).
    pub query_timeout: Duration,
    /// Time for all queries of this resolver together; `None` for no budget.
    pub budget: Option<Duration>,
    /// Queries in flight at most.
    pub max_in_flight: usize,
    /// Entries in the shared cache (0 disables caching: tests that change zones).
    pub cache_size: u64,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            server: None,
            query_timeout: Duration::from_secs(5),
            budget: None,
            max_in_flight: 64,
            cache_size: 8192,
        }
    }
}

impl DnsConfig {
    /// A configuration that talks to one server (the lab server, or `--dns-server`).
    pub fn with_server(server: SocketAddr) -> Self {
        DnsConfig {
            server: Some(server),
            ..DnsConfig::default()
        }
    }
}

/// The shared resolver. Cheap to clone: clones share the cache, the concurrency bound and the
/// budget.
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    in_flight: Arc<Semaphore>,
    deadline: Option<Instant>,
    query_timeout: Duration,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("deadline", &self.deadline)
            .field("query_timeout", &self.query_timeout)
            .finish_non_exhaustive()
    }
}

/// The TLS settings handed to hickory. Its servers here are plain UDP/TCP ones (the system's or
/// `--dns-server`), so TLS is never spoken; without this, hickory builds its default settings,
/// which read the system's whole certificate store: about a fifth of the instructions of an
/// `explain` run over 380 bounces. The empty root store means that a TLS server, if one were
/// ever configured, would be refused rather than trusted.
fn unused_tls_config() -> Result<tokio_rustls::rustls::ClientConfig, NetError> {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetError::from(e.to_string()))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Ok(config)
}

impl Resolver {
    /// Builds a resolver from the configuration: the system's `/etc/resolv.conf` unless a server
    /// is given.
    pub fn new(config: &DnsConfig) -> Result<Self, NetError> {
        let (resolver_config, mut opts) = match config.server {
            Some(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for conn in &mut ns.connections {
                    conn.port = addr.port();
                }
                (
                    ResolverConfig::from_name_servers(vec![ns]),
                    ResolverOpts::default(),
                )
            }
            None => read_system_conf()?,
        };
        opts.timeout = config.query_timeout;
        opts.attempts = 1;
        opts.cache_size = config.cache_size;
        opts.ndots = 0;
        opts.edns0 = true;
        opts.try_tcp_on_error = true;
        let inner =
            TokioResolver::builder_with_config(resolver_config, TokioRuntimeProvider::default())
                .with_options(opts)
                .with_tls_config(unused_tls_config()?)
                .build()?;
        Ok(Resolver {
            inner,
            in_flight: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            deadline: config.budget.map(|b| Instant::now() + b),
            query_timeout: config.query_timeout,
        })
    }

    /// A mail-auth authenticator over the same hickory resolver, so SPF/DKIM/DMARC evaluation
    /// shares this resolver's cache and server.
    pub fn authenticator(&self) -> MessageAuthenticator {
        MessageAuthenticator(self.inner.clone())
    }

    /// The underlying hickory resolver, for code that must speak to it directly.
    pub fn hickory(&self) -> &TokioResolver {
        &self.inner
    }

    /// Raw lookup: every RDATA of the asked type at `name`.
    pub async fn lookup(&self, name: &str, rtype: RecordType) -> Answer<RData> {
        let name = match to_fqdn(name) {
            Ok(n) => n,
            Err(e) => return Answer::Failed(Failure::BadName(e)),
        };
        let Ok(_permit) = self.in_flight.acquire().await else {
            return Answer::Failed(Failure::Other("resolver closed".into()));
        };
        let mut wait = self.query_timeout + Duration::from_millis(500);
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Answer::Failed(Failure::Timeout);
            }
            wait = wait.min(left);
        }
        match tokio::time::timeout(wait, self.inner.lookup(name, rtype)).await {
            Err(_) => Answer::Failed(Failure::Timeout),
            Ok(Ok(lookup)) => {
                let records: Vec<RData> = lookup
                    .answers()
                    .iter()
                    .filter(|r| r.record_type() == rtype)
                    .map(|r| r.data.clone())
                    .collect();
                if records.is_empty() {
                    Answer::NoData
                } else {
                    Answer::Records(records)
                }
            }
            Ok(Err(e)) => classify_error(&e),
        }
    }

    /// TXT records, each record's character-strings joined (as SPF and DMARC read them).
    pub async fn txt(&self, name: &str) -> Answer<String> {
        self.txt_raw(name).await.map(|parts| {
            let joined: Vec<u8> = parts.concat();
            String::from_utf8_lossy(&joined).into_owned()
        })
    }

    /// TXT records with their character-strings kept apart (for length lints).
    pub async fn txt_raw(&self, name: &str) -> Answer<Vec<Vec<u8>>> {
        self.typed(name, RecordType::TXT, |d| match d {
            RData::TXT(t) => Some(t.txt_data.iter().map(|s| s.to_vec()).collect()),
            _ => None,
        })
        .await
    }

    /// IPv4 addresses.
    pub async fn a(&self, name: &str) -> Answer<Ipv4Addr> {
        self.typed(name, RecordType::A, |d| match d {
            RData::A(a) => Some(a.0),
            _ => None,
        })
        .await
    }

    /// IPv6 addresses.
    pub async fn aaaa(&self, name: &str) -> Answer<Ipv6Addr> {
        self.typed(name, RecordType::AAAA, |d| match d {
            RData::AAAA(a) => Some(a.0),
            _ => None,
        })
        .await
    }

    /// MX records as (preference, exchange without the trailing dot, lowercase).
    pub async fn mx(&self, name: &str) -> Answer<(u16, String)> {
        self.typed(name, RecordType::MX, |d| match d {
            RData::MX(mx) => Some((mx.preference, name_to_string(&mx.exchange))),
            _ => None,
        })
        .await
    }

    /// PTR names of an IP (reverse lookup), lowercase without the trailing dot.
    pub async fn ptr(&self, ip: IpAddr) -> Answer<String> {
        let name = reverse_name(ip);
        self.typed(&name, RecordType::PTR, |d| match d {
            RData::PTR(p) => Some(name_to_string(&p.0)),
            _ => None,
        })
        .await
    }

    /// A and AAAA together; a failure of either is reported unless the other has records.
    pub async fn ips(&self, name: &str) -> Answer<IpAddr> {
        let (v4, v6) = tokio::join!(self.a(name), self.aaaa(name));
        let mut all: Vec<IpAddr> = v4.records().iter().copied().map(IpAddr::V4).collect();
        all.extend(v6.records().iter().copied().map(IpAddr::V6));
        if !all.is_empty() {
            return Answer::Records(all);
        }
        match (v4, v6) {
            (Answer::Failed(e), _) | (_, Answer::Failed(e)) => Answer::Failed(e),
            (Answer::NxDomain, _) | (_, Answer::NxDomain) => Answer::NxDomain,
            _ => Answer::NoData,
        }
    }

    async fn typed<T>(
        &self,
        name: &str,
        rtype: RecordType,
        pick: impl Fn(&RData) -> Option<T>,
    ) -> Answer<T> {
        match self.lookup(name, rtype).await {
            Answer::Records(r) => {
                let out: Vec<T> = r.iter().filter_map(pick).collect();
                if out.is_empty() {
                    Answer::NoData
                } else {
                    Answer::Records(out)
                }
            }
            Answer::NxDomain => Answer::NxDomain,
            Answer::NoData => Answer::NoData,
            Answer::Failed(e) => Answer::Failed(e),
        }
    }
}

fn to_fqdn(name: &str) -> Result<Name, String> {
    let mut n = match Name::from_str_relaxed(name) {
        Ok(n) => n,
        // A DNS label may hold any octet (RFC 2181 11), and SPF macros expand to such names
        // (`%{l}` of `jack&jill`, a HELO with a space): take the labels as raw octets.
        Err(e) => Name::from_labels(name.trim_end_matches('.').split('.').map(str::as_bytes))
            .map_err(|_| e.to_string())?,
    };
    n.set_fqdn(true);
    Ok(n)
}

/// A DNS name as text: lowercase, no trailing dot.
pub(crate) fn name_to_string(name: &Name) -> String {
    let s = name.to_ascii().to_ascii_lowercase();
    s.strip_suffix('.').map(str::to_string).unwrap_or(s)
}

/// The labels of an IP in reverse order, without a suffix: `4.3.2.1` for 1.2.3.4, and 32
/// dot-separated nibbles (lowest first) for IPv6. The reverse-lookup name appends `in-addr.arpa`
/// or `ip6.arpa`; a DNSBL query appends the list's zone (RFC 5782 section 2.1 and 2.4).
pub fn reversed_ip_labels(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(63);
            for (i, byte) in v6.octets().iter().rev().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                s.push(nibble(byte & 0x0f));
                s.push('.');
                s.push(nibble(byte >> 4));
            }
            s
        }
    }
}

/// The reverse-lookup name of an IP: `4.3.2.1.in-addr.arpa` or the IPv6 nibble form.
pub fn reverse_name(ip: IpAddr) -> String {
    let suffix = match ip {
        IpAddr::V4(_) => "in-addr.arpa",
        IpAddr::V6(_) => "ip6.arpa",
    };
    format!("{}.{suffix}", reversed_ip_labels(ip))
}

fn nibble(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

fn classify_error(e: &NetError) -> Answer<RData> {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(no)) => match no.response_code {
            ResponseCode::NXDomain => Answer::NxDomain,
            ResponseCode::NoError => Answer::NoData,
            ResponseCode::Refused => Answer::Failed(Failure::Refused),
            other => Answer::Failed(Failure::ServFail(other.to_string())),
        },
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => {
            Answer::Failed(Failure::Refused)
        }
        NetError::Dns(DnsError::ResponseCode(code)) => {
            Answer::Failed(Failure::ServFail(code.to_string()))
        }
        NetError::Timeout => Answer::Failed(Failure::Timeout),
        other => Answer::Failed(Failure::Other(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_name_of_ipv4_reverses_octets() {
        assert_eq!(
            reverse_name("192.0.2.10".parse().expect("ip")),
            "10.2.0.192.in-addr.arpa"
        );
    }

    #[test]
    fn reverse_name_of_ipv6_is_nibbles() {
        let name = reverse_name("2001:db8::1".parse().expect("ip"));
        assert!(name.starts_with("1.0.0.0.0.0.0.0."));
        assert!(name.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"));
    }
}
