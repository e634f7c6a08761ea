//! The JSON envelope every command prints with `--json` (schema in docs/json.md).

use super::{Outcome, Tally};
use crate::finding::Finding;
use serde::Serialize;

/// Schema identifier; bumped only on incompatible changes.
pub const SCHEMA: &str = "fivefifty.report/1";

/// The top-level JSON object of every report.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, T: Serialize> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The subcommand that produced the report (`domain`, `ip`, ...).
    pub command: &'a str,
    /// What was examined (a domain, an IP, a file).
    pub subject: &'a str,
    /// The conclusion, as the exit code says it.
    pub outcome: Outcome,
    /// The process exit code.
    pub exit_code: u8,
    /// Findings per severity.
    pub tally: Tally,
    /// Every finding, in report order.
    pub findings: &'a [Finding],
    /// Command-specific facts (an SPF tree, list answers, ...).
    pub details: T,
}

/// Renders the envelope as pretty JSON.
pub fn render<T: Serialize>(
    command: &str,
    subject: &str,
    findings: &[Finding],
    details: T,
) -> String {
    let outcome = Outcome::of(findings);
    let envelope = Envelope {
        schema: SCHEMA,
        command,
        subject,
        outcome,
        exit_code: outcome.exit_code(),
        tally: Tally::of(findings),
        findings,
        details,
    };
    serde_json::to_string_pretty(&envelope)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise report: {e}\"}}"))
}
