//! Content checks: what a message carries — its MIME structure, attachments, links, headers and
//! wording — judged the way a strict mail gateway judges it.
//!
//! # What this module decides, and what it does not
//! [`analyze`] takes the raw message and a [`ContentContext`] (whose mail this is: the sender's
//! and recipients' domains, and the limits in force) and returns a [`ContentReport`]: a listing
//! of every MIME part, every attachment with its detected type and archive members, every URL
//! with its registered domain, and the [`Finding`]s. It does no I/O: checks that need DNS (URL
//! blocklists, "can the From domain receive mail") are done by the orchestrator with
//! [`ContentReport::url_domains`] and [`ContentReport::from_domain`]. It never picks an action:
//! the policy weighs the Findings (spam rules carry a numeric `score` in their evidence).
//!
//! # The rooms inside
//! Like every check: parse, evaluate, findings.
//! - [`mime`] walks the structure (parse) and reports malformed or oversized structure.
//! - [`attachments`] judges each file by name and content ([`filetype`] sniffs magic bytes),
//!   handing archives to [`archive`], Office files to [`office`] and PDFs to [`pdf`].
//! - [`html`] reads HTML (links, forms, hidden text, smuggling); [`links`] extracts and
//!   de-obfuscates URLs; [`phishing`] compares what links and names show with where they go.
//! - [`headers`] checks From, Reply-To, Date and Message-ID; [`spam`] runs the transparent
//!   scored rules behind the [`spam::SpamClassifier`] seam.
//! - [`limits`] names every bound; hitting one is a Finding, never a panic or an unbounded
//!   allocation.

pub mod archive;
pub mod attachments;
pub mod codes;
pub mod filetype;
pub mod headers;
pub mod html;
pub mod limits;
pub mod links;
pub mod mime;
pub mod office;
pub mod pdf;
pub mod phishing;
pub mod spam;

use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

pub use codes::CODES;
pub use limits::Limits;

/// Whose mail this is, for the checks that compare names with the parties' own domains.
#[derive(Debug, Clone, Default)]
pub struct ContentContext {
    /// The sender's domain (MAIL FROM or From), if known; lookalikes of it are flagged.
    pub sender_domain: Option<String>,
    /// The recipients' domains; lookalikes of them are flagged (the classic CEO-fraud trick).
    pub recipient_domains: Vec<String>,
    /// Limits in force; `None` means [`Limits::default`].
    pub limits: Option<Limits>,
}

impl ContentContext {
    /// A context with the sender's and recipients' domains (normalised; invalid ones dropped).
    pub fn new<S: AsRef<str>>(sender_domain: Option<&str>, recipient_domains: &[S]) -> Self {
        let norm = |d: &str| crate::names::normalize_domain(d).ok();
        ContentContext {
            sender_domain: sender_domain.and_then(norm),
            recipient_domains: recipient_domains
                .iter()
                .filter_map(|d| norm(d.as_ref()))
                .collect(),
            limits: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits.unwrap_or_default()
    }
}

/// One MIME part as the walk saw it.
#[derive(Debug, Clone, Serialize)]
pub struct PartInfo {
    /// Position in walk order, from 0 (the message itself).
    pub id: usize,
    /// The enclosing part, if any.
    pub parent: Option<usize>,
    /// Nesting depth (0 for the message itself).
    pub depth: usize,
    /// Declared `type/subtype`, lowercase (`text/plain` when none was declared).
    pub content_type: String,
    /// The file name, RFC 2231 and encoded-word decoded, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// `inline` or `attachment`, if declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// The Content-Transfer-Encoding, lowercase, if declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_encoding: Option<String>,
    /// Decoded size in bytes (0 for multiparts).
    pub size: usize,
    /// What the part holds: `multipart`, `message`, `text`, `html` or `binary`.
    pub kind: &'static str,
}

/// A file found in an archive (nested members have a `/`-joined path of archive names).
#[derive(Debug, Clone, Serialize)]
pub struct MemberInfo {
    /// Path inside the archive; members of nested archives are `inner.zip/file.exe`.
    pub path: String,
    /// Nesting level (1 for a member of the attached archive).
    pub depth: usize,
    /// Size the archive declares once uncompressed.
    pub size: u64,
    /// Size stored in the archive.
    pub compressed_size: u64,
    /// True when the member is encrypted.
    pub encrypted: bool,
    /// Type found from the member's first bytes, when it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_type: Option<String>,
}

/// One attachment (any leaf part with a file name, an attachment disposition or a non-text type).
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    /// The [`PartInfo::id`] it came from.
    pub part: usize,
    /// Its file name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Declared `type/subtype`.
    pub declared_type: String,
    /// Type found from the content's magic bytes.
    pub detected_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    /// Archive members (nested too), when it is a zip or a zip-based document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberInfo>,
}

