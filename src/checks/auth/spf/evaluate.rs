//! The message-path SPF evaluation: RFC 7208 `check_host()` for one connection.
//!
//! Written here, on top of our own parser and the shared [`Resolver`], rather than delegated to
//! mail-auth's `verify_spf`: mail-auth 0.13.3 passes only 131 of the 203 tests of the OpenSPF
//! RFC 7208 suite. It has no void-lookup limit, picks the first of several SPF records instead
//! of answering permerror, accepts malformed CIDR lengths and top labels, ignores the rule that
//! `all` disables `redirect=`, matches IPv4-mapped addresses against `ip6:`, and expands `%{p}`
//! to nothing. A receiver that answers `pass` where RFC 7208 says `permerror` rejects (or lets
//! in) the wrong mail, so the engine evaluates SPF itself; the suite in `tests/spf_suite.rs`
//! holds it to the RFC.
//!
//! Temporary DNS trouble always gives `temperror`, never `fail`.

use super::macros::{MacroContext, queryable, unescape, valid_identity_domain};
use super::parse::{self, MacroString, Mechanism, Qualifier, Record};
use super::{Identity, SpfEvaluation, SpfResult};
use crate::dns::{Answer, Failure, Resolver};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

/// The name given for `%{r}` (the receiving host) when the caller has none: RFC 7208 7.3 says
/// "unknown" is used when the domain of the receiving host is not available.
pub const RECEIVING_HOST: &str = "unknown";
/// Terms that cause DNS queries (include, a, mx, ptr, exists, redirect) allowed per
/// evaluation (RFC 7208 4.6.4).
pub const MAX_DNS_LOOKUPS: usize = 10;
/// Lookups answering NXDOMAIN or no data allowed per evaluation (RFC 7208 4.6.4).
pub const MAX_VOID_LOOKUPS: usize = 2;
/// MX records an `mx` mechanism may have before it is a permerror (RFC 7208 4.6.4).
pub const MAX_MX_HOSTS: usize = 10;
/// PTR names looked at by `ptr` and `%{p}`; the rest are ignored (RFC 7208 4.6.4).
pub const MAX_PTR_NAMES: usize = 10;
/// Nesting of include/redirect. The lookup limit already stops deeper chains; this is a second
/// guard so that no record can make the evaluation recurse without bound.
pub const MAX_EVAL_DEPTH: usize = MAX_DNS_LOOKUPS + 2;

/// Evaluates SPF for one message: the MAIL FROM identity, or the HELO identity when the
/// reverse-path is null (`mail_from` empty or `<>`, RFC 7208 2.4).
pub async fn evaluate(dns: &Resolver, ip: IpAddr, helo: &str, mail_from: &str) -> SpfEvaluation {
    // RFC 7208 5: an IPv4-mapped IPv6 client is an IPv4 client.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let helo = helo.trim();
    let mail_from = mail_from.trim();
    let mail_from = mail_from
        .strip_prefix('<')
        .and_then(|m| m.strip_suffix('>'))
        .unwrap_or(mail_from);
    let (identity, local, domain) = if mail_from.is_empty() {
        (Identity::Helo, "postmaster", helo)
    } else {
        match mail_from.rsplit_once('@') {
            Some((l, d)) => (
                Identity::MailFrom,
                if l.is_empty() { "postmaster" } else { l },
                d,
            ),
            None => (Identity::MailFrom, "postmaster", mail_from),
        }
    };
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let sender = format!("{local}@{domain}");
    let mut out = SpfEvaluation {
        result: SpfResult::None,
        identity,
        domain: domain.to_string(),
        explanation: None,
        mechanism: None,
        reason: None,
        lookups: 0,
        void_lookups: 0,
    };
    if !valid_identity_domain(domain) {
        out.reason = Some(format!("{domain:?} is not a domain SPF can check"));
        return out;
    }
    let mut eval = Evaluator {
        dns,
        ip,
        helo,
        sender: &sender,
        local,
        sender_domain: domain,
        lookups: 0,
        voids: 0,
        validated: None,
    };
    let outcome = eval.check_host(domain.to_string(), true, 0).await;
    out.lookups = eval.lookups;
    out.void_lookups = eval.voids;
    match outcome {
        Ok(d) => {
            out.result = d.result;
            out.explanation = d.explanation;
            out.mechanism = d.mechanism;
            out.reason = d.reason;
        }
        Err(stop) => {
            out.result = stop.result;
            out.reason = Some(stop.reason);
        }
    }
    out
}

/// A finished evaluation of one record.
struct Decision {
    result: SpfResult,
    explanation: Option<String>,
    mechanism: Option<String>,
    reason: Option<String>,
}

