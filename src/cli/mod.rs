//! Command-line interface: parses arguments, sets up DNS, calls the library, hands the result to
//! a presenter, and turns the outcome into an exit code. No checks live here.

mod blocklists;
mod check;
mod dkim;
mod dns;
mod domain;
mod explain;
pub mod ip;
mod lookup;

use clap::{Args, Parser, Subcommand};
use fivefifty::present::Outcome;
use fivefifty::present::terminal::Style;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Explain and prevent "550 Email rejected because it violates our security policy".
///
/// fivefifty runs the checks receivers run (DNS blocklists, SPF/DKIM/DMARC, content, IP
/// reputation) and reports every problem with its fix, grouped by the four classic causes.
///
/// Exit codes: 0 nothing wrong, 1 problems found, 2 bad usage or input, 3 could not decide
/// (temporary DNS failure: try again).
///
/// Offline: `--dns-zone examples/lab.zone` starts the built-in lab DNS server on loopback with
/// that zone data and asks it instead of the Internet.
#[derive(Debug, Parser)]
#[command(name = "fivefifty", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Serve this RFC 1035 zone file from the built-in lab DNS server and resolve against it
    /// only (offline mode). Repeatable.
    #[arg(long = "dns-zone", value_name = "FILE", global = true)]
    pub dns_zone: Vec<PathBuf>,
    /// Ask this DNS server (IP or IP:PORT) instead of the system's resolvers.
    #[arg(
        long = "dns-server",
        value_name = "IP[:PORT]",
        global = true,
        conflicts_with = "dns_zone"
    )]
    pub dns_server: Option<String>,
    /// Seconds to wait for one DNS answer.
    #[arg(
        long = "dns-timeout",
        value_name = "SECS",
        default_value_t = 5.0,
        global = true
    )]
    pub dns_timeout: f64,
    /// Seconds for all DNS queries of the run together.
    #[arg(
        long = "dns-budget",
        value_name = "SECS",
        default_value_t = 60.0,
        global = true
    )]
    pub dns_budget: f64,
    /// Print the machine-readable report (schema: docs/json.md) instead of the human one.
    #[arg(long, global = true)]
    pub json: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto", global = true)]
    pub color: ColorChoice,
    /// Also list passing checks.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a sending domain: SPF, DMARC, DKIM, MX, MTA-STS, TLS-RPT, BIMI, bulk-sender
    /// readiness.
    Domain(domain::DomainArgs),
    /// Explain a bounce or an SMTP reply: reason, cause, and what to do.
    #[command(after_long_help = explain::EXAMPLES)]
    Explain(explain::ExplainArgs),
    /// Check an IP the way receivers see it: every DNS blocklist's answer (listed, clean,
    /// error, timeout) with delisting links, and its reputation (PTR, forward-confirmed
    /// reverse DNS, generic names, HELO, private or reserved space). Every problem with its fix.
    Ip(ip::IpArgs),
    /// Show the catalog of DNS blocklists (zone, kind, what each answer means); with --check,
    /// probe every list with its RFC 5782 test entries.
    Blocklists(blocklists::BlocklistsArgs),
    /// Ask DNS through fivefifty's resolver and show the typed answer (records, NXDOMAIN,
    /// no data, or why it could not be answered). Handy with --dns-zone to inspect a lab world.
    Lookup(lookup::LookupArgs),
    /// Authenticate a message as a receiver would: SPF (HELO and MAIL FROM), every DKIM
    /// signature, DMARC with alignment, ARC, iprev; every failure with its reason and fix.
    /// The envelope comes from --ip/--helo/--mail-from/--rcpt or, when not given, from the
    /// topmost Received header and Return-Path (the report says which values were inferred).
    Check(check::CheckArgs),
    /// DKIM tools: generate a key and the TXT record to publish, sign a message.
    #[command(subcommand)]
    Dkim(dkim::DkimCommand),
}

/// What a subcommand hands back: its printed report and its outcome.
pub struct Rendered {
    /// Text for standard output.
    pub text: String,
    /// The conclusion, turned into the exit code.
    pub outcome: Outcome,
}

/// How a subcommand's report reaches standard output.
enum Done {
    /// Printed by `main` once the subcommand is done.
    Rendered(Rendered),
    /// Already written while the subcommand ran (`explain` streams the reports of an mbox, so
    /// they are never all in memory); only the outcome is left.
    Written(Outcome),
}

/// Errors a subcommand reports instead of a report.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or input (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something broke that is not the user's input (exit 2 as well, with the cause).
    #[error("{0}")]
    Runtime(String),
}

impl GlobalOpts {
    /// The terminal style for standard output.
    pub fn style(&self) -> Style {
        let choice = match self.color {
            ColorChoice::Auto => None,
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
        };
        Style::detect(choice, std::io::stdout().is_terminal())
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_tracing(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fivefifty: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(Done::Written(outcome)) => ExitCode::from(outcome.exit_code()),
        Ok(Done::Rendered(rendered)) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(rendered.text.as_bytes());
            if !rendered.text.ends_with('\n') {
                let _ = stdout.write_all(b"\n");
            }
            ExitCode::from(rendered.outcome.exit_code())
        }
        Err(e) => {
            eprintln!("fivefifty: {e}");
            ExitCode::from(Outcome::BadInput.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<Done, CliError> {
    if let Command::Dkim(cmd) = &cli.command {
        return dkim::run(cmd).map(Done::Rendered);
    }
    let dns = dns::DnsSetup::start(&cli.global).await?;
    let g = &cli.global;
    match &cli.command {
        Command::Explain(args) => explain::run(args, &dns, g).await.map(Done::Written),
        Command::Domain(args) => domain::run(args, &dns, g).await.map(Done::Rendered),
        Command::Lookup(args) => lookup::run(args, &dns, g).await.map(Done::Rendered),
        Command::Check(args) => check::run(args, &dns, g).await.map(Done::Rendered),
        Command::Dkim(cmd) => dkim::run(cmd).map(Done::Rendered),
        Command::Ip(args) => ip::run(args, &dns, g).await.map(Done::Rendered),
        Command::Blocklists(args) => blocklists::run(args, &dns, g).await.map(Done::Rendered),
    }
}

fn init_tracing(verbose: bool) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("FIVEFIFTY_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(if verbose { "fivefifty=debug" } else { "warn" })
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
