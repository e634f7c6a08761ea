//! Authentication checks: SPF, DKIM, DMARC (the records a sending domain publishes, and the
//! evaluation of messages).
//!
//! Each protocol has the same rooms: parse (record text → typed record), evaluate (record + DNS
//! → result), findings (facts → [`crate::finding::Finding`]s).

pub mod dkim_keys;
pub mod dmarc;
pub mod spf;
