//! Presenters: they render, they never decide.
//!
//! - [`terminal`]: the human report, grouped by cause, colour on a terminal.
//! - [`auth_results`]: an RFC 8601 Authentication-Results header from an authentication report.
//! - [`json`]: the stable machine-readable envelope documented in `docs/json.md`.
//!
//! What a command's exit code is follows from the findings by one rule ([`Outcome`]), so every
//! command and presenter agrees on it.

pub mod auth_results;
pub mod domain;
pub mod json;
pub mod terminal;

use crate::finding::{Finding, Severity};
use serde::Serialize;

/// What a run concluded, as scripts see it through the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing wrong (exit 0).
    Clean,
    /// At least one error-severity finding (exit 1).
    Problems,
    /// Bad usage or input (exit 2).
    BadInput,
    /// No error found, but some check could not decide (exit 3): try again later.
    Undecided,
}

impl Outcome {
    /// The outcome of a set of findings: errors win over undecided checks.
    pub fn of(findings: &[Finding]) -> Outcome {
        Outcome::of_tally(Tally::of(findings))
    }

    /// The outcome of findings already counted, for reports that count their findings as they
    /// go instead of keeping them (`explain` over an mbox).
    pub fn of_tally(tally: Tally) -> Outcome {
        if tally.errors > 0 {
            Outcome::Problems
        } else if tally.temporary > 0 {
            Outcome::Undecided
        } else {
            Outcome::Clean
        }
    }

    /// The process exit code (documented in README.md and docs/json.md).
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Problems => 1,
            Outcome::BadInput => 2,
            Outcome::Undecided => 3,
        }
    }
}

/// Counts of findings per severity, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Checks that could not decide.
    pub temporary: usize,
    /// Informational findings.
    pub info: usize,
}

impl Tally {
    /// Counts the findings.
    pub fn of(findings: &[Finding]) -> Tally {
        let mut t = Tally::default();
        for f in findings {
            t.count(f);
        }
        t
    }

    /// Counts one more finding, for reports that count their findings as they go.
    pub fn count(&mut self, finding: &Finding) {
        match finding.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Temporary => self.temporary += 1,
            Severity::Info => self.info += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Cause;

    fn finding(severity: Severity) -> Finding {
        Finding::new("X", Cause::Protocol, severity, "s", "summary")
    }

    #[test]
    fn errors_win_over_undecided_checks() {
        assert_eq!(Outcome::of(&[]), Outcome::Clean);
        assert_eq!(Outcome::of(&[finding(Severity::Warning)]), Outcome::Clean);
        assert_eq!(
            Outcome::of(&[finding(Severity::Temporary)]),
            Outcome::Undecided
        );
        assert_eq!(
            Outcome::of(&[finding(Severity::Temporary), finding(Severity::Error)]),
            Outcome::Problems
        );
        assert_eq!(Outcome::Undecided.exit_code(), 3);
    }
}
