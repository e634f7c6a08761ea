//! `fivefifty blocklists [--check]`: the catalog of lists (zone, kind, what each code means);
//! with `--check`, the RFC 5782 health probe of every enabled list.

use super::dns::DnsSetup;
use super::ip::load_catalog;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::checks::blocklist::{self, Catalog, HealthStatus, ListEntry};
use fivefifty::present::Outcome;
use fivefifty::present::terminal::{render_findings, render_tally};
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `blocklists`.
#[derive(Debug, clap::Args)]
pub struct BlocklistsArgs {
    /// Probe every enabled list with its RFC 5782 test entries (127.0.0.2 listed, 127.0.0.1
    /// not): finds dead lists, lists that answer everything, and lists refusing this resolver.
    #[arg(long)]
    pub check: bool,
    /// Merge this TOML file into the built-in catalog first (see `fivefifty ip --help`).
    #[arg(long = "lists", value_name = "FILE")]
    pub lists: Option<PathBuf>,
}

#[derive(Serialize)]
struct CatalogDetails<'a> {
    lists: &'a Catalog,
}

/// Runs `blocklists`.
pub async fn run(
    args: &BlocklistsArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Rendered, CliError> {
    let catalog = load_catalog(args.lists.as_ref())?;
    if args.check {
        return check(&catalog, dns, opts).await;
    }
    let text = if opts.json {
        fivefifty::present::json::render(
            "blocklists",
            "catalog",
            &[],
            CatalogDetails { lists: &catalog },
        )
    } else {
        let style = opts.style();
        let mut out = String::new();
        let enabled = catalog.lists().filter(|l| l.enabled).count();
        let _ = writeln!(
            out,
            "{}\n",
            style.bold(&format!("{} blocklists, {enabled} enabled", catalog.len()))
        );
        for l in catalog.lists() {
            describe(&mut out, l, opts.verbose);
        }
        out
    };
    Ok(Rendered {
        text,
        outcome: Outcome::Clean,
    })
}

fn describe(out: &mut String, l: &ListEntry, verbose: bool) {
    let kinds: Vec<&str> = l.kinds.iter().map(|k| k.as_str()).collect();
    let mut flags = Vec::new();
    if !l.enabled {
        flags.push("disabled".to_string());
    }
    match l.access {
        blocklist::Access::Key => flags.push(if l.key.is_some() {
            "key set".into()
        } else {
            "needs a key".into()
        }),
        blocklist::Access::Registered => flags.push("registered resolver".into()),
        blocklist::Access::Open => {}
    }
    let _ = writeln!(
        out,
        "{}  {}  [{}] weight {}{}",
        l.zone,
        l.name,
        kinds.join(", "),
        l.weight,
        if flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", flags.join(", "))
        }
    );
    for c in &l.codes {
        let _ = writeln!(
            out,
            "    {}  {}{}",
            c.value,
            c.meaning,
            if c.listed { "" } else { "  (not a listing)" }
        );
    }
    for b in &l.bits {
        let _ = writeln!(out, "    bit {:<3}     {}", b.mask, b.meaning);
    }
    for e in &l.errors {
        let _ = writeln!(out, "    {}  error: {}", e.value, e.meaning);
    }
    if verbose {
        if let Some(d) = &l.delist {
            let _ = writeln!(out, "    delist: {d}");
        }
        if let Some(n) = &l.note {
            let _ = writeln!(out, "    note: {n}");
        }
    }
}

async fn check(catalog: &Catalog, dns: &DnsSetup, opts: &GlobalOpts) -> Result<Rendered, CliError> {
    let health = blocklist::probe(&dns.resolver, catalog).await;
    let findings = blocklist::findings::for_health(&health);
    let outcome = Outcome::of(&findings);
    let text = if opts.json {
        #[derive(Serialize)]
        struct Details<'a> {
            health: &'a [blocklist::ListHealth],
        }
        fivefifty::present::json::render(
            "blocklists",
            "catalog",
            &findings,
            Details { health: &health },
        )
    } else {
        let style = opts.style();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            style.bold("RFC 5782 health of every enabled list")
        );
        let width = health.iter().map(|h| h.zone.len()).max().unwrap_or(0);
        for h in &health {
            let (code, detail) = match &h.status {
                HealthStatus::Healthy => ("32", String::new()),
                HealthStatus::Broken { .. } => {
                    ("33", "lists its never-listed entry: answers ignored".into())
                }
                HealthStatus::ErrorAnswer { meaning, .. } => ("33", meaning.clone()),
                HealthStatus::NoTestEntry => ("33", "test entry not listed".into()),
                HealthStatus::Timeout => ("35", "no answer in time".into()),
                HealthStatus::Failed { failure } => ("35", failure.to_string()),
                HealthStatus::Skipped { reason } => ("2", reason.clone()),
            };
            let line = format!(
                "  {} {:width$}  {}",
                style.paint(code, &format!("{:<13}", h.status.as_str())),
                h.zone,
                style.dim(&detail)
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push('\n');
        out.push_str(&render_findings(&findings, style, opts.verbose));
        out.push_str(&render_tally(&findings, style));
        out
    };
    Ok(Rendered { text, outcome })
}