/// An evaluation cut short: temperror or permerror, with why.
struct Stop {
    result: SpfResult,
    reason: String,
}

fn perm(reason: impl Into<String>) -> Stop {
    Stop {
        result: SpfResult::PermError,
        reason: reason.into(),
    }
}

fn temp(reason: impl Into<String>) -> Stop {
    Stop {
        result: SpfResult::TempError,
        reason: reason.into(),
    }
}

/// What a record lookup found.
pub(crate) enum Fetched {
    /// One SPF record, parsed.
    Record(Record),
    /// No SPF record at the name.
    None,
}

/// Looks up and selects the SPF record of `domain` (RFC 7208 4.4, 4.5): one `v=spf1` TXT record,
/// parsed; several are a permerror, a DNS failure a temperror.
async fn fetch(dns: &Resolver, domain: &str) -> Result<Fetched, Stop> {
    if !queryable(domain) {
        return Ok(Fetched::None);
    }
    match dns.txt_raw(domain).await {
        Answer::Failed(f) => Err(temp(format!("TXT lookup for {domain}: {f}"))),
        Answer::NxDomain | Answer::NoData => Ok(Fetched::None),
        Answer::Records(records) => {
            let spf: Vec<Vec<u8>> = records
                .into_iter()
                .map(|parts| parts.concat())
                .filter(|t| parse::is_spf_record(t))
                .collect();
            match spf.as_slice() {
                [] => Ok(Fetched::None),
                [one] => parse::parse(one)
                    .map(Fetched::Record)
                    .map_err(|e| perm(format!("SPF record of {domain}: syntax error {e}"))),
                many => Err(perm(format!(
                    "{domain} publishes {} SPF records; exactly one is allowed",
                    many.len()
                ))),
            }
        }
    }
}

struct Evaluator<'a> {
    dns: &'a Resolver,
    ip: IpAddr,
    helo: &'a str,
    sender: &'a str,
    local: &'a str,
    sender_domain: &'a str,
    lookups: usize,
    voids: usize,
    /// PTR names of the client that resolve back to it (fetched at most once).
    validated: Option<Vec<String>>,
}

type Boxed<'f, T> = Pin<Box<dyn Future<Output = T> + Send + 'f>>;

impl<'a> Evaluator<'a> {
    fn count_lookup(&mut self, term: &str) -> Result<(), Stop> {
        self.lookups += 1;
        if self.lookups > MAX_DNS_LOOKUPS {
            return Err(perm(format!(
                "more than {MAX_DNS_LOOKUPS} DNS lookups (reached at '{term}')"
            )));
        }
        Ok(())
    }

    fn count_void(&mut self, name: &str) -> Result<(), Stop> {
        self.voids += 1;
        if self.voids > MAX_VOID_LOOKUPS {
            return Err(perm(format!(
                "more than {MAX_VOID_LOOKUPS} void DNS lookups (the last for {name})"
            )));
        }
        Ok(())
    }

