//! fivefifty: explain and prevent "550 security policy" rejections.
//!
//! One engine serves both sides of a rejection. Data flows one way:
//! evidence → checks → [`finding::Finding`]s → policy → verdict → presenters.
//! See DEVELOPERS.md for the shape of the code.

pub mod checks;
pub mod dns;
pub mod doctor;
pub mod evidence;
pub mod finding;
pub mod names;
pub mod present;
pub mod verdict;
