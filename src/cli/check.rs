//! `fivefifty check <message.eml>`: authenticate a message as a receiver would (SPF, DKIM,
//! DMARC, ARC, iprev) and explain every failure. Content checks and the verdict join later.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::checks::auth::message::{self, AuthOptions, AuthReport, DEFAULT_AUTHSERV_ID};
use fivefifty::checks::auth::outcome::AuthResult;
use fivefifty::checks::content::ContentReport;
use fivefifty::doctor::check::MessageReport;
use fivefifty::evidence::Evidence;
use fivefifty::present::terminal::{Style, render_findings, render_tally};
use fivefifty::present::{Outcome, auth_results, json};
use std::fmt::Write;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest message `check` reads (bytes).
pub const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The message (RFC 5322, as received or as sent); `-` reads standard input.
    pub message: PathBuf,
    /// The connecting client's IP (default: from the topmost Received header).
    #[arg(long, value_name = "A")]
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name (default: from the topmost Received header).
    #[arg(long, value_name = "H")]
    pub helo: Option<String>,
    /// The MAIL FROM address, empty for the null sender (default: from Return-Path).
    #[arg(long = "mail-from", value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// A RCPT TO address (repeatable; default: from the Received header's `for`).
    #[arg(long = "rcpt", value_name = "ADDR")]
    pub rcpt: Vec<String>,
    /// Print only the Authentication-Results header (RFC 8601).
    #[arg(long = "auth-results")]
    pub auth_results: bool,
    /// The authserv-id to write in Authentication-Results.
    #[arg(long = "authserv-id", value_name = "NAME", default_value = DEFAULT_AUTHSERV_ID)]
    pub authserv_id: String,
    /// Verify DKIM signatures as of this Unix time (a replayed message: when it was received).
    #[arg(long = "at", value_name = "UNIX_TIME")]
    pub at: Option<u64>,
    /// Merge this TOML file into the built-in blocklist catalog (used for the message's links).
    #[arg(long = "lists", value_name = "FILE")]
    pub lists: Option<PathBuf>,
}

/// Reads a message file (or stdin), bounded, with LF line endings turned into CRLF when the
/// file has no CR at all (a message saved by a Unix tool).
pub fn read_message(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut raw = Vec::new();
    let shown = path.display();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_MESSAGE_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::Usage(format!("cannot read {shown}: {e}")))?;
        file.take(MAX_MESSAGE_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(|e| CliError::Usage(format!("cannot read {shown}: {e}")))?;
    }
    if raw.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(CliError::Usage(format!(
            "{shown} is larger than {} MiB",
            MAX_MESSAGE_BYTES / (1024 * 1024)
        )));
    }
    if !raw.contains(&b'\r') {
        let mut crlf = Vec::with_capacity(raw.len() + raw.len() / 40);
        for b in raw {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        raw = crlf;
    }
    Ok(raw)
}

