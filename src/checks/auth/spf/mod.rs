//! SPF (RFC 7208): the sending-domain audit and the message-path evaluation.
//!
//! Two entry points:
//! - [`audit`] looks at a domain the way a careful admin would: it finds the record(s), walks
//!   the whole include/redirect tree with the DNS-lookup cost of every node, and turns every
//!   problem into a [`Finding`] with its fix. It never stops at the first error (unlike a
//!   receiver), so the report shows everything at once.
//! - [`evaluate`] is what a receiver does for one connection: the `check_host()` result for the
//!   MAIL FROM (or HELO) identity.
//!
//! Inside: `parse` (record text → terms with positions), `tree` (the DNS walk), `findings`
//! (facts → Findings), `evaluate` (the message path).

mod evaluate;
mod findings;
mod macros;
pub mod parse;
mod tree;

pub use findings::CODES;
pub use tree::{
    MAX_TREE_DEPTH, MAX_TREE_NODES, MAX_TXT_STRING, RECORD_MAX_BYTES, RECORD_WARN_BYTES,
    SPF_RR_TYPE, audit, lint_string_lengths,
};

pub use evaluate::{
    MAX_DNS_LOOKUPS, MAX_EVAL_DEPTH, MAX_MX_HOSTS, MAX_PTR_NAMES, MAX_VOID_LOOKUPS, RECEIVING_HOST,
    evaluate,
};

use crate::finding::Finding;
use serde::Serialize;

/// The result of [`audit`]: what the domain publishes, the whole include/redirect tree with
/// its costs, and every problem as a Finding.
#[derive(Debug, Clone, Serialize)]
pub struct SpfAudit {
    /// The audited domain (normalised).
    pub domain: String,
    /// The text of every `v=spf1` TXT record at the domain (more than one is an error).
    pub records: Vec<String>,
    /// The include/redirect tree from the domain's record; `None` only when the domain name
    /// itself was unusable.
    pub tree: Option<SpfNode>,
    /// DNS-querying terms in the whole tree, counted even past the limit.
    pub total_lookups: usize,
    /// Lookups in the tree that find nothing (NXDOMAIN or no data).
    pub total_void_lookups: usize,
    /// The RFC 7208 limit on `total_lookups` (10).
    pub lookup_limit: usize,
    /// The RFC 7208 limit on void lookups (2).
    pub void_lookup_limit: usize,
    /// Every problem (and, when all is well, `SPF_OK`).
    pub findings: Vec<Finding>,
}

impl SpfAudit {
    fn empty(domain: String, findings: Vec<Finding>) -> Self {
        SpfAudit {
            domain,
            records: Vec::new(),
            tree: None,
            total_lookups: 0,
            total_void_lookups: 0,
            lookup_limit: MAX_DNS_LOOKUPS,
            void_lookup_limit: MAX_VOID_LOOKUPS,
            findings,
        }
    }
}

/// How a node of the tree was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The audited domain itself.
    Root,
    /// An `include:` mechanism.
    Include,
    /// A `redirect=` modifier.
    Redirect,
}

impl Via {
    /// The term name (`root`, `include`, `redirect`).
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Root => "root",
            Via::Include => "include",
            Via::Redirect => "redirect",
        }
    }
}

/// One record in the include/redirect tree.
#[derive(Debug, Clone, Serialize)]
pub struct SpfNode {
    /// The domain whose record this is.
    pub domain: String,
    /// How it was reached.
    pub via: Via,
    /// The record text (the first one, when several are published); `None` when there is none.
    pub record: Option<String>,
    /// The terms of the record, as written.
    pub mechanisms: Vec<String>,
    /// DNS-querying terms in this record (include, a, mx, ptr, exists, redirect).
    pub own_lookups: usize,
    /// `own_lookups` plus those of every record below.
    pub subtree_lookups: usize,
    /// Void lookups caused by this record's own a/mx/exists terms.
    pub void_lookups: usize,
    /// `void_lookups` plus those of every record below.
    pub subtree_void_lookups: usize,
    /// Problems with this node (no record, syntax error, loop, DNS failure).
    pub errors: Vec<String>,
    /// Things worth knowing that are not errors (targets with macros, caps reached).
    pub notes: Vec<String>,
    /// The records reached by include and redirect, in record order.
    pub children: Vec<SpfNode>,
}

