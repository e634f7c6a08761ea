//! Checks: each gathers facts and turns them into [`crate::finding::Finding`]s.
//!
//! A check never prints and never picks an action. Every check has the same inner shape:
//! parse (text → typed record), evaluate (record + DNS → facts), findings (facts → Findings).

pub mod auth;
pub mod blocklist;
pub mod content;
pub mod domain;
pub mod reputation;
pub mod tags;