/// Runs `check`: reads the message, completes the envelope, authenticates and renders.
pub async fn run(
    args: &CheckArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Rendered, CliError> {
    let raw = read_message(&args.message)?;
    let given = Evidence {
        client_ip: args.ip,
        helo: args.helo.clone(),
        mail_from: args.mail_from.as_ref().map(|m| {
            m.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        }),
        rcpt_to: args.rcpt.clone(),
        message: Some(Arc::from(raw.clone())),
        inferred: Vec::new(),
    };
    let evidence = message::infer_envelope(&raw, given);
    let options = AuthOptions {
        authserv_id: args.authserv_id.clone(),
        now: args.at,
    };
    let catalog = super::ip::load_catalog(args.lists.as_ref())?;
    let checked =
        fivefifty::doctor::check::check_message(&dns.resolver, &evidence, &options, &catalog).await;
    let subject = args.message.display().to_string();
    let (text, findings) = if args.auth_results {
        // The header speaks of authentication only.
        (
            auth_results::render(&checked.auth),
            checked.auth.findings.clone(),
        )
    } else if opts.json {
        (
            json::render("check", &subject, &checked.findings, &checked),
            checked.findings.clone(),
        )
    } else {
        (
            render_text(&checked, &subject, opts.style(), opts.verbose),
            checked.findings.clone(),
        )
    };
    let outcome = Outcome::of(&findings);
    Ok(Rendered { text, outcome })
}

fn envelope_line(report: &AuthReport) -> String {
    let e = &report.envelope;
    let mark = |field: &str| {
        if e.inferred.contains(&field) {
            " (inferred from headers)"
        } else {
            ""
        }
    };
    let mut parts = Vec::new();
    parts.push(match e.client_ip {
        Some(ip) => format!("client IP {ip}{}", mark("client_ip")),
        None => "client IP unknown".to_string(),
    });
    parts.push(match &e.helo {
        Some(h) => format!("HELO {h}{}", mark("helo")),
        None => "HELO unknown".to_string(),
    });
    parts.push(match e.mail_from.as_deref() {
        Some("") => format!("MAIL FROM <> (null sender){}", mark("mail_from")),
        Some(m) => format!("MAIL FROM <{m}>{}", mark("mail_from")),
        None => "MAIL FROM unknown".to_string(),
    });
    if !e.rcpt_to.is_empty() {
        parts.push(format!(
            "RCPT TO {}{}",
            e.rcpt_to.join(", "),
            mark("rcpt_to")
        ));
    }
    parts.join("\n          ")
}

fn render_text(checked: &MessageReport, subject: &str, style: Style, verbose: bool) -> String {
    let report = &checked.auth;
    let mut out = String::new();
    let _ = writeln!(out, "{} {subject}", style.bold("Message"));
    let _ = writeln!(out, "Envelope  {}", envelope_line(report));
    if !report.envelope.inferred.is_empty() {
        let _ = writeln!(
            out,
            "          {}",
            style.dim("inferred values come from the topmost Received header and Return-Path; give --ip/--helo/--mail-from to override")
        );
    }
    let mut summary = vec![format!("spf={}", report.spf.result())];
    summary.push(format!("dkim={}", report.dkim.result()));
    if let Some(d) = &report.dmarc {
        summary.push(format!("dmarc={}", d.result));
    }
    summary.push(format!(
        "arc={}",
        report.arc.as_ref().map_or(AuthResult::None, |a| a.result)
    ));
    if let Some(i) = &report.iprev {
        summary.push(format!("iprev={}", i.result));
    }
    let _ = writeln!(out, "Results   {}", summary.join("  "));
    for sig in &report.dkim.signatures {
        let mut line = format!(
            "DKIM #{} d={} s={} {}",
            sig.index,
            sig.domain,
            sig.selector,
            sig.algorithm.as_deref().unwrap_or("?")
        );
        if let Some(c) = &sig.canonicalization {
            let _ = write!(line, " c={c}");
        }
        if let Some(bits) = sig.key_bits {
            let _ = write!(line, " {bits}-bit key");
        }
        let _ = write!(line, ": {}", sig.result);
        if sig.result != AuthResult::Pass {
            let _ = write!(line, " ({})", sig.detail);
        }
        let _ = writeln!(out, "          {line}");
    }
    if report.dkim.total_signatures > report.dkim.signatures.len() {
        let _ = writeln!(
            out,
            "          ({} more DKIM signatures not verified: cap reached)",
            report.dkim.total_signatures - report.dkim.signatures.len()
        );
    }
    if let Some(d) = &report.dmarc {
        if let (Some(at), Some(record)) = (&d.record_domain, &d.record) {
            let _ = writeln!(out, "DMARC     _dmarc.{at}: \"{record}\"");
            let tag = match d.policy_tag {
                Some(dmarc_tag) => format!("{dmarc_tag:?}").to_ascii_lowercase(),
                None => "p".into(),
            };
            let _ = writeln!(
                out,
                "          policy to apply: {tag}={}{}",
                d.policy,
                if d.testing { " (t=y lowered it)" } else { "" }
            );
        }
        let _ = writeln!(
            out,
            "          SPF  {:<9} identifier {} ({}), aligned: {}",
            d.spf.spf_result.to_string(),
            d.spf.identifier.as_deref().unwrap_or("-"),
            d.spf.mode,
            d.spf.aligned
        );
        let _ = writeln!(
            out,
            "          DKIM {:<9} identifiers {} ({}), aligned: {}",
            report.dkim.result().to_string(),
            if d.dkim.passing_domains.is_empty() {
                "-".to_string()
            } else {
                d.dkim.passing_domains.join(", ")
            },
            d.dkim.mode,
            d.dkim.aligned
        );
        if let Some(from) = &d.from_domain {
            let _ = writeln!(out, "          From domain {from}");
        }
    }
    if let Some(arc) = &report.arc {
        for hop in &arc.hops {
            let results: Vec<String> = hop
                .results
                .iter()
                .map(|r| format!("{}={}", r.method, r.result))
                .collect();
            let _ = writeln!(
                out,
                "ARC i={}   {} recorded {}",
                hop.instance,
                hop.authserv_id,
                results.join(" ")
            );
        }
    }
    render_content(&mut out, &checked.content, style);
    out.push('\n');
    out.push_str(&render_findings(&checked.findings, style, verbose));
    out.push_str(&render_tally(&checked.findings, style));
    out.push('\n');
    out
}

fn render_content(out: &mut String, content: &ContentReport, style: Style) {
    let _ = writeln!(
        out,
        "Content   {} MIME part(s), {} attachment(s), {} link(s)",
        content.parts.len(),
        content.attachments.len(),
        content.urls.len()
    );
    for a in &content.attachments {
        let name = a.file_name.as_deref().unwrap_or("(no name)");
        let _ = writeln!(
            out,
            "          {}  {} declared {}, looks like {}",
            style.bold(name),
            a.size,
            a.declared_type,
            a.detected_type
        );
        for m in a.members.iter().take(10) {
            let _ = writeln!(out, "            {}", style.dim(&m.path));
        }
    }
}
