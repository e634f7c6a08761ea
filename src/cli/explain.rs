//! `fivefifty explain`: what a bounce or SMTP reply means and what to do about it.

use super::dns::DnsSetup;
use super::{CliError, GlobalOpts};
use fivefifty::bounce::{self, BounceReport, Limits, RecipientRow, ReportKind};
use fivefifty::doctor::explain::{self, Diagnosis, DiagnosisTargets};
use fivefifty::finding::Finding;
use fivefifty::present::json::{self, SpooledArray, WriteError};
use fivefifty::present::terminal::{self, Style};
use fivefifty::present::{Outcome, Tally};
use std::fmt::Write as _;
use std::io::{BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;

/// What `fivefifty explain --help` shows after the options: examples and exit codes.
pub const EXAMPLES: &str = "\
Examples:
  fivefifty explain bounce.eml                 one bounce (DSN, a provider's own layout, an
                                               auto-reply or an ARF complaint)
  fivefifty explain ~/Maildir/.Bounces         every message of a Maildir folder (or an mbox)
  fivefifty explain - < bounce.eml             standard input: a message, an mbox, or a
                                               reply copied from a bounce
  fivefifty explain '550 5.7.26 Unauthenticated email from example.com is not accepted'
                                               a bare SMTP reply, multi-line ones too
  fivefifty explain 'Email rejected because it violates our security policy'
                                               the words alone, as a web mail shows them
  fivefifty explain '<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 ...'
                                               a reply as a bounce or log quotes it (also
                                               Diagnostic-Code: smtp; ..., Exim's ** lines,
                                               Exchange's Remote Server returned '...', DSN
                                               fields, a notice's text pasted whole)
  fivefifty explain bounce.eml --diagnose      then check the sending domain and IP it names
  fivefifty --json explain bounce.eml          the report as JSON (docs/json.md)

Each failed recipient gets a reason in the vocabulary bounce classifiers share (userunknown,
mailboxfull, blocked, authfailure, spamdetected, ...), hard or soft, the cause it points to
(blocklist, authentication, content, reputation, recipient, capacity, transient) and the steps
to take. Provider codes (Gmail 5.7.26, Microsoft S3150, Yahoo TSS04, ...) are named with their
documentation.

Exit codes: 0 nothing failed for good (delays, auto-replies and complaints are warnings),
1 a recipient failed permanently (or --diagnose found an error), 2 bad usage or no mail in the
input, 3 --diagnose could not decide (a temporary DNS failure).";

/// Explain a bounce: a message (.eml), an mbox, a Maildir folder, `-` for standard input, or a
/// bare SMTP reply given as text, e.g.
/// `fivefifty explain '550 5.7.1 Email rejected because it violates our security policy'`.
///
/// For each failed recipient: the action, DSN status and reply code, the remote server and its
/// words, the reason (userunknown, blocked, spamdetected, authfailure, ...), hard or soft, the
/// cause it points to, and what to do.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A bounce file, mbox or Maildir folder; `-` for standard input (one message, an mbox,
    /// or a reply as below); or an SMTP reply text, bare (`550 5.1.1 User unknown`) or as a
    /// bounce or log quotes it (`Diagnostic-Code: smtp; 550 ...`, `<bob@example.org>: host mx.example.org[192.0.2.1]
    /// said: 550 ...`, `Remote Server returned '550 ...'`), or its words alone when they name a
    /// failure (`Mailbox full`).
    pub input: String,
    /// Check the sender's side where the bounce points: the domain's SPF/DKIM/DMARC for
    /// authentication failures, the sending IP's listings for blocklist rejections.
    #[arg(long)]
    pub diagnose: bool,
}

/// Explains every message of the input and writes each report as it comes, so memory does not
/// grow with the number of messages (an mbox of a million bounces): text goes straight to
/// standard output, JSON lists go through temporary files (see [`json::SpooledArray`]). Returns
/// the outcome; a closed standard output (`| head`) ends the writing quietly.
pub async fn run(
    args: &ExplainArgs,
    dns: &DnsSetup,
    opts: &GlobalOpts,
) -> Result<Outcome, CliError> {
    let stdout = std::io::stdout();
    let out = BufWriter::new(stdout.lock());
    if opts.json {
        let sink = JsonSink::new(out, &args.input).map_err(spool_failed)?;
        explain_into(args, dns, sink).await
    } else {
        let sink = TextSink::new(out, opts.style(), opts.verbose);
        explain_into(args, dns, sink).await
    }
}

/// Where the reports go as they are explained: the terminal text or the JSON envelope.
trait Sink {
    /// One message's report and the findings of its recipient rows.
    fn report(&mut self, report: &BounceReport, findings: &[Finding]) -> Result<(), WriteError>;
    /// The end of the input: the counts, and the diagnosis when `--diagnose` asked for one.
    fn finish(self, counts: &Counts, diagnosis: Option<&Diagnosis>) -> Result<(), WriteError>;
}

/// What is kept of the messages once their reports are written.
#[derive(Default)]
struct Counts {
    messages: usize,
    bounces: usize,
    /// Messages that were no mail at all (a picture, an empty file).
    not_mail: usize,
    /// Every finding of the run, by severity: the outcome follows from it.
    tally: Tally,
}

/// The run: each report to the sink as it comes, counts and the diagnosis targets kept on the
/// way, then the diagnosis and the end of the report.
async fn explain_into<S: Sink>(
    args: &ExplainArgs,
    dns: &DnsSetup,
    mut sink: S,
) -> Result<Outcome, CliError> {
    let mut counts = Counts::default();
    let mut targets = args.diagnose.then(DiagnosisTargets::default);
    // A failed write ends the reading too: a closed pipe (`| head`) has read what it wanted,
    // and a failed temporary file cannot take more. The exit code is that of the messages read.
    let mut failed = None;
    for_each_report(&args.input, |report| {
        let findings = explain::row_findings(report);
        counts.messages += 1;
        match report.kind {
            ReportKind::Bounce => counts.bounces += 1,
            ReportKind::NotMail => counts.not_mail += 1,
            _ => {}
        }
        findings.iter().for_each(|f| counts.tally.count(f));
        if let Some(t) = targets.as_mut() {
            t.add(report);
        }
        failed = sink.report(report, &findings).err();
        if failed.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    // Nobody to tell the diagnosis to once the output is gone.
    let diagnosis = match targets {
        Some(t) if failed.is_none() => Some(t.check(&dns.resolver).await),
        _ => None,
    };
    for f in diagnosis
        .iter()
        .flat_map(|d| d.conclusions.iter().chain(&d.findings))
    {
        counts.tally.count(f);
    }
    if failed.is_none() {
        failed = sink.finish(&counts, diagnosis.as_ref()).err();
    }
    match failed {
        Some(WriteError::Spool(e)) => Err(spool_failed(e)),
        // A closed standard output: whoever reads it has what they wanted.
        Some(WriteError::Output(_)) | None => Ok(counts.outcome()),
    }
}

impl Counts {
    /// The run's outcome: that of its findings, or bad input when nothing read was mail (a
    /// script that hands `explain` a picture learns so from the exit code, not only the text).
    fn outcome(&self) -> Outcome {
        if self.messages > 0 && self.not_mail == self.messages {
            Outcome::BadInput
        } else {
            Outcome::of_tally(self.tally)
        }
    }
}

fn spool_failed(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(e.to_string())
}

/// Reads the input and hands each message's report to `each`, in input order, until `each`
/// says stop. A message that cannot be read is reported on standard error and skipped. Bad
/// input is an error before the first report.
fn for_each_report(
    input: &str,
    mut each: impl FnMut(&BounceReport) -> ControlFlow<()>,
) -> Result<(), CliError> {
    let path = Path::new(input);
    if input == "-" || path.exists() {
        let stream = if input == "-" {
            // A reply piped in (copied from a bounce) is read as a reply given as an argument
            // is; anything else, an mbox too, is streamed like a file.
            let (head, rest) = peek_stdin()?;
            if head.len() < STDIN_REPLY_MAX && !bounce::reads_as_message(&head) {
                // All of it is in: a reply, or no mail at all (said as for a file).
                let text = String::from_utf8_lossy(&head);
                if let Some(report) = reply_report(&text, false) {
                    let _ = each(&report);
                    return Ok(());
                }
            }
            bounce::explain_reader(
                std::io::Cursor::new(head).chain(rest),
                "stdin",
                &Limits::default(),
            )
        } else {
            bounce::explain_path(path, &Limits::default())
        }
        .map_err(|e| CliError::Usage(e.to_string()))?;
        // A Maildir or mbox is explained on the machine's cores; reports keep their order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        stream.try_for_each_parallel(threads, |r| match r {
            Ok(report) => each(report),
            Err(e) => {
                eprintln!("fivefifty: {e}");
                ControlFlow::Continue(())
            }
        });
        return Ok(());
    }
    if let Some(report) = reply_report(input, true) {
        let _ = each(&report);
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{input:?} is neither a file, a folder, '-', nor an SMTP reply (text with a reply code \
         such as 550 or a status code such as 5.7.1, or words that name a failure such as \
         'Mailbox full')"
    )))
}