/// Where a URL was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlSource {
    /// Plain text.
    Text,
    /// An `href` attribute.
    Href,
    /// A `src` attribute (image, script, frame).
    Src,
    /// A form's `action`.
    FormAction,
    /// A URL inside an attached document (PDF link, Office relationship).
    Attachment,
}

/// One URL found in the message.
#[derive(Debug, Clone, Serialize)]
pub struct UrlInfo {
    /// The URL, de-obfuscated (entities and percent-encoding of the host undone).
    pub url: String,
    /// Its host, lowercase A-label form, or the IP literal.
    pub host: String,
    /// The registered domain by the public suffix list (`None` for IP literals or unknown TLDs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_domain: Option<String>,
    /// True when the host is an IP address.
    pub ip_literal: bool,
    /// Where it was found.
    pub source: UrlSource,
    /// The part it came from.
    pub part: usize,
}

/// What [`analyze`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContentReport {
    /// Every MIME part in walk order.
    pub parts: Vec<PartInfo>,
    /// Every attachment with its detected type and archive members.
    pub attachments: Vec<AttachmentInfo>,
    /// Every distinct URL.
    pub urls: Vec<UrlInfo>,
    /// The domain of the (first) From address, for the orchestrator's "can it receive mail"
    /// check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_domain: Option<String>,
    /// Sum of the `score` evidence of the spam rules that fired.
    pub spam_score: f64,
    /// The Findings.
    pub findings: Vec<Finding>,
    /// Findings dropped because [`Limits::max_findings`] was reached.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings_dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl ContentReport {
    /// Registered domains (or hosts, when the public suffix list knows no registered domain) of
    /// every URL, deduplicated and sorted: what the orchestrator looks up in URL blocklists.
    pub fn url_domains(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .urls
            .iter()
            .filter(|u| !u.ip_literal)
            .map(|u| u.registered_domain.as_deref().unwrap_or(&u.host))
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// IP literals used as URL hosts, deduplicated and sorted (for IP-keyed URL blocklists).
    pub fn url_ips(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .urls
            .iter()
            .filter(|u| u.ip_literal)
            .map(|u| u.host.as_str())
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// True when some finding has this code.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The worst severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        crate::finding::worst(&self.findings)
    }
}

/// Collects Findings for one analysis: drops exact repeats (same code and subject) and stops
/// listing at [`Limits::max_findings`].
#[derive(Debug)]
pub struct Sink {
    findings: Vec<Finding>,
    seen: HashSet<(String, String)>,
    max: usize,
    dropped: usize,
}

impl Sink {
    /// An empty sink keeping at most `max` findings.
    pub fn new(max: usize) -> Self {
        Sink {
            findings: Vec::new(),
            seen: HashSet::new(),
            max,
            dropped: 0,
        }
    }

