//! Checks of a domain's mail-receiving and transport records: MX, MTA-STS, TLS-RPT and BIMI.
//!
//! These are the `Configuration` part of `fivefifty domain`: each module looks up one kind of
//! record, parses it, and turns what it finds into Findings. None of them prints or decides.

pub mod bimi;
pub mod mta_sts;
pub mod mx;
pub mod tlsrpt;
