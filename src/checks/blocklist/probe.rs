//! RFC 5782 section 5 health probe: is each list alive, and does it answer honestly?
//!
//! Every list publishes two test entries: one that must be listed (127.0.0.2, `::ffff:7f00:2`,
//! or the domain `test`) and one that must not (127.0.0.1, `::ffff:7f00:1`, `invalid`). Lists
//! that use other names say so in the catalog (`test_listed`, `test_clean`). The probe asks both:
//! - the clean entry listed: the list answers everything (a dead list's wildcard): **broken**,
//!   its answers must be ignored;
//! - an error answer: the list refuses this resolver (public resolver, missing registration);
//! - the test entry not listed: the list is dead, or does not follow RFC 5782;
//! - no answer: cannot tell.

use super::catalog::{Decoded, ListEntry};
use super::query::{test_clean_labels, test_listed_labels};
use crate::dns::{Answer, Failure, Resolver};
use serde::Serialize;
use std::net::Ipv4Addr;
use std::sync::Arc;
use tokio::task::JoinSet;

/// The state of one list, by its test entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum HealthStatus {
    /// The test entry is listed and the clean entry is not.
    Healthy,
    /// The clean entry is listed: the list answers everything, and its answers are ignored.
    Broken {
        /// What the clean entry got.
        answer: Vec<Ipv4Addr>,
    },
    /// The test entry is not listed: the list is dead or does not follow RFC 5782.
    NoTestEntry,
    /// An error answer: this resolver may not query the list (or the key is wrong).
    ErrorAnswer {
        /// The answer.
        code: Ipv4Addr,
        /// What it means.
        meaning: String,
    },
    /// No answer in time.
    Timeout,
    /// The query failed.
    Failed {
        /// Why.
        failure: Failure,
    },
    /// Not probed (it needs a key that is not set).
    Skipped {
        /// Why.
        reason: String,
    },
}

impl HealthStatus {
    /// A short lowercase name: healthy, broken, no_test_entry, error_answer, timeout, failed,
    /// skipped.
    pub fn as_str(&self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Broken { .. } => "broken",
            HealthStatus::NoTestEntry => "no_test_entry",
            HealthStatus::ErrorAnswer { .. } => "error_answer",
            HealthStatus::Timeout => "timeout",
            HealthStatus::Failed { .. } => "failed",
            HealthStatus::Skipped { .. } => "skipped",
        }
    }
}

/// One list's health.
#[derive(Debug, Clone, Serialize)]
pub struct ListHealth {
    /// The list's zone.
    pub zone: String,
    /// The list's name.
    pub name: String,
    /// The state found.
    #[serde(flatten)]
    pub status: HealthStatus,
    /// The catalog entry.
    #[serde(skip)]
    pub entry: Arc<ListEntry>,
}

/// Probes every enabled list concurrently; results in catalog order.
pub(crate) async fn probe_all<'a>(
    dns: &Resolver,
    lists: impl Iterator<Item = &'a Arc<ListEntry>>,
) -> Vec<ListHealth> {
    let mut set = JoinSet::new();
    let mut count = 0usize;
    for (index, entry) in lists.enumerate() {
        count += 1;
        let dns = dns.clone();
        let entry = Arc::clone(entry);
        set.spawn(async move { (index, probe_one(&dns, entry).await) });
    }
    let mut out: Vec<Option<ListHealth>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, health)) => {
                if let Some(slot) = out.get_mut(index) {
                    *slot = Some(health);
                }
            }
            Err(e) => tracing::warn!("a blocklist probe task failed: {e}"),
        }
    }
    out.into_iter().flatten().collect()
}

/// Probes one list.
pub(crate) async fn probe_one(dns: &Resolver, entry: Arc<ListEntry>) -> ListHealth {
    let status = if entry.missing_key() {
        HealthStatus::Skipped {
            reason: "the list needs a key: set `key` for it in the configuration".into(),
        }
    } else {
        let listed_name = entry.query_name(&test_listed_labels(&entry));
        let clean_name = entry.query_name(&test_clean_labels(&entry));
        let (listed, clean) = tokio::join!(dns.a(&listed_name), dns.a(&clean_name));
        judge(&entry, listed, clean)
    };
    ListHealth {
        zone: entry.zone.clone(),
        name: entry.name.clone(),
        status,
        entry,
    }
}

fn judge(entry: &ListEntry, listed: Answer<Ipv4Addr>, clean: Answer<Ipv4Addr>) -> HealthStatus {
    // The clean entry decides "broken" first: a wildcard list also lists its test entry.
    if let Answer::Records(codes) = &clean {
        match entry.decode(codes) {
            Decoded::Listed(_) => {
                return HealthStatus::Broken {
                    answer: codes.clone(),
                };
            }
            Decoded::Error { code, meaning } => return HealthStatus::ErrorAnswer { code, meaning },
            Decoded::NotListed(_) => {}
        }
    }
    match listed {
        Answer::Records(codes) => match entry.decode(&codes) {
            Decoded::Listed(_) => match clean {
                Answer::Failed(Failure::Timeout) => HealthStatus::Timeout,
                Answer::Failed(failure) => HealthStatus::Failed { failure },
                _ => HealthStatus::Healthy,
            },
            Decoded::NotListed(_) => HealthStatus::NoTestEntry,
            Decoded::Error { code, meaning } => HealthStatus::ErrorAnswer { code, meaning },
        },
        Answer::NxDomain | Answer::NoData => HealthStatus::NoTestEntry,
        Answer::Failed(Failure::Timeout) => HealthStatus::Timeout,
        Answer::Failed(failure) => HealthStatus::Failed { failure },
    }
}
