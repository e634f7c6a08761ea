//! Runs the content checks over the benchmark corpus (`../shared/bench/gen_corpus.py`) and
//! prints, per message kind, how many messages were flagged with which class of Finding, and
//! the throughput.
//!
//! Usage: `cargo run --release --example content_accuracy -- /tmp/corpus [--repeat N]`
//!
//! Classes (a message counts in every class it has an error-level Finding of):
//! - `malware`: ATTACHMENT_*, ARCHIVE_*, OFFICE_*, PDF_*, HTML_SMUGGLING at error level;
//! - `phishing`: LINK_TEXT_MISMATCH, LOOKALIKE_DOMAIN, URL_*, PHISHING_FORM,
//!   HEADER_DISPLAY_NAME_SPOOF, REPLY_TO_MISMATCH at error level;
//! - `other_error`: any other error-level Finding;
//! - `spam_rules`: at least one SPAM_* rule fired (any severity);
//! - `warn_only`: a warning but no error; `clean`: neither;
//! - `flagged`: for malware and phishing kinds, the message has a Finding of the expected class
//!   at warning or error level (the "flagged with the right cause"). Plain ham is judged
//!   at error level only, by the classes above.

use fivefifty::checks::content::{ContentContext, analyze};
use fivefifty::finding::{Cause, Severity};
use std::collections::BTreeMap;
use std::time::Instant;

fn class_of(code: &str) -> &'static str {
    if code.starts_with("ATTACHMENT_")
        || code.starts_with("ARCHIVE_")
        || code.starts_with("OFFICE_")
        || code.starts_with("PDF_")
        || code == "HTML_SMUGGLING"
    {
        "malware"
    } else if matches!(
        code,
        "LINK_TEXT_MISMATCH"
            | "LOOKALIKE_DOMAIN"
            | "PHISHING_FORM"
            | "HEADER_DISPLAY_NAME_SPOOF"
            | "REPLY_TO_MISMATCH"
    ) || code.starts_with("URL_")
    {
        "phishing"
    } else {
        "other_error"
    }
}

fn domain(addr: &str) -> Option<&str> {
    addr.rsplit_once('@').map(|(_, d)| d)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| "/tmp/corpus".into());
    let mut repeat = 1usize;
    while let Some(a) = args.next() {
        if a == "--repeat" {
            repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        }
    }
    let meta = match std::fs::read_to_string(format!("{root}/meta.jsonl")) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("cannot read {root}/meta.jsonl: {e}");
            std::process::exit(2);
        }
    };
    let mut msgs = Vec::new();
    for line in meta.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let file = v["file"].as_str().unwrap_or_default().to_string();
        let Ok(raw) = std::fs::read(format!("{root}/{file}")) else {
            eprintln!("missing {file}");
            continue;
        };
        let kind = v["kind"].as_str().unwrap_or("?").to_string();
        let sender = v["mailfrom"].as_str().and_then(domain).map(str::to_string);
        let rcpt: Vec<String> = v["rcpt"]
            .as_str()
            .and_then(domain)
            .map(|d| vec![d.to_string()])
            .unwrap_or_default();
        let ctx = ContentContext::new(sender.as_deref(), &rcpt);
        msgs.push((file, kind, raw, ctx));
    }
    let bytes: usize = msgs.iter().map(|m| m.2.len()).sum();

    let mut table: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut codes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let start = Instant::now();
    for round in 0..repeat {
        for (file, kind, raw, ctx) in &msgs {
            let report = analyze(raw, ctx);
            if round > 0 {
                continue;
            }
            let row = table.entry(kind.clone()).or_default();
            *row.entry("total").or_default() += 1;
            let mut classes = std::collections::BTreeSet::new();
            let mut warn = false;
            let mut flagged = std::collections::BTreeSet::new();
            for f in &report.findings {
                if f.severity >= Severity::Warning
                    && (f.cause == Cause::Content || f.cause == Cause::Protocol)
                {
                    flagged.insert(class_of(&f.code));
                }
                if f.severity == Severity::Error {
                    classes.insert(if f.cause == Cause::Content || f.cause == Cause::Protocol {
                        class_of(&f.code)
                    } else {
                        "other_error"
                    });
                }
                if f.severity == Severity::Warning {
                    warn = true;
                }
                if f.code.starts_with("SPAM_") {
                    classes.insert("spam_rules");
                }
                *codes
                    .entry(kind.clone())
                    .or_default()
                    .entry(format!("{}:{}", f.code, f.severity))
                    .or_default() += 1;
            }
            let has_error = classes.iter().any(|c| *c != "spam_rules");
            for c in &classes {
                *row.entry(c).or_default() += 1;
            }
            if !has_error {
                *row.entry(if warn { "warn_only" } else { "clean" })
                    .or_default() += 1;
            }
            let wanted = if kind.starts_with("mal_") {
                Some("malware")
            } else if kind.starts_with("phish") {
                Some("phishing")
            } else {
                None
            };
            if let Some(w) = wanted
                && flagged.contains(w)
            {
                *row.entry("flagged").or_default() += 1;
            }
            let miss = match wanted {
                Some(w) => !flagged.contains(w),
                None => kind.starts_with("ham") && has_error,
            };
            if miss && misses.len() < 20 {
                let codes: Vec<String> = report
                    .findings
                    .iter()
                    .map(|f| format!("{}:{}", f.code, f.severity))
                    .collect();
                misses.push(format!("{file} {kind}: {}", codes.join(" ")));
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();

    let cols = [
        "total",
        "malware",
        "phishing",
        "other_error",
        "spam_rules",
        "warn_only",
        "clean",
        "flagged",
    ];
    print!("{:<12}", "kind");
    for c in cols {
        print!("{c:>12}");
    }
    println!();
    for (kind, row) in &table {
        print!("{kind:<12}");
        for c in cols {
            print!("{:>12}", row.get(c).copied().unwrap_or(0));
        }
        println!();
    }
    println!();
    for (kind, cs) in &codes {
        let list: Vec<String> = cs.iter().map(|(c, n)| format!("{c}={n}")).collect();
        println!("{kind}: {}", list.join(" "));
    }
    if !misses.is_empty() {
        println!("\nmisses (first {}):", misses.len());
        for m in &misses {
            println!("  {m}");
        }
    }
    let n = msgs.len() * repeat;
    println!(
        "\n{n} messages ({:.1} MB) analysed in {elapsed:.2} s: {:.0} messages/s, {:.1} MB/s",
        (bytes * repeat) as f64 / 1e6,
        n as f64 / elapsed,
        (bytes * repeat) as f64 / 1e6 / elapsed
    );
}