    /// Adds a finding unless one with the same code and subject is already there.
    pub fn push(&mut self, f: Finding) {
        if self.seen.contains(&(f.code.clone(), f.subject.clone())) {
            return;
        }
        if self.findings.len() >= self.max {
            self.dropped += 1;
            return;
        }
        self.seen.insert((f.code.clone(), f.subject.clone()));
        self.findings.push(f);
    }

    /// True when a finding with this code was pushed.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The findings so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Ends collection: (findings, number dropped).
    pub fn finish(self) -> (Vec<Finding>, usize) {
        (self.findings, self.dropped)
    }
}

/// Shorthand for a content-cause finding with its fix.
pub(crate) fn content_finding(
    code: &str,
    severity: Severity,
    subject: impl Into<String>,
    summary: impl Into<String>,
    fix: &str,
) -> Finding {
    Finding::new(code, Cause::Content, severity, subject, summary).fix(fix)
}

/// Analyzes a raw message with the built-in rules. Never panics and never fails: malformed
/// input and exceeded limits become Findings.
pub fn analyze(raw: &[u8], ctx: &ContentContext) -> ContentReport {
    analyze_with(raw, ctx, &[&spam::RuleClassifier])
}

/// Like [`analyze`], with the given spam classifiers instead of only the built-in rules (the
/// seam for a trained classifier: each adds its own scored Findings).
pub fn analyze_with(
    raw: &[u8],
    ctx: &ContentContext,
    classifiers: &[&dyn spam::SpamClassifier],
) -> ContentReport {
    let limits = ctx.limits();
    let mut sink = Sink::new(limits.max_findings);
    let mut report = ContentReport::default();

    let walked = mime::walk(raw, &limits, &mut sink);
    report.parts = walked.parts.clone();

    let hdr = headers::check(walked.message.as_ref(), ctx, &mut sink);
    report.from_domain = hdr.from_domain.clone();

    let mut urls = links::UrlSet::new(limits.max_urls);
    let mut html_docs = Vec::new();
    for body in &walked.texts {
        links::extract_from_text(&body.text, body.part, &mut urls);
    }
    for body in &walked.htmls {
        let doc = html::scan(&body.text, body.part);
        html::check_smuggling(&doc, &format!("part {}", body.part), &mut sink);
        for link in &doc.links {
            urls.add(&link.href, link.source, body.part);
        }
        urls.note_truncated(&mut sink);
        html_docs.push(doc);
    }

    let mut budget = attachments::Budget::new(&limits);
    for file in &walked.files {
        let info = attachments::check(file, &limits, &mut budget, &mut sink, &mut urls);
        // An HTML attachment is read like an HTML body (links, forms, smuggling).
        if info.detected_type == "html" || file.declared_type == "text/html" {
            let text = String::from_utf8_lossy(&file.bytes);
            let doc = html::scan(&text, file.part);
            html::check_smuggling(&doc, &attachments::subject_of(file), &mut sink);
            for link in &doc.links {
                urls.add(&link.href, link.source, file.part);
            }
            html_docs.push(doc);
        }
        report.attachments.push(info);
    }

    urls.note_truncated(&mut sink);
    let (url_list, tricks) = urls.into_parts();
    report.urls = url_list;
    phishing::check(&report.urls, &tricks, &html_docs, &hdr, ctx, &mut sink);

    let doc = spam::SpamDocument {
        subject: hdr.subject.as_deref(),
        texts: walked.texts.iter().map(|t| t.text.as_ref()).collect(),
        html: &html_docs,
        headers: &hdr,
        attachment_count: report.attachments.len(),
    };
    for c in classifiers {
        for f in c.classify(&doc) {
            sink.push(f);
        }
    }

    let (findings, dropped) = sink.finish();
    report.spam_score = findings
        .iter()
        .filter(|f| f.code.starts_with("SPAM_"))
        .filter_map(|f| f.evidence.get("score").and_then(|v| v.as_f64()))
        .sum();
    report.findings = findings;
    report.findings_dropped = dropped;
    report
}
