//! The sending-domain audit: find the record, walk the include/redirect tree, lint everything.
//!
//! Unlike a receiver, the audit does not stop at the first problem nor at the lookup limit: it
//! walks every include and redirect it can (literal targets; targets with macros depend on the
//! message and are noted, not followed), computes the DNS-lookup cost of every node and of its
//! subtree, counts void lookups, and reports all of it. Depth and node count are capped
//! ([`MAX_TREE_DEPTH`], [`MAX_TREE_NODES`]) so a hostile tree cannot make the audit run away.

use super::findings::{CODES, auth, config, merge, rewrite};
use super::macros::queryable;
use super::parse::{self, Mechanism, Modifier, Qualifier, Record, TermKind};
use super::{MAX_DNS_LOOKUPS, MAX_MX_HOSTS, MAX_VOID_LOOKUPS, SpfAudit, SpfNode, Via};
use crate::dns::{Answer, Resolver};
use crate::finding::{Finding, Severity};
use mail_auth::hickory_resolver::proto::rr::{RData, RecordType};
use std::future::Future;
use std::pin::Pin;

/// Deepest include/redirect nesting the audit follows (a receiver's 10-lookup limit makes
/// anything deeper fail anyway).
pub const MAX_TREE_DEPTH: usize = 12;
/// Most records the audit fetches for one domain.
pub const MAX_TREE_NODES: usize = 64;
/// A record longer than this may not fit a UDP answer with the rest of the response
/// (RFC 7208 3.4 advises keeping SPF answers small).
pub const RECORD_WARN_BYTES: usize = 450;
/// A record longer than this does not fit a classic 512-byte UDP DNS answer.
pub const RECORD_MAX_BYTES: usize = 512;
/// Longest TXT character-string (RFC 1035 3.3).
pub const MAX_TXT_STRING: usize = 255;
/// The obsolete SPF resource-record type (RFC 4408; removed by RFC 7208 3.1).
pub const SPF_RR_TYPE: u16 = 99;

struct Walk<'a> {
    dns: &'a Resolver,
    findings: Vec<Finding>,
    nodes: usize,
    truncated: bool,
}

type Boxed<'f, T> = Pin<Box<dyn Future<Output = T> + Send + 'f>>;

