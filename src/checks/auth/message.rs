//! Authenticating one message, as the receiving server does: SPF for HELO and MAIL FROM, every
//! DKIM signature, ARC, DMARC on top of them, and iprev of the client IP.
//!
//! Inputs come from [`Evidence`]: the gate fills it from the SMTP session; the doctor from the
//! command line, or by [`infer_envelope`] from the headers a receiving server added (topmost
//! Received, Return-Path), recording what was inferred. The result is an [`AuthReport`]:
//! per-method results, the facts behind them, and Findings with fixes. It never prints and never
//! decides what to do with the message.

use super::arc::{self, ArcReport};
use super::dkim::{self, DkimReport};
use super::dmarc_eval::{self, DmarcReport};
use super::iprev::{self, IprevReport};
use super::outcome::AuthResult;
use super::spf;
use crate::dns::{Answer, Resolver};
use crate::evidence::Evidence;
use crate::finding::{Cause, Finding, Severity};
use mail_auth::{AuthenticatedMessage, SpfOutput};
use serde::Serialize;
use std::net::IpAddr;
use std::sync::Arc;

/// The authserv-id written into Authentication-Results when none is configured.
pub const DEFAULT_AUTHSERV_ID: &str = "fivefifty";

/// Longest header field value read when inferring the envelope (a Received or Return-Path longer
/// than this is not a real one).
pub const MAX_ENVELOPE_HEADER_LEN: usize = 4096;

/// How to authenticate.
#[derive(Debug, Clone)]
pub struct AuthOptions {
    /// The name of this receiver in Authentication-Results, and the SPF `r` macro.
    pub authserv_id: String,
    /// Verify DKIM signatures as of this Unix time (default: now). Test vectors and replayed
    /// messages need the time they were received.
    pub now: Option<u64>,
}

impl Default for AuthOptions {
    fn default() -> Self {
        AuthOptions {
            authserv_id: DEFAULT_AUTHSERV_ID.to_string(),
            now: None,
        }
    }
}

/// SPF for one identity.
#[derive(Debug, Clone, Serialize)]
pub struct SpfCheck {
    /// `helo` or `mailfrom`.
    pub identity: &'static str,
    /// The domain checked.
    pub domain: String,
    /// The address checked (`postmaster@helo` for HELO).
    pub sender: String,
    /// The result.
    pub result: AuthResult,
    /// The domain's explanation (`exp=`), on fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The term that decided and whose record it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// Why the result is what it is (none, neutral by default, temperror, permerror).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl SpfCheck {
    fn from_evaluation(identity: &'static str, sender: String, eval: &spf::SpfEvaluation) -> Self {
        SpfCheck {
            identity,
            domain: eval.domain.clone(),
            sender,
            result: AuthResult::from(mail_auth::SpfResult::from(eval.result)),
            explanation: eval.explanation.clone(),
            mechanism: eval.mechanism.clone(),
            reason: eval.reason.clone(),
        }
    }
}

/// SPF for HELO and MAIL FROM.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpfReport {
    /// The HELO identity, when a HELO name and client IP are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helo: Option<SpfCheck>,
    /// The MAIL FROM identity (for the null sender: the HELO result, RFC 7208 section 2.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<SpfCheck>,
}

impl SpfReport {
    /// The result that counts for the message: MAIL FROM's.
    pub fn result(&self) -> AuthResult {
        self.mail_from
            .as_ref()
            .map_or(AuthResult::None, |c| c.result)
    }
}

/// Everything the authentication of one message found.
#[derive(Debug, Clone, Serialize)]
pub struct AuthReport {
    /// Who authenticated (Authentication-Results authserv-id).
    pub authserv_id: String,
    /// The envelope used, with the fields that were inferred.
    pub envelope: Evidence,
    /// The RFC 5322 From domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_domain: Option<String>,
    /// SPF.
    pub spf: SpfReport,
    /// DKIM, per signature.
    pub dkim: DkimReport,
    /// DMARC, when the message could be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dmarc: Option<DmarcReport>,
    /// ARC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arc: Option<ArcReport>,
    /// iprev, when the client IP is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iprev: Option<IprevReport>,
    /// Every finding, SPF first.
    pub findings: Vec<Finding>,
}

/// Authenticates the message in `evidence` with the default options (now, authserv-id
/// [`DEFAULT_AUTHSERV_ID`]).
pub async fn authenticate(dns: &Resolver, evidence: &Evidence) -> AuthReport {
    authenticate_with(dns, evidence, &AuthOptions::default()).await
}

