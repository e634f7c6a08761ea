//! `fivefifty explain`: what a bounce or SMTP reply means and what to do about it.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts, Rendered};
use fivefifty::bounce::{self, BounceReport, Limits, ReportKind};
use fivefifty::doctor::explain::{self, Diagnosis};
use fivefifty::finding::Finding;
use fivefifty::present::terminal::{self, Style};
use fivefifty::present::{Outcome, json};
use serde::Serialize;
use std::fmt::Write;
use std::io::Read;
use std::path::Path;

/// Explain a bounce: a message (.eml), an mbox, a Maildir folder, `-` for standard input, or a
/// bare SMTP reply given as text, e.g.
/// `fivefifty explain '550 5.7.1 Email rejected because it violates our security policy'`.
///
/// For each failed recipient: the action, DSN status and reply code, the remote server and its
/// words, the reason (userunknown, blocked, spamdetected, authfailure, ...), hard or soft, the
/// cause it points to, and what to do.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A bounce file, mbox or Maildir folder; `-` for standard input; or an SMTP reply text.
    pub input: String,
    /// Check the sender's side where the bounce points: the domain's SPF/DKIM/DMARC for
    /// authentication failures, the sending IP's listings for blocklist rejections.
    #[arg(long)]
    pub diagnose: bool,
}

#[derive(Serialize)]
struct Details<'a> {
    reports: &'a [BounceReport],
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<&'a Diagnosis>,
}

pub async fn run(
    args: &ExplainArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Rendered, CliError> {
    let reports = read_reports(&args.input)?;
    let mut findings: Vec<Finding> = reports.iter().flat_map(explain::row_findings).collect();
    let mut diagnosis = None;
    if args.diagnose {
        let all = explain::diagnose_all(&dns.resolver, &reports).await;
        findings.extend(all.findings.iter().cloned());
        diagnosis = Some(all);
    }
    let outcome = Outcome::of(&findings);
    let subject = args.input.clone();
    let text = if opts.json {
        let details = Details {
            reports: &reports,
            diagnosis: diagnosis.as_ref(),
        };
        json::render("explain", &subject, &findings, details)
    } else {
        render_text(&reports, diagnosis.as_ref(), opts.style(), opts.verbose)
    };
    Ok(Rendered { text, outcome })
}

fn read_reports(input: &str) -> Result<Vec<BounceReport>, CliError> {
    if input == "-" {
        let mut raw = Vec::new();
        std::io::stdin()
            .take(bounce::limits::MAX_MESSAGE_BYTES as u64 * 64)
            .read_to_end(&mut raw)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        return Ok(vec![bounce::explain_bytes(&raw)]);
    }
    let path = Path::new(input);
    if path.exists() {
        let stream = bounce::explain_path(path, &Limits::default())
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let mut out = Vec::new();
        // A Maildir or mbox is explained on the machine's cores; reports keep their order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        stream.for_each_parallel(threads, |r| match r {
            Ok(report) => out.push(report),
            Err(e) => eprintln!("fivefifty: {e}"),
        });
        return Ok(out);
    }
    let trimmed = input.trim_start();
    if trimmed.len() >= 3 && trimmed.as_bytes()[..3].iter().all(u8::is_ascii_digit) {
        return Ok(vec![bounce::explain_reply(input)]);
    }
    Err(CliError::Usage(format!(
        "{input:?} is neither a file, a folder, '-', nor an SMTP reply (which starts with a \
         three-digit code such as 550)"
    )))
}

