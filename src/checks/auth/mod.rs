//! Authentication: the records a sending domain publishes (SPF, DKIM keys, DMARC) and the
//! authentication of a message as a receiver performs it (SPF, DKIM, DMARC, ARC, iprev).
//!
//! mail-auth evaluates the protocols where it can; these modules add what a person needs to act
//! on the result: the precise reason each method failed, the records and identifiers involved,
//! and the fix. They never print and never pick an action; they return typed reports and
//! [`crate::finding::Finding`]s. Each protocol has the same rooms: parse (record text → typed
//! record), evaluate (record + DNS → result), findings (facts → Findings).
//!
//! Domain audit (`fivefifty domain`):
//! - [`spf`]: record lints, the include/redirect tree with lookup costs, and RFC 7208
//!   evaluation.
//! - [`dmarc`]: the DMARC record found by the RFC 9989 tree walk, and its lints.
//! - [`dkim_keys`]: DKIM key records at given and common selectors.
//!
//! Message authentication (`fivefifty check`):
//! - [`message`]: the entry point, [`message::authenticate`], and envelope inference.
//! - [`dkim`]: every DKIM-Signature, verified at a chosen time, with the reason it failed.
//! - [`dmarc_eval`]: DMARC (RFC 9989) for the message: record found, alignment, policy.
//! - [`arc`]: ARC chain validation (RFC 8617) and what earlier hops recorded.
//! - [`iprev`]: the client IP's PTR and forward match (RFC 8601 section 3).
//! - [`outcome`]: the result keywords shared by every method (RFC 8601).

pub mod arc;
pub mod dkim;
pub mod dkim_keys;
pub mod dmarc;
pub mod dmarc_eval;
pub mod iprev;
pub mod message;
pub mod outcome;
pub mod spf;
