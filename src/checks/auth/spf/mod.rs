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
mod macros;
pub mod parse;

pub use evaluate::{
    MAX_DNS_LOOKUPS, MAX_EVAL_DEPTH, MAX_MX_HOSTS, MAX_PTR_NAMES, MAX_VOID_LOOKUPS,
    RECEIVING_HOST, evaluate,
};

use serde::Serialize;

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
