//! The human report: findings grouped by cause, worst first, each with its fix.
//!
//! Colour is used only when asked for or when writing to a terminal and `NO_COLOR` is unset;
//! piped output stays plain and readable.

use super::Tally;
use crate::finding::{Cause, Finding, Severity};
use std::fmt::Write;

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    /// Plain text.
    pub const PLAIN: Style = Style { color: false };

    /// Decides colour from the user's choice (`Some(true/false)`), else from the terminal and
    /// `NO_COLOR` (<https://no-color.org>).
    pub fn detect(choice: Option<bool>, is_terminal: bool) -> Style {
        let color = match choice {
            Some(c) => c,
            None => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        Style { color }
    }

    /// Wraps `text` in an ANSI SGR code when colour is on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold text.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    fn severity(&self, s: Severity) -> String {
        let (code, label) = match s {
            Severity::Error => ("1;31", "ERROR  "),
            Severity::Warning => ("33", "WARN   "),
            Severity::Temporary => ("35", "UNSURE "),
            Severity::Info => ("32", "ok     "),
        };
        self.paint(code, label)
    }
}

/// Passing checks listed one by one in a group without problems; more are summed up in one
/// line unless `verbose`.
pub const MAX_PASSING_LISTED: usize = 6;

/// Renders findings grouped by cause (the four classic causes first), worst first within a
/// group. Info findings are listed only when `verbose` is set, except when a group has nothing
/// else (then they show that the check ran and passed).
pub fn render_findings(findings: &[Finding], style: Style, verbose: bool) -> String {
    let mut out = String::new();
    for cause in Cause::ALL {
        let mut group: Vec<&Finding> = findings.iter().filter(|f| f.cause == cause).collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let has_problems = group.iter().any(|f| f.severity != Severity::Info);
        let _ = writeln!(out, "{}", style.bold(cause.title()));
        if !has_problems && !verbose && group.len() > MAX_PASSING_LISTED {
            let _ = writeln!(
                out,
                "  {} {} checks passed (-v lists them)\n",
                style.severity(Severity::Info),
                group.len()
            );
            continue;
        }
        for f in group {
            if f.severity == Severity::Info && has_problems && !verbose {
                continue;
            }
            render_one(&mut out, f, style);
        }
        out.push('\n');
    }
    out
}

fn render_one(out: &mut String, f: &Finding, style: Style) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        style.severity(f.severity),
        style.bold(&f.code),
        style.dim(&f.subject)
    );
    for line in f.summary.lines() {
        let _ = writeln!(out, "          {line}");
    }
    if !f.fix.is_empty() {
        let mut first = true;
        for line in f.fix.lines() {
            let lead = if first { "fix: " } else { "     " };
            first = false;
            let _ = writeln!(out, "          {}{line}", style.paint("36", lead));
        }
    }
}

/// The closing summary line.
pub fn render_tally(findings: &[Finding], style: Style) -> String {
    let t = Tally::of(findings);
    let text = format!(
        "{} error{}, {} warning{}, {} undecided",
        t.errors,
        if t.errors == 1 { "" } else { "s" },
        t.warnings,
        if t.warnings == 1 { "" } else { "s" },
        t.temporary
    );
    let code = if t.errors > 0 {
        "1;31"
    } else if t.temporary > 0 {
        "35"
    } else {
        "1;32"
    };
    style.paint(code, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_cause_and_shows_fix_without_colour_when_plain() {
        let findings = vec![
            Finding::new(
                "SPF_MULTIPLE_RECORDS",
                Cause::Authentication,
                Severity::Error,
                "a.example",
                "two SPF records",
            )
            .fix("merge them"),
            Finding::new(
                "MX_OK",
                Cause::Configuration,
                Severity::Info,
                "a.example",
                "fine",
            ),
        ];
        let text = render_findings(&findings, Style::PLAIN, false);
        assert!(text.contains("Authentication\n"));
        assert!(text.contains("ERROR   SPF_MULTIPLE_RECORDS"));
        assert!(text.contains("fix: merge them"));
        assert!(text.contains("Configuration\n"));
        assert!(!text.contains('\x1b'));
        assert_eq!(
            render_tally(&findings, Style::PLAIN),
            "1 error, 0 warnings, 0 undecided"
        );
    }
}
