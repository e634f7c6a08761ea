//! The doctor: the sender-facing commands, each an orchestration of checks.
//!
//! A doctor function runs the checks a command needs (concurrently, through the one resolver),
//! gathers their reports and findings, and hands the whole to a presenter. It never prints.

pub mod check;
pub mod domain;
pub mod explain;
pub mod readiness;
