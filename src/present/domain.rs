//! Terminal rendering of the sending-domain audit's facts (the findings are rendered by
//! [`super::terminal::render_findings`]).

use super::terminal::Style;
use crate::checks::auth::spf::{SpfAudit, SpfNode};
use crate::checks::blocklist::BlocklistReport;
use crate::checks::blocklist::ListOutcome;
use crate::doctor::domain::{DomainBlocklists, DomainReport};
use crate::doctor::readiness::{Readiness, Status};
use std::fmt::Write;

/// The SPF include/redirect tree with the DNS-lookup cost of every node.
pub fn render_spf(audit: &SpfAudit, style: Style) -> String {
    let mut out = String::new();
    match audit.records.len() {
        0 => {
            let _ = writeln!(out, "  no SPF record");
            return out;
        }
        1 => {}
        n => {
            let _ = writeln!(out, "  {n} SPF records published (only one is allowed)");
        }
    }
    let over = audit.total_lookups > audit.lookup_limit;
    let total = format!(
        "{} of {} DNS lookups, {} of {} void lookups",
        audit.total_lookups, audit.lookup_limit, audit.total_void_lookups, audit.void_lookup_limit
    );
    let _ = writeln!(
        out,
        "  {}",
        if over {
            style.paint("1;31", &total)
        } else {
            total
        }
    );
    if let Some(tree) = &audit.tree {
        render_node(&mut out, tree, 1, style);
    }
    out
}

fn render_node(out: &mut String, node: &SpfNode, depth: usize, style: Style) {
    let indent = "  ".repeat(depth);
    let via = match node.via.as_str() {
        "root" => String::new(),
        v => format!("{v}:"),
    };
    let cost = format!(
        "[{} lookup{}, {} below]",
        node.own_lookups,
        if node.own_lookups == 1 { "" } else { "s" },
        node.subtree_lookups
    );
    let _ = writeln!(
        out,
        "{indent}{}{}  {}",
        style.dim(&via),
        style.bold(&node.domain),
        style.dim(&cost)
    );
    if let Some(record) = &node.record {
        let _ = writeln!(out, "{indent}  \"{record}\"");
    }
    for e in &node.errors {
        let _ = writeln!(out, "{indent}  {} {e}", style.paint("31", "!"));
    }
    for n in &node.notes {
        let _ = writeln!(out, "{indent}  {} {n}", style.dim("·"));
    }
    for child in &node.children {
        render_node(out, child, depth + 1, style);
    }
}

/// The bulk-sender readiness section: each requirement with a mark.
pub fn render_readiness(readiness: &Readiness, style: Style) -> String {
    let mut out = String::new();
    let verdict = if readiness.ready {
        style.paint("1;32", "ready")
    } else {
        style.paint("1;31", "not ready")
    };
    let _ = writeln!(
        out,
        "{} {verdict}",
        style.bold("Bulk-sender readiness (Gmail, Yahoo, Microsoft):")
    );
    for r in &readiness.requirements {
        let mark = match r.status {
            Status::Met => style.paint("32", "[x]"),
            Status::Missing => style.paint("31", "[ ]"),
            Status::Unknown => style.paint("35", "[?]"),
            Status::ElsewhereChecked => style.dim("[-]"),
        };
        let _ = writeln!(out, "  {mark} {:<22} {}", r.id, r.detail);
    }
    out
}

