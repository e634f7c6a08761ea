//! The verdict: what the gate does with a connection or message.
//!
//! The policy (a later module) turns Findings into a Verdict from configuration and does no I/O.
//! The rule that matters most is fixed here in the type: a check that could not decide leads to
//! a temporary failure (451), never to a rejection.

use crate::finding::Finding;
use serde::Serialize;

/// What to do with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Deliver.
    Accept,
    /// Deliver, but mark (header, spam folder).
    Flag,
    /// 4xx: try again later (DNS trouble, greylisting).
    Tempfail,
    /// 5xx: refuse, with a reply that says what to fix.
    Reject,
}

/// The decision and the findings that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// What to do.
    pub action: Action,
    /// Total score of the weighed findings.
    pub score: f64,
    /// The findings that decided, worst first.
    pub reasons: Vec<Finding>,
}