impl SpfNode {
    fn new(domain: String, via: Via) -> Self {
        SpfNode {
            domain,
            via,
            record: None,
            mechanisms: Vec::new(),
            own_lookups: 0,
            subtree_lookups: 0,
            void_lookups: 0,
            subtree_void_lookups: 0,
            errors: Vec::new(),
            notes: Vec::new(),
            children: Vec::new(),
        }
    }
}

/// The result of `check_host()` (RFC 7208 2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpfResult {
    /// The client is authorised.
    Pass,
    /// The client is explicitly not authorised.
    Fail,
    /// The client is probably not authorised.
    SoftFail,
    /// The domain makes no assertion.
    Neutral,
    /// No record (or no valid domain to check).
    None,
    /// A transient (DNS) error: try again later.
    TempError,
    /// The record is broken: the domain must fix it.
    PermError,
}

impl SpfResult {
    /// The lowercase name RFC 7208 and Authentication-Results use.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::Neutral => "neutral",
            SpfResult::None => "none",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

impl std::fmt::Display for SpfResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<mail_auth::SpfResult> for SpfResult {
    fn from(r: mail_auth::SpfResult) -> Self {
        match r {
            mail_auth::SpfResult::Pass => SpfResult::Pass,
            mail_auth::SpfResult::Fail => SpfResult::Fail,
            mail_auth::SpfResult::SoftFail => SpfResult::SoftFail,
            mail_auth::SpfResult::Neutral => SpfResult::Neutral,
            mail_auth::SpfResult::None => SpfResult::None,
            mail_auth::SpfResult::TempError => SpfResult::TempError,
            mail_auth::SpfResult::PermError => SpfResult::PermError,
        }
    }
}

impl From<SpfResult> for mail_auth::SpfResult {
    fn from(r: SpfResult) -> Self {
        match r {
            SpfResult::Pass => mail_auth::SpfResult::Pass,
            SpfResult::Fail => mail_auth::SpfResult::Fail,
            SpfResult::SoftFail => mail_auth::SpfResult::SoftFail,
            SpfResult::Neutral => mail_auth::SpfResult::Neutral,
            SpfResult::None => mail_auth::SpfResult::None,
            SpfResult::TempError => mail_auth::SpfResult::TempError,
            SpfResult::PermError => mail_auth::SpfResult::PermError,
        }
    }
}

impl SpfEvaluation {
    /// The same outcome as mail-auth's `SpfOutput`, for mail-auth's DMARC evaluation
    /// (`DmarcParameters::new(.., &spf_output)`).
    pub fn to_mail_auth(&self) -> mail_auth::SpfOutput {
        let out = mail_auth::SpfOutput::new(self.domain.clone()).with_result(self.result.into());
        match &self.explanation {
            Some(e) => out.with_explanation(e.clone()),
            None => out,
        }
    }
}

/// Which identity an evaluation checked (RFC 7208 2.3 and 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// The domain of the MAIL FROM address.
    MailFrom,
    /// The HELO/EHLO name (null reverse-path).
    Helo,
}

/// The outcome of the message-path evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpfEvaluation {
    /// The `check_host()` result.
    pub result: SpfResult,
    /// Which identity was checked.
    pub identity: Identity,
    /// The domain whose record was evaluated.
    pub domain: String,
    /// The domain's `exp=` explanation, for a fail result that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The term that decided, and whose record it is in (e.g. `-all in the SPF record of
    /// example.com`); `None` when no mechanism matched or the evaluation stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// Why the result is what it is, for none, neutral-by-default, temperror and permerror.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// DNS-querying terms evaluated (RFC 7208 4.6.4 allows 10).
    pub lookups: usize,
    /// Lookups that found nothing (RFC 7208 4.6.4 allows 2).
    pub void_lookups: usize,
}
