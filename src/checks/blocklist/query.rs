//! The query engine: asks every list of the right kind about one target, all at once.
//!
//! Query names follow RFC 5782: an IPv4 address as reversed octets, an IPv6 address as 32
//! reversed nibbles, a domain as itself (normalised to A-labels) or as its registered domain,
//! as the list expects; a key, when the list needs one, between the query and the zone.
//!
//! Every list is asked concurrently through the one [`Resolver`] (which bounds queries in flight
//! and applies the per-query timeout). What comes back is kept typed to the end: a listing, a
//! clean answer, an error answer, a timeout and a failure are different [`ListOutcome`]s, and
//! only a decoded listing code of a list that passes its sanity check becomes `Listed`.
//!
//! The sanity check: when a list says "listed", the engine also asks it about the RFC 5782
//! entry that must never be listed (127.0.0.1, or `invalid` for domain lists). A list that lists
//! that too answers everything (a dead list's wildcard, a hijacked zone): its answer is reported
//! as [`ListOutcome::Broken`] and ignored. Clean answers cost no extra query.

use super::catalog::{Decoded, ListEntry, ListKind, Meaning};
use crate::dns::{Answer, Failure, Resolver, reversed_ip_labels};
use crate::names::{MAX_NAME_LEN, registered_domain};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Most TXT reason strings kept per listing.
pub const MAX_TXT_RECORDS: usize = 4;
/// Longest TXT reason kept, in characters (longer ones are cut with an ellipsis).
pub const MAX_TXT_LEN: usize = 512;

/// What one list said about the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ListOutcome {
    /// The target is on the list.
    Listed {
        /// The A records answered.
        codes: Vec<Ipv4Addr>,
        /// What each answer means (a bitmask answer gives one meaning per bit).
        meanings: Vec<Meaning>,
        /// The list's TXT reason(s), often with a lookup URL.
        txt: Vec<String>,
    },
    /// Not listed: NXDOMAIN, or answers that are not listings (good-reputation levels).
    Clean {
        /// Non-listing answers and their meanings (empty for NXDOMAIN).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        answers: Vec<Meaning>,
    },
    /// The list answered with an error code (query refused, over the limit, bad key): the
    /// target may or may not be listed.
    ErrorAnswer {
        /// The answer.
        code: Ipv4Addr,
        /// What it means.
        meaning: String,
    },
    /// No answer in time: could not decide.
    Timeout,
    /// The query failed (SERVFAIL, refused, network error): could not decide.
    Failed {
        /// Why.
        failure: Failure,
    },
    /// The list also lists its must-never-be-listed test entry: its answers are ignored.
    Broken {
        /// What the test entry got.
        test_answer: Vec<Ipv4Addr>,
    },
    /// Not asked.
    Skipped {
        /// Why (the list holds another kind of target, or needs a key that is not set).
        reason: String,
    },
}

impl ListOutcome {
    /// A short lowercase name of the outcome: listed, clean, error_answer, timeout, failed,
    /// broken, skipped.
    pub fn as_str(&self) -> &'static str {
        match self {
            ListOutcome::Listed { .. } => "listed",
            ListOutcome::Clean { .. } => "clean",
            ListOutcome::ErrorAnswer { .. } => "error_answer",
            ListOutcome::Timeout => "timeout",
            ListOutcome::Failed { .. } => "failed",
            ListOutcome::Broken { .. } => "broken",
            ListOutcome::Skipped { .. } => "skipped",
        }
    }
}

/// One list's answer about the target.
#[derive(Debug, Clone, Serialize)]
pub struct ListResult {
    /// The list's zone.
    pub zone: String,
    /// The list's name.
    pub name: String,
    /// The list's weight.
    pub weight: u8,
    /// The name queried (a key shown as `<key>`); empty when the list was skipped.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// What the list said.
    #[serde(flatten)]
    pub outcome: ListOutcome,
    /// The catalog entry, for findings (delisting page, fixes).
    #[serde(skip)]
    pub entry: Arc<ListEntry>,
}

/// What is being looked up, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An IP address (IPv4-mapped IPv6 already turned into IPv4).
    Ip(IpAddr),
    /// A normalised domain (A-labels, lowercase, no trailing dot).
    Domain(String),
}

