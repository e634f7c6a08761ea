//! Turns list answers into Findings. No DNS here: only the reading of what came back.
//!
//! Codes (public API):
//! - `BLOCKLIST_LISTED`: the target is on a list. Error when the answer's weight is at least
//!   [`ERROR_WEIGHT`], else warning.
//! - `BLOCKLIST_ERROR_ANSWER`: the list answered with an error code; could not check (warning:
//!   it is about the checker's setup, and retrying the same way will not help).
//! - `BLOCKLIST_TIMEOUT`: no answer in time (temporary: never "listed").
//! - `BLOCKLIST_LOOKUP_FAILED`: SERVFAIL, refused or network error (temporary).
//! - `BLOCKLIST_BROKEN_LIST`: the list answers for its must-never-be-listed entry; its answers
//!   are ignored (warning).
//! - `BLOCKLIST_NO_TEST_ENTRY`: the probe found the list's test entry not listed (warning).
//! - `BLOCKLIST_CLEAN`, `BLOCKLIST_HEALTHY`, `BLOCKLIST_SKIPPED`: facts (info).

use super::catalog::{ERROR_WEIGHT, ListEntry};
use super::probe::{HealthStatus, ListHealth};
use super::query::{ListOutcome, ListResult};
use crate::finding::{Cause, Finding, Severity};

/// The fix for an error answer.
const ERROR_ANSWER_FIX: &str = "Query from your own resolver, or use the list's DQS key: \
     public resolvers (8.8.8.8, 1.1.1.1, ...) and unregistered heavy users are refused by most \
     lists. Run a local caching resolver (unbound) that asks the lists directly, register it \
     where the list asks for registration, or set the list's key in the configuration.";

/// The general fix for a listing when the list gives none.
fn default_listing_fix(entry: &ListEntry) -> String {
    let mut fix = "Find and stop what got the IP or domain listed (a compromised account or \
                   machine, an open relay, a bad mailing list), then request removal"
        .to_string();
    match &entry.delist {
        Some(url) => {
            fix.push_str(" at ");
            fix.push_str(url);
        }
        None => fix.push_str(" from the list's operator"),
    }
    fix.push('.');
    fix
}

/// Findings for one target's list results.
pub fn for_results(target: &str, results: &[ListResult]) -> Vec<Finding> {
    results.iter().map(|r| for_result(target, r)).collect()
}

fn for_result(target: &str, r: &ListResult) -> Finding {
    let entry = &r.entry;
    let on = format!("{} ({})", r.name, r.zone);
    let base = |code: &str, severity: Severity, summary: String| {
        let mut f = Finding::new(code, Cause::Blocklist, severity, target, summary)
            .evidence("list", &r.zone)
            .evidence("list_name", &r.name)
            .evidence("outcome", r.outcome.as_str());
        if !r.query.is_empty() {
            f = f.evidence("query", &r.query);
        }
        f
    };
    match &r.outcome {
        ListOutcome::Listed {
            codes,
            meanings,
            txt,
        } => {
            let listed: Vec<_> = meanings.iter().filter(|m| m.listed).collect();
            let weight = listed.iter().map(|m| m.weight).max().unwrap_or(entry.weight);
            let severity = if weight >= ERROR_WEIGHT {
                Severity::Error
            } else {
                Severity::Warning
            };
            let said: Vec<&str> = listed.iter().map(|m| m.meaning.as_str()).collect();
            let mut fix = listed
                .iter()
                .find_map(|m| m.fix.clone())
                .or_else(|| entry.fix.clone())
                .unwrap_or_else(|| default_listing_fix(entry));
            if let Some(url) = &entry.delist
                && !fix.contains(url.as_str())
            {
                fix.push_str(&format!(" Delisting: {url}"));
            }
            let mut f = base(
                "BLOCKLIST_LISTED",
                severity,
                format!("{target} is listed on {on}: {}", said.join("; ")),
            )
            .fix(fix)
            .evidence("codes", codes)
            .evidence("meanings", &said)
            .evidence("weight", weight);
            if !txt.is_empty() {
                f = f.evidence("txt", txt);
            }
            if let Some(url) = &entry.delist {
                f = f.evidence("delist", url);
            }
            f
        }
        ListOutcome::Clean { answers } => {
            let mut f = base(
                "BLOCKLIST_CLEAN",
                Severity::Info,
                format!("{target} is not listed on {on}"),
            );
            if !answers.is_empty() {
                let said: Vec<&str> = answers.iter().map(|m| m.meaning.as_str()).collect();
                f = f.evidence("meanings", &said);
            }
            f
        }
        ListOutcome::ErrorAnswer { code, meaning } => base(
            "BLOCKLIST_ERROR_ANSWER",
            Severity::Warning,
            format!("{on} answered with an error code, not a listing: {meaning}"),
        )
        .fix(ERROR_ANSWER_FIX)
        .evidence("code", code),
        ListOutcome::Timeout => base(
            "BLOCKLIST_TIMEOUT",
            Severity::Temporary,
            format!("{on} did not answer in time: could not check"),
        )
        .fix("Try again later; if it keeps timing out, the list may be down or drop your resolver's queries."),
        ListOutcome::Failed { failure } => base(
            "BLOCKLIST_LOOKUP_FAILED",
            Severity::Temporary,
            format!("{on} could not be asked: {failure}"),
        )
        .fix("Try again later; check that your resolver can reach the list.")
        .evidence("failure", failure),
        ListOutcome::Broken { test_answer } => broken(&on, target, &r.zone, test_answer),
        ListOutcome::Skipped { reason } => base(
            "BLOCKLIST_SKIPPED",
            Severity::Info,
            format!("{on} not asked: {reason}"),
        ),
    }
}

