//! Authentication of a message as a receiver performs it: SPF, DKIM, DMARC, ARC and iprev.
//!
//! mail-auth evaluates the protocols; these modules add what a person needs to act on the
//! result: the precise reason each method failed, the records and identifiers involved, and the
//! fix. They never print and never pick an action (the policy does); they return typed reports
//! and [`crate::finding::Finding`]s.
//!
//! - [`message`]: the entry point, [`message::authenticate`], and envelope inference.
//! - [`dkim`]: every DKIM-Signature, verified at a chosen time, with the reason it failed.
//! - [`dmarc_eval`]: DMARC (RFC 9989) for the message: record found, alignment, policy.
//! - [`arc`]: ARC chain validation (RFC 8617) and what earlier hops recorded.
//! - [`iprev`]: the client IP's PTR and forward match (RFC 8601 section 3).
//! - [`outcome`]: the result keywords shared by every method (RFC 8601).

pub mod arc;
pub mod dkim;
pub mod dmarc_eval;
pub mod iprev;
pub mod message;
pub mod outcome;
