//! Terminal rendering of the sending-domain audit's facts (the findings are rendered by
//! [`super::terminal::render_findings`]).

use super::terminal::Style;
use crate::checks::auth::spf::{SpfAudit, SpfNode};
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