/// Audits the SPF setup of `domain`. Never fails: every problem, DNS trouble included, is a
/// Finding in the result.
pub async fn audit(dns: &Resolver, domain: &str) -> SpfAudit {
    let domain = match crate::names::normalize_domain(domain) {
        Ok(d) => d,
        Err(e) => {
            let f = auth(
                "SPF_MISSING",
                Severity::Error,
                domain,
                format!("cannot audit SPF: {e}"),
            )
            .fix("Give a domain name such as example.com.");
            return SpfAudit::empty(domain.to_string(), vec![f]);
        }
    };
    let mut walk = Walk {
        dns,
        findings: Vec::new(),
        nodes: 0,
        truncated: false,
    };
    let (raw, type99) = tokio::join!(
        dns.txt_raw(&domain),
        dns.lookup(&domain, RecordType::Unknown(SPF_RR_TYPE))
    );
    let records = spf_texts(&raw);
    if let Answer::Records(rd) = &type99 {
        let texts: Vec<String> = rd.iter().map(rdata_text).collect();
        walk.findings.push(
            config(
                "SPF_TYPE99_RECORD",
                Severity::Warning,
                &domain,
                format!("{domain} publishes the obsolete SPF record type (99)"),
            )
            .evidence("type99_records", &texts)
            .fix(
                "Delete the type-99 SPF record at your DNS provider. RFC 7208 removed it and \
                 receivers read only the TXT record; a second copy only drifts out of date.",
            ),
        );
    }
    let tree = walk
        .node(domain.clone(), Via::Root, Vec::new(), Some(raw))
        .await;
    let total_lookups = tree.subtree_lookups;
    let total_void = tree.subtree_void_lookups;
    if total_lookups > MAX_DNS_LOOKUPS {
        let mut costs: Vec<(String, usize)> = tree
            .children
            .iter()
            .map(|c| {
                (
                    format!("{} {}", c.via.as_str(), c.domain),
                    c.subtree_lookups,
                )
            })
            .collect();
        costs.sort_by_key(|c| std::cmp::Reverse(c.1));
        walk.findings.push(
            auth(
                "SPF_TOO_MANY_LOOKUPS",
                Severity::Error,
                &domain,
                format!(
                    "the SPF tree of {domain} needs {total_lookups} DNS lookups; receivers stop at \
                     {MAX_DNS_LOOKUPS} and answer permerror"
                ),
            )
            .evidence("lookups", total_lookups)
            .evidence("limit", MAX_DNS_LOOKUPS)
            .evidence("cost_by_branch", &costs)
            .fix(format!(
                "Bring the count down to {MAX_DNS_LOOKUPS} or fewer: remove includes of services \
                 you no longer use, replace 'a', 'mx' and 'ptr' by the ip4:/ip6: ranges they \
                 stand for, and move rarely used senders to a subdomain with its own record. \
                 The most expensive branches are listed in the evidence."
            )),
        );
    }
    if total_void > MAX_VOID_LOOKUPS {
        walk.findings.push(
            auth(
                "SPF_TOO_MANY_VOID_LOOKUPS",
                Severity::Error,
                &domain,
                format!(
                    "{total_void} lookups in the SPF tree of {domain} find nothing; receivers allow \
                     {MAX_VOID_LOOKUPS} and then answer permerror"
                ),
            )
            .evidence("void_lookups", total_void)
            .evidence("limit", MAX_VOID_LOOKUPS)
            .fix(
                "Remove the a:, mx: and include: terms whose names no longer exist or have no \
                 addresses (each is listed as SPF_TARGET_NO_ADDRESS or SPF_INCLUDE_NO_RECORD).",
            ),
        );
    }
    if walk.truncated {
        walk.findings.push(
            config(
                "SPF_TREE_TOO_LARGE",
                Severity::Warning,
                &domain,
                format!(
                    "the SPF tree of {domain} is deeper than {MAX_TREE_DEPTH} or larger than \
                     {MAX_TREE_NODES} records; the audit did not follow all of it"
                ),
            )
            .fix(
                "Flatten the tree: no receiver evaluates more than 10 lookups, so a tree this \
                 large fails anyway.",
            ),
        );
    }
    let worst = crate::finding::worst(&walk.findings);
    if records.len() == 1 && worst.is_none_or(|w| w < Severity::Temporary) {
        walk.findings.push(
            auth(
                "SPF_OK",
                Severity::Info,
                &domain,
                format!(
                    "{domain} has one valid SPF record using {total_lookups} of \
                     {MAX_DNS_LOOKUPS} DNS lookups"
                ),
            )
            .evidence("record", &records[0]),
        );
    }
    debug_assert!(
        walk.findings
            .iter()
            .all(|f| CODES.iter().any(|(c, _)| *c == f.code))
    );
    SpfAudit {
        domain,
        records,
        tree: Some(tree),
        total_lookups,
        total_void_lookups: total_void,
        lookup_limit: MAX_DNS_LOOKUPS,
        void_lookup_limit: MAX_VOID_LOOKUPS,
        findings: walk.findings,
    }
}

/// The text of the SPF TXT records in an answer.
fn spf_texts(raw: &Answer<Vec<Vec<u8>>>) -> Vec<String> {
    raw.records()
        .iter()
        .map(|parts| parts.concat())
        .filter(|t| parse::is_spf_record(t))
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .collect()
}