/// Authenticates the message in `evidence`.
pub async fn authenticate_with(
    dns: &Resolver,
    evidence: &Evidence,
    options: &AuthOptions,
) -> AuthReport {
    let now = options.now.unwrap_or_else(unix_now);
    let empty: Arc<[u8]> = Arc::from(Vec::new());
    let raw = evidence.message.clone().unwrap_or(empty);
    let parsed = if raw.is_empty() {
        None
    } else {
        AuthenticatedMessage::parse_with_opts(&raw, None, false)
    };
    let mut findings = Vec::new();
    if evidence.message.is_none() {
        findings.push(Finding::new(
            "MESSAGE_MISSING",
            Cause::Protocol,
            Severity::Info,
            "message",
            "no message was given: only the envelope (SPF, iprev) was checked",
        ));
    } else if parsed.is_none() {
        findings.push(
            Finding::new(
                "MESSAGE_UNPARSEABLE",
                Cause::Protocol,
                Severity::Error,
                "message",
                "the message has no parseable header section",
            )
            .fix("A message starts with header fields (Name: value) followed by an empty line and the body."),
        );
    }

    let spf_fut = spf_checks(dns, evidence);
    let iprev_fut = async {
        match evidence.client_ip {
            Some(ip) => Some(iprev::check(dns, ip).await),
            None => None,
        }
    };
    let dkim_fut = async {
        match &parsed {
            Some(m) => Some(dkim::verify(dns, m, now).await),
            None => None,
        }
    };
    let arc_fut = async {
        match &parsed {
            Some(m) => Some(arc::check(dns, m).await),
            None => None,
        }
    };
    let ((spf, spf_output, spf_domain), iprev, dkim, arc) =
        tokio::join!(spf_fut, iprev_fut, dkim_fut, arc_fut);

    let ptr_names: Vec<String> = iprev
        .as_ref()
        .map(|(r, _)| r.ptr.clone())
        .unwrap_or_default();
    findings.extend(spf_findings(dns, evidence, &spf, &ptr_names).await);

    let (dkim_report, dkim_findings, dkim_outputs) = match dkim {
        Some(v) => (v.report, v.findings, v.outputs),
        None => (
            DkimReport {
                signatures: Vec::new(),
                total_signatures: 0,
                verified_at: now,
            },
            Vec::new(),
            Vec::new(),
        ),
    };
    findings.extend(dkim_findings);

    let mut dmarc = None;
    let mut from_domain = None;
    if let Some(message) = &parsed {
        let (report, dmarc_findings) =
            dmarc_eval::evaluate(dns, message, &dkim_outputs, &spf_domain, &spf_output).await;
        from_domain = report.from_domain.clone();
        findings.extend(dmarc_findings);
        dmarc = Some(report);
    }

    let mut arc_report = None;
    if let Some((report, arc_findings)) = arc {
        findings.extend(arc_findings);
        if let (Some(d), Some(from)) = (&dmarc, &from_domain)
            && let Some(f) = arc::explain_forwarding(&report, d.result, from)
        {
            findings.push(f);
        }
        if report.result != AuthResult::None {
            arc_report = Some(report);
        }
    }

    let mut iprev_report = None;
    if let Some((report, iprev_findings)) = iprev {
        findings.extend(iprev_findings);
        iprev_report = Some(report);
    }

    AuthReport {
        authserv_id: options.authserv_id.clone(),
        envelope: Evidence {
            message: None,
            ..evidence.clone()
        },
        from_domain,
        spf,
        dkim: dkim_report,
        dmarc,
        arc: arc_report,
        iprev: iprev_report,
        findings,
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// SPF of HELO and MAIL FROM through the engine's RFC 7208 evaluation ([`spf::evaluate`]).
/// Returns the report, the MAIL FROM output that DMARC takes, and the domain it is for.
async fn spf_checks(dns: &Resolver, evidence: &Evidence) -> (SpfReport, SpfOutput, String) {
    let mut report = SpfReport::default();
    let helo = evidence.helo.clone().unwrap_or_default();
    let mail_from = evidence.mail_from.clone();
    let mail_from_domain = match mail_from.as_deref() {
        Some(addr) if !addr.is_empty() => addr.rsplit_once('@').map_or_else(
            || addr.to_ascii_lowercase(),
            |(_, d)| d.to_ascii_lowercase(),
        ),
        _ => helo.to_ascii_lowercase(),
    };
    let Some(ip) = evidence.client_ip else {
        return (
            report,
            SpfOutput::new(mail_from_domain.clone()),
            mail_from_domain,
        );
    };
    let helo_eval = if helo.is_empty() || helo.parse::<IpAddr>().is_ok() || helo.starts_with('[') {
        None
    } else {
        Some(spf::evaluate(dns, ip, &helo, "").await)
    };
    if let Some(eval) = &helo_eval {
        report.helo = Some(SpfCheck::from_evaluation(
            "helo",
            format!("postmaster@{}", helo.to_ascii_lowercase()),
            eval,
        ));
    }
    let output = match mail_from.as_deref() {
        Some(addr) if !addr.is_empty() => {
            let eval = spf::evaluate(dns, ip, &helo, addr).await;
            report.mail_from = Some(SpfCheck::from_evaluation(
                "mailfrom",
                addr.to_string(),
                &eval,
            ));
            eval.to_mail_auth()
        }
        _ => match (&helo_eval, &report.helo) {
            (Some(eval), Some(check)) => {
                // Null sender (or none given): the HELO identity stands for MAIL FROM.
                report.mail_from = Some(SpfCheck {
                    identity: "mailfrom",
                    ..check.clone()
                });
                eval.to_mail_auth()
            }
            _ => SpfOutput::new(mail_from_domain.clone()),
        },
    };
    (report, output, mail_from_domain)
}

/// The `v=spf1` record of a domain, if exactly one is published.
async fn spf_record(dns: &Resolver, domain: &str) -> Option<String> {
    let Answer::Records(records) = dns.txt(domain).await else {
        return None;
    };
    let mut spf = records.into_iter().filter(|r| {
        let t = r.trim_start().to_ascii_lowercase();
        t == "v=spf1" || t.starts_with("v=spf1 ")
    });
    match (spf.next(), spf.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The include a sender probably forgot: the SPF record of the service its IP's PTR belongs to.
async fn likely_include(dns: &Resolver, ptr_names: &[String]) -> Option<String> {
    let ptr = ptr_names.first()?;
    let base = crate::names::registered_domain(ptr)
        .or_else(|| ptr.split_once('.').map(|(_, rest)| rest.to_string()))?;
    if !base.contains('.') {
        return None;
    }
    for candidate in [format!("_spf.{base}"), format!("spf.{base}"), base.clone()] {
        if spf_record(dns, &candidate).await.is_some() {
            return Some(candidate);
        }
    }
    None
}

async fn spf_findings(
    dns: &Resolver,
    evidence: &Evidence,
    spf: &SpfReport,
    ptr_names: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(ip) = evidence.client_ip else {
        out.push(
            Finding::new(
                "SPF_NOT_CHECKED",
                Cause::Authentication,
                Severity::Info,
                "envelope",
                "no client IP was given or found in a Received header: SPF and iprev were not checked",
            )
            .fix("Give the sending IP with --ip (and --helo, --mail-from) to check SPF."),
        );
        return out;
    };
    for (check, prefix) in [(&spf.helo, "SPF_HELO"), (&spf.mail_from, "SPF")] {
        let Some(check) = check else { continue };
        if prefix == "SPF_HELO" && evidence.mail_from.as_deref().is_none_or(str::is_empty) {
            // Null sender: the HELO result stands for MAIL FROM and is reported as SPF_*.
            continue;
        }
        let d = &check.domain;
        let (suffix, severity, summary) = match check.result {
            AuthResult::Pass => (
                "PASS",
                Severity::Info,
                format!("SPF passes: {ip} may send for {d}"),
            ),
            AuthResult::Fail => (
                "FAIL",
                if prefix == "SPF" {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!("SPF fails: {d} does not authorise {ip}"),
            ),
            AuthResult::SoftFail => (
                "SOFTFAIL",
                Severity::Warning,
                format!("SPF softfails: {d} does not authorise {ip}"),
            ),
            AuthResult::Neutral => (
                "NEUTRAL",
                Severity::Warning,
                format!("SPF neutral: {d} makes no statement about {ip}"),
            ),
            AuthResult::None => (
                "NONE",
                if prefix == "SPF" {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                format!("{d} publishes no SPF record"),
            ),
            AuthResult::TempError => (
                "TEMPERROR",
                Severity::Temporary,
                format!("SPF for {d} could not be evaluated: temporary DNS failure"),
            ),
            _ => (
                "PERMERROR",
                if prefix == "SPF" {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!(
                    "SPF for {d} has a permanent error (syntax, too many lookups, several records)"
                ),
            ),
        };
        let mut f = Finding::new(
            format!("{prefix}_{suffix}"),
            Cause::Authentication,
            severity,
            d,
            summary,
        )
        .evidence("ip", ip.to_string())
        .evidence("identity", check.identity)
        .evidence("sender", &check.sender);
        if let Some(exp) = &check.explanation {
            f = f.evidence("explanation", exp);
        }
        if let Some(mechanism) = &check.mechanism {
            f.summary.push_str(&format!("; decided by {mechanism}"));
            f = f.evidence("mechanism", mechanism);
        }
        if let Some(reason) = &check.reason {
            f = f.evidence("reason", reason);
        }
        match check.result {
            AuthResult::Fail | AuthResult::SoftFail | AuthResult::Neutral => {
                let record = spf_record(dns, d).await;
                let include = likely_include(dns, ptr_names).await;
                let mut fix = format!("Authorise {ip} in the SPF record of {d}");
                if let Some(include) = &include {
                    fix.push_str(&format!(
                        ": the IP's reverse DNS is {}, so the sender probably forgot \
                         include:{include}",
                        ptr_names.first().map_or("", String::as_str)
                    ));
                } else {
                    fix.push_str(
                        " (ip4:/ip6: for your own servers, include: for your email provider)",
                    );
                }
                if let Some(r) = &record {
                    fix.push_str(&format!(". The record now reads: \"{r}\""));
                    f = f.evidence("record", r);
                }
                fix.push('.');
                if let Some(include) = include {
                    f = f.evidence("likely_include", include);
                }
                f = f.fix(fix);
            }
            AuthResult::None => {
                f = f.fix(format!(
                    "Publish a TXT record at {d} listing the servers that send its mail, e.g. \
                     \"v=spf1 ip4:{ip} -all\" (add include: for each email provider)."
                ));
            }
            AuthResult::PermError => {
                f = f.fix(format!(
                    "Run `fivefifty domain {d}`: it shows the SPF tree, the lookup count and the \
                     syntax error to fix."
                ));
            }
            AuthResult::TempError => {
                f = f.fix(
                    "Nothing to change if it passes on retry; a receiver answers 451, not 550.",
                );
            }
            _ => {}
        }
        out.push(f);
    }
    out
}

/// Fills the envelope fields not given from the message's headers: client IP and HELO from the
/// topmost Received header (the one the receiving server added), MAIL FROM from Return-Path,
/// RCPT TO from the Received header's `for` clause. Each filled field is named in
/// [`Evidence::inferred`]. The message is stored in the evidence if it was not.
pub fn infer_envelope(raw: &[u8], given: Evidence) -> Evidence {
    let mut e = given;
    if e.message.is_none() {
        e.message = Some(Arc::from(raw.to_vec()));
    }
    let Some(parsed) = AuthenticatedMessage::parse_with_opts(raw, None, false) else {
        return e;
    };
    let header = |name: &[u8]| {
        parsed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .filter(|v| v.len() <= MAX_ENVELOPE_HEADER_LEN)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    if let Some(received) = header(b"Received") {
        let r = parse_received(&received);
        if e.client_ip.is_none()
            && let Some(ip) = r.ip
        {
            e.client_ip = Some(ip);
            e.inferred.push("client_ip");
        }
        if e.helo.is_none()
            && let Some(helo) = r.helo
        {
            e.helo = Some(helo);
            e.inferred.push("helo");
        }
        if e.rcpt_to.is_empty()
            && let Some(rcpt) = r.rcpt
        {
            e.rcpt_to.push(rcpt);
            e.inferred.push("rcpt_to");
        }
    }
    if e.mail_from.is_none()
        && let Some(rp) = header(b"Return-Path")
    {
        let addr = rp
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if addr.is_empty() || (addr.contains('@') && !addr.contains(char::is_whitespace)) {
            e.mail_from = Some(addr.to_string());
            e.inferred.push("mail_from");
        }
    }
    e
}

/// What a Received header says about the connection it records.
#[derive(Debug, Default, PartialEq, Eq)]
struct ReceivedFacts {
    helo: Option<String>,
    ip: Option<IpAddr>,
    rcpt: Option<String>,
}

/// Reads `from HELO (rdns [IP]) by ... for <rcpt>; date` and its Exim form
/// `from rdns ([IP] helo=HELO)`.
fn parse_received(value: &str) -> ReceivedFacts {
    let unfolded: String = value
        .chars()
        .map(|c| {
            if c == '\r' || c == '\n' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let before_date = unfolded
        .rsplit_once(';')
        .map_or(unfolded.as_str(), |(a, _)| a);
    let lower = before_date.to_ascii_lowercase();
    let mut facts = ReceivedFacts::default();
    let Some(from_at) = find_word(&lower, "from") else {
        return facts;
    };
    let from_end = find_word(&lower[from_at..], "by").map_or(lower.len(), |p| from_at + p);
    let clause = &before_date[from_at + 4..from_end];
    let mut words = clause.split_whitespace();
    if let Some(first) = words.next() {
        let first = first.trim_matches(|c| c == '(' || c == ')');
        if let Some(ip) = bracketed_ip(first) {
            facts.ip = Some(ip);
        } else if !first.is_empty() {
            facts.helo = Some(first.trim_end_matches('.').to_ascii_lowercase());
        }
    }
    if let Some(pos) = clause.to_ascii_lowercase().find("helo=") {
        let rest = &clause[pos + 5..];
        let h: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ')')
            .collect();
        if !h.is_empty() {
            facts.helo = Some(h.trim_end_matches('.').to_ascii_lowercase());
        }
    }
    if facts.ip.is_none() {
        let mut rest = clause;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find(']') else {
                break;
            };
            if let Some(ip) = bracketed_ip(&rest[open..=open + close]) {
                facts.ip = Some(ip);
                break;
            }
            rest = &rest[open + close + 1..];
        }
    }
    if let Some(for_at) = find_word(&lower, "for") {
        let rest = before_date[for_at + 3..].trim_start();
        let addr: String = rest
            .trim_start_matches('<')
            .chars()
            .take_while(|c| *c != '>' && !c.is_whitespace() && *c != ';')
            .collect();
        if addr.contains('@') {
            facts.rcpt = Some(addr);
        }
    }
    facts
}

fn bracketed_ip(text: &str) -> Option<IpAddr> {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    inner.parse().ok()
}

/// Position of `word` as a whole word (between whitespace or parentheses) in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(pos) = text[start..].find(word) {
        let at = start + pos;
        let before_ok = at == 0 || matches!(bytes[at - 1], b' ' | b'(' | b'\t');
        let after = at + word.len();
        let after_ok = after >= bytes.len() || matches!(bytes[after], b' ' | b'\t');
        if before_ok && after_ok {
            return Some(at);
        }
        start = at + word.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_postfix_form_gives_helo_ip_and_rcpt() {
        let r = parse_received(
            " from mail.good.example (mail.good.example [192.0.2.20])\r\n\tby mx.example.net (Postfix) with ESMTPS id 1\r\n\tfor <bob@example.net>; Tue, 1 Nov 2026 10:00:00 +0000",
        );
        assert_eq!(r.helo.as_deref(), Some("mail.good.example"));
        assert_eq!(r.ip, Some("192.0.2.20".parse().expect("ip")));
        assert_eq!(r.rcpt.as_deref(), Some("bob@example.net"));
    }

    #[test]
    fn received_exim_form_gives_helo_from_helo_tag() {
        let r = parse_received(
            " from [2001:db8::5] (helo=out.relay.example)\r\n by mx.example.net with esmtp; Tue, 1 Nov 2026",
        );
        assert_eq!(r.helo.as_deref(), Some("out.relay.example"));
        assert_eq!(r.ip, Some("2001:db8::5".parse().expect("ip")));
        assert_eq!(r.rcpt, None);
    }

    #[test]
    fn inferred_fields_are_recorded_and_given_ones_kept() {
        let raw = b"Return-Path: <>\r\nReceived: from h.example (h.example [192.0.2.7]) by mx; Mon, 1 Jan 2026\r\nFrom: a@b.example\r\n\r\nbody\r\n";
        let given = Evidence {
            helo: Some("given.example".into()),
            ..Evidence::default()
        };
        let e = infer_envelope(raw, given);
        assert_eq!(e.helo.as_deref(), Some("given.example"));
        assert_eq!(e.client_ip, Some("192.0.2.7".parse().expect("ip")));
        assert_eq!(e.mail_from.as_deref(), Some(""));
        assert_eq!(e.inferred, vec!["client_ip", "mail_from"]);
    }
}
