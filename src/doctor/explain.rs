//! `fivefifty explain`: a bounce (or a bare SMTP reply) explained, and with `--diagnose`, the
//! sender's side checked where the bounce points.
//!
//! The bounce module reads the report; this module turns each recipient row into a Finding (so
//! bounces speak the same language as every other report) and runs the follow-up checks the
//! row's cause calls for: the domain audit for authentication, the IP's blocklist listings and
//! reputation for blocklisting and reputation.

use crate::bounce::{Action, BounceCause, BounceReport, Reason, ReportKind};
use crate::checks::blocklist::{self, BlocklistReport, Catalog, ListOutcome};
use crate::checks::reputation::{self, ReputationReport};
use crate::dns::Resolver;
use crate::doctor::domain::{self, DomainOptions, DomainReport};
use crate::finding::{Cause, Finding, Severity};
use crate::names::normalize_domain;
use serde::Serialize;

/// Domains audited at most per bounce by `--diagnose` (envelope and From domain).
pub const MAX_DIAGNOSED_DOMAINS: usize = 2;
/// Sending IPs checked at most per bounce by `--diagnose`.
pub const MAX_DIAGNOSED_IPS: usize = 4;

/// One Finding per recipient row: `BOUNCE_<REASON>` (e.g. `BOUNCE_BLOCKED`), with the row's
/// diagnostic, status and remediation. Permanent failures (5xx, hard or soft) are errors,
/// temporary ones (4xx, delayed) warnings; delivered, relayed and expanded rows and auto-replies
/// are info.
pub fn row_findings(report: &BounceReport) -> Vec<Finding> {
    let mut out = Vec::new();
    match report.kind {
        ReportKind::NotBounce | ReportKind::NotMail => {
            out.push(
                Finding::new(
                    "NOT_A_BOUNCE",
                    Cause::Protocol,
                    Severity::Info,
                    report.source.clone().unwrap_or_default(),
                    if report.kind == ReportKind::NotMail {
                        "this is not an Internet mail message"
                    } else {
                        "this message is not a bounce: nothing failed"
                    },
                )
                .evidence("notes", &report.notes),
            );
            return out;
        }
        _ => {}
    }
    for row in &report.recipients {
        let reason = row.reason.as_str();
        let severity = match (report.kind, row.action) {
            (ReportKind::AutoReply, _) => Severity::Info,
            (_, Some(Action::Delivered | Action::Relayed | Action::Expanded)) => Severity::Info,
            (ReportKind::Feedback, _) => Severity::Warning,
            _ if row.permanent || row.hard_bounce => Severity::Error,
            _ => Severity::Warning,
        };
        let cause = row.cause.finding_cause().unwrap_or(Cause::Protocol);
        let recipient = row
            .recipient
            .clone()
            .unwrap_or_else(|| "(unknown recipient)".into());
        let mut summary = if row.is_success() {
            format!("delivered to {recipient}")
        } else if report.kind == ReportKind::AutoReply {
            format!("automatic reply ({reason}) from {recipient}")
        } else if report.kind == ReportKind::Feedback {
            format!(
                "feedback report ({}) about the message to {recipient}",
                report.feedback_type.as_deref().unwrap_or("abuse")
            )
        } else {
            format!(
                "{} bounce ({reason}) for {recipient}",
                if row.hard_bounce { "hard" } else { "soft" }
            )
        };
        // A feedback row's diagnostic is its Feedback-Type, already said.
        if !row.diagnostic.is_empty() && report.kind != ReportKind::Feedback {
            summary.push_str(&format!(": {}", row.diagnostic));
        }
        let mut fix: Vec<String> = row.remediation.clone();
        for r in &row.recognitions {
            let line = format!("{} {}: {} {}", r.provider, r.code, r.meaning, r.fix);
            fix.push(line.trim_end().to_string());
        }
        let mut f = Finding::new(
            format!("BOUNCE_{}", reason.to_ascii_uppercase()),
            cause,
            severity,
            recipient,
            summary,
        )
        .fix(fix.join("\n"))
        .evidence("reason", reason)
        .evidence("seed_cause", row.cause.as_str())
        .evidence("hard_bounce", row.hard_bounce);
        if let Some(s) = &row.status {
            f = f.evidence("status", s.to_string());
        }
        if let Some(c) = &row.reply_code {
            f = f.evidence("reply_code", c.to_string());
        }
        if let Some(m) = &row.remote_mta {
            f = f.evidence("remote_mta", m);
        }
        out.push(f);
    }
    out
}