fn render_text(
    reports: &[BounceReport],
    diagnosis: Option<&Diagnosis>,
    style: Style,
    verbose: bool,
) -> String {
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_report(&mut out, r, style);
    }
    if reports.len() > 1 {
        let bounces = reports
            .iter()
            .filter(|r| r.kind == ReportKind::Bounce)
            .count();
        let _ = writeln!(out, "\n{} messages, {bounces} bounces", reports.len());
    }
    if let Some(d) = diagnosis {
        let _ = writeln!(out, "\n{}", style.bold("Diagnosis of the sender's side"));
        if d.findings.is_empty() && d.domains.is_empty() {
            let _ = writeln!(out, "  nothing to check for these causes");
        } else {
            for dom in &d.domains {
                let _ = writeln!(out, "  audited the domain {}", dom.domain);
            }
            for ip in &d.ip_listings {
                let _ = writeln!(
                    out,
                    "  checked the sending IP {} on {} lists",
                    ip.target,
                    ip.lists.len()
                );
            }
            out.push('\n');
            out.push_str(&terminal::render_findings(&d.findings, style, verbose));
            out.push_str(&terminal::render_tally(&d.findings, style));
        }
    }
    out
}

fn render_report(out: &mut String, r: &BounceReport, style: Style) {
    let kind = match r.kind {
        ReportKind::Bounce => "bounce",
        ReportKind::Feedback => "feedback report (a recipient complained)",
        ReportKind::AutoReply => "automatic reply (not a bounce)",
        ReportKind::SmtpReply => "SMTP reply",
        ReportKind::NotBounce => "not a bounce",
        ReportKind::NotMail => "not a mail message",
    };
    let head = match &r.source {
        Some(s) => format!("{s}: {kind}"),
        None => kind.to_string(),
    };
    let _ = writeln!(out, "{}", style.bold(&head));
    if let Some(m) = &r.reporting_mta {
        let _ = writeln!(out, "  reported by   {m}");
    }
    let o = &r.original;
    if let Some(f) = o.from.as_ref().or(o.envelope_from.as_ref()) {
        let _ = writeln!(out, "  original from {f}");
    }
    if let Some(id) = &o.message_id {
        let _ = writeln!(out, "  message-id    {id}");
    }
    if let Some(s) = &o.subject {
        let _ = writeln!(out, "  subject       {s}");
    }
    for n in &r.notes {
        let _ = writeln!(out, "  {}", style.dim(n));
    }
    for row in &r.recipients {
        // Hard means the address itself is dead (remove it from the list); a soft bounce,
        // even a permanent one, leaves the address worth keeping.
        let hard = if row.hard_bounce {
            style.paint("1;31", "hard bounce: remove the address")
        } else {
            style.paint("33", "soft bounce: the address stays")
        };
        let _ = writeln!(
            out,
            "\n  {}  {}  {}  cause: {}",
            style.bold(row.recipient.as_deref().unwrap_or("(unknown recipient)")),
            style.bold(row.reason.as_str()),
            hard,
            row.cause
        );
        let mut facts = vec![if row.permanent {
            "permanent failure".to_string()
        } else {
            "temporary".to_string()
        }];
        if let Some(a) = row.action {
            facts.push(format!("action {}", format!("{a:?}").to_ascii_lowercase()));
        }
        if let Some(s) = &row.status {
            facts.push(format!("status {s}"));
        }
        if let Some(c) = &row.reply_code {
            facts.push(format!("reply {c}"));
        }
        if let Some(c) = &row.smtp_command {
            facts.push(format!("after {c}"));
        }
        if let Some(m) = &row.remote_mta {
            facts.push(format!("remote {m}"));
        }
        let _ = writeln!(out, "    {}", facts.join(", "));
        if !row.diagnostic.is_empty() {
            let _ = writeln!(out, "    said: {}", style.dim(&row.diagnostic));
        }
        for rec in &row.recognitions {
            let _ = writeln!(
                out,
                "    {} {}: {}",
                style.bold(rec.provider),
                rec.code,
                rec.meaning
            );
            let _ = writeln!(out, "      {} {}", style.paint("36", "fix:"), rec.fix);
            if let Some(l) = rec.link {
                let _ = writeln!(out, "      {l}");
            }
        }
        for (i, step) in row.remediation.iter().enumerate() {
            let lead = if i == 0 { "what to do:" } else { "           " };
            let _ = writeln!(out, "    {} {step}", style.paint("36", lead));
        }
    }
}