    fn context<'c>(&'c self, domain: &'c str, validated: Option<&'c str>) -> MacroContext<'c> {
        MacroContext {
            sender: self.sender,
            local: self.local,
            sender_domain: self.sender_domain,
            domain,
            ip: self.ip,
            helo: self.helo,
            validated,
            receiver: RECEIVING_HOST,
        }
    }

    /// Expands a domain-spec (or takes the current domain), fetching PTR names first when the
    /// spec uses `%{p}`.
    async fn target(&mut self, spec: Option<&MacroString>, domain: &str) -> String {
        let Some(spec) = spec else {
            return domain.to_string();
        };
        if spec.uses_p() {
            self.validated_names().await;
        }
        let p = self.pick_validated(domain);
        self.context(domain, p.as_deref()).expand_domain(spec)
    }

    fn pick_validated(&self, domain: &str) -> Option<String> {
        let names = self.validated.as_ref()?;
        let d = domain.to_ascii_lowercase();
        names
            .iter()
            .find(|n| **n == d)
            .or_else(|| names.iter().find(|n| n.ends_with(&format!(".{d}"))))
            .or_else(|| names.first())
            .cloned()
    }

    /// The client's PTR names that resolve back to its address (RFC 7208 5.5). A DNS error
    /// gives no names (the mechanism then does not match).
    async fn validated_names(&mut self) -> Answer<String> {
        if let Some(v) = &self.validated {
            return if v.is_empty() {
                Answer::NoData
            } else {
                Answer::Records(v.clone())
            };
        }
        let ptr = self.dns.ptr(self.ip).await;
        let mut good = Vec::new();
        for name in ptr.records().iter().take(MAX_PTR_NAMES) {
            let name = unescape(name);
            if let Answer::Records(addrs) = self.addresses(&name).await
                && addrs.contains(&self.ip)
            {
                good.push(name.to_ascii_lowercase());
            }
        }
        self.validated = Some(good.clone());
        match ptr {
            Answer::Records(_) if good.is_empty() => Answer::NoData,
            Answer::Records(_) => Answer::Records(good),
            other => other,
        }
    }

    /// A or AAAA records of `name`, as the client's address family asks.
    async fn addresses(&self, name: &str) -> Answer<IpAddr> {
        let answer = match self.ip {
            IpAddr::V4(_) => self.dns.a(name).await.map(IpAddr::V4),
            IpAddr::V6(_) => self.dns.aaaa(name).await.map(IpAddr::V6),
        };
        usable(answer)
    }

    fn in_network(&self, addr: IpAddr, cidr4: u8, cidr6: u8) -> bool {
        match (self.ip, addr) {
            (IpAddr::V4(c), IpAddr::V4(n)) => prefix_match(&c.octets(), &n.octets(), cidr4),
            (IpAddr::V6(c), IpAddr::V6(n)) => prefix_match(&c.octets(), &n.octets(), cidr6),
            _ => false,
        }
    }

    fn check_host(
        &mut self,
        domain: String,
        want_exp: bool,
        depth: usize,
    ) -> Boxed<'_, Result<Decision, Stop>> {
        Box::pin(async move {
            if depth > MAX_EVAL_DEPTH {
                return Err(perm("include/redirect nested too deeply"));
            }
            let record = match fetch(self.dns, &domain).await? {
                Fetched::Record(r) => r,
                Fetched::None => {
                    return Ok(Decision {
                        result: SpfResult::None,
                        explanation: None,
                        mechanism: None,
                        reason: Some(format!("{domain} has no SPF record")),
                    });
                }
            };
            for term in &record.terms {
                let parse::TermKind::Directive {
                    qualifier,
                    mechanism,
                } = &term.kind
                else {
                    continue;
                };
                if self.matches(mechanism, &term.text, &domain, depth).await? {
                    let result = match qualifier {
                        Qualifier::Pass => SpfResult::Pass,
                        Qualifier::Fail => SpfResult::Fail,
                        Qualifier::SoftFail => SpfResult::SoftFail,
                        Qualifier::Neutral => SpfResult::Neutral,
                    };
                    let explanation = if want_exp && result == SpfResult::Fail {
                        self.explain(&record, &domain).await
                    } else {
                        None
                    };
                    return Ok(Decision {
                        result,
                        explanation,
                        mechanism: Some(format!("{} in the SPF record of {domain}", term.text)),
                        reason: None,
                    });
                }
            }
            // RFC 7208 6.1: redirect is used only when nothing matched, and never with "all".
            if let Some(spec) = record.redirect()
                && !record.has_all()
            {
                self.count_lookup("redirect")?;
                let target = self.target(Some(spec), &domain).await;
                if !queryable(&target) {
                    return Err(perm(format!("redirect target {target:?} is not a domain")));
                }
                let sub = self.check_host(target.clone(), want_exp, depth + 1).await?;
                if sub.result == SpfResult::None {
                    return Err(perm(format!(
                        "redirect={target} points to a domain without an SPF record"
                    )));
                }
                return Ok(sub);
            }
            Ok(Decision {
                result: SpfResult::Neutral,
                explanation: None,
                mechanism: None,
                reason: Some(format!(
                    "no mechanism of {domain}'s SPF record matched (default neutral)"
                )),
            })
        })
    }

    async fn matches(
        &mut self,
        mechanism: &Mechanism,
        term: &str,
        domain: &str,
        depth: usize,
    ) -> Result<bool, Stop> {
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { addr, prefix } => Ok(self.in_network(IpAddr::V4(*addr), *prefix, 0)),
            Mechanism::Ip6 { addr, prefix } => Ok(self.in_network(IpAddr::V6(*addr), 0, *prefix)),
            Mechanism::A {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count_lookup(term)?;
                let target = self.target(spec.as_ref(), domain).await;
                if !queryable(&target) {
                    return Ok(false);
                }
                match self.addresses(&target).await {
                    Answer::Failed(f) => Err(temp(format!("'{term}': {target}: {f}"))),
                    Answer::NxDomain | Answer::NoData => {
                        self.count_void(&target)?;
                        Ok(false)
                    }
                    Answer::Records(addrs) => {
                        Ok(addrs.iter().any(|a| self.in_network(*a, *cidr4, *cidr6)))
                    }
                }
            }
            Mechanism::Mx {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                self.count_lookup(term)?;
                let target = self.target(spec.as_ref(), domain).await;
                if !queryable(&target) {
                    return Ok(false);
                }
                let hosts = match usable(self.dns.mx(&target).await) {
                    Answer::Failed(f) => {
                        return Err(temp(format!("'{term}': MX of {target}: {f}")));
                    }
                    Answer::NxDomain | Answer::NoData => {
                        self.count_void(&target)?;
                        return Ok(false);
                    }
                    Answer::Records(r) => r,
                };
                if hosts.len() > MAX_MX_HOSTS {
                    return Err(perm(format!(
                        "'{term}': {target} has {} MX hosts, more than {MAX_MX_HOSTS}",
                        hosts.len()
                    )));
                }
                for (_, host) in &hosts {
                    let host = unescape(host);
                    if host.is_empty() || host == "." {
                        continue; // null MX (RFC 7505)
                    }
                    match self.addresses(&host).await {
                        Answer::Failed(f) => {
                            return Err(temp(format!("'{term}': {host}: {f}")));
                        }
                        Answer::Records(addrs)
                            if addrs.iter().any(|a| self.in_network(*a, *cidr4, *cidr6)) =>
                        {
                            return Ok(true);
                        }
                        _ => {}
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr { domain: spec } => {
                self.count_lookup(term)?;
                let target = self
                    .target(spec.as_ref(), domain)
                    .await
                    .to_ascii_lowercase();
                match self.validated_names().await {
                    Answer::NxDomain => {
                        self.count_void("PTR")?;
                        Ok(false)
                    }
                    Answer::Records(names) => Ok(names
                        .iter()
                        .any(|n| *n == target || n.ends_with(&format!(".{target}")))),
                    _ => Ok(false),
                }
            }
            Mechanism::Exists { domain: spec } => {
                self.count_lookup(term)?;
                let target = self.target(Some(spec), domain).await;
                if !queryable(&target) {
                    return Ok(false);
                }
                match usable(self.dns.a(&target).await) {
                    Answer::Failed(f) => Err(temp(format!("'{term}': {target}: {f}"))),
                    Answer::NxDomain | Answer::NoData => {
                        self.count_void(&target)?;
                        Ok(false)
                    }
                    Answer::Records(_) => Ok(true),
                }
            }
            Mechanism::Include { domain: spec } => {
                self.count_lookup(term)?;
                let target = self.target(Some(spec), domain).await;
                if !queryable(&target) {
                    return Err(perm(format!("'{term}': {target:?} is not a domain")));
                }
                let sub = self.check_host(target.clone(), false, depth + 1).await?;
                match sub.result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::None => Err(perm(format!(
                        "'{term}': {target} has no SPF record (RFC 7208 5.2: permerror)"
                    ))),
                    _ => Ok(false),
                }
            }
        }
    }

    /// The `exp=` explanation of a fail (RFC 7208 6.2). Any trouble gives none: the receiver's
    /// default text is used.
    async fn explain(&mut self, record: &Record, domain: &str) -> Option<String> {
        let spec = record.exp()?;
        let target = self.target(Some(spec), domain).await;
        if !queryable(&target) {
            return None;
        }
        let Answer::Records(records) = self.dns.txt_raw(&target).await else {
            return None;
        };
        let [one] = records.as_slice() else {
            return None;
        };
        let text = one.concat();
        if !text.is_ascii() {
            return None;
        }
        let text = String::from_utf8(text).ok()?;
        let ms = parse::macro_string(&text, 0, true).ok()?;
        if ms.uses_p() {
            self.validated_names().await;
        }
        let p = self.pick_validated(domain);
        Some(self.context(domain, p.as_deref()).expand(&ms))
    }
}

/// A name DNS cannot carry is a name that does not exist, not a temporary failure.
fn usable<T>(answer: Answer<T>) -> Answer<T> {
    match answer {
        Answer::Failed(Failure::BadName(_)) => Answer::NxDomain,
        other => other,
    }
}

/// True when the first `bits` bits of `a` and `b` agree.
fn prefix_match(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits).min(a.len() * 8);
    let full = bits / 8;
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[full] & mask) == (b[full] & mask)
}

#[cfg(test)]
mod tests {
    use super::prefix_match;

    #[test]
    fn prefixes() {
        assert!(prefix_match(&[192, 0, 2, 77], &[192, 0, 2, 0], 24));
        assert!(!prefix_match(&[192, 0, 3, 1], &[192, 0, 2, 0], 24));
        assert!(prefix_match(&[10, 0, 0, 1], &[192, 0, 2, 0], 0));
        assert!(prefix_match(&[192, 0, 2, 129], &[192, 0, 2, 128], 25));
        assert!(!prefix_match(&[192, 0, 2, 127], &[192, 0, 2, 128], 25));
    }
}