/// What `--diagnose` found on the sender's side.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diagnosis {
    /// Domain audits of the envelope and From domains, when a row points at authentication.
    pub domains: Vec<DomainReport>,
    /// Blocklist answers for the sending IPs found in the returned headers, when a row points
    /// at blocklisting or reputation.
    pub ip_listings: Vec<BlocklistReport>,
    /// Reputation checks of the same IPs.
    pub ip_reputation: Vec<ReputationReport>,
    /// Findings of the follow-up checks, in the order run.
    pub findings: Vec<Finding>,
    /// What the checks make of the receiver's own words (informational findings): the
    /// blocklist it named does or does not list the sending IP now; the domain it found
    /// unauthenticated has faults in its records or none.
    pub conclusions: Vec<Finding>,
}

/// Runs the checks the bounce's rows point to.
pub async fn diagnose(dns: &Resolver, report: &BounceReport) -> Diagnosis {
    targets(report).check(dns).await
}

/// Domains audited at most by one `--diagnose` run over many bounces (a folder or an mbox).
pub const MAX_DIAGNOSED_DOMAINS_TOTAL: usize = 20;
/// Sending IPs checked at most by one `--diagnose` run over many bounces.
pub const MAX_DIAGNOSED_IPS_TOTAL: usize = 40;

/// What `--diagnose` will check for a run over many bounces, gathered one bounce at a time so
/// the bounces themselves need not be kept: the sender's domains when a row points to
/// authentication or content, the sending IPs when one points to blocklisting or reputation (or
/// the text names a blocklist). Each is kept once, and at most [`MAX_DIAGNOSED_DOMAINS_TOTAL`]
/// domains and [`MAX_DIAGNOSED_IPS_TOTAL`] IPs are kept, so its size does not grow with the
/// number of bounces.
#[derive(Debug, Default)]
pub struct DiagnosisTargets {
    domains: Vec<String>,
    ips: Vec<std::net::IpAddr>,
    /// Blocklist zones the receivers named, to hold each IP's answers against.
    named_lists: Vec<String>,
    /// What the rows said of the sender's authentication, the strongest word kept.
    auth_said: Option<AuthComplaint>,
}

/// What a receiver said that sends `--diagnose` to the sender's domain records. Ordered: a
/// run over many bounces keeps the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AuthComplaint {
    /// It refused the envelope sender's address or domain (`Sender address rejected: Domain
    /// not found`): the domain's existence and its MX come first.
    SenderRefused,
    /// It said authentication (SPF, DKIM, DMARC) failed.
    AuthFailed,
}

impl AuthComplaint {
    /// The receiver's word, as a conclusion opens with it.
    fn said(self) -> &'static str {
        match self {
            Self::SenderRefused => "the receiver refused your sender address",
            Self::AuthFailed => "the receiver says authentication failed",
        }
    }

    /// What to look at when the domain's records show no error.
    fn records_clean_fix(self) -> &'static str {
        match self {
            Self::SenderRefused => {
                "Check the envelope sender (MAIL FROM, the Return-Path) of the refused message itself: its domain must exist and have MX or A records as the receiver's resolvers see them. Some receivers also verify the address by calling back to your MX, which must then accept it."
            }
            Self::AuthFailed => {
                "The failing mail may have left through a server SPF does not list, or been changed on the way (a forwarder, a mailing list) so that DKIM broke: check a message as it was sent with fivefifty check message.eml."
            }
        }
    }

    /// The domain's findings in the order they likely explain this complaint: its
    /// configuration errors (a null MX, a domain that does not exist) first for a refused
    /// sender, its authentication findings first otherwise.
    fn in_order<'a>(self, auth: &'a [Finding], config: &'a [Finding]) -> [&'a [Finding]; 2] {
        match self {
            Self::SenderRefused => [config, auth],
            Self::AuthFailed => [auth, config],
        }
    }
}

impl DiagnosisTargets {
    /// Adds what one bounce points to, skipping what is already there and what is over the caps.
    pub fn add(&mut self, report: &BounceReport) {
        let t = targets(report);
        for d in t.domains {
            push_new(&mut self.domains, d, MAX_DIAGNOSED_DOMAINS_TOTAL);
        }
        for ip in t.ips {
            push_new(&mut self.ips, ip, MAX_DIAGNOSED_IPS_TOTAL);
        }
        for zone in t.named_lists {
            push_new(&mut self.named_lists, zone, MAX_NAMED_LISTS);
        }
        self.auth_said = self.auth_said.max(t.auth_said);
    }