/// The text of a type-99 RDATA: TXT-shaped character-strings, joined.
fn rdata_text(rdata: &RData) -> String {
    let RData::Unknown { rdata, .. } = rdata else {
        return rdata.to_string();
    };
    let bytes = &rdata.anything;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&len) = bytes.get(i) {
        let end = (i + 1 + usize::from(len)).min(bytes.len());
        out.extend_from_slice(&bytes[i + 1..end]);
        i = end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Walk<'_> {
    fn node(
        &mut self,
        domain: String,
        via: Via,
        path: Vec<String>,
        prefetched: Option<Answer<Vec<Vec<u8>>>>,
    ) -> Boxed<'_, SpfNode> {
        Box::pin(async move {
            self.nodes += 1;
            let mut node = SpfNode::new(domain.clone(), via);
            let raw = match prefetched {
                Some(r) => r,
                None => self.dns.txt_raw(&domain).await,
            };
            let texts: Vec<Vec<Vec<u8>>> = match raw {
                Answer::Failed(f) => {
                    node.errors.push(format!("TXT lookup failed: {f}"));
                    self.findings.push(
                        auth(
                            "SPF_DNS_TEMPFAIL",
                            Severity::Temporary,
                            &domain,
                            format!("could not read the SPF record of {domain}: {f}"),
                        )
                        .evidence("via", via.as_str())
                        .fix(
                            "Check that the domain's DNS servers answer TXT queries; run the \
                             audit again. Receivers answer temperror (4xx) meanwhile.",
                        ),
                    );
                    return node;
                }
                Answer::Records(r) => r
                    .into_iter()
                    .filter(|parts| parse::is_spf_record(&parts.concat()))
                    .collect(),
                Answer::NxDomain | Answer::NoData => Vec::new(),
            };
            if texts.is_empty() {
                self.no_record(&domain, via, &path, &mut node).await;
                return node;
            }
            for parts in &texts {
                self.string_lengths(&domain, parts);
            }
            let parsed: Vec<Result<Record, parse::SyntaxError>> =
                texts.iter().map(|p| parse::parse(&p.concat())).collect();
            if texts.len() > 1 {
                let shown: Vec<String> = texts
                    .iter()
                    .map(|p| String::from_utf8_lossy(&p.concat()).into_owned())
                    .collect();
                let good: Vec<Record> = parsed.iter().filter_map(|r| r.clone().ok()).collect();
                node.errors
                    .push(format!("{} SPF records published", texts.len()));
                self.findings.push(
                    auth(
                        "SPF_MULTIPLE_RECORDS",
                        Severity::Error,
                        &domain,
                        format!(
                            "{domain} publishes {} SPF records; receivers answer permerror",
                            texts.len()
                        ),
                    )
                    .evidence("records", &shown)
                    .fix(format!(
                        "Publish exactly one TXT record starting with v=spf1 and delete the \
                         others. Merged, they read: {}",
                        merge(&good)
                    )),
                );
            }
            let text = texts[0].concat();
            node.record = Some(String::from_utf8_lossy(&text).into_owned());
            self.record_length(&domain, &text);
            let record = match parsed.into_iter().next() {
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    self.syntax(&domain, &texts[0], &e, &mut node);
                    return node;
                }
                None => return node,
            };
            self.lint_terms(&domain, via, &record);
            node.mechanisms = record.terms.iter().map(|t| t.text.clone()).collect();
            node.own_lookups = record.terms.iter().filter(|t| t.queries_dns()).count();
            // Void lookups and children.
            let mut path = path;
            path.push(domain.to_ascii_lowercase());
            let redirect_ignored = record.has_all();
            for term in &record.terms {
                match &term.kind {
                    TermKind::Directive {
                        mechanism: Mechanism::Include { domain: spec },
                        ..
                    } => {
                        self.child(&mut node, spec, Via::Include, &path).await;
                    }
                    TermKind::Modifier(Modifier::Redirect { domain: spec })
                        if !redirect_ignored =>
                    {
                        self.child(&mut node, spec, Via::Redirect, &path).await;
                    }
                    TermKind::Directive {
                        mechanism:
                            Mechanism::A { domain: spec, .. } | Mechanism::Mx { domain: spec, .. },
                        ..
                    } => {
                        let is_mx = matches!(
                            &term.kind,
                            TermKind::Directive {
                                mechanism: Mechanism::Mx { .. },
                                ..
                            }
                        );
                        let target = match spec {
                            None => Some(domain.clone()),
                            Some(s) if s.is_literal() => {
                                Some(s.text.trim_end_matches('.').to_string())
                            }
                            Some(_) => None,
                        };
                        if let Some(target) = target {
                            node.void_lookups += self
                                .address_target(&domain, &term.text, &target, is_mx)
                                .await;
                        }
                    }
                    TermKind::Directive {
                        mechanism: Mechanism::Exists { domain: spec },
                        ..
                    } if spec.is_literal() => {
                        let target = spec.text.trim_end_matches('.');
                        match self.dns.a(target).await {
                            Answer::NxDomain | Answer::NoData => node.void_lookups += 1,
                            Answer::Failed(f) => self.tempfail(&domain, &term.text, &f.to_string()),
                            Answer::Records(_) => {}
                        }
                    }
                    _ => {}
                }
            }
            node.subtree_lookups = node.own_lookups
                + node
                    .children
                    .iter()
                    .map(|c| c.subtree_lookups)
                    .sum::<usize>();
            node.subtree_void_lookups = node.void_lookups
                + node
                    .children
                    .iter()
                    .map(|c| c.subtree_void_lookups)
                    .sum::<usize>();
            node
        })
    }

    async fn child(
        &mut self,
        node: &mut SpfNode,
        spec: &parse::MacroString,
        via: Via,
        path: &[String],
    ) {
        let from = node.domain.clone();
        if !spec.is_literal() {
            node.notes.push(format!(
                "{} target {} uses macros: it depends on the message and is not followed",
                via.as_str(),
                spec.text
            ));
            self.findings.push(
                auth(
                    "SPF_MACRO_NOT_FOLLOWED",
                    Severity::Info,
                    &from,
                    format!(
                        "{} {} depends on the message (macros); its lookups are not counted",
                        via.as_str(),
                        spec.text
                    ),
                )
                .evidence("target", &spec.text),
            );
            return;
        }
        let target = spec.text.trim_end_matches('.').to_ascii_lowercase();
        if path.contains(&target) {
            let mut chain: Vec<String> = path.to_vec();
            chain.push(target.clone());
            node.errors
                .push(format!("{} {target} loops back", via.as_str()));
            self.findings.push(
                auth(
                    "SPF_LOOP",
                    Severity::Error,
                    &from,
                    format!(
                        "{} {target} in the SPF record of {from} leads back to a record already \
                         on the path; receivers answer permerror",
                        via.as_str()
                    ),
                )
                .evidence("chain", chain.join(" → "))
                .fix(format!(
                    "Remove '{}:{target}' (or '{}={target}') from the SPF record of {from}: \
                     a record must not include itself, directly or through others.",
                    via.as_str(),
                    via.as_str()
                )),
            );
            return;
        }
        if path.len() >= MAX_TREE_DEPTH || self.nodes >= MAX_TREE_NODES {
            self.truncated = true;
            node.notes.push(format!(
                "{} {target} not followed: the audit's depth or size cap was reached",
                via.as_str()
            ));
            return;
        }
        let child = self.node(target, via, path.to_vec(), None).await;
        node.children.push(child);
    }

    async fn no_record(&mut self, domain: &str, via: Via, path: &[String], node: &mut SpfNode) {
        match via {
            Via::Root => {
                let has_mx = matches!(self.dns.mx(domain).await, Answer::Records(_));
                let suggestion = if has_mx {
                    "v=spf1 mx ~all".to_string()
                } else {
                    "v=spf1 -all".to_string()
                };
                let why = if has_mx {
                    "Add the include: of every service that sends as this domain (your mail \
                     provider, newsletter tool, ...) before ~all."
                } else {
                    "This domain has no MX; if it never sends mail, '-all' says so and stops \
                     spoofing."
                };
                node.errors.push("no SPF record".into());
                self.findings.push(
                    auth(
                        "SPF_MISSING",
                        Severity::Error,
                        domain,
                        format!("{domain} has no SPF record"),
                    )
                    .evidence("suggested_record", &suggestion)
                    .fix(format!(
                        "Publish a TXT record at {domain}: \"{suggestion}\". {why}"
                    )),
                );
            }
            Via::Include | Via::Redirect => {
                let parent = path.last().cloned().unwrap_or_default();
                node.errors.push("no SPF record".into());
                self.findings.push(
                    auth(
                        "SPF_INCLUDE_NO_RECORD",
                        Severity::Error,
                        domain,
                        format!(
                            "{} {domain} (from {parent}) has no SPF record; receivers answer \
                             permerror",
                            via.as_str()
                        ),
                    )
                    .evidence("parent", &parent)
                    .fix(format!(
                        "Remove '{}{}{domain}' from the SPF record of {parent}, or correct the \
                         name (ask the provider for the exact include).",
                        via.as_str(),
                        if via == Via::Include { ":" } else { "=" }
                    )),
                );
            }
        }
    }

    fn string_lengths(&mut self, domain: &str, parts: &[Vec<u8>]) {
        lint_string_lengths(domain, parts, &mut self.findings);
    }

    fn record_length(&mut self, domain: &str, text: &[u8]) {
        let len = text.len();
        if len <= RECORD_WARN_BYTES {
            return;
        }
        let (sev, limit) = if len > RECORD_MAX_BYTES {
            (Severity::Error, RECORD_MAX_BYTES)
        } else {
            (Severity::Warning, RECORD_WARN_BYTES)
        };
        self.findings.push(
            config(
                "SPF_RECORD_TOO_LONG",
                sev,
                domain,
                format!("the SPF record of {domain} is {len} bytes (over {limit})"),
            )
            .evidence("bytes", len)
            .evidence("limit", limit)
            .fix(format!(
                "Shorten the record: move ip4:/ip6: ranges into a record at a subdomain such as \
                 _spf.{domain} and include it, or drop terms you no longer need. Long answers \
                 need TCP, which some receivers' resolvers do not use."
            )),
        );
    }

    fn syntax(
        &mut self,
        domain: &str,
        parts: &[Vec<u8>],
        e: &parse::SyntaxError,
        node: &mut SpfNode,
    ) {
        let text = String::from_utf8_lossy(&parts.concat()).into_owned();
        node.errors.push(format!("syntax error {e}"));
        let mut f = auth(
            "SPF_SYNTAX",
            Severity::Error,
            domain,
            format!("the SPF record of {domain} has a syntax error {e}"),
        )
        .evidence("record", &text)
        .evidence("caret", e.caret_line())
        .evidence("position", e.position)
        .evidence("error", &e.message);
        // A string boundary right at the error: the strings were joined without a space.
        let mut at = 0;
        for p in parts.iter().take(parts.len().saturating_sub(1)) {
            at += p.len();
            let term_start = text[..at.min(text.len())].rfind(' ').map_or(0, |s| s + 1);
            if (term_start..=at).contains(&e.position) && !p.ends_with(b" ") {
                f = f.evidence(
                    "string_boundary",
                    format!(
                        "the record is split into several strings and they are joined with no \
                         space (RFC 7208 3.3); a boundary falls at character {}",
                        at + 1
                    ),
                );
                break;
            }
        }
        self.findings.push(f.fix(format!(
            "Correct the record at character {}: {}. Receivers treat the whole record as \
             broken (permerror) until it is fixed.\n{text}\n{}",
            e.position + 1,
            e.message,
            e.caret_line()
        )));
    }

    fn tempfail(&mut self, domain: &str, term: &str, failure: &str) {
        self.findings.push(
            auth(
                "SPF_DNS_TEMPFAIL",
                Severity::Temporary,
                domain,
                format!("'{term}' in the SPF record of {domain}: DNS lookup failed ({failure})"),
            )
            .evidence("term", term)
            .fix("Run the audit again; if it persists, check the DNS servers of that name."),
        );
    }

    /// Checks an a/mx target; returns the void lookups it causes.
    async fn address_target(
        &mut self,
        domain: &str,
        term: &str,
        target: &str,
        is_mx: bool,
    ) -> usize {
        if !queryable(target) {
            return 0;
        }
        if !is_mx {
            return match self.dns.ips(target).await {
                Answer::Records(_) => 0,
                Answer::Failed(f) => {
                    self.tempfail(domain, term, &f.to_string());
                    0
                }
                Answer::NxDomain | Answer::NoData => {
                    self.no_address(domain, term, target, None);
                    1
                }
            };
        }
        let hosts = match self.dns.mx(target).await {
            Answer::Records(h) => h,
            Answer::Failed(f) => {
                self.tempfail(domain, term, &f.to_string());
                return 0;
            }
            Answer::NxDomain | Answer::NoData => {
                self.no_address(domain, term, target, None);
                return 1;
            }
        };
        if hosts.len() > MAX_MX_HOSTS {
            self.findings.push(
                auth(
                    "SPF_MX_TOO_MANY_HOSTS",
                    Severity::Error,
                    domain,
                    format!(
                        "'{term}' in the SPF record of {domain}: {target} has {} MX hosts; \
                         receivers answer permerror above {MAX_MX_HOSTS}",
                        hosts.len()
                    ),
                )
                .evidence("mx_hosts", hosts.len())
                .fix(format!(
                    "Replace '{term}' by the ip4:/ip6: ranges of the hosts that really send mail."
                )),
            );
        }
        for (_, host) in hosts.iter().take(MAX_MX_HOSTS) {
            if host.is_empty() || host == "." {
                continue;
            }
            match self.dns.ips(host).await {
                Answer::NxDomain | Answer::NoData => {
                    self.no_address(domain, term, target, Some(host));
                }
                Answer::Failed(f) => self.tempfail(domain, term, &f.to_string()),
                Answer::Records(_) => {}
            }
        }
        0
    }

    fn no_address(&mut self, domain: &str, term: &str, target: &str, host: Option<&str>) {
        let what = match host {
            Some(h) => format!("MX host {h} of {target} has no A/AAAA address"),
            None if term.to_ascii_lowercase().contains("mx") => {
                format!("{target} has no MX record (a void lookup)")
            }
            None => format!("{target} has no A/AAAA address (a void lookup)"),
        };
        self.findings.push(
            config(
                "SPF_TARGET_NO_ADDRESS",
                Severity::Warning,
                domain,
                format!("'{term}' in the SPF record of {domain}: {what}"),
            )
            .evidence("term", term)
            .evidence("target", target)
            .fix(format!(
                "Remove '{term}' from the SPF record of {domain} if nothing sends from there, \
                 or give {} an address. Void lookups count toward the limit of {MAX_VOID_LOOKUPS}.",
                host.unwrap_or(target)
            )),
        );
    }

    fn lint_terms(&mut self, domain: &str, via: Via, record: &Record) {
        let mut all_at: Option<usize> = None;
        let mut after_all = Vec::new();
        for (i, term) in record.terms.iter().enumerate() {
            if all_at.is_some() {
                after_all.push(term.text.clone());
            }
            let TermKind::Directive {
                qualifier,
                mechanism,
            } = &term.kind
            else {
                continue;
            };
            match mechanism {
                Mechanism::Ptr { .. } => self.findings.push(
                    config(
                        "SPF_PTR_MECHANISM",
                        Severity::Warning,
                        domain,
                        format!(
                            "'{}' in the SPF record of {domain}: the ptr mechanism is deprecated \
                             (RFC 7208 5.5); some receivers skip it and it is slow",
                            term.text
                        ),
                    )
                    .evidence("term", &term.text)
                    .fix(format!(
                        "Replace '{}' by the ip4:/ip6: ranges of your senders: {}",
                        term.text,
                        rewrite(
                            record,
                            |_, t| matches!(
                                t.kind,
                                TermKind::Directive {
                                    mechanism: Mechanism::Ptr { .. },
                                    ..
                                }
                            ),
                            None
                        )
                    )),
                ),
                Mechanism::All => {
                    all_at.get_or_insert(i);
                    let fixed = || rewrite(record, |_, _| false, Some(Qualifier::SoftFail));
                    match qualifier {
                        Qualifier::Pass => self.findings.push(
                            auth(
                                "SPF_PASS_ALL",
                                Severity::Error,
                                domain,
                                format!(
                                    "the SPF record of {domain} ends in '{}': every host on the \
                                     Internet may send as {domain}",
                                    term.text
                                ),
                            )
                            .evidence("term", &term.text)
                            .fix(format!(
                                "Use '~all' (or '-all' once you are sure every sender is listed): {}",
                                fixed()
                            )),
                        ),
                        Qualifier::Neutral if via != Via::Include => self.findings.push(
                            auth(
                                "SPF_NEUTRAL_ALL",
                                Severity::Warning,
                                domain,
                                format!(
                                    "the SPF record of {domain} ends in '?all': it asserts nothing \
                                     about other hosts, so forged mail is not stopped"
                                ),
                            )
                            .evidence("term", &term.text)
                            .fix(format!("Use '~all' or '-all': {}", fixed())),
                        ),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if !after_all.is_empty() {
            self.findings.push(
                config(
                    "SPF_TERMS_AFTER_ALL",
                    Severity::Warning,
                    domain,
                    format!(
                        "the SPF record of {domain} has terms after 'all' that are never used: {}",
                        after_all.join(" ")
                    ),
                )
                .evidence("ignored_terms", &after_all)
                .fix(format!(
                    "Move the mechanisms before 'all' (a redirect= is ignored when 'all' is \
                     present). Without them: {}",
                    rewrite(record, |i, _| all_at.is_some_and(|a| i > a), None)
                )),
            );
        }
        if via != Via::Include && !record.has_all() && record.redirect().is_none() {
            self.findings.push(
                config(
                    "SPF_NO_ALL",
                    Severity::Warning,
                    domain,
                    format!(
                        "the SPF record of {domain} has no 'all' and no redirect: mail from \
                         unlisted hosts gets neutral"
                    ),
                )
                .fix(format!(
                    "End the record with '~all' (or '-all'): {} ~all",
                    record.text.trim_end()
                )),
            );
        }
    }
}

/// Flags TXT character-strings longer than 255 octets. On the wire a character-string cannot
/// be longer (its length is one octet), so a DNS answer never shows one; answers from other
/// sources (DNS-over-HTTPS JSON, zone files fed to the lab server) can, and a provider's web
/// form that accepts one will publish something else than what was typed.
pub fn lint_string_lengths(domain: &str, parts: &[Vec<u8>], findings: &mut Vec<Finding>) {
    for (i, p) in parts.iter().enumerate() {
        if p.len() > MAX_TXT_STRING {
            findings.push(
                config(
                    "SPF_STRING_TOO_LONG",
                    Severity::Error,
                    domain,
                    format!(
                        "string {} of the SPF TXT record of {domain} is {} octets; a TXT string \
                         holds at most {MAX_TXT_STRING}",
                        i + 1,
                        p.len()
                    ),
                )
                .evidence("string", i + 1)
                .evidence("octets", p.len())
                .fix(
                    "Split the record into several quoted strings of at most 255 characters, \
                     e.g. \"v=spf1 ... \" \"include:... -all\"; receivers join them with no \
                     space, so cut between terms and keep a space at the end of a piece.",
                ),
            );
        }
    }
}