/// The RFC 5782 test entry that a list must list, as query labels.
pub(crate) fn test_listed_labels(entry: &ListEntry) -> String {
    match &entry.test_listed {
        Some(t) => point_labels(t),
        None if entry.is_domain_list() && !entry.is_ip_list() => "test".to_string(),
        None if entry.holds(ListKind::Ipv4) => {
            reversed_ip_labels(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        }
        None => reversed_ip_labels(IpAddr::V6(Ipv4Addr::new(127, 0, 0, 2).to_ipv6_mapped())),
    }
}

/// The RFC 5782 test entry that a list must not list, as query labels.
pub(crate) fn test_clean_labels(entry: &ListEntry) -> String {
    match &entry.test_clean {
        Some(t) => point_labels(t),
        None if entry.is_domain_list() && !entry.is_ip_list() => "invalid".to_string(),
        None if entry.holds(ListKind::Ipv4) => reversed_ip_labels(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        None => reversed_ip_labels(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped())),
    }
}

fn point_labels(point: &str) -> String {
    match point.parse::<IpAddr>() {
        Ok(ip) => reversed_ip_labels(ip),
        Err(_) => point.trim_end_matches('.').to_ascii_lowercase(),
    }
}

/// The labels to put before the list's zone for this target, or why the list cannot be asked.
fn labels_for(entry: &ListEntry, target: &Target) -> Result<String, String> {
    match target {
        Target::Ip(ip @ IpAddr::V4(_)) => {
            if entry.holds(ListKind::Ipv4) {
                Ok(reversed_ip_labels(*ip))
            } else {
                Err("the list holds no IPv4 addresses".into())
            }
        }
        Target::Ip(ip @ IpAddr::V6(_)) => {
            if entry.holds(ListKind::Ipv6) {
                Ok(reversed_ip_labels(*ip))
            } else {
                Err("the list holds no IPv6 addresses".into())
            }
        }
        Target::Domain(host) => {
            if !entry.is_domain_list() {
                return Err("the list holds no domains".into());
            }
            Ok(match entry.domain_form {
                super::catalog::DomainForm::Host => host.clone(),
                super::catalog::DomainForm::Registered => {
                    registered_domain(host).unwrap_or_else(|| host.clone())
                }
            })
        }
    }
}

/// True when the list belongs in a report about this kind of target (an IPv4-only list is
/// listed as skipped for an IPv6 address; domain lists do not appear in an IP report).
pub(crate) fn relevant(entry: &ListEntry, target: &Target) -> bool {
    match target {
        Target::Ip(_) => entry.is_ip_list(),
        Target::Domain(_) => entry.is_domain_list(),
    }
}

/// Asks every enabled, relevant list about the target, concurrently; results in catalog order.
pub(crate) async fn ask_all<'a>(
    dns: &Resolver,
    lists: impl Iterator<Item = &'a Arc<ListEntry>>,
    target: &Target,
) -> Vec<ListResult> {
    let mut set = JoinSet::new();
    let mut count = 0usize;
    for (index, entry) in lists.filter(|e| relevant(e, target)).enumerate() {
        count += 1;
        let dns = dns.clone();
        let entry = Arc::clone(entry);
        let target = target.clone();
        set.spawn(async move { (index, ask_one(&dns, entry, &target).await) });
    }
    let mut out: Vec<Option<ListResult>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, result)) => {
                if let Some(slot) = out.get_mut(index) {
                    *slot = Some(result);
                }
            }
            Err(e) => tracing::warn!("a blocklist query task failed: {e}"),
        }
    }
    out.into_iter().flatten().collect()
}

/// Asks one list about the target.
pub(crate) async fn ask_one(dns: &Resolver, entry: Arc<ListEntry>, target: &Target) -> ListResult {
    let labels = match labels_for(&entry, target) {
        Ok(l) => l,
        Err(reason) => return result(entry, String::new(), ListOutcome::Skipped { reason }),
    };
    if entry.missing_key() {
        let reason = "the list needs a key: set `key` for it in the configuration".to_string();
        return result(entry, String::new(), ListOutcome::Skipped { reason });
    }
    let name = entry.query_name(&labels);
    let shown = entry.shown_query_name(&labels);
    if name.len() > MAX_NAME_LEN {
        let reason = format!("the query name would be longer than {MAX_NAME_LEN} characters");
        return result(entry, shown, ListOutcome::Skipped { reason });
    }
    let outcome = match dns.a(&name).await {
        Answer::Records(codes) => match entry.decode(&codes) {
            Decoded::Listed(meanings) => match sanity_listed(dns, &entry).await {
                Some(test_answer) => ListOutcome::Broken { test_answer },
                None => ListOutcome::Listed {
                    txt: reasons(dns, &name).await,
                    codes,
                    meanings,
                },
            },
            Decoded::NotListed(answers) => ListOutcome::Clean { answers },
            Decoded::Error { code, meaning } => ListOutcome::ErrorAnswer { code, meaning },
        },
        Answer::NxDomain | Answer::NoData => ListOutcome::Clean {
            answers: Vec::new(),
        },
        Answer::Failed(Failure::Timeout) => ListOutcome::Timeout,
        Answer::Failed(failure) => ListOutcome::Failed { failure },
    };
    result(entry, shown, outcome)
}