/// One line per record check: what is published.
pub fn render_records(report: &DomainReport, style: Style) -> String {
    let mut out = String::new();
    let label = |s: &str| style.bold(&format!("{s:<9}"));
    let none = |s: &str| style.dim(s);

    // DMARC
    let dmarc = &report.dmarc;
    let line = match (&dmarc.record, &dmarc.policy_domain) {
        (Some(r), Some(at)) => {
            let p = dmarc
                .effective_policy
                .map_or("(no usable policy)", |p| p.as_str());
            let mut s = format!("p={p} at _dmarc.{at}");
            if at != &report.domain {
                s.push_str(" (found by the tree walk)");
            }
            format!("{s}\n           \"{}\"", r.text)
        }
        (Some(r), None) => format!("\"{}\"", r.text),
        _ => match dmarc.walk.iter().find(|w| w.outcome == "invalid") {
            Some(w) => style.paint("31", &format!("unusable record at {}", w.name)),
            None => none("no record"),
        },
    };
    let _ = writeln!(out, "{} {line}", label("DMARC"));

    // DKIM
    let dkim = &report.dkim;
    if dkim.keys.is_empty() {
        let _ = writeln!(
            out,
            "{} {}",
            label("DKIM"),
            none(&format!(
                "no key at {} selectors checked (pass --selector for yours)",
                dkim.selectors_checked.len()
            ))
        );
    } else {
        let _ = writeln!(out, "{} {} key(s)", label("DKIM"), dkim.keys.len());
        for k in &dkim.keys {
            let size = match (k.revoked, k.bits) {
                (true, _) => "revoked".to_string(),
                (false, Some(b)) => format!("{} {b} bits", k.key_type),
                (false, None) => k.key_type.clone(),
            };
            let testing = if k.testing { ", t=y (testing)" } else { "" };
            let _ = writeln!(out, "           {}  {size}{testing}", k.name);
        }
    }

    // MX
    let mx = &report.mx;
    if mx.null_mx {
        let _ = writeln!(out, "{} null MX: the domain receives no mail", label("MX"));
    } else if mx.hosts.is_empty() {
        let text = if mx.implicit {
            format!(
                "none; mail falls back to the domain's own address {}",
                mx.implicit_addresses
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "none".to_string()
        };
        let _ = writeln!(out, "{} {}", label("MX"), none(&text));
    } else {
        for (i, h) in mx.hosts.iter().enumerate() {
            let addrs: Vec<String> = h
                .ipv4
                .iter()
                .map(ToString::to_string)
                .chain(h.ipv6.iter().map(ToString::to_string))
                .collect();
            let addrs = if addrs.is_empty() {
                style.paint("31", "no address")
            } else {
                addrs.join(", ")
            };
            let head = if i == 0 { label("MX") } else { " ".repeat(9) };
            let _ = writeln!(out, "{head} {:>3} {}  {addrs}", h.preference, h.exchange);
        }
    }

    // Transport and brand records
    let sts = &report.mta_sts;
    let sts_line = match (&sts.record, &sts.policy) {
        (Some(_), Some(p)) => format!(
            "id={} mode={}",
            sts.id.as_deref().unwrap_or("?"),
            p.mode.as_deref().unwrap_or("?")
        ),
        (Some(r), None) => format!("\"{r}\" (policy not fetched)"),
        (None, _) => none("no record"),
    };
    let _ = writeln!(out, "{} {sts_line}", label("MTA-STS"));
    let rpt = report
        .tls_rpt
        .record
        .as_ref()
        .map_or_else(|| none("no record"), |r| format!("\"{r}\""));
    let _ = writeln!(out, "{} {rpt}", label("TLS-RPT"));
    let bimi = report
        .bimi
        .record
        .as_ref()
        .map_or_else(|| none("no record"), |r| format!("\"{r}\""));
    let _ = writeln!(out, "{} {bimi}", label("BIMI"));
    out
}

/// One line for the domain and one per MX address: on how many lists, and which.
pub fn render_blocklists(b: &DomainBlocklists, style: Style) -> String {
    let mut out = String::new();
    let mut first = true;
    let reports = b.domain.iter().chain(b.mx_ips.iter());
    for r in reports {
        let head = if first {
            style.bold(&format!("{:<9}", "Listed"))
        } else {
            " ".repeat(9)
        };
        first = false;
        let _ = writeln!(out, "{head} {}", listing_line(r, style));
    }
    out
}

fn listing_line(r: &BlocklistReport, style: Style) -> String {
    let listed: Vec<&str> = r
        .lists
        .iter()
        .filter(|l| matches!(l.outcome, ListOutcome::Listed { .. }))
        .map(|l| l.zone.as_str())
        .collect();
    if listed.is_empty() {
        format!(
            "{}  {}",
            r.target,
            style.dim(&format!("on none of {} lists", r.lists.len()))
        )
    } else {
        format!(
            "{}  {}",
            r.target,
            style.paint("1;31", &format!("on {}", listed.join(", ")))
        )
    }
}
