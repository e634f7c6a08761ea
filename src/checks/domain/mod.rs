//! Checks of a domain's mail-receiving and transport records: MX, MTA-STS, TLS-RPT and BIMI.
//!
//! These are the `Configuration` part of `fivefifty domain`: each module looks up one kind of
//! record, parses it, and turns what it finds into Findings. None of them prints or decides.

pub mod bimi;
pub mod mta_sts;
pub mod mx;
pub mod tlsrpt;

use crate::checks::tags;
use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};

/// The one TXT record at `name` meant as a record of `version` (see [`versioned`]), or the
/// finding to report instead: the Temporary `tempfail_code` when DNS could not tell, `missing()`
/// when there is no such record, `several(records)` when there are more than one (receivers
/// then use none). BIMI, MTA-STS and TLS-RPT records are all read so.
pub(crate) async fn one_versioned_txt(
    dns: &Resolver,
    name: &str,
    version: &str,
    tempfail_code: &str,
    missing: impl FnOnce() -> Finding,
    several: impl FnOnce(&[String]) -> Finding,
) -> Result<String, Finding> {
    let records = match dns.txt(name).await {
        Answer::Failed(e) => {
            return Err(Finding::new(
                tempfail_code,
                Cause::Configuration,
                Severity::Temporary,
                name,
                format!("Could not look up {name}: {e}"),
            )
            .fix("Try again later."));
        }
        answer => versioned(answer.records(), version),
    };
    if records.len() > 1 {
        return Err(several(&records));
    }
    records.into_iter().next().ok_or_else(missing)
}

/// The finding for several records of one kind at `name`: receivers then use none of them.
pub(crate) fn multiple_records(
    code: &str,
    name: &str,
    records: &[String],
    consequence: &str,
    example: &str,
) -> Finding {
    Finding::new(
        code,
        Cause::Configuration,
        Severity::Warning,
        name,
        format!("{name} has {} {consequence}", records.len()),
    )
    .fix(format!("Keep exactly one:\n  {example}"))
    .evidence("records", records)
}

/// The TXT records at a name that are meant as records of `version` (their `v=` tag matches it
/// case-insensitively), so that a misspelt version is reported rather than skipped, and other
/// TXT records sharing the name are ignored as receivers ignore them.
pub(crate) fn versioned(texts: &[String], version: &str) -> Vec<String> {
    texts
        .iter()
        .filter(|t| {
            tags::scan(t)
                .tags
                .iter()
                .any(|tag| tag.name == "v" && tag.value.eq_ignore_ascii_case(version))
        })
        .cloned()
        .collect()
}

/// Syntax problems of a versioned tag-list record: the version must be the first tag and
/// written exactly; plus the scanner's own problems. Positions are byte offsets.
pub(crate) fn version_problems(text: &str, version: &str) -> Vec<tags::TagProblem> {
    let list = tags::scan(text);
    let mut problems = list.problems.clone();
    let lead = text.len() - text.trim_start().len();
    match list.first() {
        Some(t) if t.name == "v" && t.value == version && t.position == lead => {}
        _ => problems.push(tags::TagProblem {
            position: lead,
            message: format!("the record must start with exactly \"v={version}\""),
        }),
    }
    problems.sort_by_key(|p| p.position);
    problems
}
