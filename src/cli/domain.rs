//! `fivefifty domain <domain>`: audit a sending domain.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::doctor::domain::{self, DomainOptions, DomainReport};
use fivefifty::present::terminal::{self, Style};
use fivefifty::present::{Outcome, domain as show, json};
use std::fmt::Write;

/// Audit a sending domain the way receivers see it: SPF (with the include tree and its DNS
/// lookup cost), DMARC, DKIM keys, MX, MTA-STS, TLS-RPT, BIMI, and bulk-sender readiness
/// (Gmail, Yahoo, Microsoft). Every problem comes with its fix.
#[derive(Debug, clap::Args)]
pub struct DomainArgs {
    /// The domain that sends the mail (the From and/or Return-Path domain).
    pub domain: String,
    /// A DKIM selector to check, besides the common ones (repeatable): the `s=` value of your
    /// DKIM-Signature header.
    #[arg(long = "selector", short = 's', value_name = "SELECTOR")]
    pub selectors: Vec<String>,
    /// Do not fetch the MTA-STS policy file over HTTPS.
    #[arg(long)]
    pub no_fetch: bool,
    /// Merge this TOML file into the built-in blocklist catalog (see `fivefifty ip --help`).
    #[arg(long = "lists", value_name = "FILE")]
    pub lists: Option<std::path::PathBuf>,
}

pub async fn run(
    args: &DomainArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Rendered, CliError> {
    let name = fivefifty::names::normalize_domain(&args.domain)
        .map_err(|e| CliError::Usage(format!("expected a domain name such as example.com: {e}")))?;
    let options = DomainOptions {
        selectors: args.selectors.clone(),
        fetch_mta_sts: !args.no_fetch && !dns.offline(),
        catalog: Some(super::ip::load_catalog(args.lists.as_ref())?),
    };
    let report = domain::audit(&dns.resolver, &name, &options).await;
    let findings = report.findings();
    let outcome = Outcome::of(&findings);
    let text = if opts.json {
        json::render("domain", &name, &findings, &report)
    } else {
        render_text(&report, &findings, opts.style(), opts.verbose)
    };
    Ok(Rendered { text, outcome })
}

fn render_text(
    report: &DomainReport,
    findings: &[fivefifty::finding::Finding],
    style: Style,
    verbose: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n",
        style.bold(&format!("Sending-domain audit of {}", report.domain))
    );
    let _ = writeln!(out, "{}", style.bold("SPF"));
    out.push_str(&show::render_spf(&report.spf, style));
    out.push('\n');
    out.push_str(&show::render_records(report, style));
    out.push_str(&show::render_blocklists(&report.blocklists, style));
    out.push('\n');
    out.push_str(&show::render_readiness(&report.readiness, style));
    out.push('\n');
    out.push_str(&terminal::render_findings(findings, style, verbose));
    out.push_str(&terminal::render_tally(findings, style));
    out
}