fn broken(on: &str, subject: &str, zone: &str, answer: &[std::net::Ipv4Addr]) -> Finding {
    Finding::new(
        "BLOCKLIST_BROKEN_LIST",
        Cause::Blocklist,
        Severity::Warning,
        subject,
        format!("{on} lists its must-never-be-listed test entry: it answers everything, so its answers are ignored"),
    )
    .fix(format!(
        "Stop using this list (set enabled = false for zone {zone:?}): it is dead or broken, and a receiver that still uses it rejects everyone."
    ))
    .evidence("list", zone)
    .evidence("test_answer", answer)
}

/// Findings for a health probe.
pub fn for_health(health: &[ListHealth]) -> Vec<Finding> {
    health.iter().map(for_one_health).collect()
}

fn for_one_health(h: &ListHealth) -> Finding {
    let on = format!("{} ({})", h.name, h.zone);
    let subject = h.zone.as_str();
    let base = |code: &str, severity: Severity, summary: String| {
        Finding::new(code, Cause::Blocklist, severity, subject, summary)
            .evidence("list", &h.zone)
            .evidence("status", h.status.as_str())
    };
    match &h.status {
        HealthStatus::Healthy => base(
            "BLOCKLIST_HEALTHY",
            Severity::Info,
            format!("{on} answers its RFC 5782 test entries correctly"),
        ),
        HealthStatus::Broken { answer } => broken(&on, subject, &h.zone, answer),
        HealthStatus::NoTestEntry => base(
            "BLOCKLIST_NO_TEST_ENTRY",
            Severity::Warning,
            format!("{on} does not list its RFC 5782 test entry: the list may be dead, or not follow RFC 5782"),
        )
        .fix("Check the list's web site; if it is gone, set enabled = false for it."),
        HealthStatus::ErrorAnswer { code, meaning } => base(
            "BLOCKLIST_ERROR_ANSWER",
            Severity::Warning,
            format!("{on} refuses this resolver: {meaning}"),
        )
        .fix(ERROR_ANSWER_FIX)
        .evidence("code", code),
        HealthStatus::Timeout => base(
            "BLOCKLIST_TIMEOUT",
            Severity::Temporary,
            format!("{on} did not answer its test query in time"),
        )
        .fix("Try again later; a list that never answers may be gone."),
        HealthStatus::Failed { failure } => base(
            "BLOCKLIST_LOOKUP_FAILED",
            Severity::Temporary,
            format!("{on} could not be asked: {failure}"),
        )
        .fix("Try again later; check that your resolver can reach the list.")
        .evidence("failure", failure),
        HealthStatus::Skipped { reason } => base(
            "BLOCKLIST_SKIPPED",
            Severity::Info,
            format!("{on} not probed: {reason}"),
        ),
    }
}
