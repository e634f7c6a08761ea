//! Authentication checks: SPF (and, in sibling modules, DKIM, DMARC, ARC).
//!
//! Each protocol has the same rooms: parse (record text → typed record), evaluate (record + DNS
//! → result), findings (facts → [`crate::finding::Finding`]s).

pub mod spf;
