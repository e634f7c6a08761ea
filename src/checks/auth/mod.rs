//! Authentication checks: SPF, DKIM, DMARC (records published by a sending domain, and later the
//! evaluation of messages).

pub mod dkim_keys;
pub mod dmarc;