/// The list's answer for its must-not-be-listed entry, when that answer is a listing.
async fn sanity_listed(dns: &Resolver, entry: &ListEntry) -> Option<Vec<Ipv4Addr>> {
    let name = entry.query_name(&test_clean_labels(entry));
    match dns.a(&name).await {
        Answer::Records(codes) => match entry.decode(&codes) {
            Decoded::Listed(_) => Some(codes),
            _ => None,
        },
        _ => None,
    }
}

/// The TXT reasons at a listed name, bounded; a failure here leaves the listing standing with
/// no reason text.
async fn reasons(dns: &Resolver, name: &str) -> Vec<String> {
    dns.txt(name)
        .await
        .records()
        .iter()
        .take(MAX_TXT_RECORDS)
        .map(|t| clip(t))
        .collect()
}

fn clip(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() <= MAX_TXT_LEN {
        clean
    } else {
        let mut cut: String = clean.chars().take(MAX_TXT_LEN).collect();
        cut.push('…');
        cut
    }
}

fn result(entry: Arc<ListEntry>, query: String, outcome: ListOutcome) -> ListResult {
    ListResult {
        zone: entry.zone.clone(),
        name: entry.name.clone(),
        weight: entry.weight,
        query,
        outcome,
        entry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::blocklist::Catalog;

    #[test]
    fn ipv4_and_ipv6_query_names_follow_rfc_5782() {
        let c = Catalog::builtin();
        let zen = c.get("zen.spamhaus.org").expect("zen").clone();
        let v4 = Target::Ip("192.0.2.99".parse().expect("ip"));
        assert_eq!(labels_for(&zen, &v4).as_deref(), Ok("99.2.0.192"));
        let v6 = Target::Ip("2001:db8:1:2::ff".parse().expect("ip"));
        let labels = labels_for(&zen, &v6).expect("v6 labels");
        assert_eq!(labels.split('.').count(), 32);
        assert!(labels.starts_with("f.f.0.0.0.0.0.0."));
        assert!(labels.ends_with("2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2"));
    }

    #[test]
    fn url_lists_get_the_registered_domain_and_host_lists_the_host() {
        let c = Catalog::builtin();
        let surbl = c.get("multi.surbl.org").expect("surbl").clone();
        let host = Target::Domain("www.shop.example.co.uk".into());
        assert_eq!(labels_for(&surbl, &host).as_deref(), Ok("example.co.uk"));
        let mut as_host = surbl.clone();
        as_host.domain_form = crate::checks::blocklist::DomainForm::Host;
        assert_eq!(
            labels_for(&as_host, &host).as_deref(),
            Ok("www.shop.example.co.uk")
        );
    }

    #[test]
    fn keyed_lists_put_the_key_before_the_zone_and_hide_it_in_reports() {
        let c = Catalog::builtin()
            .with_overrides_toml("[[list]]\nzone = \"zen.dq.spamhaus.net\"\nkey = \"abc123\"\n")
            .expect("override");
        let dq = c.get("zen.dq.spamhaus.net").expect("dq");
        assert!(dq.enabled);
        assert_eq!(
            dq.query_name("2.0.0.127"),
            "2.0.0.127.abc123.zen.dq.spamhaus.net"
        );
        assert_eq!(
            dq.shown_query_name("2.0.0.127"),
            "2.0.0.127.<key>.zen.dq.spamhaus.net"
        );
    }

    #[test]
    fn txt_reasons_are_bounded_and_stripped() {
        let long = "x".repeat(MAX_TXT_LEN + 10);
        assert_eq!(clip(&long).chars().count(), MAX_TXT_LEN + 1);
        assert_eq!(clip("a\u{7}b"), "ab");
    }
}
