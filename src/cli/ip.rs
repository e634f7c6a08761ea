//! `fivefifty ip <addr> [--helo NAME]`: every blocklist's answer about an IP and the IP's
//! reputation (PTR, forward confirmation, generic names, HELO, address space), with fixes.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::checks::blocklist::{self, BlocklistReport, Catalog, ListOutcome};
use fivefifty::checks::reputation::{self, ReputationReport, parse_ip};
use fivefifty::present::Outcome;
use fivefifty::present::terminal::{Style, render_findings, render_tally};
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `ip`.
#[derive(Debug, clap::Args)]
pub struct IpArgs {
    /// The IP address to check (IPv4 or IPv6; `[192.0.2.1]` and `[IPv6:...]` are accepted).
    pub addr: String,
    /// The HELO/EHLO name the server announces, to check it against the IP and its PTR.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// Merge this TOML file into the built-in blocklist catalog (same zone: replaces the fields
    /// given; `enabled = false` disables a list; `key = "..."` sets a subscription key).
    #[arg(long = "lists", value_name = "FILE")]
    pub lists: Option<PathBuf>,
}

#[derive(Serialize)]
struct Details<'a> {
    blocklists: &'a BlocklistReport,
    reputation: &'a ReputationReport,
}

/// Runs `ip`.
pub async fn run(args: &IpArgs, dns: &DnsSetup, opts: &GlobalOpts) -> Result<Rendered, CliError> {
    let ip = parse_ip(&args.addr).map_err(|e| CliError::Usage(e.to_string()))?;
    let catalog = load_catalog(args.lists.as_ref())?;
    let (lists, rep) = tokio::join!(
        blocklist::check_ip(&dns.resolver, &catalog, ip),
        reputation::check_ip(&dns.resolver, ip, args.helo.as_deref())
    );
    let mut findings = lists.findings.clone();
    findings.extend(rep.findings.iter().cloned());
    let outcome = Outcome::of(&findings);
    let text = if opts.json {
        let details = Details {
            blocklists: &lists,
            reputation: &rep,
        };
        fivefifty::present::json::render("ip", &lists.target, &findings, details)
    } else {
        let style = opts.style();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}\n",
            style.bold(&format!("fivefifty ip {}", lists.target))
        );
        out.push_str(&list_table(&lists, style));
        out.push('\n');
        out.push_str(&render_findings(&findings, style, opts.verbose));
        out.push_str(&render_tally(&findings, style));
        out
    };
    Ok(Rendered { text, outcome })
}

/// The built-in catalog, with the user's file merged in.
pub fn load_catalog(path: Option<&PathBuf>) -> Result<Catalog, CliError> {
    let catalog = Catalog::builtin();
    let Some(path) = path else {
        return Ok(catalog);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    catalog
        .with_overrides_toml(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// One line per list: its answer, and what it means.
fn list_table(report: &BlocklistReport, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold("Blocklists"));
    let width = report.lists.iter().map(|r| r.zone.len()).max().unwrap_or(0);
    for r in &report.lists {
        let (label, code, detail) = match &r.outcome {
            ListOutcome::Listed { meanings, .. } => (
                "LISTED ",
                "1;31",
                meanings
                    .iter()
                    .filter(|m| m.listed)
                    .map(|m| m.meaning.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ListOutcome::Clean { answers } => (
                "clean  ",
                "32",
                answers
                    .iter()
                    .map(|m| m.meaning.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ListOutcome::ErrorAnswer { meaning, .. } => ("error  ", "33", meaning.clone()),
            ListOutcome::Timeout => ("timeout", "35", "no answer in time".to_string()),
            ListOutcome::Failed { failure } => ("failed ", "35", failure.to_string()),
            ListOutcome::Broken { .. } => (
                "broken ",
                "33",
                "lists 127.0.0.1 too: answers ignored".to_string(),
            ),
            ListOutcome::Skipped { reason } => ("skipped", "2", reason.clone()),
        };
        let line = format!(
            "  {} {:width$}  {}",
            style.paint(code, label),
            r.zone,
            style.dim(&detail)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