    /// Runs the checks: each domain's audit (its authentication findings, and its
    /// configuration errors: a null or missing MX gets a sender refused too), each IP's
    /// blocklist listings and reputation (their warnings and errors).
    pub async fn check(self, dns: &Resolver) -> Diagnosis {
        let mut diagnosis = Diagnosis::default();
        // The authentication conclusions follow the listing ones.
        let mut auth_conclusions = Vec::new();
        for d in self.domains {
            let audit = domain::audit(dns, &d, &DomainOptions::default()).await;
            let (auth, config): (Vec<Finding>, Vec<Finding>) = audit
                .findings()
                .into_iter()
                .filter(|f| {
                    f.cause == Cause::Authentication
                        || (f.cause == Cause::Configuration && f.severity == Severity::Error)
                })
                .partition(|f| f.cause == Cause::Authentication);
            if let Some(said) = self.auth_said {
                auth_conclusions.push(conclude_authentication(said, &audit.domain, &auth, &config));
            }
            diagnosis.findings.extend(auth);
            diagnosis.findings.extend(config);
            diagnosis.domains.push(audit);
        }
        if !self.ips.is_empty() {
            let catalog = Catalog::builtin();
            for ip in self.ips {
                let (listing, rep) = tokio::join!(
                    blocklist::check_ip(dns, &catalog, ip),
                    reputation::check_ip(dns, ip, None)
                );
                diagnosis.findings.extend(
                    listing
                        .findings
                        .iter()
                        .chain(rep.findings.iter())
                        .filter(|f| f.severity != Severity::Info)
                        .cloned(),
                );
                diagnosis.ip_listings.push(listing);
                diagnosis.ip_reputation.push(rep);
            }
        }
        for zone in &self.named_lists {
            conclude_listing(&mut diagnosis, zone);
        }
        diagnosis.conclusions.extend(auth_conclusions);
        diagnosis
    }
}

/// Blocklist zones named in the bounces kept at most for one `--diagnose` run.
const MAX_NAMED_LISTS: usize = 20;

/// Holds each checked IP's answer from `zone` against the receiver's word that the IP is on it.
fn conclude_listing(d: &mut Diagnosis, zone: &str) {
    if d.ip_listings.is_empty() {
        d.conclusions.push(
            Finding::new(
                "DIAGNOSIS_NO_SENDING_IP",
                Cause::Blocklist,
                Severity::Info,
                zone,
                format!("the receiver named {zone}, but the bounce does not show your sending IP"),
            )
            .fix("Find your mail server's public IP (the first Received header of a message you sent) and run fivefifty ip <that IP>.")
            .evidence("zone", zone),
        );
        return;
    }
    for listing in &d.ip_listings {
        let ip = &listing.target;
        let result = listing.result(zone);
        let (code, summary, fix) = match result.map(|r| &r.outcome) {
            Some(ListOutcome::Listed { .. }) => (
                "DIAGNOSIS_LISTING_CONFIRMED",
                format!("the receiver named {zone}, and {ip} is listed there now"),
                match result.and_then(|r| r.entry.delist.as_deref()) {
                    Some(url) => format!("Fix what got the IP listed, request delisting at {url}, then send again."),
                    None => "Fix what got the IP listed, request delisting at the list's site, then send again.".to_string(),
                },
            ),
            Some(ListOutcome::Clean { .. }) => (
                "DIAGNOSIS_LISTING_GONE",
                format!("the receiver named {zone}, but {ip} is not listed there now"),
                "The listing has ended, or the receiver judged another IP: send again; if the receiver refuses again, ask it which IP it saw.".to_string(),
            ),
            Some(ListOutcome::Skipped { .. }) | None => (
                "DIAGNOSIS_LISTING_UNCHECKED",
                format!("the receiver named {zone}, which this run does not query (not in the catalog, or it needs a key)"),
                format!("Look {ip} up on the list's own site; `--lists FILE` can add the list or its key to the catalog."),
            ),
            Some(_) => (
                "DIAGNOSIS_LISTING_UNDECIDED",
                format!("the receiver named {zone}, and its answer about {ip} could not be had now"),
                format!("Run fivefifty ip {ip} again later."),
            ),
        };
        d.conclusions.push(
            Finding::new(code, Cause::Blocklist, Severity::Info, ip.as_str(), summary)
                .fix(fix)
                .evidence("zone", zone),
        );
    }
}