/// The start of standard input, and the reader of the rest: read until it is all in, reads as
/// a message (an mbox's `From ` line comes first, so a stream's first reports are not held
/// back), or fills [`STDIN_REPLY_MAX`] bytes.
fn peek_stdin() -> Result<(Vec<u8>, std::io::Stdin), CliError> {
    let mut head = Vec::new();
    let mut stdin = std::io::stdin();
    let mut chunk = [0u8; 16 * 1024];
    while head.len() < STDIN_REPLY_MAX && !bounce::reads_as_message(&head) {
        let want = chunk.len().min(STDIN_REPLY_MAX - head.len());
        let n = match stdin.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CliError::Usage(format!("cannot read standard input: {e}"))),
        };
        head.extend_from_slice(&chunk[..n]);
    }
    Ok((head, stdin))
}

/// The most standard input read as a reply when it is no message: a pasted notice is a few
/// kilobytes; more is a message, or an mbox, and is streamed.
const STDIN_REPLY_MAX: usize = 256 * 1024;

/// The report on `text` read as a reply: one with a code ([`bounce::reads_as_reply`]), or a
/// reply's words given without codes, as a web mail or a help desk shows them ("Email rejected
/// because it violates our security policy"), when they name a reason. When `text` could be a
/// path (a command-line argument), words that name none, one word, or a path (`bounces/x.eml`)
/// are taken for a path mistyped: reading them as a reply would hide the typo behind an
/// "undefined" row.
fn reply_report(text: &str, could_be_path: bool) -> Option<BounceReport> {
    if bounce::reads_as_reply(text) {
        return Some(bounce::explain_reply(text));
    }
    let words = text.split_whitespace().nth(1).is_some();
    if could_be_path && (!words || text.contains(['/', '\\'])) {
        return None;
    }
    let report = bounce::explain_reply(text);
    report
        .recipients
        .iter()
        .any(|r| r.reason != bounce::Reason::Undefined)
        .then_some(report)
}

