//! The one DNS layer every check goes through.
//!
//! [`Resolver`] wraps a single hickory resolver (the one mail-auth re-exports, so SPF/DKIM/DMARC
//! evaluation shares it) and adds what checks need and hickory leaves to callers:
//! - typed outcomes ([`Answer`]) that keep "the name does not exist", "the name exists but has no
//!   record of this type" and "could not ask" apart, so no caller turns a timeout into "no record";
//! - a per-query timeout and an optional overall time budget;
//! - a bound on queries in flight;
//! - one TTL cache, hickory's, shared by every clone of the resolver and by mail-auth.
//!
//! [`lab`] is the in-process authoritative server used by tests and by the CLI's offline mode.

pub mod lab;
mod resolver;

pub use resolver::{Answer, DnsConfig, Failure, Resolver, reverse_name, reversed_ip_labels};