/// Holds an audited domain's faults (the errors of its authentication findings `auth` and of
/// its configuration findings `config`) against what the receiver `said`.
fn conclude_authentication(
    said: AuthComplaint,
    domain: &str,
    auth: &[Finding],
    config: &[Finding],
) -> Finding {
    // A configuration error (a null MX, a domain that does not exist) is a fault of the records
    // too: a receiver that checks the sender's domain refuses it.
    let faults: Vec<&str> = said
        .in_order(auth, config)
        .into_iter()
        .flatten()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str())
        .collect();
    let opening = said.said();
    if faults.is_empty() {
        Finding::new(
            "DIAGNOSIS_AUTH_RECORDS_CLEAN",
            Cause::Authentication,
            Severity::Info,
            domain,
            format!("{opening}, but {domain}'s DNS, SPF, DKIM and DMARC records show no error"),
        )
        .fix(said.records_clean_fix())
    } else {
        Finding::new(
            "DIAGNOSIS_AUTH_FAULTS_FOUND",
            Cause::Authentication,
            Severity::Info,
            domain,
            format!(
                "{opening}, and {domain}'s records have {} error{}: {}",
                faults.len(),
                if faults.len() == 1 { "" } else { "s" },
                faults.join(", ")
            ),
        )
        .fix("Fix these first (each is explained below), then send again.")
        .evidence("codes", &faults)
    }
}

/// What one bounce asks the diagnosis to check, at most [`MAX_DIAGNOSED_DOMAINS`] domains and
/// [`MAX_DIAGNOSED_IPS`] IPs.
fn targets(report: &BounceReport) -> DiagnosisTargets {
    let mut t = DiagnosisTargets::default();
    for zone in &report.hints.blocklists {
        push_new(&mut t.named_lists, zone.clone(), MAX_NAMED_LISTS);
    }
    t.auth_said = report
        .recipients
        .iter()
        .filter(|r| r.cause == BounceCause::Authentication)
        .map(|r| match r.reason {
            Reason::Rejected => AuthComplaint::SenderRefused,
            _ => AuthComplaint::AuthFailed,
        })
        .max();
    let causes: Vec<BounceCause> = report.recipients.iter().map(|r| r.cause).collect();
    let wants_auth = causes
        .iter()
        .any(|c| matches!(c, BounceCause::Authentication | BounceCause::Content));
    if wants_auth {
        for d in [&report.hints.envelope_domain, &report.hints.from_domain]
            .into_iter()
            .flatten()
            .filter_map(|d| normalize_domain(d).ok())
        {
            push_new(&mut t.domains, d, MAX_DIAGNOSED_DOMAINS);
        }
    }
    // A policy refusal that names no rule may be any of the four causes: the IPs are
    // checked as well as the domains.
    let opaque_policy = report
        .recipients
        .iter()
        .any(|r| r.reason == Reason::PolicyViolation);
    let wants_ip = causes
        .iter()
        .any(|c| matches!(c, BounceCause::Blocklist | BounceCause::Reputation))
        || !report.hints.blocklists.is_empty()
        || opaque_policy;
    if wants_ip {
        for ip in report
            .hints
            .sending_ips
            .iter()
            .filter_map(|ip| ip.parse().ok())
            .filter(|ip| !is_internal_hop(*ip))
        {
            push_new(&mut t.ips, ip, MAX_DIAGNOSED_IPS);
        }
    }
    t
}

/// Appends `item` unless it is already in `list` or `list` holds `cap` items.
fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T, cap: usize) {
    if !list.contains(&item) && list.len() < cap {
        list.push(item);
    }
}

/// Addresses of a sender's own network (private, loopback, link-local): hops inside the
/// sending organisation, never the address a receiver judged.
fn is_internal_hop(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounce::explain_reply;

    fn blocked_from(ip: &str) -> BounceReport {
        explain_reply(&format!(
            "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org"
        ))
    }

    #[test]
    fn many_bounces_name_each_sending_ip_once_up_to_the_total_cap() {
        let mut all = DiagnosisTargets::default();
        for round in 0..3 {
            for i in 1..=50 {
                all.add(&blocked_from(&format!("198.51.100.{i}")));
            }
            assert_eq!(all.ips.len(), MAX_DIAGNOSED_IPS_TOTAL, "round {round}");
        }
        let first: std::net::IpAddr = "198.51.100.1".parse().expect("ip");
        assert_eq!(all.ips[0], first, "the first bounce's IP comes first");
        let distinct: std::collections::HashSet<_> = all.ips.iter().collect();
        assert_eq!(distinct.len(), all.ips.len(), "no IP twice");
    }

    #[test]
    fn internal_hops_are_never_diagnosed() {
        let mut all = DiagnosisTargets::default();
        all.add(&blocked_from("10.1.2.3"));
        all.add(&blocked_from("192.0.2.66"));
        assert_eq!(
            all.ips,
            vec!["192.0.2.66".parse::<std::net::IpAddr>().expect("ip")]
        );
    }
}