/// The terminal report: each message's report written as it comes, then the counts and the
/// diagnosis.
struct TextSink<W: Write> {
    out: W,
    style: Style,
    verbose: bool,
    /// Reports written so far (a blank line goes between two).
    written: usize,
    /// Whether the output so far ends with a newline; the report always does.
    at_line_start: bool,
    /// One report's text, reused.
    buf: String,
}

impl<W: Write> TextSink<W> {
    fn new(out: W, style: Style, verbose: bool) -> Self {
        Self {
            out,
            style,
            verbose,
            written: 0,
            at_line_start: false,
            buf: String::new(),
        }
    }

    /// Writes `buf` out.
    fn flush_buf(&mut self) -> Result<(), WriteError> {
        if let Some(&last) = self.buf.as_bytes().last() {
            self.at_line_start = last == b'\n';
        }
        let r = self.out.write_all(self.buf.as_bytes());
        self.buf.clear();
        r.map_err(WriteError::Output)
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn report(&mut self, report: &BounceReport, _: &[Finding]) -> Result<(), WriteError> {
        if self.written > 0 {
            self.buf.push('\n');
        }
        self.written += 1;
        render_report(&mut self.buf, report, self.style);
        self.flush_buf()
    }

    fn finish(mut self, counts: &Counts, diagnosis: Option<&Diagnosis>) -> Result<(), WriteError> {
        if counts.messages > 1 {
            let (messages, bounces) = (counts.messages, counts.bounces);
            let _ = writeln!(self.buf, "\n{messages} messages, {bounces} bounces");
        }
        if let Some(d) = diagnosis {
            render_diagnosis(&mut self.buf, d, self.style, self.verbose);
        }
        self.flush_buf()?;
        if !self.at_line_start {
            self.out.write_all(b"\n").map_err(WriteError::Output)?;
        }
        self.out.flush().map_err(WriteError::Output)
    }
}

fn render_diagnosis(out: &mut String, d: &Diagnosis, style: Style, verbose: bool) {
    let _ = writeln!(out, "\n{}", style.bold("Diagnosis of the sender's side"));
    if d.findings.is_empty() && d.domains.is_empty() && d.conclusions.is_empty() {
        let _ = writeln!(out, "  nothing to check for these causes");
        return;
    }
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
    // What the checks make of the receiver's words, before the checks' own findings.
    for c in &d.conclusions {
        let _ = writeln!(out, "  {}  {}", style.bold(&c.summary), style.dim(&c.code));
        let _ = writeln!(out, "    {}", c.fix);
    }
    if !d.conclusions.is_empty() {
        out.push('\n');
    }
    out.push_str(&terminal::render_findings(&d.findings, style, verbose));
    out.push_str(&terminal::render_tally(&d.findings, style));
}

/// The JSON envelope of docs/json.md: findings and reports kept in temporary files as they come
/// (key order and bytes as if the envelope had been printed whole), written out at the end,
/// when the outcome and tally that come first in it are known.
struct JsonSink<W: Write> {
    out: W,
    subject: String,
    /// The top-level `findings`, one level inside the envelope.
    findings: SpooledArray,
    /// `details.reports`, two levels inside.
    reports: SpooledArray,
}

impl<W: Write> JsonSink<W> {
    fn new(out: W, subject: &str) -> Result<Self, WriteError> {
        Ok(Self {
            out,
            subject: subject.to_string(),
            findings: SpooledArray::new(1)?,
            reports: SpooledArray::new(2)?,
        })
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn report(&mut self, report: &BounceReport, findings: &[Finding]) -> Result<(), WriteError> {
        self.reports.push(report)?;
        findings.iter().try_for_each(|f| self.findings.push(f))
    }

    fn finish(mut self, counts: &Counts, diagnosis: Option<&Diagnosis>) -> Result<(), WriteError> {
        // The diagnosis' conclusions and findings are in the top-level list too, after the
        // rows'.
        for f in diagnosis
            .iter()
            .flat_map(|d| d.conclusions.iter().chain(&d.findings))
        {
            self.findings.push(f)?;
        }
        let reports = self.reports;
        json::write_envelope(
            &mut self.out,
            "explain",
            &self.subject,
            counts.outcome(),
            counts.tally,
            self.findings,
            |details| {
                details.spooled("reports", reports)?;
                match diagnosis {
                    Some(d) => details.field("diagnosis", d),
                    None => Ok(()),
                }
            },
        )?;
        self.out.write_all(b"\n").map_err(WriteError::Output)?;
        self.out.flush().map_err(WriteError::Output)
    }
}

fn render_report(out: &mut String, r: &BounceReport, style: Style) {
    let kind = match r.kind {
        ReportKind::Bounce => "bounce",
        ReportKind::Feedback => match r.feedback_type.as_deref() {
            Some("auth-failure") => "feedback report (a message failed authentication)",
            Some("opt-out") => "feedback report (a recipient unsubscribed)",
            Some("not-spam") => "feedback report (a recipient said: not spam)",
            _ => "feedback report (a recipient complained)",
        },
        ReportKind::AutoReply => "automatic reply (not a bounce)",
        ReportKind::SmtpReply => "SMTP reply",
        ReportKind::NotBounce => "not a bounce",
        ReportKind::NotMail => "not a mail message",
    };
    // A success DSN is a delivery report, not a bounce.
    let kind = if r.kind == ReportKind::Bounce
        && !r.recipients.is_empty()
        && r.recipients.iter().all(RecipientRow::is_success)
    {
        "delivery report (nothing failed)"
    } else {
        kind
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
        let hard = if row.is_success() {
            style.paint("32", "delivered: nothing failed")
        } else if r.kind == ReportKind::AutoReply {
            style.paint("33", "automatic reply: the address stays")
        } else if r.kind == ReportKind::Feedback {
            style.paint("33", "feedback: the message was delivered")
        } else if row.hard_bounce {
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
        let mut facts = vec![if row.is_success() {
            "success".to_string()
        } else if matches!(r.kind, ReportKind::AutoReply | ReportKind::Feedback) {
            "no failure".to_string()
        } else if row.permanent {
            "permanent failure".to_string()
        } else if row.status.is_none() && row.reply_code.is_none() && row.action.is_none() {
            // Words given without a code: nothing says whether the failure lasts.
            "no code: permanent or temporary unknown".to_string()
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
        // A recognised code's fix is the first of the row's steps ("what to do"), so it is
        // not said twice: the code says what it means and where to read more.
        for rec in &row.recognitions {
            let _ = writeln!(
                out,
                "    {} {}: {}",
                style.bold(rec.provider),
                rec.code,
                rec.meaning
            );
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
